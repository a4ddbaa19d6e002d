"""Finding packs: search with facets and did-you-mean, and typeahead, over the search engine."""

from __future__ import annotations

from typing import Any

from registry.search import FACETS, SORTS
from registry.search.interface import MAX_PER_PAGE
from registry.services import searchsync
from registry.services.context import Registry

__all__ = ["FACETS", "MAX_PER_PAGE", "SORTS", "search", "search_json", "suggest"]


def search(
    reg: Registry,
    q: str,
    filters: dict[str, list[str]],
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> dict[str, Any]:
    """Results, facet counts for every filter, and a suggestion for a misspelt word."""
    wanted = {f: values for f, values in filters.items() if f in FACETS and values}
    searchsync.catch_up(reg)
    return reg.search.search(q, wanted, sort, page, per_page)


def search_json(
    reg: Registry,
    q: str,
    filters: dict[str, list[str]],
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> str:
    """The same answer as search(), as JSON text, for the API to send as it is."""
    wanted = {f: values for f, values in filters.items() if f in FACETS and values}
    searchsync.catch_up(reg)
    return reg.search.search_json(q, wanted, sort, page, per_page)


def suggest(reg: Registry, q: str, limit: int = 10) -> list[dict[str, str]]:
    """Packs whose names or titles start with what was typed."""
    searchsync.catch_up(reg)
    return reg.search.suggest(q, limit)
