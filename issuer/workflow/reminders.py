"""Expiry reminders (issue #6): e-mail teachers before a badge's ``validUntil``.

For each reminder window (by default 30 and 7 days before expiry) a
credential that is not revoked, suspended or already renewed gets one e-mail
saying which badge, when it expires and where to renew it (the wallet's renew
page, :func:`issuer.workflow.renewals.renew_url`). When several windows are
due at once only the nearest is sent, and a window that began before the
credential was issued is skipped (a 20-day badge is not "expiring" the day it
is awarded).

Each reminder is recorded in ``expiry_reminders`` (unique per credential and
window) with ``INSERT ... ON CONFLICT DO NOTHING``, and its e-mail is queued in
the workflow outbox only when that insert wrote the row: in the same
transaction, so a second run, or two running at once, never sends one twice.
Credentials are read in batches of :data:`BATCH_SIZE` by one keyset-paged
query each, and each batch is committed on its own.

Run it from cron with ``badges remind-expiring`` or schedule the job task
``reminders.expiry``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from issuer.config import PREFIX
from issuer.db import Database
from issuer.mail import MailSettings
from issuer.mail import load_mail
from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import PersonEmail
from issuer.models_workflow import ExpiryReminder
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.workflow import notifications
from issuer.workflow.renewals import RENEWAL_WINDOW_DAYS
from issuer.workflow.renewals import renew_url

if TYPE_CHECKING:
    from issuer.jobs.runtime import Runtime

#: Days before expiry at which a reminder goes out.
DEFAULT_WINDOWS: tuple[int, ...] = (30, 7)
#: Credentials read (and reminders committed) per batch.
BATCH_SIZE = 500


@dataclass(frozen=True)
class Due:
    """A reminder that is due: one credential in one window."""

    credential_id: str
    credential_ref: str
    window_days: int
    to: str
    name: str
    achievement: str
    issuer: str
    valid_until: datetime


def parse_windows(value: str | Iterable[int | str]) -> tuple[int, ...]:
    """Reminder windows from ``"30,7"`` (or a list), widest first.

    Raises:
        ServiceError: ``invalid_windows``: not whole days from 1 to
            :data:`RENEWAL_WINDOW_DAYS` (a reminder must link to a renewal that is open).
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        days = {int(str(p).strip()) for p in parts if str(p).strip()}
    except ValueError:
        days = set()
    if not days or not all(1 <= d <= RENEWAL_WINDOW_DAYS for d in days):
        raise ServiceError("reminder windows are whole days before expiry, from 1 to "
                           f"{RENEWAL_WINDOW_DAYS}, separated by commas (e.g. 30,7)",
                           code="invalid_windows")
    return tuple(sorted(days, reverse=True))


def window_for(*, valid_until: datetime, issued_at: datetime, now: datetime,
               windows: Sequence[int]) -> int | None:
    """The nearest window ``now`` is in, unless the credential was issued inside it."""
    if valid_until <= now:
        return None
    inside = [w for w in windows if valid_until - now <= timedelta(days=w)]
    if not inside:
        return None
    nearest = min(inside)
    return nearest if issued_at <= valid_until - timedelta(days=nearest) else None


def due_reminders(session: so.Session, *, now: datetime, windows: Sequence[int] = DEFAULT_WINDOWS,
                  batch_size: int = BATCH_SIZE) -> Iterator[list[Due]]:
    """The reminders due, batch by batch (one query per batch, soonest expiry first).

    A credential is due when it expires within the widest window, is not
    revoked, suspended or renewed by a newer credential, its recipient has an
    address, and no reminder for this window (or a nearer one) was recorded.
    """
    if not windows:
        return
    renewing = so.aliased(IssuedCredential)
    sent = (sa.select(sa.func.min(ExpiryReminder.window_days))
            .where(ExpiryReminder.credential_id == IssuedCredential.id).scalar_subquery())
    address = (sa.select(PersonEmail.address)
               .where(PersonEmail.person_id == IssuedCredential.person_id)
               .order_by(PersonEmail.primary.desc(), PersonEmail.id).limit(1).scalar_subquery())
    query = (sa.select(IssuedCredential.id, IssuedCredential.credential_id,
                       IssuedCredential.valid_until, IssuedCredential.issued_at,
                       IssuedCredential.recipient_name, IssuedCredential.recipient_email,
                       address, Achievement.name, Organization.name, sent)
             .join(Achievement, Achievement.id == IssuedCredential.achievement_id)
             .join(Organization, Organization.id == IssuedCredential.organization_id)
             .where(IssuedCredential.valid_until > now,
                    IssuedCredential.valid_until <= now + timedelta(days=max(windows)),
                    IssuedCredential.revoked_at.is_(None),
                    IssuedCredential.suspended_at.is_(None),
                    ~sa.exists().where(renewing.renews_id == IssuedCredential.id))
             .order_by(IssuedCredential.valid_until, IssuedCredential.id).limit(batch_size))
    last: tuple[datetime, str] | None = None
    while True:
        page = query if last is None else query.where(sa.or_(
            IssuedCredential.valid_until > last[0],
            sa.and_(IssuedCredential.valid_until == last[0], IssuedCredential.id > last[1])))
        rows = session.execute(page).all()
        if not rows:
            return
        batch = []
        for (row_id, ref, valid_until, issued_at, name, recipient, primary, achievement,
             issuer, already) in rows:
            window = window_for(valid_until=valid_until, issued_at=issued_at, now=now,
                                windows=windows)
            to = primary or recipient
            if window is None or not to or (already is not None and already <= window):
                continue
            batch.append(Due(row_id, ref, window, to, name, achievement, issuer, valid_until))
        last = (rows[-1][2], rows[-1][0])
        if batch:
            yield batch


def _record(session: so.Session, batch: list[Due], now: datetime) -> set[tuple[str, int]]:
    """Record the batch's reminders; returns those this call wrote (not already there)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ExpiryReminder).values([
        {"credential_id": d.credential_id, "window_days": d.window_days,
         "valid_until": d.valid_until, "queued_at": now} for d in batch])
    statement = statement.on_conflict_do_nothing(
        index_elements=[ExpiryReminder.credential_id, ExpiryReminder.window_days])
    written = session.execute(statement.returning(ExpiryReminder.credential_id,
                                                  ExpiryReminder.window_days))
    return {(credential, window) for credential, window in written}


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def message(due: Due, *, base_url: str, now: datetime) -> tuple[str, str]:
    """The reminder's subject and plain-language body."""
    left = (due.valid_until.date() - now.date()).days
    when = "today" if left <= 0 else "tomorrow" if left == 1 else f"in {left} days"
    link = renew_url(base_url, due.credential_id)
    subject = f"Your badge expires {when}: {due.achievement}"
    body = (f"Hello {due.name},\n\n"
            f"Your badge \"{due.achievement}\" from {due.issuer} expires on "
            f"{_day(due.valid_until)} ({when}). After that it stays a genuine record, "
            f"but it no longer shows as current.\n\n"
            f"To renew it, submit fresh evidence; when a reviewer approves it you get a "
            f"new badge that refers to this one. Start here:\n\n{link}\n\n"
            f"Credential: {due.credential_ref}\n")
    return subject, body


def send_expiry_reminders(session: so.Session, ctx: IssuerContext, *, now: datetime,
                          windows: Sequence[int] = DEFAULT_WINDOWS, dry_run: bool = False,
                          batch_size: int = BATCH_SIZE) -> int:
    """Queue the expiry reminders that are due in the outbox (issue #6).

    Args:
        session: a session of its own: each batch is committed.
        ctx: the service's base URL (for the renew links).
        now: the time.
        windows: days before expiry at which to remind (see :func:`parse_windows`).
        dry_run: count what is due; record and queue nothing.
        batch_size: credentials read per query.

    Returns:
        How many reminders were queued (or, for a dry run, are due).
    """
    count = 0
    for batch in due_reminders(session, now=now, windows=windows, batch_size=batch_size):
        if dry_run:
            count += len(batch)
            continue
        written = _record(session, batch, now)
        for due in batch:
            if (due.credential_id, due.window_days) not in written:
                continue  # another run recorded it first
            subject, body = message(due, base_url=ctx.base_url, now=now)
            notifications.queue(session, kind="expiry_reminder", to=due.to, subject=subject,
                                body=body, now=now)
            count += 1
        session.commit()
    return count


def deliver_all(database: Database, mail: MailSettings, *, now: datetime) -> int:
    """Send everything waiting in the outbox, 100 at a time, each batch committed.

    Returns:
        How many were sent (0 without a relay; failures stay queued for later).
    """
    total = 0
    while True:
        with database.session() as session:
            sent = notifications.deliver_pending(session, mail, now=now)
        total += sent
        if not sent:
            return total


def expiry_task(runtime: Runtime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Job ``reminders.expiry``: queue due reminders and send the outbox.

    The payload may give ``days`` (``[30, 7]`` or ``"30,7"``). Mail settings
    come from ``BADGES_SMTP_*`` where the job runs (and the queue's overrides);
    without a relay the reminders wait in the outbox.
    """
    windows = parse_windows(payload["days"]) if payload.get("days") else DEFAULT_WINDOWS
    now = runtime.now()
    with runtime.database.session() as session:
        queued = send_expiry_reminders(session, runtime.ctx, now=now, windows=windows)
    values = dict(os.environ)
    values.update({PREFIX + k.upper(): str(v) for k, v in runtime.overrides.items()})
    sent = deliver_all(runtime.database, load_mail(values), now=now)
    return {"queued": queued, "sent": sent}
