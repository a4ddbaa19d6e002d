"""Short fragments of a pack's text around what the query matched, safe to put in HTML.

Every character of the document is HTML-escaped; the only markup in a fragment is the
`<mark>`/`</mark>` pairs added here around matched words.
"""

from __future__ import annotations

import html
import re

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
        # One regex per alternative rather than one alternation: a pattern that starts with
        # literal letters is found by a fast scan, an alternation is tried at every position
        # (ten times slower on a README).
        patterns = [_phrase_pattern(p) + r"\b" for p in self.phrases]
        self._exact = [re.compile(p) for p in patterns]
        self._folding = [re.compile(p, re.IGNORECASE) for p in patterns]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return the character spans of text that match the query, in order."""
        lowered = text.lower()
        # Lower-casing keeps offsets unless a character changes length (rare; then fold).
        subject, regexes = (
            (lowered, self._exact) if len(lowered) == len(text) else (text, self._folding)
        )
        found = []
        verified = self._verified
        for regex in regexes:
            for i, m in enumerate(regex.finditer(subject)):
                if i >= MAX_CANDIDATES:
                    break
                start = m.start()
                if start and (subject[start - 1].isalnum() or subject[start - 1] == "_"):
                    continue  # inside a word, not at its start
                # The regex finds words by the start of their stem; stemming them confirms it.
                word = m.group()
                ok = verified.get(word)
                if ok is None:
                    ok = verified[word] = tuple(stems(word)) in self.phrases
                if ok:
                    found.append(m.span())
        found.sort(key=lambda s: (s[0], -s[1]))
        spans: list[tuple[int, int]] = []
        for span in found:
            if not spans or span[0] >= spans[-1][1]:
                spans.append(span)
        return spans

    def fragments(self, sources: list[str]) -> list[str]:
        """Return up to MAX_FRAGMENTS marked fragments, taken from the sources in order."""
        out: list[str] = []
        for text in sources:
            spans = self.spans(text) if text else []
            taken = 0
            while spans and taken < PER_SOURCE and len(out) < MAX_FRAGMENTS:
                start, end = _window(text, spans[0][0])
                inside = [s for s in spans if s[0] >= start and s[1] <= end]
                if not inside:
                    break
                out.append(_render(text, start, end, inside))
                spans = [s for s in spans if s[0] >= end]
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
