"""Turn what a user typed into concepts: words or synonym groups, each with its alternatives.

Queries are built from tokens, never parsed as query syntax, so quotes, brackets, `AND`,
`title:` or `*` are just characters and no input can make a search fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from registry.search.analysis import STOP_WORDS, stem, words
from registry.search.synonyms import Phrase, Synonyms, load_synonyms

# Bounds that keep a pasted document from becoming a thousand-term query.
MAX_QUERY_CHARS = 1_000
MAX_CONCEPTS = 12


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: a word, or an expression with its synonyms."""

    words: tuple[str, ...]  # the normalised words typed
    phrases: tuple[Phrase, ...]  # stem sequences; phrases[0] is what was typed
    facets: tuple[tuple[str, str], ...] = ()  # (facet, value) the words name, e.g. a supplier

    @property
    def key(self) -> tuple:
        """Return what identifies the concept's matches (for caching)."""
        return (self.phrases, self.facets)

    @property
    def expanded(self) -> bool:
        """Return whether synonyms or facet words widened the concept."""
        return len(self.phrases) > 1 or bool(self.facets)


@dataclass(frozen=True)
class Plan:
    """The concepts of a query and how many of them a pack must match."""

    concepts: tuple[Concept, ...]

    @property
    def min_match(self) -> int:
        """Return how many concepts a pack must match to be found.

        One or two concepts: all of them. Three or more: two thirds, rounded up, so a pack that
        matches most of a long query is still found (ranked below those matching all).
        """
        n = len(self.concepts)
        return n if n <= 2 else math.ceil(2 * n / 3)


def plan(q: str, synonyms: Synonyms | None = None) -> Plan:
    """Return the Plan of query text q."""
    synonyms = synonyms or load_synonyms()
    raw = words(q[:MAX_QUERY_CHARS].replace("-", " "))
    tokens = [stem(w) for w in raw]
    concepts: dict[tuple, Concept] = {}
    i = 0
    while i < len(tokens) and len(concepts) < MAX_CONCEPTS:
        n = synonyms.match(tokens, i)
        if n:
            typed = tuple(tokens[i : i + n])
            alternatives = (typed, *(p for p in synonyms.groups.get(typed, ()) if p != typed))
            concept = Concept(
                tuple(raw[i : i + n]), alternatives, synonyms.facet_words.get(typed, ())
            )
            concepts.setdefault(concept.key, concept)
            i += n
            continue
        if raw[i] not in STOP_WORDS:
            concept = Concept((raw[i],), ((tokens[i],),))
            concepts.setdefault(concept.key, concept)
        i += 1
    return Plan(tuple(concepts.values()))
