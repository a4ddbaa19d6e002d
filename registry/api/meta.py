"""Publishers, vocabularies, health, and the human-readable API docs page."""

from __future__ import annotations

import html

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from registry.api.auth import actor, registry
from registry.api.schemas import OrgOut, WhoamiOut
from registry.services import catalogue, maintenance

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Publishers and vocabularies.")
health = Blueprint("health", __name__)


@blp.route("/publishers")
class PublishersView(MethodView):
    @blp.response(200, OrgOut(many=True))
    def get(self):
        """Every publishing organisation, with its number of packs."""
        return catalogue.publishers(registry())


@blp.route("/publishers/<slug>")
class PublisherView(MethodView):
    @blp.response(200, OrgOut)
    def get(self, slug: str):
        """One organisation and its packs."""
        return catalogue.publisher_detail(registry(), slug)


@blp.route("/vocabulary")
class VocabularyView(MethodView):
    @blp.response(200)
    def get(self):
        """Every controlled vocabulary: slug, display name, description, aliases."""
        return catalogue.vocabulary()


@blp.route("/whoami")
class WhoamiView(MethodView):
    @blp.response(200, WhoamiOut)
    def get(self):
        """Who the token belongs to and what it may do (401 without a good token)."""
        who = actor()
        return {
            "username": who.username,
            "scopes": sorted(who.scopes),
            "organisations": sorted(who.organisations),
            "suppliers": sorted(who.suppliers),
            "admin": who.is_admin,
        }


@health.route("/healthz")
def healthz():
    """Report database, store and index; 503 when one is not usable."""
    ok, checks = maintenance.health(registry())
    return {"status": "ok" if ok else "error", **checks}, 200 if ok else 503


@health.route("/api/docs")
def api_docs():
    """A plain page listing every endpoint from the OpenAPI document (works offline, no scripts)."""
    spec = current_app.extensions["cmsreg_api"].spec.to_dict()
    rows = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(op.get('summary', ''))} {html.escape(op.get('description', ''))}</td></tr>"
            )
    page = (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>cmsreg API</title>"
        "<style>body{font-family:sans-serif;max-width:70rem;margin:2rem auto}td{padding:.3rem;vertical-align:top;border-bottom:1px solid #ddd}</style>"
        "<h1>cmsreg API v1</h1><p>Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>. "
        "Errors are JSON with <code>code</code>, <code>status</code>, <code>message</code> and, for bad input, <code>errors</code>.</p>"
        f"<table>{''.join(rows)}</table></html>"
    )
    return Response(page, mimetype="text/html")
