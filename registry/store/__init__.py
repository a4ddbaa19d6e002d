"""The git content store: the source of truth for pack files.

One bare repository. `main` holds the newest approved version of every pack at
`packs/<publisher>/<name>/`; each approved version is an annotated tag
`<publisher>/<name>/v<version>`; a pending submission is the ref `refs/submissions/<id>`,
which no clone or mirror receives.
Commits are built from object ids (no index, no work tree), ref changes are compare-and-swap
under one flock, and no user string reaches git as an argument. See content.py for the order
of writes and what a crash at each step leaves.
"""

from .content import ContentStore
from .diff import FileChange, PackDiff
from .errors import Busy, Conflict, InvalidRef, NotFound, StoreError
from .interface import PackStore
from .models import ApprovedVersion, ArchiveFile, FileInfo, SubmissionRef, TagInfo, TagRef
from .reader import StoreReader
from .reconcile import PackDrift, ReconcileReport

__all__ = [
    "ApprovedVersion",
    "ArchiveFile",
    "Busy",
    "Conflict",
    "ContentStore",
    "FileChange",
    "FileInfo",
    "InvalidRef",
    "NotFound",
    "PackDiff",
    "PackDrift",
    "PackStore",
    "ReconcileReport",
    "StoreError",
    "StoreReader",
    "SubmissionRef",
    "TagInfo",
    "TagRef",
]
