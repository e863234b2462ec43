"""Database and app fixtures: every database test runs on SQLite and on PostgreSQL.

A migrated template database is made once per session for each engine (a
file for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL); each test
gets its own fresh copy, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from click.testing import Result
from flask import Flask
from werkzeug.serving import make_server

from issuer.app import create_app
from issuer.cli.context import CliContext
from issuer.db import Database
from issuer.jobs.inprocess import ProcessPool
from issuer.migrate import upgrade
from issuer.services.issuance import IssuerContext
from verifier.clock import running_from

PG_ADMIN = os.environ.get("BADGES_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", "postgresql"]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEK = bytes(range(32))


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _pg_admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_ADMIN.replace("postgresql://", "postgresql://", 1),
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}); every database test "
                    "runs on both SQLite and PostgreSQL. Start it or set BADGES_TEST_POSTGRES.")


class Templates:
    """Migrated template databases, one per engine."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sqlite = root / "template.db"
        upgrade(f"sqlite:///{self.sqlite}")
        self.pg_name = f"badges_tmpl_{uuid.uuid4().hex[:10]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.pg_name}"')
        upgrade(_pg_url(self.pg_name))
        self.created: list[str] = []

    def fresh(self, engine: str) -> str:
        if engine == "sqlite":
            target = self.root / f"{uuid.uuid4().hex}.db"
            shutil.copyfile(self.sqlite, target)
            return f"sqlite:///{target}"
        name = f"badges_t_{uuid.uuid4().hex[:12]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_name}"')
        self.created.append(name)
        return _pg_url(name)

    def drop(self, url: str) -> None:
        if url.startswith("postgresql"):
            name = url.rsplit("/", 1)[1]
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("db-templates"))
    yield made
    made.close()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, templates: Templates) -> Iterator[str]:
    url = templates.fresh(request.param)
    yield url
    templates.drop(url)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def process_pool() -> Iterator[ProcessPool]:
    """The in-process job backend's worker pool, shared as a long-lived service shares it."""
    pool = ProcessPool(2)
    yield pool
    pool.shutdown()


@pytest.fixture
def ctx() -> IssuerContext:
    return IssuerContext(base_url="https://badges.test", kek=KEK)


def cli_at_now() -> CliContext:
    """A command-line invocation on the tests' clock (pass it as ``obj=`` to ``invoke``)."""
    return CliContext(clock=running_from(NOW))


class ClockedRunner(CliRunner):
    """A click test runner whose invocations run on the tests' clock (unless given ``obj``)."""

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        kwargs.setdefault("obj", cli_at_now())
        return super().invoke(*args, **kwargs)


def create_app_for_tests(db_url: str, instance: Path, **overrides: Any) -> Flask:
    """The app, on a clock that starts at :data:`NOW` (``clock=`` to choose another)."""
    settings = {"env": "testing", "database_url": db_url, "instance_path": instance,
                "base_url": "https://badges.test",
                "key_encryption_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
                "secret_key": "test-secret", "clock": running_from(NOW), **overrides}
    return create_app(settings)


@pytest.fixture
def make_app(db_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        """The app, on a clock that starts at :data:`NOW` (``clock=`` to choose another)."""
        app = create_app_for_tests(db_url, tmp_path, **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["badges"]["db"].dispose()


class LiveServer:
    """The real app served over HTTP on a loopback port, in a thread."""

    def __init__(self, make_app: Callable[..., Flask]) -> None:
        self._target: Flask | None = None
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = make_app(base_url=self.base_url)
        self._target = self.app
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _dispatch(self, environ: Any, start_response: Any) -> Any:
        assert self._target is not None
        return self._target(environ, start_response)

    def cli_env(self) -> dict[str, str]:
        """The environment of this district's own ``badges`` command line.

        With the service's database and base URL, ``badges verify`` knows the
        district's own issuers, as the service's verifier does.
        """
        settings = self.app.extensions["badges"]["settings"]
        return {**os.environ, "BADGES_DATABASE_URL": settings.database_url,
                "BADGES_BASE_URL": self.base_url}

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    server = LiveServer(make_app)
    yield server
    server.stop()
