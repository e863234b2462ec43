"""Job settings from ``BADGES_*`` variables (and test overrides), and the queue they choose.

* ``BADGES_REDIS_URL``: use RQ on this Redis (``redis://127.0.0.1:6379/0``);
  without it jobs run in an in-process pool of worker processes;
* ``BADGES_JOB_QUEUE``: the RQ queue name (default ``badges``);
* ``BADGES_JOB_WORKERS``: processes of the in-process pool (default: one per core).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from issuer.config import PREFIX
from issuer.config import ConfigError
from issuer.config import Settings
from issuer.config import variables
from issuer.jobs import JobQueue
from verifier.config import REDIS_SCHEMES


@dataclass(frozen=True)
class JobSettings:
    """Which backend runs jobs, and with how many in-process workers."""

    redis_url: str | None = None
    queue_name: str = "badges"
    workers: int = 0

    @property
    def backend(self) -> str:
        """``rq`` when a Redis URL is set, else ``inprocess``."""
        return "rq" if self.redis_url else "inprocess"


def load_job_settings(environ: Mapping[str, str] | None = None,
                      overrides: Mapping[str, Any] | None = None) -> JobSettings:
    """Read the job settings (same prefix and override rules as :mod:`issuer.config`).

    Raises:
        ConfigError: a malformed value.
    """
    values = variables(environ, overrides)
    url = values.get(PREFIX + "REDIS_URL", "").strip() or None
    if url is not None and not url.startswith(REDIS_SCHEMES):
        raise ConfigError(f"{PREFIX}REDIS_URL must be a redis://, rediss:// or unix:// URL")
    raw = values.get(PREFIX + "JOB_WORKERS", "").strip()
    try:
        workers = int(raw) if raw else 0
    except ValueError:
        raise ConfigError(f"{PREFIX}JOB_WORKERS must be a whole number") from None
    if not 0 <= workers <= 64:
        raise ConfigError(f"{PREFIX}JOB_WORKERS must be between 0 and 64")
    name = values.get(PREFIX + "JOB_QUEUE", "").strip() or "badges"
    return JobSettings(redis_url=url, queue_name=name, workers=workers)


def make_queue(settings: Settings, jobs: JobSettings | None = None) -> JobQueue:
    """The queue the settings choose: RQ when a Redis URL is set, else the in-process pool."""
    jobs = jobs if jobs is not None else load_job_settings()
    if jobs.redis_url:
        from issuer.jobs.redis_queue import RedisQueue

        return RedisQueue(jobs.redis_url, name=jobs.queue_name)
    from issuer.jobs.inprocess import InProcessQueue

    return InProcessQueue(settings, workers=jobs.workers or None)
