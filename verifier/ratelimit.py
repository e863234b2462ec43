"""Per-client rate limits for the verification endpoints (token buckets).

Verifying costs CPU, and verifying a link costs network fetches on the
stranger's behalf, so each client address gets a bucket per kind: it refills
at ``per_minute`` tokens a minute up to ``burst``, and a request that finds it
empty is answered 429 with ``Retry-After``.

Where the buckets live:

* **In Redis** when one is configured (``BADGES_VERIFIER_REDIS_URL``, else
  ``BADGES_REDIS_URL``, the one the job queue uses): every web worker on every
  host spends from the same bucket, so N workers admit the configured rate,
  not N times it. One Lua script (:data:`TAKE_SCRIPT`) reads, refills, spends
  and writes a bucket atomically, with the Redis server's clock as the one
  "now" for every host. Each bucket is a small hash that expires once it
  would have refilled anyway (``burst / rate`` seconds after its last use),
  so Redis holds only the clients seen in that window.
* **In the process** otherwise (embedded use, one process): at most
  ``max_clients`` buckets, the least recently seen forgotten first, so the
  table itself cannot be used to exhaust memory.

A Redis that cannot be reached never fails a request: the request is counted
in the process's own bucket instead (so each process still limits, as
before Redis), the process leaves Redis alone for :attr:`RedisBuckets.retry_after`
seconds, counts every such request in the ``badges_rate_limit_fallbacks_total``
metric and logs one warning per :attr:`RedisBuckets.warn_every` seconds.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)

#: Where the buckets' keys start, unless configured (``BADGES_VERIFIER_RATE_LIMIT_PREFIX``).
DEFAULT_PREFIX = "badges:ratelimit:"
#: Client names longer than this (never an IP address) are keyed by their SHA-256.
_MAX_CLIENT_KEY = 64

#: KEYS[1] the bucket; ARGV: rate (tokens a second), burst, now in seconds ("" for the
#: server's clock), expiry in ms. Returns the seconds to wait ("0": go ahead), as text so
#: no precision is lost. Numbers are stored with 17 digits: the same doubles, the same
#: arithmetic as :func:`refill`, hence the same answers as the in-process buckets.
TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1])
local last = tonumber(saved[2])
if tokens == nil or last == nil then
  tokens = burst
  last = now
end
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return string.format('%.17g', wait)
"""


def address_key(remote_addr: str | None) -> str:
    """The key of a client address: IPv4 as is, IPv6 by its /64 network.

    One IPv6 client usually holds a whole /64, so counting single addresses
    would let it spread its requests (and fill the buckets' table). The
    verifier's limits and the service's throttle (:mod:`issuer.workflow.throttle`)
    count by the same key.
    """
    raw = (remote_addr or "").strip()
    try:
        parsed = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def refill(tokens: float, last: float, now: float, rate: float,
           burst: float) -> tuple[float, float]:
    """Refill a bucket from ``last`` to ``now`` and spend one token if there is one.

    Returns:
        the tokens left, and 0 when a token was spent or else the seconds until one is back.
    """
    tokens = min(burst, tokens + max(0.0, now - last) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / rate


@dataclass
class RedisBuckets:
    """Token buckets in Redis, shared by every process and host using the same Redis.

    Attributes:
        client: the Redis connection pool.
        prefix: what every key starts with (one namespace per deployment).
        clock: "now" in seconds for the buckets; None (production) uses the
            Redis server's clock, one clock for every host. Tests inject one.
        retry_after: seconds a process keeps to its own buckets after Redis failed.
        warn_every: seconds between two warnings about Redis being unreachable.
    """

    client: redis.Redis
    prefix: str = DEFAULT_PREFIX
    clock: Callable[[], float] | None = None
    retry_after: float = 5.0
    warn_every: float = 60.0
    _script: Any = field(init=False, repr=False)
    _down_until: float = field(default=-math.inf, repr=False)
    _warned_at: float = field(default=-math.inf, repr=False)
    _unwarned: int = field(default=0, repr=False)
    _error: str = field(default="", repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._script = self.client.register_script(TAKE_SCRIPT)  # EVALSHA, EVAL once

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX,
                 timeout: float = 0.5) -> RedisBuckets:
        """Buckets on the Redis at ``url`` (connects lazily; a slow Redis costs ``timeout``).

        No retries: a request waits at most one timeout before it is counted here.
        """
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout,
                                      socket_timeout=timeout, retry=Retry(NoBackoff(), 0))
        return cls(client, prefix=prefix)

    def key(self, name: str, client: str) -> str:
        """The Redis key of ``client``'s ``name`` bucket (bounded in length)."""
        if len(client) > _MAX_CLIENT_KEY:
            client = "sha256:" + hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()
        return f"{self.prefix}{name}:{client}"

    def take(self, name: str, client: str, rate: float, burst: int) -> float:
        """Spend one of ``client``'s tokens atomically; the seconds to wait (0: go ahead).

        Raises:
            redis.exceptions.RedisError, OSError: Redis could not be used.
        """
        now = "" if self.clock is None else repr(float(self.clock()))
        expiry_ms = math.ceil(burst / rate * 1000) + 1000  # full again by then: same as absent
        reply = self._script(keys=[self.key(name, client)],
                             args=[repr(rate), repr(float(burst)), now, expiry_ms])
        return float(reply)

    def usable(self, now: float) -> bool:
        """False while the process waits after a failure (``now`` on the limiter's clock)."""
        return now >= self._down_until

    def failed(self, now: float, exc: BaseException) -> None:
        """Redis failed at ``now``: keep to the process's buckets for a while."""
        with self._lock:
            self._down_until = now + self.retry_after
            self._error = f"{type(exc).__name__}: {exc}"[:300]

    def fell_back(self, now: float, name: str) -> None:
        """Count a request decided by the process's own bucket; warn once per interval."""
        # Imported here, not at the top: prometheus_client picks its storage (one
        # process, or files shared by gunicorn's workers) when first imported, and
        # `badges serve` imports this module before it sets PROMETHEUS_MULTIPROC_DIR.
        from verifier.metrics import RATE_LIMIT_FALLBACKS
        RATE_LIMIT_FALLBACKS.labels(name).inc()
        with self._lock:
            self._unwarned += 1
            if now - self._warned_at < self.warn_every:
                return
            self._warned_at, count, self._unwarned = now, self._unwarned, 0
        log.warning("rate limits counted per process: Redis unreachable",
                    extra={"event": "rate_limit_fallback", "limit": name,
                           "error": self._error, "requests": count,
                           "retry_seconds": self.retry_after})


@dataclass
class RateLimiter:
    """Token buckets by client, in Redis when ``shared`` is given, else in the process.

    Attributes:
        per_minute: tokens added a minute; 0 turns the limit off.
        burst: the most tokens a bucket holds (requests in a quick row).
        max_clients: buckets kept at most in the process.
        clock: seconds, monotonic (the process's buckets and Redis outages).
        name: which limit this is (``verification``, ``link``): key and metric label.
        shared: the Redis buckets, or None to count in the process only.
    """

    per_minute: float
    burst: int
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    name: str = "requests"
    shared: RedisBuckets | None = None
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
        shared = self.shared
        if shared is not None:
            if shared.usable(now):
                try:
                    return shared.take(self.name, client, rate, self.burst)
                except (RedisError, OSError, ValueError) as exc:
                    shared.failed(now, exc)
            shared.fell_back(now, self.name)
        return self._take_here(client, rate, now)

    def _take_here(self, client: str, rate: float, now: float) -> float:
        """:meth:`take` on the process's own buckets."""
        with self._lock:
            tokens, last = self._buckets.pop(client, (float(self.burst), now))
            tokens, wait = refill(tokens, last, now, rate, float(self.burst))
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
