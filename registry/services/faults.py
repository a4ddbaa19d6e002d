"""A test hook: named points between the writes of a state change, where a crash or a second
person acting would hurt most.

Two ways to use a point, both only from tests:

- **crash**: the system tests start a real server with `CMSREG_CRASH_POINT=<name>`; the first
  request that reaches `crash_point(<name>)` ends its worker at once with exit code 137 (as
  SIGKILL would), without unwinding: no `finally`, no rollback, no flush. `<name>@<n>` ends the
  process at the n-th arrival instead, counted across all processes of the instance in the file
  `$CMSREG_CRASH_COUNTER` (one byte appended per arrival), so a crash lands on a counted event
  whatever the machine's speed. With `CMSREG_CRASH_SCOPE=server` the point kills the worker's
  whole process group with SIGKILL instead — master and every worker at once, as a power cut
  would — so a test can kill the whole server at a counted event.
- **act in between**: an in-process test registers a callable with `between(<name>, fn)`; the
  service calls it at that point, so a second moderator's reject, say, lands exactly between an
  approval's check and its write — deterministic, on SQLite and PostgreSQL alike.

This is not a setting and operators never set it. Unset, a point costs one dictionary lookup.

Points, in the order of the writes they interrupt:

``submit-before-commit``
    publish.submit: the `refs/submissions/<id>` ref is written, the row is not committed.
``approve-after-claim``
    moderation.approve: the submission reads `approving` (committed); git is not written.
``approve-after-tag``
    moderation.approve: the tag is written (main moved, submission ref deleted); the database
    still reads `approving`.
``approve-before-commit``
    moderation.approve: as after-tag, with the version row, review and audit entry written but
    not committed.
``reject-before-commit`` / ``withdraw-before-commit``
    moderation.reject / publish.withdraw: the state is changed but not committed.
``yank-before-write`` / ``unyank-before-write`` / ``revoke-before-write``
    yanking.yank / yanking.unyank / accounts.revoke_token: checked, not yet written.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ENV_VAR = "CMSREG_CRASH_POINT"
COUNTER_VAR = "CMSREG_CRASH_COUNTER"
SCOPE_VAR = "CMSREG_CRASH_SCOPE"
CRASH_EXIT_CODE = 137  # what a shell reports for a process killed by SIGKILL

_between: dict[str, Callable[[], None]] = {}


def crash_point(name: str) -> None:
    """End this process at once when $CMSREG_CRASH_POINT names this point (a test hook)."""
    hook = _between.get(name)
    if hook is not None:
        hook()
    wanted = os.environ.get(ENV_VAR)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    if not nth:
        _die()
    # An O_APPEND write is atomic and leaves the offset just past its own byte: that offset is
    # this arrival's number, across every process appending to the file.
    fd = os.open(os.environ[COUNTER_VAR], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b".")
        arrivals = os.lseek(fd, 0, os.SEEK_CUR)
    finally:
        os.close(fd)
    if arrivals == int(nth):
        _die()


def _die() -> None:
    if os.environ.get(SCOPE_VAR) == "server":
        os.killpg(os.getpgid(0), signal.SIGKILL)  # master and workers: the whole server
    os._exit(CRASH_EXIT_CODE)


@contextmanager
def between(name: str, action: Callable[[], None]) -> Iterator[None]:
    """Run action whenever a service reaches point name, for the block (tests only)."""
    _between[name] = action
    try:
        yield
    finally:
        _between.pop(name, None)
