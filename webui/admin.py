"""Changing the index over HTTP: off by default.

`POST /api/add` fetches a page by URL into the corpus and updates the index. It
exists only when the app has an ADMIN_TOKEN ($SEARCH_ADMIN_TOKEN), and it needs
`Authorization: Bearer <token>` and a JSON body. That makes it safe from
cross-site request forgery: a browser never attaches an Authorization header on
its own, and another site cannot send JSON here without a CORS preflight, which
this app never answers. Only URLs are accepted, never paths: no request value
names a file on this machine.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from indexer import config as indexer_config
from indexer import fetch, sync
from indexer.copies import CopySettings
from indexer.errors import UserError
from indexer.pipeline import PipelineOptions

from .errors import AdminDisabled, NotAuthorised, NotJson

bp = Blueprint("admin", __name__)


def _check_request() -> dict:
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        raise AdminDisabled("changing the index over HTTP is disabled; start search-web with SEARCH_ADMIN_TOKEN set to enable it")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(given[7:].encode(), token.encode()):
        raise NotAuthorised("a valid 'Authorization: Bearer <token>' header is required")
    if not request.is_json:
        raise NotJson("send the request as JSON: Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise UserError("the body must be a JSON object such as {\"url\": \"https://...\"}")
    return body


@bp.post("/api/add")
def add():
    body = _check_request()
    url = body.get("url")
    if not isinstance(url, str) or not fetch.is_url(url):
        raise UserError("'url' must be an http or https URL")
    corpus, root = Path(current_app.config["CORPUS_DIR"]), Path(current_app.config["INDEX_DIR"])
    stored = fetch.fetch_url(url, corpus)
    options = PipelineOptions(copies=CopySettings(threshold=indexer_config.copy_threshold(current_app.config.get("COPY_THRESHOLD"))))
    report = sync.update(corpus, root, options, lock_wait=current_app.config.get("ADMIN_LOCK_WAIT", 10.0),
                         paths=[stored])
    return jsonify(stored=stored.name, added=report.added, updated=report.updated, removed=report.removed,
                   skipped=[{"path": p, "reason": r} for p, r in report.skipped])
