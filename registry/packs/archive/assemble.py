"""Assembling a pack from the entries an archive or folder holds.

Readers turn whatever they read into `Entry` objects, each file's bytes already spooled; here the
path rules apply to every entry, the content rules to every file whose name passed, one wrapping
folder is stripped, and paths that would clash on disk are reported, all of them at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from ..filetypes import SNIFF_BYTES, Found, forbidden_content
from ..limits import Limits
from ..problems import Problem
from ..spool import Content, PackContents, Spool
from .paths import check_path, folder_problems, found, quoted

# Entry types refused whatever their name: (code, what to do).
SYMLINK = (
    "symlink",
    "is a symbolic link. A pack holds only files and folders: put the file itself here.",
)
HARD_LINK = (
    "hard-link",
    "is a hard link. A pack holds only files and folders: put the file itself here.",
)
SPECIAL_FILE = (
    "special-file",
    "is a device, pipe or socket, not a file. Remove it from the pack.",
)
SPARSE_FILE = (
    "special-file",
    "is stored as a sparse file. Create the archive again without the sparse option.",
)
UNKNOWN_TAR_TYPE = (
    "special-file",
    "has a tar entry type the registry does not read. Create the archive again with tar -czf.",
)
ENCRYPTED = (
    "encrypted-entry",
    "is protected by a password, so it cannot be checked. Zip the pack again without one.",
)


@dataclass
class PackFiles:
    """The accepted files of a pack and every problem found while reading it."""

    files: PackContents  # relative POSIX path -> bytes, sorted by path, accepted files only
    problems: list[Problem] = field(default_factory=list)
    stripped_root: str | None = None  # the one top-level folder that wrapped the pack, if any

    def close(self) -> None:
        """Delete the temporary file holding the contents, if there is one."""
        self.files.close()


@dataclass
class Entry:
    """One entry as the source names it, before any path rule has been applied."""

    name: str  # "/"-separated; may hold anything a hostile archive puts there
    is_dir: bool = False
    content: Content | None = None  # a file's bytes, spooled as they were read
    refusal: Found | None = None  # (code, what to do) when the entry's type is refused


def assemble(
    entries: list[Entry], limits: Limits, spool: Spool | None, *, strip_wrapper: bool
) -> PackFiles:
    """Apply the path and content rules to every entry and keep the files that pass them all."""
    named = [(entry, _normalised(entry)) for entry in entries]
    named = [(entry, name) for entry, name in named if name is not None]
    root = _wrapper(named, limits) if strip_wrapper else None
    problems: list[Problem] = []
    candidates: list[tuple[Entry, str]] = []
    folders: list[str] = []
    for entry, name in named:
        path = _unwrapped(name, root)
        if entry.is_dir and path == "":
            continue  # the wrapping folder itself
        wrong = found(entry.refusal, entry.name)
        wrong += folder_problems(path, limits) if entry.is_dir else check_path(path, limits)
        if not wrong and entry.content is not None:
            # The name passed; what the file starts with may still make it a program or a page.
            wrong = found(forbidden_content(entry.content.head(SNIFF_BYTES)), entry.name)
        # Problems point at the name as the archive spells it: what the publisher can find.
        problems += [replace(p, where=quoted(entry.name)) for p in wrong]
        if wrong:
            continue
        if entry.is_dir:
            folders.append(path)
        else:
            candidates.append((entry, path))
    clashes = _clashes([(path, entry.name) for entry, path in candidates], folders)
    problems += clashes.problems
    files = {
        path: entry.content or Content.of(b"")
        for entry, path in candidates
        if path not in clashes.paths
    }
    return PackFiles(PackContents(files, spool), problems, root)


def _normalised(entry: Entry) -> str | None:
    """The entry's name without the marks archivers add; None for the archive's own root."""
    name = entry.name
    if entry.is_dir and name in (".", "./"):
        return None  # "tar -czf pack.tgz -C folder ." stores the folder itself as "."
    name = name.removeprefix("./")  # ... and every name under it as "./name"
    if entry.is_dir:
        name = name.removesuffix("/")  # zip marks a folder with a trailing "/"
    return name


def _wrapper(named: list[tuple[Entry, str]], limits: Limits) -> str | None:
    """The one folder that holds every entry, as GitHub downloads and `zip -r` produce."""
    roots = set()
    for entry, name in named:
        first, slash, _ = name.partition("/")
        if not slash and not entry.is_dir:
            return None  # a file at the top: the pack is not wrapped
        roots.add(first)
    if len(roots) != 1:
        return None
    root = roots.pop()
    return None if folder_problems(root, limits) else root


def _unwrapped(name: str, root: str | None) -> str:
    if root is None:
        return name
    return "" if name == root else name.removeprefix(root + "/")


@dataclass
class _Clashes:
    problems: list[Problem]
    paths: set[str]  # every path involved, all left out: none of them is the right one


def _clashes(files: list[tuple[str, str]], folders: list[str]) -> _Clashes:
    """Paths that would land on the same file on disk, or that are both a file and a folder."""
    result = _Clashes([], set())
    first_seen: dict[str, tuple[str, str]] = {}  # comparison key -> (path, name in the archive)
    folder_keys = {_key(f) for f in folders}
    for path, _ in files:
        parts = path.split("/")
        folder_keys.update(_key("/".join(parts[:i])) for i in range(1, len(parts)))
    for path, original in files:
        key = _key(path)
        if key in folder_keys:
            result.problems.append(_path_conflict(original))
            result.paths.add(path)
        elif key in first_seen:
            earlier, earlier_original = first_seen[key]
            result.problems.append(_duplicate(original, path, earlier, earlier_original))
            result.paths.update({path, earlier})
        else:
            first_seen[key] = (path, original)
    return result


def _key(path: str) -> str:
    # Windows and macOS treat names equal but for case as one file, and macOS treats composed and
    # decomposed accents ("é" as one code point or as e + U+0301) as one file too: councils on
    # either would find one file overwriting the other when they unpack the pack.
    return unicodedata.normalize("NFC", path).casefold()


def _duplicate(original: str, path: str, earlier: str, earlier_original: str) -> Problem:
    other = quoted(earlier_original)
    if path == earlier:
        code = "duplicate-path"
        message = "appears more than once in the archive, and nothing says which copy is meant."
    elif unicodedata.normalize("NFC", path) == unicodedata.normalize("NFC", earlier):
        code = "unicode-duplicate"
        message = (
            f"looks the same as '{other}' but encodes its accents differently; a Mac would keep "
            "only one of them."
        )
    else:
        code = "case-duplicate"
        message = (
            f"differs from '{other}' only in letter case; Windows and macOS would keep only one "
            "of them."
        )
    return Problem(where=quoted(original), message=message + " Keep one.", code=code)


def _path_conflict(original: str) -> Problem:
    return Problem(
        where=quoted(original),
        message="is both a file and a folder in the archive. Rename the file or the folder.",
        code="path-conflict",
    )
