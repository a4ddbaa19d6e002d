"""Counting what a read consumes and produces, and stopping it as soon as a limit is passed.

Sizes are counted as bytes are read and decompressed, never taken from headers, so a compression
bomb is stopped just past the limit, in the middle of the member that passes it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, NoReturn

from ..limits import Limits, MiB
from ..problems import FatalPackError, Problem

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
# Where a problem with the archive as a whole points: the multipart field an upload arrives in.
ARCHIVE = "archive"


class PackLimitError(FatalPackError):
    """Reading stopped at an upload limit; says how far it had got."""

    def __init__(
        self, problem: Problem, archive_bytes_read: int, unpacked_bytes: int, entries: int
    ):
        super().__init__([problem])
        self.archive_bytes_read = archive_bytes_read  # compressed bytes read before stopping
        self.unpacked_bytes = unpacked_bytes  # file content decompressed before stopping
        self.entries = entries  # entries seen before stopping


class Meter:
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
        """Count compressed bytes read from the archive."""
        self.archive_bytes += size

    def unpacked(self, size: int) -> None:
        """Count file content produced; stop past max_unpacked_bytes."""
        self.unpacked_bytes += size
        if self.unpacked_bytes > self.limits.max_unpacked_bytes:
            self._unpacked_too_large()

    def tar_stream(self, size: int) -> None:
        """Count the decompressed tar stream (contents, headers, skipped data)."""
        self.stream_bytes += size
        if self.stream_bytes > self._tar_stream_limit():
            self._unpacked_too_large()

    def entry(self, is_file: bool) -> None:
        """Count one entry; stop past max_files files or too many entries."""
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
        """Stop when entries is more than an archive of max_files files needs."""
        most = self.limits.max_files * ENTRIES_PER_FILE
        if entries > most:
            self.entries = max(self.entries, entries)
            self.fail(
                "too-many-files",
                f"{self.source} holds more than {most:,} entries (files and folders); a pack may "
                f"have at most {self.limits.max_files:,} files. Split it into smaller packs.",
            )

    def archive_too_large(self, size: int) -> NoReturn:
        """Stop: the upload itself is over max_archive_bytes."""
        self.fail(
            "archive-too-large",
            f"{self.source} is larger than {_size(self.limits.max_archive_bytes)}, the most an "
            f"upload may be ({size:,} bytes or more). Leave large documents out or split the "
            "pack.",
        )

    def fail(self, code: str, message: str) -> NoReturn:
        """Stop reading with one problem about the archive as a whole."""
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


class CountingReader:
    """A read-only file that reports every piece it reads, so limits apply as bytes arrive."""

    def __init__(self, raw: BinaryIO, count: Callable[[int], None]) -> None:
        self._raw = raw
        self._count = count

    def read(self, size: int | None = -1) -> bytes:
        """Read like a file, counting every piece."""
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
        """Seek the file underneath."""
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        """Position in the file underneath."""
        return self._raw.tell()

    def seekable(self) -> bool:
        """Whether the file underneath can seek."""
        return self._raw.seekable()


def counted_chunks(stream: BinaryIO, meter: Meter) -> Iterator[bytes]:
    """A file's decompressed bytes in pieces, each counted before it is passed on."""
    while piece := stream.read(READ_CHUNK):
        meter.unpacked(len(piece))  # raises past the limit: a bomb stops here, mid-member
        yield piece


@contextmanager
def seekable(stream: BinaryIO, meter: Meter) -> Iterator[BinaryIO]:
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
