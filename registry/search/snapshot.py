"""One generation of the index, opened for searching, with everything cached for it.

Whoosh's own matchers score one posting at a time through several layers of Python calls, and
its shortcuts (block-quality skipping, pruned unions) were seen to return a wrong top 20 and
short facet counts. So matching here reads whole posting blocks, scores every posting with
Whoosh's BM25F formula (statistics over live documents only), and keeps the results per
concept, with the per-document facet values and sort keys, for as long as this generation is
current. Every cache lives on the Snapshot, so a new generation starts clean. The caches are
cachetools LRUCaches without locks of their own: the engine serialises every read of a Snapshot
under its lock, so no two threads ever touch them at once.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from cachetools import LRUCache
from whoosh.searching import Searcher

from registry.search import bitsets
from registry.search.analysis import pairs
from registry.search.interface import FACETS
from registry.search.query import Concept
from registry.search.schema import FIELD_BOOSTS, PAIR_FIELDS, QUERY_BOOSTS, SPELL_FIELD
from registry.search.suggest import Typeahead
from registry.search.whoosh_internals import leaf_lengths, read_postings

# BM25F parameters: Whoosh's defaults, which the reference scoring in the tests also uses.
B = 0.75
K1 = 1.2
# Cache budgets, in postings of about 100 bytes: some 60 and 25 MB per process at most. The
# terms of a few dozen different queries at 10,000 packs fill 450,000 (the synonyms and phrases
# of one query reuse the terms of another): a smaller budget evicts terms still in use.
TERM_CACHE_POSTINGS = 600_000
CONCEPT_CACHE_POSTINGS = 250_000
RESULTS_CACHE_ANSWERS = 512
V = TypeVar("V")


@dataclass(frozen=True)
class ConceptMatch:
    """The packs matching one concept: their scores and the same set as bits."""

    scores: dict[int, float]
    bits: int


def remember(cache: LRUCache, key: object, value: V) -> V:
    """Store value in cache and return it; one larger than the whole cache is just returned."""
    with contextlib.suppress(ValueError):  # cachetools refuses a value over maxsize
        cache[key] = value
    return value


class Snapshot:
    """A searcher over one index generation, and the caches derived from it."""

    def __init__(self, searcher: Searcher, token: tuple) -> None:
        self.searcher = searcher
        self.token = token  # identifies the generation: (directory, whoosh generation)
        self.size = searcher.doc_count_all()
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self._lengths: dict[str, list[int]] = {}
        self._averages: dict[str, float] = {}
        self._norms: dict[str, list[float]] = {}
        self._once: dict[str, list[float]] = {}
        # Sized in postings: an entry costs one more than the packs it holds.
        self._terms: LRUCache[tuple[str, str], dict[int, float]] = LRUCache(
            TERM_CACHE_POSTINGS, getsizeof=lambda scores: len(scores) + 1
        )
        self._concepts: LRUCache[tuple, ConceptMatch] = LRUCache(
            CONCEPT_CACHE_POSTINGS, getsizeof=lambda match: len(match.scores) + 1
        )
        self.results: LRUCache[tuple, str] = LRUCache(RESULTS_CACHE_ANSWERS)

    def close(self) -> None:
        """Close the searcher and its files."""
        self.searcher.close()

    def warm(self) -> None:
        """Compute the per-document data every search needs, all at once.

        About 50 ms at 10,000 packs, paid by the first search of a generation instead of a
        few milliseconds by each of its first dozen searches.
        """
        _ = self.facet_bits, self.orders, self.tiebreak
        for field in (*FIELD_BOOSTS, *PAIR_FIELDS):
            self.once(field)

    def common_words(self, limit: int) -> list[str]:
        """Return the words packs are most often described with, commonest first.

        Words of titles, names, summaries and keywords, unstemmed, as a user would type them.
        """
        reader = self.searcher.reader()
        frequency = {
            word.decode("utf-8"): info.doc_frequency()
            for word, info in reader.iter_field(SPELL_FIELD)
        }
        return heapq.nlargest(limit, frequency, key=lambda w: (frequency[w], w))

    # Per-document data, read once per generation.

    @cached_property
    def live(self) -> int:
        """Return the set of documents not deleted."""
        reader = self.searcher.reader()
        everything = (1 << self.size) - 1
        if not reader.has_deletions():
            return everything
        deleted = bitsets.from_docnums(
            (d for d in range(self.size) if reader.is_deleted(d)), self.size
        )
        return everything & ~deleted

    def _column(self, field: str, default: object) -> list:
        values: list = []
        for reader, _offset in self.leaves:
            n = reader.doc_count_all()
            if reader.has_column(field):
                values.extend(reader.column_reader(field, translate=False))
            else:
                values.extend([default] * n)
        return values

    @cached_property
    def meta(self) -> list[tuple[str, str, str, str]]:
        """Return (publisher, name, version, title) by document number."""
        return [tuple(json.loads(v)) if v else ("", "", "", "") for v in self._column("meta", b"")]

    @cached_property
    def updated(self) -> list[int]:
        """Return the sortable update time by document number."""
        return self._column("updated_at", 0)

    @cached_property
    def downloads(self) -> list[int]:
        """Return the sortable download count by document number."""
        return self._column("downloads", 0)

    @cached_property
    def tiebreak(self) -> list[tuple[str, str]]:
        """Return the (name, publisher) order used between equal results."""
        return [(m[1], m[0]) for m in self.meta]

    @cached_property
    def orders(self) -> dict[str, list[int]]:
        """Return every document in each non-relevance sort order."""
        docs = bitsets.to_docnums(self.live)
        tie, updated, downloads = self.tiebreak, self.updated, self.downloads
        return {
            "name": sorted(docs, key=tie.__getitem__),
            "updated": sorted(docs, key=lambda d: (-updated[d], tie[d])),
            "downloads": sorted(docs, key=lambda d: (-downloads[d], tie[d])),
        }

    @cached_property
    def typeahead(self) -> Typeahead:
        """Return the prefix index over names and titles."""
        return Typeahead(self.meta, self.orders["name"], self.downloads)

    @cached_property
    def facet_bits(self) -> dict[str, dict[str, int]]:
        """Return, for each facet, the set of documents carrying each value."""
        out: dict[str, dict[str, int]] = {}
        reader = self.searcher.reader()
        for facet in FACETS:
            values: dict[str, int] = {}
            for value in reader.field_terms(facet):
                ids, _ = self._postings(facet, value)
                bits = bitsets.from_docnums(ids, self.size) & self.live
                if bits:
                    values[value] = bits
            out[facet] = values
        return out

    @cached_property
    def deletions(self) -> bool:
        """Return whether any document of this generation is deleted."""
        return self.live != (1 << self.size) - 1

    @cached_property
    def live_count(self) -> int:
        """Return the number of live documents."""
        return self.live.bit_count()

    def average_length(self, field: str) -> float:
        """Return the mean length of field over live documents (absent counts as 0)."""
        average = self._averages.get(field)
        if average is None:
            lengths = self.field_lengths(field)
            if self.deletions:
                total = sum(lengths[d] for d in bitsets.to_docnums(self.live))
            else:
                total = sum(lengths)
            average = self._averages[field] = total / (self.live_count or 1)
        return average

    def field_lengths(self, field: str) -> list[int]:
        """Return each document's length in field as Whoosh stores it (0 where absent)."""
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = []
            for reader, _offset in self.leaves:
                lengths += leaf_lengths(reader, field)
            self._lengths[field] = lengths
        return lengths

    # Postings.

    def _postings(self, field: str, text: str) -> tuple[list[int], list[float]]:
        """Return the documents and weights of a term, deleted documents included."""
        ids: list[int] = []
        weights: list[float] = []
        for reader, offset in self.leaves:
            if (field, text) in reader:
                read_postings(reader.postings(field, text), offset, ids, weights)
        return ids, weights

    def live_postings(self, field: str, text: str) -> tuple[list[int], list[float]]:
        """Return the live documents containing a term, and the term's weight in each."""
        ids, weights = self._postings(field, text)
        if self.deletions:
            member = bitsets.membership(self.live, self.size)
            kept = [i for i, d in enumerate(ids) if member[d >> 3] >> (d & 7) & 1]
            ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
        return ids, weights

    def term_scores(self, field: str, text: str) -> dict[int, float]:
        """Return the boosted BM25F score of each live document containing a term.

        BM25 as Whoosh computes it, but with statistics over live documents only (Whoosh
        counts deleted ones until their segment is merged), so an index updated pack by pack
        ranks exactly like one rebuilt from scratch.
        """
        key = (field, text)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        ids, weights = self.live_postings(field, text)
        boost = QUERY_BOOSTS[field]
        if not ids:
            scores: dict[int, float] = {}
        elif self.searcher.schema[field].scorable:
            idf = math.log(self.live_count / (len(ids) + 1)) + 1
            norm, once, k = self.norms(field), self.once(field), K1 + 1
            # Whoosh's bm25() times the query boost, in the same order of operations; for the
            # usual single occurrence the per-document part is precomputed (same floats).
            scores = {
                d: idf * (once[d] if tf == 1.0 else (tf * k) / (tf + norm[d])) * boost
                for d, tf in zip(ids, weights, strict=True)
            }
        else:
            scores = {d: w * boost for d, w in zip(ids, weights, strict=True)}
        return remember(self._terms, key, scores)

    def norms(self, field: str) -> list[float]:
        """Return BM25's length normalisation, K1 * ((1 - B) + B * fl / avgfl), by document."""
        norm = self._norms.get(field)
        if norm is None:
            avgfl = self.average_length(field) or 1
            norm = [K1 * ((1 - B) + B * fl / avgfl) for fl in self.field_lengths(field)]
            self._norms[field] = norm
        return norm

    def once(self, field: str) -> list[float]:
        """Return BM25's (tf * (K1 + 1)) / (tf + norm) for tf = 1, by document."""
        once = self._once.get(field)
        if once is None:
            k = K1 + 1
            once = self._once[field] = [(1.0 * k) / (1.0 + n) for n in self.norms(field)]
        return once

    def all_words(self, field: str, phrase: tuple[str, ...]) -> dict[int, float]:
        """Return documents having every word of phrase in field, scored as Whoosh's And."""
        units = [self.term_scores(field, w) for w in phrase]
        if not all(units):
            return {}
        first, *rest = sorted(units, key=len)
        return {
            d: s + sum(u[d] for u in rest) for d, s in first.items() if all(d in u for u in rest)
        }

    def phrase_units(self, phrase: tuple[str, ...]) -> list[dict[int, float]]:
        """Return the scored matches of a multi-word expression, one per field.

        Where the index holds the expression's pairs, a match is every pair in a pair field.
        An expression added to synonyms.yaml after the index was built falls back to all of
        its words in one field, until the next rebuild indexes its pairs.
        """
        terms = pairs(phrase)
        units = []
        for field, (_boost, sources) in PAIR_FIELDS.items():
            known = getattr(self.searcher.schema[field].analyzer, "known", frozenset())
            if all(t in known for t in terms):
                units.append(self.all_words(field, tuple(terms)))
            else:
                units += [self.all_words(f, phrase) for f in sources]
        return units

    def concept(self, concept: Concept) -> ConceptMatch:
        """Return the packs matching a concept in any field, by any of its alternatives."""
        cached = self._concepts.get(concept.key)
        if cached is not None:
            return cached
        units: list[dict[int, float]] = []
        for phrase in concept.phrases:
            if len(phrase) == 1:
                units += [self.term_scores(f, phrase[0]) for f in FIELD_BOOSTS]
            else:
                units += self.phrase_units(phrase)
        units += [self.term_scores(facet, value) for facet, value in concept.facets]
        # Start from a copy of the largest (done in C) and add the others to it. The order
        # depends only on the live documents, so a rebuilt index sums in the same order.
        units.sort(key=len, reverse=True)
        acc = dict(units[0]) if units else {}
        get = acc.get
        for unit in units[1:]:
            for d, s in unit.items():
                acc[d] = get(d, 0.0) + s
        match = ConceptMatch(acc, bitsets.from_docnums(acc, self.size))
        return remember(self._concepts, concept.key, match)
