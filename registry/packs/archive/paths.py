"""Rules for the path of every entry in a pack: each says what is wrong and what to do.

Names come from hostile archives. A path is first checked for what would make it unsafe to read
at all (undecodable bytes, control characters, absolute paths, backslashes, "..", empty or "."
folders), stopping at the first; then for every naming rule at once (length, depth, names
Windows cannot create, git's own names, a leading dash) and, for files, a refused type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from ..filetypes import Found, forbidden_name
from ..limits import Limits
from ..problems import Problem

# Longest name quoted in a problem: a hostile name may be megabytes long.
MAX_QUOTED_NAME = 300

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

# Files an operating system adds by itself. A council user who zips a folder in Finder or Explorer
# never chose them and cannot see them, so refusing the upload over them would only puzzle; they
# are left out without a word. Nothing of them is kept, so nothing can be smuggled through them.
# A folder read from disk is often a git checkout, so git's own files (.git/, .gitignore,
# .github/) are left out of it too; in an archive they are reported, because the publisher chose
# to put them there and the registry's git store cannot hold them.
MACOS_METADATA_FOLDER = "__MACOSX"  # Finder's "Compress" stores resource forks here
APPLEDOUBLE_PREFIX = "._"  # macOS tar and copies to non-Mac disks add "._name" beside "name"
JUNK_FILE_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})  # case-insensitive


def check_path(path: str, limits: Limits) -> list[Problem]:
    """Return every problem with the relative path of one file (none when it is acceptable)."""
    return _safety_problems(path, limits) or _apply(
        (*NAMING_RULES, _forbidden_extension), path, limits
    )


# --- Path rules: each returns (code, what to do) or None -----------------------------------------

Rule = Callable[[str, Limits], Found | None]


def not_utf8(path: str, limits: Limits) -> Found | None:
    """Refuse a name with bytes that are not UTF-8."""
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
    return forbidden_name(path)


# Checked in this order, stopping at the first that fails: each later rule reads the path as
# "/"-separated relative names, which only holds once the earlier ones pass.
SAFETY_RULES: tuple[Rule, ...] = (
    not_utf8,
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
        if verdict := rule(path, limits):
            return found(verdict, path)
    return []


def folder_problems(path: str, limits: Limits) -> list[Problem]:
    """Problems with a folder's path: the file rules less the one about extensions."""
    return _safety_problems(path, limits) or _apply(NAMING_RULES, path, limits)


def _apply(rules: tuple[Rule, ...], path: str, limits: Limits) -> list[Problem]:
    return [problem for rule in rules for problem in found(rule(path, limits), path)]


def found(verdict: Found | None, name: str) -> list[Problem]:
    """The problem a rule's verdict makes for the entry called name (none for None)."""
    if verdict is None:
        return []
    code, message = verdict
    return [Problem(where=quoted(name), message=message, code=code)]


def quoted(name: str) -> str:
    """The name as it can be shown: control characters and undecodable bytes escaped."""
    shown = "".join(_escaped(ch) for ch in name[:MAX_QUOTED_NAME])
    return shown + ("…" if len(name) > MAX_QUOTED_NAME else "")


def _escaped(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":
        return f"\\x{ord(ch) - 0xDC00:02x}"  # the byte that was not UTF-8
    if unicodedata.category(ch) in UNSAFE_CHARACTER_CATEGORIES | {"Cs"}:
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def is_junk(name: str) -> bool:
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
