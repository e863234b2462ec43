"""The tasks a job may name: a fixed table, resolved by import path when a job runs.

A task is ``fn(runtime, payload) -> dict``. It may ask for more jobs by
returning ``{"then": [{"task": ..., "payload": ...}]}``; the backend that ran
it enqueues them on the same queue (so follow-ups work on every backend).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from issuer.jobs.runtime import Runtime

Task = Callable[["Runtime", Mapping[str, Any]], dict[str, Any]]

#: Every task by name: ``module:function``.
TASKS: Mapping[str, str] = {
    "batch.chunk": "issuer.batch.runner:chunk_task",
    "batch.notify": "issuer.batch.notify:notify_task",
    "reminders.expiry": "issuer.workflow.reminders:expiry_task",
    "certificates.batch": "issuer.certificates.runs:render_run_task",
}


class UnknownTask(LookupError):
    """A job named a task that is not in :data:`TASKS`."""


def resolve(name: str) -> Task:
    """The function behind a task name.

    Raises:
        UnknownTask: the name is not in :data:`TASKS`.
    """
    target = TASKS.get(name)
    if target is None:
        raise UnknownTask(f"no task named {name!r}")
    module, _, attr = target.partition(":")
    fn: Task = getattr(importlib.import_module(module), attr)
    return fn


def follow_ups(result: Any) -> list[tuple[str, dict[str, Any]]]:
    """The jobs a task's result asks for (``result["then"]``), checked."""
    if not isinstance(result, Mapping):
        return []
    out = []
    for item in result.get("then") or ():
        task, payload = item.get("task"), item.get("payload")
        if isinstance(task, str) and task in TASKS and isinstance(payload, Mapping):
            out.append((task, dict(payload)))
    return out
