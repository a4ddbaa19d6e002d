"""Invitations: an organisation's admins invite colleagues by e-mail; the link makes an account.

Only the SHA-256 of an invitation's link is kept. A link works once, for INVITATION_DAYS days.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from registry.db.models import Invitation, Organisation
from registry.errors import BadRequest, Conflict, Forbidden, NotFound
from registry.services import accounts, audit, mail
from registry.services.accounts import EMAIL_RE, SessionUser, hash_token, normal_email
from registry.services.context import Registry

INVITATION_DAYS = 7
CODE_LENGTH = 43  # secrets.token_urlsafe(32)


def invite(
    reg: Registry, inviter: SessionUser, org_slug: str, email: str, link: Callable[[str], str]
) -> None:
    """Invite email to join org_slug: record it and send the link (link(code) makes the URL)."""
    if org_slug not in inviter.admin_of:
        raise Forbidden(f"Only an admin of {org_slug} can invite colleagues to it.")
    email = normal_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise BadRequest(
            "Enter an e-mail address.",
            errors={"email": ["an e-mail address, e.g. jo.smith@council.gov.uk"]},
        )
    code = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with reg.db.session() as session:
        if accounts.user_by_email(session, email) is not None:
            raise Conflict("Someone with that e-mail address has an account already.")
        org = accounts.get_org(session, org_slug)
        session.add(
            Invitation(
                organisation_id=org.id,
                email=email,
                token_hash=hash_token(code),
                invited_by=inviter.username,
                created_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
        )
        audit.record(session, inviter.username, "invited", email, org=org_slug)
        org_name = org.name
        # Sent inside the transaction: if the mail cannot be sent, no invitation is recorded.
        mail.backend_from(reg.settings).send(
            mail.Message(
                to=email,
                subject=f"Join {org_name} on the configuration pack registry",
                body=(
                    f"{inviter.username} invites you to publish configuration packs for "
                    f"{org_name}.\n\nMake your account here within {INVITATION_DAYS} days:\n\n"
                    f"{link(code)}\n\nThe link works once. If you were not expecting this, "
                    "ignore this message.\n"
                ),
            )
        )


def _open(session, code: str) -> Invitation:
    """The invitation a link names, while it can still be used; else 404."""
    row = None
    if len(code) == CODE_LENGTH:
        row = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(code)))
    if row is None or row.accepted_at is not None or row.expires_at <= datetime.now(UTC):
        raise NotFound(
            "This invitation link is not valid: it may have been used already or expired. "
            "Ask your organisation's admin for a new one."
        )
    return row


def invitation(reg: Registry, code: str) -> dict[str, Any]:
    """What an invitation link is for: organisation, address, expiry; 404 once unusable."""
    with reg.db.session() as session:
        row = _open(session, code)
        return {
            "organisation": row.organisation.name,
            "email": row.email,
            "invited_by": row.invited_by,
            "expires_at": row.expires_at,
        }


def accept(reg: Registry, code: str, username: str, password: str) -> SessionUser:
    """Make the invited person's account (a member of the organisation) and sign them in."""
    with reg.db.session() as session:
        row = _open(session, code)
        user = accounts._create_user(  # within this one transaction, with the invitation
            session,
            username,
            row.organisation.slug,
            email=row.email,
            password=password,
            actor=username,
        )
        row.accepted_at = datetime.now(UTC)
        row.accepted_by = username
        audit.record(session, username, "invitation-accepted", row.email, org=row.organisation.slug)
        return accounts._session_user(user)


def pending(reg: Registry, inviter: SessionUser) -> list[dict[str, Any]]:
    """Invitations not yet used or expired, to the organisations the user is an admin of."""
    if not inviter.admin_of:
        return []
    now = datetime.now(UTC)
    with reg.db.session() as session:
        rows = session.scalars(
            select(Invitation)
            .join(Organisation)
            .where(
                Organisation.slug.in_(sorted(inviter.admin_of)),
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id.desc())
        ).all()
        return [
            {
                "email": r.email,
                "organisation": r.organisation.name,
                "invited_by": r.invited_by,
                "expires_at": r.expires_at,
            }
            for r in rows
        ]
