"""Locks across processes: flock on a file, exclusive (one writer) or shared (many, none exclusive)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Busy

POLL_SECONDS = 0.005


@contextmanager
def exclusive(lock_path: Path, timeout: float, what: str = "the content store") -> Iterator[None]:
    """Hold an exclusive lock on lock_path for the block, or raise Busy after timeout seconds."""
    with _flock(lock_path, fcntl.LOCK_EX, timeout, what):
        yield


@contextmanager
def shared(lock_path: Path, timeout: float, what: str) -> Iterator[None]:
    """Hold a shared lock on lock_path: many holders at once, but never beside an exclusive one."""
    with _flock(lock_path, fcntl.LOCK_SH, timeout, what):
        yield


@contextmanager
def _flock(lock_path: Path, mode: int, timeout: float, what: str) -> Iterator[None]:
    # flock belongs to the open file, so each call (thread or process) opens its own; the kernel
    # drops the lock when the holder dies, so a crashed holder never blocks the next one.
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"{what} is busy: {lock_path.name} was held for more than "
                        f"{timeout:g} seconds; try again"
                    ) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock
