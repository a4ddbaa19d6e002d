"""Error pages: outside /api/ an error is a page in the site's style; under /api/ it stays JSON.

The JSON handlers (registry/errors.py, flask-smorest's) stay in charge of every error: each is
wrapped, and for a page its answer gives the status (and, for the registry's own errors, the
message) that the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from registry.errors import RegistryError
from registry.security import is_api

TITLES = {
    400: "There is a problem with your request",
    401: "Sign in to continue",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    409: "Someone else got there first",
    413: "The file is too large",
    422: "There is a problem with your request",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is busy",
}
MESSAGES = {
    400: "The request could not be read. Go back and try again.",
    403: "Your account cannot see or do this. If you think it should, ask your organisation's admin.",
    404: "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.",
    405: "If you typed the web address, check it is correct.",
    413: "Upload a pack within the registry's size limit.",
    429: "You have tried too many times. Wait a minute, then try again.",
    500: "Try again later. The problem has been logged.",
    503: "Try again in a minute.",
}
CSRF_MESSAGE = (
    "The form had expired, or it was not sent from this site. "
    "Go back, reload the page and send the form again."
)


def install(app: Flask) -> None:
    """Wrap every error handler registered so far: pages get HTML, the API keeps JSON."""
    for handlers in app.error_handler_spec[None].values():
        for cls, handler in list(handlers.items()):
            handlers[cls] = _pages_outside_api(handler)


def _pages_outside_api(handler: Callable[[Exception], Any]) -> Callable[[Exception], Any]:
    def handle(exc: Exception):
        answer = handler(exc)  # logs what must be logged, and decides the status
        if is_api(request.path):
            return answer
        response, status = answer if isinstance(answer, tuple) else (answer, answer.status_code)
        return error_page(exc, status, response)

    return handle


def error_page(exc: Exception, status: int, json_response: Any = None):
    """The error page for exc, with its status and the headers the JSON answer carried."""
    if isinstance(exc, CSRFError):
        message = CSRF_MESSAGE
    elif isinstance(exc, RegistryError):
        message = exc.message
    else:
        message = MESSAGES.get(status) or _json_message(json_response)
    page = render_template(
        "error.html", status=status, title=TITLES.get(status, TITLES[400]), message=message
    )
    headers = {}
    if json_response is not None:
        for name in ("Retry-After", "Allow"):
            if name in json_response.headers:
                headers[name] = json_response.headers[name]
    return page, status, headers


def _json_message(response: Any) -> str:
    try:
        return json.loads(response.get_data())["message"]
    except (AttributeError, ValueError, KeyError, TypeError):
        return TITLES[400]
