"""Hosts that start at once migrate once: the others wait on PostgreSQL's advisory lock."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from issuer.db import make_engine
from issuer.migrate import alembic_config
from issuer.migrate import upgrade
from tests.issuer.conftest import _pg_admin
from tests.issuer.conftest import _pg_url


@pytest.fixture
def empty_pg() -> Iterator[str]:
    name = f"badges_race_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_three_processes_starting_together_migrate_once(empty_pg: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def boot() -> None:
        start.wait()
        try:
            upgrade(empty_pg)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=boot) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engine(empty_pg)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    heads = ScriptDirectory.from_config(alembic_config(empty_pg)).get_heads()
    assert [v[0] for v in versions] == heads
