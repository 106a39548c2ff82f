"""Routes: the search page, the JSON API, health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.errors import IndexMissingError, UserError
from indexer.search import SearchRequest, SearchService

bp = Blueprint("search", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


def request_from_args(args) -> SearchRequest:
    """A SearchRequest from URL parameters; bad numbers are a UserError (HTTP 400)."""
    def number(name: str, default: int) -> int:
        value = args.get(name, "")
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            raise UserError(f"{name} must be a whole number, got {value!r}") from None

    query = args.get("q", "").strip()
    return SearchRequest(
        query=query,
        outlets=tuple(args.getlist("outlet")),
        actors=tuple(args.getlist("actor")),
        date_from=args.get("from") or None,
        date_to=args.get("to") or None,
        sort=args.get("sort") or ("relevance" if query else "newest"),
        page=number("page", 1),
        per_page=number("per_page", 10),
    )


@bp.get("/")
def search_page():
    try:
        result = service().search(request_from_args(request.args))
    except IndexMissingError as exc:
        return render_template("search.html", error=str(exc), result=None), 503
    except UserError as exc:
        return render_template("search.html", error=str(exc), result=None), 400
    return render_template("search.html", error=None, result=result)


@bp.get("/api/search")
def api_search():
    try:
        result = service().search(request_from_args(request.args))
    except IndexMissingError as exc:
        return jsonify(error=str(exc)), 503
    except UserError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(result.to_dict())


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")
