"""Alembic environment: the URL comes from the caller (see issuer/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from issuer.db import make_engine
from issuer.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
connection = config.attributes.get("connection")


def run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    engine = make_engine(url or "")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
