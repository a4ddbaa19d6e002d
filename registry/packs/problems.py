"""What validation reports: problems to fix, notices, and personal-data findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["block", "warn"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack: where it is, and what to do about it."""

    where: str  # a manifest field ("maintainers[0].email"), a file path, or "archive"
    message: str  # says what to fix, in words a council systems administrator uses
    line: int | None = None
    code: str = "invalid"  # stable machine-readable kind, e.g. "unknown-key", "zip-slip"

    def to_dict(self) -> dict:
        """Return the problem as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Notice:
    """Something accepted but changed or worth knowing (an alias normalised to its slug)."""

    where: str
    message: str

    def to_dict(self) -> dict:
        """Return the notice as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """Possible personal data: never carries the value in full, only a masked form."""

    file: str
    line: int
    # one of: nhs-number, upn, ni-number (block); postcode, email, phone, dob, sql-person-id,
    # unscanned (warn: part of a DOCX/XLSX could not be read, so a moderator must look at it)
    rule: str
    severity: Severity
    masked: str  # e.g. "943 *** **19"
    message: str

    def to_dict(self) -> dict:
        """Return the finding as a JSON-ready dict."""
        return asdict(self)


class FatalPackError(Exception):
    """Reading a pack had to stop (a compression bomb, an unreadable archive)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
