"""One interface for work that takes long (ARCHITECTURE.md, "Work that takes long").

A job is a task name from :data:`issuer.jobs.tasks.TASKS` and a small JSON
payload (ids, never secrets). Two backends run them:

* :class:`~issuer.jobs.inprocess.InProcessQueue`, the embedded default: a pool
  of worker processes owned by the process that enqueues;
* :class:`~issuer.jobs.redis_queue.RedisQueue`: RQ on Redis, chosen by
  ``BADGES_REDIS_URL``; ``badges worker`` runs workers, on as many machines
  as a district needs.

Jobs must be idempotent: a backend may run one twice (a retry, a worker that
died after finishing). The state that matters (batch counters, rows) lives in
the database, so any process can show progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Literal
from typing import Protocol

__all__ = ["JobQueue", "JobState"]

#: What a backend knows about one job.
JobState = Literal["queued", "running", "finished", "failed", "unknown"]


class JobQueue(Protocol):
    """Where jobs are sent; implemented by the in-process pool and by RQ."""

    @property
    def backend(self) -> str:
        """``inprocess`` or ``rq``."""

    def enqueue(self, task: str, payload: Mapping[str, Any]) -> str:
        """Queue ``task`` with ``payload``; returns the job id."""

    def state(self, job_id: str) -> JobState:
        """What the backend knows of a job it was given."""

    def close(self) -> None:
        """Release the backend's resources (worker processes, connections)."""
