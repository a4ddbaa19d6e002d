"""What the service layer sees of search: the document it indexes and the engine it calls."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict


class SearchDocument(TypedDict):
    """One pack's latest approved, non-yanked version, as the index receives it."""

    publisher: str
    name: str
    version: str
    title: str
    summary: str
    keywords: list[str]
    readme: str
    file_names: list[str]
    text: str  # text of the text artefacts, concatenated; indexed up to a limit (see schema)
    supplier: str
    products: list[str]
    service_areas: list[str]
    practice_models: list[str]
    organisation_structures: list[str]
    kinds: list[str]
    statutory_returns: NotRequired[list[str]]  # slugs of the statutory_return vocabulary
    return_years: NotRequired[list[str]]  # the collection years they are right for, e.g. 2026-27
    licence: str
    updated_at: datetime
    downloads: int


# Filter names of SPEC §6, in the order facets are reported.
FACETS = (
    "supplier",
    "product",
    "service_area",
    "practice_model",
    "organisation_structure",
    "kind",
    "statutory_return",
    "publisher",
    "licence",
)

# The SearchDocument key each filter reads.
FACET_SOURCES = {
    "supplier": "supplier",
    "product": "products",
    "service_area": "service_areas",
    "practice_model": "practice_models",
    "organisation_structure": "organisation_structures",
    "kind": "kinds",
    "statutory_return": "statutory_returns",
    "publisher": "publisher",
    "licence": "licence",
}

SORTS = ("relevance", "updated", "downloads", "name")
MAX_PER_PAGE = 100


class SearchEngine(Protocol):
    """The search index behind GET /search, `reindex` and `check`."""

    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add documents, replacing any with the same (publisher, name)."""

    def remove(self, publisher: str, name: str) -> None:
        """Remove a pack; removing an absent pack is not an error."""

    def search(
        self,
        q: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> dict[str, Any]:
        """Answer a search with the body of SPEC §6."""

    def search_json(
        self,
        q: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> str:
        """Answer a search as search() does, as JSON text."""

    def suggest(self, q: str, limit: int = 10) -> list[dict[str, str]]:
        """Return typeahead matches on names and titles: [{publisher, name, title}]."""

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        """Build a new index from docs and swap it in atomically."""

    def count(self) -> int:
        """Return the number of packs in the index."""

    def keys(self) -> set[tuple[str, str, str]]:
        """Return (publisher, name, version) of every pack in the index."""

    def close(self) -> None:
        """Release files and caches."""
