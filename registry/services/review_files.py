"""A submission's files, for its publisher and its moderators, and any file as readable text.

Word and Excel files are shown as the text the personal-data scan reads from them, unit by
unit (a paragraph, a row), numbered as the scan numbers its findings, so a finding's line
leads to the very paragraph or row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

from registry.db.models import SubmissionStatus
from registry.errors import NotFound
from registry.packs.filetypes import EXCEL_EXTENSIONS, WORD_EXTENSIONS, extension, is_text_name
from registry.packs.limits import MiB

# The scanner's own reader of Word and Excel files: what is shown is what was scanned.
from registry.packs.scan.office import _Office, _opened
from registry.packs.scan.xmlstream import Budget
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.publish import visible_submission

MAX_SHOWN_BYTES = 2 * MiB  # a text file larger than this is offered as a download only
OFFICE_BUDGET = 16 * MiB  # XML bytes (and characters) read from one Word or Excel file
LIVE = (SubmissionStatus.PENDING, SubmissionStatus.APPROVING)

Kind = Literal["text", "office", "binary", "large"]


@dataclass
class Readable:
    """A file as a page shows it: text lines, Office units (where, text), or neither."""

    kind: Kind
    size: int
    lines: list[str] = field(default_factory=list)
    units: list[tuple[int, str, str]] = field(default_factory=list)  # (line, where, text)
    problems: list[str] = field(default_factory=list)


class _Collect:
    """A sink for the Office reader that keeps every unit's text instead of scanning it."""

    def __init__(self) -> None:
        self.units: list[tuple[int, str, str]] = []
        self._open: tuple[int, str, list[str]] | None = None

    def begin(self, line: int, where: str) -> None:
        self.end()
        self._open = (line, where, [])

    def text(self, text: str) -> None:
        if self._open is not None:
            self._open[2].append(text)

    def end(self) -> None:
        if self._open is not None:
            line, where, parts = self._open
            self.units.append((line, where, "".join(parts)))
            self._open = None

    def close(self) -> None:
        self.end()


def readable(path: str, data: bytes) -> Readable:
    """How to show one file: its text lines, its Office text, or only as a download."""
    ext = extension(path)
    if ext in WORD_EXTENSIONS or ext in EXCEL_EXTENSIONS:
        sink, problems = _Collect(), []
        office = _Office(Budget(OFFICE_BUDGET), problems, sink)  # type: ignore[arg-type]
        try:
            with _opened(io.BytesIO(data)) as zf:
                office.read(zf, "word" if ext in WORD_EXTENSIONS else "excel")
        except Exception as exc:  # a broken file is shown as such, never an error page
            problems.append(f"it could not be opened ({type(exc).__name__})")
        sink.close()
        return Readable("office", len(data), units=sink.units, problems=problems)
    if not is_text_name(path):
        return Readable("binary", len(data))
    if len(data) > MAX_SHOWN_BYTES:
        return Readable("large", len(data))
    return Readable("text", len(data), lines=data.decode("utf-8", "replace").splitlines())


def _content(reg: Registry, actor: Actor, submission_id: int) -> dict[str, bytes]:
    """Every file of a submission the actor may see; empty once refused content is gone."""
    with reg.db.session() as session:
        sub = visible_submission(session, actor, submission_id)
        status, publisher, name, version = sub.status, sub.publisher.slug, sub.name, sub.version
    if status in LIVE:
        return reg.store.submission_files(submission_id, publisher, name)
    if status == SubmissionStatus.APPROVED:
        return reg.store.files(publisher, name, version)
    return {}  # rejected and withdrawn content leaves the store


def files(reg: Registry, actor: Actor, submission_id: int) -> list[dict]:
    """A submission's files with their sizes, by path."""
    return [
        {"path": path, "size": len(data)}
        for path, data in sorted(_content(reg, actor, submission_id).items())
    ]


def read(reg: Registry, actor: Actor, submission_id: int, path: str) -> tuple[bytes, Readable]:
    """One file of a submission, as stored and as a page shows it."""
    found = _content(reg, actor, submission_id).get(path)
    if found is None:
        raise NotFound(f"Submission {submission_id} has no file {path[:200]}.")
    return found, readable(path, found)
