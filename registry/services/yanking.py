"""Yank and unyank: a yanked version stays downloadable by its exact version, shows its reason,
and is left out of `latest` and of search."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from registry.db.models import Version
from registry.errors import BadRequest, Conflict, Forbidden
from registry.services import audit, faults, searchsync
from registry.services.accounts import Actor
from registry.services.catalogue import get_version
from registry.services.context import Registry
from registry.services.reasons import optional_text, required_reason


def _check(actor: Actor, publisher: str, v: Version) -> None:
    supplier = v.manifest.get("supplier", "")
    if not (actor.may_publish_for(publisher) or actor.may_moderate(supplier)):
        raise Forbidden(
            f"Only {publisher}'s publishers or {supplier} moderators can yank or unyank this version."
        )


def _flip(session: Session, v: Version, yanked: bool, **values: object) -> bool:
    """Set yanked if it is not so already, in one statement: of two people at once, one wins."""
    result = session.execute(
        update(Version)
        .where(Version.id == v.id, Version.yanked.is_(not yanked))
        .values(yanked=yanked, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire(v)
    return result.rowcount == 1


def _refuse_latest(version: str, verb: str) -> None:
    # `latest` names whatever is newest now; a yank must name the version it means.
    if version == "latest":
        raise BadRequest(f"{verb} an exact version such as 1.2.0, not `latest`.")


def yank(
    reg: Registry, actor: Actor, publisher: str, name: str, version: str, reason: str
) -> Version:
    """Yank an exact version with a reason councils will see."""
    reason = required_reason(reason, "councils who downloaded it need to know why")
    _refuse_latest(version, "Yank")
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
        _check(actor, publisher, v)
        faults.crash_point("yank-before-write")
        if not _flip(session, v, True, yank_reason=reason, yanked_at=datetime.now(UTC)):
            raise Conflict(f"{publisher}/{name} {v.version} is already yanked.")
        audit.record(session, actor.username, "yank", f"{publisher}/{name}@{v.version}", reason)
        searchsync.enqueue(session, publisher, name)
    searchsync.kick(reg)
    return v


def unyank(
    reg: Registry, actor: Actor, publisher: str, name: str, version: str, reason: str | None = None
) -> Version:
    """Make a yanked version current again."""
    _refuse_latest(version, "Unyank")
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
        _check(actor, publisher, v)
        faults.crash_point("unyank-before-write")
        if not _flip(session, v, False, yank_reason=None, yanked_at=None):
            raise Conflict(f"{publisher}/{name} {v.version} is not yanked.")
        audit.record(
            session,
            actor.username,
            "unyank",
            f"{publisher}/{name}@{v.version}",
            optional_text(reason, "reason"),
        )
        searchsync.enqueue(session, publisher, name)
    searchsync.kick(reg)
    return v
