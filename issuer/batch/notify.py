"""E-mail for batch runs: "you earned a badge", sent by ``batch.notify`` jobs over SMTP.

A run with ``notify`` queues one job per chunk once the chunk is issued, on
the same job interface as the run. Each message is marked sent
(``batch_rows.notified_at``) right after the SMTP server accepts it, so a
retried job sends only what is left; a worker killed between the two can
send one message twice, never skip one (e-mail is at-least-once).

Settings (the same variables as the review workflow's mail):
``BADGES_SMTP_HOST``, ``BADGES_SMTP_PORT`` (25), ``BADGES_SMTP_USERNAME``,
``BADGES_SMTP_PASSWORD``, ``BADGES_SMTP_STARTTLS`` and ``BADGES_MAIL_FROM``.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.config import PREFIX
from issuer.config import ConfigError
from issuer.db import Database
from issuer.mail import MailSettings
from issuer.mail import load_mail
from issuer.mail import relay
from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_batch import AwardKey
from issuer.models_batch import BatchRow
from issuer.models_batch import BatchRun
from issuer.models_batch import RowState
from verifier.clock import Clock
from verifier.clock import system_clock

if TYPE_CHECKING:
    from issuer.jobs.runtime import Runtime


#: Kept for callers of the batch module; the one settings type is :class:`issuer.mail.MailSettings`.
SmtpSettings = MailSettings


def load_smtp(environ: Mapping[str, str] | None = None,
              overrides: Mapping[str, Any] | None = None) -> MailSettings | None:
    """The mail settings, or None when no relay is configured.

    Raises:
        ConfigError: a malformed port.
    """
    values = dict(os.environ if environ is None else environ)
    for key, value in (overrides or {}).items():
        values[PREFIX + key.upper()] = str(value)
    mail = load_mail(values)
    return mail if mail.host is not None else None


@dataclass(frozen=True)
class Notice:
    """One message to send."""

    row_id: int
    to: str
    name: str
    achievement: str
    issuer: str
    share_url: str


def message(notice: Notice, sender: str) -> EmailMessage:
    """The e-mail for one earned badge (plain text)."""
    mail = EmailMessage()
    mail["From"] = formataddr((notice.issuer[:80], sender))
    mail["To"] = formataddr((notice.name, notice.to))
    mail["Subject"] = f"You earned a badge: {notice.achievement}"[:300]
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    mail.set_content(
        f"Hello {notice.name},\n\n"
        f"{notice.issuer} has awarded you the micro-credential \"{notice.achievement}\".\n\n"
        f"See it, download it and share it here:\n{notice.share_url}\n\n"
        "The badge image and the credential file on that page carry a digital signature\n"
        "that any Open Badges 3.0 verifier can check.\n")
    return mail


def pending_notices(session: so.Session, batch: BatchRun, chunk: int,
                    base_url: str) -> list[Notice]:
    """The issued rows of a chunk not yet notified."""
    org = session.get(Organization, batch.organization_id)
    issuer = org.name if org is not None else ""
    rows = session.execute(
        sa.select(BatchRow.id, BatchRow.email, BatchRow.name, Achievement.name,
                  IssuedCredential.share_token)
        .join(AwardKey, sa.and_(AwardKey.organization_id == batch.organization_id,
                                AwardKey.key == BatchRow.key))
        .join(IssuedCredential, IssuedCredential.id == AwardKey.credential_id)
        .join(Achievement, Achievement.id == IssuedCredential.achievement_id)
        .where(BatchRow.batch_id == batch.id, BatchRow.chunk == chunk,
               BatchRow.state == RowState.ISSUED, BatchRow.notified_at.is_(None))
        .order_by(BatchRow.line))
    return [Notice(row_id, email, name, achievement, issuer, f"{base_url}/c/{token}")
            for row_id, email, name, achievement, token in rows]


def send_chunk(database: Database, smtp: SmtpSettings, *, batch_id: str, chunk: int,
               base_url: str, clock: Clock = system_clock) -> dict[str, int]:
    """Send the chunk's pending notices, marking each sent as soon as it is accepted.

    Returns:
        ``{"sent": n, "refused": m}`` (refused recipients stay unmarked).

    Raises:
        smtplib.SMTPException, OSError: the server is unreachable or failed;
            what was sent before stays marked.
    """
    with database.sessions() as session:
        batch = session.get(BatchRun, batch_id)
        if batch is None or not batch.notify:
            return {"sent": 0, "refused": 0}
        notices = pending_notices(session, batch, chunk, base_url)
    sent = refused = 0
    if not notices:
        return {"sent": 0, "refused": 0}
    with relay(smtp) as server:
        for notice in notices:
            try:
                server.send_message(message(notice, smtp.sender))
            except smtplib.SMTPRecipientsRefused:
                refused += 1
                continue
            with database.session() as session:
                marked = session.execute(sa.update(BatchRow).where(
                    BatchRow.id == notice.row_id, BatchRow.notified_at.is_(None))
                    .values(notified_at=clock()))
                if marked.rowcount:  # type: ignore[attr-defined]
                    session.execute(sa.update(BatchRun).where(BatchRun.id == batch_id)
                                    .values(notified=BatchRun.notified + 1))
            sent += 1
    return {"sent": sent, "refused": refused}


def notify_task(runtime: Runtime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Job ``batch.notify``: e-mail the recipients of one chunk (``{"batch_id", "chunk"}``).

    Raises:
        ConfigError: no SMTP host is configured where the job runs.
    """
    smtp = load_smtp(overrides=runtime.overrides)
    if smtp is None:
        raise ConfigError(f"{PREFIX}SMTP_HOST is not set where this job runs")
    result = send_chunk(runtime.database, smtp, batch_id=str(payload["batch_id"]),
                        chunk=int(payload["chunk"]), base_url=runtime.settings.base_url,
                        clock=runtime.settings.clock)
    return dict(result)


def sent_at(session: so.Session, batch: BatchRun) -> list[tuple[int, datetime | None]]:
    """Each issued row's line and when its notice was sent (for reports and tests)."""
    return [(line, at) for line, at in session.execute(
        sa.select(BatchRow.line, BatchRow.notified_at).where(
            BatchRow.batch_id == batch.id, BatchRow.state == RowState.ISSUED)
        .order_by(BatchRow.line))]
