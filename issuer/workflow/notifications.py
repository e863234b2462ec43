"""E-mail notifications through an outbox: written in the change's transaction, sent after.

A decision is never lost because the mail relay is down, and a message is
never sent for a change that rolled back. :func:`deliver_pending` sends what
waits (after each commit, and from ``badges mail send``), over SMTP with
STARTTLS and login when configured.

A message that carries a secret (a password reset link) is *sealed* while it
waits: its body is stored encrypted (AES-256-GCM under a key derived from the
key-encryption key, bound to its kind and recipient), so a copy of the
database alone never yields a usable link, not even before the relay took it;
once sent, the sealed body is replaced by a note. A sender without the key
(a job that was not given it) leaves sealed messages waiting for one that has.
"""

from __future__ import annotations

import base64
import secrets
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from issuer.mail import MailSettings
from issuer.mail import relay
from issuer.models_workflow import MailMessage

MAX_ATTEMPTS = 5
#: How a sealed body starts (then base64url of nonce and ciphertext).
SEALED = "sealed:v1:"
#: What a sealed message's body becomes once sent.
SENT_NOTE = "[sent; this message carried a single-use link and is not kept]"


def outbox_key(kek: bytes) -> bytes:
    """The outbox's own key, derived from the key-encryption key (HKDF-SHA256, RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"badges outbox v1").derive(kek)


def _aad(kind: str, to: str) -> bytes:
    return f"badges-outbox:{kind}:{to}".encode()


def seal(body: str, key: bytes, *, kind: str, to: str) -> str:
    """``body`` encrypted for the outbox (see the module docstring)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, body.encode("utf-8"), _aad(kind, to))
    return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(row: MailMessage, key: bytes) -> str | None:
    """The text of a sealed message (None when it does not open under ``key``)."""
    try:
        raw = base64.urlsafe_b64decode(row.body.removeprefix(SEALED))
        return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(row.kind, row.to_address)) \
            .decode("utf-8")
    except (InvalidTag, ValueError):
        return None


def queue(session: so.Session, *, kind: str, to: str, subject: str, body: str,
          now: datetime, seal_key: bytes | None = None) -> MailMessage:
    """Put a message in the outbox (in the caller's transaction).

    With ``seal_key`` (:func:`outbox_key`) the body is stored sealed: for a
    message that carries a secret.
    """
    if seal_key is not None:
        body = seal(body, seal_key, kind=kind, to=to)
    message = MailMessage(kind=kind, to_address=to, subject=subject[:300], body=body,
                          created_at=now)
    session.add(message)
    return message


def pending(session: so.Session, limit: int = 100) -> list[MailMessage]:
    """Messages not yet sent that have attempts left, oldest first."""
    return list(session.scalars(sa.select(MailMessage).where(
        MailMessage.sent_at.is_(None), MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(MailMessage.id).limit(limit)))


def _message(row: MailMessage, sender: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Badges", sender))
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(body)
    return message


def deliver_pending(session: so.Session, mail: MailSettings, *, now: datetime) -> int:
    """Send what waits in the outbox; returns how many were sent.

    Each message is marked sent or has its error recorded (it is tried again
    later, up to :data:`MAX_ATTEMPTS` times). Nothing is sent without a relay.
    Sealed messages are opened with ``mail.seal_key`` (left waiting without
    one) and their body is replaced by :data:`SENT_NOTE` once sent. The
    caller commits.
    """
    if mail.host is None:
        return 0
    bodies: dict[int, str] = {}
    rows = []
    for row in pending(session):
        if not row.body.startswith(SEALED):
            bodies[row.id] = row.body
        elif mail.seal_key is None:
            continue  # for a sender that has the key
        elif (opened := unseal(row, mail.seal_key)) is None:
            row.attempts, row.last_error = MAX_ATTEMPTS, \
                "sealed with another key-encryption key; cannot be sent"
            continue
        else:
            bodies[row.id] = opened
        rows.append(row)
    if not rows:
        return 0
    sent = 0
    try:
        with relay(mail) as smtp:
            for row in rows:
                row.attempts += 1
                try:
                    smtp.send_message(_message(row, mail.sender, bodies[row.id]))
                except smtplib.SMTPException as exc:
                    row.last_error = str(exc)[:500]
                    continue
                row.sent_at = now
                row.last_error = None
                if row.body.startswith(SEALED):
                    row.body = SENT_NOTE
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            if row.sent_at is None:
                row.last_error = f"mail relay unavailable: {exc}"[:500]
    return sent
