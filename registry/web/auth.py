"""Who is signed in: Flask-Login sessions over the accounts service, and the views' helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user

from registry.services import accounts
from registry.services.accounts import Actor, SessionUser
from registry.services.context import Registry


class WebUser(UserMixin):
    """The signed-in user as Flask-Login sees them; `account` is what the services know."""

    def __init__(self, account: SessionUser) -> None:
        self.account = account

    def get_id(self) -> str:
        """The user and the session epoch: a session made before "sign out everywhere" fails."""
        return self.account.session_id


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over TLS.

    Behind a proxy that terminates TLS, the request counts as secure when gunicorn trusts the
    proxy's X-Forwarded-Proto (FORWARDED_ALLOW_IPS).
    """

    def get_cookie_secure(self, app: Any) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def registry() -> Registry:
    """The registry of the running app."""
    return current_app.extensions["cmsreg"]


def init_login(app: Any) -> LoginManager:
    """Sessions: HttpOnly, SameSite=Lax, Secure over TLS; a user is looked up on each request."""
    app.session_interface = SessionCookies()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="cmsreg_session",
    )
    manager = LoginManager(app)
    manager.login_view = "web.sign_in"
    manager.login_message = "Sign in to see that page."
    manager.login_message_category = "info"

    @manager.user_loader
    def _load(session_id: str) -> WebUser | None:
        found = accounts.session_user(registry(), session_id)
        return WebUser(found) if found is not None else None

    return manager


def signed_in() -> SessionUser | None:
    """The signed-in user's account, or None."""
    return current_user.account if current_user.is_authenticated else None


def account() -> SessionUser:
    """The signed-in user's account (views behind login_required)."""
    found = signed_in()
    if found is None:  # login_required ran first; this only guards against misuse
        abort(401)
    return found


def actor(**narrow: bool) -> Actor:
    """The signed-in user as the services' actor (see SessionUser.actor)."""
    return account().actor(**narrow)


def role_required(test: Callable[[SessionUser], bool]) -> Callable:
    """A view decorator: sign in first, then 403 unless test(account) holds."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            found = signed_in()
            if found is None:
                return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
            if not test(found):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


login_required = role_required(lambda _: True)
publisher_required = role_required(lambda a: bool(a.organisations))
moderator_required = role_required(lambda a: bool(a.suppliers))
