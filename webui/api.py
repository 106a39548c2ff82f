"""The JSON API, health, and downloads of the current result set.

GET /api/search takes the search page's URL parameters and returns exactly the
document `search-cli --json` prints (SearchResult.to_dict()). The contract is
webui/openapi.json, served as it is at GET /api/openapi.json; the tests check
real responses against it, so it cannot drift from the code unnoticed.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.errors import UserError
from indexer.search import SearchService

from . import exports
from .errors import NotFoundError
from .urls import SearchState

bp = Blueprint("api", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


@bp.get("/api/search")
def api_search():
    result = service().search(SearchState.from_args(request.args).to_request())
    return jsonify(result.to_dict())


@bp.get("/api/articles/<article_id>")
def api_article(article_id: str):
    article = service().article(article_id)
    if article is None:
        raise NotFoundError(f"no article with id {article_id!r}")
    return jsonify(article.to_dict())


@cache
def openapi_document() -> dict:
    """The OpenAPI 3.1 description kept in the repository (webui/openapi.json)."""
    return json.loads(resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8"))


@bp.get("/api/openapi.json")
def api_openapi():
    return jsonify(openapi_document())


@bp.get("/healthz")
def healthz():
    try:
        service().document_count()  # opens the index: fails when there is none
    except UserError as exc:  # no index yet: the process is up, the service is not
        return jsonify(status="unavailable", error=str(exc)), 503
    return jsonify(status="ok")


def _export():
    request_ = SearchState.from_args(request.args).to_request()
    return service().export(request_, limit=current_app.config["EXPORT_LIMIT"])


@bp.get("/export.csv")
def export_csv():
    export = _export()
    return Response(exports.to_csv(export), mimetype="text/csv", headers=exports.headers(export, "csv"))


@bp.get("/export.json")
def export_json():
    export = _export()
    response = jsonify(exports.to_json(export))
    response.headers.update(exports.headers(export, "json"))
    return response
