"""What the store returns: plain frozen records with a to_dict for JSON answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        data = asdict(self)  # every subclass is a dataclass
        return {k: str(v) if isinstance(v, Path | datetime) else v for k, v in data.items()}


@dataclass(frozen=True)
class FileInfo(_Record):
    """One file of a pack: its path, size in bytes and SHA-256 of its content."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SubmissionRef(_Record):
    """A pending submission branch and the pack it carries."""

    submission_id: str
    publisher: str
    name: str
    branch: str  # refs/submissions/<id>
    commit: str
    tree: str  # the pack's own tree, packs/<publisher>/<name>
    parent: str | None  # main when the submission was made; None before the first approval


@dataclass(frozen=True)
class ApprovedVersion(_Record):
    """The result of an approval: the tag and the commit it names."""

    publisher: str
    name: str
    version: str
    tag: str  # refs/tags/<publisher>/<name>/v<version>
    tag_object: str
    commit: str
    tree: str  # the pack's own tree: identical content gives an identical id
    on_main: bool  # False when a newer version already held main


@dataclass(frozen=True)
class TagRef(_Record):
    """A version tag as listed by all_tags()."""

    publisher: str
    name: str
    version: str
    tag: str
    tag_object: str
    commit: str


@dataclass(frozen=True)
class TagInfo(_Record):
    """An approved version's tag with its approval record."""

    publisher: str
    name: str
    version: str
    tag: str
    tag_object: str
    commit: str
    tree: str
    tagger: str
    tagged_at: datetime
    message: str
    approver: str | None
    note: str
    submission_id: str | None


@dataclass(frozen=True)
class ArchiveFile(_Record):
    """A cached download: where it is, its SHA-256 and size."""

    path: Path
    sha256: str
    size: int
    fmt: str  # "zip" or "tar.gz"


@dataclass(frozen=True)
class GcReport:
    """What a gc freed: the repository's size before and after (bytes), archives removed."""

    size_before: int
    size_after: int
    archives_removed: int
