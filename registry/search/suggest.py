"""Typeahead: packs whose name or title has words starting with each word typed."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Sequence

from registry.search.analysis import words

MAX_TYPED_WORDS = 8


class Typeahead:
    """A sorted word list over pack names and titles, for prefix lookups."""

    def __init__(
        self, meta: Sequence[tuple[str, ...]], docs: Sequence[int], downloads: Sequence[int]
    ) -> None:
        index: dict[str, set[int]] = {}
        # Per document: its title and name as normalised words, and the rest of its order.
        self._texts: dict[int, tuple[str, str]] = {}
        self._order: dict[int, tuple] = {}
        for d in docs:
            _publisher, name, _version, title = meta[d][:4]
            title_words, name_words = words(title), words(name.replace("-", " "))
            self._texts[d] = (" ".join(title_words), " ".join(name_words))
            self._order[d] = (-downloads[d], title.lower(), name)
            for w in {*title_words, *name_words}:
                index.setdefault(w, set()).add(d)
        self._index = index
        self._words = sorted(index)

    def _starting(self, prefix: str) -> set[int]:
        found: set[int] = set()
        i = bisect_left(self._words, prefix)
        while i < len(self._words) and self._words[i].startswith(prefix):
            found |= self._index[self._words[i]]
            i += 1
        return found

    def complete(self, typed: list[str], limit: int) -> list[int]:
        """Return up to limit documents matching every typed word as a prefix, best first.

        What the user typed as the start of the title or name comes first, then the most
        downloaded, then by title.
        """
        candidates: set[int] | None = None
        for w in typed[:MAX_TYPED_WORDS]:
            found = self._starting(w)
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        phrase = " ".join(typed)
        texts, order = self._texts, self._order

        def key(d: int) -> tuple:
            title, name = texts[d]
            return (not (title.startswith(phrase) or name.startswith(phrase)), order[d])

        return heapq.nsmallest(limit, candidates or (), key=key)
