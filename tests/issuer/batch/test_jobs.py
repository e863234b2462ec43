"""The job interface itself: tasks by name, states, and a pool that outlives its workers."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.jobs import tasks
from issuer.jobs.config import load_job_settings
from issuer.jobs.inprocess import InProcessQueue
from issuer.jobs.inprocess import ProcessPool
from issuer.jobs.redis_queue import RedisQueue
from tests.issuer.batch.conftest import KEK_B64
from tests.issuer.batch.conftest import REDIS_URL
from tests.issuer.batch.conftest import assert_exact
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import progress
from tests.issuer.batch.conftest import wait_until


def test_settings_choose_the_backend() -> None:
    assert load_job_settings(environ={}).backend == "inprocess"
    jobs = load_job_settings(environ={"BADGES_REDIS_URL": REDIS_URL, "BADGES_JOB_WORKERS": "3"})
    assert (jobs.backend, jobs.workers, jobs.queue_name) == ("rq", 3, "badges")
    from issuer.config import ConfigError

    with pytest.raises(ConfigError):
        load_job_settings(environ={"BADGES_REDIS_URL": "http://127.0.0.1:6379"})


def test_every_task_name_resolves_to_a_function() -> None:
    for name in tasks.TASKS:
        assert callable(tasks.resolve(name)), name
    assert set(tasks.TASKS) >= {"batch.chunk", "batch.notify", "reminders.expiry",
                                "certificates.batch"}


def test_only_known_tasks_are_queued() -> None:
    settings = load_settings(environ={}, overrides={
        "env": "testing", "database_url": "sqlite://", "secret_key": "s",
        "key_encryption_key": KEK_B64})
    queue = InProcessQueue(settings, pool=ProcessPool(1))
    rq = RedisQueue(REDIS_URL, name="badges-test-unknown")
    try:
        for backend in (queue, rq):
            with pytest.raises(tasks.UnknownTask):
                backend.enqueue("os.system", {"cmd": "true"})
        assert queue.state("nope") == "unknown" and rq.state("nope") == "unknown"
        assert tasks.follow_ups({"then": [{"task": "os.system", "payload": {}},
                                          {"task": "batch.notify", "payload": {"x": 1}}]}) \
            == [("batch.notify", {"x": 1})]
    finally:
        queue.close()
        rq.close()


@pytest.mark.races
@pytest.mark.usefixtures("district")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_pool_worker_killed_mid_run_is_replaced_and_its_job_run_again(
        database: Database, settings: Settings) -> None:
    pool = ProcessPool(2)
    queue = InProcessQueue(settings, pool=pool)
    try:
        batch_id = make_batch(database, award_csv(600), backend="inprocess", chunk_size=50)
        with database.sessions() as session:
            from issuer.batch import service

            jobs: list[Any] = service.start(session, queue, service.get(session, batch_id))
        wait_until(lambda: progress(database, batch_id).issued >= 100, 60)
        victims = pool.pids()
        assert victims
        os.kill(victims[0], signal.SIGKILL)
        assert progress(database, batch_id).pending > 0
        wait_until(lambda: not queue.active(), 90)
        assert all(queue.state(j) == "finished" for j in jobs), [queue.error(j) for j in jobs]
        assert any("BrokenProcessPool" in (queue.error(j) or "") for j in jobs)
    finally:
        queue.close()
        pool.shutdown()
    assert_exact(database, batch_id, issued=600, skipped=0, failed=0, credentials=600)
