"""The store as the service layer sees it: a Protocol, so services depend on behaviour, not git."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from .diff import PackDiff
from .models import (
    ApprovedVersion,
    ArchiveFile,
    FileInfo,
    GcReport,
    SubmissionRef,
    TagInfo,
    TagRef,
)
from .reconcile import ReconcileReport
from .trees import FileContent


@runtime_checkable
class PackStore(Protocol):
    """Versioned pack content: pending submissions, approved versions, downloads and diffs."""

    def init(self) -> None:
        """Create the store if it does not exist."""

    def close(self) -> None:
        """Release the store's processes and files."""

    def submit(
        self,
        submission_id: int | str,
        publisher: str,
        name: str,
        files: Mapping[str, FileContent],
        *,
        replace: bool = False,
    ) -> SubmissionRef:
        """Hold files as a pending submission."""

    def approve(
        self,
        submission_id: int | str,
        publisher: str,
        name: str,
        version: str,
        *,
        approver: str,
        note: str = "",
    ) -> ApprovedVersion:
        """Turn a pending submission into an immutable approved version."""

    def drop_submission(self, submission_id: int | str) -> bool:
        """Forget a pending submission (withdrawn or rejected)."""

    def submission(self, submission_id: int | str) -> SubmissionRef:
        """Return a pending submission."""

    def submissions(self) -> list[SubmissionRef]:
        """Return every pending submission."""

    def approved_submission(
        self, submission_id: int | str, publisher: str, name: str
    ) -> TagInfo | None:
        """Return the approval of a submission, or None when it is not approved."""

    def submission_files(
        self, submission_id: int | str, publisher: str, name: str
    ) -> dict[str, bytes]:
        """Return the files of a pending submission."""

    def diff_submission(
        self, submission_id: int | str, publisher: str, name: str, against: str | None = None
    ) -> PackDiff:
        """Compare a pending submission with an approved version."""

    def is_ready(self) -> bool:
        """True when the store can be used."""

    def head(self) -> str | None:
        """Return an id for the current state of the latest content."""

    def versions(self, publisher: str, name: str) -> list[str]:
        """Return a pack's approved versions, oldest first."""

    def all_tags(self) -> list[TagRef]:
        """Return every approved version."""

    def tag_info(self, publisher: str, name: str, version: str) -> TagInfo:
        """Return the approval record of a version."""

    def list_files(self, publisher: str, name: str, version: str) -> list[FileInfo]:
        """Return a version's files with sizes and SHA-256."""

    def read_file(self, publisher: str, name: str, version: str, path: str) -> bytes:
        """Return one file of a version."""

    def files(self, publisher: str, name: str, version: str) -> dict[str, bytes]:
        """Return every file of a version."""

    def archive_file(
        self, publisher: str, name: str, version: str, fmt: str = "zip"
    ) -> ArchiveFile:
        """Return where a version's reproducible archive is, with its SHA-256 and size."""

    def cached_archive(self, sha256: str, fmt: str = "zip") -> ArchiveFile | None:
        """Return the already built archive with this SHA-256, or None."""

    def archive_sha256(self, publisher: str, name: str, version: str, fmt: str = "zip") -> str:
        """Return the SHA-256 of a version's archive."""

    def diff(self, publisher: str, name: str, from_version: str, to_version: str) -> PackDiff:
        """Compare two approved versions."""

    def reconcile(self) -> ReconcileReport:
        """Report inconsistencies a crash could leave."""

    def repair(self) -> list[str]:
        """Mend what reconcile() reports."""

    def remove_version(self, publisher: str, name: str, version: str) -> bool:
        """Delete the tag of a version no standing approval backs (repair only)."""

    def gc(self) -> GcReport:
        """Prune what no ref reaches; report the sizes before and after."""
