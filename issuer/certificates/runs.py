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
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.certificates import runfiles
from issuer.certificates.errors import CertificateError
from issuer.certificates.runfiles import Item
from issuer.certificates.runfiles import Manifest
from issuer.db import Database
from issuer.jobs import JobQueue
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

__all__ = ["CHUNK", "STALL_SECONDS", "TASK", "render_run", "render_run_task", "start",
           "status", "zip_key"]

#: The job's name in :data:`issuer.jobs.tasks.TASKS`.
TASK = "certificates.batch"
#: Certificates rendered between two manifest updates (progress, and what a crash loses).
CHUNK = 24
#: A queued or running rendering without progress for this long is resumed when asked again.
STALL_SECONDS = 600
Renderer = Callable[[Sequence["BatchItem"]], list["BatchResult"]]




def _not_ready(message: str, code: str = "certificates_not_ready") -> ServiceError:
    return ServiceError(message, code=code, status=409)


def _check_options(org: Organization, *, storage: Storage, paper: str,
                   template: str) -> None:
    from issuer.certificates.render import paper as paper_named
    from issuer.certificates.service import template_for

    paper_named(paper)
    template_for(org, storage=storage, name=template)


def _stalled(manifest: Manifest, now: datetime) -> bool:
    last = manifest.updated_at or manifest.created_at
    return (now - last).total_seconds() > STALL_SECONDS


def start(session: so.Session, queue: JobQueue, batch: BatchRun, *, storage: Storage,
          now: datetime, paper: str | None = None, template: str | None = None,
          force: bool = False) -> tuple[Manifest, bool]:
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
                        and not _stalled(manifest, now)):
                return manifest, False
            manifest.state, manifest.error, manifest.finished_at = "queued", None, None
            manifest.updated_at = now
        else:
            paper, template = paper or DEFAULT_PAPER, template or DEFAULT_TEMPLATE
            _check_options(org, storage=storage, paper=paper, template=template)
            manifest = Manifest(id=str(uuid.uuid4()), batch_id=batch.id, state="queued",
                                paper=paper, template=template, created_at=now,
                                updated_at=now)
            runfiles.discard_others(run, manifest.id)
        runfiles.write(run, manifest)
    try:
        job_id = queue.enqueue(TASK, {"batch_id": batch.id, "render_id": manifest.id})
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
    return manifest, True


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


def _begin(run: runfiles.RunFolder, database: Database, render_id: str,
           now: datetime) -> Manifest | None:
    """Mark the rendering running (listing its credentials the first time); None to stop."""
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        if manifest is None or manifest.id != render_id or manifest.state == "done":
            return None
        if manifest.items is None:
            with database.sessions() as session:
                batch = session.get(BatchRun, manifest.batch_id)
                if batch is None:
                    return None
                manifest.items = _list_items(session, batch)
        manifest.state, manifest.error, manifest.finished_at = "running", None, None
        manifest.started_at = manifest.started_at or now
        manifest.updated_at = now
        runfiles.write(run, manifest)
        return manifest


def _save(run: runfiles.RunFolder, manifest: Manifest) -> None:
    """Write the job's manifest, unless a forced start replaced it."""
    with runfiles.locked(run):
        current = runfiles.read(run)
        if current is None or current.id != manifest.id:
            if current is not None:
                runfiles.discard_others(run, current.id)
            raise _Superseded
        manifest.job_id, manifest.backend = current.job_id, current.backend
        runfiles.write(run, manifest)


def _fail(run: runfiles.RunFolder, render_id: str, message: str, *, now: datetime,
          final: bool) -> None:
    """Note a job's error; on its last attempt the rendering is marked failed."""
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        if manifest is None or manifest.id != render_id or manifest.state == "done":
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
               clock: Clock = system_clock) -> Outcome:
    """Render what is left of one rendering of an award run's certificates, then its ZIP.

    Safe to run twice or after a crash: certificates already rendered (in the
    manifest, with their PDF on disk) are not rendered again.

    Args:
        database: the service's database.
        storage: the service's storage (:mod:`issuer.storage`).
        base_url: the service's public base URL (for the QR codes).
        batch_id: the award run.
        render_id: the rendering (the manifest's id); another one stops the job.
        workers: renderer processes (default: every core).
        chunk_size: certificates between two manifest updates.
        clock: the current time.

    Returns:
        What this run did; ``state`` ``stopped`` when the rendering was
        replaced or already done.

    Raises:
        OSError: the disk failed; sqlalchemy.exc.SQLAlchemyError: the database did.
    """
    from issuer.certificates.batch import CertificatePool
    from issuer.certificates.batch import render_batch
    from issuer.certificates.service import template_for

    run = runfiles.folder(storage, batch_id)
    manifest = _begin(run, database, render_id, clock())
    if manifest is None:
        return Outcome("stopped")
    assert manifest.items is not None
    try:
        with database.sessions() as session:
            batch = session.get(BatchRun, batch_id)
            org = session.get(Organization, batch.organization_id) if batch else None
            if org is None:
                raise CertificateError("the batch is no longer stored", code="unknown_batch")
            folder = template_for(org, storage=storage, name=manifest.template)
    except CertificateError as exc:
        _fail(run, render_id, f"{exc.message} ({exc.code})", now=clock(), final=True)
        return Outcome("failed")
    stored = runfiles.rendered(run, manifest.id)
    todo = [i for i in manifest.items if i.state == "pending"
            or (i.state == "done" and run.pdf(manifest.id, i) not in stored)]
    count = min(workers or _cores(), len(todo))
    pool = CertificatePool(count) if count > 1 else None

    def render(items: Sequence[BatchItem]) -> list[BatchResult]:
        return list(pool.render(items)) if pool is not None else render_batch(items, workers=1)

    rendered = 0
    try:
        for start_at in range(0, len(todo), chunk_size):
            chunk = todo[start_at:start_at + chunk_size]
            for item in chunk:
                item.state = "pending"
            items = _prepare(database, chunk, base_url=base_url, template=folder,
                             paper=manifest.paper)
            results = _render(render, items)
            _record(run, manifest, chunk, results)
            rendered += sum(1 for r in results if r.pdf is not None)
            manifest.updated_at = clock()
            _save(run, manifest)
        runfiles.write_zip(run, manifest)
        manifest.state = "done"
        manifest.finished_at = manifest.updated_at = clock()
        _save(run, manifest)
    except _Superseded:
        return Outcome("stopped", rendered)
    finally:
        if pool is not None:
            pool.close()
    return Outcome("done", rendered, manifest.count("failed"), manifest.count("revoked"),
                   manifest.count("suspended"))


def render_run_task(runtime: Runtime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Job ``certificates.batch``: render a run's certificates (``{"batch_id", "render_id"}``).

    An error is noted in the manifest (and the rendering marked failed on the
    backend's last attempt) before it is raised, so the backend retries it.
    """
    batch_id, render_id = str(payload["batch_id"]), str(payload["render_id"])
    settings = runtime.settings
    try:
        outcome = render_run(runtime.database, storage=storage_for(settings),
                             base_url=settings.base_url, batch_id=batch_id,
                             render_id=render_id, clock=settings.clock)
    except Exception as exc:
        _fail(runfiles.folder(storage_for(settings), batch_id), render_id,
              f"{type(exc).__name__}: {exc}", now=runtime.now(), final=runtime.final_attempt)
        raise
    return outcome.to_json()
