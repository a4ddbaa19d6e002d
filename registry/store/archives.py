"""Download cache: archives built once per tag with registry.packs.build, then served from disk.

Layout: `<folder>/<sha256>.<ext>` holds the bytes (shared by versions with identical files) and
`<folder>/by-tag/<tag object id>.<ext>` holds that SHA-256. The archive is written before its
index entry, each by rename, so the index never names a missing or half-written file.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from registry.packs.build import BuiltArchive, build_tar_gz, build_zip

from .errors import InvalidRef
from .models import ArchiveFile

BUILDERS: dict[str, Callable[[Mapping[str, bytes]], BuiltArchive]] = {
    "zip": build_zip,
    "tar.gz": build_tar_gz,
}
_SHA256 = re.compile(r"[0-9a-f]{64}")
PRUNE_MIN_AGE = 3600.0  # seconds: gc leaves archives built within the last hour


def check_format(fmt: object) -> str:
    """Return fmt when it is an archive format the registry serves."""
    if fmt not in BUILDERS:
        raise InvalidRef(f"archive format {fmt!r} is not one of: zip, tar.gz")
    return str(fmt)


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ArchiveCache:
    """Archives on disk, found by tag object id; building is left to the caller's loader."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _index(self, key: str, fmt: str) -> Path:
        return self.folder / "by-tag" / f"{key}.{fmt}"

    def lookup(self, key: str, fmt: str) -> ArchiveFile | None:
        """Return the cached archive for key and fmt, or None when it must be built."""
        try:
            sha = self._index(key, fmt).read_text("ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return self.by_sha256(sha, fmt)

    def by_sha256(self, sha: str, fmt: str) -> ArchiveFile | None:
        """Return the cached archive whose content has this SHA-256, or None when absent."""
        if not _SHA256.fullmatch(sha) or fmt not in BUILDERS:
            return None
        path = self.folder / f"{sha}.{fmt}"
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None  # removed by an operator: rebuild it
        return ArchiveFile(path, sha, size, fmt)

    def get(self, key: str, fmt: str, files: Callable[[], Mapping[str, bytes]]) -> ArchiveFile:
        """Return the archive for key, building it from files() only on a cache miss."""
        fmt = check_format(fmt)
        found = self.lookup(key, fmt)
        if found is not None:
            return found
        built = BUILDERS[fmt](files())
        (self.folder / "by-tag").mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{built.sha256}.{fmt}"
        if not path.exists():  # another version with the same files may have built it already
            _write_atomic(path, built.data)
        _write_atomic(self._index(key, fmt), f"{built.sha256}\n".encode("ascii"))
        return ArchiveFile(path, built.sha256, len(built.data), fmt)

    def forget(self, key: str) -> None:
        """Drop the index entries of key (a tag that no longer exists)."""
        for fmt in BUILDERS:
            self._index(key, fmt).unlink(missing_ok=True)

    def prune(self, keep: set[str], min_age: float = PRUNE_MIN_AGE) -> int:
        """Remove index entries of keys not in keep, and archives no entry names; return count.

        Files younger than min_age seconds stay: a request may have just found one.
        """
        cutoff = time.time() - min_age
        removed = 0
        named = set()
        for entry in (self.folder / "by-tag").glob("*") if self.folder.is_dir() else ():
            key = entry.name.split(".", 1)[0]
            if key in keep or entry.stat().st_mtime > cutoff:
                named.add(entry.read_text("ascii").strip())
                continue
            entry.unlink(missing_ok=True)
            removed += 1
        for archive in self.folder.glob("*.*") if self.folder.is_dir() else ():
            sha = archive.name.split(".", 1)[0]
            if sha not in named and _SHA256.fullmatch(sha) and archive.stat().st_mtime < cutoff:
                archive.unlink(missing_ok=True)
                removed += 1
        return removed
