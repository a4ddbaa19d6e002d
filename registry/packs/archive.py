"""Reading a pack safely from a zip, a tar.gz or a folder (SPEC §2, §4).

Every upload is hostile input. Nothing is ever extracted to disk: a pack comes back as a mapping of
relative paths to bytes, with every problem found, so the publisher fixes the whole pack in one
round trip. Sizes are counted as bytes are read and decompressed, never taken from headers, so a
compression bomb is stopped just past the limit.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import struct
import tarfile
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from .limits import DEFAULT_LIMITS, Limits, MiB
from .problems import FatalPackError, Problem

Found = tuple[str, str]  # a rule's verdict: (problem code, what to do about it)

# --- Reading -------------------------------------------------------------------------------------

# Bytes read or decompressed in one step. A limit is checked after every step, so it is the most
# by which a read can run past a limit before it is stopped.
READ_CHUNK = 64 * 1024
# An upload that cannot seek (a zip must) is copied to a temporary file, in memory up to this size.
SPOOL_IN_MEMORY = 1 * MiB
# Folders and macOS metadata sit beside files, so an archive has more entries than files. Three
# entries per allowed file is generous for real packs and bounds the memory spent on entry
# headers before a single name has been checked.
ENTRIES_PER_FILE = 3
# The decompressed tar stream holds headers, long-name records and padding besides file contents.
# Allowing this much per entry on top of max_unpacked_bytes still bounds data that tarfile reads
# for itself (skipped members, huge pax headers) and that no per-file count would see.
TAR_BYTES_PER_ENTRY = 8 * 1024

# tarfile reads a pax or GNU long-name header whole before the member it describes, and each one
# nests a call deeper, so a chain of them exhausts the stack. Python before 3.11.10 and 3.12.6
# also parses pax headers in time that grows with the square of their size (CVE-2024-6232).
# Headers past these bounds are refused before tarfile reads them.
TAR_EXTENDED_TYPES = frozenset(
    {tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE}
    | {tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK}
)
MAX_TAR_EXTENDED_HEADER = 8 * 1024  # the longest allowed path (12 names of 255 bytes) is 3 KiB
# Parsing costs the square of each header's size, so that is what is budgeted over the archive:
# as much as sixteen headers of the largest size, where a real pack's are a few hundred bytes.
MAX_TAR_EXTENDED_WORK = 16 * MAX_TAR_EXTENDED_HEADER**2
MAX_TAR_EXTENDED_CHAIN = 4  # a member needs a global and a pax header, a long name and link at most

# Where a problem with the archive as a whole points: the multipart field an upload arrives in.
ARCHIVE = "archive"
# Longest name quoted in a problem: a hostile name may be megabytes long.
MAX_QUOTED_NAME = 300

# --- Formats -------------------------------------------------------------------------------------

# Formats are told apart by their first bytes: a file name can say anything.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a first entry, or the end record of an empty zip
GZIP_MAGIC = b"\x1f\x8b"
ACCEPTED_FORMATS = "a .zip, .tar.gz or .tgz file"
# What a council user may upload by mistake, so the message can say what arrived instead.
LOOKALIKES = (
    (0, b"\x89PNG", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"%PDF", "a PDF document"),
    (0, b"\xd0\xcf\x11\xe0", "an older Office document"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"BZh", "a bzip2 file"),
    (0, b"\xfd7zXZ\x00", "an xz file"),
    (257, b"ustar", "a tar archive without gzip compression"),
)
SNIFF_BYTES = 512

# Zip records, as laid out in PKWARE's APPNOTE.TXT.
ZIP_END = b"PK\x05\x06"
ZIP_END_SIZE = 22
ZIP_END_SEARCH = (1 << 16) + ZIP_END_SIZE  # the end record, then a comment of < 64 KiB
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_LOCATOR_SIZE = 20
ZIP64_END = b"PK\x06\x06"
ZIP64_END_SIZE = 56
ZIP_CENTRAL = b"PK\x01\x02"
ZIP_CENTRAL_SIZE = 46
ZIP_LOCAL = b"PK\x03\x04"
ZIP_LOCAL_SIZE = 30
ZIP_FLAG_ENCRYPTED = 0x1
ZIP_FLAG_UTF8 = 0x800  # "the name is UTF-8"; without it a name is in the writer's code page
# Only stored and deflated entries are read. zipfile decompresses bzip2 and LZMA without bounding
# the output of one step, and a few kilobytes of bzip2 become gigabytes; Windows, macOS and 7-Zip
# write deflate unless asked otherwise.
ZIP_READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
ZIP_METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd"}

# --- Path rules ----------------------------------------------------------------------------------

# C0 and C1 controls and DEL rewrite terminals and logs; format characters (right-to-left
# overrides, zero-width joiners) make a name display as another ("report\u202etxt.exe");
# line and paragraph separators break a name across lines.
UNSAFE_CHARACTER_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# Windows, where most councils open a pack, cannot create these names, and a colon names an
# NTFS alternate data stream ("notes.txt:payload.exe").
WINDOWS_FORBIDDEN_CHARACTERS = frozenset('<>:"|?*')
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
# The registry keeps packs in git, which refuses or acts on names starting ".git" (.git, and
# .gitattributes, whose export-ignore would change what downloads hold), also when spelt with code
# points HFS+ ignores, a trailing dot or space, or as an NTFS short name (GIT~1). The content store
# refuses the same names.
GIT_NAME_PREFIX = ".git"
GIT_SHORT_NAME = re.compile(r"git~[0-9]+", re.IGNORECASE)
HFS_IGNORED = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)
# Command-line tools, git among them, read a name starting with "-" as an option.
OPTION_PREFIX = "-"

# File types refused outright (SPEC §4), by their last extension, case-insensitively, with why.
_EXECUTABLE = "programs and scripts could run on the machine of anyone who opens the pack"
_MACRO = "macro-enabled Office files can run code when opened; save as .docx, .xlsx or .pptx"
_ACTIVE = "web pages and SVG images can carry scripts that run in a browser"
FORBIDDEN_REASONS: dict[str, str] = {
    **dict.fromkeys((".exe", ".dll", ".msi", ".jar"), _EXECUTABLE),  # SPEC §4
    **dict.fromkeys((".bat", ".cmd", ".ps1", ".sh", ".js", ".vbs"), _EXECUTABLE),  # SPEC §4
    # Other Windows programs and script hosts that run on a double click.
    **dict.fromkeys((".com", ".scr", ".cpl", ".msp", ".hta", ".lnk"), _EXECUTABLE),
    **dict.fromkeys((".psm1", ".vbe", ".jse", ".wsf", ".wsh", ".reg"), _EXECUTABLE),
    **dict.fromkeys((".docm", ".xlsm"), _MACRO),  # SPEC §4
    # The other macro-enabled Office formats: PowerPoint, Word and Excel templates, add-ins.
    **dict.fromkeys((".pptm", ".dotm", ".xltm", ".potm", ".ppsm", ".xlam", ".ppam"), _MACRO),
    **dict.fromkeys((".svg", ".html", ".htm"), _ACTIVE),  # SPEC §4
    # The same content under other names: compressed SVG, XHTML, saved web archives.
    **dict.fromkeys((".svgz", ".xhtml", ".mht", ".mhtml"), _ACTIVE),
}
FORBIDDEN_EXTENSIONS: frozenset[str] = frozenset(FORBIDDEN_REASONS)

# Files an operating system adds by itself. A council user who zips a folder in Finder or Explorer
# never chose them and cannot see them, so refusing the upload over them would only puzzle; they
# are left out without a word. Nothing of them is kept, so nothing can be smuggled through them.
# A folder read from disk is often a git checkout, so git's own files (.git/, .gitignore,
# .github/) are left out of it too; in an archive they are reported, because the publisher chose
# to put them there and the registry's git store cannot hold them.
MACOS_METADATA_FOLDER = "__MACOSX"  # Finder's "Compress" stores resource forks here
APPLEDOUBLE_PREFIX = "._"  # macOS tar and copies to non-Mac disks add "._name" beside "name"
JUNK_FILE_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})  # case-insensitive

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


def _unsupported_method(method: int) -> Found:
    name = ZIP_METHOD_NAMES.get(method, f"method {method}")
    return (
        "unsupported-compression",
        f"is compressed with {name}; only standard (deflate) zip compression is read. "
        "Zip the pack again with the default settings.",
    )


# --- Public interface ----------------------------------------------------------------------------


@dataclass
class PackFiles:
    """The accepted files of a pack and every problem found while reading it."""

    files: dict[str, bytes]  # relative POSIX path -> bytes, sorted by path, accepted files only
    problems: list[Problem] = field(default_factory=list)
    stripped_root: str | None = None  # the one top-level folder that wrapped the pack, if any


class PackLimitError(FatalPackError):
    """Reading stopped at an upload limit; says how far it had got."""

    def __init__(
        self, problem: Problem, archive_bytes_read: int, unpacked_bytes: int, entries: int
    ):
        super().__init__([problem])
        self.archive_bytes_read = archive_bytes_read  # compressed bytes read before stopping
        self.unpacked_bytes = unpacked_bytes  # file content decompressed before stopping
        self.entries = entries  # entries seen before stopping


def read_pack(source: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> PackFiles:
    """Read a pack from a folder, or from a zip or tar.gz file told apart by its first bytes."""
    path = Path(source)
    mode = path.stat().st_mode  # a link the user named on the command line is followed on purpose
    if stat.S_ISDIR(mode):
        meter = _Meter(limits, str(path))
        return _assemble(_read_folder(path, meter, limits), limits, strip_wrapper=False)
    if not stat.S_ISREG(mode):
        raise _not_an_archive(path.name, "a device or pipe rather than a file")
    with path.open("rb") as stream:
        return read_archive(stream, path.name, limits)


def read_archive(stream: BinaryIO, filename: str, limits: Limits = DEFAULT_LIMITS) -> PackFiles:
    """Read an uploaded zip or tar.gz, the whole stream from its first byte."""
    meter = _Meter(limits, filename)
    with _seekable(stream, meter) as upload:
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        if head.startswith(ZIP_MAGICS):
            entries = _decode("zip", filename, lambda: _read_zip(upload, meter, limits))
        elif head.startswith(GZIP_MAGIC):
            entries = _decode("tar.gz", filename, lambda: _read_tar_gz(upload, meter))
        else:
            raise _not_an_archive(filename, _describe(head))
    return _assemble(entries, limits, strip_wrapper=True)


def check_path(path: str, limits: Limits) -> list[Problem]:
    """Return every problem with the relative path of one file (none when it is acceptable)."""
    return _safety_problems(path, limits) or _apply(
        (*NAMING_RULES, _forbidden_extension), path, limits
    )


# --- Path rules: each returns (code, what to do) or None -----------------------------------------

Rule = Callable[[str, Limits], Found | None]


def _not_utf8(path: str, limits: Limits) -> Found | None:
    # Names arrive with undecodable bytes kept as surrogate escapes; a zip without the UTF-8 flag
    # is read as UTF-8 too (macOS and Info-ZIP write it that way) rather than guessing a code page.
    if any(unicodedata.category(ch) == "Cs" for ch in path):
        return (
            "invalid-utf8",
            "is not valid UTF-8 (an old Windows zip tool writes names in a local code page). "
            "Rename it using plain letters, or zip the pack with 7-Zip or a current Windows.",
        )
    return None


def _control_character(path: str, limits: Limits) -> Found | None:
    for ch in path:
        if unicodedata.category(ch) in UNSAFE_CHARACTER_CATEGORIES:
            return (
                "control-character",
                f"contains the invisible or control character U+{ord(ch):04X}. Rename it.",
            )
    return None


def _absolute(path: str, limits: Limits) -> Found | None:
    # "/etc/passwd", "\\server\share" and "C:..." would all be read from the root of a disk.
    drive = len(path) >= 2 and path[1] == ":" and path[0].isascii() and path[0].isalpha()
    if path.startswith(("/", "\\")) or drive:
        return (
            "absolute-path",
            "is an absolute path. Paths in a pack are relative to the pack folder.",
        )
    return None


def _backslash(path: str, limits: Limits) -> Found | None:
    # A backslash is a folder separator on Windows and a letter elsewhere: refused, not guessed.
    if "\\" in path:
        return (
            "backslash",
            "contains a backslash. Separate folders with '/' (create the archive again with a "
            "standard zip tool).",
        )
    return None


def _parent_component(path: str, limits: Limits) -> Found | None:
    if ".." in path.split("/"):
        return (
            "zip-slip",
            "contains '..', which points outside the pack. Store the file inside the pack folder.",
        )
    return None


def _empty_component(path: str, limits: Limits) -> Found | None:
    if "" in path.split("/"):
        return ("empty-component", "has an empty folder name ('//'). Remove the extra '/'.")
    return None


def _dot_component(path: str, limits: Limits) -> Found | None:
    if "." in path.split("/"):
        return ("dot-component", "contains a '.' folder. Remove the '/./' from the path.")
    return None


def _name_too_long(path: str, limits: Limits) -> Found | None:
    for part in path.split("/"):
        size = len(part.encode("utf-8"))
        if size > limits.max_name_bytes:
            return (
                "name-too-long",
                f"has a name of {size} bytes; the most is {limits.max_name_bytes}. Shorten it.",
            )
    return None


def _too_deep(path: str, limits: Limits) -> Found | None:
    depth = path.count("/") + 1
    if depth > limits.max_depth:
        return (
            "too-deep",
            f"is {depth} levels deep; the most is {limits.max_depth}. Move it up a few folders.",
        )
    return None


def _windows_name(path: str, limits: Limits) -> Found | None:
    for part in path.split("/"):
        if (
            WINDOWS_FORBIDDEN_CHARACTERS.intersection(part)
            or part.endswith((".", " "))
            or part.split(".")[0].rstrip(" ").lower() in WINDOWS_DEVICE_NAMES
        ):
            return (
                "windows-name",
                f"cannot be created on Windows ('{part}'). Rename it without < > : \" | ? *, "
                "without a dot or space at the end, and not CON, PRN, AUX, NUL, COM1 or LPT1.",
            )
    return None


def _git_name(path: str, limits: Limits) -> Found | None:
    if any(is_git_name(part) for part in path.split("/")):
        return (
            "git-metadata",
            "is one of git's own files, or named like one, which the registry's git store cannot "
            "hold. Leave it out of the pack, or rename it so it does not start with '.git'.",
        )
    return None


def _option_like(path: str, limits: Limits) -> Found | None:
    if any(part.startswith(OPTION_PREFIX) for part in path.split("/")):
        return (
            "leading-dash",
            "has a name starting with '-', which tools read as an option. Rename it.",
        )
    return None


def _forbidden_extension(path: str, limits: Limits) -> Found | None:
    # Windows drops trailing dots and spaces, so "setup.exe. " runs as setup.exe; a name that is
    # all extension (".js") is still run by what that extension names.
    name = path.rsplit("/", 1)[-1].rstrip(". ")
    _, dot, suffix = name.rpartition(".")
    extension = (dot + suffix).lower()
    if dot and extension in FORBIDDEN_REASONS:
        return (
            "forbidden-extension",
            f"is a {extension} file, which packs may not contain: "
            f"{FORBIDDEN_REASONS[extension]}. Remove it.",
        )
    return None


# Checked in this order, stopping at the first that fails: each later rule reads the path as
# "/"-separated relative names, which only holds once the earlier ones pass.
SAFETY_RULES: tuple[Rule, ...] = (
    _not_utf8,
    _control_character,
    _absolute,
    _backslash,
    _parent_component,
    _empty_component,
    _dot_component,
)
# Checked together once a path is safe to read, so the publisher sees all of them at once.
NAMING_RULES: tuple[Rule, ...] = (
    _name_too_long,
    _too_deep,
    _windows_name,
    _git_name,
    _option_like,
)


def _safety_problems(path: str, limits: Limits) -> list[Problem]:
    for rule in SAFETY_RULES:
        if found := rule(path, limits):
            return _found(found, path)
    return []


def _folder_problems(path: str, limits: Limits) -> list[Problem]:
    """Problems with a folder's path: the file rules less the one about extensions."""
    return _safety_problems(path, limits) or _apply(NAMING_RULES, path, limits)


def _apply(rules: tuple[Rule, ...], path: str, limits: Limits) -> list[Problem]:
    return [problem for rule in rules for problem in _found(rule(path, limits), path)]


def _found(found: Found | None, name: str) -> list[Problem]:
    if found is None:
        return []
    code, message = found
    return [Problem(where=_quoted(name), message=message, code=code)]


def _quoted(name: str) -> str:
    """The name as it can be shown: control characters and undecodable bytes escaped."""
    shown = "".join(_escaped(ch) for ch in name[:MAX_QUOTED_NAME])
    return shown + ("…" if len(name) > MAX_QUOTED_NAME else "")


def _escaped(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":
        return f"\\x{ord(ch) - 0xDC00:02x}"  # the byte that was not UTF-8
    if unicodedata.category(ch) in UNSAFE_CHARACTER_CATEGORIES | {"Cs"}:
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def _is_junk(name: str) -> bool:
    """True for metadata an operating system adds by itself, which is left out unreported."""
    parts = name.removeprefix("./").split("/")
    base = parts[-1] or (parts[-2] if len(parts) > 1 else "")
    return (
        parts[0] == MACOS_METADATA_FOLDER
        or base.startswith(APPLEDOUBLE_PREFIX)
        or base.lower() in JUNK_FILE_NAMES
    )


def is_git_name(part: str) -> bool:
    """True for path components git refuses or acts on (.git…, .gitattributes, GIT~1, spoofs)."""
    folded = part.translate(HFS_IGNORED).lower().rstrip(". ")
    return folded.startswith(GIT_NAME_PREFIX) or GIT_SHORT_NAME.fullmatch(folded) is not None


# --- Assembling the pack from entries ------------------------------------------------------------


@dataclass
class _Entry:
    """One entry as the source names it, before any path rule has been applied."""

    name: str  # "/"-separated; may hold anything a hostile archive puts there
    is_dir: bool = False
    data: bytes = b""
    refusal: Found | None = None  # (code, what to do) when the entry's type is refused


def _assemble(entries: list[_Entry], limits: Limits, *, strip_wrapper: bool) -> PackFiles:
    """Apply the path rules to every entry and keep the files that pass all of them."""
    named = [(entry, _normalised(entry)) for entry in entries]
    named = [(entry, name) for entry, name in named if name is not None]
    root = _wrapper(named, limits) if strip_wrapper else None
    problems: list[Problem] = []
    candidates: list[tuple[_Entry, str]] = []
    folders: list[str] = []
    for entry, name in named:
        path = _unwrapped(name, root)
        if entry.is_dir and path == "":
            continue  # the wrapping folder itself
        found = _found(entry.refusal, entry.name)
        found += _folder_problems(path, limits) if entry.is_dir else check_path(path, limits)
        # Problems point at the name as the archive spells it: what the publisher can find.
        problems += [replace(p, where=_quoted(entry.name)) for p in found]
        if found:
            continue
        if entry.is_dir:
            folders.append(path)
        else:
            candidates.append((entry, path))
    clashes = _clashes([(path, entry.name) for entry, path in candidates], folders)
    problems += clashes.problems
    files = {
        path: entry.data
        for entry, path in sorted(candidates, key=lambda c: c[1])
        if path not in clashes.paths
    }
    return PackFiles(files=files, problems=problems, stripped_root=root)


def _normalised(entry: _Entry) -> str | None:
    """The entry's name without the marks archivers add; None for the archive's own root."""
    name = entry.name
    if entry.is_dir and name in (".", "./"):
        return None  # "tar -czf pack.tgz -C folder ." stores the folder itself as "."
    name = name.removeprefix("./")  # ... and every name under it as "./name"
    if entry.is_dir:
        name = name.removesuffix("/")  # zip marks a folder with a trailing "/"
    return name


def _wrapper(named: list[tuple[_Entry, str]], limits: Limits) -> str | None:
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
    return None if _folder_problems(root, limits) else root


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
    other = _quoted(earlier_original)
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
    return Problem(where=_quoted(original), message=message + " Keep one.", code=code)


def _path_conflict(original: str) -> Problem:
    return Problem(
        where=_quoted(original),
        message="is both a file and a folder in the archive. Rename the file or the folder.",
        code="path-conflict",
    )


# --- Counting ------------------------------------------------------------------------------------


class _Meter:
    """Counts what a read consumes and produces, and stops it as soon as a limit is passed."""

    def __init__(self, limits: Limits, source: str) -> None:
        self.limits = limits
        self.source = source
        self.archive_bytes = 0  # compressed bytes read from the archive
        self.unpacked_bytes = 0  # file contents produced
        self.stream_bytes = 0  # the decompressed tar stream: contents, headers, skipped data
        self.files = 0
        self.entries = 0

    def archive_read(self, size: int) -> None:
        self.archive_bytes += size

    def unpacked(self, size: int) -> None:
        self.unpacked_bytes += size
        if self.unpacked_bytes > self.limits.max_unpacked_bytes:
            self._unpacked_too_large()

    def tar_stream(self, size: int) -> None:
        self.stream_bytes += size
        if self.stream_bytes > self._tar_stream_limit():
            self._unpacked_too_large()

    def entry(self, is_file: bool) -> None:
        self.entries += 1
        self.files += is_file
        if self.files > self.limits.max_files:
            self.fail(
                "too-many-files",
                f"{self.source} holds more than {self.limits.max_files:,} files, the most a pack "
                f"may have (stopped counting at {self.files:,}). Split it into smaller packs.",
            )
        self.check_entries(self.entries)

    def check_entries(self, entries: int) -> None:
        most = self.limits.max_files * ENTRIES_PER_FILE
        if entries > most:
            self.entries = max(self.entries, entries)
            self.fail(
                "too-many-files",
                f"{self.source} holds more than {most:,} entries (files and folders); a pack may "
                f"have at most {self.limits.max_files:,} files. Split it into smaller packs.",
            )

    def archive_too_large(self, size: int) -> NoReturn:
        self.fail(
            "archive-too-large",
            f"{self.source} is larger than {_size(self.limits.max_archive_bytes)}, the most an "
            f"upload may be ({size:,} bytes or more). Leave large documents out or split the "
            "pack.",
        )

    def fail(self, code: str, message: str) -> NoReturn:
        problem = Problem(where=ARCHIVE, message=message, code=code)
        raise PackLimitError(problem, self.archive_bytes, self.unpacked_bytes, self.entries)

    def _tar_stream_limit(self) -> int:
        entries = self.limits.max_files * ENTRIES_PER_FILE
        return self.limits.max_unpacked_bytes + entries * TAR_BYTES_PER_ENTRY

    def _unpacked_too_large(self) -> NoReturn:
        produced = max(self.unpacked_bytes, self.stream_bytes)
        self.fail(
            "unpacked-too-large",
            f"{self.source} unpacks to more than {_size(self.limits.max_unpacked_bytes)}, the most "
            f"a pack may hold (stopped after unpacking {produced:,} bytes "
            f"from the first {self.archive_bytes:,} of the archive). Leave large documents out, "
            "or split the pack.",
        )


def _size(size: int) -> str:
    """A limit as a person would write it: "50 MiB", "64 KiB", else in bytes."""
    for unit, name in ((MiB, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size:,} bytes"


class _CountingReader:
    """A read-only file that reports every piece it reads, so limits apply as bytes arrive."""

    def __init__(self, raw: BinaryIO, count: Callable[[int], None]) -> None:
        self._raw = raw
        self._count = count

    def read(self, size: int | None = -1) -> bytes:
        # Read in pieces however much is asked, so a caller asking for a gigabyte at once (a
        # tarfile pax header, a zip central directory) is still stopped at the limit.
        wanted = None if size is None or size < 0 else size
        pieces = []
        while wanted is None or wanted > 0:
            piece = self._raw.read(READ_CHUNK if wanted is None else min(wanted, READ_CHUNK))
            if not piece:
                break
            self._count(len(piece))
            pieces.append(piece)
            if wanted is not None:
                wanted -= len(piece)
        return b"".join(pieces)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return self._raw.seekable()


def _read_counted(stream: BinaryIO, meter: _Meter) -> bytes:
    pieces = []
    while piece := stream.read(READ_CHUNK):
        meter.unpacked(len(piece))
        pieces.append(piece)
    return b"".join(pieces)


@contextmanager
def _seekable(stream: BinaryIO, meter: _Meter) -> Iterator[BinaryIO]:
    """The upload as a seekable file within max_archive_bytes, copied first if it cannot seek."""
    if getattr(stream, "seekable", None) and stream.seekable():
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        if size > meter.limits.max_archive_bytes:
            meter.archive_too_large(size)
        stream.seek(0)
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as copy:
        copied = 0
        while piece := stream.read(READ_CHUNK):
            copied += len(piece)
            if copied > meter.limits.max_archive_bytes:
                meter.archive_too_large(copied)
            copy.write(piece)
        copy.seek(0)
        yield copy


# --- Formats -------------------------------------------------------------------------------------

# What zipfile, tarfile, gzip and zlib raise on a damaged or crafted archive.
DECODER_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    struct.error,
    NotImplementedError,
    OverflowError,
)


def _decode(kind: str, filename: str, read: Callable[[], list[_Entry]]) -> list[_Entry]:
    try:
        return read()
    except DECODER_ERRORS as error:
        message = (
            f"{filename} could not be read as a {kind} archive ({str(error)[:MAX_QUOTED_NAME]}). "
            "It may be damaged or incomplete: create the archive again and upload it again."
        )
        raise FatalPackError([Problem(ARCHIVE, message, code="corrupt-archive")]) from error


def _not_an_archive(filename: str, what: str) -> FatalPackError:
    message = f"{filename} is {what}, not a pack archive. Upload the pack as {ACCEPTED_FORMATS}."
    return FatalPackError([Problem(ARCHIVE, message, code="not-an-archive")])


def _describe(head: bytes) -> str:
    if not head:
        return "empty"
    for offset, magic, name in LOOKALIKES:
        if head[offset : offset + len(magic)] == magic:
            return name
    return "in an unknown format"


# --- Zip -----------------------------------------------------------------------------------------


def _read_zip(upload: BinaryIO, meter: _Meter, limits: Limits) -> list[_Entry]:
    counted = _CountingReader(upload, meter.archive_read)
    _check_central_directory(counted, meter)
    with zipfile.ZipFile(counted) as archive:
        infos = archive.infolist()
        _check_no_overlap(archive, counted, meter)
        named = [(info, _zip_name(info)) for info in infos]
        named = [(info, name) for info, name in named if not _is_junk(name)]
        for info, name in named:  # every entry counted before a byte is decompressed
            meter.entry(is_file=not _zip_is_dir(info, name))
        return [_zip_entry(archive, info, name, meter) for info, name in named]


def _check_central_directory(upload: _CountingReader, meter: _Meter) -> None:
    """Count the central directory's records before zipfile builds an object for each."""
    start, size = _central_directory(upload)
    upload.seek(start)
    directory = upload.read(size)
    position, records, not_utf8 = 0, 0, []
    while position + ZIP_CENTRAL_SIZE <= len(directory):
        if directory[position : position + 4] != ZIP_CENTRAL:
            break  # zipfile reports the damage in its own words
        flags = struct.unpack_from("<H", directory, position + 8)[0]
        lengths = struct.unpack_from("<3H", directory, position + 28)
        name = directory[position + ZIP_CENTRAL_SIZE : position + ZIP_CENTRAL_SIZE + lengths[0]]
        records += 1
        meter.check_entries(records)
        if flags & ZIP_FLAG_UTF8 and not _is_utf8(name):
            not_utf8.append(name.decode("utf-8", "surrogateescape"))
        position += ZIP_CENTRAL_SIZE + sum(lengths)
    if not_utf8:
        # zipfile cannot open an archive whose names break its own UTF-8 flag, so this stops here.
        raise FatalPackError([p for n in not_utf8 for p in _found(_not_utf8(n, meter.limits), n)])


def _central_directory(upload: _CountingReader) -> tuple[int, int]:
    """Where the central directory starts and its size, found exactly as zipfile finds them."""
    file_size = upload.seek(0, os.SEEK_END)
    tail_start = max(file_size - ZIP_END_SEARCH, 0)
    upload.seek(tail_start)
    tail = upload.read()
    if tail[-ZIP_END_SIZE : -ZIP_END_SIZE + 4] == ZIP_END and tail.endswith(b"\0\0"):
        found = len(tail) - ZIP_END_SIZE  # no archive comment: the usual case
    else:
        found = tail.rfind(ZIP_END)
    if found < 0 or found + ZIP_END_SIZE > len(tail):
        raise zipfile.BadZipFile("no end of central directory record")
    end_at = tail_start + found
    size = struct.unpack_from("<L", tail, found + 12)[0]
    zip64_size = _zip64_directory_size(upload, end_at)
    if zip64_size is not None:
        size = zip64_size
        end_at -= ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE
    start = end_at - size  # zipfile, too, takes the directory to end where its end record starts
    if start < 0:
        raise zipfile.BadZipFile("bad offset for central directory")
    return start, size


def _zip64_directory_size(upload: _CountingReader, end_at: int) -> int | None:
    locator_at = end_at - ZIP64_LOCATOR_SIZE
    if locator_at - ZIP64_END_SIZE < 0:
        return None
    upload.seek(locator_at)
    if upload.read(4) != ZIP64_LOCATOR:
        return None
    upload.seek(locator_at - ZIP64_END_SIZE)
    record = upload.read(ZIP64_END_SIZE)
    if record[:4] != ZIP64_END:
        return None
    return struct.unpack_from("<Q", record, 40)[0]


def _is_utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_no_overlap(archive: zipfile.ZipFile, upload: _CountingReader, meter: _Meter) -> None:
    """Refuse entries whose data overlap: the trick behind zip bombs made of one shared kernel."""
    spans = []
    for info in archive.infolist():
        upload.seek(info.header_offset)
        header = upload.read(ZIP_LOCAL_SIZE)
        if len(header) != ZIP_LOCAL_SIZE or not header.startswith(ZIP_LOCAL):
            raise zipfile.BadZipFile(f"no local header for {info.orig_filename!r}")
        name_length, extra_length = struct.unpack_from("<2H", header, 26)
        end = info.header_offset + ZIP_LOCAL_SIZE + name_length + extra_length + info.compress_size
        spans.append((info.header_offset, end))
    spans.sort()
    next_starts = [start for start, _ in spans[1:]] + [archive.start_dir]
    if any(end > next_start for (_, end), next_start in zip(spans, next_starts, strict=False)):
        message = (
            f"{meter.source} has entries that share their compressed data, a way of building "
            "zip bombs. Create the archive again with a standard zip tool."
        )
        raise FatalPackError([Problem(ARCHIVE, message, code="overlapping-entries")])


def _zip_name(info: zipfile.ZipInfo) -> str:
    # zipfile decodes names without the UTF-8 flag as cp437, which maps every byte to one
    # character, so encoding back gives the bytes as stored.
    if info.flag_bits & ZIP_FLAG_UTF8:
        return info.orig_filename
    return info.orig_filename.encode("cp437").decode("utf-8", "surrogateescape")


def _zip_is_dir(info: zipfile.ZipInfo, name: str) -> bool:
    return name.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, meter: _Meter) -> _Entry:
    # Unix permission bits, file type included, are in the high half of the external attributes.
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return _Entry(name, refusal=SYMLINK)
    if kind in (stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK):
        return _Entry(name, refusal=SPECIAL_FILE)
    if _zip_is_dir(info, name):
        return _Entry(name, is_dir=True)
    if info.flag_bits & ZIP_FLAG_ENCRYPTED:
        return _Entry(name, refusal=ENCRYPTED)
    if info.compress_type not in ZIP_READABLE_METHODS:
        return _Entry(name, refusal=_unsupported_method(info.compress_type))
    with archive.open(info) as member:
        return _Entry(name, data=_read_counted(member, meter))


# --- Tar.gz --------------------------------------------------------------------------------------


def _read_tar_gz(upload: BinaryIO, meter: _Meter) -> list[_Entry]:
    # Stream mode reads members one after the other and reads through the data of every member
    # it skips; counting the decompressed stream below tarfile sees all of that data too.
    compressed = _CountingReader(upload, meter.archive_read)
    entries = []
    with gzip.GzipFile(fileobj=compressed, mode="rb") as unzipped:
        stream = _CountingReader(unzipped, meter.tar_stream)
        with _CheckedTarFile.open(
            fileobj=stream,
            mode="r|",
            encoding="utf-8",
            errors="surrogateescape",  # keep bytes that are not UTF-8, to report them
        ) as archive:
            for member in archive:
                if _is_junk(member.name):
                    meter.entry(is_file=False)
                    continue
                meter.entry(is_file=not member.isdir())
                entries.append(_tar_entry(archive, member, meter))
        # Read on to the end of the gzip stream, which is where its checksum is verified: tar
        # itself has none, and a damaged upload would otherwise pass unnoticed.
        while stream.read(READ_CHUNK):
            pass
    return entries


class _CheckedTarInfo(tarfile.TarInfo):
    """A tar header that refuses oversized or chained extended headers before they are read."""

    def _proc_member(self, archive: _CheckedTarFile) -> tarfile.TarInfo:
        # tarfile's hook for subclasses, called for every header before its data is read
        if self.type not in TAR_EXTENDED_TYPES:
            archive.extended_chain = 0
            return super()._proc_member(archive)
        archive.extended_chain += 1
        archive.extended_work += self.size**2
        if self.size > MAX_TAR_EXTENDED_HEADER:
            raise tarfile.ReadError(f"an extended header of {self.size:,} bytes")
        if archive.extended_work > MAX_TAR_EXTENDED_WORK:
            raise tarfile.ReadError("too many large extended headers")
        if archive.extended_chain > MAX_TAR_EXTENDED_CHAIN:
            raise tarfile.ReadError(f"more than {MAX_TAR_EXTENDED_CHAIN} extended headers in a row")
        return super()._proc_member(archive)


class _CheckedTarFile(tarfile.TarFile):
    """A tar file read with _CheckedTarInfo, keeping the counts it checks."""

    tarinfo = _CheckedTarInfo

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.extended_work = 0  # set before the base class reads the first header
        self.extended_chain = 0
        super().__init__(*args, **kwargs)


def _tar_entry(archive: tarfile.TarFile, member: tarfile.TarInfo, meter: _Meter) -> _Entry:
    name = member.name
    if member.isdir():
        return _Entry(name, is_dir=True)
    if member.issym():
        return _Entry(name, refusal=SYMLINK)
    if member.islnk():
        return _Entry(name, refusal=HARD_LINK)
    if member.ischr() or member.isblk() or member.isfifo():
        return _Entry(name, refusal=SPECIAL_FILE)
    if member.issparse():
        return _Entry(name, refusal=SPARSE_FILE)
    if not member.isreg():
        return _Entry(name, refusal=UNKNOWN_TAR_TYPE)
    content = archive.extractfile(member)
    if content is None:
        return _Entry(name, refusal=UNKNOWN_TAR_TYPE)
    with content:
        return _Entry(name, data=_read_counted(content, meter))


# --- Folder --------------------------------------------------------------------------------------


def _read_folder(root: Path, meter: _Meter, limits: Limits) -> list[_Entry]:
    entries: list[_Entry] = []
    _walk(root, "", 1, entries, meter, limits)
    return entries


def _walk(
    folder: Path, prefix: str, depth: int, entries: list[_Entry], meter: _Meter, limits: Limits
) -> None:
    """Add a folder's entries without following links; past max_depth a folder is not entered."""
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: item.name)
    for item in items:
        name = prefix + item.name
        if _is_junk(name) or is_git_name(item.name):  # a checkout's own files
            continue
        if item.is_symlink():
            meter.entry(is_file=True)
            entries.append(_Entry(name, refusal=SYMLINK))
        elif item.is_dir(follow_symlinks=False):
            meter.entry(is_file=False)
            entries.append(_Entry(name, is_dir=True))
            if depth <= limits.max_depth:  # deeper folders are reported once, not walked
                _walk(Path(item.path), name + "/", depth + 1, entries, meter, limits)
        elif item.is_file(follow_symlinks=False):
            meter.entry(is_file=True)
            entries.append(_folder_file(Path(item.path), name, meter))
        else:
            meter.entry(is_file=True)
            entries.append(_Entry(name, refusal=SPECIAL_FILE))


def _folder_file(path: Path, name: str, meter: _Meter) -> _Entry:
    # Opened without following a link and without waiting on a pipe, then checked again, in case
    # the file was swapped for either since the folder was listed.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if path.is_symlink():
            return _Entry(name, refusal=SYMLINK)
        raise  # unreadable (permissions): the contributor needs to see why
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return _Entry(name, refusal=SPECIAL_FILE)
        return _Entry(name, data=_read_counted(file, meter))
