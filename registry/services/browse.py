"""What the web pages show that no single catalogue call gives: the home page, a pack's page,
publishers' names for search facets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from registry.db.models import Organisation
from registry.services import catalogue, discovery
from registry.services.context import Registry

README = "README.md"


def organisation_names(reg: Registry) -> dict[str, str]:
    """Every organisation's name by slug (one query: search facets name publishers by slug)."""
    with reg.db.session() as session:
        return {
            slug: name
            for slug, name in session.execute(select(Organisation.slug, Organisation.name))
        }


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
