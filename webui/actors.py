"""Actor pages: what the archive says about one person, country or organisation.

GET /actors/<name> is the page, GET /api/actors/<name> the same data as JSON
(ActorProfile.to_dict()). Both come from SearchService.actor_profile: one search
filtered on the actor, read through the search page's facets, so the page costs
what a search costs. Every link it shows is a search page URL built by SearchState.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for

from indexer.search import ActorProfile, SearchService

from . import present
from .errors import NotFoundError
from .urls import SearchState

bp = Blueprint("actors", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


def actor_url(name: str) -> str:
    return url_for("actors.actor_page", name=name)


def find_profile(name: str) -> ActorProfile:
    profile = service().actor_profile(name)
    if profile is None:
        raise NotFoundError(f"No article mentions {name!r}, and the knowledge base does not know it.")
    return profile


@dataclass(frozen=True)
class CoMention:
    name: str
    type: str | None
    count: int
    both_url: str  # the search for articles with both actors
    profile_url: str


@dataclass(frozen=True)
class OutletLink:
    name: str
    count: int
    url: str  # the search for the actor in this outlet


@bp.get("/actors/<path:name>")
def actor_page(name: str):
    profile = find_profile(name)
    if profile.name != name:  # an alias or another spelling: the page lives at the canonical name
        return redirect(actor_url(profile.name), code=302)
    state = SearchState(actors=(profile.name,))
    return render_template(
        "actor.html",
        query="",
        profile=profile,
        search_url=state.url(url_for("pages.search_page")),
        timeline=present.histogram(profile.result, state, by_month=True, width=640),
        co_mentions=[CoMention(v.value, v.type, v.count, state.with_filter("actors", v.value).url(),
                               actor_url(v.value)) for v in profile.co_mentions],
        outlets=[OutletLink(v.value, v.count, state.with_filter("outlets", v.value).url())
                 for v in profile.result.facets.outlet],
        latest=[(hit, url_for("pages.article_page", article_id=hit.id)) for hit in profile.result.hits],
    )


@bp.get("/api/actors/<path:name>")
def api_actor(name: str):
    return jsonify(find_profile(name).to_dict())
