"""Locks shared by every process that shares the files: PostgreSQL advisory locks.

With S3 storage the processes that write a certificate run's manifest may be
on different hosts, so a file lock is not enough: the lock is
``pg_advisory_lock`` on the service's PostgreSQL database (held on a
connection of its own, released when it is returned or when the process
dies). A service on SQLite runs on one machine, so a file lock does.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

Locks = Callable[[str], AbstractContextManager[None]]


def lock_id(name: str) -> int:
    """A signed 64-bit advisory lock id for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresLocks:
    """Advisory locks on the database at ``database_url`` (call it with a lock's name)."""

    def __init__(self, database_url: str) -> None:
        from issuer.db import make_engine

        self.engine = make_engine(database_url)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Hold the lock (waiting for it) on a connection of its own."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": lock_id(name)})
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:id)"),
                                   {"id": lock_id(name)})
                connection.commit()

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


def file_locks(folder: Path) -> Locks:
    """``flock`` files under ``folder`` (one machine)."""

    @contextmanager
    def hold(name: str) -> Iterator[None]:
        folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        with (folder / hashlib.sha256(name.encode()).hexdigest()[:32]).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    return hold


def locks_for(database_url: str, instance: Path) -> Locks:
    """PostgreSQL advisory locks for a PostgreSQL service, else file locks in the instance."""
    if database_url.startswith(("postgresql", "postgres:")):
        return PostgresLocks(database_url)
    return file_locks(instance / ".locks")
