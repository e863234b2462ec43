"""RQ on Redis: jobs in a Redis queue, run by ``badges worker`` processes anywhere.

Only the task name and ids travel through Redis; workers read the database
URL and keys from their own ``BADGES_*`` environment. A job that raises is
retried twice by RQ. A job may run for ``BADGES_JOB_TIMEOUT`` seconds.

A job whose worker was killed (``kill -9``, a host that lost power) stays
"started" in RQ's registry until RQ's own clean-up retries it, which for the
in-process :class:`rq.SimpleWorker` is the job timeout plus a minute later,
and only at RQ's next maintenance (every 10 minutes): far too late, and tied
to the longest job rather than to the worker's death. So every worker also
sweeps now and then (:func:`recover`): for each started job whose task has a
recovery (:data:`issuer.jobs.tasks.RECOVERIES`), the task's own liveness
record decides whether its job is dead and queues the rest again (a
certificate rendering silent for ``BADGES_CERTIFICATE_STALL_SECONDS``).
Award chunks are not swept: ``badges batch resume`` resumes those at once.
Jobs are idempotent, so RQ's late retry of the dead job does nothing.

``SIGTERM`` asks a worker to stop after its job (RQ's warm shutdown); long
tasks see it (:data:`issuer.jobs.runtime.SHUTDOWN`), stop after their chunk
and queue the rest for another worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from redis import Redis
from rq import Queue
from rq import Retry
from rq import SimpleWorker
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry

from issuer.jobs import JobState
from issuer.jobs import runtime
from issuer.jobs import tasks
from issuer.jobs.config import JOB_TIMEOUT

_log = logging.getLogger(__name__)
_STATES: Mapping[str, JobState] = {
    "created": "queued", "queued": "queued", "deferred": "queued", "scheduled": "queued",
    "rate_limited": "queued", "started": "running", "finished": "finished",
    "failed": "failed", "stopped": "failed", "canceled": "failed",
}


def perform(task: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one job in an RQ worker, then queue its follow-ups on the same queue."""
    job = get_current_job()
    final = job is None or not job.retries_left
    result = runtime.execute(task, payload, final_attempt=final)
    then = tasks.follow_ups(result)
    if then and job is not None:
        queue = Queue(job.origin, connection=job.connection)
        for name, args in then:
            _enqueue(queue, name, args, timeout=int(job.timeout or JOB_TIMEOUT))
    return result


def _enqueue(queue: Queue, task: str, payload: Mapping[str, Any], *, timeout: int) -> Job:
    return queue.enqueue_call(
        perform, args=(task, dict(payload)), timeout=timeout, result_ttl=86_400,
        failure_ttl=7 * 86_400, retry=Retry(max=2), description=f"badges {task}")


class RedisQueue:
    """Jobs on an RQ queue.

    Args:
        url: the Redis URL (``BADGES_REDIS_URL``).
        name: the queue name (``BADGES_JOB_QUEUE``, default ``badges``).
        timeout: seconds a job may run (``BADGES_JOB_TIMEOUT``).
    """

    def __init__(self, url: str, *, name: str = "badges", timeout: int = JOB_TIMEOUT) -> None:
        self._redis = Redis.from_url(url)
        self._queue = Queue(name, connection=self._redis)
        self._timeout = timeout

    @property
    def backend(self) -> str:
        """``rq``."""
        return "rq"

    @property
    def name(self) -> str:
        """The queue name."""
        return self._queue.name

    def enqueue(self, task: str, payload: Mapping[str, Any]) -> str:
        """Queue a job; returns its RQ id.

        Raises:
            issuer.jobs.tasks.UnknownTask: ``task`` is not a known task.
            redis.exceptions.ConnectionError: Redis is unreachable.
        """
        if task not in tasks.TASKS:
            raise tasks.UnknownTask(f"no task named {task!r}")
        return str(_enqueue(self._queue, task, payload, timeout=self._timeout).id)

    def state(self, job_id: str) -> JobState:
        """The job's RQ status, as a :data:`~issuer.jobs.JobState`."""
        try:
            status = Job.fetch(job_id, connection=self._redis).get_status(refresh=False)
        except NoSuchJobError:
            return "unknown"
        return _STATES.get(str(getattr(status, "value", status)), "unknown")

    def close(self) -> None:
        """Close the Redis connections."""
        self._redis.close()


#: Seconds RQ's command-channel listener waits for a message before looking again.
PUBSUB_WAIT = 1.0


class _Worker(SimpleWorker):
    """RQ's in-process worker, telling long jobs when a warm shutdown was asked for."""

    def handle_warm_shutdown_request(self) -> None:
        runtime.SHUTDOWN.set()
        super().handle_warm_shutdown_request()  # type: ignore[no-untyped-call]

    def subscribe(self) -> None:
        """Listen on RQ's command channel, waking every second.

        RQ's own listener waits up to 60 s for a message, and its teardown closes
        the connection that wait holds: a worker asked to stop (or a burst worker
        done with the queue) then sat up to a minute before it exited.
        """
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_WAIT, daemon=True,
            exception_handler=self._pubsub_exception_handler)


def recover(url: str, *, name: str = "badges", timeout: int = JOB_TIMEOUT) -> list[str]:
    """Queue again the work of started jobs whose worker died (one sweep; see the module).

    Returns:
        What the tasks' recoveries queued again (their ids, such as award run ids).
    """
    connection = Redis.from_url(url)
    try:
        queue = Queue(name, connection=connection)
        started: dict[str, list[Mapping[str, Any]]] = {}
        for job_id in StartedJobRegistry(queue=queue).get_job_ids(cleanup=False):
            try:
                args = Job.fetch(job_id, connection=connection).args
            except NoSuchJobError:
                continue
            if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], Mapping):
                started.setdefault(args[0], []).append(args[1])
        found = [(fn, payloads) for task, payloads in started.items()
                 if (fn := tasks.recovery(task)) is not None]
        if not found:
            return []
        jobs = RedisQueue(url, name=name, timeout=timeout)
        try:
            here = runtime.runtime_for()
            return [done for fn, payloads in found for done in fn(here, payloads, jobs)]
        finally:
            jobs.close()
    finally:
        connection.close()


def _sweep(url: str, name: str, timeout: int, every: float, stop: threading.Event) -> None:
    """Run :func:`recover` every ``every`` seconds until ``stop`` is set."""
    while not stop.wait(every):
        try:
            for queued in recover(url, name=name, timeout=timeout):
                _log.warning("queued again the work of a dead job: %s", queued)
        except Exception:  # noqa: BLE001 - Redis, the database or storage down: next sweep
            _log.warning("the recovery sweep failed", exc_info=True)


def work(url: str, *, name: str = "badges", burst: bool = False, timeout: int = JOB_TIMEOUT,
         sweep_every: float = 60.0) -> bool:
    """Run an RQ worker on the queue in this process (``badges worker``).

    A :class:`rq.SimpleWorker`: jobs run in this process, so its caches (the
    compiled credential shapes, the database pool) serve every job, and
    killing the process stops the job it runs (the job is then resumed).
    Beside it, a thread runs :func:`recover` at start and every
    ``sweep_every`` seconds (only at start with ``burst``).

    Returns:
        Whether any job was run (with ``burst``, the worker stops when the queue is empty).
    """
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep, args=(url, name, timeout, sweep_every, stop),
                               name="rq-recovery", daemon=True)
    connection = Redis.from_url(url)
    try:
        try:
            recover(url, name=name, timeout=timeout)
        except Exception:  # noqa: BLE001 - the worker still runs jobs; the thread tries again
            _log.warning("the recovery sweep failed", exc_info=True)
        if not burst:
            sweeper.start()
        worker = _Worker([Queue(name, connection=connection)], connection=connection)
        return bool(worker.work(burst=burst, logging_level="WARNING"))
    finally:
        stop.set()
        connection.close()
