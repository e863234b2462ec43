"""The audit log: every award, key, status and account operation, append-only.

Events are only ever added (:func:`record`); the model refuses updates and
deletes (:class:`issuer.models.AppendOnlyError`), and nothing here or in the
web layer offers either. Admins read the log through :func:`search` (one
page, newest first) and :func:`export_csv` (every match), both limited to
the organizations the admin may see and filtered the same way
(:class:`Filters`: actor, action, subject, date range).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import AuditEvent
from issuer.models import Organization
from issuer.services.errors import ServiceError

#: Events on one page of the viewer.
PER_PAGE = 50
#: The most rows one CSV export holds (the newest ones).
MAX_EXPORT_ROWS = 100_000
#: Columns of the CSV export.
CSV_HEADER = ["id", "at", "actor", "action", "organization", "subject_type", "subject_id",
              "detail"]
_MAX_TEXT = 200


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


@dataclass(frozen=True)
class Filters:
    """What an admin asked the log for; empty fields do not filter.

    Attributes:
        actor: part of the actor (an e-mail, ``api-token:<slug>``, ``batch:<id>``),
            any case.
        action: an action (``credential.revoked``) or a family without the dot
            (``credential`` matches every ``credential.*``).
        subject_type: the kind of thing (``credential``, ``submission``...).
        subject: part of the subject's id, any case.
        since: first day included (UTC).
        until: last day included (UTC).
    """

    actor: str = ""
    action: str = ""
    subject_type: str = ""
    subject: str = ""
    since: date | None = None
    until: date | None = None

    def active(self) -> bool:
        """True when any filter is set."""
        return any((self.actor, self.action, self.subject_type, self.subject, self.since,
                    self.until))

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (only the ones set)."""
        values = {"actor": self.actor, "action": self.action, "type": self.subject_type,
                  "subject": self.subject,
                  "from": self.since.isoformat() if self.since else "",
                  "to": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in values.items() if v}


def _day(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"the {label} date must be a date such as 2026-11-23, "
                           f"not {value[:40]!r}", code="invalid_date") from None


def _text(value: str, label: str) -> str:
    value = value.strip()
    if len(value) > _MAX_TEXT:
        raise ServiceError(f"the {label} filter is longer than {_MAX_TEXT} characters",
                           code="invalid_filter")
    if any(ord(c) < 32 for c in value):
        raise ServiceError(f"the {label} filter has control characters", code="invalid_filter")
    return value


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from the query string.

    Arguments ``actor``, ``action``, ``type``, ``subject``, ``from`` and ``to``
    (dates as YYYY-MM-DD, both included).

    Raises:
        ServiceError: a date that is not one, a range that ends before it starts,
            or an over-long filter (400, ``invalid_date`` / ``invalid_filter``).
    """
    since = _day(args.get("from", ""), "start")
    until = _day(args.get("to", ""), "end")
    if since and until and until < since:
        raise ServiceError("the end date is before the start date", code="invalid_date")
    return Filters(actor=_text(args.get("actor", ""), "actor"),
                   action=_text(args.get("action", ""), "action"),
                   subject_type=_text(args.get("type", ""), "subject type"),
                   subject=_text(args.get("subject", ""), "subject"),
                   since=since, until=until)


def _where(scope: frozenset[int], filters: Filters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [AuditEvent.organization_id.in_(scope)]
    if filters.actor:
        where.append(sa.func.lower(AuditEvent.actor).contains(filters.actor.lower(),
                                                               autoescape=True))
    if filters.action:
        if "." in filters.action:
            where.append(AuditEvent.action == filters.action)
        else:
            where.append(AuditEvent.action.startswith(filters.action + ".", autoescape=True))
    if filters.subject_type:
        where.append(AuditEvent.subject_type == filters.subject_type)
    if filters.subject:
        where.append(sa.func.lower(AuditEvent.subject_id).contains(filters.subject.lower(),
                                                                    autoescape=True))
    if filters.since:
        where.append(AuditEvent.at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        where.append(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1),
                                                      time(), UTC))
    return where


@dataclass(frozen=True)
class Entry:
    """One event with the slug of its organization (for links)."""

    event: AuditEvent
    organization_slug: str | None


@dataclass(frozen=True)
class Page:
    """One page of the filtered log, newest first."""

    entries: tuple[Entry, ...]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the filtered log has (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _select(scope: frozenset[int], filters: Filters) -> sa.Select[AuditEvent, str]:
    return (sa.select(AuditEvent, Organization.slug)
            .join(Organization, AuditEvent.organization_id == Organization.id, isouter=True)
            .where(*_where(scope, filters))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def search(session: so.Session, scope: frozenset[int], filters: Filters, *, page: int = 1,
           per_page: int = PER_PAGE) -> Page:
    """One page of the events of the organizations in ``scope``, newest first.

    Only that page's rows and one count are read. A page number past the end
    shows the last page.
    """
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                           .where(*_where(scope, filters))) or 0
    number = min(max(page, 1), max(1, -(-total // per_page)))
    rows = session.execute(_select(scope, filters).limit(per_page)
                           .offset((number - 1) * per_page)).all()
    return Page(tuple(Entry(row[0], row[1]) for row in rows), total, number, per_page)


def choices(session: so.Session, scope: frozenset[int]) -> tuple[list[str], list[str]]:
    """The actions and subject types present in ``scope``'s log (for the filter lists)."""
    in_scope = AuditEvent.organization_id.in_(scope)
    actions = session.scalars(sa.select(AuditEvent.action).where(in_scope).distinct()
                              .order_by(AuditEvent.action))
    types = session.scalars(sa.select(AuditEvent.subject_type).where(in_scope).distinct()
                            .order_by(AuditEvent.subject_type))
    return list(actions), list(types)


def _cell(value: str) -> str:
    """Neutralize spreadsheet formulas (OWASP CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: so.Session, scope: frozenset[int], filters: Filters) -> Iterator[str]:
    """The filtered log as CSV text (header first, newest event first), in chunks.

    At most :data:`MAX_EXPORT_ROWS` events; times are ISO 8601 UTC and the
    detail is its JSON.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    result = session.execute(_select(scope, filters).limit(MAX_EXPORT_ROWS)
                             .execution_options(yield_per=500))
    for count, (event, slug) in enumerate(result, start=1):
        at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.writerow([str(event.id), at, *(_cell(v) for v in (
            event.actor, event.action, slug or "", event.subject_type, event.subject_id,
            json.dumps(event.detail, sort_keys=True, ensure_ascii=False)))])
        if count % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
