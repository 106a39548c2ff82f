"""The Flask web UI: an app factory over the same search service the CLI uses."""

from __future__ import annotations

import os
from typing import Mapping

from flask import Flask

from indexer import config as indexer_config
from indexer.search import EXPORT_LIMIT, RESULT_CACHE_SIZE, SearchService

SECURITY_HEADERS = {
    # Every asset is served by the app; no inline script or style attribute runs.
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(config: Mapping | None = None) -> Flask:
    """Defaults, then the environment ($SEARCH_INDEX_DIR, $SEARCH_CORPUS_DIR), then `config` (overrides).

    INDEX_DIR: the index to search. CORPUS_DIR: where the raw sources the index was
    built from live (the article page links to them). EXPORT_LIMIT: the most hits
    one CSV/JSON export holds. COPY_THRESHOLD: the copy threshold POST /api/add
    indexes with (default: $SEARCH_COPY_THRESHOLD, else 0.5). RESULT_CACHE_SIZE: answers
    kept for repeated requests on the same index state (default: $SEARCH_RESULT_CACHE,
    else 512; 0 turns the cache off).
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # the API document keeps the order search-cli --json prints
    app.config.from_mapping(
        INDEX_DIR=str(indexer_config.index_dir(environ=os.environ)),
        CORPUS_DIR=str(indexer_config.corpus_dir(environ=os.environ)),
        EXPORT_LIMIT=EXPORT_LIMIT,
        # Index changes over HTTP (POST /api/add) only with a token; none by default.
        ADMIN_TOKEN=os.environ.get("SEARCH_ADMIN_TOKEN") or None,
        RESULT_CACHE_SIZE=_int_env("SEARCH_RESULT_CACHE", RESULT_CACHE_SIZE),
    )
    if config:
        app.config.from_mapping(config)
    app.extensions["search"] = SearchService(app.config["INDEX_DIR"], cache_size=int(app.config["RESULT_CACHE_SIZE"]))

    from . import actors, admin, api, errors, feeds, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(actors.bp)
    errors.register(app)
    app.after_request(_security_headers)
    return app


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return max(0, int(value))
    except ValueError:
        raise SystemExit(f"${name} must be a whole number, got {value!r}") from None


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
