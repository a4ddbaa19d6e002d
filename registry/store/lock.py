"""One writer at a time across processes: an exclusive flock on a file beside the repository."""

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
def exclusive(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on lock_path for the block, or raise Busy after timeout seconds."""
    # flock belongs to the open file, so each call (thread or process) opens its own; the kernel
    # drops the lock when the holder dies, so a crashed writer never blocks the next one.
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"the content store is busy: another writer held {lock_path.name} "
                        f"for more than {timeout:g} seconds"
                    ) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock
