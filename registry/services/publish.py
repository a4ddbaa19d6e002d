"""Publishing: validate an upload, refuse what can never be published, store it for review.

Order of a submit, so a crash at any line leaves nothing visible half done:
1. validate (nothing stored yet);
2. insert the submission row with its `claim` (unique: a second live submission of the same
   version fails here with 409) — not yet committed, so no one sees it;
3. write the git branch `submissions/<id>`;
4. commit the row. A crash before 4 leaves at most an orphan branch with no row, which nobody can
   see and `check --repair` deletes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.db.models import Organisation, Pack, Submission, Version
from registry.errors import Conflict, Forbidden, NotFound, TooLarge, Unprocessable
from registry.packs import slots
from registry.packs.validate import Report, validate_upload
from registry.services import audit, faults
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.reasons import optional_text
from registry.store.errors import Busy

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Problem codes that mean "too big" rather than "wrong": they answer 413, not 422.
SIZE_CODES = frozenset({"archive-too-large", "unpacked-too-large", "too-many-files"})


def claim_key(publisher: str, name: str, version: str) -> str:
    """The unique claim a live (pending or approved) submission holds on its version."""
    return f"{publisher}/{name}@{version}"


def submit(reg: Registry, actor: Actor, stream: BinaryIO, filename: str) -> Submission:
    """Validate an uploaded archive and store it as a pending submission."""
    actor.require("publish")

    def refuse_existing(manifest: dict) -> None:
        # From the manifest, before any scanning: a version already approved or pending is 409.
        # Only for the actor's own organisations, whose pending versions they may know of.
        if actor.may_publish_for(manifest["publisher"]):
            with reg.db.session() as session:
                org = session.scalar(
                    select(Organisation).where(Organisation.slug == manifest["publisher"])
                )
                if org is not None:
                    _refuse_existing(session, org, manifest["name"], manifest["version"])

    try:
        report = validate_upload(stream, filename, reg.limits, before_scan=refuse_existing)
    except slots.Busy as exc:
        raise Busy(str(exc)) from None
    _refuse_invalid(report)
    manifest = report.manifest or {}
    publisher, name, version = manifest["publisher"], manifest["name"], manifest["version"]
    if not actor.may_publish_for(publisher):
        raise Forbidden(
            f"Your token publishes for {', '.join(sorted(actor.organisations)) or 'no organisation'}, not {publisher}: set `publisher:` in cmspack.yaml to your organisation."
        )
    with reg.db.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == publisher))
        if org is None:
            raise NotFound(f"No organisation called {publisher}.")
        _refuse_existing(session, org, name, version)
        sub = Submission(
            publisher_id=org.id,
            name=name,
            version=version,
            supplier=manifest["supplier"],
            status="pending",
            claim=claim_key(publisher, name, version),
            submitted_by=actor.username,
            manifest=manifest,
            report=_stored_report(report),
        )
        session.add(sub)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(
                f"{publisher}/{name} {version} is already pending or approved; publish a new version number."
            ) from None
        # The id is new to the database; a branch with this id can only be left by a crash before
        # an earlier commit (SQLite reuses the id of a rolled-back row), so it is replaced.
        ref = reg.store.submit(sub.id, publisher, name, report.files.contents(), replace=True)
        sub.commit = ref.commit
        audit.record(
            session,
            actor.username,
            "submit",
            claim_key(publisher, name, version),
            submission=sub.id,
        )
        faults.crash_point("submit-before-commit")
    return sub


def _refuse_invalid(report: Report) -> None:
    """413 for size limits, 422 for anything else wrong or any blocking finding."""
    if any(p.code in SIZE_CODES for p in report.problems):
        raise TooLarge(
            "The pack is over a size limit: "
            + "; ".join(p.message for p in report.problems if p.code in SIZE_CODES),
            errors={"problems": [p.to_dict() for p in report.problems]},
        )
    if report.problems:
        raise Unprocessable(
            f"The pack has {len(report.problems)} problem(s); fix them all (run `cmsreg validate` to see them offline) and upload again.",
            errors={
                "problems": [p.to_dict() for p in report.problems],
                "findings": [f.to_dict() for f in report.findings],
            },
        )
    if report.blocking:
        raise Unprocessable(
            f"The pack contains what look like personal identifiers ({len(report.blocking)} blocking finding(s)): remove them and upload again. Nothing was stored.",
            errors={"findings": [f.to_dict() for f in report.findings]},
        )


def _refuse_existing(session, org: Organisation, name: str, version: str) -> None:
    """409 when that version is approved or already waiting for review."""
    approved = session.scalar(
        select(Version)
        .join(Pack)
        .where(Pack.publisher_id == org.id, Pack.name == name, Version.version == version)
    )
    if approved is not None:
        raise Conflict(
            f"{org.slug}/{name} {version} is already approved and versions never change: publish a new version number."
        )
    claim = claim_key(org.slug, name, version)
    if session.scalar(select(Submission.id).where(Submission.claim == claim)) is not None:
        raise Conflict(
            f"{org.slug}/{name} {version} is already waiting for review: withdraw it first, or publish a new version number."
        )


def _stored_report(report: Report) -> dict:
    """What a moderator sees: notices and findings (masked), each warning with an id to acknowledge."""
    findings = []
    for i, f in enumerate(report.findings, start=1):
        findings.append({"id": f"F{i}", **f.to_dict()})
    return {
        "files": len(report.files),
        "size": report.files.total_size,
        "notices": [n.to_dict() for n in report.notices],
        "findings": findings,
    }


def get_submission(session, submission_id: int) -> Submission:
    """Return a submission or raise NotFound."""
    if not 0 < submission_id <= MAX_ID:  # a larger number would overflow the database's integer
        raise NotFound(f"No submission {str(submission_id)[:24]}.")
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound(f"No submission {submission_id}.")
    return sub


def withdraw(
    reg: Registry, actor: Actor, submission_id: int, note: str | None = None
) -> Submission:
    """Withdraw a pending or rejected submission of the actor's organisation."""
    actor.require("publish")
    note = optional_text(note, "note")
    with reg.db.session() as session:
        sub = get_submission(session, submission_id)
        if not actor.may_publish_for(sub.publisher.slug):
            raise Forbidden(f"Only {sub.publisher.slug} can withdraw this submission.")
        if sub.status not in ("pending", "rejected"):
            raise Conflict(
                f"Submission {submission_id} is {sub.status}; only pending or rejected submissions can be withdrawn."
            )
        sub.status, sub.claim, sub.reason = "withdrawn", None, note
        sub.decided_at = datetime.now(UTC)
        audit.record(
            session,
            actor.username,
            "withdraw",
            claim_key(sub.publisher.slug, sub.name, sub.version),
            note,
            submission=sub.id,
        )
    # After the commit: the branch is only reachable through the row, so dropping it last is safe.
    reg.store.drop_submission(submission_id)
    return sub
