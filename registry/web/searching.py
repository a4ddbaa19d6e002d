"""The search page's state, all of it in the URL: query, filters, sort, page, expanded facets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from registry.services.discovery import FACETS, SORTS

PER_PAGE = 20
MAX_QUERY = 500
MAX_VALUES = 20  # per filter, as the API allows
MAX_PAGE = 10_000
FACET_ORDER = (
    "supplier",
    "product",
    "practice_model",
    "service_area",
    "organisation_structure",
    "kind",
    "statutory_return",
    "publisher",
    "licence",
)
SHOWN_VALUES = 8  # values of a facet listed before "Show all"
SORT_LABELS = {
    "relevance": "Best match",
    "updated": "Recently updated",
    "downloads": "Most downloaded",
    "name": "Name",
}
assert set(FACET_ORDER) == set(FACETS) and set(SORT_LABELS) == set(SORTS)


@dataclass
class SearchState:
    """What the person asked for; parsed leniently, since people edit URLs by hand."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    expanded: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, args: MultiDict) -> SearchState:
        """Read the state from a query string; anything unusable falls back to its default."""
        filters = {}
        for facet in FACETS:
            values = [v[:100] for v in args.getlist(facet) if v.strip()][:MAX_VALUES]
            if values:
                filters[facet] = list(dict.fromkeys(values))
        sort = args.get("sort", "relevance")
        try:
            page = min(max(int(args.get("page", "1")), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(
            q=args.get("q", "").strip()[:MAX_QUERY],
            filters=filters,
            sort=sort if sort in SORTS else "relevance",
            page=page,
            expanded=frozenset(f for f in args.getlist("all") if f in FACETS),
        )

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query string's pairs for this state with changes, defaults left out."""
        state = {
            "q": self.q,
            "filters": self.filters,
            "sort": self.sort,
            "page": self.page,
            "expanded": self.expanded,
        } | changes
        pairs: list[tuple[str, str]] = []
        if state["q"]:
            pairs.append(("q", state["q"]))
        for facet in FACET_ORDER:
            pairs += [(facet, v) for v in state["filters"].get(facet, [])]
        if state["sort"] != "relevance":
            pairs.append(("sort", state["sort"]))
        if state["page"] != 1:
            pairs.append(("page", str(state["page"])))
        pairs += [("all", f) for f in FACET_ORDER if f in state["expanded"]]
        return pairs

    def url(self, **changes: Any) -> str:
        """The search page's address for this state with changes."""
        pairs = self.params(**changes)
        return "/search" + ("?" + urlencode(pairs) if pairs else "")

    def without(self, facet: str, value: str) -> str:
        """The address with one filter value removed (and back to page 1)."""
        filters = {f: [v for v in vs if (f, v) != (facet, value)] for f, vs in self.filters.items()}
        return self.url(filters={f: vs for f, vs in filters.items() if vs}, page=1)

    def expand(self, facet: str) -> str:
        """The address with every value of one facet listed."""
        return self.url(expanded=self.expanded | {facet})


def facet_groups(
    state: SearchState, counts: dict[str, dict[str, int]], label
) -> list[dict[str, Any]]:
    """Each facet's checkboxes: chosen values first, then by count; long lists cut short."""
    groups = []
    for facet in FACET_ORDER:
        chosen = state.filters.get(facet, [])
        found = counts.get(facet, {})
        values = list(
            dict.fromkeys(chosen + sorted(found, key=lambda v: (-found[v], label(v, facet))))
        )
        if not values:
            continue
        cut = facet not in state.expanded and len(values) > SHOWN_VALUES + 1
        shown = values[: max(SHOWN_VALUES, len(chosen))] if cut else values
        groups.append(
            {
                "facet": facet,
                "items": [
                    {
                        "value": v,
                        "text": f"{label(v, facet)} ({found.get(v, 0)})",
                        "checked": v in chosen,
                    }
                    for v in shown
                ],
                "more": len(values) - len(shown),
                "more_url": state.expand(facet) if cut else None,
            }
        )
    return groups


def pagination(state: SearchState, total: int) -> dict[str, Any] | None:
    """govukPagination's parameters for the result pages, or None for a single page."""
    pages = min(math.ceil(total / PER_PAGE), MAX_PAGE)
    if pages <= 1:
        return None
    current = min(state.page, pages)
    numbers = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    items: list[dict[str, Any]] = []
    last = 0
    for n in numbers:
        if n - last > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": state.url(page=n), "current": n == current})
        last = n
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Result pages"}
    if current > 1:
        params["previous"] = {"href": state.url(page=current - 1)}
    if current < pages:
        params["next"] = {"href": state.url(page=current + 1)}
    return params
