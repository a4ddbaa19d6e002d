"""What the web pages show that no single catalogue call gives: the home page, a pack's page,
publishers' names for search facets."""

from __future__ import annotations

import threading
from typing import Any

from cachetools import TTLCache
from sqlalchemy import select

from registry.db.models import Organisation
from registry.services import catalogue, discovery
from registry.services.context import Registry

README = "README.md"


NAMES_TTL = 30  # seconds a worker keeps organisation names; a new one shows its slug meanwhile
_names_lock = threading.Lock()


def organisation_names(reg: Registry) -> dict[str, str]:
    """Every organisation's name by slug, for the search facets (read at most every 30 s).

    Every search page names publishers; the query cost a third of the page's own time, and
    organisations are created by an operator, rarely.
    """
    with _names_lock:
        cache = reg.caches.setdefault("organisation_names", TTLCache(maxsize=1, ttl=NAMES_TTL))
        names = cache.get("all")
    if names is None:
        with reg.db.session() as session:
            names = {
                slug: name
                for slug, name in session.execute(select(Organisation.slug, Organisation.name))
            }
        with _names_lock:
            cache["all"] = names
    return names


def home(reg: Registry, recent: int = 6) -> dict[str, Any]:
    """Counts of packs by every facet, and the most recently approved packs."""
    found = discovery.search(reg, "", {}, sort="updated", per_page=recent)
    return {"total": found["total"], "facets": found["facets"], "recent": found["results"]}


def pack_page(
    reg: Registry, publisher: str, name: str, version: str | None = None
) -> dict[str, Any]:
    """A pack as its page shows it: the pack, one version (the latest by default) with its
    files and checksums, its README's text, and the publisher's name."""
    with reg.db.session() as session:
        detail = catalogue._pack_detail(session, publisher, name)  # in this one transaction
        org_name = session.scalar(select(Organisation.name).where(Organisation.slug == publisher))
    shown = version or detail["latest"] or detail["versions"][0]["version"]
    exact = catalogue.version_detail(reg, publisher, name, shown)
    readme = None
    if any(f["path"] == README for f in exact["files"]):
        data = catalogue.read_file(reg, publisher, name, exact["version"], README).data
        readme = data.decode("utf-8", "replace")
    return detail | {"publisher_name": org_name, "shown": exact, "readme": readme}
