"""Pages for everyone: home, search, a pack, its files, a comparison of versions, publishers."""

from __future__ import annotations

import json
import threading

from cachetools import TTLCache
from flask import abort, render_template, request, session
from flask_login import current_user

from registry.services import browse, catalogue, discovery
from registry.services.review_files import readable
from registry.web import bp
from registry.web.auth import registry
from registry.web.filters import label
from registry.web.markdown import render
from registry.web.searching import (
    PER_PAGE,
    SORT_LABELS,
    SearchState,
    facet_groups,
    pagination,
)

HOME_FACETS = ("supplier", "product", "practice_model")
PAGE_TTL = browse.NAMES_TTL  # a cached search page is no older than the names it shows
_pages_lock = threading.Lock()


@bp.route("/")
def home():
    """Search box, counts by supplier, product and practice model, recently approved packs."""
    found = browse.home(registry())
    counts = {
        facet: sorted(found["facets"].get(facet, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        for facet in HOME_FACETS
    }
    return render_template("home.html", found=found, counts=counts, facets=HOME_FACETS)


@bp.route("/search")
def search():
    """Results with highlights, filters with counts, sort, pages and did-you-mean."""
    state = SearchState.parse(request.args)
    reg = registry()
    text = discovery.search_json(reg, state.q, state.filters, state.sort, state.page, PER_PAGE)
    # Anyone not signed in (and with no message waiting) gets the same page for the same answer:
    # rendering it again cost twice the search itself. The key holds the engine's answer, so a
    # new index generation with other results makes another page; names may lag NAMES_TTL.
    shared = not current_user.is_authenticated and not session.get("_flashes")
    key = (text, request.query_string)
    with _pages_lock:
        pages = reg.caches.setdefault("search_pages", TTLCache(maxsize=256, ttl=PAGE_TTL))
        page = pages.get(key) if shared else None
    if page is None:
        page = _search_page(reg, state, json.loads(text))
        if shared:
            with _pages_lock:
                pages[key] = page
    return page


def _search_page(reg, state: SearchState, found: dict) -> str:
    names = browse.organisation_names(reg) if found["total"] or state.filters else {}

    def name(value: str, facet: str) -> str:
        return names.get(value, value) if facet == "publisher" else label(value, facet)

    chosen = [
        {"facet": f, "text": name(v, f), "href": state.without(f, v)}
        for f, values in state.filters.items()
        for v in values
    ]
    return render_template(
        "search.html",
        state=state,
        found=found,
        groups=facet_groups(state, found["facets"], name),
        chosen=chosen,
        pages=pagination(state, found["total"]),
        sorts=SORT_LABELS,
        publisher_names=names,
        first=(state.page - 1) * PER_PAGE + 1,
    )


@bp.route("/packs/<publisher>/<name>")
@bp.route("/packs/<publisher>/<name>/versions/<version>")
def pack(publisher: str, name: str, version: str | None = None):
    """A pack: title, summary, tags, README, versions, files, downloads and dependencies."""
    page = browse.pack_page(registry(), publisher, name, version)
    readme = render(page["readme"]) if page["readme"] is not None else None
    return render_template("pack.html", page=page, v=page["shown"], readme=readme)


@bp.route("/packs/<publisher>/<name>/versions/<version>/files/<path:path>", merge_slashes=False)
def pack_file(publisher: str, name: str, version: str, path: str):
    """One file of a version: text with line numbers, Word and Excel as text, else a download."""
    found = catalogue.read_file(registry(), publisher, name, version, path)
    line = request.args.get("line", type=int)
    return render_template(
        "file.html",
        shown=readable(path, found.data),
        path=path,
        line=line,
        raw=f"/api/v1/packs/{publisher}/{name}/versions/{version}/files/{path}",
        back=(f"/packs/{publisher}/{name}/versions/{version}", f"{name} {version}"),
        crumbs=[
            {"text": "Search", "href": "/search"},
            {"text": publisher, "href": f"/publishers/{publisher}"},
            {"text": name, "href": f"/packs/{publisher}/{name}/versions/{version}"},
        ],
    )


@bp.route("/packs/<publisher>/<name>/compare")
def compare(publisher: str, name: str):
    """Choose two versions; then their differences, file by file, as unified diffs."""
    reg = registry()
    page = catalogue.pack_detail(reg, publisher, name)
    versions = [v["version"] for v in page["versions"]]
    old, new = request.args.get("from"), request.args.get("to")
    diff = None
    if old and new:
        if old not in versions or new not in versions:
            abort(404)
        diff = catalogue.diff(reg, publisher, name, old, new)
    elif len(versions) > 1:
        old, new = versions[1], versions[0]
    return render_template(
        "compare.html", page=page, versions=versions, old=old, new=new, diff=diff
    )


@bp.route("/publishers")
def publishers():
    """Every publishing organisation, with how many packs it publishes."""
    return render_template("publishers.html", orgs=catalogue.publishers(registry()))


@bp.route("/publishers/<slug>")
def publisher(slug: str):
    """An organisation: its type, GSS code, DfE number and packs."""
    return render_template("publisher.html", org=catalogue.publisher_detail(registry(), slug))
