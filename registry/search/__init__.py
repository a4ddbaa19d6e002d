"""Search: the Whoosh index of approved packs, queries, facets and suggestions (no Flask, no DB)."""

from registry.search.engine import WhooshEngine
from registry.search.interface import FACETS, SORTS, SearchDocument, SearchEngine
from registry.search.store import IndexFormatError, LockTimeout

__all__ = [
    "FACETS",
    "SORTS",
    "IndexFormatError",
    "LockTimeout",
    "SearchDocument",
    "SearchEngine",
    "WhooshEngine",
]
