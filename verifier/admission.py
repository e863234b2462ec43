"""Admission of costly verifications: normal credentials go first, large ones share a budget.

A worker process verifies its requests one after another, so a credential
built to be slow (thousands of values, hundreds of look-alike blank nodes for
RDFC-1.0, hundreds of schema errors) holds up every normal request queued
behind it. The core bounds what one verification may cost
(:mod:`badges.ldrdf`'s limits, :data:`badges.jsonld.MAX_FALLBACK_VALUES`,
:data:`badges.schema.MAX_SCHEMA_ERRORS`); this module bounds how much of a
process's time such verifications take together.

A request is *costly* when its size predicts it: a body longer than
:data:`COSTLY_JSON_BYTES` (JSON) or :data:`COSTLY_BYTES` (anything else),
known before parsing, or more than :data:`COSTLY_VALUES` JSON values or
:data:`COSTLY_DEPTH` levels, measured while the body is parsed. A
costly request spends from :class:`CostlyBudget`, a per-process allowance of
CPU time refilled at a fixed share of one core; so does any verification that
turned out to cost more than :data:`COSTLY_CPU_SECONDS` (measured). When the
allowance is spent, costly requests are answered at once (429 with
``Retry-After``, a clear message) until it refills, and normal credentials,
never predicted costly, are served as before. A district badge holds 130-250
JSON values and the most complete OB 3.0 example about 550.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

#: More JSON values than this predict a costly verification (a normal badge has 130-550).
COSTLY_VALUES = 1000
#: JSON nested deeper than this predicts a costly verification (a badge is about 6 levels
#: deep, 11 with an endorsement inside its achievement).
COSTLY_DEPTH = 16
#: A JSON body longer than this is costly before it is even parsed (a badge is 3-15 KB).
COSTLY_JSON_BYTES = 48 * 1024
#: For a body that is not a JSON object (JWT, baked image, PDF): more bytes than this.
COSTLY_BYTES = 256 * 1024
#: A verification that took more CPU than this is charged to the budget whatever its size
#: (a normal one takes about 1 ms).
COSTLY_CPU_SECONDS = 0.005


class Busy(Exception):
    """The process's budget for costly verifications is spent; answer 429 with ``Retry-After``."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("busy with other large credentials")
        self.retry_after = max(1, math.ceil(retry_after))


def costly_by_size(body: bytes | str) -> bool:
    """Whether a body's length alone predicts a costly verification (checked before parsing).

    Refusing those costs no parsing: a stream of large crafted bodies is turned
    away for little more than the cost of reading it.
    """
    looks_json = body[:64].lstrip()[:1] in (b"{", "{")
    return len(body) > (COSTLY_JSON_BYTES if looks_json else COSTLY_BYTES)


def is_costly(values: int, depth: int, length: int) -> bool:
    """Whether a request predicts a costly verification.

    Args:
        values: JSON values in the parsed body (0 when it is not a JSON object).
        depth: how deep its JSON is nested.
        length: the body's length in bytes.
    """
    if values:
        return values > COSTLY_VALUES or depth > COSTLY_DEPTH
    return length > COSTLY_BYTES


@dataclass
class CostlyBudget:
    """CPU seconds that costly verifications may use, refilled at ``share`` of one core.

    Attributes:
        share: the fraction of one core costly verifications may use over time.
        burst: the most CPU seconds saved up (a quiet process serves a burst of
            large credentials, a CLR of twenty badges, at once).
        clock: monotonic seconds (tests pass their own).
    """

    share: float = 0.1
    burst: float = 0.25
    clock: Callable[[], float] = time.monotonic
    _tokens: float | None = field(default=None, repr=False)
    _stamp: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _refill(self) -> float:
        now = self.clock()
        if self._tokens is None:  # first use: a full allowance
            self._tokens = self.burst
        else:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.share)
        self._stamp = now
        return self._tokens

    def admit(self) -> None:
        """Let a costly verification start, or raise :class:`Busy` while the budget is spent."""
        with self._lock:
            tokens = self._refill()
        if tokens <= 0:
            raise Busy(-tokens / self.share + 0.001)

    def charge(self, cpu_seconds: float) -> None:
        """Count what a costly verification took (the budget may go below zero)."""
        with self._lock:
            self._tokens = self._refill() - cpu_seconds

    @property
    def available(self) -> float:
        """CPU seconds costly verifications may still use now."""
        with self._lock:
            return self._refill()
