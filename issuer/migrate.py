"""Database migrations (Alembic), run programmatically.

``upgrade(url)`` brings a database to the newest schema; the service and the
command line call it before use. Migrations live in ``issuer/migrations``.

Several hosts may start at once (web processes, workers, a one-shot ``badges
db upgrade``): on PostgreSQL the upgrade holds a transaction-scoped advisory
lock (:data:`MIGRATION_LOCK`), so one process migrates while the others wait
for it and then find the schema current. SQLite serializes writers itself.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from issuer.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The advisory lock id every migrating process takes (PostgreSQL): "badges-migrate".
MIGRATION_LOCK = int.from_bytes(b"badgesmg", "big") & 0x7FFFFFFFFFFFFFFF


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"),
                                   {"id": MIGRATION_LOCK})
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
