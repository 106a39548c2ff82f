"""Atom feeds of searches: a feed reader becomes an alert for new articles.

`GET /feed` takes the search page's parameters (q, outlet, actor, not_outlet,
not_actor, from, to, undated) and lists the newest matches, newest first,
whatever `sort` says (a bad `sort` is still a 400, as on the search page; `page`
is ignored: a feed is its first page). `per_page` sets how many entries (1-100,
FEED_ENTRIES by default).

Entry ids are `urn:uuid:` names derived from the article id, which is a hash of
the article's raw file (and sidecar): the same article has the same id in every
feed, after every `update` and every rebuild, so a reader shows only what is new.
The XML is built with ElementTree (every value escaped by the serializer), after
dropping the few characters XML 1.0 cannot carry at all.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from dataclasses import dataclass, replace
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for

from indexer.errors import QueryError
from indexer.search import SORTS, Hit, SearchService

from . import present
from .urls import SearchState
from .views import raw_source_path

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 50  # entries when the URL gives no per_page
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
ARTICLE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:news-archive-search:article")
FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:news-archive-search:feed")
OUTLET_SCHEME = "urn:news-archive-search:outlet"
ACTOR_SCHEME = "urn:news-archive-search:actor"
UNKNOWN_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)  # Atom needs a time; this one says "not known"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARK = re.compile(r"</?mark>")

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: dt.datetime | None  # None for an undated article
    updated: dt.datetime
    author: str | None
    outlet: str
    summary: str  # plain text
    actors: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self_url: str
    page_url: str  # the same search as a page
    updated: dt.datetime
    entries: tuple[Entry, ...]


def service() -> SearchService:
    return current_app.extensions["search"]


def feed_state(args) -> SearchState:
    """The search the URL asks for, newest first, first page, FEED_ENTRIES unless per_page says otherwise."""
    state = SearchState.from_args(args)
    if state.sort and state.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {state.sort!r}")
    per_page = state.per_page if (args.get("per_page") or "").strip() else FEED_ENTRIES
    return replace(state, sort="newest", page=1, per_page=per_page)


def article_urn(article_id: str) -> str:
    """The entry id: the same for an article in every feed, and across updates and rebuilds."""
    return f"urn:uuid:{uuid.uuid5(ARTICLE_NAMESPACE, article_id)}"


def feed_urn(state: SearchState) -> str:
    """The feed id: one per search, whatever the order of its parameters."""
    params = sorted(state.params(leave_out=("sort", "page", "per_page")))
    return f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, repr(params))}"


def plain_snippet(snippet: str) -> str:
    """The hit's snippet (escaped HTML with <mark>) as the plain text it was made from."""
    return html.unescape(_MARK.sub("", snippet))


def published_time(hit: Hit) -> dt.datetime | None:
    """Midnight UTC of the first day the date stands for (2024-06 -> 2024-06-01): Atom needs a whole timestamp."""
    if not hit.published:
        return None
    parts = [int(p) for p in hit.published.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)


def saved_time(article_id: str) -> dt.datetime:
    """For an undated article: when its raw file was saved into the corpus, or UNKNOWN_TIME without the file."""
    article = service().article(article_id)
    path = raw_source_path(article) if article else None
    try:
        return dt.datetime.fromtimestamp(int(path.stat().st_mtime), tz=dt.timezone.utc) if path else UNKNOWN_TIME
    except OSError:  # removed since it was found: the next update drops the article
        return UNKNOWN_TIME


def entry(hit: Hit) -> Entry:
    published = published_time(hit)
    return Entry(
        id=article_urn(hit.id),
        title=hit.title,
        url=url_for("pages.article_page", article_id=hit.id, _external=True),
        published=published,
        updated=published or saved_time(hit.id),
        author=hit.author,
        outlet=hit.outlet,
        summary=plain_snippet(hit.snippet),
        actors=tuple(a.name for a in hit.actors),
    )


def feed_title(state: SearchState) -> str:
    words = [f"“{state.q}”"] if state.q else []
    words += [f"{chip.kind} {chip.label}" for chip in present.chips(state, service())]
    return "News archive: " + (" · ".join(words) if words else "every article")


def build_feed(state: SearchState) -> Feed:
    result = service().search(state.to_request())
    entries = tuple(entry(hit) for hit in result.hits)
    self_leaves_out = ("sort", "page") if state.per_page != FEED_ENTRIES else ("sort", "page", "per_page")
    return Feed(
        id=feed_urn(state),
        title=feed_title(state),
        self_url=_external(state.url(url_for("feeds.feed"), leave_out=self_leaves_out)),
        page_url=_external(state.url(url_for("pages.search_page"), leave_out=("page", "per_page"))),
        updated=max((e.updated for e in entries), default=UNKNOWN_TIME),
        entries=entries,
    )


def _external(path: str) -> str:
    return request.host_url.rstrip("/") + path


# -- Atom ----------------------------------------------------------------------------------
def xml_text(text: str) -> str:
    """TEXT without the characters XML 1.0 cannot hold even escaped (most C0 controls, lone surrogates)."""
    return _NOT_XML.sub("", text)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_document(feed: Feed) -> bytes:
    """The feed as Atom 1.0 (RFC 4287), UTF-8."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "updated", _timestamp(feed.updated))
    _add(root, "link", rel="self", type=MEDIA_TYPE, href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    author = _add(root, "author")  # entries without a byline inherit it
    _add(author, "name", "News archive")
    _add(root, "generator", "news-archive-search")
    for item in feed.entries:
        element = _add(root, "entry")
        _add(element, "id", item.id)
        _add(element, "title", item.title)
        _add(element, "link", rel="alternate", type="text/html", href=item.url)
        if item.published:
            _add(element, "published", _timestamp(item.published))
        _add(element, "updated", _timestamp(item.updated))
        if item.author:
            _add(_add(element, "author"), "name", item.author)
        _add(element, "summary", item.summary, type="text")
        _add(element, "category", term=item.outlet, scheme=OUTLET_SCHEME)
        for name in item.actors:
            _add(element, "category", term=name, scheme=ACTOR_SCHEME)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@bp.get("/feed")
def feed():
    state = feed_state(request.args)
    response = Response(atom_document(build_feed(state)), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response.add_etag()
    return response.make_conditional(request)
