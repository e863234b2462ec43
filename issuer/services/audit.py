"""The audit log: every award and key operation, append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import AuditEvent


def record(session: so.Session, *, actor: str, action: str, organization_id: int | None,
           subject_type: str, subject_id: str, at: datetime,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the audit log (in the caller's transaction)."""
    event = AuditEvent(at=at, actor=actor, action=action, organization_id=organization_id,
                       subject_type=subject_type, subject_id=subject_id, detail=detail or {})
    session.add(event)
    return event


def events(session: so.Session, *, organization_id: int | None = None,
           action: str | None = None, limit: int = 100) -> list[AuditEvent]:
    """The newest events first, optionally for one organization or action."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if organization_id is not None:
        query = query.where(AuditEvent.organization_id == organization_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
