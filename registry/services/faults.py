"""A test hook: crash points that end the process where a crash would hurt most.

The system tests start a real server with `CMSREG_CRASH_POINT=<name>`; the first request that
reaches `crash_point(<name>)` ends its worker at once with exit code 137 (as SIGKILL would),
without unwinding: no `finally`, no rollback, no flush. The tests then check that nothing is
visible half done and that `cmsreg-server check --repair` mends what the crash left.

This is not a setting and operators never set it. Unset (always, outside those tests), a crash
point costs one dictionary lookup.

Crash points, in the order of the writes they interrupt:

``submit-before-commit``
    publish.submit: the `submissions/<id>` branch is written, the row is not committed.
``approve-before-commit``
    moderation.approve: the tag is written (main moved, branch deleted), the version row,
    review and audit entry are not committed.
"""

from __future__ import annotations

import os

ENV_VAR = "CMSREG_CRASH_POINT"
CRASH_EXIT_CODE = 137  # what a shell reports for a process killed by SIGKILL


def crash_point(name: str) -> None:
    """End this process at once when $CMSREG_CRASH_POINT is name (a test hook)."""
    if os.environ.get(ENV_VAR) == name:
        os._exit(CRASH_EXIT_CODE)
