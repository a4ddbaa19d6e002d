"""cmsreg: the registry of social care case management configuration packs."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing registry.packs (as the offline CLI does) must not import Flask
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory: settings from the instance file, CMSREG_* env and config (which wins)."""
    from flask import Flask

    from registry.api import register_api
    from registry.api.downloads import FastDownloads
    from registry.errors import register_error_handlers
    from registry.search.whoosh_internals import check_whoosh
    from registry.security import add_security_headers
    from registry.services.context import Registry
    from registry.web import register_web

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
    # Cached archives are sent before Flask sees the request (registry/api/downloads.py); inside
    # ProxyFix, so that a download is counted for the client nginx names.
    app.wsgi_app = FastDownloads(app.wsgi_app, registry)
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

        add_security_headers(response.headers, request.path, request.is_secure)
        return response

    return app
