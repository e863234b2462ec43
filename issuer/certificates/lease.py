"""Which job renders a run's certificates right now, and whether it is still alive.

A job that starts or resumes a rendering writes its owner token
(``host:pid:token``) in the manifest (:mod:`issuer.certificates.runfiles`).
While it works, a :class:`Heartbeat` thread moves the manifest's
``updated_at`` on every quarter of the stall time, however long one chunk
of certificates takes. So a rendering that is ``running`` with an
``updated_at`` older than the stall time (``BADGES_CERTIFICATE_STALL_SECONDS``)
has lost its job: its worker was killed or its host went down, and another
job may take it over (:func:`issuer.certificates.runs.recover`).

Only the owner's writes count. A job that takes a rendering over writes its
own token; the old job, if it was only frozen (a paused VM, a network split),
finds another owner at its next write and stops without writing anything
(fencing), so no certificate file is written twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime
from types import TracebackType

from issuer.certificates import runfiles
from issuer.certificates.runfiles import Manifest
from verifier.clock import Clock

__all__ = ["Heartbeat", "new_owner", "stalled"]

_log = logging.getLogger(__name__)


def new_owner() -> str:
    """A token naming this job run: host, process id, and a random part."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def stalled(manifest: Manifest, now: datetime, stall_seconds: float) -> bool:
    """Whether nothing showed progress or life on the rendering for ``stall_seconds``."""
    last = manifest.updated_at or manifest.created_at
    return (now - last).total_seconds() > stall_seconds


class Heartbeat:
    """A thread that keeps a job's hold on a rendering alive (use it as a context manager).

    Args:
        run: the run's files.
        render_id: the rendering.
        owner: the job's token (:func:`new_owner`), already in the manifest.
        every: seconds between two beats.
        clock: the current time.
    """

    def __init__(self, run: runfiles.RunFolder, render_id: str, owner: str, *, every: float,
                 clock: Clock) -> None:
        self._run, self._render_id, self._owner = run, render_id, owner
        self._every, self._clock = every, clock
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="certificates-heartbeat",
                                        daemon=True)

    @property
    def lost(self) -> bool:
        """Whether another job took the rendering over (or it was replaced)."""
        return self._lost.is_set()

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            try:
                with runfiles.locked(self._run):
                    manifest = runfiles.read(self._run)
                    if manifest is None or manifest.id != self._render_id or \
                            manifest.owner != self._owner:
                        self._lost.set()
                        return
                    manifest.updated_at = self._clock()
                    runfiles.write(self._run, manifest)
            except Exception:  # noqa: BLE001 - storage or database down: beat again later
                _log.warning("certificate run heartbeat failed", exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
