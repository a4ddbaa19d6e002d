"""WhooshEngine: the SearchEngine the service layer calls."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from whoosh import scoring
from whoosh.index import Index

from registry.packs.vocabulary import load_vocabularies
from registry.search import execute, parallel
from registry.search.analysis import words
from registry.search.interface import FACETS, MAX_PER_PAGE, SORTS, SearchDocument
from registry.search.query import plan
from registry.search.schema import Codec, to_record
from registry.search.snapshot import K1, B, Snapshot, remember
from registry.search.store import IndexStore
from registry.search.whoosh_internals import BulkWriter

log = logging.getLogger(__name__)
T = TypeVar("T")
# Seconds a parallel rebuild's workers may go without taking work or answering.
WORKER_TIMEOUT = 120.0
# A new generation's caches are filled with the matches of this many of the words packs are
# most often described with (most queries contain some): about a second at 10,000 packs, spent
# beside the searches rather than inside the first ones.
WARM_WORDS = 100

# Index updates leave their segment unmerged until the index has this many (see index()).
MERGE_AT = 32


class WhooshEngine:
    """A Whoosh index in `path` (<instance>/index), searched with per-generation caches.

    Safe to share between threads (searches are serialised per engine) and between processes:
    writers take a file lock, and every search first checks (one readlink and one directory
    listing) whether another process changed the index, reopening it if so.
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = 120.0,
        procs: int = 1,
    ) -> None:
        """Open (lazily) the index in path.

        lock_timeout: seconds a writer waits for another (a rebuild holds the lock throughout).
        procs: processes a rebuild indexes in, each writing one segment. Every process keeps
        its postings in memory until the end (about 450 MB at peak for 10,000 packs in one).
        """
        self.store = IndexStore(Path(path))
        self.lock_timeout = lock_timeout
        self.procs = procs
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._ix: Index | None = None
        self._dir: Path | None = None
        self._warmer: threading.Thread | None = None

    # Writing.

    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add documents, replacing any with the same (publisher, name)."""
        # Whoosh's update_document only replaces documents committed before this batch, so a
        # pack twice in one batch would be indexed twice: the last one wins instead.
        batch = {(doc["publisher"], doc["name"]): doc for doc in docs}
        with self.store.write_lock(self.lock_timeout):
            ix = self.store.open(self.store.ensure_locked())
            writer = ix.writer(timeout=self.lock_timeout, codec=Codec())
            try:
                for doc in batch.values():
                    writer.update_document(**to_record(doc))
            except BaseException:
                writer.cancel()
                raise
            # Whoosh merges small segments on every commit by default: every fifth approval
            # paid 110-150 ms for it at 10,000 packs (against 25 ms for the update itself).
            # Segments of one pack each cost searches little, so merge only once there are many.
            writer.commit(merge=len(writer.segments) >= MERGE_AT)
            ix.close()

    def remove(self, publisher: str, name: str) -> None:
        """Remove a pack; removing an absent pack is not an error."""
        with self.store.write_lock(self.lock_timeout):
            ix = self.store.open(self.store.ensure_locked())
            writer = ix.writer(timeout=self.lock_timeout, codec=Codec())
            if writer.delete_by_term("key", f"{publisher}/{name}"):
                writer.commit()
            else:
                writer.cancel()
            ix.close()

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        """Build a new index from docs in a new directory and swap it in atomically.

        A pack given twice is indexed once (the first; the duplicate is logged). Any failure
        leaves the current index in place.
        """
        with self.store.write_lock(self.lock_timeout), _collector_paused():
            directory = self.store.create()
            unique = _first_of_each(docs)
            if self.procs > 1:
                expected = parallel.build(directory, unique, self.procs, WORKER_TIMEOUT)
            else:
                expected = _build(self.store.open(directory), unique)
            ix = self.store.open(directory)
            built = ix.doc_count()
            ix.close()
            if built != expected:
                raise RuntimeError(f"rebuild indexed {built} of {expected} packs")
            self.store.swap(directory)

    # Reading.

    def _current(self) -> Snapshot:
        """Return the snapshot of the latest generation, reopening if the index changed."""
        directory = self.store.current() or self.store.ensure(self.lock_timeout)
        snap = self._snapshot
        if (
            snap is not None
            and directory == self._dir
            and self._ix is not None
            and self._ix.latest_generation() == snap.searcher.reader().generation()
        ):
            return snap
        # Always a new searcher, never Searcher.refresh(): refresh reuses segment readers by
        # segment identity and so misses documents newly deleted from an unchanged segment
        # (seen in whoosh-reloaded 2.7.5: a removed pack stayed findable).
        if snap is not None:
            snap.close()
        if directory != self._dir or self._ix is None:
            if self._ix is not None:
                self._ix.close()
            self._ix = self.store.open(directory)
            self._dir = directory
        searcher = self._ix.searcher(weighting=scoring.BM25F(B=B, K1=K1))
        self._snapshot = Snapshot(searcher, (str(directory), searcher.reader().generation()))
        self._snapshot.warm()
        self._warmer = threading.Thread(
            target=self._warm_words, args=(self._snapshot,), name="search-warm", daemon=True
        )
        self._warmer.start()
        return self._snapshot

    def warm(self) -> None:
        """Open the current generation and fill its caches before returning.

        A server worker calls this before it accepts requests, so its first searches find the
        index open and the commonest words' matches computed.
        """
        with self._lock:
            self._current()
            warmer = self._warmer
        if warmer is not None:
            warmer.join()

    def _warm_words(self, snap: Snapshot) -> None:
        """Compute the matches of the commonest words on snap, one at a time, in the background.

        Each word takes the engine's lock only while it is computed, so a search waits for at
        most one word; warming stops as soon as another generation (or close) replaces snap.
        """
        try:
            with self._lock:
                if self._snapshot is not snap:
                    return
                concepts = [c for w in snap.common_words(WARM_WORDS) for c in plan(w).concepts]
            for concept in concepts:
                with self._lock:
                    if self._snapshot is not snap:
                        return
                    snap.concept(concept)
        except Exception:  # e.g. the generation's files went: the next generation warms itself
            log.debug("warming search caches stopped", exc_info=True)

    def search(
        self,
        q: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> dict[str, Any]:
        """Answer a search with the body of SPEC §6 (see execute.run)."""
        text, found = self._answer(q, filters, sort, page, per_page)
        return found if found is not None else json.loads(text)

    def search_json(
        self,
        q: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> str:
        """Answer a search as search() does, as JSON text (cached answers are sent as they are)."""
        return self._answer(q, filters, sort, page, per_page)[0]

    def _answer(
        self,
        q: str,
        filters: Mapping[str, Sequence[str]] | None,
        sort: str,
        page: int,
        per_page: int,
    ) -> tuple[str, dict[str, Any] | None]:
        """Return the answer as JSON text, and as a dict when it was just computed."""
        q = q if isinstance(q, str) else ""
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
        sort = sort if sort in SORTS else "relevance"
        normalised = normalise_filters(filters)
        key = (q, normalised, sort, page, per_page)

        def answer(snap: Snapshot) -> tuple[str, dict[str, Any] | None]:
            cached = snap.results.get(key)
            if cached is not None:
                return cached, None
            found = execute.run(snap, q, plan(q), normalised, sort, page, per_page)
            # Cached as JSON: callers may change the dict they get, never the cached answer.
            text = json.dumps(found, separators=(",", ":"))
            return remember(snap.results, key, text), found

        return self._read(answer)

    def suggest(self, q: str, limit: int = 10) -> list[dict[str, str]]:
        """Return packs whose name or title words start with the words typed, best first."""
        typed = words(q.replace("-", " ")) if isinstance(q, str) else []
        if not typed or limit <= 0:
            return []
        return self._read(
            lambda snap: [
                {"publisher": m[0], "name": m[1], "title": m[3]}
                for m in (snap.meta[d] for d in snap.typeahead.complete(typed, limit))
            ]
        )

    def count(self) -> int:
        """Return the number of packs in the index."""
        return self._read(lambda snap: snap.live_count)

    def keys(self) -> set[tuple[str, str, str]]:
        """Return (publisher, name, version) of every pack in the index."""
        return self._read(lambda snap: {snap.meta[d][:3] for d in snap.orders["name"]})

    def _read(self, read: Callable[[Snapshot], T]) -> T:
        """Run read on the current snapshot, starting over once if its files vanished."""
        with self._lock:
            try:
                return read(self._current())
            except FileNotFoundError:
                # Another process merged segments away or swapped generations between the
                # freshness check and the read: reopen the latest generation and retry.
                self.close()
                return read(self._current())

    def close(self) -> None:
        """Release files and caches."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None
            if self._ix is not None:
                self._ix.close()
                self._ix = None
            self._dir = None


def _first_of_each(docs: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
    """Yield docs, skipping a (publisher, name) seen before.

    Documents are streamed, so the first wins; a duplicate is a bug upstream, worth a warning
    rather than a failed reindex.
    """
    seen: set[tuple[str, str]] = set()
    for doc in docs:
        key = (doc["publisher"], doc["name"])
        if key in seen:
            log.warning("rebuild: %s/%s given twice; keeping the first", *key)
            continue
        seen.add(key)
        yield doc


def _build(ix: Index, docs: Iterable[SearchDocument]) -> int:
    """Index docs into the new, empty index ix in this process; return how many."""
    writer = BulkWriter(ix, codec=Codec())
    count = 0
    try:
        for doc in docs:
            writer.add_document(**to_record(doc))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    return count


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: indexing allocates millions of posting tuples,
    none cyclic, and collections triggered by them made a rebuild twice as slow."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def normalise_filters(filters: Mapping[str, Sequence[str]] | None) -> execute.Filters:
    """Return filters keyed by known facet, values resolved from aliases, sorted; empty dropped."""
    if not filters:
        return ()
    vocabularies = load_vocabularies()
    out = []
    for facet in FACETS:
        raw = filters.get(facet)
        if not raw:
            continue
        values = [raw] if isinstance(raw, str) else list(raw)
        # Every filter but publisher is named after the vocabulary its values come from, so a
        # filter may name a slug's alias ("liquidlogic"); publishers are organisations.
        vocab = vocabularies.get(facet) if facet != "publisher" else None
        resolved = set()
        for v in values:
            if not isinstance(v, str) or not v.strip():
                continue
            term = vocab.resolve(v) if vocab else None
            resolved.add(
                term.slug if term else v.strip().lower() if facet == "publisher" else v.strip()
            )
        if resolved:
            out.append((facet, tuple(sorted(resolved))))
    return tuple(out)
