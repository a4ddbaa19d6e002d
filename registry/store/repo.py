"""The repository handle: a bare repository, its objects, its refs and its write lock.

Reads go through one long-lived `git cat-file --batch`; ref changes go through
`git update-ref --stdin` as one compare-and-swap transaction. Every name passed to git here is
an object id or a ref name built from checked parts; close() (or `with`) stops the reader.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import trees
from .errors import Conflict, StoreError
from .gitproc import GitFailed, run_git
from .lock import exclusive, shared, sole
from .names import LEGACY_SUBMISSION_PREFIX, MAIN_REF, OID_RE, SUBMISSION_PREFIX
from .objects import ObjectDB, format_commit, format_ident, format_tag, parse_headers

ZERO_OID = "0" * 40
DEFAULT_IDENTITY = ("cmsreg registry", "registry@cmsreg.invalid")
# Refs the store builds: no spaces, no "..", nothing git would read as a revision expression.
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
        self.db = ObjectDB(self.path)

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
                self.path.mkdir(exist_ok=True)
                self.git("init", "--bare", "--quiet", "--initial-branch=main")
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
        """Stop the reader process."""
        self.db.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: every ref change happens inside one of these."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(self.lock_path, self.lock_timeout):
            yield

    def git(self, *args: str, stdin: bytes = b"") -> bytes:
        """Run git with fixed arguments against this repository."""
        # Reflog entries carry a committer: the registry's, not whoever runs the server.
        name, email = self.identity
        ident = {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        return run_git(self.path, args, stdin, ident)

    # -- refs ---------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """Return the object id ref names, or None when the ref does not exist."""
        if not self.exists():
            return None
        # cat-file would also try refs/tags/<ref> etc. if the exact ref is missing; the store
        # never creates refs of those shapes, so a miss stays a miss.
        obj = self.db.read(_safe_ref(ref))
        return obj.oid if obj else None

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
        try:
            self.git("update-ref", "--stdin", stdin=("\n".join(lines) + "\n").encode())
        except GitFailed as exc:
            raise Conflict(
                f"the content repository changed while this was being written, nothing was "
                f"changed; try again ({exc.stderr})"
            ) from exc

    # -- objects ------------------------------------------------------------------------------

    def read_commit(self, oid: str) -> Commit:
        """Return the commit oid."""
        fields, message = parse_headers(self.db.read_kind(oid, "commit"))
        return Commit(oid, fields["tree"][0], tuple(fields.get("parent", ())), message)

    def _ident(self) -> str:
        return format_ident(*self.identity, int(time.time()))

    def write_commit(self, tree: str, parents: list[str], message: str) -> str:
        """Write a commit by the registry's identity and return its id."""
        return self.db.write("commit", format_commit(tree, parents, self._ident(), message))

    def write_tag(self, target: str, tag_name: str, message: str) -> str:
        """Write an annotated tag object for commit target and return its id."""
        return self.db.write("tag", format_tag(target, tag_name, self._ident(), message))

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

    def fsck(self) -> str:
        """Run `git fsck --strict`; return its report, or raise StoreError when it finds faults."""
        return self.git("fsck", "--strict", "--no-progress", "--no-dangling").decode(
            "utf-8", "replace"
        )

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

    def size(self) -> int:
        """Bytes the repository's objects take on disk."""
        objects = self.path / "objects"
        return sum(f.stat().st_size for f in objects.rglob("*") if f.is_file())
