"""Run one search on a Snapshot: match, filter, count facets, rank, page, highlight."""

from __future__ import annotations

import heapq
import json
from typing import Any

from registry.search import bitsets
from registry.search.highlight import Highlighter
from registry.search.interface import FACETS
from registry.search.query import MAX_QUERY_CHARS, Plan
from registry.search.snapshot import ConceptMatch, Snapshot
from registry.search.spelling import did_you_mean

Filters = tuple[tuple[str, tuple[str, ...]], ...]  # normalised: facet -> values, sorted


def matched(snap: Snapshot, concepts: list[ConceptMatch], min_match: int) -> tuple[int, int]:
    """Return the packs matching enough concepts, and the minimum actually applied.

    When no pack matches enough concepts, packs matching any one are found instead, so a long
    query with one unlucky word still answers.
    """
    if not concepts:
        return snap.live, 0
    counts = bitsets.counters([c.bits for c in concepts], len(concepts))
    found = counts[min_match - 1] & snap.live
    if not found and min_match > 1:
        return counts[0] & snap.live, 1
    return found, min_match


def facet_sets(snap: Snapshot, filters: Filters) -> dict[str, int]:
    """Return, for each filtered facet, the packs having any of the chosen values."""
    values = snap.facet_bits
    out = {}
    for facet, chosen in filters:
        bits = 0
        for v in chosen:
            bits |= values[facet].get(v, 0)
        out[facet] = bits
    return out


def facet_counts(snap: Snapshot, found: int, sets: dict[str, int]) -> dict[str, dict[str, int]]:
    """Count each facet's values among the found packs, applying the other facets' filters.

    This is multi-select faceting: choosing a supplier narrows the practice-model counts but
    still shows how many packs the other suppliers would give.
    """
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = found
        for other, bits in sets.items():
            if other != facet:
                base &= bits
        counts = {}
        if base:
            for value, bits in snap.facet_bits[facet].items():
                n = (base & bits).bit_count()
                if n:
                    counts[value] = n
        out[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def rank(
    snap: Snapshot, concepts: list[ConceptMatch], results: int, min_match: int, need: int
) -> list[int]:
    """Return the best `need` packs of `results`: most concepts matched, then highest score."""
    counts = bitsets.counters([c.bits for c in concepts], len(concepts))
    tie = snap.tiebreak
    scores = [c.scores for c in concepts]
    ranked: list[int] = []
    above = 0
    for k in range(len(concepts), min_match - 1, -1):
        level = counts[k - 1] & results & ~above
        above |= counts[k - 1]
        if not level:
            continue
        docs = bitsets.to_docnums(level)
        score = {d: sum(s.get(d, 0.0) for s in scores) for d in docs}
        # Equal scores fall back to name then publisher, so pages are stable.
        ranked += heapq.nsmallest(need - len(ranked), docs, key=lambda d: (-score[d], tie[d]))
        if len(ranked) >= need:
            break
    return ranked


def ordered(snap: Snapshot, results: int, sort: str, need: int) -> list[int]:
    """Return the first `need` packs of `results` in a stored sort order."""
    member = bitsets.membership(results, snap.size)
    out = []
    for d in snap.orders[sort]:
        if member[d >> 3] >> (d & 7) & 1:
            out.append(d)
            if len(out) >= need:
                break
    return out


def run(
    snap: Snapshot, q: str, plan: Plan, filters: Filters, sort: str, page: int, per_page: int
) -> dict[str, Any]:
    """Return the body of SPEC §6 for one search."""
    concepts = [snap.concept(c) for c in plan.concepts]
    found, min_match = matched(snap, concepts, plan.min_match)
    sets = facet_sets(snap, filters)
    results = found
    for bits in sets.values():
        results &= bits
    need = page * per_page
    if sort == "relevance" and concepts:
        docs = rank(snap, concepts, results, min_match, need)
    else:
        # With nothing typed there is no relevance: newest first is what a browsing user expects.
        docs = ordered(snap, results, "updated" if sort == "relevance" else sort, need)
    highlighter = Highlighter(plan) if concepts else None
    return {
        "total": results.bit_count(),
        "page": page,
        "per_page": per_page,
        "results": [_result(snap, d, highlighter) for d in docs[(page - 1) * per_page :]],
        "facets": facet_counts(snap, found, sets),
        "did_you_mean": did_you_mean(snap, q[:MAX_QUERY_CHARS], plan, concepts)
        if concepts
        else None,
    }


def _result(snap: Snapshot, docnum: int, highlighter: Highlighter | None) -> dict[str, Any]:
    stored = snap.searcher.stored_fields(docnum)
    result = json.loads(stored["data"])
    if highlighter is None:
        result["highlights"] = []
    else:
        readme, text = stored["hl"]
        result["highlights"] = highlighter.fragments([result["summary"], readme, text])
    return result
