"""Reading approved versions and pending submissions; no lock, since git refs change atomically."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from cachetools import LRUCache

from registry.packs.build import sha256_hex

from . import trees
from .archives import ArchiveCache
from .diff import PackDiff, compare
from .errors import NotFound, StoreError
from .messages import parse_approval, parse_submission_message
from .models import ArchiveFile, FileInfo, SubmissionRef, TagInfo, TagRef
from .names import (
    MAIN_REF,
    SUBMISSION_PREFIX,
    TAG_PREFIX,
    check_path,
    check_slug,
    check_submission_id,
    check_version,
    parse_submission_ref,
    parse_tag_ref,
    submission_ref,
    tag_prefix,
    tag_ref,
    version_key,
)
from .objects import FILE_MODES
from .repo import DEFAULT_IDENTITY, Repository


@dataclass(frozen=True)
class _Version:
    tag_object: str
    commit: str
    tree: str  # packs/<publisher>/<name> in commit


def check_pack(publisher: object, name: object) -> tuple[str, str]:
    """Return (publisher, name) when both are slugs, else raise InvalidRef."""
    return check_slug(publisher, "publisher"), check_slug(name, "pack name")


LISTING_CACHE_SIZE = 512  # versions; a listing is a few hundred bytes per file
VERSION_CACHE_SIZE = 4096  # tag objects; about 300 bytes each


class StoreReader:
    """Read-only access to the content store; use as a context manager to close its reader."""

    def __init__(
        self,
        path: Path,
        archive_cache: Path | None = None,
        *,
        identity: tuple[str, str] = DEFAULT_IDENTITY,
        lock_timeout: float = 30,
    ):
        self.repo = Repository(Path(path), identity=identity, lock_timeout=lock_timeout)
        folder = Path(archive_cache) if archive_cache else self.repo.path.parent / "archives"
        self.archives = ArchiveCache(folder)
        # File listings by tree id: a tree never changes, and hashing every file of a version
        # on each GET of its page would cost more than the request itself.
        # Shared by a worker's threads, so every use holds the lock (cachetools is not thread-safe).
        self._listings: LRUCache[str, tuple[FileInfo, ...]] = LRUCache(LISTING_CACHE_SIZE)
        # What a tag object points at never changes either: a download or a file read then asks
        # git one question (where the tag ref points) instead of five.
        self._versions: LRUCache[tuple[str, str, str], _Version] = LRUCache(VERSION_CACHE_SIZE)
        self._listings_lock = threading.Lock()  # guards both caches

    def close(self) -> None:
        """Stop the git reader process; the store can be used again afterwards."""
        self.repo.close()

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- refs ---------------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """True when the repository exists (init has run)."""
        return self.repo.exists()

    def head(self) -> str | None:
        """Return the commit main points at, or None before the first approval."""
        return self.repo.resolve(MAIN_REF)

    def versions(self, publisher: str, name: str) -> list[str]:
        """Return the approved versions of a pack, oldest first by SemVer precedence."""
        publisher, name = check_pack(publisher, name)
        rows = self.repo.refs(tag_prefix(publisher, name))
        found = [parse_tag_ref(row.ref) for row in rows if row.kind == "tag"]
        return sorted((v[2] for v in found if v), key=version_key)

    def all_tags(self) -> list[TagRef]:
        """Return every version tag in the store (for reconciliation with the database)."""
        tags = []
        for row in self.repo.refs(TAG_PREFIX):
            parsed = parse_tag_ref(row.ref)
            if parsed and row.kind == "tag" and row.peeled:
                tags.append(TagRef(*parsed, row.ref, row.oid, row.peeled))
        return tags

    def _version(self, publisher: str, name: str, version: str) -> _Version:
        publisher, name = check_pack(publisher, name)
        ref = tag_ref(publisher, name, check_version(version))
        found = self.repo.resolve_kind(ref)
        # Only annotated tags are versions; reconcile() reports any other tag as unknown.
        if found is None or found[1] != "tag":
            raise NotFound(f"{publisher}/{name} has no approved version {version}")
        with self._listings_lock:
            known = self._versions.get((found[0], publisher, name))
        if known is not None:
            return known
        commit = self.repo.read_tag(found[0]).object.hexsha
        tree = self.repo.pack_tree(commit, publisher, name)
        if tree is None:
            raise StoreError(f"tag {ref} names a commit without packs/{publisher}/{name}")
        known = _Version(found[0], commit, tree)
        with self._listings_lock:
            self._versions[(found[0], publisher, name)] = known
        return known

    def tag_info(self, publisher: str, name: str, version: str) -> TagInfo:
        """Return the tag of an approved version: commit, tree, tagger, time and approval record."""
        found = self._version(publisher, name, version)
        tag = self.repo.read_tag(found.tag_object)
        message = tag.message
        approver, note, submission_id = parse_approval(message)
        return TagInfo(
            publisher,
            name,
            version,
            tag_ref(publisher, name, version),
            found.tag_object,
            found.commit,
            found.tree,
            f"{tag.tagger.name} <{tag.tagger.email}>",
            datetime.fromtimestamp(tag.tagged_date, UTC),
            message,
            approver,
            note,
            submission_id,
        )

    # -- files of a version -------------------------------------------------------------------

    def _blob(self, oid: str) -> bytes:
        return self.repo.db.read_kind(oid, "blob")

    def _read_tree_files(self, tree: str) -> dict[str, bytes]:
        return {path: self._blob(oid) for path, oid in trees.walk_files(self.repo.db, tree).items()}

    def list_files(self, publisher: str, name: str, version: str) -> list[FileInfo]:
        """Return every file of a version with its size and the SHA-256 of its content."""
        tree = self._version(publisher, name, version).tree
        with self._listings_lock:
            listing = self._listings.get(tree)
        if listing is None:
            found = []
            for path, oid in sorted(trees.walk_files(self.repo.db, tree).items()):
                data = self._blob(oid)
                found.append(FileInfo(path, len(data), sha256_hex(data)))
            listing = tuple(found)
            with self._listings_lock:
                self._listings[tree] = listing
        return list(listing)

    def read_file(self, publisher: str, name: str, version: str, path: str) -> bytes:
        """Return one file of a version, or raise NotFound."""
        check_path(path)
        found = self._version(publisher, name, version)
        entry = trees.entry_at(self.repo.db, found.tree, path.split("/"))
        if entry is None or entry[0] not in FILE_MODES:
            raise NotFound(f"{publisher}/{name} {version} has no file {path}")
        return self._blob(entry[1])

    def files(self, publisher: str, name: str, version: str) -> dict[str, bytes]:
        """Return {path: content} of every file of a version."""
        return self._read_tree_files(self._version(publisher, name, version).tree)

    def archive_file(
        self, publisher: str, name: str, version: str, fmt: str = "zip"
    ) -> ArchiveFile:
        """Return the version's cached zip or tar.gz, built with registry.packs.build on a miss."""
        found = self._version(publisher, name, version)
        return self.archives.get(found.tag_object, fmt, lambda: self._read_tree_files(found.tree))

    def cached_archive(self, sha256: str, fmt: str = "zip") -> ArchiveFile | None:
        """Return the cached archive with this SHA-256 (as recorded at approval), or None.

        No git call: a download whose checksum the database holds is served from the cache.
        """
        return self.archives.by_sha256(sha256, fmt)

    def archive_sha256(self, publisher: str, name: str, version: str, fmt: str = "zip") -> str:
        """Return the SHA-256 (hex) of the version's archive."""
        return self.archive_file(publisher, name, version, fmt).sha256

    def diff(self, publisher: str, name: str, from_version: str, to_version: str) -> PackDiff:
        """Return the files added, removed and changed from one version to another."""
        check_pack(publisher, name)
        check_version(from_version)  # every argument is checked before any git call
        check_version(to_version)
        old = self._version(publisher, name, from_version)
        new = self._version(publisher, name, to_version)
        db = self.repo.db
        return compare(
            trees.walk_files(db, old.tree),
            trees.walk_files(db, new.tree),
            self._blob,
            from_version,
            to_version,
        )

    # -- submissions --------------------------------------------------------------------------

    def _submission_commit(self, submission_id: int | str) -> tuple[str, str]:
        sid = check_submission_id(submission_id)
        commit = self.repo.resolve(submission_ref(sid))
        if commit is None:
            raise NotFound(f"submission {sid} has no branch in the content store")
        return sid, commit

    def _submission(self, sid: str, commit: str) -> SubmissionRef:
        info = self.repo.read_commit(commit)
        pack = parse_submission_message(info.message)
        tree = self.repo.pack_tree(commit, *pack) if pack else None
        if pack is None or tree is None:
            raise StoreError(f"submission {sid}'s commit {commit} does not name its pack")
        parent = info.parents[0] if info.parents else None
        return SubmissionRef(sid, *pack, submission_ref(sid), commit, tree, parent)

    def submission(self, submission_id: int | str) -> SubmissionRef:
        """Return the pending submission's branch, commit and pack, or raise NotFound."""
        return self._submission(*self._submission_commit(submission_id))

    def is_submission(self, sid: str, commit: str) -> bool:
        """True when commit is a submission the registry wrote (it names its pack)."""
        try:
            self._submission(sid, commit)
        except StoreError:
            return False
        return True

    def submissions(self) -> list[SubmissionRef]:
        """Return every pending submission branch (for reconciliation with the database).

        Branches the registry did not write are left out here; reconcile() reports them.
        """
        found = []
        for row in self.repo.refs(SUBMISSION_PREFIX):
            sid = parse_submission_ref(row.ref)
            if sid is not None and row.kind == "commit" and self.is_submission(sid, row.oid):
                found.append(self._submission(sid, row.oid))
        return found

    def approved_submission(
        self, submission_id: int | str, publisher: str, name: str
    ) -> TagInfo | None:
        """Return the tag that records the approval of a submission, or None when none does."""
        publisher, name = check_pack(publisher, name)
        sid = check_submission_id(submission_id)
        for version in reversed(self.versions(publisher, name)):
            info = self.tag_info(publisher, name, version)
            if info.submission_id == sid:
                return info
        return None

    def _submission_tree(
        self, submission_id: int | str, publisher: str, name: str
    ) -> tuple[str, str | None]:
        """Return the submission's pack tree, and the version it became if it was approved."""
        publisher, name = check_pack(publisher, name)
        sid = check_submission_id(submission_id)
        commit = self.repo.resolve(submission_ref(sid))
        if commit is None:
            # An approval deletes the branch with the tag, so a caller whose own record of the
            # approval was lost in a crash still finds the files, under the tag.
            approved = self.approved_submission(sid, publisher, name)
            if approved is None:
                raise NotFound(f"submission {sid} has no branch in the content store")
            return approved.tree, approved.version
        tree = self.repo.pack_tree(commit, publisher, name)
        if tree is None:
            raise NotFound(f"submission {sid} holds no pack {publisher}/{name}")
        return tree, None

    def submission_files(
        self, submission_id: int | str, publisher: str, name: str
    ) -> dict[str, bytes]:
        """Return {path: content} of a submission, pending or (found by its tag) approved."""
        return self._read_tree_files(self._submission_tree(submission_id, publisher, name)[0])

    def diff_submission(
        self, submission_id: int | str, publisher: str, name: str, against: str | None = None
    ) -> PackDiff:
        """Compare a submission with version `against` (default: the newest approved before it)."""
        if against is not None:
            check_version(against)
        tree, became = self._submission_tree(submission_id, publisher, name)
        if against is None:
            approved = self.versions(publisher, name)
            if became is not None:  # already approved: compare with what came before it
                approved = [v for v in approved if version_key(v) < version_key(became)]
            against = approved[-1] if approved else None
        db = self.repo.db
        old = (
            {}
            if against is None
            else trees.walk_files(db, self._version(publisher, name, against).tree)
        )
        return compare(old, trees.walk_files(db, tree), self._blob, against, None)
