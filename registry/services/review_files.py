"""A submission's files, for its publisher and its moderators, and any file as readable text.

The web review pages and the API read submission files through this module alone: who may
see them is `publish.visible_submission`'s rule, whichever door they come through.

Word and Excel files are shown as the text the personal-data scan reads from them, unit by
unit (a paragraph, a row), numbered as the scan numbers its findings, so a finding's line
leads to the very paragraph or row.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Literal

from registry.db.models import SubmissionStatus
from registry.errors import Gone, NotFound
from registry.packs.build import BuiltArchive, build_tar_gz, build_zip
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


@dataclass
class Held:
    """A submission's files as the store holds them, with what names the submission."""

    publisher: str
    name: str
    version: str
    status: SubmissionStatus
    files: dict[str, bytes]


def _held(reg: Registry, actor: Actor, submission_id: int) -> Held:
    """Every file of a submission the actor may see; none once refused content is gone."""
    with reg.db.session() as session:
        sub = visible_submission(session, actor, submission_id)
        status, publisher, name, version = sub.status, sub.publisher.slug, sub.name, sub.version
    if status in LIVE:
        content = reg.store.submission_files(submission_id, publisher, name)
    elif status == SubmissionStatus.APPROVED:
        content = reg.store.files(publisher, name, version)
    else:
        content = {}  # rejected and withdrawn content leaves the store
    return Held(publisher, name, version, status, content)


def _content(reg: Registry, actor: Actor, submission_id: int) -> dict[str, bytes]:
    return _held(reg, actor, submission_id).files


def _present(reg: Registry, actor: Actor, submission_id: int) -> Held:
    """The submission's files; 410 once a reject or withdrawal has removed them."""
    held = _held(reg, actor, submission_id)
    if held.status not in LIVE and held.status != SubmissionStatus.APPROVED:
        raise Gone(
            f"Submission {submission_id} was {held.status}: its files have been removed from the "
            "registry. The publisher keeps their own copy."
        )
    return held


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


def file_type(path: str) -> str:
    """What kind of file a name says it is: text, word, excel or binary."""
    ext = extension(path)
    if ext in WORD_EXTENSIONS:
        return "word"
    if ext in EXCEL_EXTENSIONS:
        return "excel"
    return "text" if is_text_name(path) else "binary"


def listing(reg: Registry, actor: Actor, submission_id: int) -> list[dict]:
    """Every file of a submission with its size, SHA-256 and type; 410 once removed."""
    held = _present(reg, actor, submission_id)
    return [
        {
            "path": path,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "type": file_type(path),
        }
        for path, data in sorted(held.files.items())
    ]


@dataclass
class RawFile:
    """One file's bytes as stored, and whether it is served as text."""

    data: bytes
    is_text: bool


def raw(reg: Registry, actor: Actor, submission_id: int, path: str) -> RawFile:
    """One file of a submission byte for byte, DOCX and XLSX included; 410 once removed."""
    found = _present(reg, actor, submission_id).files.get(path)
    if found is None:
        raise NotFound(f"Submission {submission_id} has no file {path[:200]}.")
    return RawFile(found, is_text_name(path))


@dataclass
class SubmissionArchive:
    """A submission's files as one archive, and the name to save it under."""

    built: BuiltArchive
    filename: str


def archive(reg: Registry, actor: Actor, submission_id: int, fmt: str = "zip") -> SubmissionArchive:
    """The submission as a zip or tar.gz, built as `cmsreg build` builds it; 410 once removed."""
    held = _present(reg, actor, submission_id)
    built = build_zip(held.files) if fmt == "zip" else build_tar_gz(held.files)
    return SubmissionArchive(built, f"{held.name}-{held.version}-submission-{submission_id}.{fmt}")
