"""Throttling in the database: every web worker counts the same attempts.

An attempt (a failed sign-in, a password reset request) is a
:class:`~issuer.models_workflow.ThrottleEvent` row in a *scope*
(``sign_in_account``, ``sign_in_address``...) under the SHA-256 of a *key*
(the normalised e-mail address or the client address). A key is held back
once it has :attr:`Limit.attempts` rows within :attr:`Limit.window`, until
:attr:`Limit.cooldown` after the newest of them (OWASP Authentication Cheat
Sheet, "Login Throttling"; NIST SP 800-63B §5.2.2). Keys are hashed so what
people typed (sometimes a password in the e-mail field) is never stored.

Workers check and record in separate statements, so a burst of concurrent
attempts may pass the limit by the number of workers; the next one is held.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models_workflow import ThrottleEvent
from issuer.services.errors import ServiceError
from verifier.ratelimit import address_key as address_key  # one rule for every limit

#: Chance that recording an attempt also deletes the scope's rows that no longer count.
PURGE_CHANCE = 0.05


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` within ``window`` per key; then wait ``cooldown``."""

    scope: str
    attempts: int
    window: timedelta
    cooldown: timedelta


@dataclass(frozen=True, slots=True)
class Limits:
    """The service's throttles (from :mod:`issuer.workflow.config`)."""

    sign_in_account: Limit
    sign_in_address: Limit
    reset_account: Limit
    reset_address: Limit


def limits(*, sign_in_account: int = 5, sign_in_address: int = 200, reset_account: int = 3,
           reset_address: int = 10, window_minutes: int = 15,
           cooldown_minutes: int = 15) -> Limits:
    """The four throttles, sharing one window and one cool-down.

    Args:
        sign_in_account: failed sign-ins per e-mail address.
        sign_in_address: failed sign-ins per client address (any accounts).
        reset_account: password reset requests per e-mail address.
        reset_address: password reset requests per client address.
        window_minutes: how far back attempts count.
        cooldown_minutes: how long a key is held back after its last counted attempt.
    """
    window, cooldown = timedelta(minutes=window_minutes), timedelta(minutes=cooldown_minutes)
    return Limits(
        sign_in_account=Limit("sign_in_account", sign_in_account, window, cooldown),
        sign_in_address=Limit("sign_in_address", sign_in_address, window, cooldown),
        reset_account=Limit("reset_account", reset_account, window, cooldown),
        reset_address=Limit("reset_address", reset_address, window, cooldown))


#: What a held-back sign-in is told to do besides waiting.
RESET_ADVICE = " or reset your password"


class Throttled(ServiceError):
    """Too many attempts (429); ``retry_after`` says how long to wait."""

    def __init__(self, retry_after: timedelta, *, advice: str = RESET_ADVICE) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(f"too many attempts; try again in {minutes} "
                         f"minute{'' if minutes == 1 else 's'}{advice}",
                         code="too_many_attempts", status=429)

    @property
    def seconds(self) -> int:
        """The wait in whole seconds (for ``Retry-After``)."""
        return max(1, math.ceil(self.retry_after.total_seconds()))


def account_key(email: str) -> str:
    """The key of an e-mail address as typed: trimmed and lower-cased (valid or not)."""
    return email.strip().lower()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _horizon(limit: Limit) -> timedelta:
    return limit.window + limit.cooldown


def wait(session: so.Session, limit: Limit, key: str, *, now: datetime) -> timedelta | None:
    """How long ``key`` is held back under ``limit`` (None when it may try now).

    Held back when its newest ``attempts`` attempts fall within one window, until
    ``cooldown`` after the newest. Refused attempts are not recorded, so the
    newest ones are the ones that matter.
    """
    recent = list(session.scalars(
        sa.select(ThrottleEvent.at)
        .where(ThrottleEvent.scope == limit.scope, ThrottleEvent.key_hash == _hash(key),
               ThrottleEvent.at > now - _horizon(limit))
        .order_by(ThrottleEvent.at.desc()).limit(limit.attempts)))
    if len(recent) < limit.attempts or recent[0] - recent[-1] >= limit.window:
        return None
    left = recent[0] + limit.cooldown - now
    return left if left > timedelta(0) else None


def check(session: so.Session, checks: Iterable[tuple[Limit, str]], *, now: datetime,
          advice: str = RESET_ADVICE) -> None:
    """Refuse when any ``(limit, key)`` is held back.

    Args:
        session: the database session.
        checks: the limits and the keys they are checked for.
        now: the time.
        advice: what the message suggests besides waiting.

    Raises:
        Throttled: with the longest wait among them.
    """
    waits = [found for limit, key in checks
             if (found := wait(session, limit, key, now=now)) is not None]
    if waits:
        raise Throttled(max(waits), advice=advice)


def hold(session: so.Session, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one request for ``key`` under ``limit``, refusing it when ``key`` is held back.

    For protocol endpoints limited per client address whatever the outcome
    (a refused request is not counted, as in :func:`wait`).

    Raises:
        Throttled: ``key`` is held back (no advice besides waiting).
    """
    check(session, [(limit, key)], now=now, advice="")
    record(session, limit, key, now=now)


def record(session: so.Session, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one attempt for ``key`` (in the caller's transaction).

    Now and then (:data:`PURGE_CHANCE`) also deletes the scope's rows that no
    longer count (:func:`purge`).
    """
    session.add(ThrottleEvent(scope=limit.scope, key_hash=_hash(key), at=now))
    if random.random() < PURGE_CHANCE:  # noqa: S311 - spreading work, not security
        purge(session, limit, now=now)


def clear(session: so.Session, limit: Limit, key: str) -> None:
    """Forget every attempt counted for ``key`` under ``limit`` (a success)."""
    session.execute(sa.delete(ThrottleEvent).where(
        ThrottleEvent.scope == limit.scope, ThrottleEvent.key_hash == _hash(key)))


def purge(session: so.Session, limit: Limit, *, now: datetime) -> int:
    """Delete the scope's attempts older than its window and cool-down; returns how many."""
    result = session.execute(sa.delete(ThrottleEvent).where(
        ThrottleEvent.scope == limit.scope, ThrottleEvent.at <= now - _horizon(limit)))
    return int(getattr(result, "rowcount", 0) or 0)
