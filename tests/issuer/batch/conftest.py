"""Batch fixtures: a seeded district, award files, and both job backends for real.

``backend`` runs a batch to the end on the in-process pool (shared by the
session, as a long-lived service would) or on RQ with ``badges worker``
processes started for the test against the local Redis (a queue of its own
per test). Every test that takes ``database`` runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from issuer.batch import service
from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.jobs.inprocess import InProcessQueue
from issuer.jobs.inprocess import ProcessPool
from issuer.jobs.redis_queue import RedisQueue
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import StatusEntry
from issuer.models_batch import AwardKey
from issuer.services import organizations
from issuer.services.issuance import IssuerContext
from tests.issuer import seed

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("BADGES_TEST_REDIS", "redis://127.0.0.1:6379/0")
KEK_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
BASE_URL = "https://badges.test"
ACHIEVEMENT = "blended-learning-design"
BACKENDS = ["inprocess", pytest.param("rq", marks=pytest.mark.rq)]


def now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- files


def award_csv(count: int, *, start: int = 0, bad_every: int = 0,
              achievement: str | None = ACHIEVEMENT) -> bytes:
    """``count`` rows; with ``bad_every``, every n-th row is bad (a different problem each)."""
    problems = [
        ("not-an-address", "Bad Email", None, None),
        ("{i}@lakeside.example.org", "", None, None),
        ("{i}@lakeside.example.org", "Unknown Achievement", "no-such-badge", None),
        ("{i}@lakeside.example.org", "Bad Date", None, "15/08/2025"),
        ("{i}@lakeside.example.org", "Future Date", None, "2999-01-01"),
    ]
    lines = ["email,name,achievement,issued_on"]
    for n in range(start, start + count):
        if bad_every and n % bad_every == bad_every - 1:
            email, name, other, date = problems[(n // bad_every) % len(problems)]
            lines.append(f"{email.format(i=f'bad{n}')},{name},{other or achievement or ''},"
                         f"{date or ''}")
        else:
            lines.append(f"teacher{n}@lakeside.example.org,Teacher {n},{achievement or ''},")
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------- database


@pytest.fixture
def district(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        seed.district(session, ctx)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(environ={}, overrides={
        "env": "testing", "database_url": db_url, "instance_path": str(tmp_path),
        "base_url": BASE_URL, "key_encryption_key": KEK_B64, "secret_key": "test-secret"})


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a ``badges`` subprocess runs with for this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    env.update({"BADGES_ENV": "testing", "BADGES_DATABASE_URL": settings.database_url,
                "BADGES_BASE_URL": BASE_URL, "BADGES_KEY_ENCRYPTION_KEY": KEK_B64,
                "BADGES_SECRET_KEY": "test-secret",
                "BADGES_INSTANCE_PATH": str(settings.instance_path),
                "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def badges(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start ``badges ARGS`` in its own process group."""
    return subprocess.Popen([sys.executable, "-c", "from issuer.cli import main; main()", *args],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def make_batch(database: Database, data: bytes, *, backend: str, chunk_size: int = 100,
               **options: Any) -> str:
    from issuer.batch import intake

    with database.session() as session:
        org = organizations.get(session, "lakeside")
        batch = service.create(session, org, intake.read_file(data), actor="test", now=now(),
                               backend=backend, chunk_size=chunk_size, **options)
        return batch.id


def latest_batch(database: Database) -> str | None:
    """The newest batch's id (one started by a subprocess)."""
    from issuer.models_batch import BatchRun

    with database.sessions() as session:
        return session.scalar(sa.select(BatchRun.id).order_by(BatchRun.created_at.desc())
                              .limit(1))


def progress(database: Database, batch_id: str) -> service.Progress:
    with database.sessions() as session:
        return service.progress(session, service.get(session, batch_id), now=now())


@dataclass(frozen=True)
class Totals:
    credentials: int
    keys: int
    distinct_keys: int
    entries: int
    awarded_events: int
    people: int


def totals(database: Database) -> Totals:
    with database.sessions() as session:
        def count(query: Any) -> int:
            return int(session.scalar(query) or 0)

        return Totals(
            credentials=count(sa.select(sa.func.count()).select_from(IssuedCredential)),
            keys=count(sa.select(sa.func.count()).select_from(AwardKey)),
            distinct_keys=count(sa.select(sa.func.count(sa.distinct(AwardKey.key)))),
            entries=count(sa.select(sa.func.count()).select_from(StatusEntry)),
            awarded_events=count(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "credential.awarded")),
            people=count(sa.text("SELECT count(*) FROM people")))


def assert_exact(database: Database, batch_id: str, *, issued: int, skipped: int,
                 failed: int, credentials: int, keys: int | None = None) -> None:
    """The run's counters, its rows and the stored credentials all agree, exactly.

    ``keys``: credentials issued through batches (default: all of them).
    """
    state = progress(database, batch_id)
    assert (state.status, state.issued, state.skipped, state.failed, state.pending) == \
        ("completed", issued, skipped, failed, 0), state
    with database.sessions() as session:
        rows = service.count_rows(session, service.get(session, batch_id))
    assert rows == {"pending": 0, "issued": issued, "skipped": skipped, "failed": failed}
    found = totals(database)
    assert found.credentials == credentials
    assert found.keys == found.distinct_keys == (credentials if keys is None else keys)
    assert found.entries == credentials  # one revocation entry each (suspension is off)
    assert found.awarded_events == credentials


# --------------------------------------------------------------------------- backends


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}); the RQ backend is "
                    "tested for real. Start it or set BADGES_TEST_REDIS.")
    yield client
    client.close()


class Backend:
    """Runs batches to the end on one job backend."""

    def __init__(self, name: str, settings: Settings, database: Database, pool: ProcessPool,
                 client: redis.Redis) -> None:
        self.name, self.settings, self.database = name, settings, database
        self.queue_name = f"badges-test-{uuid.uuid4().hex[:10]}"
        self._client, self._pool = client, pool
        self.extra: dict[str, str] = {}
        self.queue: Any = InProcessQueue(settings, pool=pool) if name == "inprocess" \
            else RedisQueue(REDIS_URL, name=self.queue_name)

    def configure(self, **overrides: str) -> None:
        """Extra settings for the jobs (``smtp_host=...``), as each backend takes them."""
        self.extra = {f"BADGES_{k.upper()}": v for k, v in overrides.items()}
        if self.name == "inprocess":
            self.queue.close()
            self.queue = InProcessQueue(self.settings, pool=self._pool, overrides=overrides)

    def env(self, **extra: str) -> dict[str, str]:
        extra = {**self.extra, **extra}
        return worker_env(self.settings, BADGES_REDIS_URL=REDIS_URL,
                          BADGES_JOB_QUEUE=self.queue_name, **extra) if self.name == "rq" \
            else worker_env(self.settings, **extra)

    def start(self, batch_id: str) -> list[str]:
        with self.database.sessions() as session:
            return service.start(session, self.queue, service.get(session, batch_id))

    def workers(self, count: int = 2, *, burst: bool = True) -> list[subprocess.Popen[bytes]]:
        args = ("worker", "--burst") if burst else ("worker",)
        return [badges(*args, env=self.env()) for _ in range(count)]

    def run(self, batch_id: str, *, timeout: float = 90) -> service.Progress:
        """Start the batch and wait until it ends (RQ: two burst workers drain the queue)."""
        self.start(batch_id)
        procs = self.workers(2) if self.name == "rq" else []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                state = progress(self.database, batch_id)
                idle = all(p.poll() is not None for p in procs) if procs \
                    else not self.queue.active()
                if (state.finished and idle) or (procs and idle):
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"batch {batch_id} did not end in {timeout} s")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                out = proc.communicate()[0].decode(errors="replace")
                assert proc.returncode in (0, -9), out
        return progress(self.database, batch_id)

    def close(self) -> None:
        self.queue.close()
        if self.name == "rq":
            drop_queue(self._client, self.queue_name)


def drop_queue(client: redis.Redis, name: str) -> None:
    """Remove a test queue from Redis: its lists and registries, and its jobs."""
    jobs = {key.decode().rsplit(":", 1)[1] for key in client.scan_iter("rq:job:*", count=1000)
            if client.type(key) == b"hash" and client.hget(key, "origin") == name.encode()}
    for key in client.scan_iter("rq:*", count=1000):
        text = key.decode()
        if name in text or any(job in text for job in jobs):
            client.delete(key)
    client.srem("rq:queues", f"rq:queue:{name}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, settings: Settings, database: Database,
            process_pool: ProcessPool, redis_client: redis.Redis) -> Iterator[Backend]:
    made = Backend(request.param, settings, database, process_pool, redis_client)
    yield made
    made.close()


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


# --------------------------------------------------------------------------- shared helpers


def api_app_with_jobs(make_app: Callable[..., Flask], pool: ProcessPool, token: str,
                      other_token: str) -> Iterator[Flask]:
    """An app with both districts and their tokens, running jobs on ``pool`` (a fixture body)."""
    app = make_app()
    seed.districts_with_tokens(app, token, other_token)
    queue = InProcessQueue(app.extensions["badges"]["settings"], pool=pool)
    app.extensions["badges"]["jobs"] = queue
    yield app
    queue.close()


def cli_runner(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    """A CliRunner whose ``badges`` sees ``settings`` through the ``BADGES_*`` environment."""
    for name, value in {"ENV": "testing", "DATABASE_URL": settings.database_url,
                        "BASE_URL": BASE_URL, "KEY_ENCRYPTION_KEY": KEK_B64,
                        "SECRET_KEY": "test-secret",
                        "INSTANCE_PATH": str(settings.instance_path)}.items():
        monkeypatch.setenv(f"BADGES_{name}", value)
    monkeypatch.delenv("BADGES_REDIS_URL", raising=False)
    return CliRunner()
