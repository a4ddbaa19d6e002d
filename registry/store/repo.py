"""The repository handle: a bare repository (a GitPython `git.Repo`), its refs and its locks.

Reads go through GitPython's long-lived `git cat-file`; ref changes go through
`git update-ref --stdin` as one compare-and-swap transaction. Every name passed to git here is
an object id or a ref name built from checked parts; close() (or `with`) stops the readers.
Each process opens its own `git.Repo` on first use, so a forked worker never shares the
parent's cat-file pipes.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git
from gitdb.util import hex_to_bin

from . import trees
from .errors import Conflict, StoreError
from .gitproc import GitFailed, init_bare, open_repo, run
from .lock import exclusive, shared, sole
from .names import LEGACY_SUBMISSION_PREFIX, MAIN_REF, OID_RE, SUBMISSION_PREFIX
from .objects import ObjectDB

ZERO_OID = "0" * 40
TEMP_OBJECT_MIN_AGE = 3600.0  # seconds: a half-written object this old belongs to a dead writer
DEFAULT_IDENTITY = ("cmsreg registry", "registry@cmsreg.invalid")
# Refs the store builds: no spaces, no "..", nothing git would read as a revision expression.
# git's words when a ref's lock file exists already (a writer killed while it held the lock).
_LOCK_IN_THE_WAY = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_SAFE_REF = re.compile(r"refs/(?:[A-Za-z0-9][A-Za-z0-9.+-]*/)*[A-Za-z0-9][A-Za-z0-9.+-]*/?")
# Set on every init, so an older repository picks up new settings.
REPO_CONFIG = (
    # A reflog for main records every move, a second line of recovery after a bad repair.
    ("core.logAllRefUpdates", "true"),
    # Pending submissions are not public: clones and fetches see tags and main only.
    ("uploadpack.hideRefs", "refs/submissions/"),
)


@dataclass(frozen=True)
class RefRow:
    """One ref from for-each-ref: its name, the object it names, and the commit it peels to."""

    ref: str
    oid: str
    kind: str
    peeled: str  # the commit an annotated tag points at; empty for other refs


@dataclass(frozen=True)
class Commit:
    """The parts of a commit the store uses."""

    oid: str
    tree: str
    parents: tuple[str, ...]
    message: str


def _safe_ref(ref: str) -> str:
    if not _SAFE_REF.fullmatch(ref) or ".." in ref or ref.endswith((".", ".lock")):
        raise StoreError(f"refusing to pass {ref!r} to git")
    return ref


class Repository:
    """A bare git repository used as the content store."""

    def __init__(
        self, path: Path, *, identity: tuple[str, str] = DEFAULT_IDENTITY, lock_timeout: float = 30
    ):
        self.path = Path(path).absolute()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.objects_lock_path = self.path.with_name(self.path.name + ".objects.lock")
        self.identity = identity
        self.lock_timeout = lock_timeout
        self._handle: git.Repo | None = None
        self._pid = 0
        self._opening = threading.Lock()

    @property
    def handle(self) -> git.Repo:
        """This process's `git.Repo` of the store, opened on first use."""
        handle = self._handle
        if handle is not None and self._pid == os.getpid():
            return handle
        with self._opening:
            if self._handle is not None and self._pid != os.getpid():
                _forget_inherited(self._handle)
                self._handle = None
            if self._handle is None:
                self._handle = open_repo(self.path, self.identity)
                self._pid = os.getpid()
            return self._handle

    @property
    def db(self) -> ObjectDB:
        """The object database: cat-file reads, in-process loose writes."""
        return self.handle.odb

    # -- life cycle ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """True when a repository has been initialised at path."""
        return (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()

    def init(self) -> None:
        """Create the bare repository, or bring an existing one's settings up to date."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.writing():
            if not self.exists():
                if self.path.exists() and any(self.path.iterdir()):
                    raise StoreError(f"{self.path} exists and is not a git repository")
                init_bare(self.path, self.identity)
            for key, value in REPO_CONFIG:
                self.git("config", key, value)
            self.git("symbolic-ref", "HEAD", MAIN_REF)
            self._move_legacy_submissions()

    def _move_legacy_submissions(self) -> None:
        """Move submission branches of older releases out of refs/heads/, where mirrors see them."""
        changes: list[tuple[str, str, str]] = []
        for row in self.refs(LEGACY_SUBMISSION_PREFIX):
            token = row.ref[len(LEGACY_SUBMISSION_PREFIX) :]
            target = SUBMISSION_PREFIX + token
            if _SAFE_REF.fullmatch(target) and self.resolve(target) is None:
                changes += [(target, row.oid, ZERO_OID), (row.ref, "", row.oid)]
        if changes:
            self.update_refs(changes)

    def close(self) -> None:
        """Stop the reader processes; the next use opens the repository again."""
        with self._opening:
            handle, self._handle = self._handle, None
            if handle is not None and self._pid == os.getpid():
                handle.close()
            elif handle is not None:
                _forget_inherited(handle)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: every ref change happens inside one of these."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(self.lock_path, self.lock_timeout):
            yield

    def git(self, command: str, *args: str, stdin: bytes | None = None) -> bytes:
        """Run a git command with fixed arguments (never user text) against this repository."""
        return run(self.handle, command, *args, stdin=stdin)

    # -- refs ---------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """Return the object id ref names, or None when the ref does not exist."""
        if not self.exists():
            return None
        # cat-file would also try refs/tags/<ref> etc. if the exact ref is missing; the store
        # never creates refs of those shapes, so a miss stays a miss.
        found = self.db.resolve(_safe_ref(ref))
        return found[0] if found else None

    def resolve_kind(self, ref: str) -> tuple[str, str] | None:
        """Return (object id, type) of what ref names, or None when the ref does not exist."""
        return self.db.resolve(_safe_ref(ref)) if self.exists() else None

    def refs(self, prefix: str) -> list[RefRow]:
        """Return every ref under prefix (a ref folder the store built, e.g. refs/tags/a/b/)."""
        if not self.exists():
            return []
        fmt = "--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)"
        out = self.git("for-each-ref", fmt, _safe_ref(prefix))
        rows = []
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            ref, oid, kind, peeled = line.split("\0")
            rows.append(RefRow(ref, oid, kind, peeled))
        return rows

    def update_refs(self, changes: list[tuple[str, str, str]]) -> None:
        """Apply (ref, new, old) changes as one transaction; "" as new deletes, ZERO as old creates.

        Every old value is checked by git under its ref lock, so a change made by anyone else
        since we read the ref makes the whole transaction fail instead of being overwritten.
        """
        lines = []
        for ref, new, old in changes:
            _safe_ref(ref)
            if not OID_RE.fullmatch(old) or (new and not OID_RE.fullmatch(new)):
                raise StoreError(f"bad object id in a change of {ref}")
            lines.append(f"delete {ref} {old}" if not new else f"update {ref} {new} {old}")
        stdin = ("\n".join(lines) + "\n").encode()
        removed: set[Path] = set()
        while True:
            try:
                self.git("update-ref", "--stdin", stdin=stdin)
                return
            except GitFailed as exc:
                stale = self._dead_writers_lock(exc)
                if stale is None or stale in removed:
                    raise _changed(exc) from exc
                # Every ref writer holds the store's write lock, as the caller does now: a git
                # lock file found meanwhile was left by a writer killed mid-transaction. git
                # reports one at a time (a ref's lock, then packed-refs.lock): each is removed
                # once, and a lock that comes back belongs to someone else.
                stale.unlink(missing_ok=True)
                removed.add(stale)

    def _dead_writers_lock(self, exc: GitFailed) -> Path | None:
        """The ref lock file (refs/…, packed-refs) git found in its way, if it is ours to remove."""
        found = _LOCK_IN_THE_WAY.search(str(exc.stderr))
        if found is None:
            return None
        path = Path(found.group(1))
        inside = path.resolve().is_relative_to(self.path.resolve())
        return path if inside and path.name.endswith(".lock") else None

    # -- objects ------------------------------------------------------------------------------

    def read_commit(self, oid: str) -> Commit:
        """Return the commit oid."""
        found = self.db.resolve(oid)
        if found is None or found[1] != "commit":
            raise StoreError(f"object {oid} should be a commit but is {found and found[1]}")
        commit = git.Commit(self.handle, hex_to_bin(oid))
        parents = tuple(p.hexsha for p in commit.parents)
        return Commit(oid, commit.tree.hexsha, parents, str(commit.message))

    def read_tag(self, oid: str) -> git.TagObject:
        """Return the annotated tag oid (GitPython reads it on first use of a field)."""
        found = self.db.resolve(oid)
        if found is None or found[1] != "tag":
            raise StoreError(f"object {oid} should be a tag but is {found and found[1]}")
        return git.TagObject(self.handle, hex_to_bin(oid))

    def _actor(self) -> tuple[git.Actor, datetime]:
        name, email = self.identity
        return git.Actor(name, email), datetime.fromtimestamp(int(time.time()), UTC)

    def write_commit(self, tree: str, parents: list[str], message: str) -> str:
        """Write a commit by the registry's identity and return its id."""
        actor, when = self._actor()
        commit = git.Commit.create_from_tree(
            self.handle,
            git.Tree(self.handle, hex_to_bin(tree)),
            message,
            parent_commits=[git.Commit(self.handle, hex_to_bin(p)) for p in parents],
            head=False,
            author=actor,
            committer=actor,
            author_date=when,
            commit_date=when,
        )
        return commit.hexsha

    def write_tag(self, target: str, tag_name: str, message: str) -> str:
        """Write an annotated tag object for commit target and return its id (`git mktag`)."""
        actor, when = self._actor()
        tagger = f"{actor.name} <{actor.email}> {int(when.timestamp())} +0000"
        # GitPython has no writer for tag objects: git mktag checks the text and writes it.
        text = f"object {target}\ntype commit\ntag {tag_name}\ntagger {tagger}\n\n{message}"
        return self.git("mktag", stdin=text.encode("utf-8")).decode("ascii").strip()

    def pack_tree(self, commit: str, publisher: str, name: str) -> str | None:
        """Return the tree of packs/<publisher>/<name> in commit, or None when absent."""
        return trees.tree_at(self.db, self.read_commit(commit).tree, ["packs", publisher, name])

    def main_packs(self) -> dict[tuple[str, str], str]:
        """Return {(publisher, name): tree id} of every pack on main."""
        main = self.resolve(MAIN_REF)
        if main is None:
            return {}
        packs = trees.tree_at(self.db, self.read_commit(main).tree, ["packs"])
        if packs is None:
            return {}
        return {
            (publisher, name): tree
            for publisher, folder in trees.subfolders(self.db, packs).items()
            for name, tree in trees.subfolders(self.db, folder).items()
        }

    # -- maintenance --------------------------------------------------------------------------

    @contextmanager
    def adding_objects(self) -> Iterator[None]:
        """Hold while writing objects that no ref names yet: gc prunes none of them meanwhile."""
        with shared(self.objects_lock_path, self.lock_timeout, "the content store"):
            yield

    def gc(self) -> None:
        """Pack objects and refs, and prune now every object no ref reaches.

        Refused content must not linger: reflog entries no ref reaches any more are expired,
        then git prunes unreachable objects at once. Writers that add objects before naming
        them (a submission's blobs) hold the objects lock, shared, so none is pruned mid-write.
        """
        # The objects lock first, as a submission takes them: the reverse order could deadlock.
        with sole(self.objects_lock_path, self.lock_timeout, "the content store"), self.writing():
            self.git("reflog", "expire", "--expire-unreachable=now", "--all")
            self.git("gc", "--quiet", "--prune=now")
            self.handle.git.clear_cache()  # cat-file may hold packs that gc has just replaced
            # gitdb writes an object to objects/obj* before renaming it; git's own gc only
            # knows its tmp_* names, so a writer's crash leftovers are removed here.
            cutoff = time.time() - TEMP_OBJECT_MIN_AGE
            for leftover in (self.path / "objects").glob("obj*"):
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink(missing_ok=True)

    def size(self) -> int:
        """Bytes the repository's objects take on disk."""
        objects = self.path / "objects"
        return sum(f.stat().st_size for f in objects.rglob("*") if f.is_file())


def _forget_inherited(handle: git.Repo) -> None:
    """Drop a `git.Repo` a forked child inherited, without stopping the parent's cat-file."""
    runner = handle.git
    for name in ("cat_file_all", "cat_file_header"):
        cmd = getattr(runner, name, None)
        if cmd is not None:
            # The child's copies of the pipes close; the process is the parent's, left running.
            for stream in (cmd.proc.stdin, cmd.proc.stdout, cmd.proc.stderr):
                if stream is not None:
                    stream.close()
            cmd.proc = None
            setattr(runner, name, None)


def _changed(exc: GitFailed) -> Conflict:
    return Conflict(
        "the content repository changed while this was being written, nothing was "
        f"changed; try again ({exc.stderr})"
    )
