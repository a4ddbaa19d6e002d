"""The text of Word and Excel XML parts, handed to the scan as it is read.

Each target turns one part into units, the lines of an Office file: a paragraph, a worksheet
row, an item of other text. Text goes to a `UnitStream` as the parser gives it, so a part holds
no more in memory than one cell or one element's own text, however long the part: cells at
most `MAX_CELL_CHARS` (Excel's own limit), shared strings for cells to look up at most
`SHARED_STRINGS_KEPT` bytes (the rest are scanned where they are defined), and text of elements
outside paragraphs at most `MAX_HELD_CHARS` before it is scanned.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable

from ..limits import MiB
from .tables import TableDob
from .windows import UnitStream
from .xmlstream import Budget, qualified

MAX_CELL_CHARS = 32_767  # the most text Excel keeps in one cell
MAX_ROW_CELLS = 16_384  # Excel's columns: a row with more cells is crafted
SHARED_STRINGS_KEPT = 8 * MiB  # UTF-8 bytes of shared strings kept for cells to look up
MAX_HELD_CHARS = 256 * 1024  # text of elements outside paragraphs held before it is scanned

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO "strict" documents
)
_S_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_A_NAMESPACES = (
    "http://schemas.openxmlformats.org/drawingml/2006/main",  # text boxes, charts, SmartArt
    "http://purl.oclc.org/ooxml/drawingml/main",
)


def _tags(namespaces: Iterable[str], *names: str) -> frozenset[str]:
    return frozenset(qualified(ns, name) for ns in namespaces for name in names)


_PARAGRAPH = _tags(_W_NAMESPACES, "p") | _tags(_A_NAMESPACES, "p")
# Deleted text (tracked changes) and field codes are still in the file.
_RUN_TEXT = _tags(_W_NAMESPACES, "t", "delText", "instrText") | _tags(_A_NAMESPACES, "t")
_TAB = _tags(_W_NAMESPACES, "tab")
_BREAK = _tags(_W_NAMESPACES, "br", "cr") | _tags(_A_NAMESPACES, "br")
_S_SI = _tags(_S_NAMESPACES, "si")
_S_T = _tags(_S_NAMESPACES, "t")
_S_RPH = _tags(_S_NAMESPACES, "rPh")  # phonetic guide text repeats the cell's own text
_S_ROW = _tags(_S_NAMESPACES, "row")
_S_C = _tags(_S_NAMESPACES, "c")
_S_V = _tags(_S_NAMESPACES, "v")
_S_F = _tags(_S_NAMESPACES, "f")


class _Pieces:
    """Text of one cell or string, in pieces, kept up to MAX_CELL_CHARS."""

    def __init__(self, problems: list[str]) -> None:
        self.parts: list[str] = []
        self.size = 0
        self._problems = problems

    def add(self, text: str) -> None:
        """Keep text, up to the cell limit; past it, say once what was not read."""
        room = MAX_CELL_CHARS - self.size
        if len(text) > room:
            message = (
                f"a cell or string holds more than {MAX_CELL_CHARS:,} characters, more than "
                "Excel allows; the rest of it was not read"
            )
            if message not in self._problems:  # once for the file, not once a cell
                self._problems.append(message)
            text = text[: max(room, 0)]
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        """The text kept."""
        return "".join(self.parts)


class OfficeText:
    """Any Office part: each paragraph one unit, other text one unit an element.

    Paragraphs (w:p, a:p) keep only their runs' text, joined, so a number Word split across runs
    is whole again. Outside paragraphs every element's own text is a unit, and so is a "v"
    attribute: pivot caches keep a copy of the source rows there, even of a deleted sheet.
    """

    def __init__(self, label: str, budget: Budget, sink: UnitStream) -> None:
        self.label = label
        self.budget = budget
        self.sink = sink
        self._paragraphs: list[int] = []  # numbers of the open paragraphs: text boxes nest them
        self._elements: list[list[str] | None] = []  # per open element: its own text, if kept
        self._held = 0
        self._count = 0
        self._capture = 0

    def _where(self, kind: str, number: int) -> str:
        return f"{self.label}{kind} {number}"

    def _add(self, text: str) -> None:
        self.budget.spend_chars(len(text))
        self.sink.text(text)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a paragraph, a run's text or another element; add a tab or a break."""
        if tag in _PARAGRAPH:
            self._count += 1
            self._paragraphs.append(self._count)
            self._elements.append(None)
            self.sink.begin(self._count, self._where("paragraph", self._count))
        elif self._paragraphs:
            self._elements.append(None)
            if tag in _RUN_TEXT:
                self._capture += 1
            elif tag in _TAB:
                self._add("\t")
            elif tag in _BREAK:
                self._add(" ")
        else:
            own = [attrib["v"]] if attrib.get("v") else []
            self.budget.spend_chars(sum(map(len, own)))
            self._elements.append(own)
            self._hold(sum(map(len, own)))

    def end(self, tag: str) -> None:
        """Close a paragraph, a run's text or another element, scanning what it held."""
        own = self._elements.pop() if self._elements else None
        if tag in _PARAGRAPH and self._paragraphs:
            self._paragraphs.pop()
            self.sink.end()
            if self._paragraphs:  # the paragraph around a text box goes on, as its own line
                number = self._paragraphs[-1]
                self.sink.begin(number, self._where("paragraph", number))
        elif tag in _RUN_TEXT and self._capture:
            self._capture -= 1
        elif own is not None:
            self._count += 1
            self._emit(self._count, own)

    def data(self, text: str) -> None:
        """Scan a run's text; keep an element's own text outside paragraphs."""
        if self._paragraphs:
            if self._capture > 0:
                self._add(text)
        elif self._elements and self._elements[-1] is not None:
            self.budget.spend_chars(len(text))
            self._elements[-1].append(text)
            self._hold(len(text))

    def close(self) -> None:
        """End what a truncated part left open."""
        while self._paragraphs:
            self._paragraphs.pop()
            self.sink.end()
        self._elements.clear()

    def _emit(self, number: int, parts: list[str]) -> None:
        text = "".join(parts)
        self._held -= len(text)
        if text.strip():
            self.sink.begin(number, self._where("item", number))
            self.sink.text(text)
            self.sink.end()

    def _hold(self, n: int) -> None:
        self._held += n
        if self._held > MAX_HELD_CHARS:
            # Scan what every open element holds now, each as an item of its own.
            for parts in self._elements:
                if parts:
                    self._count += 1
                    self._emit(self._count, parts)
                    parts.clear()
            self._held = 0


class StringTable:
    """Shared strings for cells to look up: one bytearray of UTF-8 and the offsets into it."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("I")  # where each string ends in _text (< 2**32: it is bounded)
        self.used = bytearray()  # 1 for a string a cell used, or already scanned

    def __len__(self) -> int:
        return len(self._ends)

    def add(self, text: str) -> bool:
        """Keep a string; False (kept empty) once SHARED_STRINGS_KEPT bytes are kept."""
        data = text.encode("utf-8", "surrogatepass")
        kept = len(self._text) + len(data) <= SHARED_STRINGS_KEPT
        if kept:
            self._text += data
        self._ends.append(len(self._text))
        self.used.append(0 if kept else 1)
        return kept

    def get(self, index: int) -> str:
        """The string at index ("" for one that was not kept)."""
        start = self._ends[index - 1] if index else 0
        return self._text[start : self._ends[index]].decode("utf-8", "surrogatepass")


class SharedStrings:
    """xl/sharedStrings.xml: one string per si, without phonetic runs, kept in a StringTable."""

    def __init__(self, prefix: str, budget: Budget, sink: UnitStream, problems: list[str]):
        self.prefix = prefix
        self.budget = budget
        self.sink = sink
        self.problems = problems
        self.table = StringTable()
        self._pieces: _Pieces | None = None
        self._capture = 0
        self._phonetic = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a string, a text run or a phonetic run."""
        if tag in _S_SI:
            self._pieces = _Pieces(self.problems)
        elif tag in _S_RPH:
            self._phonetic += 1
        elif tag in _S_T:
            self._capture += 1

    def end(self, tag: str) -> None:
        """Close a string, a text run or a phonetic run."""
        if tag in _S_SI and self._pieces is not None:
            self._keep(self._pieces.text())
            self._pieces = None
        elif tag in _S_RPH:
            self._phonetic -= 1
        elif tag in _S_T:
            self._capture -= 1

    def data(self, text: str) -> None:
        """Collect string text."""
        if self._capture > 0 and not self._phonetic and self._pieces is not None:
            self.budget.spend_chars(len(text))
            self._pieces.add(text)

    def close(self) -> None:
        """Keep a string a truncated part left open."""
        if self._pieces is not None and self._pieces.parts:
            self._keep(self._pieces.text())
        self._pieces = None

    def _keep(self, text: str) -> None:
        if not self.table.add(text) and text:
            # Too many strings to keep for the cells: scanned here, where they are defined.
            number = len(self.table)
            self.sink.begin(number, f"{self.prefix}shared string {number}")
            self.sink.text(text)
            self.sink.end()

    def unused(self) -> None:
        """Scan the strings no cell used: they are still in the file."""
        for index in range(len(self.table)):
            if not self.table.used[index]:
                text = self.table.get(index)
                if text:
                    where = f"{self.prefix}shared string {index + 1} (not used in any cell)"
                    self.sink.begin(index + 1, where)
                    self.sink.text(text)
                    self.sink.end()


def _column_index(ref: str | None, fallback: int) -> int:
    """A1 -> 0, AB7 -> 27; the next column when the reference is missing or odd."""
    if not ref:
        return fallback
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + (ord(char) - 64)
        elif "a" <= char <= "z":
            index = index * 26 + (ord(char) - 96)
        else:
            break
    return index - 1 if index > 0 else fallback


def _ascii_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _number_text(value: str) -> str:
    """A number as a person would type it: 9434765919, not 9.434765919E9 or 9434765919.0."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return value


class Worksheet:
    """A worksheet: each row one unit, its cells' text separated by tabs."""

    def __init__(
        self,
        sheet: str,
        strings: StringTable,
        budget: Budget,
        sink: UnitStream,
        problems: list[str],
        on_dob: Callable[[int, str, str], None],
    ) -> None:
        self.sheet = sheet
        self.strings = strings
        self.budget = budget
        self.sink = sink
        self.problems = problems
        self.on_dob = on_dob
        self.table = TableDob()
        self._row_number = 0
        self._in_row = False
        self._begun = False  # the row's unit has text
        self._cells: dict[int, str] = {}  # only the cells the date-of-birth columns need
        self._numeric: set[int] = set()
        self._cell: dict[str, str] | None = None
        self._col = -1
        self._value = self._inline = self._formula = _Pieces(problems)
        self._into: _Pieces | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a row, a cell, or one of a cell's value, inline string or formula."""
        if tag in _S_ROW:
            if self._in_row:
                self._end_row()
            r = _ascii_int(attrib.get("r", ""))
            self._row_number = r if r is not None else self._row_number + 1
            self._in_row, self._begun = True, False
            self._cells, self._numeric, self._col = {}, set(), -1
        elif tag in _S_C:
            self._cell = attrib
            self._col = _column_index(attrib.get("r"), self._col + 1)
            self._value = _Pieces(self.problems)
            self._inline = _Pieces(self.problems)
            self._formula = _Pieces(self.problems)
        elif self._cell is not None:
            if tag in _S_V:
                self._into = self._value
            elif tag in _S_F:
                self._into = self._formula
            elif tag in _S_T:
                self._into = self._inline

    def end(self, tag: str) -> None:
        """Resolve a cell's text, or end a finished row."""
        if tag in _S_V or tag in _S_F or tag in _S_T:
            self._into = None
        elif tag in _S_C and self._cell is not None:
            self._end_cell()
        elif tag in _S_ROW and self._in_row:
            self._end_row()

    def data(self, text: str) -> None:
        """Collect the text of a value, inline string or formula."""
        if self._into is not None:  # counted per cell in _end_cell
            self._into.add(text)

    def close(self) -> None:
        """End a row a truncated part left open."""
        if self._in_row:
            self._end_row()

    def _end_cell(self) -> None:
        kind = (self._cell or {}).get("t", "n")
        value = self._value.text()
        numeric = False
        if kind == "s":
            index = _ascii_int(value)
            text = ""
            if index is not None and index < len(self.strings):
                self.strings.used[index] = 1
                text = self.strings.get(index)
        elif kind == "inlineStr":
            text = self._inline.text()
        elif kind == "n":
            text = _number_text(value) if value else ""
            numeric = bool(text)
        elif kind in ("b", "e"):
            text = ""
        else:  # "str" (a formula's text) and "d" (an ISO date)
            text = value
        formula = self._formula.text()
        if formula:  # a literal inside a formula is in the file too: =IF(A2=9434765919,…)
            text = f"{text} {formula}" if text else formula
        if self._in_row and text:
            self.budget.spend_chars(len(text))  # shared strings can be repeated: count each use
            if self._begun:
                self.sink.text("\t")
            else:
                self.sink.begin(self._row_number, f"{self.sheet} row {self._row_number}")
                self._begun = True
            self.sink.text(text)
            if len(self._cells) < MAX_ROW_CELLS and self.table.wants(self._col, text):
                self._cells[self._col] = text.replace("\n", " ").replace("\r", " ")
                if numeric:
                    self._numeric.add(self._col)
        self._cell = None

    def _end_row(self) -> None:
        if self._begun:
            self.sink.end()
        where = f"{self.sheet} row {self._row_number}"
        for date in self.table.row(self._cells, frozenset(self._numeric)):
            self.on_dob(self._row_number, where, date)
        self._in_row, self._begun = False, False
        self._cells = {}
