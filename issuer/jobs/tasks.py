"""The tasks a job may name: a fixed table, resolved by import path when a job runs.

A task is ``fn(runtime, payload) -> dict``. It may ask for more jobs by
returning ``{"then": [{"task": ..., "payload": ...}]}``; the backend that ran
it enqueues them on the same queue (so follow-ups work on every backend).

A task may also name a recovery, ``fn(runtime, payloads, queue) -> list``:
RQ workers call it now and then with the payloads of the task's jobs that
were started and have not ended (some may belong to workers that were killed),
and it queues again the work whose job is dead (:data:`RECOVERIES`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from issuer.jobs import JobQueue
    from issuer.jobs.runtime import Runtime

Task = Callable[["Runtime", Mapping[str, Any]], dict[str, Any]]

#: Every task by name: ``module:function``.
TASKS: Mapping[str, str] = {
    "batch.chunk": "issuer.batch.runner:chunk_task",
    "batch.notify": "issuer.batch.notify:notify_task",
    "reminders.expiry": "issuer.workflow.reminders:expiry_task",
    "certificates.batch": "issuer.certificates.runs:render_run_task",
}


#: Recoveries by task name: ``module:function`` (see the module's docstring).
RECOVERIES: Mapping[str, str] = {
    "certificates.batch": "issuer.certificates.runs:recover_task",
}
Recovery = Callable[["Runtime", Sequence[Mapping[str, Any]], "JobQueue"], list[str]]


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
    fn: Task = _load(target)
    return fn


def recovery(name: str) -> Recovery | None:
    """The recovery of a task, if it has one."""
    target = RECOVERIES.get(name)
    if target is None:
        return None
    fn: Recovery = _load(target)
    return fn


def _load(target: str) -> Any:
    """The object a ``module:name`` path names."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


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
