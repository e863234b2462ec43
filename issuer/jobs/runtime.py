"""What a job runs with, in whichever process runs it: settings, a database, the context.

Workers are long-lived processes that serve many jobs, so each keeps one
:class:`~issuer.db.Database` per URL (a per-process cache; engines are
never shared across processes).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.jobs import tasks
from issuer.services.context import IssuerContext

_DATABASES: dict[str, Database] = {}
_LOCK = threading.Lock()
#: Set when this worker process was asked to stop (RQ's warm shutdown on ``SIGTERM``):
#: long tasks stop at their next safe point and queue the rest as a follow-up job.
SHUTDOWN = threading.Event()


@dataclass(frozen=True)
class Runtime:
    """A job's settings and database.

    Attributes:
        settings: the service's settings.
        database: this process's database for them.
        final_attempt: False while the backend will still retry a failure.
        overrides: extra ``BADGES_*`` settings given to the queue (keys without
            the prefix, as :func:`issuer.config.load_settings` takes them); tasks
            read their own settings (SMTP...) from these and the environment.
    """

    settings: Settings
    database: Database
    final_attempt: bool = True
    overrides: Mapping[str, str] = field(default_factory=dict)

    def now(self) -> datetime:
        """The current time, from the settings' clock (one clock per deployment)."""
        return self.settings.clock()

    def stopping(self) -> bool:
        """Whether the worker running this job was asked to stop (see :data:`SHUTDOWN`)."""
        return SHUTDOWN.is_set()

    @property
    def ctx(self) -> IssuerContext:
        """Base URL and key-encryption key for issuance."""
        return IssuerContext(base_url=self.settings.base_url,
                             kek=self.settings.key_encryption_key)


def database_for(url: str) -> Database:
    """This process's :class:`Database` for ``url`` (made on first use)."""
    with _LOCK:
        found = _DATABASES.get(url)
        if found is None:
            found = _DATABASES[url] = Database(url)
        return found


def execute(task: str, payload: Mapping[str, Any], settings: Settings | None = None, *,
            final_attempt: bool = True,
            overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run one job here and now.

    Args:
        task: a name from :data:`issuer.jobs.tasks.TASKS`.
        payload: the job's arguments.
        settings: the service's settings; None reads them from ``BADGES_*``
            variables (what an RQ worker on another machine does).
        final_attempt: False when the backend will retry a failure.
        overrides: extra settings for tasks (see :class:`Runtime`).

    Returns:
        The task's result (JSON-like; ``then`` lists follow-up jobs).
    """
    fn = tasks.resolve(task)
    return fn(runtime_for(settings, final_attempt=final_attempt, overrides=overrides), payload)


def runtime_for(settings: Settings | None = None, *, final_attempt: bool = True,
                overrides: Mapping[str, str] | None = None) -> Runtime:
    """A :class:`Runtime` for ``settings`` (None: from the ``BADGES_*`` variables)."""
    resolved = settings if settings is not None else load_settings()
    return Runtime(resolved, database_for(resolved.database_url), final_attempt,
                   dict(overrides or {}))
