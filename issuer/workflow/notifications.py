"""E-mail notifications through an outbox: written in the change's transaction, sent after.

A decision is never lost because the mail relay is down, and a message is
never sent for a change that rolled back. :func:`deliver_pending` sends what
waits (after each commit, and from ``badges mail send``), over SMTP with
STARTTLS and login when configured.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.mail import MailSettings
from issuer.mail import relay
from issuer.models_workflow import MailMessage

MAX_ATTEMPTS = 5


def queue(session: so.Session, *, kind: str, to: str, subject: str, body: str,
          now: datetime) -> MailMessage:
    """Put a message in the outbox (in the caller's transaction)."""
    message = MailMessage(kind=kind, to_address=to, subject=subject[:300], body=body,
                          created_at=now)
    session.add(message)
    return message


def pending(session: so.Session, limit: int = 100) -> list[MailMessage]:
    """Messages not yet sent that have attempts left, oldest first."""
    return list(session.scalars(sa.select(MailMessage).where(
        MailMessage.sent_at.is_(None), MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(MailMessage.id).limit(limit)))


def _message(row: MailMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Badges", sender))
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(row.body)
    return message


def deliver_pending(session: so.Session, mail: MailSettings, *, now: datetime) -> int:
    """Send what waits in the outbox; returns how many were sent.

    Each message is marked sent or has its error recorded (it is tried again
    later, up to :data:`MAX_ATTEMPTS` times). Nothing is sent without a relay.
    The caller commits.
    """
    if mail.host is None:
        return 0
    rows = pending(session)
    if not rows:
        return 0
    sent = 0
    try:
        with relay(mail) as smtp:
            for row in rows:
                row.attempts += 1
                try:
                    smtp.send_message(_message(row, mail.sender))
                except smtplib.SMTPException as exc:
                    row.last_error = str(exc)[:500]
                    continue
                row.sent_at = now
                row.last_error = None
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            if row.sent_at is None:
                row.last_error = f"mail relay unavailable: {exc}"[:500]
    return sent
