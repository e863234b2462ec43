"""``badges db upgrade`` in a process of its own, reporting how it held the migration lock.

Run by tests/issuer/test_migrate_race.py as ``python -m tests.issuer.migrate_probe``
from the repository root, with ``BADGES_DATABASE_URL`` set. Before handing over
to the real command line (``badges db upgrade``, :mod:`issuer.cli`) it listens
to every SQLAlchemy engine and prints one JSON line to stdout per event:

- ``{"event": "acquired", "at": ns}`` when the statement taking the advisory
  lock :data:`issuer.migrate.MIGRATION_LOCK` has returned (the lock is held);
- ``{"event": "released", "at": ns, "applied": n}`` just before that
  connection's transaction commits (so before the lock is released), with the
  number of revisions this process wrote to ``alembic_version`` meanwhile.

So the reported interval lies inside the time the process really held the lock.
Times are ``time.monotonic_ns()``: CLOCK_MONOTONIC, one clock for every process
on the host, so intervals from different processes can be compared.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import sqlalchemy as sa

from issuer.migrate import MIGRATION_LOCK

#: The statement Alembic runs for each revision it applies (the first inserts the row).
VERSION_WRITE = re.compile(r"\s*(INSERT INTO|UPDATE) alembic_version\b", re.IGNORECASE)


class LockProbe:
    """Follows the connection that takes the migration lock, up to its commit."""

    def __init__(self) -> None:
        self.holder: sa.Connection | None = None
        self.applied = 0

    @staticmethod
    def _report(event: str, **fields: int) -> None:
        print(json.dumps({"event": event, "at": time.monotonic_ns(), **fields}), flush=True)

    def executed(self, conn: sa.Connection, cursor: Any, statement: str, parameters: Any,
                 context: Any, executemany: bool) -> None:
        """SQLAlchemy ``after_cursor_execute``: note the lock taken and revisions written."""
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        if self.holder is None and MIGRATION_LOCK in values:
            self.holder = conn
            self._report("acquired")
        elif conn is self.holder and VERSION_WRITE.match(statement):
            self.applied += 1

    def committing(self, conn: sa.Connection) -> None:
        """SQLAlchemy ``commit``: the transaction holding the lock is about to end."""
        if conn is self.holder:
            self._report("released", applied=self.applied)
            self.holder = None


def main() -> None:
    """Listen to all engines, then run ``badges db upgrade``."""
    from issuer.cli import main as badges

    probe = LockProbe()
    sa.event.listen(sa.Engine, "after_cursor_execute", probe.executed)
    sa.event.listen(sa.Engine, "commit", probe.committing)
    badges.main(["db", "upgrade"], prog_name="badges")


if __name__ == "__main__":
    main()
