"""Short fragments of a pack's text around what the query matched, safe to put in HTML.

Every character of the document is HTML-escaped; the only markup in a fragment is the
`<mark>`/`</mark>` pairs added here around matched words.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from registry.search.analysis import stems
from registry.search.query import Plan

FRAGMENT_CHARS = 160
MAX_FRAGMENTS = 3
PER_SOURCE = 2
# Stop scanning a long text after this many candidate words: the first few make the fragments.
MAX_CANDIDATES = 200
_SPACE = re.compile(r"\s+")


class Highlighter:
    """Finds and marks the words of one query in texts."""

    def __init__(self, plan: Plan) -> None:
        self.phrases = {p for c in plan.concepts for p in c.phrases}
        self._verified: dict[str, bool] = {}
        alternatives = sorted(self.phrases, key=len, reverse=True)
        self.pattern = (
            re.compile(
                r"\b(?:" + "|".join(_phrase_pattern(p) for p in alternatives) + r")\b",
                re.IGNORECASE,
            )
            if alternatives
            else None
        )

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Yield the character spans of text that match the query, in order."""
        if self.pattern is None:
            return
        verified = self._verified
        for i, m in enumerate(self.pattern.finditer(text)):
            if i >= MAX_CANDIDATES:
                return
            # The regex finds words by the start of their stem; stemming them confirms it.
            found = m.group()
            ok = verified.get(found)
            if ok is None:
                ok = verified[found] = tuple(stems(found)) in self.phrases
            if ok:
                yield m.span()

    def fragments(self, sources: list[str]) -> list[str]:
        """Return up to MAX_FRAGMENTS marked fragments, taken from the sources in order."""
        out: list[str] = []
        for text in sources:
            if not text:
                continue
            spans = self.spans(text)
            span = next(spans, None)
            taken = 0
            while span is not None and taken < PER_SOURCE and len(out) < MAX_FRAGMENTS:
                start, end = _window(text, span[0])
                inside = []
                while span is not None and span[0] < end:
                    if span[1] <= end:
                        inside.append(span)
                    span = next(spans, None)
                if inside:
                    out.append(_render(text, start, end, inside))
                    taken += 1
            if len(out) >= MAX_FRAGMENTS:
                break
        return out


def _word_pattern(stem: str) -> str:
    # Stems are not always prefixes of their words ("studi" <- "study"): match by a shorter
    # prefix and let stemming confirm.
    prefix = stem if len(stem) <= 3 else stem[: max(3, len(stem) - 1)]
    return re.escape(prefix) + r"\w*"


def _phrase_pattern(phrase: tuple[str, ...]) -> str:
    return r"[\W_]+".join(_word_pattern(s) for s in phrase)


def _window(text: str, first: int) -> tuple[int, int]:
    """Return a window of about FRAGMENT_CHARS around a match, cut at spaces."""
    start = max(0, first - FRAGMENT_CHARS // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + FRAGMENT_CHARS)
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    parts = ["…" if start else ""]
    at = start
    for s, e in spans:
        parts.append(_escape(text[at:s]))
        parts.append("<mark>" + _escape(text[s:e]) + "</mark>")
        at = e
    parts.append(_escape(text[at:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts).strip()


def _escape(segment: str) -> str:
    return html.escape(_SPACE.sub(" ", segment), quote=True)
