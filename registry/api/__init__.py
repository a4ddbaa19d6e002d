"""The HTTP API under /api/v1 (flask-smorest): thin views over the services."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api

from registry.api import meta, packs, search, submissions
from registry.errors import render_http_error


class RegistryApi(Api):
    """flask-smorest's Api, rendering its HTTP errors with the registry's one renderer."""

    def handle_http_exception(self, error):
        return render_http_error(error)


def register_api(app: Flask) -> None:
    """Attach the API, its OpenAPI document at /api/v1/openapi.json and conditional GETs."""
    app.config.update(
        API_TITLE="cmsreg",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = RegistryApi(
        app,
        spec_kwargs={
            "info": {
                "description": "The registry of social care case management configuration packs."
            }
        },
    )
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "cmsreg_… API token"}
    )
    for blueprint in (packs.blp, submissions.blp, search.blp, meta.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(meta.health)
    app.extensions["cmsreg_api"] = api

    @app.after_request
    def _conditional(response):
        # Every JSON read gets an ETag; a matching If-None-Match answers 304 with no body.
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not response.direct_passthrough
        ):
            response.add_etag()
            response.make_conditional(request)
        return response
