"""The append-only audit log: every state change, with actor, time and reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry.db.models import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    target: str,
    reason: str | None = None,
    **details: Any,
) -> None:
    """Add an audit event in the caller's transaction (so it commits with the change itself)."""
    session.add(
        AuditEvent(actor=actor, action=action, target=target, reason=reason, details=details)
    )
