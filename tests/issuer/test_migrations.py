"""Migrations: an empty database upgraded to head matches the models, on both engines."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from issuer.db import make_engine
from issuer.migrate import alembic_config
from issuer.migrate import upgrade
from issuer.models import Base
from tests.issuer.conftest import _pg_admin
from tests.issuer.conftest import _pg_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"badges_m_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_empty_matches_the_models(empty_url: str) -> None:
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # PostgreSQL's trigram search index (migration 0010) is dialect-specific and not in
    # the models; tests/issuer/test_scale_search.py checks it exists and is used
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name in DIALECT_ONLY)]
    assert diff == []


DIALECT_ONLY = frozenset({"ix_issued_credentials_search_trgm"})


def _state(url: str) -> tuple[list[str], dict[str, Any], list[tuple[Any, ...]]]:
    """The revision, the schema (tables, columns, indexes) and the organizations' rows."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_heads()
            inspector = sa.inspect(conn)
            schema = {table: (sorted((c["name"], str(c["type"]), c["nullable"])
                                     for c in inspector.get_columns(table)),
                              sorted(i["name"] or "" for i in inspector.get_indexes(table)))
                      for table in sorted(inspector.get_table_names())}
            rows = list(conn.execute(sa.text("SELECT slug, name FROM organizations")))
    finally:
        engine.dispose()
    return list(revision), schema, [tuple(r) for r in rows]


def test_upgrade_is_idempotent(empty_url: str) -> None:
    """Upgrading a database already at head changes nothing: not the schema, not the data."""
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organizations (slug, name, created_at) "
                                 "VALUES ('lakeside', 'Lakeside USD', CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    before = _state(empty_url)
    heads = ScriptDirectory.from_config(alembic_config(empty_url)).get_heads()
    assert before[0] == heads and len(heads) == 1
    assert "organizations" in before[1] and before[2] == [("lakeside", "Lakeside USD")]
    upgrade(empty_url)
    assert _state(empty_url) == before
