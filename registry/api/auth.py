"""Who is asking: the Authorization header turned into an Actor, for views that need one."""

from __future__ import annotations

from flask import current_app, request

from registry.errors import Unauthorized
from registry.services import accounts
from registry.services.accounts import Actor
from registry.services.context import Registry


def registry() -> Registry:
    """The registry of the running app."""
    return current_app.extensions["cmsreg"]


def actor(required: bool = True) -> Actor | None:
    """The request's actor; 401 when a token is required and missing or bad."""
    header = request.headers.get("Authorization")
    with registry().db.session() as session:
        found = accounts.authenticate(session, header)
    if found is None and required:
        raise Unauthorized(
            "This needs an API token: send `Authorization: Bearer cmsreg_…` (an admin creates one with `cmsreg-server create-token`)."
        )
    return found
