"""cmsreg: the registry of social care case management configuration packs."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing registry.packs (as the offline CLI does) must not import Flask
    from flask import Flask

# The pages load scripts, styles, images and fonts from this origin only, and no inline script
# or style at all; no page may be framed. The API's one HTML page (/api/docs) has inline styles.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory: settings from the instance file, CMSREG_* env and config (which wins)."""
    from flask import Flask

    from registry.api import register_api
    from registry.errors import register_error_handlers
    from registry.search.whoosh_internals import check_whoosh
    from registry.services.context import Registry
    from registry.web import register_web
    from registry.web.errors import is_api

    # Search relies on one Whoosh release's internals: another fails here, saying what to install.
    check_whoosh()
    app = Flask(__name__)
    registry = Registry.from_settings(config)
    settings = registry.settings
    logging.basicConfig(level=settings["LOG_LEVEL"])
    app.config.update(
        SECRET_KEY=settings["SECRET_KEY"] or secrets.token_hex(32),
        # The upload limit plus room for the multipart envelope; werkzeug answers 413 beyond it.
        MAX_CONTENT_LENGTH=registry.limits.max_archive_bytes + 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    app.extensions["cmsreg"] = registry
    if settings["TRUSTED_PROXIES"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx every request comes from 127.0.0.1: the client is what nginx says it is
        # (download counts and rate limits are per client), and only that many hops are believed.
        hops = settings["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_error_handlers(app)
    register_api(app)
    register_web(app)

    @app.after_request
    def _security_headers(response):
        from flask import request

        headers = response.headers
        # Browsers must not guess another type (HTML) from a JSON or text body.
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"  # a search never leaks to a README's link
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if "Content-Security-Policy" not in headers:  # pack files carry their own sandbox
            headers["Content-Security-Policy"] = API_CSP if is_api(request.path) else PAGE_CSP
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    return app
