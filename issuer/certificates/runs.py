"""The certificates of a whole award run, rendered by a job (issue #7).

This is the batch rendering of ARCHITECTURE.md's "Work that takes long":

* :func:`start` (API, page, CLI) checks the run and the options, writes a
  ``queued`` manifest (:mod:`issuer.certificates.runfiles`) and queues one
  ``certificates.batch`` job. Asking again returns the same rendering while
  it is queued, running or done; a failed or stalled one (or a done one whose
  ZIP was removed) is resumed; ``force`` starts a new one.
* :func:`render_run_task` (the job) lists the credentials the run's rows
  issued, renders them in chunks on a :class:`~issuer.certificates.batch.CertificatePool`
  on every core, keeps each PDF and the manifest after every chunk, then
  writes the ZIP. Run again after a crash, it renders only what is not done.
  Revoked and suspended credentials are skipped and listed; a certificate that fails is
  recorded with its error, and the others still render.
* One job at a time holds a rendering and shows it is alive
  (:mod:`issuer.certificates.lease`). When its worker is killed, :func:`recover`
  (run by every ``badges worker``) hands the rendering to a new job once it
  has been silent for ``BADGES_CERTIFICATE_STALL_SECONDS``; a worker asked to
  stop (``SIGTERM``) finishes its chunk and queues the rest for another one.
  Each chunk's PDFs are stored whole and recorded under the run's lock by the
  job that holds it, so every certificate file is written once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.certificates import runfiles
from issuer.certificates.errors import CertificateError
from issuer.certificates.lease import Heartbeat
from issuer.certificates.lease import new_owner
from issuer.certificates.lease import stalled
from issuer.certificates.runfiles import Item
from issuer.certificates.runfiles import Manifest
from issuer.db import Database
from issuer.jobs import JobQueue
from issuer.jobs.config import STALL_SECONDS
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_batch import AwardKey
from issuer.models_batch import BatchRow
from issuer.models_batch import BatchRun
from issuer.models_batch import BatchStatus
from issuer.models_batch import RowState
from issuer.services.errors import ServiceError
from issuer.storage import Storage
from issuer.storage import storage_for
from verifier.clock import Clock
from verifier.clock import system_clock

if TYPE_CHECKING:
    from issuer.certificates.batch import BatchItem
    from issuer.certificates.batch import BatchResult
    from issuer.jobs.runtime import Runtime

__all__ = ["CHUNK", "MAX_RECOVERIES", "TASK", "recover", "recover_task", "render_run",
           "render_run_task", "start", "status", "zip_key"]

#: The job's name in :data:`issuer.jobs.tasks.TASKS`.
TASK = "certificates.batch"
#: Certificates rendered between two manifest updates (progress, and what a crash loses).
CHUNK = 24
#: How many times a rendering whose job died is handed on before it is marked failed
#: (a rendering that kills its worker every time, by running out of memory, stops there).
MAX_RECOVERIES = 3
Renderer = Callable[[Sequence["BatchItem"]], list["BatchResult"]]




def _not_ready(message: str, code: str = "certificates_not_ready") -> ServiceError:
    return ServiceError(message, code=code, status=409)


def _check_options(org: Organization, *, storage: Storage, paper: str,
                   template: str) -> None:
    from issuer.certificates.render import paper as paper_named
    from issuer.certificates.service import template_for

    paper_named(paper)
    template_for(org, storage=storage, name=template)


def start(session: so.Session, queue: JobQueue, batch: BatchRun, *, storage: Storage,
          now: datetime, paper: str | None = None, template: str | None = None,
          force: bool = False, stall_seconds: float = STALL_SECONDS,
          ) -> tuple[Manifest, bool]:
    """Ask for the certificates of a completed award run.

    Args:
        session: a session (only read).
        queue: where the job goes.
        batch: the award run (its ownership already checked).
        storage: the service's storage (:mod:`issuer.storage`).
        now: the current time.
        paper: ``a4`` or ``letter`` (default: the existing rendering's, else letter).
        template: a template name (default: the existing rendering's, else
            ``default``), resolved as for one certificate (the issuer's own,
            its district's, the built-in one).
        force: start a new rendering even when one is running or done.
        stall_seconds: a queued or running rendering silent for this long is
            resumed (``BADGES_CERTIFICATE_STALL_SECONDS``).

    Returns:
        The rendering's manifest, and whether a job was queued for it.

    Raises:
        ServiceError: ``batch_not_finished`` (409) when the run did not complete;
            ``certificates_exist`` (409) when a rendering with other options
            exists and ``force`` is not set; ``jobs_unavailable`` (503).
        CertificateError: ``invalid_paper``, ``invalid_template_name`` (422),
            ``template_not_found`` (404).
    """
    from issuer.certificates.render import DEFAULT_PAPER
    from issuer.certificates.templates import DEFAULT_TEMPLATE

    if batch.status != BatchStatus.COMPLETED:
        raise _not_ready(f"this batch is {batch.status.value}: certificates can be made once "
                         "it has completed", "batch_not_finished")
    org = session.get(Organization, batch.organization_id)
    assert org is not None
    run = runfiles.folder(storage, batch.id)
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        if manifest is not None and not force:
            if (paper and paper != manifest.paper) or (template and
                                                       template != manifest.template):
                raise ServiceError(
                    f"certificates on {manifest.paper} with template {manifest.template!r} "
                    "were already asked for; add force=1 to make them again with other "
                    "options", code="certificates_exist", status=409)
            done = manifest.state == "done" and storage.exists(run.zip(manifest.id))
            if done or (manifest.state in ("queued", "running")
                        and not stalled(manifest, now, stall_seconds)):
                return manifest, False
            manifest.state, manifest.error, manifest.finished_at = "queued", None, None
            manifest.updated_at, manifest.owner, manifest.recovered = now, None, 0
        else:
            paper, template = paper or DEFAULT_PAPER, template or DEFAULT_TEMPLATE
            _check_options(org, storage=storage, paper=paper, template=template)
            manifest = Manifest(id=str(uuid.uuid4()), batch_id=batch.id, state="queued",
                                paper=paper, template=template, created_at=now,
                                updated_at=now)
            runfiles.discard_others(run, manifest.id)
        runfiles.write(run, manifest)
    return _enqueue(run, queue, manifest, now), True


def _enqueue(run: runfiles.RunFolder, queue: JobQueue, manifest: Manifest,
             now: datetime) -> Manifest:
    """Queue the job of a ``queued`` rendering and note it in the manifest.

    Raises:
        ServiceError: ``jobs_unavailable`` (503), the rendering then marked failed.
    """
    try:
        job_id = queue.enqueue(TASK, {"batch_id": manifest.batch_id, "render_id": manifest.id})
    except Exception as exc:  # noqa: BLE001 - any backend failure (Redis down) is a clear 503
        _fail(run, manifest.id, f"the job could not be queued: {type(exc).__name__}: {exc}",
              now=now, final=True)
        raise ServiceError("the job queue is not available; try again later",
                           code="jobs_unavailable", status=503) from None
    with runfiles.locked(run):
        current = runfiles.read(run)
        if current is not None and current.id == manifest.id:
            current.job_id, current.backend = job_id, queue.backend
            runfiles.write(run, current)
            manifest = current
    return manifest


def recover(queue: JobQueue, storage: Storage, batch_ids: Iterable[str], *, now: datetime,
            stall_seconds: float = STALL_SECONDS) -> list[str]:
    """Hand each running rendering whose job died to a new job.

    A rendering is taken from its job when it has been silent for
    ``stall_seconds`` (a live job beats every quarter of that, see
    :mod:`issuer.certificates.lease`); the new job renders only what is not
    stored yet. One handed on :data:`MAX_RECOVERIES` times is marked failed.
    Safe to run from every worker at once: the run's lock lets one of them
    take it.

    Args:
        queue: where the new job goes.
        storage: the service's storage.
        batch_ids: the award runs to look at (those of jobs the backend saw start).
        now: the current time.
        stall_seconds: ``BADGES_CERTIFICATE_STALL_SECONDS``.

    Returns:
        The ids of the award runs whose rendering was queued again.
    """
    queued = []
    for batch_id in dict.fromkeys(batch_ids):
        run = runfiles.folder(storage, batch_id)
        with runfiles.locked(run):
            manifest = runfiles.read(run)
            if manifest is None or manifest.state != "running" or \
                    not stalled(manifest, now, stall_seconds):
                continue
            manifest.owner, manifest.updated_at = None, now
            if manifest.recovered >= MAX_RECOVERIES:
                manifest.state, manifest.finished_at = "failed", now
                manifest.error = (f"its job stopped {manifest.recovered + 1} times without "
                                  "finishing (a worker killed, out of memory?); ask again to "
                                  "retry")
                runfiles.write(run, manifest)
                continue
            manifest.state, manifest.recovered = "queued", manifest.recovered + 1
            runfiles.write(run, manifest)
        try:
            _enqueue(run, queue, manifest, now)
        except ServiceError:
            continue  # noted in the manifest (failed); asking again resumes it
        queued.append(batch_id)
    return queued


def recover_task(runtime: Runtime, payloads: Sequence[Mapping[str, Any]],
                 queue: JobQueue) -> list[str]:
    """Recovery for ``certificates.batch`` jobs the backend saw start (see :func:`recover`)."""
    from issuer.jobs.config import load_job_settings

    return recover(queue, storage_for(runtime.settings),
                   [str(p["batch_id"]) for p in payloads if "batch_id" in p],
                   now=runtime.now(),
                   stall_seconds=load_job_settings(overrides=runtime.overrides).stall_seconds)


def status(storage: Storage, batch_id: str) -> Manifest:
    """The rendering of a run's certificates.

    Raises:
        ServiceError: ``no_certificates`` (404) when none was asked for.
    """
    manifest = runfiles.read(runfiles.folder(storage, batch_id))
    if manifest is None:
        raise ServiceError("no certificates were asked for for this batch yet; POST to "
                           "start them", code="no_certificates", status=404)
    return manifest


def zip_key(storage: Storage, batch_id: str) -> str:
    """The storage key of the ZIP of a run's certificates, once they are done.

    Raises:
        ServiceError: ``certificates_not_ready`` (409) before that.
    """
    run = runfiles.folder(storage, batch_id)
    manifest = runfiles.read(run)
    if manifest is None:
        raise _not_ready("no certificates were asked for for this batch yet; POST to start "
                         "them")
    if manifest.state != "done":
        raise _not_ready(f"the certificates are {manifest.state}, not done yet; the ZIP is "
                         "ready when the state is 'done'")
    return run.zip(manifest.id)


# ------------------------------------------------------------------------------ the job


@dataclass(frozen=True)
class Outcome:
    """What one run of the job did."""

    state: str
    rendered: int = 0
    failed: int = 0
    revoked: int = 0
    suspended: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON form (the job's result)."""
        return {"state": self.state, "rendered": self.rendered, "failed": self.failed,
                "revoked": self.revoked, "suspended": self.suspended}


class _Superseded(Exception):
    """A forced start replaced this rendering: the job stops."""


def _list_items(session: so.Session, batch: BatchRun) -> list[Item]:
    """Every credential the run's rows issued, by line, with unique file names."""
    from issuer.models import Achievement

    found = session.execute(
        sa.select(IssuedCredential.id, IssuedCredential.credential_id,
                  IssuedCredential.recipient_name, Achievement.name,
                  IssuedCredential.revoked_at, IssuedCredential.suspended_at)
        .join(AwardKey, AwardKey.credential_id == IssuedCredential.id)
        .join(BatchRow, sa.and_(BatchRow.key == AwardKey.key,
                                AwardKey.organization_id == batch.organization_id))
        .join(Achievement, Achievement.id == IssuedCredential.achievement_id)
        .where(BatchRow.batch_id == batch.id, BatchRow.state == RowState.ISSUED)
        .order_by(BatchRow.line)).all()
    names = runfiles.file_names((teacher, achievement) for _, _, teacher, achievement, _, _
                                in found)
    return [Item(row_id, credential_id, name, _withheld(revoked, suspended) or "pending")
            for (row_id, credential_id, _, _, revoked, suspended), name
            in zip(found, names, strict=True)]


def _withheld(revoked_at: datetime | None, suspended_at: datetime | None,
              ) -> runfiles.ItemState | None:
    """Why a credential gets no certificate: revoked, or suspended (under inquiry)."""
    if revoked_at is not None:
        return "revoked"
    return "suspended" if suspended_at is not None else None


def _begin(run: runfiles.RunFolder, database: Database, render_id: str, now: datetime, *,
           owner: str, stall_seconds: float) -> Manifest | None:
    """Take the rendering and mark it running (listing its credentials the first time).

    None to stop: it was replaced, is done, or a live job holds it (a second
    job for it, such as a retry of one thought dead, does nothing).
    """
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        if manifest is None or manifest.id != render_id or manifest.state == "done":
            return None
        if manifest.state == "running" and manifest.owner not in (None, owner) and \
                not stalled(manifest, now, stall_seconds):
            return None
        if manifest.items is None:
            with database.sessions() as session:
                batch = session.get(BatchRun, manifest.batch_id)
                if batch is None:
                    return None
                manifest.items = _list_items(session, batch)
        manifest.state, manifest.error, manifest.finished_at = "running", None, None
        manifest.started_at = manifest.started_at or now
        manifest.updated_at, manifest.owner = now, owner
        runfiles.write(run, manifest)
        return manifest


def _save(run: runfiles.RunFolder, manifest: Manifest,
          first: Callable[[], None] | None = None, *, done: bool = False) -> None:
    """Write the job's manifest (after ``first``, under the lock), if the job still holds it.

    ``done``: the job lets go of it (the rendering is finished).

    Raises:
        _Superseded: a forced start replaced the rendering, or another job took
            it over (nothing is written then).
    """
    with runfiles.locked(run):
        current = runfiles.read(run)
        if current is None or current.id != manifest.id:
            if current is not None:
                runfiles.discard_others(run, current.id)
            raise _Superseded
        if current.owner != manifest.owner:
            raise _Superseded
        if first is not None:
            first()
        if done:
            manifest.owner = None
        manifest.job_id, manifest.backend = current.job_id, current.backend
        manifest.recovered = current.recovered
        runfiles.write(run, manifest)


def _release(run: runfiles.RunFolder, manifest: Manifest, *, queued: bool,
             now: datetime) -> None:
    """Let go of the rendering: for a retry after an error, or (``queued``) for another job."""
    mine = manifest.owner
    manifest.owner, manifest.updated_at = None, now
    if queued:
        manifest.state = "queued"
    with runfiles.locked(run):
        current = runfiles.read(run)
        if current is not None and current.id == manifest.id and current.owner == mine:
            manifest.job_id, manifest.backend = current.job_id, current.backend
            manifest.recovered = current.recovered
            runfiles.write(run, manifest)


def _fail(run: runfiles.RunFolder, render_id: str, message: str, *, now: datetime,
          final: bool) -> None:
    """Note a job's error; on its last attempt the rendering is marked failed."""
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        if manifest is None or manifest.id != render_id or manifest.state == "done" or \
                manifest.owner is not None:  # done, replaced, or held by a live job
            return
        manifest.error, manifest.updated_at = message[:2000], now
        if final:
            manifest.state, manifest.finished_at = "failed", now
        runfiles.write(run, manifest)


def _prepare(database: Database, chunk: Sequence[Item], *, base_url: str,
             template: Path, paper: str) -> list[BatchItem]:
    """Certificates for the chunk's items; withdrawn or unfit credentials are marked so."""
    from issuer.certificates.batch import BatchItem
    from issuer.certificates.service import certificate_for

    items = []
    with database.sessions() as session:
        stored = {c.id: c for c in session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.id.in_([i.row_id for i in chunk])))}
        for item in chunk:
            issued = stored.get(item.row_id)
            if issued is None:
                item.state, item.code, item.message = \
                    "failed", "unknown_credential", "the credential is no longer stored"
            elif (withheld := _withheld(issued.revoked_at, issued.suspended_at)) is not None:
                item.state = withheld
            else:
                try:
                    items.append(BatchItem(certificate_for(issued, base_url=base_url),
                                           template, paper))
                except CertificateError as exc:
                    item.state, item.code, item.message = "failed", exc.code, exc.message
    return items


def _record(run: runfiles.RunFolder, manifest: Manifest, chunk: Sequence[Item],
            results: Sequence[BatchResult]) -> None:
    """Store a chunk's PDFs (each written whole) and note each item's outcome.

    Called under the run's lock by the job that holds the rendering (:func:`_save`).
    """
    by_credential = {i.credential_id: i for i in chunk}
    for result in results:
        item = by_credential[result.credential_id]
        if result.pdf is not None:
            run.storage.put(run.pdf(manifest.id, item), result.pdf)
            item.state, item.code, item.message = "done", None, None
        else:
            error = result.error or CertificateError("the certificate could not be rendered",
                                                     code="render_failed")
            item.state, item.code, item.message = "failed", error.code, error.message


def _render(render: Renderer, items: Sequence[BatchItem]) -> list[BatchResult]:
    """Render a chunk; when something other than a certificate error stops it, one by one.

    A worker process that died (:class:`BrokenProcessPool`) is not caught: the
    job fails and is run again, and resumes where it stopped.
    """
    from concurrent.futures.process import BrokenProcessPool

    from issuer.certificates.batch import BatchResult

    try:
        return render(items)
    except BrokenProcessPool:
        raise
    except Exception:  # noqa: BLE001 - find the certificate that broke, render the others
        results = []
        for item in items:
            try:
                results += render([item])
            except BrokenProcessPool:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded for this certificate
                results.append(BatchResult(item.certificate.credential_id, error=CertificateError(
                    f"the certificate could not be rendered: {type(exc).__name__}: {exc}"[:500],
                    code="render_failed", status=500)))
        return results


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_run(database: Database, *, storage: Storage, base_url: str, batch_id: str,
               render_id: str, workers: int | None = None, chunk_size: int = CHUNK,
               clock: Clock = system_clock, stall_seconds: float = STALL_SECONDS,
               stopping: Callable[[], bool] = lambda: False) -> Outcome:
    """Render what is left of one rendering of an award run's certificates, then its ZIP.

    Safe to run twice, at once or after a crash: the job holds the rendering
    while it runs (:mod:`issuer.certificates.lease`), certificates already
    stored are not rendered again (a PDF stored whole just before a crash is
    kept), and a job that lost its hold stops without writing.

    Args:
        database: the service's database.
        storage: the service's storage (:mod:`issuer.storage`).
        base_url: the service's public base URL (for the QR codes).
        batch_id: the award run.
        render_id: the rendering (the manifest's id); another one stops the job.
        workers: renderer processes (default: every core).
        chunk_size: certificates between two manifest updates.
        clock: the current time.
        stall_seconds: ``BADGES_CERTIFICATE_STALL_SECONDS`` (the job beats every quarter).
        stopping: whether the worker was asked to stop; the job then stops after
            its chunk, with the rendering queued again for another job.

    Returns:
        What this run did; ``state`` ``stopped`` when the rendering was
        replaced, already done or held by another job, ``handed_back`` when
        the worker was asked to stop first.

    Raises:
        OSError: the disk failed; sqlalchemy.exc.SQLAlchemyError: the database did.
    """
    run = runfiles.folder(storage, batch_id)
    manifest = _begin(run, database, render_id, clock(), owner=new_owner(),
                      stall_seconds=stall_seconds)
    if manifest is None:
        return Outcome("stopped")
    try:
        with Heartbeat(run, render_id, str(manifest.owner), every=stall_seconds / 4,
                       clock=clock) as beat:
            return _render_held(database, run, manifest, base_url=base_url, workers=workers,
                                chunk_size=chunk_size, clock=clock,
                                stopping=stopping, lost=lambda: beat.lost)
    except _Superseded:
        return Outcome("stopped")
    except BaseException:
        _release(run, manifest, queued=False, now=clock())
        raise


def _render_held(database: Database, run: runfiles.RunFolder, manifest: Manifest, *,
                 base_url: str, workers: int | None, chunk_size: int, clock: Clock,
                 stopping: Callable[[], bool], lost: Callable[[], bool]) -> Outcome:
    """:func:`render_run` once the job holds the rendering."""
    from issuer.certificates.batch import CertificatePool
    from issuer.certificates.batch import render_batch
    from issuer.certificates.service import template_for

    assert manifest.items is not None
    try:
        with database.sessions() as session:
            batch = session.get(BatchRun, manifest.batch_id)
            org = session.get(Organization, batch.organization_id) if batch else None
            if org is None:
                raise CertificateError("the batch is no longer stored", code="unknown_batch")
            folder = template_for(org, storage=run.storage, name=manifest.template)
    except CertificateError as exc:
        _release(run, manifest, queued=False, now=clock())
        _fail(run, manifest.id, f"{exc.message} ({exc.code})", now=clock(), final=True)
        return Outcome("failed")
    stored = runfiles.rendered(run, manifest.id)
    for item in manifest.items:
        if item.state == "pending" and run.pdf(manifest.id, item) in stored:
            item.state = "done"  # stored whole by a job that died before noting it
    todo = [i for i in manifest.items if i.state == "pending"
            or (i.state == "done" and run.pdf(manifest.id, i) not in stored)]
    count = min(workers or _cores(), len(todo))
    pool = CertificatePool(count) if count > 1 else None

    def render(items: Sequence[BatchItem]) -> list[BatchResult]:
        return list(pool.render(items)) if pool is not None else render_batch(items, workers=1)

    rendered = 0
    try:
        for start_at in range(0, len(todo), chunk_size):
            if lost():
                raise _Superseded
            if stopping():
                _release(run, manifest, queued=True, now=clock())
                return Outcome("handed_back", rendered)
            chunk = todo[start_at:start_at + chunk_size]
            for item in chunk:
                item.state = "pending"
            items = _prepare(database, chunk, base_url=base_url, template=folder,
                             paper=manifest.paper)
            results = _render(render, items)
            manifest.updated_at = clock()
            _save(run, manifest, partial(_record, run, manifest, chunk, results))
            rendered += sum(1 for r in results if r.pdf is not None)
        runfiles.write_zip(run, manifest)
        manifest.state = "done"
        manifest.finished_at = manifest.updated_at = clock()
        _save(run, manifest, done=True)
    finally:
        if pool is not None:
            pool.close()
    return Outcome("done", rendered, manifest.count("failed"), manifest.count("revoked"),
                   manifest.count("suspended"))


def render_run_task(runtime: Runtime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Job ``certificates.batch``: render a run's certificates (``{"batch_id", "render_id"}``).

    An error is noted in the manifest (and the rendering marked failed on the
    backend's last attempt) before it is raised, so the backend retries it. A
    worker asked to stop hands the rest to a follow-up job of the same task.
    """
    from issuer.jobs.config import load_job_settings

    batch_id, render_id = str(payload["batch_id"]), str(payload["render_id"])
    settings = runtime.settings
    try:
        outcome = render_run(runtime.database, storage=storage_for(settings),
                             base_url=settings.base_url, batch_id=batch_id,
                             render_id=render_id, clock=settings.clock,
                             stall_seconds=load_job_settings(
                                 overrides=runtime.overrides).stall_seconds,
                             stopping=runtime.stopping)
    except Exception as exc:
        _fail(runfiles.folder(storage_for(settings), batch_id), render_id,
              f"{type(exc).__name__}: {exc}", now=runtime.now(), final=runtime.final_attempt)
        raise
    result = outcome.to_json()
    if outcome.state == "handed_back":
        result["then"] = [{"task": TASK, "payload": {"batch_id": batch_id,
                                                     "render_id": render_id}}]
    return result
