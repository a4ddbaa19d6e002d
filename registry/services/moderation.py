"""Moderation: approve or reject a pending submission.

Order of an approval, so a crash at any line leaves no visible half state:
1. checks (scope, supplier, status, findings, acknowledgements) — nothing written;
2. git: commit on main and the annotated tag `<publisher>/<name>/v<version>` (the store writes
   objects first and moves refs last, under its cross-process lock);
3. database: version row, submission approved, review, audit, search queue — one transaction.
A crash between 2 and 3 leaves a tag with no version row: the API serves versions from the
database, so nothing is visible, and `cmsreg-server check --repair` creates the row from the tag.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from registry.db.models import Pack, Review, Submission, Version
from registry.errors import Conflict, Forbidden, Unprocessable
from registry.services import audit, faults, searchsync
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.publish import claim_key, get_submission
from registry.services.reasons import optional_text, required_reason


def _check_moderator(actor: Actor, sub: Submission) -> None:
    actor.require("moderate")
    if not actor.may_moderate(sub.supplier):
        raise Forbidden(
            f"You moderate {', '.join(sorted(actor.suppliers)) or 'no supplier'}; this pack is for {sub.supplier}."
        )
    if sub.status != "pending":
        raise Conflict(f"Submission {sub.id} is {sub.status}, not pending.")


def approve(
    reg: Registry,
    actor: Actor,
    submission_id: int,
    note: str | None = None,
    acknowledge: list[str] | None = None,
) -> Version:
    """Approve a pending submission: tag it in git, record the version, queue it for search."""
    note = optional_text(note, "note")
    with reg.db.session() as session:
        sub = get_submission(session, submission_id)
        _check_moderator(actor, sub)
        findings = sub.report.get("findings", [])
        blocking = [f for f in findings if f["severity"] == "block"]
        if blocking:
            raise Unprocessable(
                "This submission has blocking personal-data findings and can never be approved; reject it.",
                errors={"findings": blocking},
            )
        warnings = {f["id"] for f in findings if f["severity"] == "warn"}
        missing = sorted(warnings - set(acknowledge or []), key=lambda i: int(i[1:]))
        if missing:
            raise Unprocessable(
                f"Acknowledge every warning before approving: send `acknowledge` with {', '.join(missing)} once you have checked them.",
                errors={"acknowledge": [f"not acknowledged: {', '.join(missing)}"]},
            )
        publisher = sub.publisher.slug
        pack = session.scalar(
            select(Pack).where(Pack.publisher_id == sub.publisher_id, Pack.name == sub.name)
        )
    approved = reg.store.approve(
        submission_id, publisher, sub.name, sub.version, approver=actor.username, note=note or ""
    )
    zip_sha = reg.store.archive_sha256(publisher, sub.name, sub.version, "zip")
    tar_sha = reg.store.archive_sha256(publisher, sub.name, sub.version, "tar.gz")
    files = reg.store.list_files(publisher, sub.name, sub.version)
    with reg.db.session() as session:
        sub = get_submission(session, submission_id)
        if pack is None:
            pack = Pack(publisher_id=sub.publisher_id, name=sub.name)
            session.add(pack)
            session.flush()
        version = Version(
            pack_id=pack.id,
            version=sub.version,
            manifest=sub.manifest,
            commit=approved.commit,
            tree=approved.tree,
            zip_sha256=zip_sha,
            tar_sha256=tar_sha,
            file_count=len(files),
            size=sum(f.size for f in files),
            submission_id=sub.id,
            approved_by=actor.username,
        )
        session.add(version)
        sub.status, sub.decided_at = "approved", datetime.now(UTC)
        session.add(
            Review(
                submission_id=sub.id,
                moderator=actor.username,
                decision="approve",
                note=note,
                acknowledged=sorted(warnings),
            )
        )
        audit.record(
            session,
            actor.username,
            "approve",
            claim_key(publisher, sub.name, sub.version),
            note,
            submission=sub.id,
            zip_sha256=zip_sha,
        )
        searchsync.enqueue(session, publisher, sub.name)
        faults.crash_point("approve-before-commit")
    searchsync.drain(reg)
    return version


def reject(reg: Registry, actor: Actor, submission_id: int, reason: str) -> Submission:
    """Reject a pending submission with a reason the publisher can act on."""
    reason = required_reason(reason, "the publisher needs to know what to change")
    with reg.db.session() as session:
        sub = get_submission(session, submission_id)
        _check_moderator(actor, sub)
        sub.status, sub.claim, sub.reason = "rejected", None, reason
        sub.decided_at = datetime.now(UTC)
        session.add(
            Review(
                submission_id=sub.id,
                moderator=actor.username,
                decision="reject",
                note=reason,
            )
        )
        audit.record(
            session,
            actor.username,
            "reject",
            claim_key(sub.publisher.slug, sub.name, sub.version),
            reason,
            submission=sub.id,
        )
    # The rejected content stays on its branch until withdrawn, so the publisher can see the diff.
    return sub
