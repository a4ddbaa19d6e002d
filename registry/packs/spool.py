"""Where a pack's file contents wait between reading, scanning and storing.

An upload may unpack to `max_unpacked_bytes` (200 MiB by default). Held as bytes objects, that
cost a worker hundreds of megabytes for one upload, so contents are written to a `Spool` as
they are decompressed: in memory while the pack's small files fit in `SPOOL_MEMORY`, the rest in
one temporary file (created only when needed, deleted when closed). The scan and the git store
read them back in chunks of `CHUNK` bytes, so what a pack costs in memory is fixed, whatever it
unpacks to.

`PackContents` is the pack as the rest of the code sees it: a mapping of path to bytes, sorted
by path, which reads a file when it is asked for, and gives each file's `Content` to those who
can read it in chunks.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO

from .limits import MiB

CHUNK = 64 * 1024  # bytes read back at a time
# Contents kept in memory per pack: small packs (most are well under this) never touch the disk.
SPOOL_MEMORY = 8 * MiB
# A file larger than this goes to disk even when memory is left, so a few big files cannot
# crowd out the small ones that are read more often (manifest, README, scanned text).
MEMORY_FILE = 1 * MiB


class SpoolError(RuntimeError):
    """The temporary file could not be written (a full disk): the registry's fault, not the pack's."""


class Spool:
    """File contents of one pack: in memory up to a budget, then in one temporary file."""

    def __init__(self, memory: int = SPOOL_MEMORY, *, directory: str | None = None) -> None:
        self._memory_left = memory
        self._directory = directory
        self._disk: BinaryIO | None = None
        self._end = 0  # where the next file starts in the temporary file
        self._lock = threading.Lock()  # reads of different files share the file's position
        self.closed = False

    def write(self, chunks: Iterable[bytes]) -> Content:
        """Store one file's bytes as they arrive and return where they are."""
        kept = bytearray()
        start, size, on_disk = 0, 0, False
        for chunk in chunks:
            size += len(chunk)
            if not on_disk and size > min(MEMORY_FILE, self._memory_left):
                start, on_disk = self._end, True
                self._append(kept)
                kept = bytearray()
            if on_disk:
                self._append(chunk)
            else:
                kept += chunk
        if on_disk:
            return Content(size, spool=self, offset=start)
        self._memory_left -= size
        return Content(size, data=bytes(kept))

    def _append(self, data: bytes | bytearray) -> None:
        if self.closed:
            raise ValueError("the spool is closed")
        try:
            if self._disk is None:
                self._disk = tempfile.TemporaryFile(dir=self._directory)  # noqa: SIM115 (kept)
            with self._lock:
                self._disk.seek(self._end)
                self._disk.write(data)
                self._end += len(data)
        except OSError as exc:
            raise SpoolError(f"could not write a temporary file: {exc}") from exc

    def read_at(self, offset: int, size: int) -> bytes:
        """Read size bytes of the temporary file from offset."""
        if self._disk is None or self.closed:
            raise ValueError("the spool is closed")
        with self._lock:
            self._disk.seek(offset)
            return self._disk.read(size)

    def close(self) -> None:
        """Delete the temporary file; contents on disk can no longer be read."""
        self.closed = True
        if self._disk is not None:
            self._disk.close()
            self._disk = None


class Content:
    """One file's bytes, in memory or in a spool's temporary file."""

    __slots__ = ("_data", "_offset", "_spool", "size")

    def __init__(
        self, size: int, *, data: bytes | None = None, spool: Spool | None = None, offset: int = 0
    ) -> None:
        self.size = size
        self._data = data
        self._spool = spool
        self._offset = offset

    @classmethod
    def of(cls, data: bytes) -> Content:
        """Content held in memory."""
        return cls(len(data), data=bytes(data))

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        """The bytes in pieces of at most size."""
        for start in range(0, self.size, size):
            yield self._read(start, min(size, self.size - start))

    def head(self, size: int) -> bytes:
        """The first size bytes (all of them for a shorter file)."""
        return self._read(0, min(size, self.size))

    def read(self) -> bytes:
        """Every byte at once: only for files known to be small, or callers that need bytes."""
        return self._read(0, self.size)

    def open(self) -> BinaryIO:
        """A seekable read-only file of the content (what zipfile needs)."""
        if self._data is not None:
            return io.BytesIO(self._data)
        return io.BufferedReader(_SpoolReader(self), CHUNK)

    def _read(self, start: int, size: int) -> bytes:
        if self._data is not None:
            return self._data[start : start + size]
        assert self._spool is not None
        return self._spool.read_at(self._offset + start, size)


class _SpoolReader(io.RawIOBase):
    """A raw file over one Content, with a position of its own."""

    def __init__(self, content: Content) -> None:
        self._content = content
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._content.size}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), max(0, self._content.size - self._position))
        data = self._content._read(self._position, wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class PackContents(Mapping[str, bytes]):
    """The accepted files of a pack: path -> bytes, sorted by path, each read when asked for."""

    def __init__(self, contents: Mapping[str, Content], spool: Spool | None = None) -> None:
        self._contents = {path: contents[path] for path in sorted(contents)}
        self._spool = spool

    @classmethod
    def of(cls, files: Mapping[str, bytes]) -> PackContents:
        """Files already in memory."""
        return cls({path: Content.of(data) for path, data in files.items()})

    def __getitem__(self, path: str) -> bytes:
        return self._contents[path].read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)

    def __repr__(self) -> str:
        return f"PackContents({len(self)} files, {self.total_size:,} bytes)"

    def content(self, path: str) -> Content:
        """One file's Content, to read in chunks."""
        return self._contents[path]

    def contents(self) -> dict[str, Content]:
        """Every file's Content by path (what the git store writes blobs from)."""
        return dict(self._contents)

    @property
    def total_size(self) -> int:
        """Bytes of every file together."""
        return sum(c.size for c in self._contents.values())

    def close(self) -> None:
        """Delete the temporary file behind the contents, if there is one."""
        if self._spool is not None:
            self._spool.close()
