"""Job settings from ``BADGES_*`` variables (and test overrides), and the queue they choose.

* ``BADGES_REDIS_URL``: use RQ on this Redis (``redis://127.0.0.1:6379/0``);
  without it jobs run in an in-process pool of worker processes;
* ``BADGES_JOB_QUEUE``: the RQ queue name (default ``badges``);
* ``BADGES_JOB_WORKERS``: processes of the in-process pool (default: one per core);
* ``BADGES_JOB_TIMEOUT``: seconds one RQ job may run before RQ stops it (and
  retries it, from where it stopped); default 1800;
* ``BADGES_CERTIFICATE_STALL_SECONDS``: a certificate rendering whose job has
  not shown it is alive for this long (its worker was killed, its host lost
  power) is handed to another worker; default 300. A live job proves itself
  every quarter of this, however long one chunk takes.
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

#: Default of ``BADGES_JOB_TIMEOUT`` (seconds).
JOB_TIMEOUT = 1800
#: Default of ``BADGES_CERTIFICATE_STALL_SECONDS``.
STALL_SECONDS = 300


@dataclass(frozen=True)
class JobSettings:
    """Which backend runs jobs, with how many in-process workers, and their time limits."""

    redis_url: str | None = None
    queue_name: str = "badges"
    workers: int = 0
    job_timeout: int = JOB_TIMEOUT
    stall_seconds: int = STALL_SECONDS

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
    name = values.get(PREFIX + "JOB_QUEUE", "").strip() or "badges"
    return JobSettings(
        redis_url=url, queue_name=name,
        workers=_whole(values, "JOB_WORKERS", 0, low=0, high=64),
        job_timeout=_whole(values, "JOB_TIMEOUT", JOB_TIMEOUT, low=10, high=7 * 86_400),
        stall_seconds=_whole(values, "CERTIFICATE_STALL_SECONDS", STALL_SECONDS, low=2,
                             high=86_400))


def _whole(values: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    """The whole number in ``BADGES_<name>`` (``default`` when unset), between ``low`` and ``high``.

    Raises:
        ConfigError: not a whole number, or out of range.
    """
    raw = values.get(PREFIX + name, "").strip()
    try:
        found = int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number") from None
    if not low <= found <= high:
        raise ConfigError(f"{PREFIX}{name} must be between {low} and {high}")
    return found


def make_queue(settings: Settings, jobs: JobSettings | None = None) -> JobQueue:
    """The queue the settings choose: RQ when a Redis URL is set, else the in-process pool."""
    jobs = jobs if jobs is not None else load_job_settings()
    if jobs.redis_url:
        from issuer.jobs.redis_queue import RedisQueue

        return RedisQueue(jobs.redis_url, name=jobs.queue_name, timeout=jobs.job_timeout)
    from issuer.jobs.inprocess import InProcessQueue

    return InProcessQueue(settings, workers=jobs.workers or None)
