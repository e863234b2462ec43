"""Workflow settings from ``BADGES_*`` variables (and test overrides), checked at start-up.

* ``BADGES_EVIDENCE_MAX_BYTES``: largest evidence file (default 10 MiB);
* ``BADGES_SMTP_HOST`` / ``_PORT`` / ``_USERNAME`` / ``_PASSWORD`` / ``_STARTTLS``:
  the mail relay (without a host, messages wait in the outbox);
* ``BADGES_MAIL_FROM``: the sender address;
* ``BADGES_SCRYPT_N``: scrypt cost for new password hashes (production default
  and minimum 2**17, OWASP's; development 2**15, testing 2**10 to stay fast);
* ``BADGES_INVITATION_DAYS``: how long an invitation link works (default 14);
* ``BADGES_SIGN_IN_MAX_FAILURES`` (default 5) and ``_PER_ADDRESS`` (default 200):
  failed sign-ins per e-mail address (holding back only that account) and per
  client address (a whole school may sit behind one address, so the default
  is high; it stops a spray across many accounts) within
  ``BADGES_THROTTLE_WINDOW_MINUTES`` (default 15) before further attempts wait
  ``BADGES_THROTTLE_COOLDOWN_MINUTES`` (default 15);
* ``BADGES_RESET_MAX_REQUESTS`` (default 3) and ``_PER_ADDRESS`` (default 10):
  password reset requests, with the same window and cool-down;
* ``BADGES_RESET_LINK_MINUTES``: how long a password reset link works (default 60).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from issuer.config import PREFIX
from issuer.config import ConfigError
from issuer.config import Settings
from issuer.config import variables
from issuer.mail import MailSettings
from issuer.mail import load_mail
from issuer.workflow.throttle import Limits
from issuer.workflow.throttle import limits

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PRODUCTION_SCRYPT_N = 2**17


@dataclass(frozen=True)
class WorkflowSettings:
    """Settings of the evidence-and-review workflow."""

    evidence_max_bytes: int
    scrypt_n: int
    invitation_days: int
    mail: MailSettings
    secure_cookies: bool
    throttle: Limits
    reset_minutes: int


def _int(values: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = values.get(PREFIX + name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{PREFIX}{name} must be between {low} and {high}")
    return value


def load_workflow_settings(settings: Settings, *, environ: Mapping[str, str] | None = None,
                           overrides: Mapping[str, Any] | None = None) -> WorkflowSettings:
    """Read the workflow settings (same prefix and override rules as :mod:`issuer.config`).

    Args:
        settings: the service's settings (environment, instance folder, base URL).
        environ: the environment (default ``os.environ``).
        overrides: test overrides, keyed without the prefix (``evidence_max_bytes``).

    Raises:
        ConfigError: a malformed value, or a scrypt cost below the production minimum
            in production.
    """
    values = variables(environ, overrides)
    testing = settings.env == "testing"
    default_n = {"testing": 2**10, "development": 2**15}.get(settings.env, PRODUCTION_SCRYPT_N)
    scrypt_n = _int(values, "SCRYPT_N", default_n, low=2**10, high=2**20)
    if scrypt_n & (scrypt_n - 1):
        raise ConfigError(f"{PREFIX}SCRYPT_N must be a power of two")
    if settings.env == "production" and scrypt_n < PRODUCTION_SCRYPT_N:
        raise ConfigError(f"{PREFIX}SCRYPT_N must be at least {PRODUCTION_SCRYPT_N} in production")
    from issuer.workflow.notifications import outbox_key

    mail = replace(load_mail(values), seal_key=outbox_key(settings.key_encryption_key))
    return WorkflowSettings(
        evidence_max_bytes=_int(values, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES,
                                low=1024, high=1024**3),
        scrypt_n=scrypt_n,
        invitation_days=_int(values, "INVITATION_DAYS", 14, low=1, high=90),
        mail=mail, secure_cookies=settings.base_url.startswith("https://") and not testing,
        throttle=limits(
            sign_in_account=_int(values, "SIGN_IN_MAX_FAILURES", 5, low=1, high=1000),
            sign_in_address=_int(values, "SIGN_IN_MAX_FAILURES_PER_ADDRESS", 200,
                                 low=1, high=100_000),
            reset_account=_int(values, "RESET_MAX_REQUESTS", 3, low=1, high=1000),
            reset_address=_int(values, "RESET_MAX_REQUESTS_PER_ADDRESS", 10,
                               low=1, high=100_000),
            window_minutes=_int(values, "THROTTLE_WINDOW_MINUTES", 15, low=1, high=24 * 60),
            cooldown_minutes=_int(values, "THROTTLE_COOLDOWN_MINUTES", 15,
                                  low=1, high=24 * 60)),
        reset_minutes=_int(values, "RESET_LINK_MINUTES", 60, low=5, high=24 * 60))
