"""Who is asking: the Authorization header turned into an Actor, for views that need one."""

from __future__ import annotations

from flask import current_app, g, request

from registry.errors import Unauthorized
from registry.services import accounts
from registry.services.accounts import Actor
from registry.services.context import Registry


def registry() -> Registry:
    """The registry of the running app."""
    return current_app.extensions["cmsreg"]


def actor(required: bool = True) -> Actor | None:
    """The request's actor; 401 when a token is required and missing or bad."""
    if "cmsreg_actor" not in g:  # looked up once per request
        header = request.headers.get("Authorization")
        g.cmsreg_actor = accounts.authenticate(registry(), header)
    found = g.cmsreg_actor
    if found is None and required:
        raise Unauthorized(
            "This needs an API token: send `Authorization: Bearer cmsreg_…` (an admin creates one with `cmsreg-server create-token`)."
        )
    return found


def require_token_to_write() -> None:
    """Before a blueprint's POST views: 401 before the body is read, let alone validated."""
    if request.method == "POST":
        actor()
