"""Yank and unyank: a yanked version stays downloadable by its exact version, shows its reason,
and is left out of `latest` and of search."""

from __future__ import annotations

from datetime import UTC, datetime

from registry.db.models import Version
from registry.errors import BadRequest, Conflict, Forbidden
from registry.services import audit, searchsync
from registry.services.accounts import Actor
from registry.services.catalogue import get_version
from registry.services.context import Registry

MAX_REASON = 2000


def _check(actor: Actor, publisher: str, v: Version) -> None:
    supplier = v.manifest.get("supplier", "")
    if not (actor.may_publish_for(publisher) or actor.may_moderate(supplier)):
        raise Forbidden(
            f"Only {publisher}'s publishers or {supplier} moderators can yank or unyank this version."
        )


def yank(
    reg: Registry, actor: Actor, publisher: str, name: str, version: str, reason: str
) -> Version:
    """Yank an exact version with a reason councils will see."""
    if not reason or not reason.strip():
        raise BadRequest(
            "Give a `reason`: councils who downloaded it need to know why.",
            errors={"reason": ["required"]},
        )
    if len(reason) > MAX_REASON:
        raise BadRequest(
            f"Keep the reason under {MAX_REASON} characters.", errors={"reason": ["too long"]}
        )
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
        if version == "latest":
            raise BadRequest("Yank an exact version, not `latest`.")
        _check(actor, publisher, v)
        if v.yanked:
            raise Conflict(f"{publisher}/{name} {v.version} is already yanked.")
        v.yanked, v.yank_reason, v.yanked_at = True, reason.strip(), datetime.now(UTC)
        audit.record(
            session, actor.username, "yank", f"{publisher}/{name}@{v.version}", reason.strip()
        )
        searchsync.enqueue(session, publisher, name)
    searchsync.drain(reg)
    return v


def unyank(
    reg: Registry, actor: Actor, publisher: str, name: str, version: str, reason: str | None = None
) -> Version:
    """Make a yanked version current again."""
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
        _check(actor, publisher, v)
        if not v.yanked:
            raise Conflict(f"{publisher}/{name} {v.version} is not yanked.")
        v.yanked, v.yank_reason, v.yanked_at = False, None, None
        audit.record(session, actor.username, "unyank", f"{publisher}/{name}@{v.version}", reason)
        searchsync.enqueue(session, publisher, name)
    searchsync.drain(reg)
    return v
