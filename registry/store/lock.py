"""Locks across processes and threads, with filelock: a writer's lock, and a shared/sole pair.

`exclusive()` is one holder at a time (filelock's FileLock: flock on the file, so a lock file
that an older release held with flock still excludes). `shared()` and `sole()` go together
on one file (filelock's ReadWriteLock): many shared holders at once, or one sole holder and
nobody else. Either way the kernel releases a dead holder's lock, so a crash never blocks the
next process, and a forked worker opens its own lock on first use.

A wait longer than the timeout raises Busy, which reaches an HTTP client as 503 with
Retry-After: the holder is working, not broken, and the same request will go through later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, ReadWriteLock, Timeout

from .errors import Busy

# A writer's lock is held for milliseconds: poll often, so a waiting approval is not slowed.
POLL_SECONDS = 0.005
# What a client told 503 is asked to wait: one approval or submit takes well under a second.
RETRY_AFTER_SECONDS = 2


def _busy(what: str, lock_path: Path, timeout: float) -> Busy:
    return Busy(
        f"{what} is busy: another change held {lock_path.name} for more than {timeout:g} "
        f"seconds, and nothing was changed. Try again in a few seconds.",
        retry_after=RETRY_AFTER_SECONDS,
    )


@contextmanager
def exclusive(lock_path: Path, timeout: float, what: str = "the content store") -> Iterator[None]:
    """Hold the lock on lock_path alone for the block, or raise Busy after timeout seconds."""
    # A new FileLock per call: each thread and process holds its own open file, and flock
    # excludes open files from each other, so two threads of one worker wait for each other.
    lock = FileLock(lock_path, timeout=timeout, is_singleton=False)
    try:
        lock.acquire(poll_interval=POLL_SECONDS)
    except Timeout:
        raise _busy(what, lock_path, timeout) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def shared(lock_path: Path, timeout: float, what: str) -> Iterator[None]:
    """Hold lock_path shared: many holders at once, but never beside a sole() holder."""
    with _read_write(lock_path, timeout, what, write=False):
        yield


@contextmanager
def sole(lock_path: Path, timeout: float, what: str) -> Iterator[None]:
    """Hold lock_path with no shared() or other sole() holder, or raise Busy after timeout."""
    with _read_write(lock_path, timeout, what, write=True):
        yield


@contextmanager
def _read_write(lock_path: Path, timeout: float, what: str, *, write: bool) -> Iterator[None]:
    # Its own instance per hold: filelock shares one instance per file between the threads of
    # a process, and a thread waiting for a conflicting hold needs an instance of its own.
    lock = ReadWriteLock(lock_path, timeout=timeout, is_singleton=False)
    try:
        try:
            (lock.acquire_write if write else lock.acquire_read)(timeout)
        except Timeout:
            raise _busy(what, lock_path, timeout) from None
        try:
            yield
        finally:
            lock.release()
    finally:
        lock.close()
