"""The store's own error tree; the service layer maps these to HTTP, the store knows nothing of it."""

from __future__ import annotations


class StoreError(Exception):
    """The git content store could not do what was asked; the message says why."""


class NotFound(StoreError):
    """A version, submission or file that the store does not hold."""


class Conflict(StoreError):
    """The change clashes with what the store holds: a version that exists, a lost race."""


class InvalidRef(StoreError, ValueError):
    """A publisher, pack name, version, submission id, file path or text git cannot safely take."""


class Busy(StoreError):
    """Another writer held the store's lock for longer than the caller was willing to wait."""

    def __init__(self, message: str, *, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after  # seconds; sent to HTTP clients as Retry-After
