"""The domain error tree (each error carries its HTTP status) and the one error renderer.

Services raise these; only this module knows how they become HTTP responses. Every error body
has flask-smorest's shape: {"code": <HTTP status>, "status": <reason phrase>, "message": <what to
do>, "errors": {<field>: [<problem>, …]}} — `errors` only where input was wrong.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

log = logging.getLogger(__name__)


class RegistryError(Exception):
    """Base of every error a user can cause; the message says what to do next."""

    status = 400

    def __init__(self, message: str, *, errors: Any = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class BadRequest(RegistryError):
    """Malformed input (400)."""

    status = 400


class Unauthorized(RegistryError):
    """No token, or a token that is unknown or revoked (401)."""

    status = 401


class Forbidden(RegistryError):
    """Authenticated, but not allowed to do this (403)."""

    status = 403


class NotFound(RegistryError):
    """No such pack, version, file, submission or organisation (404)."""

    status = 404


class Conflict(RegistryError):
    """The version is already approved or pending, or the state does not allow this (409)."""

    status = 409


class Gone(RegistryError):
    """It existed, and the actor may know of it, but its content has been removed (410)."""

    status = 410


class TooLarge(RegistryError):
    """The upload is over a size limit (413)."""

    status = 413


class TooManyRequests(RegistryError):
    """Over a rate limit (429); `retry_after` says in how many seconds to try again."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, errors: Any = None):
        super().__init__(message, errors=errors)
        self.retry_after = retry_after


class Unprocessable(RegistryError):
    """The pack failed validation or has blocking findings (422)."""

    status = 422


class Unavailable(RegistryError):
    """Busy for now, e.g. another writer holds a lock (503); `retry_after` says when to retry."""

    status = 503

    def __init__(self, message: str, *, retry_after: int, errors: Any = None):
        super().__init__(message, errors=errors)
        self.retry_after = retry_after


def error_body(status: int, message: str, errors: Any = None) -> dict[str, Any]:
    """Build the JSON error body every endpoint answers with."""
    body: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


def error_json(status: int, message: str) -> bytes:
    """The JSON error body as bytes, for answers written outside Flask (the HTTP server's own)."""
    return json.dumps(error_body(status, message)).encode()


def register_error_handlers(app: Any) -> None:
    """Render domain errors, HTTP errors and anything unexpected as JSON error bodies."""
    from flask import jsonify
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(RegistryError)
    def _domain(exc: RegistryError):
        response = jsonify(error_body(exc.status, exc.message, exc.errors))
        if exc.status == 401:
            # RFC 9110: a 401 names the scheme that would be accepted.
            response.headers["WWW-Authenticate"] = 'Bearer realm="cmsreg"'
        if isinstance(exc, TooManyRequests | Unavailable):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, exc.status

    from registry.store import errors as store

    # The store speaks its own errors (it knows nothing of HTTP); each maps to one status here.
    for cls, status in (
        (store.NotFound, 404),
        (store.InvalidRef, 404),
        (store.Conflict, 409),
        (store.Busy, 503),
    ):
        app.register_error_handler(cls, _store_handler(status))
    from registry.search import IndexFormatError, LockTimeout

    # An index written by another version, or a writer that held the lock too long: the
    # operator's business, not the user's, and not a bug — 503 with what to do.
    app.register_error_handler(IndexFormatError, _store_handler(503))

    @app.errorhandler(LockTimeout)
    def _index_busy(exc: LockTimeout):
        response = jsonify(error_body(503, str(exc)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, 503

    app.register_error_handler(HTTPException, render_http_error)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # A bug, not bad input: log it fully, tell the user nothing internal.
        log.exception("unhandled error")
        return jsonify(
            error_body(500, "Something went wrong on the registry; it has been logged.")
        ), 500


def render_http_error(exc: Any):
    """Render an HTTP error (werkzeug's, or webargs' for bad arguments) as the JSON error body.

    The API (flask-smorest) hands its HTTP errors here too, so every body carries a message.
    """
    from flask import jsonify
    from werkzeug.exceptions import ClientDisconnected

    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") if isinstance(data, dict) else None
    message = _HTTP_MESSAGES.get(status) or exc.description or HTTPStatus(status).phrase
    if isinstance(exc, ClientDisconnected):
        message = BODY_CUT_SHORT
    if errors and status == 422:
        message = "Some fields are wrong; see `errors` for what to fix."
    response = jsonify(error_body(status, message, errors))
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response, status


def _store_handler(status: int):
    from flask import jsonify

    def handle(exc: Exception):
        response = jsonify(error_body(status, str(exc)))
        retry_after = getattr(exc, "retry_after", None)
        if status == 503 and retry_after:
            # RFC 9110: a 503 may say when to come back; a lock held by a busy writer clears soon.
            response.headers["Retry-After"] = str(retry_after)
        return response, status

    return handle


BODY_CUT_SHORT = (
    "The request body could not be read to its end: it stopped arriving, ended before its "
    "Content-Length, or its chunked encoding is broken. Send the whole request again."
)
_HTTP_MESSAGES = {
    400: "The request body could not be read: send a JSON object (Content-Type: application/json), or the pack as the multipart field `archive`.",
    404: "Nothing here: check the address against the API documentation at /api/docs.",
    405: "This address does not accept that method; see the Allow header.",
    413: "The request is too large: an upload may be at most the registry's archive limit.",
}
