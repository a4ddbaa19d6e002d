"""Scanning a text of any length a window at a time, in a fixed amount of memory.

A text arrives in pieces (chunks of a file, paragraphs of a document). `HitStream` keeps at most
`WINDOW` new bytes plus `REACH` bytes of context on either side, runs the rules on that, and
reports each value whose start lies in the window's own part, with its line number. A value that
straddles two windows starts in exactly one of them, and that one sees it whole, with the same
context a scan of the whole text would give it. Each rule stops looking once it has reported
`HIT_LIMIT` values, across all windows.

`UnitStream` is the same for Office files, whose lines are paragraphs and rows: each unit is a
line of the stream, and a value is reported with the unit it is in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from ..limits import MiB
from .findings import BLOCKING_RULES, HIT_LIMIT, WARNING_RULES
from .rules import REACH, Hit, find

WINDOW = 1 * MiB  # new bytes scanned at a time: large enough that context is a small overhead
# Units (paragraphs, rows) kept in view at once; an Office file of millions of one-word
# paragraphs is scanned this many at a time, so what is known about them stays small.
MAX_UNITS = 16 * 1024


class HitStream:
    """Find the rules' values in a stream of ASCII-compatible, LF-ended bytes, each once."""

    def __init__(self, allowed: frozenset[str], on_hit: Callable[[int, int, Hit], None]) -> None:
        self._allowed = allowed
        self._on_hit = on_hit  # called with (line, offset in the stream, hit)
        self._buffer = bytearray()
        self.start = 0  # offset in the stream of the buffer's first byte
        self._done = 0  # offset below which every value has been reported
        self._line = 1  # line number at the buffer's first byte
        self._wanted = dict.fromkeys(BLOCKING_RULES | WARNING_RULES, HIT_LIMIT)

    def feed(self, data: bytes) -> None:
        """Take the next bytes; scan a window once enough have arrived."""
        self._buffer += data
        if len(self._buffer) - (self._done - self.start) >= WINDOW + REACH:
            self._scan(final=False)

    def flush(self) -> None:
        """Scan what has arrived, but for the context the next bytes still need."""
        self._scan(final=False)

    def close(self) -> None:
        """Scan the rest: the stream has ended."""
        self._scan(final=True)
        self._buffer.clear()

    def _scan(self, *, final: bool) -> None:
        data = bytes(self._buffer)
        lo = self._done - self.start
        hi = len(data) if final else len(data) - REACH
        if hi <= lo:
            return
        hits = find(data, self._allowed, self._wanted, lo, hi)
        line, position = self._line, 0
        for hit in sorted(hits, key=lambda h: h.start):
            line += data.count(b"\n", position, hit.start)
            position = hit.start
            self._on_hit(line, self.start + hit.start, hit)
        self._done = self.start + hi
        # Keep REACH bytes before the next window: the context its first values need.
        cut = max(0, hi - REACH)
        self._line += data.count(b"\n", 0, cut)
        del self._buffer[:cut]
        self.start += cut


class UnitStream:
    """Paragraphs and rows scanned as the lines of one stream; values reported with their unit."""

    def __init__(self, allowed: frozenset[str], on_hit: Callable[[int, str, Hit], None]) -> None:
        self._on_hit = on_hit  # called with (the unit's line, where it is, hit)
        self._hits = HitStream(allowed, self._hit)
        self._starts: list[int] = []  # stream offset where each unit in view starts
        self._units: list[tuple[int, str]] = []  # (line, where) of each unit in view
        self._offset = 0
        self._open = False
        self._seen_start = 0  # the stream's buffer start when units were last forgotten

    def begin(self, line: int, where: str) -> None:
        """Start a unit (ending the one before, if still open)."""
        if self._open:
            self.end()
        self._starts.append(self._offset)
        self._units.append((line, where))
        self._open = True

    def text(self, text: str) -> None:
        """Add text to the open unit; a newline inside it would make it two lines."""
        data = text.encode("utf-8", "replace")
        if b"\n" in data or b"\r" in data:
            data = data.replace(b"\n", b" ").replace(b"\r", b" ")
        self._hits.feed(data)
        self._offset += len(data)
        if self._hits.start != self._seen_start:
            self._forget()

    def end(self) -> None:
        """End the open unit."""
        if self._open:
            self._hits.feed(b"\n")
            self._offset += 1
            self._open = False
            if len(self._starts) > MAX_UNITS:
                self._hits.flush()
            if self._hits.start != self._seen_start:
                self._forget()

    def close(self) -> None:
        """Scan what is left."""
        self.end()
        self._hits.close()

    def _hit(self, line: int, offset: int, hit: Hit) -> None:
        # Text only ever follows a begin(), so a unit holds every offset a value can start at.
        unit_line, where = self._units[max(0, bisect_right(self._starts, offset) - 1)]
        self._on_hit(unit_line, where, hit)

    def _forget(self) -> None:
        # Units that end before the bytes still kept are done with.
        self._seen_start = self._hits.start
        keep_from = bisect_right(self._starts, self._hits.start) - 1
        if keep_from > 0:
            del self._starts[:keep_from]
            del self._units[:keep_from]
