"""The web pages: server-rendered GOV.UK Frontend pages beside the API, thin views over the
same services. Every page works without JavaScript."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from registry.web import assets, errors, filters
from registry.web.auth import init_login, signed_in
from registry.web.formerrors import choice_items, first_error

bp = Blueprint("web", __name__, template_folder="templates")
csrf = CSRFProtect()
FRONTEND = (
    Path(__file__).resolve().parents[2] / "node_modules" / "govuk-frontend" / "dist" / "govuk"
)
ASSET_CACHE = "public, max-age=31536000, immutable"


@bp.before_request
def _csrf() -> None:
    # Every form of the pages is a POST and carries the token; the API (bearer tokens, no
    # cookies) is outside this blueprint.
    if request.method == "POST":
        csrf.protect()


@bp.after_request
def _private(response: Response) -> Response:
    # A signed-in user's pages (tokens, submissions) must not be kept by shared caches.
    if signed_in() is not None or request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/assets/<path:name>")
def asset(name: str):
    """A fingerprinted static asset, cacheable for a year."""
    found = assets.load(FRONTEND).files.get(name)
    if found is None:
        abort(404)
    data, kind = found
    response = Response(data, mimetype=kind)
    response.headers["Cache-Control"] = ASSET_CACHE
    return response


def register_web(app: Flask) -> None:
    """Attach the pages, their sessions, CSRF, sign-in rate limit and error pages to app."""
    settings = app.extensions["cmsreg"].settings
    app.jinja_loader = ChoiceLoader(
        [PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the pages' blueprint only (see _csrf)
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session: a long review must not lose its form
    )
    csrf.init_app(app)
    init_login(app)
    filters.register(app)
    app.jinja_env.globals.update(
        asset=assets.load(FRONTEND).url, first_error=first_error, choice_items=choice_items
    )
    from registry.web import views_account, views_public, views_review, views_submit  # noqa: F401

    app.register_blueprint(bp)
    # One limiter per app, so each app (and each test's) counts alone; the sign-in form's
    # limit is counted per client address in CMSREG_RATE_LIMIT_STORAGE (memory by default).
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings["RATE_LIMIT_STORAGE"],
        enabled=settings["RATE_LIMITS"],
        headers_enabled=True,
    )
    limit = limiter.limit(lambda: settings["SIGN_IN_LIMIT"], methods=["POST"])
    app.view_functions["web.sign_in"] = limit(app.view_functions["web.sign_in"])
    app.extensions["cmsreg_limiter"] = limiter
    errors.install(app)
