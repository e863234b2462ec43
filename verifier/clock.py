"""The one source of "now" for the services: a clock is a callable returning an aware datetime.

The pure core (:mod:`badges`) never reads the time; it is handed ``now``. The
services read it from the clock in their configuration
(:class:`issuer.config.Settings`, :class:`verifier.service.Verifier`, the
CLI's :class:`issuer.cli.context.CliContext`), so a test or a demo can run
the whole service at any date by passing another clock. This module is the
only place in the services that reads the wall clock for dates.

The clocks here are small frozen objects rather than closures so that they
travel with the settings to the job pool's worker processes (pickling), and
the jobs of a deployment run on the same clock as its pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta

#: A source of the current time (timezone-aware, UTC).
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall-clock time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock's time must be timezone-aware")
    return at


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that always answers ``at``."""

    at: datetime

    def __post_init__(self) -> None:
        _aware(self.at)

    def __call__(self) -> datetime:
        """The fixed time."""
        return self.at


@dataclass(frozen=True, slots=True)
class RunningClock:
    """A clock that read ``start`` when it was made and runs at real speed since.

    Tests use it to run the service at a known date while time still moves
    forward (records made one after the other keep their order). It counts
    with the system's monotonic clock, which every process on the machine
    shares, so a copy sent to a worker process keeps the same time.
    """

    start: datetime
    origin: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        _aware(self.start)

    def __call__(self) -> datetime:
        """``start`` plus the time elapsed since the clock was made."""
        return self.start + timedelta(seconds=time.monotonic() - self.origin)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (which must be timezone-aware).

    Raises:
        ValueError: when ``at`` has no time zone.
    """
    return FixedClock(at)


def running_from(start: datetime) -> Clock:
    """A clock that answers ``start`` now and then runs at real speed.

    Raises:
        ValueError: when ``start`` has no time zone.
    """
    return RunningClock(start)
