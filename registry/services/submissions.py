"""Reading submissions: the review queue and one submission, as each actor may see them.

Who sees what is decided in SQL, so a queue is one query with paging however many submissions
the registry has ever had: an organisation's publishers see its submissions, a supplier's
moderators see that supplier's, and an admin whose token also carries `moderate` sees all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, true

from registry.db.models import Organisation, Submission, SubmissionStatus
from registry.errors import Forbidden
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.publish import get_submission, reviewers, visible_submission

MAX_PER_PAGE = 100
SORTS = ("newest", "oldest")


def queue(
    reg: Registry,
    actor: Actor,
    *,
    status: str | None = None,
    supplier: str | None = None,
    publisher: str | None = None,
    name: str | None = None,
    version: str | None = None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 50,
) -> list[dict[str, Any]]:
    """The submissions the actor may see, newest (or oldest) first, one page at a time."""
    if not ({"publish", "moderate"} & actor.scopes):
        raise Forbidden("This needs a token with the publish or moderate scope.")
    seen = _visible_to(actor)
    if seen is None:
        return []
    query = select(Submission).join(Organisation).where(seen)
    if status:
        query = query.where(Submission.status == SubmissionStatus(status))
    if supplier:
        query = query.where(Submission.supplier == supplier)
    # One pack's (or one version's) submissions: how `cmsreg review` finds PUBLISHER/NAME@VERSION.
    if publisher:
        query = query.where(Organisation.slug == publisher)
    if name:
        query = query.where(Submission.name == name)
    if version:
        query = query.where(Submission.version == version)
    order = Submission.id.asc() if sort == "oldest" else Submission.id.desc()
    query = query.order_by(order).offset((page - 1) * per_page).limit(per_page)
    with reg.db.session() as session:
        return [as_dict(s) for s in session.scalars(query).all()]


def _visible_to(actor: Actor):
    """The SQL condition for the submissions an actor may see; None when there are none."""
    if "moderate" in actor.scopes and "admin" in actor.scopes and actor.is_admin:
        return true()
    conditions = []
    if "publish" in actor.scopes and actor.organisations:
        conditions.append(Organisation.slug.in_(sorted(actor.organisations)))
    if "moderate" in actor.scopes and actor.suppliers:
        conditions.append(Submission.supplier.in_(sorted(actor.suppliers)))
    return or_(*conditions) if conditions else None


def detail(reg: Registry, actor: Actor, submission_id: int) -> dict[str, Any]:
    """One submission: checks, findings, reviews, and for a pending one the diff against the
    newest approved version."""
    with reg.db.session() as session:
        sub = visible_submission(session, actor, submission_id)
        return _with_diff(reg, sub)


def _with_diff(reg: Registry, sub: Submission) -> dict[str, Any]:
    out = as_dict(sub)
    if sub.status == SubmissionStatus.PENDING:
        out["diff"] = reg.store.diff_submission(sub.id, sub.publisher.slug, sub.name).to_dict()
    return out


def after_decision(reg: Registry, submission_id: int) -> dict[str, Any]:
    """A submission as it stands after its actor's own decision (which checked who they are)."""
    with reg.db.session() as session:
        return as_dict(get_submission(session, submission_id))


def after_submit(reg: Registry, submission_id: int) -> dict[str, Any]:
    """A new submission as its publisher sees it, with who will review it."""
    with reg.db.session() as session:
        sub = get_submission(session, submission_id)
        return {**as_dict(sub), "reviewers": reviewers(session, sub.supplier)}


def as_dict(sub: Submission) -> dict[str, Any]:
    """A submission as the API and the pages show it."""
    return {
        "id": sub.id,
        "status": sub.status,
        "publisher": sub.publisher.slug,
        "name": sub.name,
        "version": sub.version,
        "supplier": sub.supplier,
        "submitted_by": sub.submitted_by,
        "submitted_at": sub.submitted_at,
        "decided_at": sub.decided_at,
        "reason": sub.reason,
        "commit": sub.commit,
        "checks": sub.report,
        "manifest": sub.manifest,
        "reviews": [
            {
                "moderator": r.moderator,
                "decision": r.decision,
                "note": r.note,
                "acknowledged": r.acknowledged,
                "created_at": r.created_at,
            }
            for r in sub.reviews
        ],
    }
