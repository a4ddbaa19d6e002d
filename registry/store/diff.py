"""Comparing two versions of a pack: files added, removed and changed, with unified text diffs."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# A line diff of larger files is slow (difflib is quadratic at worst) and unreadable in a review.
MAX_TEXT_BYTES = 256 * 1024
# Total diff text in one answer; beyond it files are still listed, without their diff.
MAX_DIFF_CHARS = 1024 * 1024
# Git's own test: a NUL byte in the first 8,000 bytes means binary.
BINARY_SNIFF_BYTES = 8000

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FileChange:
    """One file that differs between two versions."""

    path: str
    status: Status
    old_size: int | None
    new_size: int | None
    binary: bool
    diff: str | None = None  # unified diff for text files, when within the limits
    note: str | None = None  # why a diff is missing (binary, too large, limit reached)


@dataclass(frozen=True)
class PackDiff:
    """Differences between two versions of a pack; from_version None means "nothing before"."""

    from_version: str | None
    to_version: str | None  # None for a pending submission
    added: list[FileChange] = field(default_factory=list)
    removed: list[FileChange] = field(default_factory=list)
    changed: list[FileChange] = field(default_factory=list)
    truncated: bool = False  # some diffs were left out to keep the answer small

    @property
    def empty(self) -> bool:
        """True when the two versions hold the same files."""
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as a JSON-ready dict."""
        return asdict(self)


def _text(data: bytes) -> str | None:
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unified(path: str, status: Status, old: str, new: str) -> str:
    """Return a git-style unified diff, marking a last line without a newline as git does."""
    lines: Iterator[str] = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile="/dev/null" if status == "added" else f"a/{path}",
        tofile="/dev/null" if status == "removed" else f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


class _Budget:
    """Hands out the shared MAX_DIFF_CHARS between files."""

    def __init__(self, limit: int):
        self.left = limit
        self.exhausted = False

    def take(self, text: str) -> bool:
        if len(text) > self.left:
            self.exhausted = True
            return False
        self.left -= len(text)
        return True


def _change(
    path: str, status: Status, old: bytes | None, new: bytes | None, budget: _Budget
) -> FileChange:
    sizes = (None if old is None else len(old), None if new is None else len(new))
    old_text = "" if old is None else _text(old)
    new_text = "" if new is None else _text(new)
    if old_text is None or new_text is None:
        return FileChange(path, status, *sizes, binary=True, note="binary file: no line diff")
    if max(len(old or b""), len(new or b"")) > MAX_TEXT_BYTES:
        note = f"over {MAX_TEXT_BYTES // 1024} KiB: no line diff"
        return FileChange(path, status, *sizes, binary=False, note=note)
    text = _unified(path, status, old_text, new_text)
    if not budget.take(text):
        note = f"left out: the whole diff would pass {MAX_DIFF_CHARS // 1024} KiB"
        return FileChange(path, status, *sizes, binary=False, note=note)
    return FileChange(path, status, *sizes, binary=False, diff=text)


def compare(
    old: Mapping[str, str],
    new: Mapping[str, str],
    load: Callable[[str], bytes],
    from_version: str | None,
    to_version: str | None,
    *,
    max_chars: int = MAX_DIFF_CHARS,
) -> PackDiff:
    """Compare {path: blob id} maps, loading contents only for files whose id differs."""
    budget = _Budget(max_chars)
    result = PackDiff(from_version, to_version)
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        if before is None:
            result.added.append(_change(path, "added", None, load(new[path]), budget))
        elif after is None:
            result.removed.append(_change(path, "removed", load(before), None, budget))
        else:
            result.changed.append(_change(path, "changed", load(before), load(after), budget))
    if budget.exhausted:
        return PackDiff(
            from_version, to_version, result.added, result.removed, result.changed, True
        )
    return result
