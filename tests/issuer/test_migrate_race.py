"""Hosts that start at once migrate once: the others wait on PostgreSQL's advisory lock.

Three separate ``badges db upgrade`` processes (tests/issuer/migrate_probe.py) are
started against one empty PostgreSQL database while the test itself holds the
migration lock, so all three are queued on it together. Once the test lets go,
each process reports when it held the lock; the intervals must not overlap, one
process must apply every revision and the others none. SQLite is not raced here:
it has no advisory lock, and its writers are serialized by the file lock.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.script import ScriptDirectory

from issuer.migrate import MIGRATION_LOCK
from issuer.migrate import alembic_config
from tests.issuer.conftest import _pg_admin
from tests.issuer.conftest import _pg_url

ROOT = Path(__file__).resolve().parents[2]
HOSTS = 3

#: Sessions waiting for the migration lock in the current database (a bigint
#: advisory lock shows its high and low 32 bits as classid and objid).
WAITING = """SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
  AND classid::bigint = %(high)s AND objid::bigint = %(low)s
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


@pytest.fixture
def empty_pg() -> Iterator[str]:
    name = f"badges_race_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _host_env(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    return {**env, "BADGES_ENV": "testing", "BADGES_DATABASE_URL": url,
            "BADGES_INSTANCE_PATH": str(instance), "BADGES_SECRET_KEY": "race-test",
            "BADGES_KEY_ENCRYPTION_KEY": base64.b64encode(bytes(32)).decode()}


def _wait_until_queued(holder: psycopg.Connection[Any],
                       hosts: list[subprocess.Popen[str]]) -> None:
    """Return once every host waits for the migration lock the test holds."""
    lock = {"high": MIGRATION_LOCK >> 32, "low": MIGRATION_LOCK & 0xFFFFFFFF}
    deadline = time.monotonic() + 30
    while True:
        row = holder.execute(WAITING, lock).fetchone()
        if row is not None and row[0] == len(hosts):
            return
        for host in hosts:
            if host.poll() is not None:
                out, err = host.communicate()
                pytest.fail(f"a host finished without waiting for the migration lock:\n"
                            f"{out}{err}")
        assert time.monotonic() < deadline, "the hosts never all waited for the lock"
        time.sleep(0.05)


def _held(stdout: str) -> dict[str, int]:
    """One host's report: when it acquired and released the lock, how many revisions it ran."""
    events = [json.loads(line) for line in stdout.splitlines()]
    assert [e["event"] for e in events] == ["acquired", "released"], stdout
    return {"acquired": events[0]["at"], "released": events[1]["at"],
            "applied": events[1]["applied"]}


def test_three_processes_starting_together_migrate_once(empty_pg: str, tmp_path: Path) -> None:
    with psycopg.connect(empty_pg) as holder:  # a transaction: the lock is held until commit
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        hosts = [subprocess.Popen(  # noqa: S603 - this interpreter, the project's CLI
            [sys.executable, "-m", "tests.issuer.migrate_probe"], cwd=ROOT, text=True,
            env=_host_env(empty_pg, tmp_path / f"host{n}"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(HOSTS)]
        try:
            _wait_until_queued(holder, hosts)
            holder.commit()  # let them go
            outputs = [host.communicate(timeout=60) for host in hosts]
        finally:
            for host in hosts:
                if host.poll() is None:
                    host.kill()
                    host.communicate()
        version = holder.execute("SELECT version_num FROM alembic_version").fetchall()
    for host, (_, err) in zip(hosts, outputs, strict=True):
        assert host.returncode == 0 and "at the newest schema" in err, err
    held = sorted((_held(out) for out, _ in outputs), key=lambda h: h["acquired"])
    for before, after in pairwise(held):
        assert before["released"] <= after["acquired"], f"held together: {held}"
    scripts = ScriptDirectory.from_config(alembic_config(empty_pg))
    revisions = len(list(scripts.walk_revisions()))
    assert [h["applied"] for h in held] == [revisions] + [0] * (HOSTS - 1), held
    assert [v[0] for v in version] == scripts.get_heads()
