"""Text files: read in chunks, scanned a window at a time, each value found with its line."""

from __future__ import annotations

from collections.abc import Iterable

from ..filetypes import extension
from ..problems import Finding
from ..spool import Content
from .findings import allowed as _allowed
from .findings import capped, finding
from .rules import Hit
from .sniff import decoded
from .tables import csv_dob_lines
from .windows import HitStream

TABLE_EXTENSIONS = frozenset({"csv", "tsv", "tab"})


def text_findings(path: str, content: Content, allowed: frozenset[str]) -> list[Finding]:
    """Every finding in one text file, however large, capped per rule."""
    found: list[Finding] = []
    seen: set[tuple[int, str, str]] = set()

    def on_hit(line: int, offset: int, hit: Hit) -> None:
        f = finding(path, line, hit.rule, hit.value)
        seen.add((f.line, f.rule, f.masked))
        found.append(f)

    stream = HitStream(allowed, on_hit)
    for data in decoded(content):
        stream.feed(data)
    stream.close()
    if extension(path) in TABLE_EXTENSIONS:
        for line, date in csv_dob_lines(path, content):
            f = finding(path, line, "dob", date)
            if (f.line, f.rule, f.masked) not in seen:
                seen.add((f.line, f.rule, f.masked))
                found.append(f)
    return capped(found)


def scan_text(path: str, text: str, *, allowed_emails: Iterable[str] = ()) -> list[Finding]:
    """Scan one text for personal data; findings sorted by line and rule."""
    return text_findings(
        path, Content.of(text.encode("utf-8", "replace")), _allowed(allowed_emails)
    )
