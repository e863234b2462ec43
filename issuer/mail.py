"""E-mail settings and the SMTP relay, shared by every part that sends mail.

``BADGES_SMTP_HOST``, ``_PORT``, ``_USERNAME``, ``_PASSWORD``, ``_STARTTLS``
and ``BADGES_MAIL_FROM``; no host means no relay (messages wait, or are not sent).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from issuer.config import PREFIX
from issuer.config import ConfigError


@dataclass(frozen=True)
class MailSettings:
    """Where e-mail goes; ``host=None`` means there is no relay."""

    host: str | None
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "badges@localhost"
    timeout: float = 10.0
    #: the key that opens sealed outbox messages (:func:`issuer.workflow.notifications.seal`);
    #: without it they wait for a sender that has it
    seal_key: bytes | None = None


def load_mail(values: Mapping[str, str]) -> MailSettings:
    """Mail settings from ``BADGES_*`` values (the environment plus overrides).

    Raises:
        ConfigError: a malformed port.
    """
    raw = values.get(PREFIX + "SMTP_PORT", "").strip() or "25"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{PREFIX}SMTP_PORT must be a port number")
    return MailSettings(
        host=values.get(PREFIX + "SMTP_HOST", "").strip() or None, port=int(raw),
        username=values.get(PREFIX + "SMTP_USERNAME") or None,
        password=values.get(PREFIX + "SMTP_PASSWORD") or None,
        starttls=values.get(PREFIX + "SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        sender=values.get(PREFIX + "MAIL_FROM", "").strip() or "badges@localhost")


@contextmanager
def relay(mail: MailSettings) -> Iterator[smtplib.SMTP]:
    """An open, authenticated SMTP connection to the configured relay.

    Raises:
        ValueError: when no relay is configured.
        smtplib.SMTPException, OSError: the relay is unreachable or refuses us.
    """
    if mail.host is None:
        raise ValueError("no SMTP relay is configured")
    with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as server:
        if mail.starttls:
            server.starttls()
        if mail.username and mail.password:
            server.login(mail.username, mail.password)
        yield server
