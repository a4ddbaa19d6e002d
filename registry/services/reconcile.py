"""`cmsreg-server check [--repair]` and `reindex`: git is the truth; database and index follow.

What is compared, and how --repair mends it:
- inside git (store.reconcile): main out of step with the newest tags, branches of submissions
  already tagged, stale ref locks — the store mends these itself;
- git tags against version rows: a tag with no row (a crash between tagging and the database
  commit) gets its row, made from the tag and the tagged files; a row whose commit or archive
  checksums differ from git is corrected from git; a row with no tag cannot be mended from git
  and is reported until an operator restores the tag from a mirror;
- submission branches against pending rows: a branch with no row (a crash before the database
  commit) is deleted; a pending row with no branch is marked withdrawn with the reason;
- the search index against the database: any difference rebuilds the index from git and database.
"""

from __future__ import annotations

from datetime import UTC, datetime

import yaml
from sqlalchemy import select

from registry.db.models import Organisation, Pack, SearchQueue, Submission, Version
from registry.packs.manifest import MANIFEST_NAME
from registry.services import audit, searchsync
from registry.services.context import Registry


def check(reg: Registry, repair: bool = False) -> list[str]:
    """Return every difference found (and mended, with repair=True)."""
    found: list[str] = []
    report = reg.store.reconcile()
    if not report.ok:
        found += [f"git: {line}" for line in (reg.store.repair() if repair else _describe(report))]
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
        f"branch of submission {s.submission_id} is left although it was approved"
        for s in report.finished_submissions
    ]
    lines += [f"unknown tag {t}" for t in report.unknown_tags]
    lines += [f"stale lock {p}" for p in report.stale_locks]
    lines += [f"branch {ref} was not written by the registry" for ref, _ in report.foreign_branches]
    return lines


def _versions(reg: Registry, repair: bool) -> list[str]:
    found = []
    tags = {(t.publisher, t.name, t.version): t for t in reg.store.all_tags()}
    with reg.db.session() as session:
        rows = {
            (v.pack.publisher.slug, v.pack.name, v.version): v
            for v in session.scalars(select(Version)).all()
        }
        for key in sorted(tags.keys() - rows.keys()):
            found.append(
                f"version {key[0]}/{key[1]} {key[2]} is tagged in git but missing from the database"
            )
            if repair:
                _restore_version(reg, session, *key)
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


def _restore_version(reg: Registry, session, publisher: str, name: str, version: str) -> None:
    """Make the version row (and finish the submission) from what git holds."""
    info = reg.store.tag_info(publisher, name, version)
    files = reg.store.list_files(publisher, name, version)
    manifest = yaml.safe_load(reg.store.read_file(publisher, name, version, MANIFEST_NAME))
    org = session.scalar(select(Organisation).where(Organisation.slug == publisher))
    pack = session.scalar(select(Pack).where(Pack.publisher_id == org.id, Pack.name == name))
    if pack is None:
        pack = Pack(publisher_id=org.id, name=name)
        session.add(pack)
        session.flush()
    sub = (
        session.get(Submission, int(info.submission_id))
        if info.submission_id and info.submission_id.isdigit()
        else None
    )
    if sub is not None:
        manifest = sub.manifest  # the normalised manifest validation stored (aliases resolved)
        sub.status, sub.decided_at = "approved", sub.decided_at or info.tagged_at
    session.add(
        Version(
            pack_id=pack.id,
            version=version,
            manifest=manifest,
            commit=info.commit,
            tree=info.tree,
            zip_sha256=reg.store.archive_sha256(publisher, name, version, "zip"),
            tar_sha256=reg.store.archive_sha256(publisher, name, version, "tar.gz"),
            file_count=len(files),
            size=sum(f.size for f in files),
            submission_id=sub.id if sub else None,
            approved_by=info.approver or "unknown",
            approved_at=info.tagged_at,
        )
    )
    audit.record(
        session,
        "check --repair",
        "approve",
        f"{publisher}/{name}@{version}",
        "restored from git tag",
        submission=sub.id if sub else None,
    )
    searchsync.enqueue(session, publisher, name)


def _submissions(reg: Registry, repair: bool) -> list[str]:
    found = []
    tagged = {s.submission_id for s in reg.store.reconcile().finished_submissions}
    branches = {str(s.submission_id): s for s in reg.store.submissions()}
    with reg.db.session() as session:
        pending = {
            str(s.id): s
            for s in session.scalars(select(Submission).where(Submission.status == "pending")).all()
        }
        # A rejected submission keeps its branch until it is withdrawn (see moderation.reject).
        rejected = {
            str(sid)
            for sid in session.scalars(
                select(Submission.id).where(Submission.status == "rejected")
            ).all()
        }
        kept = pending.keys() | rejected | {str(t) for t in tagged}
        for sid in sorted(branches.keys() - kept, key=int):
            row = session.get(Submission, int(sid))
            state = row.status if row else "not in the database"
            found.append(f"branch submissions/{sid} exists but the submission is {state}")
            if repair:
                reg.store.drop_submission(sid)
        for sid in sorted(pending.keys() - branches.keys(), key=int):
            found.append(f"submission {sid} is pending but its branch is missing from git")
            if repair:
                sub = pending[sid]
                sub.status, sub.claim, sub.decided_at = "withdrawn", None, datetime.now(UTC)
                sub.reason = (
                    "withdrawn by check --repair: its content was missing from git; submit it again"
                )
                audit.record(
                    session,
                    "check --repair",
                    "withdraw",
                    f"{sub.publisher.slug}/{sub.name}@{sub.version}",
                    sub.reason,
                    submission=sub.id,
                )
    return found


def _index(reg: Registry, repair: bool) -> list[str]:
    with reg.db.session() as session:
        queued = session.scalar(select(SearchQueue.id).limit(1)) is not None
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
