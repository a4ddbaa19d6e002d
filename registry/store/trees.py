"""Building and reading pack trees with object ids only: no index, no work tree.

Replacing packs/<publisher>/<name> rewrites four trees (name, publisher, packs, root); every
other entry is copied by its id, so the cost follows the size of those four trees, not the store.

A file's content is bytes, or a `BlobSource` (a size and the bytes in chunks, as an upload's
spooled files are): its blob is then written a chunk at a time, so storing a pack costs the
same memory whatever its files' sizes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol, runtime_checkable

from gitdb.util import bin_to_hex, hex_to_bin

from .errors import InvalidRef, StoreError
from .names import check_path
from .objects import BLOB_MODE, FILE_MODES, TREE_MODE, ObjectDB, TreeEntry


@runtime_checkable
class BlobSource(Protocol):
    """A file's content read in chunks: its size, and the chunks, as often as asked."""

    size: int

    def chunks(self) -> Iterator[bytes]:
        """The content in pieces."""
        ...


FileContent = bytes | BlobSource
Folder = dict[str, "Folder | FileContent"]


def _nest(files: Mapping[str, FileContent]) -> Folder:
    """Turn {"a/b.txt": data} into nested folders, refusing a path that is both file and folder."""
    root: Folder = {}
    for path in sorted(files):
        data = files[path]
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        elif not isinstance(data, bytes | BlobSource):
            raise InvalidRef(f"content of {path!r} must be bytes or read in chunks")
        *dirs, leaf = path.split("/")
        node = root
        for part in dirs:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InvalidRef(f"{path!r} needs a folder where the file {part!r} already is")
            node = child
        if leaf in node:
            raise InvalidRef(f"{path!r} is both a file and a folder")
        node[leaf] = data
    return root


def check_files(files: Mapping[str, FileContent]) -> Folder:
    """Check every path and content of a pack before anything is written."""
    if not files:
        raise InvalidRef("a pack needs at least one file")
    for path in files:
        check_path(path)
    return _nest(files)


def write_folder(db: ObjectDB, folder: Folder) -> str:
    """Write the blobs and trees of a checked folder and return the top tree id."""
    entries: list[TreeEntry] = []
    for name, value in folder.items():
        if isinstance(value, dict):
            entries.append((hex_to_bin(write_folder(db, value)), TREE_MODE, name))
        else:
            entries.append((hex_to_bin(write_blob(db, value)), BLOB_MODE, name))
    return db.write_tree(entries)


def write_blob(db: ObjectDB, content: FileContent) -> str:
    """Write one file's blob, from bytes or a chunk at a time, and return its id."""
    if isinstance(content, bytes):
        return db.write("blob", content)
    return db.write_stream("blob", content.size, content.chunks())


def entry_at(db: ObjectDB, tree: str, parts: list[str]) -> tuple[int, str] | None:
    """Return (mode, id) of the entry at parts below tree, or None when the path is absent."""
    current = (TREE_MODE, tree)
    for part in parts:
        if current[0] != TREE_MODE:
            return None
        found = next((e for e in db.read_tree(current[1]) if e[2] == part), None)
        if found is None:
            return None
        current = (found[1], bin_to_hex(found[0]).decode("ascii"))
    return current


def tree_at(db: ObjectDB, tree: str, parts: list[str]) -> str | None:
    """Return the id of the folder at parts below tree, or None when absent or not a folder."""
    found = entry_at(db, tree, parts)
    return found[1] if found and found[0] == TREE_MODE else None


def replace_tree(
    db: ObjectDB, root: str | None, parts: list[str], new_tree: str | None
) -> str | None:
    """Return root with the folder at parts set to new_tree (None removes it, and empty parents).

    Every other entry keeps its id, so only the trees on the path are rewritten.
    """
    entries = db.read_tree(root) if root else ()
    name = parts[0]
    kept = [e for e in entries if e[2] != name]
    if len(parts) == 1:
        child = new_tree
    else:
        old = next((e for e in entries if e[2] == name and e[1] == TREE_MODE), None)
        child = replace_tree(
            db, bin_to_hex(old[0]).decode("ascii") if old else None, parts[1:], new_tree
        )
    if child is not None:
        kept.append((hex_to_bin(child), TREE_MODE, name))
    return db.write_tree(kept) if kept else None


def replace_pack(
    db: ObjectDB, root: str | None, publisher: str, name: str, pack_tree: str | None
) -> str:
    """Return a root tree whose packs/<publisher>/<name> is pack_tree (None removes the pack)."""
    new_root = replace_tree(db, root, ["packs", publisher, name], pack_tree)
    return new_root if new_root is not None else db.write_tree([])


def walk_files(db: ObjectDB, tree: str, prefix: str = "") -> dict[str, str]:
    """Return {path: blob id} for every file below tree."""
    found: dict[str, str] = {}
    for binsha, mode, name in db.read_tree(tree):
        path = prefix + name
        if mode == TREE_MODE:
            found.update(walk_files(db, bin_to_hex(binsha).decode("ascii"), path + "/"))
        elif mode in FILE_MODES:
            found[path] = bin_to_hex(binsha).decode("ascii")
        else:
            raise StoreError(f"{path} in the content repository is neither a file nor a folder")
    return found


def subfolders(db: ObjectDB, tree: str) -> dict[str, str]:
    """Return {name: tree id} of the folders directly below tree."""
    return {
        name: bin_to_hex(binsha).decode("ascii")
        for binsha, mode, name in db.read_tree(tree)
        if mode == TREE_MODE
    }
