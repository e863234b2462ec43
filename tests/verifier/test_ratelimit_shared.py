"""Rate limits shared through Redis (issue #21): one budget per client for every process.

Against the real Redis at ``BADGES_TEST_REDIS`` (default 127.0.0.1:6379, db 0);
every test works under its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from tests.multihost import Process
from tests.multihost import request
from tests.multihost import wait_healthy
from tests.s3server import free_port
from verifier.ratelimit import RateLimiter
from verifier.ratelimit import RedisBuckets

REDIS_URL = os.environ.get("BADGES_TEST_REDIS", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"badges-test:ratelimit:{uuid.uuid4().hex}:"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=name + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _shared(prefix: str, clock: Callable[[], float] | None = None) -> RedisBuckets:
    """A process's own connection to the shared buckets (as each worker would open)."""
    buckets = RedisBuckets.from_url(REDIS_URL, prefix=prefix)
    buckets.clock = clock
    return buckets


def _closed_url() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"


def _fallbacks(limit: str) -> float:
    return REGISTRY.get_sample_value("badges_rate_limit_fallbacks_total", {"limit": limit}) or 0.0


def test_two_limiters_share_one_budget_and_refill_on_the_clock(prefix: str) -> None:
    clock = FakeClock()
    first, second = (RateLimiter(per_minute=60, burst=3, clock=clock, name="verification",
                                 shared=_shared(prefix, clock)) for _ in range(2))
    assert [first.take("192.0.2.1"), second.take("192.0.2.1"), first.take("192.0.2.1")] \
        == [0, 0, 0]
    assert second.take("192.0.2.1") == pytest.approx(1.0)  # one budget for both
    assert first.take("192.0.2.1") == pytest.approx(1.0)
    assert second.take("192.0.2.2") == 0  # another client has its own
    clock.now += 1.0  # one token a second
    assert second.take("192.0.2.1") == 0
    assert first.take("192.0.2.1") == pytest.approx(1.0)
    clock.now += 10.0  # full again, at most burst
    assert [first.take("192.0.2.1") for _ in range(4)][3] == pytest.approx(1.0)
    # without Redis, the same two limiters admit twice the burst (the bug this fixes)
    local = [RateLimiter(per_minute=60, burst=3, clock=clock) for _ in range(2)]
    assert sum(limiter.take("192.0.2.9") == 0 for limiter in local for _ in range(3)) == 6


def test_buckets_expire_once_full_and_long_client_names_are_bounded(prefix: str) -> None:
    shared = _shared(prefix)  # the Redis server's clock
    limiter = RateLimiter(per_minute=120, burst=10, name="link", shared=shared)
    assert limiter.take("192.0.2.1") == 0
    assert limiter.take("x" * 5000) == 0
    client = redis.Redis.from_url(REDIS_URL)
    keys = sorted(k.decode() for k in client.scan_iter(match=prefix + "*"))
    assert keys[0] == prefix + "link:192.0.2.1" and len(keys) == 2
    assert keys[1].startswith(prefix + "link:sha256:") and len(keys[1]) < len(prefix) + 80
    # full again after burst / rate = 5 s: the key goes 1 s after that
    assert 5000 < client.pttl(keys[0]) <= 6000
    client.close()


def test_redis_down_limits_per_process_counts_and_warns_once(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    shared = RedisBuckets.from_url(_closed_url())
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock, name="verification",
                          shared=shared)
    before = _fallbacks("verification")
    with caplog.at_level(logging.WARNING, logger="verifier.ratelimit"):
        waits = [limiter.take("192.0.2.1") for _ in range(4)]
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(1.0)  # still limited
    assert _fallbacks("verification") - before == 4
    warnings = [r for r in caplog.records if r.name == "verifier.ratelimit"]
    assert len(warnings) == 1  # once per interval, not once per request
    record = warnings[0]
    assert record.__dict__["event"] == "rate_limit_fallback"
    assert record.__dict__["limit"] == "verification"
    assert "ConnectionError" in record.__dict__["error"]
    assert not shared.usable(clock.now)  # Redis is left alone for a while...
    clock.now += shared.retry_after
    assert shared.usable(clock.now)  # ...then tried again
    clock.now += shared.warn_every
    with caplog.at_level(logging.WARNING, logger="verifier.ratelimit"):
        limiter.take("192.0.2.1")
    assert len([r for r in caplog.records if r.name == "verifier.ratelimit"]) == 2


def test_a_verifier_with_redis_down_answers_429_never_500(
        verifier_app: Callable[..., Flask]) -> None:
    client = verifier_app(rate_limit="10", redis_url=_closed_url()).test_client()
    before = _fallbacks("verification")
    codes = [client.post("/api/v1/verify", data="not a credential",
                         content_type="text/plain").status_code for _ in range(12)]
    assert 500 not in codes
    assert codes[10:] == [429, 429] and 429 not in codes[:10]
    assert _fallbacks("verification") - before == 12


def test_an_ipv6_client_is_one_client_across_its_slash_64(
        verifier_app: Callable[..., Flask], prefix: str) -> None:
    """Counting single IPv6 addresses would let one client spread over 2**64 of them
    (and fill the shared table); the throttle and the verifier count by the same key."""
    client = verifier_app(rate_limit="10", redis_url=REDIS_URL,
                          rate_limit_prefix=prefix).test_client()
    codes = [client.post("/api/v1/verify", data="x", content_type="text/plain",
                         environ_base={"REMOTE_ADDR": f"2001:db8:0:1::{n + 1:x}"}).status_code
             for n in range(11)]
    assert 429 not in codes[:10] and codes[10] == 429
    other = client.post("/api/v1/verify", data="x", content_type="text/plain",
                        environ_base={"REMOTE_ADDR": "2001:db8:0:2::1"})
    assert other.status_code != 429  # the next /64 is someone else
    keys = {k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(match=prefix + "*")}
    assert keys == {prefix + "verification:2001:db8:0:1::/64",
                    prefix + "verification:2001:db8:0:2::/64"}


def test_the_redis_url_comes_from_the_verifier_or_the_job_setting(
        verifier_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.config import VerifierConfigError
    from verifier.config import load_settings

    assert load_settings({}).redis_url is None  # embedded default: in the process
    assert load_settings({"BADGES_REDIS_URL": REDIS_URL}).redis_url == REDIS_URL
    assert load_settings({"BADGES_REDIS_URL": "redis://a/0", "BADGES_VERIFIER_REDIS_URL":
                          "redis://b/0"}).redis_url == "redis://b/0"
    with pytest.raises(VerifierConfigError, match="REDIS_URL"):
        load_settings({"BADGES_REDIS_URL": "http://127.0.0.1:6379"})
    with pytest.raises(VerifierConfigError, match="PREFIX"):
        load_settings({"BADGES_VERIFIER_RATE_LIMIT_PREFIX": "a b"})
    state = verifier_app(redis_url=REDIS_URL, rate_limit_prefix="p:").extensions["verifier"]
    assert state.limits["link"].shared is state.limits["verification"].shared
    assert state.limits["link"].shared.prefix == "p:"
    assert verifier_app().extensions["verifier"].limits["link"].shared is None


# ----------------------------------------------------------------- same answers as in process

#: Whole seconds at rates that are powers of two land exactly on a token (the edge cases).
_STEPS = st.one_of(st.integers(0, 5).map(float),
                   st.floats(min_value=0, max_value=30, allow_nan=False))
_EVENTS = st.lists(st.tuples(_STEPS, st.sampled_from(["a", "b", "c"])), min_size=1, max_size=40)
_RATES = st.one_of(st.sampled_from([30, 60, 120, 240]), st.integers(min_value=1, max_value=600))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_minute=_RATES, burst=st.integers(1, 20),
       events=_EVENTS)
def test_redis_and_process_buckets_agree_on_every_sequence(
        prefix: str, per_minute: int, burst: int, events: list[tuple[float, str]]) -> None:
    clock = FakeClock()
    here = RateLimiter(per_minute=per_minute, burst=burst, clock=clock)
    run = uuid.uuid4().hex  # a fresh set of buckets for each example
    there = RateLimiter(per_minute=per_minute, burst=burst, clock=clock, name=run,
                        shared=_shared(prefix, clock))
    for step, client in events:
        clock.now += step
        local, shared = here.take(client), there.take(client)
        assert (local == 0) == (shared == 0), (clock.now, client)
        assert shared == local  # the same doubles, the same arithmetic


# ----------------------------------------------------------------- real worker processes


def _verifier(port: int, instance: Path, log: Path, **env: str) -> Process:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    environment.update({"PYTHONPATH": str(ROOT), "BADGES_VERIFIER_ENV": "testing",
                        "BADGES_VERIFIER_INSTANCE_PATH": str(instance),
                        "BADGES_VERIFIER_RATE_LIMIT": "1", **env})  # burst 10, 1 a minute
    return Process([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                    f"127.0.0.1:{port}", "verifier:create_app()"], environment, log).start()


@pytest.mark.parametrize("redis_url", [REDIS_URL, None, "down"],
                         ids=["redis", "per-process", "redis-down"])
def test_two_worker_processes_admit_one_burst_per_client(
        tmp_path: Path, prefix: str, redis_url: str | None) -> None:
    shared = redis_url == REDIS_URL
    env = {} if redis_url is None else {
        "BADGES_REDIS_URL": redis_url if shared else _closed_url(),
        "BADGES_VERIFIER_RATE_LIMIT_PREFIX": prefix}
    ports = [free_port(), free_port()]
    processes = [_verifier(port, tmp_path / f"i{n}", tmp_path / f"w{n}.log", **env)
                 for n, port in enumerate(ports)]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_healthy(process, f"http://127.0.0.1:{port}")
        answers = [request(f"http://127.0.0.1:{ports[n % 2]}/api/v1/verify",
                           b"not a credential", headers={"Content-Type": "text/plain"})
                   for n in range(30)]  # alternating: each process answers every other one
    finally:
        for process in processes:
            process.stop()
    codes = [status for status, _, _ in answers]
    assert 500 not in codes
    admitted = [n for n, code in enumerate(codes) if code != 429]
    assert len(admitted) == (10 if shared else 20), codes
    assert {n % 2 for n in admitted} == {0, 1}  # both processes admitted some
    refused = [headers for status, headers, _ in answers if status == 429]
    assert refused and all(0 < int(h["Retry-After"]) <= 60 for h in refused)
    warned = [p.text().count("Redis unreachable") for p in processes]
    assert warned == ([1, 1] if redis_url == "down" else [0, 0])  # once a minute each
