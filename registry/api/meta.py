"""Publishers, vocabularies, health, and the human-readable API docs page."""

from __future__ import annotations

import html

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from registry.api.auth import registry
from registry.api.schemas import OrgOut
from registry.packs.vocabulary import vocabulary_as_dict
from registry.services import catalogue

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Publishers and vocabularies.")
health = Blueprint("health", __name__)


@blp.route("/publishers")
class PublishersView(MethodView):
    @blp.response(200, OrgOut(many=True))
    def get(self):
        """Every publishing organisation, with its number of packs."""
        with registry().db.session() as session:
            return catalogue.publishers(session)


@blp.route("/publishers/<slug>")
class PublisherView(MethodView):
    @blp.response(200, OrgOut)
    def get(self, slug: str):
        """One organisation and its packs."""
        with registry().db.session() as session:
            return catalogue.publisher_detail(session, slug)


@blp.route("/vocabulary")
class VocabularyView(MethodView):
    @blp.response(200)
    def get(self):
        """Every controlled vocabulary: slug, display name, description, aliases."""
        return vocabulary_as_dict()


@health.route("/healthz")
def healthz():
    """Report database, store and index; 503 when one is not usable."""
    reg = registry()
    checks = {}
    try:
        with reg.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    checks["store"] = (
        "ok" if reg.store.is_ready() else "error: not initialised (run cmsreg-server init)"
    )
    try:
        checks["index"] = f"ok ({reg.search.count()} packs)"
    except Exception as exc:
        checks["index"] = f"error: {type(exc).__name__}; rebuild it with `cmsreg-server reindex`"
    ok = all(v.startswith("ok") for v in checks.values())
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
