"""The production web server: gunicorn, embedded, running :func:`issuer.app.create_app`.

``badges serve`` runs this (``--dev`` runs Werkzeug's development server
instead). Gunicorn was chosen over granian (both measured on the verify
endpoint, README "Running in production") because its master process gives
the hooks operations need: a worker that dies is replaced, ``SIGTERM`` stops
accepting connections and lets in-flight requests finish within
``graceful_timeout`` (``SIGKILL`` only after it), and ``child_exit`` lets
Prometheus' multi-process collector drop a dead worker's live figures.

Each worker builds its own app after the fork (no ``preload_app``), so no
database connection or lock is shared between processes; migrations run
once, in the ``badges serve`` process, before any worker starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


@dataclass(frozen=True)
class ServerOptions:
    """How many processes and threads serve, and how long they may take.

    Attributes:
        host: the address to listen on.
        port: the TCP port (0 picks a free one; tests use it).
        workers: worker processes (each a full copy of the app).
        threads: threads per worker (gunicorn's ``gthread`` worker).
        timeout: seconds a worker may stay silent before the master restarts it.
        graceful_timeout: seconds in-flight requests get to finish after ``SIGTERM``.
        keepalive: seconds an idle keep-alive connection stays open.
    """

    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 4
    timeout: int = 60
    graceful_timeout: int = 30
    keepalive: int = 5

    def problems(self) -> list[str]:
        """What is out of range, as sentences for the operator (empty when all is well)."""
        found = []
        if not 1 <= self.workers <= 64:
            found.append("--workers must be between 1 and 64")
        if not 1 <= self.threads <= 256:
            found.append("--threads must be between 1 and 256")
        if not 1 <= self.timeout <= 3600:
            found.append("--timeout must be between 1 and 3600 seconds")
        if not 1 <= self.graceful_timeout <= 3600:
            found.append("--graceful-timeout must be between 1 and 3600 seconds")
        return found


def prepare_metrics_dir() -> Path | None:
    """Give Prometheus' multi-process mode a fresh folder, unless the operator named one.

    Must run before any worker imports ``prometheus_client`` (the client picks
    its storage when imported). Returns the folder this call created (to be
    removed on exit), or None when ``PROMETHEUS_MULTIPROC_DIR`` was already set.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):  # figures of a previous run's processes
            stale.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="badges-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(made)
    return made


def _child_exit(_server: Any, worker: Any) -> None:
    """Gunicorn hook: a worker ended, so its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """Gunicorn with its configuration from :class:`ServerOptions`, not its command line."""

    def __init__(self, factory: Callable[[], Flask], options: ServerOptions) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        o = self._options
        settings: dict[str, Any] = {
            "bind": [f"[{o.host}]:{o.port}" if ":" in o.host else f"{o.host}:{o.port}"],
            "workers": o.workers, "threads": o.threads, "worker_class": "gthread",
            "timeout": o.timeout, "graceful_timeout": o.graceful_timeout,
            "keepalive": o.keepalive, "preload_app": False,
            # the app writes one JSON line per request (issuer.observability); no access log
            "accesslog": None, "errorlog": "-", "loglevel": "info",
            "proc_name": "badges", "child_exit": _child_exit,
        }
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 24+'s control socket sits at one path per user: several
            # services (or tests) on one machine would fight over it
            settings["control_socket_disable"] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()


def run(factory: Callable[[], Flask], options: ServerOptions, *,
        metrics_dir: Path | None = None) -> None:
    """Serve ``factory()``'s app until ``SIGTERM``/``SIGINT`` (then finish in-flight requests).

    Args:
        factory: builds the app; called once in each worker after the fork.
        options: processes, threads and timeouts.
        metrics_dir: a folder :func:`prepare_metrics_dir` made, removed on the way out.
    """
    try:
        _Gunicorn(factory, options).run()
    finally:
        remove_metrics_dir(metrics_dir)


def remove_metrics_dir(made: Path | None) -> None:
    """Remove a folder :func:`prepare_metrics_dir` made (None: nothing to do)."""
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == str(made):
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
