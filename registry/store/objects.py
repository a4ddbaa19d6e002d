"""Git objects: reading through cat-file, writing loose objects, and the tree/commit/tag formats.

Objects are written straight into the object directory the way git writes loose objects
(zlib, a `tmp_obj_` file renamed into place), so writing a blob costs no process. A crash
leaves at most a `tmp_obj_` file, which `git gc` removes, or unreachable objects it prunes.
Like git by default (core.fsync), loose objects are not fsynced: a process crash is safe,
a power cut needs the file system's own journal.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from .errors import StoreError
from .gitproc import CatFile, GitObject

TREE_MODE = b"40000"
BLOB_MODE = b"100644"
FILE_MODES = (b"100644", b"100755")
# Level 1 is git's default for loose objects (core.looseCompression): speed over size.
LOOSE_COMPRESSION = 1
_TREE_ENTRY = re.compile(rb"([0-7]{5,6}) ([^\0/]+)\0(.{20})", re.DOTALL)

TreeEntry = tuple[bytes, bytes, bytes]  # mode, name, 20-byte binary id


class ObjectDB:
    """Read and write objects of one repository; close() stops the reader process."""

    def __init__(self, git_dir: Path):
        self._objects = git_dir / "objects"
        self._reader = CatFile(git_dir)

    def read(self, name: str) -> GitObject | None:
        """Return the object named by an object id or a full ref name, or None."""
        return self._reader.read(name)

    def read_kind(self, oid: str, kind: str) -> bytes:
        """Return the content of object oid, which must exist and be of the given kind."""
        obj = self._reader.read(oid)
        if obj is None or obj.kind != kind:
            found = "nothing" if obj is None else f"a {obj.kind}"
            raise StoreError(f"object {oid} should be a {kind} but is {found}")
        return obj.data

    def write(self, kind: str, data: bytes) -> str:
        """Store data as a loose object of kind and return its id; existing objects are kept."""
        header = f"{kind} {len(data)}\0".encode("ascii")
        sha = hashlib.sha1(header, usedforsecurity=False)  # git's object id, not a security hash
        sha.update(data)
        oid = sha.hexdigest()
        folder = self._objects / oid[:2]
        target = folder / oid[2:]
        # Git freshens an object it would have written, so a concurrent prune keeps it.
        try:
            os.utime(target)
            return oid
        except FileNotFoundError:
            pass  # not there yet: write it
        except OSError:
            return oid  # there, but owned by another user
        folder.mkdir(exist_ok=True)
        packer = zlib.compressobj(LOOSE_COMPRESSION)
        compressed = packer.compress(header) + packer.compress(data) + packer.flush()
        fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(compressed)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)  # same bytes if another writer won the race
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return oid

    def write_stream(self, kind: str, size: int, chunks: Iterable[bytes]) -> str:
        """Store size bytes that arrive in chunks as a loose object; never holds them all at once."""
        header = f"{kind} {size}\0".encode("ascii")
        sha = hashlib.sha1(header, usedforsecurity=False)  # git's object id, not a security hash
        packer = zlib.compressobj(LOOSE_COMPRESSION)
        # The id is known only at the end, so the object is written first and named after.
        fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=self._objects)
        try:
            written = 0
            with os.fdopen(fd, "wb") as out:
                out.write(packer.compress(header))
                for chunk in chunks:
                    written += len(chunk)
                    sha.update(chunk)
                    out.write(packer.compress(chunk))
                out.write(packer.flush())
            if written != size:
                raise StoreError(f"a {kind} said to be {size} bytes long was {written}")
            oid = sha.hexdigest()
            folder = self._objects / oid[:2]
            target = folder / oid[2:]
            if target.exists():
                # Freshened, as git does, so a concurrent prune keeps it (unless another user
                # owns it, which is as good).
                with contextlib.suppress(OSError):
                    os.utime(target)
                Path(tmp).unlink()
                return oid
            folder.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)  # same bytes if another writer won the race
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return oid

    def read_tree(self, oid: str) -> list[TreeEntry]:
        """Return the entries of tree oid."""
        return parse_tree(self.read_kind(oid, "tree"))

    def write_tree(self, entries: list[TreeEntry]) -> str:
        """Write a tree of entries (any order) and return its id."""
        return self.write("tree", format_tree(entries))

    def close(self) -> None:
        """Stop the reader process."""
        self._reader.close()


def parse_tree(data: bytes) -> list[TreeEntry]:
    """Split raw tree content into (mode, name, binary id) entries."""
    entries = _TREE_ENTRY.findall(data)
    # findall skips what it cannot match; a length check proves it matched everything.
    if sum(len(m) + len(n) + 22 for m, n, _ in entries) != len(data):
        raise StoreError("a tree in the content repository is malformed")
    return entries


def _tree_order(entry: TreeEntry) -> bytes:
    # Git sorts a folder as if its name ended in "/".
    mode, name, _ = entry
    return name + b"/" if mode == TREE_MODE else name


def format_tree(entries: list[TreeEntry]) -> bytes:
    """Serialise entries in git's tree order."""
    return b"".join(m + b" " + n + b"\0" + s for m, n, s in sorted(entries, key=_tree_order))


def format_ident(name: str, email: str, when: int) -> str:
    """Return a git identity line value, always in UTC."""
    return f"{name} <{email}> {when} +0000"


def format_commit(tree: str, parents: list[str], ident: str, message: str) -> bytes:
    """Return the bytes of a commit object."""
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
    lines += [f"author {ident}", f"committer {ident}", "", message]
    return "\n".join(lines).encode("utf-8")


def format_tag(target: str, tag_name: str, ident: str, message: str) -> bytes:
    """Return the bytes of an annotated tag object pointing at commit target."""
    lines = [f"object {target}", "type commit", f"tag {tag_name}", f"tagger {ident}", "", message]
    return "\n".join(lines).encode("utf-8")


def parse_headers(data: bytes) -> tuple[dict[str, list[str]], str]:
    """Split a commit or tag object into its header fields and its message."""
    head, _, message = data.partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8", "replace").split("\n"):
        if line.startswith(" "):  # continuation of a multi-line header such as gpgsig
            continue
        key, _, value = line.partition(" ")
        fields.setdefault(key, []).append(value)
    return fields, message.decode("utf-8", "replace")
