"""The embedded backend: a pool of worker processes owned by the process that enqueues.

Processes, not threads: signing is CPU work, and PyLD's caches are not
thread-safe (PERFORMANCE.md). The pool starts with the first job (``spawn``,
so nothing of the parent's threads or connections is inherited). A job that
raises, or whose worker process dies (a crash, SIGKILL, the OOM killer), is
run again, up to ``attempts`` times in all, in a fresh pool when the old one
broke; jobs are idempotent, so that is safe.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from issuer.config import Settings
from issuer.jobs import JobState
from issuer.jobs import runtime
from issuer.jobs import tasks


def _perform(task: str, payload: dict[str, Any], settings: Settings, final_attempt: bool,
             overrides: dict[str, str]) -> dict[str, Any]:
    """Run one job in a pool process."""
    return runtime.execute(task, payload, settings, final_attempt=final_attempt,
                           overrides=overrides)


class ProcessPool:
    """Worker processes (``spawn``), replaced by a fresh pool when one of them dies.

    One pool may serve several queues (a test session, an app with several
    configurations); a queue made without one makes and owns its own.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def submit(self, *args: Any) -> tuple[Future[dict[str, Any]], ProcessPoolExecutor]:
        """Submit ``_perform(*args)``; the future and the executor that runs it.

        Raises:
            RuntimeError: the pool was shut down.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is shut down")
            for _ in range(2):
                if self._executor is None:
                    self._executor = ProcessPoolExecutor(
                        max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
                try:
                    return self._executor.submit(_perform, *args), self._executor
                except BrokenProcessPool:
                    self._executor = None
            raise RuntimeError("the worker pool cannot start")

    def broken(self, executor: ProcessPoolExecutor) -> None:
        """Forget an executor whose process died (the next job starts a fresh one)."""
        with self._lock:
            if self._executor is not executor:
                return
            self._executor = None
        threading.Thread(target=executor.shutdown, kwargs={"wait": False}, daemon=True).start()

    def pids(self) -> list[int]:
        """The pids of the current worker processes."""
        with self._lock:
            procs = getattr(self._executor, "_processes", None) or {}
            return [p.pid for p in procs.values() if p.pid is not None]

    def shutdown(self) -> None:
        """Drop queued jobs, wait for running ones, stop the processes."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Job:
    id: str
    task: str
    payload: dict[str, Any]
    attempt: int = 0
    state: JobState = "queued"
    error: str | None = None
    future: Future[dict[str, Any]] | None = field(default=None, repr=False)


class InProcessQueue:
    """Jobs run by a local pool of worker processes.

    Args:
        settings: the service's settings, handed to every job (they stay on
            this machine: the pool is this process's children).
        workers: pool size (default: one per core), when no ``pool`` is given.
        attempts: how many times a job is tried before it counts as failed.
        overrides: extra settings for tasks (``{"smtp_host": ...}``; see
            :class:`issuer.jobs.runtime.Runtime`).
        pool: a shared :class:`ProcessPool` (not shut down by :meth:`close`).
    """

    def __init__(self, settings: Settings, *, workers: int | None = None,
                 attempts: int = 3, overrides: Mapping[str, Any] | None = None,
                 pool: ProcessPool | None = None) -> None:
        self._settings = settings
        self._overrides = {k: str(v) for k, v in (overrides or {}).items()}
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else ProcessPool(workers)
        self._attempts = max(1, attempts)
        self._lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}
        self._closed = False

    @property
    def backend(self) -> str:
        """``inprocess``."""
        return "inprocess"

    @property
    def pool(self) -> ProcessPool:
        """The worker processes."""
        return self._pool

    def enqueue(self, task: str, payload: Mapping[str, Any]) -> str:
        """Queue a job; returns its id.

        Raises:
            issuer.jobs.tasks.UnknownTask: ``task`` is not a known task.
            RuntimeError: the queue was closed.
        """
        if task not in tasks.TASKS:
            raise tasks.UnknownTask(f"no task named {task!r}")
        job = _Job(uuid.uuid4().hex, task, dict(payload))
        with self._lock:
            if self._closed:
                raise RuntimeError("the job queue is closed")
            self._jobs[job.id] = job
        self._submit(job)
        return job.id

    def state(self, job_id: str) -> JobState:
        """What is known of a job given to this queue."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return "unknown"
            if job.state == "queued" and job.future is not None and job.future.running():
                return "running"
            return job.state

    def active(self) -> int:
        """How many jobs are queued or running (follow-ups included)."""
        with self._lock:
            return sum(1 for job in self._jobs.values() if job.state == "queued")

    def result(self, job_id: str) -> dict[str, Any] | None:
        """A finished job's result."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.state != "finished" or job.future is None:
            return None
        return job.future.result()

    def error(self, job_id: str) -> str | None:
        """Why a failed job failed (its last attempt)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return job.error if job is not None else None

    def close(self) -> None:
        """Stop taking jobs; an owned pool drops queued jobs and waits for running ones."""
        with self._lock:
            self._closed = True
        if self._owns_pool:
            self._pool.shutdown()

    # ---------------------------------------------------------------- internals

    def _submit(self, job: _Job) -> None:
        with self._lock:
            if self._closed:
                job.state, job.error = "failed", "the job queue was closed"
                return
            job.attempt += 1
            final = job.attempt >= self._attempts
            try:
                future, executor = self._pool.submit(job.task, job.payload, self._settings,
                                                     final, self._overrides)
            except RuntimeError as exc:
                job.state, job.error = "failed", str(exc)
                return
            job.future, job.state = future, "queued"
        future.add_done_callback(lambda done: self._finished(job, executor, done))

    def _finished(self, job: _Job, executor: ProcessPoolExecutor,
                  future: Future[dict[str, Any]]) -> None:
        # Runs on the pool's manager thread: anything that submits goes to a helper thread.
        if future.cancelled():
            with self._lock:
                job.state, job.error = "failed", "cancelled"
            return
        exc = future.exception()
        if exc is None:
            then = tasks.follow_ups(future.result())
            if not then:
                with self._lock:
                    job.state = "finished"
                return
            threading.Thread(target=self._enqueue_all, args=(job, then), daemon=True).start()
            return
        if isinstance(exc, BrokenProcessPool):
            self._pool.broken(executor)
        with self._lock:
            job.error = f"{type(exc).__name__}: {exc}"
            retry = job.attempt < self._attempts and not self._closed
            if not retry:
                job.state = "failed"
        if retry:
            threading.Thread(target=self._submit, args=(job,), daemon=True).start()

    def _enqueue_all(self, job: _Job, then: list[tuple[str, dict[str, Any]]]) -> None:
        # The job counts as finished only once its follow-ups are queued (see active()).
        try:
            for task, payload in then:
                self.enqueue(task, payload)
        except RuntimeError:
            pass
        finally:
            with self._lock:
                job.state = "finished"
