"""Pages: the search page, the article page, its raw source, the query help.

Every page works without JavaScript: links and GET forms carry the whole state in
the URL (see urls.py). Errors are raised, not rendered here: errors.py turns them
into 4xx pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, send_file, url_for
from flask import request as http_request

from indexer.article import ACTOR_TYPES, Article
from indexer.search import SearchService

from . import present
from .errors import NotFoundError
from .urls import SearchState

bp = Blueprint("pages", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


def article_url(article_id: str) -> str:
    return url_for("pages.article_page", article_id=article_id)


@bp.get("/")
def search_page():
    state = SearchState.from_args(http_request.args)
    if any(not value.strip() for _, value in http_request.args.items(multi=True)):
        # A form left a box empty ("to="): go to the tidy address, the one to bookmark.
        return redirect(state.url(url_for("pages.search_page")), code=302)
    names = service()
    result = names.search(state.to_request())
    return render_template(
        "search.html",
        state=state,
        result=result,
        query=state.q,
        hidden=state.params(leave_out=("q", "page")),
        hits=present.hit_views(result, state, names, article_url),
        chips=present.chips(state, names),
        clear_url=state.cleared().url(),
        outlets=present.outlet_group(result, state, names),
        actor_groups=present.actor_groups(result, state, names),
        histogram=present.histogram(result, state),
        sorts=present.sort_links(state),
        per_page=present.per_page_links(state),
        pager=present.pager(result, state),
        copies_switch=present.copies_switch(result, state),
        suggestion_url=state.with_query(result.suggestion).url() if result.suggestion else None,
        date_hidden=state.params(leave_out=("from", "to", "page")),
        actor_hidden=state.params(leave_out=("page",)),
        export_csv_url=state.url(url_for("api.export_csv"), leave_out=("page", "per_page")),
        export_json_url=state.url(url_for("api.export_json"), leave_out=("page", "per_page")),
        feed_url=state.url(url_for("feeds.feed"), leave_out=("sort", "page", "per_page")),
    )


@bp.get("/help")
def help_page():
    return render_template("help.html", query="")


# -- articles ------------------------------------------------------------------------------
TYPE_LABELS = {"person": "People", "country": "Countries", "organisation": "Organisations"}


@dataclass(frozen=True)
class ActorLinks:
    label: str
    links: tuple[present.Link, ...]  # each actor's search
    profiles: tuple[str, ...]  # each actor's page, in the same order


def find_article(article_id: str) -> Article:
    article = service().article(article_id)
    if article is None:
        raise NotFoundError(f"There is no article with id {article_id!r} in the archive.")
    return article


def actor_links(article: Article) -> list[ActorLinks]:
    """The article's actors by type, each a link to the search filtered by it."""
    groups = []
    for actor_type in ACTOR_TYPES:
        actors = [a for a in article.actors if a.type == actor_type]
        if actors:
            groups.append(ActorLinks(TYPE_LABELS[actor_type],
                                     tuple(present.Link(a.name, SearchState(actors=(a.name,)).url()) for a in actors),
                                     tuple(url_for("actors.actor_page", name=a.name) for a in actors)))
    return groups


def raw_source_path(article: Article) -> Path | None:
    """The stored source file inside the configured corpus folder, or None.

    The path comes from the index, never from the request, and must resolve
    (symbolic links followed) to a file inside CORPUS_DIR.
    """
    if not article.source_path:
        return None
    corpus = Path(current_app.config["CORPUS_DIR"]).resolve()
    path = (corpus / article.source_path).resolve()
    if not path.is_relative_to(corpus) or not path.is_file():
        return None
    return path


@bp.get("/articles/<article_id>")
def article_page(article_id: str):
    article = find_article(article_id)
    similar = service().similar(article.id)
    copies = present.copy_links(service().copies_of(article.id), article.id, article_url)
    return render_template(
        "article.html",
        article=article,
        query="",
        outlet_url=SearchState(outlets=(article.outlet,)).url(),
        actor_groups=actor_links(article),
        has_source=raw_source_path(article) is not None,
        similar=[(hit, article_url(hit.id)) for hit in similar],
        copies=copies,
    )


@bp.get("/articles/<article_id>/source")
def article_source(article_id: str):
    """The raw file as collected, always as text/plain: a saved page is shown, never run."""
    article = find_article(article_id)
    path = raw_source_path(article)
    if path is None:
        raise NotFoundError(f"The raw source of article {article_id} is not in the corpus folder.")
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        mimetype = "text/plain; charset=utf-8"
    except UnicodeDecodeError:
        mimetype = "text/plain"
    response = send_file(path, mimetype=mimetype, download_name=path.name, as_attachment=False, max_age=0)
    response.headers["Content-Disposition"] = f'inline; filename="{_ascii_name(path.name)}"'
    return response


def _ascii_name(name: str) -> str:
    return "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)

