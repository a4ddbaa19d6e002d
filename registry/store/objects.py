"""Git objects through GitPython and gitdb: reads by `git cat-file`, loose writes in-process.

`ObjectDB` is the object database GitPython opens the repository with (`git.Repo(path,
odbt=ObjectDB)`): GitPython's own `GitCmdObjectDB`, whose reads go to one persistent
`git cat-file --batch` (and `--batch-check`) per process, made safe for a worker's threads, and
whose writes are gitdb's loose-object writer (zlib, a temporary file renamed into place), so
storing a blob or a tree costs no process. Trees are serialised by GitPython
(`tree_to_stream`), commits by `git.Commit`; tags by `git mktag` (see repo.py).

A crash leaves at most a temporary file in the object folder, which `git gc` removes, or
unreachable objects it prunes. Like git by default (core.fsync), loose objects are not fsynced:
a process crash is safe, a power cut needs the file system's own journal.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from pathlib import Path

import git
from cachetools import LRUCache
from git.objects.fun import tree_entries_from_data, tree_to_stream
from gitdb import IStream, OStream
from gitdb.db.loose import LooseObjectDB
from gitdb.util import bin_to_hex, hex_to_bin

from .errors import StoreError

TREE_MODE = 0o040000
BLOB_MODE = 0o100644
FILE_MODES = (0o100644, 0o100755)
TREE_CACHE_SIZE = 4096  # parsed trees by id; a tree never changes, so an entry never goes stale

TreeEntry = tuple[bytes, int, str]  # 20-byte binary id, mode, name: GitPython's own tuples


class _Chunks(io.RawIOBase):
    """A file-like view of chunks of bytes, for gitdb to read an object a piece at a time."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._left = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._left) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._left += chunk
        if size < 0:
            size = len(self._left)
        out, self._left = self._left[:size], self._left[size:]
        self.size += len(out)
        return out


class ObjectDB(git.GitCmdObjectDB):
    """The repository's objects: cat-file reads one request at a time, gitdb writes loose objects."""

    def __init__(self, root_path: str, git_cmd: git.Git):
        super().__init__(root_path, git_cmd)  # GitPython passes the repository's git command
        # GitPython's persistent cat-file serves one request at a time: threads take turns.
        self._lock = threading.Lock()
        self._trees: LRUCache[bytes, tuple[TreeEntry, ...]] = LRUCache(TREE_CACHE_SIZE)
        self._trees_lock = threading.Lock()

    # GitPython's GitCmdObjectDB.store runs `git hash-object` once per object; gitdb's
    # loose-object writer does the same work in this process.
    store = LooseObjectDB.store

    def info(self, binsha: bytes):
        """Type and size of an object (cat-file --batch-check)."""
        with self._lock:
            return super().info(binsha)

    def stream(self, binsha: bytes) -> OStream:
        """An object's content, read whole from cat-file before the next request may start."""
        return self._read(bin_to_hex(binsha).decode("ascii"))

    def _read(self, name: str) -> OStream:
        with self._lock:
            try:
                hexsha, kind, size, stream = self._git.stream_object_data(name)
                data = stream.read(size)
            except OSError as exc:  # ValueError ("missing") leaves the pipe in step: passed on
                self._git.clear_cache()  # a dead cat-file: the next request starts a new one
                raise StoreError(f"reading {name} from the content repository failed") from exc
        return OStream(hex_to_bin(hexsha), kind, size, io.BytesIO(data))

    # -- by name or id ------------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[str, str] | None:
        """Return (id, type) of the object a full ref name or id names, or None."""
        if not name or any(ch in name for ch in "\n\r\0 ") or name.startswith("-"):
            raise ValueError(f"unsafe object name {name!r}")
        with self._lock:
            try:
                hexsha, kind, _ = self._git.get_object_header(name)
            except ValueError:
                return None
            except OSError as exc:
                self._git.clear_cache()
                raise StoreError(f"reading {name} from the content repository failed") from exc
        return hexsha.decode("ascii"), kind.decode("ascii")  # git's answer, as bytes

    def read_kind(self, oid: str, kind: str) -> bytes:
        """Return the content of object oid, which must exist and be of the given kind."""
        try:
            found = self._read(oid)
        except ValueError:
            found = None
        if found is None or found.type.decode("ascii") != kind:
            what = "nothing" if found is None else f"a {found.type.decode('ascii')}"
            raise StoreError(f"object {oid} should be a {kind} but is {what}")
        return found.read()

    # -- blobs and trees ----------------------------------------------------------------------

    def write(self, kind: str, data: bytes) -> str:
        """Store data as a loose object of kind and return its id."""
        return self.store(IStream(kind, len(data), io.BytesIO(data))).hexsha.decode("ascii")

    def write_stream(self, kind: str, size: int, chunks: Iterable[bytes]) -> str:
        """Store size bytes that arrive in chunks; never holds them all at once."""
        source = _Chunks(chunks)
        oid = self.store(IStream(kind, size, source)).hexsha.decode("ascii")
        if source.read(1) or source.size != size:
            # Written under a header that says otherwise: remove it before anything names it.
            Path(self.db_path(self.object_path(oid))).unlink(missing_ok=True)
            raise StoreError(f"a {kind} said to be {size} bytes long was not")
        return oid

    def read_tree(self, oid: str) -> tuple[TreeEntry, ...]:
        """Return the entries of tree oid (GitPython's parse, cached by id)."""
        binsha = hex_to_bin(oid)
        with self._trees_lock:
            found = self._trees.get(binsha)
        if found is None:
            found = tuple(tree_entries_from_data(self.read_kind(oid, "tree")))
            with self._trees_lock:
                self._trees[binsha] = found
        return found

    def write_tree(self, entries: Iterable[TreeEntry]) -> str:
        """Write a tree of entries (any order) and return its id."""
        ordered = tuple(sorted(entries, key=_tree_order))
        out = io.BytesIO()
        tree_to_stream(ordered, out.write)
        oid = self.write("tree", out.getvalue())
        with self._trees_lock:
            self._trees[hex_to_bin(oid)] = ordered
        return oid


def _tree_order(entry: TreeEntry) -> str:
    # Git sorts a folder as if its name ended in "/" (GitPython's own TreeModifier does not).
    _, mode, name = entry
    return name + "/" if mode == TREE_MODE else name
