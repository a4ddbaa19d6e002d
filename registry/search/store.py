"""Where the index lives on disk: generations swapped atomically, one writer at a time.

    <path>/current        symlink to the generation in use (replaced atomically by rename)
    <path>/gen-<ns>-<pid>/ one complete Whoosh index per rebuild
    <path>/write.lock     held (filelock) by whoever writes: incremental updates or a rebuild

A rebuild writes a new generation beside the current one and swaps the symlink, so readers see
either the old index or the new one, never a half-built one. Readers compare the symlink's
target (one readlink) with the generation they have open on every search.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from whoosh import index as whoosh_index
from whoosh.index import Index

from registry.search.schema import build_schema

CURRENT = "current"
LOCK_FILE = "write.lock"
PREFIX = "gen-"
# Bump when the schema or analysis changes: an index of another format must be rebuilt.
FORMAT = "2"
FORMAT_FILE = "cmsreg-format"


class IndexFormatError(RuntimeError):
    """The index on disk was built by another version of the search code."""


class LockTimeout(RuntimeError):
    """Another process held the index write lock for too long.

    retry_after: the seconds a caller should wait before trying again (the wait it gave up).
    """

    def __init__(self, message: str, retry_after: int = 30) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def lock_timeout(what: str, waited: float) -> LockTimeout:
    """Return the LockTimeout for a lock held by another writer for more than `waited` seconds."""
    return LockTimeout(
        f"{what} is busy: another writer (an index update or `cmsreg-server reindex`) held "
        f"its lock for more than {waited:g} s. Try again in a minute.",
        retry_after=max(1, math.ceil(waited)),
    )


class IndexStore:
    """The directory holding the index generations."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def current(self) -> Path | None:
        """Return the directory of the current generation, or None if there is none yet."""
        try:
            return self.path / os.readlink(self.path / CURRENT)
        except FileNotFoundError:
            return None

    def open(self, directory: Path) -> Index:
        """Open the index in a generation directory, checking its format."""
        try:
            found = (directory / FORMAT_FILE).read_text().strip()
        except FileNotFoundError:
            found = "none"
        if found != FORMAT:
            raise IndexFormatError(
                f"search index at {directory} has format {found}, expected {FORMAT}: "
                "run `cmsreg-server reindex`"
            )
        return whoosh_index.open_dir(str(directory))

    def create(self) -> Path:
        """Create an empty generation directory (not yet current) and return it."""
        self.path.mkdir(parents=True, exist_ok=True)
        directory = self.path / f"{PREFIX}{time.time_ns()}-{os.getpid()}"
        directory.mkdir()
        whoosh_index.create_in(str(directory), build_schema())
        (directory / FORMAT_FILE).write_text(FORMAT + "\n")
        return directory

    def ensure(self, timeout: float = 120.0) -> Path:
        """Return the current generation, creating an empty one first if there is none.

        timeout: seconds to wait for the write lock when the generation must be created.
        """
        current = self.current()
        if current is not None:
            return current
        with self.write_lock(timeout):
            return self.ensure_locked()

    def ensure_locked(self) -> Path:
        """Like ensure(), for a caller already holding the write lock."""
        current = self.current()
        if current is None:
            current = self.create()
            self.swap(current)
        return current

    def swap(self, directory: Path) -> None:
        """Make directory the current generation, atomically, and remove older ones."""
        previous = self.current()
        link = self.path / f"{CURRENT}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(directory.name)
        os.replace(link, self.path / CURRENT)
        # The previous generation stays for processes still reading it (they reopen on their
        # next search); older ones, and directories of crashed rebuilds, go.
        keep = {directory.name, previous.name if previous else None}
        for old in self.path.iterdir():
            if old.name.startswith(PREFIX) and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def write_lock(self, timeout: float = 120.0) -> Iterator[None]:
        """Hold the index write lock across processes, waiting up to timeout seconds."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path / LOCK_FILE, timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise lock_timeout("The search index", timeout) from None
        try:
            yield
        finally:
            lock.release()
