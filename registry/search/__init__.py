"""Search: the Whoosh index of approved packs, queries, facets and suggestions (no Flask, no DB).

The service layer uses one WhooshEngine per process, on <instance>/index:

    engine.index([doc])        after a version is approved, once the database transaction
                               committed; replaces the pack's entry. Download counts are best
                               sent in periodic batches: every write starts a new generation,
                               and every process then drops its caches
    engine.remove(pub, name)   after the last approved version is yanked
    engine.rebuild(all_docs)   `reindex` and `check --repair`: builds beside, swaps atomically
    engine.search(q, filters, sort, page, per_page) -> the body of GET /search (SPEC §6)
    engine.suggest(q, limit)   typeahead
    engine.keys(), count()     for `check`, to compare with the database

Across processes: writers serialise on a file lock (LockTimeout after `lock_timeout`), and
every search checks, for the price of a readlink and a directory listing, whether the index
changed and reopens it if so. Everything cached (facet values per pack, sort keys, per-term
scores, answers) belongs to one index generation and is dropped with it. Within a process,
searches on one engine are serialised.

Behaviour worth knowing: an empty query lists what the filters admit, newest first; queries
are built from words, never parsed, so no input fails; highlights are HTML (escaped text with
<mark>), every other result field is plain text for the caller to escape.
"""

from registry.search.engine import WhooshEngine
from registry.search.interface import FACETS, SORTS, SearchDocument, SearchEngine
from registry.search.parallel import RebuildError
from registry.search.store import IndexFormatError, LockTimeout

__all__ = [
    "FACETS",
    "SORTS",
    "IndexFormatError",
    "LockTimeout",
    "RebuildError",
    "SearchDocument",
    "SearchEngine",
    "WhooshEngine",
]
