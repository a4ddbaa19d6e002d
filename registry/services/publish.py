"""Publishing: validate an upload, refuse what can never be published, store it for review.

Order of a submit, so a crash at any line leaves nothing visible half done:
1. validate (nothing stored yet);
2. insert the submission row with its `claim` (unique: a second live submission of the same
   version fails here with 409) — not yet committed, so no one sees it;
3. write the git ref `refs/submissions/<id>` (no clone or mirror receives it);
4. commit the row. A crash before 4 leaves at most an orphan ref with no row, which nobody can
   see and `check --repair` deletes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.db.models import (
    Membership,
    ModeratorScope,
    Organisation,
    Pack,
    Submission,
    SubmissionStatus,
    User,
    Version,
)
from registry.errors import Conflict, Forbidden, NotFound, TooLarge, TooManyRequests, Unprocessable
from registry.packs import slots
from registry.packs.problems import Problem
from registry.packs.validate import Report, validate_upload
from registry.packs.versions import SemVer, VersionError, parse_specifier, satisfies
from registry.services import audit, decisions, faults
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.decisions import claim_key
from registry.services.reasons import optional_text
from registry.store.errors import Busy

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Problem codes that mean "too big" rather than "wrong": they answer 413, not 422.
SIZE_CODES = frozenset({"archive-too-large", "unpacked-too-large", "too-many-files"})


def submit(
    reg: Registry, actor: Actor, stream: BinaryIO, filename: str, *, rate_limited: bool = True
) -> Submission:
    """Validate an uploaded archive and store it as a pending submission.

    rate_limited=False is for the operator's own bulk import (`seed`), never for a request.
    """
    report = _checked_upload(reg, actor, stream, filename, rate_limited)
    manifest = report.manifest or {}
    publisher, name, version = manifest["publisher"], manifest["name"], manifest["version"]
    # Held from before the first database write: check --repair, which holds it exclusively,
    # then never takes a ref being written for a crash's orphan.
    with report, decisions.in_flight(reg), reg.db.session() as session:
        org = _admit(reg, session, manifest, rate_limited)
        sub = Submission(
            publisher_id=org.id,
            name=name,
            version=version,
            supplier=manifest["supplier"],
            status=SubmissionStatus.PENDING,
            claim=claim_key(publisher, name, version),
            submitted_by=actor.username,
            manifest=manifest,
            report=_checks(session, org, report),
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


def dry_run(reg: Registry, actor: Actor, stream: BinaryIO, filename: str) -> dict[str, Any]:
    """Run every check `submit` runs, in the same order, and store nothing: the would-be submission.

    Nothing is written to git, the database, the audit log or the index, and the upload counts
    against no rate limit (it is checked against it, as a real upload would be).
    """
    report = _checked_upload(reg, actor, stream, filename, rate_limited=True)
    manifest = report.manifest or {}
    with report, reg.db.session() as session:
        org = _admit(reg, session, manifest, rate_limited=True)
        checks = _checks(session, org, report)
        session.rollback()  # nothing was added; say so to any reader of this function
        return {
            "id": None,
            "status": "dry-run",
            "dry_run": True,
            "publisher": manifest["publisher"],
            "name": manifest["name"],
            "version": manifest["version"],
            "supplier": manifest["supplier"],
            "submitted_by": actor.username,
            "submitted_at": None,
            "decided_at": None,
            "reason": None,
            "commit": None,
            "checks": checks,
            "manifest": manifest,
            "reviews": [],
            "reviewers": reviewers(session, manifest["supplier"]),
        }


def _checked_upload(
    reg: Registry, actor: Actor, stream: BinaryIO, filename: str, rate_limited: bool
) -> Report:
    """The checks of an upload that need no lock: scope, validation, dependencies, publisher.

    The validation slot is held only while the archive is read and scanned.
    """
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
                    if rate_limited:
                        _limit_uploads(reg, session, org)

    try:
        report = validate_upload(stream, filename, reg.limits, before_scan=refuse_existing)
    except slots.Busy as exc:
        raise Busy(str(exc)) from None
    try:
        if report.manifest is not None:
            with reg.db.session() as session:
                report.problems.extend(missing_dependencies(session, report.manifest))
        _refuse_invalid(report)
        publisher = report.manifest["publisher"]  # type: ignore[index]  (valid: a manifest)
        if not actor.may_publish_for(publisher):
            raise Forbidden(
                f"Your token publishes for {', '.join(sorted(actor.organisations)) or 'no organisation'}, not {publisher}: set `publisher:` in cmspack.yaml to your organisation."
            )
    except BaseException:
        report.close()
        raise
    return report


def _admit(reg: Registry, session: Session, manifest: dict, rate_limited: bool) -> Organisation:
    """The publisher, once it exists, holds no such version already and may upload this hour."""
    publisher = manifest["publisher"]
    org = session.scalar(select(Organisation).where(Organisation.slug == publisher))
    if org is None:
        raise NotFound(f"No organisation called {publisher}.")
    _refuse_existing(session, org, manifest["name"], manifest["version"])
    if rate_limited:
        _limit_uploads(reg, session, org)
    return org


def _checks(session: Session, org: Organisation, report: Report) -> dict:
    """The checks a moderator sees, with the flag for a pack that changes supplier."""
    manifest = report.manifest or {}
    stored = _stored_report(report)
    moved_from = supplier_change(session, org.id, manifest["name"], manifest["supplier"])
    if moved_from:
        stored["flags"] = [_supplier_flag(moved_from, manifest["supplier"])]
    return stored


def missing_dependencies(session: Session, manifest: dict) -> list[Problem]:
    """A problem for each `depends` entry the registry has no approved version to satisfy.

    As crates.io does: a pack may only depend on what the registry can serve. Entries that are
    not written correctly are left to the manifest's own problems.
    """
    problems = []
    for target, spec in (manifest.get("depends") or {}).items():
        parts = target.split("/") if isinstance(target, str) else []
        if len(parts) != 2 or not isinstance(spec, str):
            continue
        try:
            parse_specifier(spec)
        except VersionError:
            continue
        where = f"depends.{target}"
        versions = session.scalars(
            select(Version.version)
            .join(Pack)
            .join(Organisation)
            .where(Organisation.slug == parts[0], Pack.name == parts[1])
        ).all()
        if not versions:
            problems.append(
                Problem(
                    where,
                    f"This registry has no pack {target}: publish it first, or remove it from `depends`.",
                    None,
                    "unknown-dependency",
                )
            )
        elif not any(satisfies(v, spec) for v in versions):
            newest = max(versions, key=SemVer.parse)
            problems.append(
                Problem(
                    where,
                    f'No approved version of {target} is in the range "{spec}" (the newest is {newest}): widen the range, or publish that version first.',
                    None,
                    "unsatisfied-dependency",
                )
            )
    return problems


def reviewers(session: Session, supplier: str) -> dict[str, Any]:
    """Who reviews a submission for supplier: how many moderators, and their organisations."""
    rows = session.execute(
        select(User.id, Organisation.slug)
        .join(ModeratorScope, ModeratorScope.user_id == User.id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(ModeratorScope.supplier == supplier)
    ).all()
    return {
        "supplier": supplier,
        "moderators": len({r[0] for r in rows}),
        "organisations": sorted({r[1] for r in rows if r[1]}),
    }


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
    """409 when that version (by SemVer precedence) is approved or already waiting for review."""
    wanted = SemVer.parse(version)  # equality is by precedence: build metadata is ignored
    approved = session.scalars(
        select(Version.version).join(Pack).where(Pack.publisher_id == org.id, Pack.name == name)
    ).all()
    same = [v for v in approved if SemVer.parse(v) == wanted]
    if same:
        also = (
            ""
            if same[0] == version
            else f" as {same[0]} (build metadata does not make a new version)"
        )
        raise Conflict(
            f"{org.slug}/{name} {version} is already approved{also} and versions never change: publish a new version number."
        )
    claim = claim_key(org.slug, name, version)
    if session.scalar(select(Submission.id).where(Submission.claim == claim)) is not None:
        raise Conflict(
            f"{org.slug}/{name} {version} is already waiting for review: withdraw it first, or publish a new version number."
        )


def _limit_uploads(reg: Registry, session: Session, org: Organisation) -> None:
    """429 when the organisation has uploaded its hourly allowance (counted across workers)."""
    per_hour = reg.settings["UPLOADS_PER_HOUR"]
    if not reg.settings["RATE_LIMITS"] or per_hour <= 0:
        return
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = session.execute(
        select(func.count(), func.min(Submission.submitted_at)).where(
            Submission.publisher_id == org.id, Submission.submitted_at > since
        )
    ).one()
    if recent[0] >= per_hour:
        wait = recent[1] + timedelta(hours=1) - datetime.now(UTC)
        raise TooManyRequests(
            f"{org.slug} has uploaded {recent[0]} packs in the last hour, the most this registry takes; try again in {_minutes(wait)}.",
            retry_after=max(1, int(wait.total_seconds()) + 1),
        )


def _minutes(wait: timedelta) -> str:
    minutes = max(1, round(wait.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def supplier_change(session: Session, publisher_id: int, name: str, supplier: str) -> str | None:
    """The supplier of the pack's newest approved version, when it is not `supplier`."""
    rows = session.execute(
        select(Version.version, Version.manifest)
        .join(Pack)
        .where(Pack.publisher_id == publisher_id, Pack.name == name)
    ).all()
    if not rows:
        return None
    newest = max(rows, key=lambda r: SemVer.parse(r.version)).manifest["supplier"]
    return newest if newest != supplier else None


def _supplier_flag(old: str, new: str) -> dict:
    return {
        "id": "supplier-change",
        "severity": "warn",
        "message": f"The supplier changes from {old} to {new}: the pack moves to the {new} moderators' user group. Acknowledge it to approve.",
    }


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


def visible_submission(session: Session, actor: Actor, submission_id: int) -> Submission:
    """The submission, if the actor's organisation made it or the actor moderates its supplier.

    Anyone else gets the 404 a missing submission gets: whether it exists, and whose it is, is
    not theirs to learn.
    """
    sub = get_submission(session, submission_id)
    if actor.may_publish_for(sub.publisher.slug) or actor.may_moderate(sub.supplier):
        return sub
    refuse_hidden(actor, sub)
    return sub  # not reached


def refuse_hidden(actor: Actor, sub: Submission) -> None:
    """403 for the publisher's own people and admins (whose token lacks a scope), else 404."""
    if sub.publisher.slug in actor.organisations or actor.is_admin:
        raise Forbidden(
            f"Submission {sub.id} is for a token with the `publish` scope of {sub.publisher.slug}, "
            f"or the `moderate` scope for {sub.supplier}."
        )
    raise NotFound(f"No submission {sub.id}.")


def withdraw(
    reg: Registry, actor: Actor, submission_id: int, note: str | None = None
) -> Submission:
    """Withdraw a pending or rejected submission of the actor's organisation."""
    note = optional_text(note, "note")
    with reg.db.session() as session:
        sub = visible_submission(session, actor, submission_id)
        actor.require("publish")
        if not actor.may_publish_for(sub.publisher.slug):
            raise Forbidden(f"Only {sub.publisher.slug} can withdraw this submission.")
        decisions.leave_review(
            session,
            sub,
            (SubmissionStatus.PENDING, SubmissionStatus.REJECTED),
            SubmissionStatus.WITHDRAWN,
            actor=actor.username,
            action="withdraw",
            reason=note,
        )
        faults.crash_point("withdraw-before-commit")
    return decisions.drop_content(reg, submission_id)
