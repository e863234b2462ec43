"""RQ on Redis: jobs in a Redis queue, run by ``badges worker`` processes anywhere.

Only the task name and ids travel through Redis; workers read the database
URL and keys from their own ``BADGES_*`` environment. A job that raises is
retried twice by RQ; one whose worker was killed is retried by RQ once its
heartbeat expires, and at once by ``badges batch resume`` (jobs are idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis import Redis
from rq import Queue
from rq import Retry
from rq import SimpleWorker
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job

from issuer.jobs import JobState
from issuer.jobs import runtime
from issuer.jobs import tasks

#: How long one job may run before RQ stops it (seconds).
JOB_TIMEOUT = 1800
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
            _enqueue(queue, name, args)
    return result


def _enqueue(queue: Queue, task: str, payload: Mapping[str, Any]) -> Job:
    return queue.enqueue_call(
        perform, args=(task, dict(payload)), timeout=JOB_TIMEOUT, result_ttl=86_400,
        failure_ttl=7 * 86_400, retry=Retry(max=2), description=f"badges {task}")


class RedisQueue:
    """Jobs on an RQ queue.

    Args:
        url: the Redis URL (``BADGES_REDIS_URL``).
        name: the queue name (``BADGES_JOB_QUEUE``, default ``badges``).
    """

    def __init__(self, url: str, *, name: str = "badges") -> None:
        self._redis = Redis.from_url(url)
        self._queue = Queue(name, connection=self._redis)

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
        return str(_enqueue(self._queue, task, payload).id)

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


def work(url: str, *, name: str = "badges", burst: bool = False) -> bool:
    """Run an RQ worker on the queue in this process (``badges worker``).

    A :class:`rq.SimpleWorker`: jobs run in this process, so its caches (the
    compiled credential shapes, the database pool) serve every job, and
    killing the process stops the job it runs (the job is then resumed).

    Returns:
        Whether any job was run (with ``burst``, the worker stops when the queue is empty).
    """
    connection = Redis.from_url(url)
    try:
        worker = SimpleWorker([Queue(name, connection=connection)], connection=connection)
        return bool(worker.work(burst=burst, logging_level="WARNING"))
    finally:
        connection.close()
