"""User errors become HTTP 4xx here, at the edge, as a page or as JSON.

The service raises one exception type per kind of user error (indexer.errors);
the web adds the one it needs, NotFoundError. Each maps to one status code:
a bad query or parameter is 400, an unknown article 404, a missing index 503.
API and export routes answer {"error": message}; pages render error.html.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexLockedError, IndexMissingError, UserError

JSON_PREFIXES = ("/api/", "/export", "/healthz")


class NotFoundError(UserError):
    """An article id (or its raw source) that is not in the archive."""


class AdminDisabled(UserError):
    """Index changes over HTTP are switched off."""


class NotAuthorised(UserError):
    """No admin token, or the wrong one."""


class NotJson(UserError):
    """A request body that should be JSON is not."""


def status_of(exc: UserError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AdminDisabled):
        return 403
    if isinstance(exc, NotAuthorised):
        return 401
    if isinstance(exc, NotJson):
        return 415
    if isinstance(exc, (IndexMissingError, IndexLockedError)):
        return 503
    return 400


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


TITLES = {400: "That search could not be run", 401: "Not authorised", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 415: "Unsupported request",
          503: "The archive is not available"}


def error_response(message: str, status: int):
    if wants_json():
        return jsonify(error=message), status
    hidden = [(k, v) for k, v in request.args.items(multi=True) if k not in ("q", "page")]
    return render_template("error.html", status=status, title=TITLES.get(status, "Error"), message=message,
                           query=request.args.get("q", ""), hidden=hidden), status


def register(app: Flask) -> None:
    @app.errorhandler(UserError)
    def user_error(exc: UserError):
        return error_response(str(exc), status_of(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return error_response(f"There is no page at {request.path}.", 404)
        if exc.code and 400 <= exc.code < 500:
            body, status = error_response(exc.description or exc.name, exc.code)
            # Keep what the exception says besides its page: a 405 must name the allowed methods (Allow).
            return body, status, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return exc
