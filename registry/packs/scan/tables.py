"""Dates of birth in tables: any date (or Excel day number) under a date-of-birth heading.

A date alone is not a finding, but in a CSV file or a worksheet a column headed "Date of birth"
or "DOB" holds them one a row, far from the heading. Only the cells a row could need are kept:
headings are short, and once the heading row is found only its date-of-birth columns matter.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from ..filetypes import extension
from ..spool import Content
from .findings import HIT_LIMIT
from .rules import _BIRTH, _BIRTH_HINTS, _DATE, _parse_date
from .sniff import decoded

HEADER_ROWS = 10  # a heading further down than this is not a heading
HEADING_CHARS = 40  # a heading longer than this is a sentence, not a column name
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's phantom 29 Feb
# A CSV line longer than this is not a table row: the table ends there (the line-by-line rules
# still read the whole file).
MAX_CSV_LINE = 1024 * 1024
_HEAD = 4096  # where a CSV file's birth heading must be to be looked for at all


def _birth_columns(cells: Mapping[int, str]) -> set[int]:
    return {
        col
        for col, value in cells.items()
        if len(value) <= HEADING_CHARS and _BIRTH.search(value.encode("utf-8", "replace"))
    }


def _cell_date(value: str, numeric: bool) -> str | None:
    """The date in a cell under a date-of-birth heading, as text for mask(), if there is one."""
    value = value.strip()
    if numeric:
        # Excel keeps dates as day numbers: 1 is 1 Jan 1900, 73050 is 31 Dec 2099.
        try:
            serial = float(value)
        except ValueError:
            return None
        if not 1 <= serial < 73051:
            return None
        return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()
    m = _DATE.search(value.encode("utf-8", "replace"))
    return m[0].decode("latin-1") if m and _parse_date(m) else None


class TableDob:
    """Dates in the columns a heading row names as dates of birth (CSV and worksheet rows)."""

    def __init__(self) -> None:
        self.columns: set[int] = set()
        self.rows_seen = 0
        self.found = 0

    @property
    def done(self) -> bool:
        """No heading in the first rows, or HIT_LIMIT dates found: nothing more to look at."""
        return (not self.columns and self.rows_seen >= HEADER_ROWS) or self.found >= HIT_LIMIT

    def wants(self, column: int, value: str) -> bool:
        """Whether the next row's cell in column matters (only those are kept)."""
        if self.done:
            return False
        if not self.columns:
            return len(value) <= HEADING_CHARS
        return column in self.columns

    def row(self, cells: Mapping[int, str], numeric: frozenset[int] = frozenset()) -> list[str]:
        """Take one row; return the dates of birth in it."""
        self.rows_seen += 1
        if not self.columns:
            if self.rows_seen <= HEADER_ROWS:
                self.columns = _birth_columns(cells)
            return []
        found = []
        for col in sorted(self.columns):
            if col in cells and self.found < HIT_LIMIT:
                date = _cell_date(cells[col], col in numeric)
                if date:
                    found.append(date)
                    self.found += 1
        return found


def csv_dob_lines(path: str, content: Content) -> Iterator[tuple[int, str]]:
    """(line, date) for dates under a date-of-birth heading in a CSV or TSV file."""
    head = b""
    for chunk in decoded(content):
        head += chunk
        if len(head) >= _HEAD:
            break
    if not any(hint.search(head[:_HEAD].lower()) for hint in _BIRTH_HINTS):
        return
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    if extension(path) in ("tsv", "tab") or "\t" in first_line:
        delimiter = "\t"
    elif first_line.count(";") > first_line.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    table = TableDob()
    reader = csv.reader(_lines(decoded(content)), delimiter=delimiter)
    try:
        for row in reader:
            for date in table.row(dict(enumerate(row))):
                yield reader.line_num, date
            if table.done:
                return
    except csv.Error:
        pass  # a malformed row ends the table; the line-by-line rules have still run


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The text's lines, each with its LF, until one is longer than MAX_CSV_LINE."""
    rest = b""
    for chunk in chunks:
        rest += chunk
        *whole, rest = rest.split(b"\n")
        for line in whole:
            yield line.decode("utf-8", "replace") + "\n"
        if len(rest) > MAX_CSV_LINE:
            return
    if rest:
        yield rest.decode("utf-8", "replace")
