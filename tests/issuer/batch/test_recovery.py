"""Recovery: an in-process run whose process died is shown as interrupted, not running.

The probe killed ``badges award-batch`` with ``kill -9`` and re-ran the file;
the re-run completed but the first run showed "running" for ever. Every test
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from issuer.batch import runner
from issuer.batch import service
from issuer.config import Settings
from issuer.db import Database
from issuer.jobs.inprocess import ProcessPool
from issuer.models import AuditEvent
from issuer.models_batch import BatchRun
from issuer.models_batch import BatchStatus
from issuer.services.issuance import IssuerContext
from tests.issuer.batch.conftest import Backend
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import now
from tests.issuer.batch.conftest import progress

pytestmark = pytest.mark.usefixtures("district")
LATER = timedelta(seconds=service.INTERRUPT_SECONDS + 60)


def _killed_after_one_chunk(database: Database, ctx: IssuerContext) -> str:
    """A run of 30 rows whose process died after its first chunk of 10."""
    batch_id = make_batch(database, award_csv(30), backend="inprocess", chunk_size=10)
    runner.run_chunk(database, ctx, batch_id=batch_id, chunk=0)
    state = progress(database, batch_id)
    assert (state.status, state.issued, state.pending) == ("running", 10, 20)
    return batch_id


def _status(database: Database, batch_id: str) -> BatchStatus:
    with database.sessions() as session:
        found = session.get(BatchRun, batch_id)
        assert found is not None
        return found.status


def test_a_re_run_marks_the_killed_run_interrupted_and_resuming_it_completes_it(
        database: Database, ctx: IssuerContext, settings: Settings,
        process_pool: ProcessPool) -> None:
    killed = _killed_after_one_chunk(database, ctx)
    # minutes later, the same file again: creating the new run is the recovery
    from issuer.batch import intake
    from issuer.services import organizations

    with database.session() as session:
        org = organizations.get(session, "lakeside")
        again = service.create(session, org, intake.read_file(award_csv(30)), actor="test",
                               now=now() + LATER, backend="inprocess", chunk_size=10).id
    backend = Backend("inprocess", settings, database, process_pool, None)  # type: ignore[arg-type]
    try:
        finished = backend.run(again)
        assert (finished.status, finished.issued, finished.skipped) == ("completed", 20, 10)
        assert _status(database, killed) == BatchStatus.INTERRUPTED
        shown = progress(database, killed)
        assert shown.status == "interrupted" and shown.finished and shown.pending == 20
        assert "resume it" in (shown.error or "")
        with database.sessions() as session:
            (event,) = [e for e in session.query(AuditEvent).all()
                        if e.action == "batch.interrupted"]
            assert event.subject_id == killed and event.detail["was"] == "running"
        # resuming the interrupted run finds its rows issued by the re-run: nothing twice
        with database.session() as session:
            assert service.mark_resumed(session, service.get(session, killed), actor="test",
                                        now=now())
        resumed = backend.run(killed)
        assert (resumed.status, resumed.issued, resumed.skipped) == ("completed", 10, 20)
    finally:
        backend.close()


def test_an_interrupted_run_is_shown_so_before_any_recovery(database: Database,
                                                            ctx: IssuerContext) -> None:
    killed = _killed_after_one_chunk(database, ctx)
    with database.sessions() as session:
        batch = service.get(session, killed)
        assert service.progress(session, batch, now=now()).status == "running"
        assert service.progress(session, batch, now=now() + LATER).status == "interrupted"
    assert _status(database, killed) == BatchStatus.RUNNING


def test_recovery_leaves_live_and_rq_runs_alone(database: Database, ctx: IssuerContext) -> None:
    live = _killed_after_one_chunk(database, ctx)
    queued_on_rq = make_batch(database, award_csv(20, start=100), backend="rq", chunk_size=10)
    with database.session() as session:
        assert service.mark_interrupted(session, now=now()) == []  # live: progress just now
        assert service.mark_interrupted(session, now=now() + LATER) == [live]
    assert _status(database, queued_on_rq) == BatchStatus.QUEUED


def test_a_run_marked_interrupted_that_was_alive_goes_on(database: Database,
                                                         ctx: IssuerContext) -> None:
    slow = _killed_after_one_chunk(database, ctx)
    with database.session() as session:
        assert service.mark_interrupted(session, now=now() + LATER) == [slow]
    runner.run_chunk(database, ctx, batch_id=slow, chunk=1)
    assert _status(database, slow) == BatchStatus.RUNNING
    runner.run_chunk(database, ctx, batch_id=slow, chunk=2)
    state = progress(database, slow)
    assert (state.status, state.issued, state.error) == ("completed", 30, None)
