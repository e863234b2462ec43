"""Migration 0008 (issue #17) on data: existing achievements keep their meaning.

Achievements made before authoring are published (archived when they were
inactive), listed, need one reviewer and follow their district's mentor rule;
the migration goes back down cleanly. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from issuer.db import make_engine
from issuer.migrate import alembic_config
from issuer.migrate import upgrade
from tests.issuer.test_migrations import empty_url  # noqa: F401 - the fixture


def _run(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_existing_achievements_are_published_or_archived(empty_url: str) -> None:  # noqa: F811
    upgrade(empty_url, "0007")
    _run(empty_url, "INSERT INTO organizations (id, slug, name, created_at, "
                    "suspension_enabled) VALUES (1, 'lakeside', 'Lakeside', "
                    "CURRENT_TIMESTAMP, false)")
    for ident, slug, active in (("a1", "kept", "true"), ("a2", "retired", "false")):
        _run(empty_url, "INSERT INTO achievements (id, organization_id, slug, name, "
                        "description, criteria, achievement_type, alignments, tags, version, "
                        f"active, created_at) VALUES ('{ident}', 1, '{slug}', 'N', 'D', 'C', "
                        f"'MicroCredential', '[]', '[]', '1', {active}, CURRENT_TIMESTAMP)")
    upgrade(empty_url)
    rows = _run(empty_url, "SELECT slug, status, catalogue_visible, reviewers_required, "
                           "mentor_conflict FROM achievements ORDER BY slug")
    assert [(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows] == [
        ("kept", "published", True, 1, "district"),
        ("retired", "archived", True, 1, "district")]
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(empty_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
    finally:
        engine.dispose()
    assert _run(empty_url, "SELECT slug FROM achievements ORDER BY slug") == [
        ("kept",), ("retired",)]
    engine = make_engine(empty_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert "achievement_versions" not in tables and "competency_frameworks" not in tables
