"""Moderation: approve or reject a pending submission.

Order of an approval, so that a second person acting at any moment, or a crash at any line,
can never publish what was not approved by a decision that still stands:
1. holding the decisions lock (shared) for the whole approval, check scope, supplier,
   separation of duties, findings and acknowledgements, then move the submission from
   `pending` to `approving` in one conditional UPDATE and commit. From here a reject or withdraw
   answers 409, and a second approval too;
2. git: commit on main and the annotated tag `<publisher>/<name>/v<version>` (the store writes
   objects first and moves refs last, under its cross-process lock). If git refuses, the
   submission goes back to `pending`;
3. database: version row, `approving` → `approved`, review, audit, search queue — one
   transaction. Then it wakes the process's search indexer and answers: the index is written
   after the answer (services/searchsync.py), and every search indexes what is queued first.
A crash after 1 leaves the submission reading `approving` (never `pending`: no one can reject
what may already be tagged); `cmsreg-server check --repair` settles it from git — a tag means
the approval finishes, no tag means it goes back to `pending`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.db.models import Pack, Review, Submission, SubmissionStatus, Version
from registry.errors import Forbidden, NotFound, Unprocessable
from registry.services import audit, decisions, faults, searchsync
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.decisions import claim_key
from registry.services.publish import get_submission, supplier_change
from registry.services.reasons import optional_text, required_reason

PENDING, APPROVING, APPROVED = (
    SubmissionStatus.PENDING,
    SubmissionStatus.APPROVING,
    SubmissionStatus.APPROVED,
)
SUPPLIER_CHANGE = "supplier-change"  # what a moderator acknowledges when a pack changes user group


def reviewable(session: Session, actor: Actor, submission_id: int) -> Submission:
    """The submission, if the actor moderates its supplier; 404 to anyone it is hidden from."""
    sub = get_submission(session, submission_id)
    if actor.may_moderate(sub.supplier):
        return sub
    if not (sub.publisher.slug in actor.organisations or actor.is_admin):
        raise NotFound(f"No submission {submission_id}.")  # as if it did not exist
    actor.require("moderate")  # their own organisation's, or an admin: say what is missing
    raise Forbidden(
        f"You moderate {', '.join(sorted(actor.suppliers)) or 'no supplier'}; this pack is for {sub.supplier}."
    )


def _check_approvable(
    session: Session, actor: Actor, sub: Submission, acknowledge: list[str] | None
) -> list[str]:
    """Refuse what can never be approved, or not by this actor; return what was acknowledged."""
    if sub.publisher.slug in actor.organisations:
        raise Forbidden(
            f"No one approves a submission of their own organisation ({sub.publisher.slug}): "
            f"ask another {sub.supplier} moderator to review it."
        )
    findings = sub.report.get("findings", [])
    blocking = [f for f in findings if f["severity"] == "block"]
    if blocking:
        raise Unprocessable(
            "This submission has blocking personal-data findings and can never be approved; reject it.",
            errors={"findings": blocking},
        )
    needed = {f["id"] for f in findings if f["severity"] == "warn"}
    changed = supplier_change(session, sub.publisher_id, sub.name, sub.supplier)
    if changed:
        needed.add(SUPPLIER_CHANGE)
    missing = sorted(needed - set(acknowledge or []))
    if missing:
        what = f"; the pack moves from {changed} to {sub.supplier}" if changed else ""
        raise Unprocessable(
            f"Acknowledge every warning before approving: send `acknowledge` with {', '.join(missing)} once you have checked them{what}.",
            errors={"acknowledge": [f"not acknowledged: {', '.join(missing)}"]},
        )
    return sorted(needed)


def approve(
    reg: Registry,
    actor: Actor,
    submission_id: int,
    note: str | None = None,
    acknowledge: list[str] | None = None,
) -> Version:
    """Approve a pending submission: tag it in git, record the version, queue it for search."""
    note = optional_text(note, "note")
    with decisions.in_flight(reg):
        with reg.db.session() as session:
            sub = reviewable(session, actor, submission_id)
            decisions.expect(sub, (PENDING,), APPROVING)
            acknowledged = _check_approvable(session, actor, sub, acknowledge)
            decisions.transition(session, sub.id, (PENDING,), APPROVING)
            publisher, name, version = sub.publisher.slug, sub.name, sub.version
        faults.crash_point("approve-after-claim")
        try:
            reg.store.approve(
                submission_id, publisher, name, version, approver=actor.username, note=note or ""
            )
        except BaseException:
            # Nothing was tagged (the store moves refs all at once, last): review goes on.
            with reg.db.session() as session:
                decisions.transition(session, submission_id, (APPROVING,), PENDING)
            raise
        faults.crash_point("approve-after-tag")
        with reg.db.session() as session:
            row = finish_approval(
                reg, session, submission_id, actor.username, note, acknowledged, actor.username
            )
            faults.crash_point("approve-before-commit")
    searchsync.kick(reg)
    return row


def finish_approval(
    reg: Registry,
    session: Session,
    submission_id: int,
    moderator: str,
    note: str | None,
    acknowledged: list[str],
    actor: str,
    approved_at: datetime | None = None,
) -> Version:
    """Record a tagged approval: version row, `approving` → `approved`, review, audit, search."""
    sub = get_submission(session, submission_id)
    publisher = sub.publisher.slug
    row = record_version(
        reg,
        session,
        sub.publisher_id,
        publisher,
        sub.name,
        sub.version,
        manifest=sub.manifest,
        submission_id=sub.id,
        approved_by=moderator,
        approved_at=approved_at,
    )
    decisions.transition(
        session, sub.id, (APPROVING,), APPROVED, decided_at=approved_at or datetime.now(UTC)
    )
    session.add(
        Review(
            submission_id=sub.id,
            moderator=moderator,
            decision="approve",
            note=note,
            acknowledged=acknowledged,
        )
    )
    audit.record(
        session,
        actor,
        "approve",
        claim_key(publisher, sub.name, sub.version),
        note,
        submission=sub.id,
        zip_sha256=row.zip_sha256,
    )
    return row


def record_version(
    reg: Registry,
    session: Session,
    publisher_id: int,
    publisher: str,
    name: str,
    version: str,
    *,
    manifest: dict,
    submission_id: int | None,
    approved_by: str,
    approved_at: datetime | None = None,
) -> Version:
    """Insert the row that makes a tagged version public, with what git says of it."""
    # Git first: building the archives takes a while, and no database lock is held yet.
    info = reg.store.tag_info(publisher, name, version)
    files = reg.store.list_files(publisher, name, version)
    zip_sha = reg.store.archive_sha256(publisher, name, version, "zip")
    tar_sha = reg.store.archive_sha256(publisher, name, version, "tar.gz")
    row = Version(
        pack_id=pack_id(session, publisher_id, name),
        version=version,
        manifest=manifest,
        commit=info.commit,
        tree=info.tree,
        zip_sha256=zip_sha,
        tar_sha256=tar_sha,
        file_count=len(files),
        size=sum(f.size for f in files),
        submission_id=submission_id,
        approved_by=approved_by,
        approved_at=approved_at or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    searchsync.enqueue(session, publisher, name)
    return row


def pack_id(session: Session, publisher_id: int, name: str) -> int:
    """Return the id of the pack, creating it; two first approvals at once make one pack."""
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    session.execute(
        insert(Pack)
        .values(publisher_id=publisher_id, name=name, created_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["publisher_id", "name"])
    )
    return session.scalar(
        select(Pack.id).where(Pack.publisher_id == publisher_id, Pack.name == name)
    )


def reject(reg: Registry, actor: Actor, submission_id: int, reason: str) -> Submission:
    """Reject a pending submission with a reason the publisher can act on."""
    reason = required_reason(reason, "the publisher needs to know what to change")
    with reg.db.session() as session:
        sub = reviewable(session, actor, submission_id)
        decisions.leave_review(
            session,
            sub,
            (PENDING,),
            SubmissionStatus.REJECTED,
            actor=actor.username,
            action="reject",
            reason=reason,
        )
        session.add(
            Review(submission_id=sub.id, moderator=actor.username, decision="reject", note=reason)
        )
        faults.crash_point("reject-before-commit")
    # Refused content leaves the store at once: the publisher keeps their own copy.
    return decisions.drop_content(reg, submission_id)
