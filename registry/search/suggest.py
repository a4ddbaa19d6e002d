"""Typeahead: packs whose name or title has words starting with each word typed."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from registry.search.analysis import words

MAX_TYPED_WORDS = 8


class Typeahead:
    """A sorted word list over pack names and titles, for prefix lookups."""

    def __init__(
        self, meta: Sequence[tuple[str, ...]], docs: Sequence[int], downloads: Sequence[int]
    ) -> None:
        self._meta = meta
        self._downloads = downloads
        index: dict[str, set[int]] = {}
        for d in docs:
            _publisher, name, _version, title = meta[d][:4]
            for w in {*words(name.replace("-", " ")), *words(title)}:
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
        """Return up to limit documents matching every typed word as a prefix, best first."""
        candidates: set[int] | None = None
        for w in typed[:MAX_TYPED_WORDS]:
            found = self._starting(w)
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        phrase = " ".join(typed)

        def key(d: int) -> tuple:
            _publisher, name, _version, title = self._meta[d][:4]
            # What the user typed as the start of the title or name beats a word further in.
            starts = " ".join(words(title)).startswith(phrase) or " ".join(
                words(name.replace("-", " "))
            ).startswith(phrase)
            return (not starts, -self._downloads[d], title.lower(), name)

        return sorted(candidates or (), key=key)[:limit]
