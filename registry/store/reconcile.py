"""Finding what a crash (or a hand edit) left out of step, for `cmsreg-server check --repair`.

The rule the store keeps: a version exists when its annotated tag exists, and main holds, for
every pack, the tree of its newest tag by SemVer precedence (or nothing, when it has no tag).
Anything else is drift that ContentStore.repair() mends from the tags.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .messages import parse_approval
from .models import SubmissionRef
from .names import (
    MAIN_REF,
    SUBMISSION_PREFIX,
    TAG_PREFIX,
    parse_submission_ref,
    parse_tag_ref,
    version_key,
)

if TYPE_CHECKING:
    from .reader import StoreReader

# Git holds a ref lock for milliseconds; one this old was left by a process that died.
STALE_LOCK_SECONDS = 60.0


@dataclass(frozen=True)
class PackDrift:
    """A pack whose tree on main is not the tree of its newest approved version."""

    publisher: str
    name: str
    version: str | None  # newest approved version, None when no tag exists
    expected_tree: str | None
    main_tree: str | None


@dataclass(frozen=True)
class ReconcileReport:
    """Differences between the tags (the truth) and the other refs."""

    main_drift: list[PackDrift] = field(default_factory=list)
    finished_submissions: list[SubmissionRef] = field(default_factory=list)  # already tagged
    unknown_tags: list[str] = field(default_factory=list)  # tags the store did not write
    stale_locks: list[str] = field(default_factory=list)  # ref lock files of dead writers
    # Branches the registry did not write (pushed by hand, or not a submission): (ref, oid).
    foreign_branches: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing needs repair."""
        return not (
            self.main_drift
            or self.finished_submissions
            or self.unknown_tags
            or self.stale_locks
            or self.foreign_branches
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return asdict(self) | {"ok": self.ok}


def stale_locks(repo_path: Path, older_than: float = STALE_LOCK_SECONDS) -> list[Path]:
    """Return git lock files (refs, packed-refs, HEAD, config) older than older_than seconds."""
    cutoff = time.time() - older_than
    candidates = [*repo_path.glob("*.lock"), *(repo_path / "refs").rglob("*.lock")]
    return sorted(p for p in candidates if p.is_file() and p.stat().st_mtime < cutoff)


def build_report(reader: StoreReader) -> ReconcileReport:
    """Compare main and the submission branches with the tags; reads only, takes no lock."""
    repo = reader.repo
    newest: dict[tuple[str, str], tuple[str, str]] = {}  # pack -> (version, tagged commit)
    tag_rows: dict[tuple[str, str], list[str]] = {}  # pack -> tag object ids
    unknown = []
    for row in repo.refs(TAG_PREFIX):
        parsed = parse_tag_ref(row.ref)
        if parsed is None or row.kind != "tag":
            unknown.append(row.ref)
            continue
        pack, version = parsed[:2], parsed[2]
        tag_rows.setdefault(pack, []).append(row.oid)
        if pack not in newest or version_key(version) > version_key(newest[pack][0]):
            newest[pack] = (version, row.peeled)

    on_main = repo.main_packs()
    drift = []
    for pack in sorted(newest.keys() | on_main.keys()):
        version, commit = newest.get(pack, (None, None))
        expected = repo.pack_tree(commit, *pack) if commit else None
        if expected != on_main.get(pack):
            drift.append(PackDrift(*pack, version, expected, on_main.get(pack)))

    finished = []
    for sub in reader.submissions():
        for tag_object in tag_rows.get((sub.publisher, sub.name), []):
            message = repo.read_tag(tag_object).message
            if parse_approval(message)[2] == sub.submission_id:
                finished.append(sub)
                break

    locks = [str(p) for p in stale_locks(repo.path)]
    return ReconcileReport(drift, finished, unknown, locks, foreign_branches(reader))


def foreign_branches(reader: StoreReader) -> list[tuple[str, str]]:
    """Branches other than main, and refs under refs/submissions/ the registry did not write."""
    foreign = [(row.ref, row.oid) for row in reader.repo.refs("refs/heads/") if row.ref != MAIN_REF]
    for row in reader.repo.refs(SUBMISSION_PREFIX):
        sid = parse_submission_ref(row.ref)
        if sid is None or row.kind != "commit" or not reader.is_submission(sid, row.oid):
            foreign.append((row.ref, row.oid))
    return foreign
