"""A cap on the uploads one process checks at once.

Reading and scanning an upload costs a bounded amount of memory, whatever it unpacks to (see
`spool` and `scan`), so what a worker process needs is that bound times the uploads it checks at
once. A server with several threads per process (gunicorn --threads, the development server)
would otherwise check as many uploads at once as it has threads. An upload that finds every
slot taken waits up to `Limits.validation_wait_seconds` for one, then is turned away with
`Busy`, which the registry answers with 503 and a request to try again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .limits import Limits

_slots: dict[int, threading.BoundedSemaphore] = {}  # one per configured number, per process
_slots_lock = threading.Lock()


class Busy(Exception):
    """Every validation slot of this process stayed taken for as long as an upload may wait."""


@contextmanager
def validation_slot(limits: Limits) -> Iterator[None]:
    """Hold one of the process's limits.max_concurrent_validations slots, waiting a bounded time."""
    size = max(1, limits.max_concurrent_validations)
    with _slots_lock:
        slots = _slots.setdefault(size, threading.BoundedSemaphore(size))
    if not slots.acquire(timeout=limits.validation_wait_seconds):
        raise Busy(
            f"The registry is busy checking {size} other upload{'s' if size > 1 else ''} and "
            f"could not start on yours within {limits.validation_wait_seconds:g} seconds. Nothing "
            "was stored: upload it again in a minute."
        )
    try:
        yield
    finally:
        slots.release()
