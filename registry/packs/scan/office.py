"""Word (.docx) and Excel (.xlsx) files: every XML part read and scanned, within one budget.

Read are the body, headers, footers, comments, tracked deletions, document properties, pivot
caches (which keep a deleted sheet's rows), drawings, and documents embedded in them, two
levels deep. The file is opened where it was spooled, and an embedded document is spooled too,
so nothing is held whole in memory; its table of contents is bounded before zipfile reads it.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from typing import BinaryIO

from ..archive.zipread import central_directory
from ..filetypes import EXCEL_EXTENSIONS, WORD_EXTENSIONS, extension
from ..limits import MiB
from ..problems import Finding
from ..spool import Content
from .findings import HIT_LIMIT, capped, finding, unscanned
from .officexml import OfficeText, SharedStrings, Worksheet
from .rules import Hit
from .windows import UnitStream
from .xmlstream import Budget, Unreadable, XmlTarget, parse, part_chunks

MAX_PARTS = 1000  # parts read from one Office file
MAX_ENTRIES = 10 * MAX_PARTS  # names looked at in one Office file
# zipfile reads a file's whole table of contents and makes an object of every entry: 10,000
# entries with names of a hundred bytes fit in this, and so does every real Office file.
MAX_DIRECTORY_BYTES = 1 * MiB
MAX_EMBEDDING = 2  # a workbook embedded in a document embedded in a document, and no deeper
EMBEDDED_IN_MEMORY = 1 * MiB  # an embedded document larger than this is spooled to disk
_WORD_PARTS = re.compile(r"word/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_SHEET_PARTS = re.compile(r"xl/worksheets/[^/]+\.xml")


def _part_label(name: str) -> str:
    """How a finding names a part: "header1 ", "sheet2 ", or the part's path for the rest."""
    if name == "word/document.xml":
        return ""
    if _WORD_PARTS.fullmatch(name) or _SHEET_PARTS.fullmatch(name):
        return name.rsplit("/", 1)[-1].rsplit(".", 1)[0] + " "
    return name + " "


def _by_number(name: str) -> tuple[str, int, str]:
    """Sort sheet2 before sheet10."""
    stem = re.sub(r"\d+", "", name)
    digits = re.sub(r"\D", "", name)
    return (stem, int(digits) if digits else 0, name)


def _opened(file: BinaryIO) -> zipfile.ZipFile:
    """The file as a zip, once its table of contents is known to be of a sane size."""
    _, size = central_directory(file)
    if size > MAX_DIRECTORY_BYTES:
        raise Unreadable(f"its table of contents is larger than {MAX_DIRECTORY_BYTES:,} bytes")
    return zipfile.ZipFile(file)


def _read_part(
    zf: zipfile.ZipFile, name: str, target: XmlTarget, budget: Budget, problems: list[str]
) -> None:
    """Parse one part into target; what could not be read becomes a problem, never an error."""
    try:
        parse(part_chunks(zf, zf.getinfo(name), budget), target)
    except Unreadable as exc:
        problems.append(f"{name}: {exc}")
    except Exception as exc:
        # Hostile zips fail in many ways (encrypted members, unknown compression, bad CRCs,
        # truncated streams); none of them may stop the scan of the rest.
        problems.append(f"{name}: it could not be read ({type(exc).__name__})")
    target.close()  # keep whatever a truncated part had already given


class _Office:
    """The text of one Word or Excel file, part by part, within one budget."""

    def __init__(self, budget: Budget, problems: list[str], sink: UnitStream) -> None:
        self.budget = budget
        self.problems = problems
        self.sink = sink
        self.dobs: list[tuple[int, str, str]] = []  # (line, where, date) under DOB headings
        self.parts_read = 0
        self.skipped: list[str] = []

    def _room(self, name: str) -> bool:
        if self.budget.spent or self.parts_read >= MAX_PARTS:
            self.skipped.append(name)
            return False
        self.parts_read += 1
        return True

    def read(self, zf: zipfile.ZipFile, kind: str, prefix: str = "", depth: int = 0) -> None:
        """Read every part of an open .docx (kind "word") or .xlsx (kind "excel")."""
        names = zf.namelist()
        if len(names) > MAX_ENTRIES:
            # Sorting and matching a million names would cost more than any real file needs.
            self.problems.append(
                f"it has {len(names):,} parts and only the first {MAX_ENTRIES:,} were looked at"
            )
            names = names[:MAX_ENTRIES]
        xml = [n for n in names if n.lower().endswith(".xml") and n != "[Content_Types].xml"]
        if kind == "word":
            if "word/document.xml" not in names:
                self.problems.append("it has no word/document.xml, so it is not a Word document")
            first = [n for n in ["word/document.xml"] if n in names]
            first += sorted((n for n in xml if _WORD_PARTS.fullmatch(n)), key=_by_number)
            for name in first:
                self._text_part(zf, name, prefix)
        else:
            first = self._read_workbook(zf, names, prefix)
        done = set(first)
        for name in sorted((n for n in xml if n not in done), key=_by_number):
            self._text_part(zf, name, prefix)
        for name in sorted(names, key=_by_number):
            self._embedded(zf, name, prefix, depth)

    def _text_part(self, zf: zipfile.ZipFile, name: str, prefix: str) -> None:
        if self._room(name):
            target = OfficeText(prefix + _part_label(name), self.budget, self.sink)
            _read_part(zf, name, target, self.budget, self.problems)

    def _read_workbook(self, zf: zipfile.ZipFile, names: list[str], prefix: str) -> list[str]:
        """Read shared strings and worksheets; return the parts read."""
        strings = SharedStrings(prefix, self.budget, self.sink, self.problems)
        if "xl/sharedStrings.xml" in names and self._room("xl/sharedStrings.xml"):
            _read_part(zf, "xl/sharedStrings.xml", strings, self.budget, self.problems)

        def on_dob(line: int, where: str, date: str) -> None:
            if len(self.dobs) < HIT_LIMIT:
                self.dobs.append((line, where, date))

        sheets = sorted((n for n in names if _SHEET_PARTS.fullmatch(n)), key=_by_number)
        if not sheets:
            self.problems.append("it has no worksheets, so it is not an Excel workbook")
        for name in sheets:
            if self._room(name):
                label = prefix + _part_label(name).strip()
                target = Worksheet(
                    label, strings.table, self.budget, self.sink, self.problems, on_dob
                )
                _read_part(zf, name, target, self.budget, self.problems)
        strings.unused()
        return ["xl/sharedStrings.xml", *sheets]

    def _embedded(self, zf: zipfile.ZipFile, name: str, prefix: str, depth: int) -> None:
        """A workbook or document embedded in this one is read too; other objects are named."""
        if not name.startswith(("word/embeddings/", "xl/embeddings/")) or name.endswith("/"):
            return
        ext = extension(name)
        if ext not in WORD_EXTENSIONS and ext not in EXCEL_EXTENSIONS:
            self.problems.append(f"{name}: an embedded object that cannot be scanned")
            return
        if depth >= MAX_EMBEDDING or not self._room(name):
            if depth >= MAX_EMBEDDING:
                self.problems.append(f"{name}: embedded too deep to be scanned")
            return
        try:
            with tempfile.SpooledTemporaryFile(max_size=EMBEDDED_IN_MEMORY) as inner:
                for chunk in part_chunks(zf, zf.getinfo(name), self.budget):
                    inner.write(chunk)
                inner.seek(0)
                with _opened(inner) as inner_zf:  # type: ignore[arg-type]
                    kind = "word" if ext in WORD_EXTENSIONS else "excel"
                    self.read(inner_zf, kind, f"{prefix}{name} ", depth + 1)
        except Unreadable as exc:
            self.problems.append(f"{name}: {exc}")
        except Exception as exc:
            self.problems.append(f"{name}: it could not be read ({type(exc).__name__})")


def office_findings(
    path: str, content: Content, allowed: frozenset[str], budget: Budget
) -> list[Finding]:
    """Every finding in one Word or Excel file, capped per rule, with what was not read."""
    problems: list[str] = []
    found: list[Finding] = []
    seen: set[tuple[int, str, str, str]] = set()

    def on_hit(line: int, where: str, hit: Hit) -> None:
        f = finding(path, line, hit.rule, hit.value, where)
        seen.add((f.line, f.rule, f.masked, where))
        found.append(f)

    sink = UnitStream(allowed, on_hit)
    office = _Office(budget, problems, sink)
    try:
        with content.open() as file, _opened(file) as zf:
            office.read(zf, "word" if extension(path) in WORD_EXTENSIONS else "excel")
    except Unreadable as exc:
        problems.append(str(exc))
    except Exception as exc:
        # Not a zip, a truncated one, a broken central directory: the moderator must look.
        problems.append(f"it could not be opened as a zip ({type(exc).__name__})")
    sink.close()
    if office.skipped:
        names = ", ".join(office.skipped[:3]) + (", ..." if len(office.skipped) > 3 else "")
        problems.append(f"{len(office.skipped)} more parts ({names}) were not read")
    for line, where, date in office.dobs:
        f = finding(path, line, "dob", date, where)
        if (f.line, f.rule, f.masked, where) not in seen:
            found.append(f)
    found.extend(unscanned(path, problem) for problem in problems)
    return capped(found)
