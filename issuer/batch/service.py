"""Batch awards: preview, create, start, resume, cancel, and the progress and report of a run.

The flow, from any caller (command line, JSON API):

1. :func:`preview` checks every row and says what a run would do; nothing is written;
2. :func:`create` stores the run and its rows (bad rows already ``failed``
   with their reasons, repeated rows ``skipped``), numbered into chunks;
3. after the caller commits, :func:`start` queues one ``batch.chunk`` job per
   chunk that has pending rows (:mod:`issuer.batch.runner` runs them);
4. :func:`progress` and :func:`report_rows` read the state from the
   database, from any process; :func:`resume` queues what is still pending
   (after a crash, a killed worker, a failure or a cancel), and never issues twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.batch import rows as row_checks
from issuer.batch.intake import Intake
from issuer.batch.rows import RowError
from issuer.jobs import JobQueue
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_batch import AwardKey
from issuer.models_batch import BatchRow
from issuer.models_batch import BatchRun
from issuer.models_batch import BatchStatus
from issuer.models_batch import RowState
from issuer.services import audit
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found

#: Rows per chunk (one job, one transaction) unless the caller says otherwise.
DEFAULT_CHUNK_SIZE = 250
#: A running batch without progress for this long is reported as stalled.
STALL_SECONDS = 120
#: An in-process run without progress for this long has lost its process: interrupted.
#: (A chunk commits far more often; a run marked by mistake goes on at its next chunk.)
INTERRUPT_SECONDS = 300
_FORMATS = ("di", "jwt")


@dataclass(frozen=True)
class Preview:
    """What a run of these rows would do."""

    source: str
    total: int
    to_issue: int
    already_issued: int
    duplicates: int
    errors: list[RowError]
    ignored_columns: list[str]
    checked: row_checks.Checked = field(repr=False, compare=False)

    @property
    def failing(self) -> int:
        """How many rows would fail."""
        return len({e.line for e in self.errors})

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"source": self.source, "total": self.total, "toIssue": self.to_issue,
                "alreadyIssued": self.already_issued, "duplicates": self.duplicates,
                "failing": self.failing, "errors": [e.to_json() for e in self.errors],
                "ignoredColumns": self.ignored_columns}


@dataclass(frozen=True)
class Progress:
    """A run's state, as the progress bar, page and API show it."""

    id: str
    status: str
    total: int
    issued: int
    skipped: int
    failed: int
    pending: int
    percent: float
    per_second: float | None
    eta_seconds: float | None
    stalled: bool
    error: str | None
    notify: bool
    notified: int
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        """True once nothing more will happen without a resume."""
        return self.status in (BatchStatus.COMPLETED, BatchStatus.CANCELLED,
                               BatchStatus.FAILED, BatchStatus.INTERRUPTED)

    def to_json(self) -> dict[str, Any]:
        """JSON form (times in ISO 8601)."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {"id": self.id, "status": self.status, "total": self.total,
                "issued": self.issued, "skipped": self.skipped, "failed": self.failed,
                "pending": self.pending, "percent": round(self.percent, 1),
                "perSecond": round(self.per_second, 1) if self.per_second else None,
                "etaSeconds": round(self.eta_seconds) if self.eta_seconds is not None else None,
                "stalled": self.stalled, "error": self.error, "notify": self.notify,
                "notified": self.notified, "createdAt": iso(self.created_at),
                "startedAt": iso(self.started_at), "updatedAt": iso(self.updated_at),
                "finishedAt": iso(self.finished_at)}


def _existing_keys(session: so.Session, org: Organization, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        found.update(session.scalars(sa.select(AwardKey.key).where(
            AwardKey.organization_id == org.id, AwardKey.key.in_(keys[start:start + 1000]))))
    return found


def _run_key(value: str | None) -> str | None:
    return validation.text(value, field="run key", max_length=200, required=False)


def preview(session: so.Session, org: Organization, intake: Intake, *, now: datetime,
            achievement: str | None = None, run_key: str | None = None) -> Preview:
    """Check every row and count what a run would issue, skip and fail; writes nothing.

    Raises:
        ServiceError: an invalid run key.
    """
    checked = row_checks.check_rows(session, org, intake, achievement=achievement,
                                    run_key=_run_key(run_key), now=now)
    issued = _existing_keys(session, org, [r.key for r in checked.valid])
    return Preview(intake.source, checked.total, len(checked.valid) - len(issued), len(issued),
                   len(checked.duplicates), checked.errors, intake.ignored_columns, checked)


def create(session: so.Session, org: Organization, intake: Intake, *, actor: str,
           now: datetime, backend: str, fmt: str = "di", achievement: str | None = None,
           run_key: str | None = None, filename: str | None = None, notify: bool = False,
           chunk_size: int = DEFAULT_CHUNK_SIZE, bake_dir: str | None = None,
           checked: row_checks.Checked | None = None) -> BatchRun:
    """Store a run and its rows; nothing is issued until :func:`start`.

    Args:
        session: the transaction (the caller commits, then calls :func:`start`).
        org: the issuer.
        intake: the rows (:mod:`issuer.batch.intake`).
        actor: who runs it (audit log).
        now: the current time.
        backend: the job backend that will run it (``inprocess`` or ``rq``).
        fmt: ``di`` (eddsa-rdfc-2022) or ``jwt`` (VC-JWT).
        achievement: the achievement of rows that name none.
        run_key: part of every row's idempotency key (to award the same
            achievement to the same people again in a later run).
        filename: the uploaded file's name, for people.
        notify: e-mail each recipient once their credential is issued.
        chunk_size: rows per job and transaction (10 to 5,000).
        bake_dir: a directory on the workers' machine to write each baked PNG to.
        checked: the rows as :func:`preview` checked them (same intake and
            options), so that they are not checked twice.

    Raises:
        ServiceError: ``invalid_format``, ``invalid_chunk_size``, an invalid run key.
    """
    if fmt not in _FORMATS:
        raise ServiceError("format must be 'di' or 'jwt'", code="invalid_format")
    if not 10 <= chunk_size <= 5000:
        raise ServiceError("chunk size must be between 10 and 5000", code="invalid_chunk_size")
    key = _run_key(run_key)
    mark_interrupted(session, now=now, organization=org)
    if checked is None:
        checked = row_checks.check_rows(session, org, intake, achievement=achievement,
                                        run_key=key, now=now)
    chunks = math.ceil(len(checked.valid) / chunk_size)
    batch = BatchRun(
        organization_id=org.id, source=intake.source, filename=(filename or None) and
        filename[:255], format=fmt, run_key=key, actor=actor, status=BatchStatus.QUEUED,
        backend=backend, chunk_size=chunk_size, chunks=chunks, total=checked.total,
        issued=0, skipped=len(checked.duplicates), failed=len(checked.bad), notify=notify,
        notified=0, bake_dir=bake_dir, created_at=now, updated_at=now)
    if not checked.valid:
        batch.status, batch.finished_at = BatchStatus.COMPLETED, now
    session.add(batch)
    session.flush()
    records: list[dict[str, Any]] = []
    for n, row in enumerate(checked.valid):
        records.append(_record(batch.id, row, chunk=n // chunk_size, state=RowState.PENDING))
    for row, first in checked.duplicates:
        records.append(_record(batch.id, row, chunk=-1, state=RowState.SKIPPED,
                               code="duplicate_row",
                               message=f"the same award as line {first}"))
    for bad in checked.bad:
        first_error = bad.errors[0]
        records.append({
            "batch_id": batch.id, "line": bad.line, "chunk": -1, "key": None,
            "state": RowState.FAILED, "email": bad.email, "name": bad.name,
            "achievement_id": None, "evidence_url": None, "evidence_narrative": None,
            "issued_on": None, "expires_on": None, "error_code": first_error.code,
            "error_field": first_error.field,
            "error_message": "; ".join(e.message for e in bad.errors)})
    records.sort(key=lambda r: r["line"])
    for start in range(0, len(records), 2000):
        session.execute(sa.insert(BatchRow), records[start:start + 2000])
    audit.record(session, actor=actor, action="batch.created", organization_id=org.id,
                 subject_type="batch", subject_id=batch.id, at=now,
                 detail={"source": intake.source, "filename": batch.filename,
                         "total": checked.total, "valid": len(checked.valid),
                         "duplicates": len(checked.duplicates), "failed": len(checked.bad),
                         "format": fmt, "notify": notify})
    return batch


def _record(batch_id: str, row: row_checks.AwardRow, *, chunk: int, state: RowState,
            code: str | None = None, message: str | None = None) -> dict[str, Any]:
    return {"batch_id": batch_id, "line": row.line, "chunk": chunk, "key": row.key,
            "state": state, "email": row.email, "name": row.name,
            "achievement_id": row.achievement_id, "evidence_url": row.evidence_url,
            "evidence_narrative": row.evidence_narrative, "issued_on": row.issued_on,
            "expires_on": row.expires_on, "error_code": code, "error_field": None,
            "error_message": message}


def pending_chunks(session: so.Session, batch: BatchRun) -> list[int]:
    """The chunks of ``batch`` that still have pending rows."""
    return list(session.scalars(sa.select(BatchRow.chunk).where(
        BatchRow.batch_id == batch.id, BatchRow.state == RowState.PENDING)
        .distinct().order_by(BatchRow.chunk)))


def unnotified_chunks(session: so.Session, batch: BatchRun) -> list[int]:
    """The chunks of ``batch`` with issued rows whose recipients were not e-mailed yet."""
    return list(session.scalars(sa.select(BatchRow.chunk).where(
        BatchRow.batch_id == batch.id, BatchRow.state == RowState.ISSUED,
        BatchRow.notified_at.is_(None)).distinct().order_by(BatchRow.chunk)))


def start(session: so.Session, queue: JobQueue, batch: BatchRun) -> list[str]:
    """Queue a job per chunk with pending rows (after the run was committed); their ids.

    A run that notifies also gets a ``batch.notify`` job for each chunk
    already issued whose messages were not all sent (after a crash).
    """
    pending = pending_chunks(session, batch)
    jobs = [queue.enqueue("batch.chunk", {"batch_id": batch.id, "chunk": chunk})
            for chunk in pending]
    if batch.notify:
        jobs += [queue.enqueue("batch.notify", {"batch_id": batch.id, "chunk": chunk})
                 for chunk in unnotified_chunks(session, batch) if chunk not in pending]
    return jobs


def get(session: so.Session, batch_id: str, organization: Organization | None = None
        ) -> BatchRun:
    """A batch by id, optionally only if ``organization`` (or its parent district) owns it.

    Raises:
        ServiceError: ``unknown_batch`` (404).
    """
    batch = session.get(BatchRun, batch_id) if isinstance(batch_id, str) else None
    if batch is None:
        raise not_found(f"batch {batch_id!r}", "unknown_batch")
    if organization is not None and batch.organization_id != organization.id:
        owner = session.get(Organization, batch.organization_id)
        if owner is None or owner.parent_id != organization.id:
            raise not_found(f"batch {batch_id!r}", "unknown_batch")
    return batch


def mark_resumed(session: so.Session, batch: BatchRun, *, actor: str, now: datetime) -> bool:
    """Make a run resumable again (queued, error cleared); False when there is nothing to do.

    The caller commits, then calls :func:`start`: rows already issued are
    never issued again, and rows whose job died are picked up (and so are
    e-mails not sent). Other runs of the organization whose process is gone
    are marked interrupted first (:func:`mark_interrupted`).
    """
    organization = session.get(Organization, batch.organization_id)
    mark_interrupted(session, now=now, organization=organization)
    if batch.issued + batch.skipped + batch.failed >= batch.total:
        if batch.status != BatchStatus.COMPLETED:  # cancelled or failed after its last row
            batch.status, batch.error, batch.finished_at = BatchStatus.COMPLETED, None, now
        return bool(batch.notify and unnotified_chunks(session, batch))
    batch.status, batch.error, batch.finished_at, batch.updated_at = \
        BatchStatus.QUEUED, None, None, now
    audit.record(session, actor=actor, action="batch.resumed",
                 organization_id=batch.organization_id, subject_type="batch",
                 subject_id=batch.id, at=now,
                 detail={"pending": batch.total - batch.issued - batch.skipped - batch.failed})
    return True


def cancel(session: so.Session, batch: BatchRun, *, actor: str, now: datetime) -> None:
    """Stop a run: chunks not yet started do nothing (chunks being written finish).

    Raises:
        ServiceError: ``batch_finished`` (409) when it already completed.
    """
    if batch.status == BatchStatus.COMPLETED:
        raise ServiceError("this batch has already completed", code="batch_finished",
                           status=409)
    batch.status, batch.updated_at, batch.finished_at = BatchStatus.CANCELLED, now, now
    audit.record(session, actor=actor, action="batch.cancelled",
                 organization_id=batch.organization_id, subject_type="batch",
                 subject_id=batch.id, at=now)


def _interrupted(batch: BatchRun, *, now: datetime) -> bool:
    """An in-process run still waiting for rows that nothing has touched for a while.

    Its jobs lived in the process that started it (the command line or a web
    worker); with that process gone nobody will run them. RQ runs are not
    judged so: their jobs wait in Redis for any worker (they show as stalled).
    """
    return (batch.backend == "inprocess"
            and batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
            and batch.issued + batch.skipped + batch.failed < batch.total
            and (now - (batch.updated_at or batch.created_at)).total_seconds()
            > INTERRUPT_SECONDS)


def mark_interrupted(session: so.Session, *, now: datetime,
                     organization: Organization | None = None) -> list[str]:
    """Mark in-process runs whose process is gone as ``interrupted``; their ids.

    Recovery, called before a new run or a resume starts (command line, web
    and API) so that a run killed with ``kill -9`` does not show "running"
    for ever, even after a re-run issued its rows. The update is conditional
    on the run's state and last progress, so a run that moved on is left alone.
    """
    query = sa.select(BatchRun).where(
        BatchRun.backend == "inprocess",
        BatchRun.status.in_([BatchStatus.QUEUED, BatchStatus.RUNNING]),
        sa.func.coalesce(BatchRun.updated_at, BatchRun.created_at)
        < now - timedelta(seconds=INTERRUPT_SECONDS))
    if organization is not None:
        query = query.where(BatchRun.organization_id == organization.id)
    marked = []
    for batch in session.scalars(query).all():
        if not _interrupted(batch, now=now):
            continue
        changed = session.execute(sa.update(BatchRun).where(
            BatchRun.id == batch.id, BatchRun.status == batch.status,
            BatchRun.updated_at == batch.updated_at).values(
            status=BatchStatus.INTERRUPTED, finished_at=now,
            error="the process running this batch stopped before it finished; resume it "
                  "to issue the rest (nothing is issued twice)")
            .execution_options(synchronize_session=False))
        if getattr(changed, "rowcount", 0) == 1:
            audit.record(session, actor="recovery", action="batch.interrupted",
                         organization_id=batch.organization_id, subject_type="batch",
                         subject_id=batch.id, at=now,
                         detail={"pending": batch.total - batch.issued - batch.skipped
                                 - batch.failed, "was": batch.status.value})
            marked.append(batch.id)
    return marked


def progress(session: so.Session, batch: BatchRun, *, now: datetime) -> Progress:
    """The run's state now (re-read from the database).

    An in-process run past :data:`INTERRUPT_SECONDS` without progress is
    reported ``interrupted`` even before a recovery marked it so.
    """
    session.refresh(batch)
    done = batch.issued + batch.skipped + batch.failed
    pending = max(0, batch.total - done)
    per_second = eta = None
    if batch.started_at is not None:
        end = batch.finished_at or batch.updated_at or now
        seconds = (end - batch.started_at).total_seconds()
        if seconds > 0 and batch.issued:
            per_second = batch.issued / seconds
            eta = pending / per_second if pending else 0.0
    stalled = (batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING) and pending > 0
               and (now - (batch.updated_at or batch.created_at)).total_seconds()
               > STALL_SECONDS)
    shown = BatchStatus.INTERRUPTED if _interrupted(batch, now=now) else batch.status
    return Progress(
        id=batch.id, status=shown.value, total=batch.total, issued=batch.issued,
        skipped=batch.skipped, failed=batch.failed, pending=pending,
        percent=100.0 * done / batch.total if batch.total else 100.0, per_second=per_second,
        eta_seconds=eta, stalled=stalled, error=batch.error, notify=batch.notify,
        notified=batch.notified, created_at=batch.created_at, started_at=batch.started_at,
        updated_at=batch.updated_at, finished_at=batch.finished_at)


@dataclass(frozen=True)
class RowReport:
    """One line of a run's report, with the credential it produced or found."""

    line: int
    state: str
    email: str
    name: str
    code: str | None
    field: str | None
    message: str | None
    credential_id: str | None
    share_token: str | None

    def to_json(self, base_url: str) -> dict[str, Any]:
        """JSON form; ``shareUrl`` for rows with a credential."""
        return {"line": self.line, "state": self.state, "email": self.email,
                "name": self.name, "code": self.code, "field": self.field,
                "message": self.message, "credentialId": self.credential_id,
                "shareUrl": f"{base_url}/c/{self.share_token}" if self.share_token else None}


def report_rows(session: so.Session, batch: BatchRun, *,
                states: Sequence[RowState] | None = None, offset: int = 0,
                limit: int | None = 100) -> list[RowReport]:
    """The batch's rows by line (optionally only in ``states``), with their credentials."""
    query = (sa.select(BatchRow, IssuedCredential.credential_id, IssuedCredential.share_token)
             .outerjoin(AwardKey, sa.and_(
                 AwardKey.organization_id == batch.organization_id,
                 AwardKey.key == BatchRow.key,
                 BatchRow.state.in_([RowState.ISSUED, RowState.SKIPPED])))
             .outerjoin(IssuedCredential, IssuedCredential.id == AwardKey.credential_id)
             .where(BatchRow.batch_id == batch.id))
    if states:
        query = query.where(BatchRow.state.in_(list(states)))
    query = query.order_by(BatchRow.line).offset(max(0, offset))
    if limit is not None:
        query = query.limit(max(0, limit))
    return [RowReport(row.line, row.state.value, row.email, row.name, row.error_code,
                      row.error_field, row.error_message, credential_id, token)
            for row, credential_id, token in session.execute(query)]


def count_rows(session: so.Session, batch: BatchRun) -> dict[str, int]:
    """How many rows are in each state (from the rows themselves, for checks and reports)."""
    counts = dict.fromkeys((s.value for s in RowState), 0)
    for state, n in session.execute(sa.select(BatchRow.state, sa.func.count()).where(
            BatchRow.batch_id == batch.id).group_by(BatchRow.state)):
        counts[RowState(state).value] = int(n)
    return counts
