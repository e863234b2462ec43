"""Many certificates at once, on every core: a process pool of renderers.

Each worker process keeps one :class:`~issuer.certificates.render.Renderer`
for its whole life, so fonts, compiled templates, parsed CSS and decoded
images are loaded once per worker, not once per certificate. Processes, not
threads: WeasyPrint is pure Python under the GIL. Workers start from a fork
server that has WeasyPrint imported already (no ``fork()`` of a process that
runs threads or holds database connections).

This is the rendering half of "batch rendering for a whole award run"; the
job interface that runs it for an award (ARCHITECTURE.md, "Work that takes
long") calls :class:`CertificatePool` from its worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import time
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from issuer.certificates.content import Certificate
from issuer.certificates.errors import CertificateError
from issuer.certificates.render import DEFAULT_PAPER
from issuer.certificates.render import Renderer

#: Certificates sent to a worker at a time (fewer round trips, still balanced).
CHUNK = 4


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One certificate to render.

    Attributes:
        certificate: what it shows and carries.
        template: the template folder.
        paper: ``a4`` or ``letter``.
    """

    certificate: Certificate
    template: Path
    paper: str = DEFAULT_PAPER


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of one item: a PDF, or the error that stopped it.

    Attributes:
        credential_id: the certificate's credential.
        pdf: the PDF, when it rendered.
        error: why it did not.
        cpu_seconds: the processor time the rendering took (for job statistics).
    """

    credential_id: str
    pdf: bytes | None = None
    error: CertificateError | None = None
    cpu_seconds: float = 0.0


_worker_renderer: Renderer | None = None
_worker_frozen = False


def _start_worker() -> None:
    global _worker_renderer
    # A SIGTERM sent to the whole process group (systemd, ``kill -- -PGID``) is the job
    # worker's to handle: it lets the chunk in flight finish here, then closes the pool.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _worker_renderer = Renderer()


def _render(item: BatchItem, renderer: Renderer) -> BatchResult:
    started = time.process_time()
    try:
        rendered = renderer.render(item.certificate, template=item.template,
                                   paper_name=item.paper)
    except CertificateError as exc:
        return BatchResult(item.certificate.credential_id, error=exc,
                           cpu_seconds=time.process_time() - started)
    return BatchResult(item.certificate.credential_id, pdf=rendered.pdf,
                       cpu_seconds=time.process_time() - started)


def _render_in_worker(item: BatchItem) -> BatchResult:
    global _worker_frozen
    assert _worker_renderer is not None, "the worker was not started by CertificatePool"
    result = _render(item, _worker_renderer)
    if not _worker_frozen:
        # Fonts, the compiled template and parsed CSS now live for the worker's
        # life: keep the cyclic garbage collector from scanning them again and
        # again (about 5% of each later certificate).
        gc.freeze()
        _worker_frozen = True
    return result


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["issuer.certificates.render", "weasyprint"])
    return context


class CertificatePool:
    """A pool of renderer processes, kept for as many batches as its owner likes.

    Use it as a context manager; :func:`render_batch` makes one for a single batch.

    Args:
        workers: processes to run (the machine's cores is the useful maximum).
    """

    def __init__(self, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError("a certificate pool needs at least one worker")
        self.workers = workers
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                                             initializer=_start_worker)

    def render(self, items: Iterable[BatchItem]) -> Iterator[BatchResult]:
        """Render ``items`` on every worker; results come back in the items' order."""
        return self._executor.map(_render_in_worker, items, chunksize=CHUNK)

    def warm_up(self) -> None:
        """Start every worker now (each loads WeasyPrint and its fonts once)."""
        list(self._executor.map(_noop, range(self.workers * 2)))

    def close(self) -> None:
        """Stop the workers."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CertificatePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _noop(_value: int) -> None:
    return None


def render_batch(items: Sequence[BatchItem], *, workers: int = 2) -> list[BatchResult]:
    """Render many certificates, on ``workers`` processes.

    One failing certificate does not stop the others: its result carries the
    error. With one worker (or one item) everything runs in this process.

    Args:
        items: the certificates, with their templates and paper.
        workers: processes to use; 2 on this project's 2-core machines.

    Returns:
        One result per item, in order.
    """
    if workers <= 1 or len(items) <= 1:
        from issuer.certificates.render import renderer

        local = renderer()
        return [_render(item, local) for item in items]
    with CertificatePool(min(workers, len(items))) as pool:
        return list(pool.render(items))
