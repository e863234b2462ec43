"""The acceptance runs of issue #8, on SQLite and PostgreSQL and on both job backends.

A 2,000-row file, then the same file again; a file with 30 bad rows among good
ones; and a run whose worker is SIGKILLed mid-way and restarted. Counts must
match exactly every time: the run's counters, its rows, and what is stored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from issuer.db import Database
from tests.issuer.batch.conftest import Backend
from tests.issuer.batch.conftest import assert_exact
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import badges
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import progress

pytestmark = pytest.mark.usefixtures("district")


def test_two_thousand_rows_then_the_same_file_again(database: Database,
                                                    backend: Backend) -> None:
    data = award_csv(2000)
    first = make_batch(database, data, backend=backend.name, chunk_size=250)
    backend.run(first)
    assert_exact(database, first, issued=2000, skipped=0, failed=0, credentials=2000)

    again = make_batch(database, data, backend=backend.name, chunk_size=250)
    backend.run(again)
    assert_exact(database, again, issued=0, skipped=2000, failed=0, credentials=2000)


def test_thirty_bad_rows_among_good_ones(database: Database, backend: Backend) -> None:
    data = award_csv(300, bad_every=10)
    batch_id = make_batch(database, data, backend=backend.name, chunk_size=50)
    backend.run(batch_id)
    assert_exact(database, batch_id, issued=270, skipped=0, failed=30, credentials=270)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def test_a_worker_killed_mid_run_and_restarted_loses_nothing_and_repeats_nothing(
        database: Database, backend: Backend, tmp_path: object) -> None:
    from pathlib import Path

    csv_path = Path(str(tmp_path)) / "district.csv"
    csv_path.write_bytes(award_csv(1000))
    if backend.name == "inprocess":
        # The whole command dies: the CLI process and its pool of workers.
        worker = badges("award-batch", str(csv_path), "--issuer", "lakeside",
                        "--chunk-size", "100", "--workers", "2", env=backend.env())
    else:
        worker = None
    batch_id = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if backend.name == "rq" and batch_id is None:
            batch_id = make_batch(database, csv_path.read_bytes(), backend="rq")
            backend.start(batch_id)
            worker = backend.workers(1, burst=False)[0]
        if batch_id is None:
            from tests.issuer.batch.conftest import latest_batch

            batch_id = latest_batch(database)
        if batch_id is not None and progress(database, batch_id).issued >= 200:
            break
        time.sleep(0.05)
    assert batch_id is not None and worker is not None
    _kill_group(worker)
    killed = progress(database, batch_id)
    assert 200 <= killed.issued < 1000, killed
    assert killed.pending > 0 and killed.status == "running"

    # Restart: resume the run (a new worker takes the pending rows).
    if backend.name == "inprocess":
        resumed = badges("batch", "resume", batch_id, "--workers", "2", env=backend.env())
    else:
        resumed = badges("batch", "resume", batch_id, "--no-wait", env=backend.env())
    out = resumed.communicate(timeout=120)[0].decode(errors="replace")
    assert resumed.returncode == 0, out
    if backend.name == "rq":
        for proc in backend.workers(2):
            out = proc.communicate(timeout=120)[0].decode(errors="replace")
            assert proc.returncode == 0, out
    assert_exact(database, batch_id, issued=1000, skipped=0, failed=0, credentials=1000)
