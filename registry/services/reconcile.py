"""`cmsreg-server check [--repair]` and `reindex`: git holds content, the database decisions.

A version is public only while a moderator's approval stands, so repair follows the database's
final decision on each submission and mends the rest from git:
- git tags against decisions: a tag whose approval was recorded (or was under way, `approving`)
  but has no version row gets its row, made from the tag and the tagged files; a tag whose
  submission was rejected or withdrawn — or is still pending, its approval never recorded — is
  deleted, and main steps back: never published. A tag whose submission the database does not
  know at all (a database restored from an older backup) is restored from the tag;
- submissions left `approving` with no tag (the process died before git) go back to `pending`;
- inside git (store.reconcile): main out of step with the newest tags, refs of submissions
  already tagged, stale ref locks — the store mends these itself;
- version rows against tags: a row whose commit or archive checksums differ from git is
  corrected; a row with no tag cannot be mended from git and is reported until an operator
  restores the tag from a mirror;
- submission refs against the database: a ref whose submission is not pending (or not in the
  database at all: a crash before its commit) is deleted; a pending row with no ref is marked
  withdrawn with the reason;
- the search index against the database: any difference rebuilds the index from git and database.

All but the index is compared holding the decisions lock exclusively: no approval or submit is
under way meanwhile, so whatever reads `approving` was left by a process that died.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db.models import (
    Organisation,
    Pack,
    SearchQueue,
    Submission,
    SubmissionStatus,
    Version,
)
from registry.packs.manifest import MANIFEST_NAME, parse_manifest
from registry.services import audit, decisions, searchsync
from registry.services.context import Registry
from registry.services.moderation import finish_approval, record_version
from registry.store.errors import StoreError
from registry.store.models import TagInfo

REPAIR = "check --repair"
S = SubmissionStatus


def check(reg: Registry, repair: bool = False) -> list[str]:
    """Return every difference found (and mended, with repair=True)."""
    found: list[str] = []
    with decisions.settling(reg):
        found += _decisions(reg, repair)
        report = reg.store.reconcile()
        if not report.ok:
            found += [
                f"git: {line}" for line in (reg.store.repair() if repair else _describe(report))
            ]
        found += _versions(reg, repair)
        found += _submissions(reg, repair)
    found += _index(reg, repair)
    return found


def _describe(report) -> list[str]:
    lines = [
        f"main does not hold the newest version of {d.publisher}/{d.name} ({d.version})"
        for d in report.main_drift
    ]
    lines += [
        f"ref of submission {s.submission_id} is left although it was approved"
        for s in report.finished_submissions
    ]
    lines += [f"unknown tag {t}" for t in report.unknown_tags]
    lines += [f"stale lock {p}" for p in report.stale_locks]
    lines += [f"ref {ref} was not written by the registry" for ref, _ in report.foreign_branches]
    return lines


def _decisions(reg: Registry, repair: bool) -> list[str]:
    """Tags with no version row, and approvals that stopped before git, settled by the database."""
    found: list[str] = []
    tags = {(t.publisher, t.name, t.version) for t in reg.store.all_tags()}
    with reg.db.session() as session:
        rows = {
            (v.pack.publisher.slug, v.pack.name, v.version)
            for v in session.scalars(select(Version)).all()
        }
        tagged_ids = set()
        for key in sorted(tags - rows):
            info = reg.store.tag_info(*key)
            sub, known = _tagged_submission(session, info)
            if sub is not None:
                tagged_ids.add(sub.id)
            found.append(_settle_tag(reg, session, info, sub, known, repair))
        stopped = session.scalars(
            select(Submission).where(Submission.status == S.APPROVING).order_by(Submission.id)
        ).all()
        for sub in stopped:
            if sub.id not in tagged_ids:
                found.append(_settle_untagged(reg, session, sub, repair))
        if not repair:
            session.rollback()
    return found


def _tagged_submission(session: Session, info: TagInfo) -> tuple[Submission | None, bool]:
    """The submission a tag names, and whether the id is one the database knows at all."""
    sid = info.submission_id
    sub = session.get(Submission, int(sid)) if sid and sid.isdigit() else None
    if sub is None:
        return None, False
    same = (sub.publisher.slug, sub.name, sub.version) == (info.publisher, info.name, info.version)
    return (sub, True) if same else (None, True)


def _settle_tag(
    reg: Registry,
    session: Session,
    info: TagInfo,
    sub: Submission | None,
    known: bool,
    repair: bool,
) -> str:
    """Describe (and with repair, mend) one tag that has no version row."""
    what = f"version {info.publisher}/{info.name} {info.version}"
    key = (info.publisher, info.name, info.version)
    if sub is None and known:
        return (
            f"{what} is tagged in git for submission {info.submission_id}, which is another pack "
            "in the database: compare the database backup with git and mend it by hand"
        )
    if sub is None:
        if repair:
            _restore_from_tag(reg, session, info)
        return (
            f"{what} is tagged in git but missing from the database, which has no record of its "
            "submission (restored from the tag)"
        )
    if sub.status in (S.APPROVING, S.APPROVED):
        if repair and sub.status == S.APPROVING:
            finish_approval(
                reg,
                session,
                sub.id,
                info.approver or "unknown",
                info.note or None,
                _acknowledged(sub),
                REPAIR,
                approved_at=info.tagged_at,
            )
        elif repair:
            record_version(
                reg,
                session,
                sub.publisher_id,
                *key,
                manifest=sub.manifest,
                submission_id=sub.id,
                approved_by=info.approver or "unknown",
                approved_at=info.tagged_at,
            )
        return (
            f"{what} is tagged in git but missing from the database: the approval of submission "
            f"{sub.id} stopped before it was recorded (finished from the tag)"
        )
    # Rejected, withdrawn, or pending: no approval stands, so the tag goes.
    if repair:
        if sub.status == S.PENDING:
            _keep_in_review(reg, info, sub)
        reg.store.remove_version(*key)
        audit.record(
            session,
            REPAIR,
            "tag-removed",
            decisions.claim_key(info.publisher, info.name, info.version),
            f"submission {sub.id} is {sub.status}: no approval stands",
            submission=sub.id,
        )
    return (
        f"{what} is tagged in git but submission {sub.id} is {sub.status}: no approval stands, "
        "so the tag is deleted and the version is never published"
    )


def _keep_in_review(reg: Registry, info: TagInfo, sub: Submission) -> None:
    """Give a pending submission its ref back from the tag, so review can go on."""
    try:
        reg.store.submission(sub.id)
    except StoreError:  # missing, or not readable as a submission: write it again
        files = reg.store.files(info.publisher, info.name, info.version)
        reg.store.submit(sub.id, info.publisher, info.name, files, replace=True)


def _acknowledged(sub: Submission) -> list[str]:
    # The approval checked that every warning was acknowledged before it wrote the tag.
    return sorted(
        [f["id"] for f in sub.report.get("findings", []) if f["severity"] == "warn"]
        + [f["id"] for f in sub.report.get("flags", [])]
    )


def _settle_untagged(reg: Registry, session: Session, sub: Submission, repair: bool) -> str:
    """An approval that stopped before git: review goes on (or the upload is gone)."""
    try:
        reg.store.submission(sub.id)
        has_ref = True
    except StoreError:  # no ref, or one that cannot be read as a submission
        has_ref = False
    if repair and has_ref:
        decisions.transition(session, sub.id, (S.APPROVING,), S.PENDING)
        audit.record(
            session,
            REPAIR,
            "approval-undone",
            decisions.claim_key(sub.publisher.slug, sub.name, sub.version),
            "the approval stopped before git; the submission is pending again",
            submission=sub.id,
        )
    elif repair:
        _withdraw_lost(session, sub, (S.APPROVING,))
    state = "pending again" if has_ref else "withdrawn: its content is missing from git"
    return (
        f"submission {sub.id} reads approving but git has no tag for it: the approval stopped "
        f"before git (now {state})"
    )


def _withdraw_lost(session: Session, sub: Submission, allowed: tuple[S, ...]) -> None:
    decisions.leave_review(
        session,
        sub,
        allowed,
        S.WITHDRAWN,
        actor=REPAIR,
        action="withdraw",
        reason="withdrawn by check --repair: its content was missing from git; submit it again",
    )


def _restore_from_tag(reg: Registry, session: Session, info: TagInfo) -> None:
    """Make the version row from the tag alone (the database lost the submission)."""
    org = session.scalar(select(Organisation).where(Organisation.slug == info.publisher))
    data = reg.store.read_file(info.publisher, info.name, info.version, MANIFEST_NAME)
    manifest = parse_manifest(data).manifest or {}
    record_version(
        reg,
        session,
        org.id,
        info.publisher,
        info.name,
        info.version,
        manifest=manifest,
        submission_id=None,
        approved_by=info.approver or "unknown",
        approved_at=info.tagged_at,
    )
    audit.record(
        session,
        REPAIR,
        "approve",
        decisions.claim_key(info.publisher, info.name, info.version),
        "restored from git tag",
    )


def _versions(reg: Registry, repair: bool) -> list[str]:
    """Version rows against their tags: missing tags, commits and archive checksums."""
    found = []
    tags = {(t.publisher, t.name, t.version): t for t in reg.store.all_tags()}
    with reg.db.session() as session:
        rows = {
            (v.pack.publisher.slug, v.pack.name, v.version): v
            for v in session.scalars(select(Version)).all()
        }
        for key in sorted(rows.keys() - tags.keys()):
            found.append(
                f"version {key[0]}/{key[1]} {key[2]} is in the database but has no tag in git (restore the tag from a mirror)"
            )
        for key in sorted(rows.keys() & tags.keys()):
            row, tag = rows[key], tags[key]
            if row.commit != tag.commit:
                found.append(
                    f"version {key[0]}/{key[1]} {key[2]} records commit {row.commit[:12]}, git has {tag.commit[:12]}"
                )
                if repair:
                    row.commit = tag.commit
                    row.tree = reg.store.tag_info(*key).tree
            for fmt, attr in (("zip", "zip_sha256"), ("tar.gz", "tar_sha256")):
                actual = reg.store.archive_sha256(*key, fmt)
                if getattr(row, attr) != actual:
                    found.append(
                        f"version {key[0]}/{key[1]} {key[2]} records a {fmt} SHA-256 that its files do not give"
                    )
                    if repair:
                        setattr(row, attr, actual)
        if not repair:
            session.rollback()
    return found


def _submissions(reg: Registry, repair: bool) -> list[str]:
    """Submission refs against the database: only pending (or approving) submissions keep one."""
    found = []
    tagged = {s.submission_id for s in reg.store.reconcile().finished_submissions}
    refs = {str(s.submission_id): s for s in reg.store.submissions()}
    with reg.db.session() as session:
        live = {
            str(s.id): s
            for s in session.scalars(
                select(Submission).where(Submission.status.in_((S.PENDING, S.APPROVING)))
            ).all()
        }
        for sid in sorted(refs.keys() - live.keys() - {str(t) for t in tagged}, key=_order):
            row = session.get(Submission, int(sid)) if sid.isdigit() else None
            state = row.status if row else "not in the database"
            found.append(f"ref refs/submissions/{sid} exists but the submission is {state}")
            if repair:
                reg.store.drop_submission(sid)
        pending = {sid for sid, s in live.items() if s.status == S.PENDING}
        for sid in sorted(pending - refs.keys(), key=_order):
            found.append(f"submission {sid} is pending but its content is missing from git")
            if repair:
                _withdraw_lost(session, live[sid], (S.PENDING,))
        if not repair:
            session.rollback()
    return found


def _order(sid: str) -> tuple[int, str]:
    return (int(sid), "") if sid.isdigit() else (0, sid)


def _index(reg: Registry, repair: bool) -> list[str]:
    # What is queued is indexed first, as before any search: a change a server answered a moment
    # ago, still in its indexer's hands, is not a fault.
    searchsync.catch_up(reg)
    queued = searchsync.queued(reg)
    with reg.db.session() as session:
        expected = set()
        for pack in session.scalars(select(Pack)).all():
            latest = searchsync.latest_version(pack.versions)
            if latest is not None:
                expected.add((pack.publisher.slug, pack.name, latest.version))
    actual = reg.search.keys()
    found = []
    if queued:
        found.append("search: changes are queued but not yet indexed")
    found += [
        f"search: {p}/{n} {v} should be searchable but is not indexed"
        for p, n, v in sorted(expected - actual)
    ]
    found += [
        f"search: {p}/{n} {v} is indexed but is not the latest live version"
        for p, n, v in sorted(actual - expected)
    ]
    if found and repair:
        reindex(reg)
    return found


def reindex(reg: Registry) -> int:
    """Rebuild the whole index from git and the database into a new directory and swap it in."""
    with searchsync.writer_lock(reg), reg.db.session() as session:
        # Anything queued before now is covered by the rebuild.
        last = session.scalar(select(SearchQueue.id).order_by(SearchQueue.id.desc()).limit(1))
        docs = list(searchsync.all_documents(reg, session))
        reg.search.rebuild(docs)
        if last is not None:
            session.query(SearchQueue).filter(SearchQueue.id <= last).delete()
    return len(docs)
