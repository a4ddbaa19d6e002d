"""Decisions that stand: every change of a submission's state names the state it checked.

A second person acting in between (another moderator, the publisher withdrawing, a repair) is
caught by the database itself: `UPDATE … WHERE id = ? AND status IN (…)` changes no row when
the submission has moved on, and the loser gets a 409 that says what happened instead.

An approval holds the decisions lock (shared) from its first check to its last write, and a
submit from its git ref to its commit, so `check --repair`, which takes the lock exclusively,
only ever settles what a process that died left behind — never work still under way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.db.models import Submission, SubmissionStatus
from registry.errors import Conflict
from registry.services import audit
from registry.services.context import Registry
from registry.store.lock import shared, sole

LOCK_NAME = "decisions.lock"
LOCK_TIMEOUT = 60.0  # seconds; an approval takes well under one, a repair a few

_AS = {
    SubmissionStatus.PENDING: "returned to review",
    SubmissionStatus.APPROVING: "approved",
    SubmissionStatus.APPROVED: "approved",
    SubmissionStatus.REJECTED: "rejected",
    SubmissionStatus.WITHDRAWN: "withdrawn",
}
_WHY = {
    SubmissionStatus.PENDING: "it is waiting for review",
    SubmissionStatus.APPROVING: "a moderator is approving it right now",
    SubmissionStatus.APPROVED: "it has been approved",
    SubmissionStatus.REJECTED: "it has been rejected",
    SubmissionStatus.WITHDRAWN: "it has been withdrawn",
}


def _lock_path(reg: Registry) -> Path:
    return Path(reg.settings["INSTANCE"]) / LOCK_NAME


@contextmanager
def in_flight(reg: Registry) -> Iterator[None]:
    """Hold while writing git and the database for one submission; many may at once."""
    with shared(_lock_path(reg), LOCK_TIMEOUT, "Review"):
        yield


@contextmanager
def settling(reg: Registry) -> Iterator[None]:
    """Hold while repair settles interrupted approvals: no approval is under way meanwhile."""
    with sole(_lock_path(reg), LOCK_TIMEOUT, "Review"):
        yield


def transition(
    session: Session,
    submission_id: int,
    allowed: tuple[SubmissionStatus, ...],
    to: SubmissionStatus,
    **values: Any,
) -> None:
    """Move a submission from one of the allowed states to `to`, or raise Conflict (409).

    The check and the write are one statement, so no one can change the state in between.
    """
    result = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.status.in_(allowed))
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        # Objects loaded earlier in this session still hold the old state.
        for obj in session.identity_map.values():
            if isinstance(obj, Submission) and obj.id == submission_id:
                session.expire(obj)
        return
    current = session.scalar(select(Submission.status).where(Submission.id == submission_id))
    raise _conflict(submission_id, current, to)


def expect(sub: Submission, allowed: tuple[SubmissionStatus, ...], to: SubmissionStatus) -> None:
    """Refuse early (409) when the state read already rules the change out.

    Only a courtesy, so that a decision on a settled submission says so before asking for
    acknowledgements; `transition` still makes the real, conditional change.
    """
    if sub.status not in allowed:
        raise _conflict(sub.id, sub.status, to)


def _conflict(submission_id: int, current: Any, to: SubmissionStatus) -> Conflict:
    return Conflict(
        f"Submission {submission_id} cannot be {_AS[to]} now: "
        f"{_WHY.get(current, f'it is {current}')}. Reload it to see its current state."
    )


def claim_key(publisher: str, name: str, version: str) -> str:
    """The unique claim a live submission holds on its version.

    Build metadata is left out: SemVer gives 1.0.0 and 1.0.0+x the same precedence, so they are
    one version, and only one of them may ever be pending or approved.
    """
    return f"{publisher}/{name}@{version.split('+', 1)[0]}"


def leave_review(
    session: Session,
    sub: Submission,
    allowed: tuple[SubmissionStatus, ...],
    to: SubmissionStatus,
    *,
    actor: str,
    action: str,
    reason: str | None,
) -> None:
    """Reject or withdraw: give up the version's claim, record why, and audit it."""
    transition(
        session, sub.id, allowed, to, claim=None, reason=reason, decided_at=datetime.now(UTC)
    )
    target = claim_key(sub.publisher.slug, sub.name, sub.version)
    audit.record(session, actor, action, target, reason, submission=sub.id)


def drop_content(reg: Registry, submission_id: int) -> Submission:
    """After a reject or withdraw has committed: remove the content, return the submission.

    The ref is reachable only through the row, so dropping it last is safe; a crash before it
    leaves a ref that `check --repair` deletes, since the database says the submission is gone,
    and `cmsreg-server gc` prunes the objects.
    """
    reg.store.drop_submission(submission_id)
    with reg.db.session() as session:
        return session.get(Submission, submission_id)
