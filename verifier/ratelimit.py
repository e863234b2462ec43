"""Per-client rate limits for the verification endpoints (token buckets).

Verifying costs CPU, and verifying a link costs network fetches on the
stranger's behalf, so each client address gets a bucket per kind: it refills
at ``per_minute`` tokens a minute up to ``burst``, and a request that finds it
empty is answered 429 with ``Retry-After``. Buckets live in the process (each
web worker counts on its own, so a deployment of N workers admits up to N
times the rate); at most ``max_clients`` are kept, the least recently seen
forgotten first, so the table itself cannot be used to exhaust memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field


@dataclass
class RateLimiter:
    """Token buckets by client.

    Attributes:
        per_minute: tokens added a minute; 0 turns the limit off.
        burst: the most tokens a bucket holds (requests in a quick row).
        max_clients: buckets kept at most.
        clock: seconds, monotonic.
    """

    per_minute: float
    burst: int
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict,
                                                            repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, client: str) -> float:
        """Spend one token of ``client``'s bucket.

        Returns:
            0 when the request may go ahead, else the seconds until a token is back.
        """
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


class RateLimited(Exception):
    """A client spent its allowance; answer 429 with ``Retry-After``."""

    def __init__(self, retry_after: float, kind: str) -> None:
        super().__init__(f"too many {kind} from this address")
        self.retry_after = max(1, math.ceil(retry_after))
        self.kind = kind
