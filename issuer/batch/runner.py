"""Running one chunk of a batch: read, sign, then write everything in one short transaction.

A chunk is up to ``chunk_size`` rows of one batch. Processing it:

1. **read** its pending rows, the keys already issued, the recipients that
   exist, the achievements and the issuer's current key (decrypted once);
2. **draw** two status list positions per credential (:mod:`issuer.batch.allocation`);
3. **sign**: every credential is built, checked (OB JSON Schema and JSON-LD
   safe mode) and signed exactly as :func:`issuer.services.issuance.award`
   does, by the same functions; optionally baked into the badge PNG;
4. **write** the rows' new states (only from ``pending``), people,
   credentials, status entries, idempotency keys, audit events and the batch
   counters, with bulk statements, and commit.

Because step 4 is one transaction, a worker killed at any moment leaves
each row either pending (nothing of it written) or done (all of it
written). A job that lost a race (another one moved the rows out of
``pending`` first, issued the same key, or took a drawn position) finds out
in step 4, on the row states or a unique constraint, rolls back and reads
the chunk again, so a row is counted once and a credential issued once.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from badges import baking
from badges import model
from badges.errors import BadgesError
from badges.keys import KeyType
from issuer.batch import allocation
from issuer.db import Database
from issuer.models import Achievement
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import Person
from issuer.models import PersonEmail
from issuer.models import StatusEntry
from issuer.models import StatusPurpose
from issuer.models_batch import AwardKey
from issuer.models_batch import BatchRow
from issuer.models_batch import BatchRun
from issuer.models_batch import BatchStatus
from issuer.models_batch import RowState
from issuer.services import achievements as achievement_service
from issuer.services import artwork
from issuer.services import audit
from issuer.services import endorsements
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services import status as status_service
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from verifier.clock import Clock
from verifier.clock import system_clock

if TYPE_CHECKING:
    from issuer.jobs.runtime import Runtime

#: How often a chunk is re-read after losing a race before the job fails.
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class ChunkResult:
    """What one run of a chunk did."""

    issued: int = 0
    skipped: int = 0
    failed: int = 0
    attempts: int = 1
    completed_batch: bool = False
    notify: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"issued": self.issued, "skipped": self.skipped, "failed": self.failed,
                "attempts": self.attempts, "completedBatch": self.completed_batch}


@dataclass
class _Row:
    id: int
    line: int
    key: str
    email: str
    name: str
    achievement_id: str
    evidence_url: str | None
    evidence_narrative: str | None
    issued_on: datetime | None
    expires_on: datetime | None


@dataclass
class _Read:
    """Everything step 1 read, as plain values (the session is closed after it)."""

    batch_id: str
    organization_id: int
    actor: str
    fmt: issuance.Format
    bake_dir: str | None
    notify: bool
    org: Organization
    profile: model.Profile
    rows: list[_Row]
    definitions: dict[str, Achievement]
    models: dict[str, model.Achievement]
    existing: set[str]
    people: dict[str, int]
    signer: signing_keys.Signer | None
    #: The status purposes each credential gets an entry for (:func:`status.purposes`).
    purposes: tuple[StatusPurpose, ...]
    #: Each achievement's art as PNG, when the run bakes images.
    pngs: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Done:
    """Step 3's outcome for each row."""

    issued_ids: list[int]
    skipped_ids: list[int]
    failures: list[dict[str, Any]]
    credentials: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    keys: list[dict[str, Any]]
    events: list[dict[str, Any]]
    new_people: dict[str, str]
    issued: int = 0
    skipped: int = 0
    failed: int = 0


def _read(database: Database, ctx: IssuerContext, batch_id: str, chunk: int) -> _Read | None:
    with database.sessions() as session:
        batch = session.get(BatchRun, batch_id)
        if batch is None or batch.status in (BatchStatus.CANCELLED, BatchStatus.COMPLETED):
            return None
        found = session.scalars(sa.select(BatchRow).where(
            BatchRow.batch_id == batch_id, BatchRow.chunk == chunk,
            BatchRow.state == RowState.PENDING).order_by(BatchRow.line)).all()
        rows = [_Row(r.id, r.line, r.key or "", r.email, r.name, r.achievement_id or "",
                     r.evidence_url, r.evidence_narrative, r.issued_on, r.expires_on)
                for r in found]
        org = session.get(Organization, batch.organization_id)
        assert org is not None
        definitions = {a.id: a for a in session.scalars(sa.select(Achievement).where(
            Achievement.id.in_({r.achievement_id for r in rows})))} if rows else {}
        models = {aid: achievement_service.to_model(d, base_url=ctx.base_url)
                  for aid, d in definitions.items()}
        existing: set[str] = set()
        people: dict[str, int] = {}
        if rows:
            existing = set(session.scalars(sa.select(AwardKey.key).where(
                AwardKey.organization_id == org.id, AwardKey.key.in_([r.key for r in rows]))))
            people = {a: p for a, p in session.execute(
                sa.select(PersonEmail.address, PersonEmail.person_id).where(
                    PersonEmail.address.in_({r.email for r in rows})))}
        fmt: issuance.Format = "jwt" if batch.format == "jwt" else "di"
        key_type: KeyType = "ed25519" if fmt == "di" else "p256"
        try:
            signer = signing_keys.current_signer(session, org, key_type, kek=ctx.kek,
                                                 base_url=ctx.base_url) if rows else None
        except LookupError:
            signer = None
        return _Read(batch.id, org.id, batch.actor, fmt, batch.bake_dir, batch.notify, org,
                     organizations.profile(ctx.base_url, org), rows, definitions, models,
                     existing, people, signer, status_service.purposes(org),
                     pngs={aid: artwork.art_for(session, d).png
                           for aid, d in definitions.items()} if batch.bake_dir else {})


_ALREADY_ISSUED = "this award was already issued"


def _fail(done: _Done, row: _Row, code: str, message: str) -> None:
    done.failures.append({"id": row.id, "error_code": code, "error_message": message})
    done.failed += 1


def _sign_all(read: _Read, ctx: IssuerContext, *, lane: int, database: Database,
              now: datetime) -> _Done:
    done = _Done([], [], [], [], [], [], [], {})
    to_issue: list[_Row] = []
    for row in read.rows:
        definition = read.definitions.get(row.achievement_id)
        if row.key in read.existing:
            done.skipped_ids.append(row.id)
            done.skipped += 1
        elif definition is None or not definition.active:
            _fail(done, row, "achievement_retired", "the achievement is retired")
        elif read.signer is None:
            _fail(done, row, "no_signing_key", "the issuer has no current signing key")
        else:
            to_issue.append(row)
    if not to_issue:
        return done
    assert read.signer is not None
    with database.session() as session:
        org = session.get(Organization, read.organization_id)
        assert org is not None
        slots = {purpose: allocation.draw(session, org, purpose, len(to_issue), lane=lane)
                 for purpose in read.purposes}
        # partners' endorsements, read once per achievement (issue #20)
        endorsed = {aid: endorsements.for_award(session, ctx, issuer_id=str(read.profile.id),
                                                achievement_id=aid)
                    for aid in {row.achievement_id for row in to_issue}}
    signer = read.signer
    bake_dir = Path(read.bake_dir) if read.bake_dir else None
    for n, row in enumerate(to_issue):
        definition = read.definitions[row.achievement_id]
        issued_at = row.issued_on or now
        valid_until = row.expires_on or (issued_at + timedelta(days=definition.validity_days)
                                         if definition.validity_days else None)
        mine = [slots[p][n] for p in read.purposes]
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        evidence = (model.Evidence(id=row.evidence_url, narrative=row.evidence_narrative),) \
            if row.evidence_url or row.evidence_narrative else ()
        try:
            credential = issuance.build_credential(
                credential_id=credential_id, issuer=read.profile,
                achievement=read.models[row.achievement_id], email=row.email, name=row.name,
                issued_at=issued_at, valid_until=valid_until,
                status=[status_service.entry_model(ctx.base_url, read.org, s.purpose, s.number,
                                                   s.index, fmt=read.fmt) for s in mine],
                evidence=evidence)
            credential = endorsements.embed_into(credential, endorsed[row.achievement_id])
            document = issuance.sign_document(credential, key=signer.pair, fmt=read.fmt,
                                              created=now, status_array=len(read.purposes) > 1)
        except ServiceError as exc:
            _fail(done, row, exc.code, exc.message)
            continue
        except (ValueError, TypeError, BadgesError) as exc:
            _fail(done, row, "invalid_credential", str(exc))
            continue
        internal_id = str(uuid.uuid4())
        if bake_dir is not None:
            (bake_dir / f"line-{row.line:06d}-{internal_id}.png").write_bytes(
                baking.bake_png(read.pngs[definition.id], document))
        if row.email not in read.people:
            done.new_people.setdefault(row.email, row.name)
        done.credentials.append({
            "id": internal_id, "credential_id": credential_id,
            "organization_id": read.organization_id, "achievement_id": definition.id,
            "person_email": row.email, "recipient_email": row.email,
            "recipient_name": row.name, "format": read.fmt, "document": document,
            "signing_key_id": signer.row.id, "share_token": secrets.token_urlsafe(24),
            "share_enabled": True, "issued_at": issued_at, "valid_from": issued_at,
            "valid_until": valid_until, "reason_public": False})
        done.entries += [{"status_list_id": s.list_id, "index": s.index,
                          "credential_id": internal_id, "set": False} for s in mine]
        done.keys.append({"organization_id": read.organization_id, "key": row.key,
                          "credential_id": internal_id, "batch_id": read.batch_id,
                          "created_at": now})
        done.events.append({
            "at": now, "actor": read.actor, "action": "credential.awarded",
            "organization_id": read.organization_id, "subject_type": "credential",
            "subject_id": credential_id,
            "detail": {"achievement": definition.slug, "recipient": row.email,
                       "format": read.fmt, "key": signer.row.key_id, "renews": None,
                       "batch": read.batch_id, "line": row.line}})
        done.issued_ids.append(row.id)
        done.issued += 1
    return done


class _Conflict(Exception):
    """Another job changed some of these rows first (the chunk is read again)."""


def _set_state(session: so.Session, ids: list[int], **values: Any) -> None:
    """Move rows out of ``pending``; all of them, or :class:`_Conflict`."""
    if not ids:
        return
    result = session.execute(
        sa.update(BatchRow).where(BatchRow.id.in_(ids), BatchRow.state == RowState.PENDING)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        raise _Conflict(f"{len(ids) - result.rowcount} rows were "  # type: ignore[attr-defined]
                        "already done")


def _write(database: Database, read: _Read, done: _Done, now: datetime) -> None:
    with database.session() as session:
        # Rows first: a job that read them while another was writing them stops here.
        _set_state(session, done.issued_ids, state=RowState.ISSUED)
        _set_state(session, done.skipped_ids, state=RowState.SKIPPED,
                   error_code="already_issued", error_message=_ALREADY_ISSUED)
        failures: dict[tuple[str, str], list[int]] = {}
        for item in done.failures:
            failures.setdefault((item["error_code"], item["error_message"]), []).append(
                item["id"])
        for (code, message), failed_ids in failures.items():
            _set_state(session, failed_ids, state=RowState.FAILED, error_code=code,
                       error_message=message)
        people = dict(read.people)
        if done.new_people:
            emails = sorted(done.new_people)
            ids = session.scalars(
                sa.insert(Person).returning(Person.id, sort_by_parameter_order=True),
                [{"display_name": done.new_people[e], "created_at": now} for e in emails]).all()
            session.execute(sa.insert(PersonEmail), [
                {"person_id": pid, "address": e, "primary": True}
                for e, pid in zip(emails, ids, strict=True)])
            people.update(zip(emails, ids, strict=True))
        if done.credentials:
            session.execute(sa.insert(IssuedCredential), [
                {**{k: v for k, v in c.items() if k != "person_email"},
                 "person_id": people[c["person_email"]]} for c in done.credentials])
            session.execute(sa.insert(StatusEntry), sorted(
                done.entries, key=lambda e: (e["status_list_id"], e["index"])))
            session.execute(sa.insert(AwardKey), sorted(done.keys, key=lambda k: k["key"]))
            session.execute(sa.insert(AuditEvent), done.events)
        session.execute(sa.update(BatchRun).where(BatchRun.id == read.batch_id).values(
            issued=BatchRun.issued + done.issued, skipped=BatchRun.skipped + done.skipped,
            failed=BatchRun.failed + done.failed, updated_at=now))
        # queued -> running; a run marked interrupted while this chunk was still
        # being written was alive after all: it is running again
        session.execute(sa.update(BatchRun).where(
            BatchRun.id == read.batch_id,
            BatchRun.status.in_([BatchStatus.QUEUED, BatchStatus.INTERRUPTED])).values(
            status=BatchStatus.RUNNING, error=None, finished_at=None,
            started_at=sa.func.coalesce(BatchRun.started_at, now)))


def finish_if_done(database: Database, batch_id: str, now: datetime) -> bool:
    """Mark the batch completed when no row is pending; True for the one caller that did."""
    with database.session() as session:
        batch = session.get(BatchRun, batch_id)
        if batch is None or batch.issued + batch.skipped + batch.failed < batch.total:
            return False
        changed = session.execute(sa.update(BatchRun).where(
            BatchRun.id == batch_id,
            BatchRun.status.in_([BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED,
                                 BatchStatus.INTERRUPTED]))
            .values(status=BatchStatus.COMPLETED, finished_at=now, updated_at=now, error=None))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        audit.record(session, actor=f"batch:{batch_id}", action="batch.completed",
                     organization_id=batch.organization_id, subject_type="batch",
                     subject_id=batch_id, at=now,
                     detail={"issued": batch.issued, "skipped": batch.skipped,
                             "failed": batch.failed})
        return True


def run_chunk(database: Database, ctx: IssuerContext, *, batch_id: str, chunk: int,
              clock: Clock = system_clock, max_attempts: int = MAX_ATTEMPTS) -> ChunkResult:
    """Issue the pending rows of one chunk; safe to run twice, or at the same time.

    Args:
        database: the service's database.
        ctx: base URL and key-encryption key.
        batch_id: the batch.
        chunk: the chunk number (rows are numbered into chunks when the batch is made).
        clock: the current time (proofs are ``created`` then; rows without an
            issue date are issued then).
        max_attempts: how often to re-read the chunk after losing a race.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database failed ``max_attempts`` times.
    """
    lane = allocation.lane_for(batch_id, chunk)
    for attempt in range(1, max_attempts + 1):
        now = clock().replace(microsecond=0)
        read = _read(database, ctx, batch_id, chunk)
        if read is None:
            return ChunkResult(attempts=attempt, notify=_notify_flag(database, batch_id))
        if not read.rows:
            completed = finish_if_done(database, batch_id, now)
            return ChunkResult(attempts=attempt, completed_batch=completed, notify=read.notify)
        done = _sign_all(read, ctx, lane=lane, database=database, now=now)
        try:
            _write(database, read, done, now)
        except (IntegrityError, OperationalError, _Conflict):
            if attempt == max_attempts:
                raise
            time.sleep(random.uniform(0.0, 0.05 * attempt))  # noqa: S311 - jitter, not secrets
            lane = (lane + 1) % allocation.LANES
            continue
        completed = finish_if_done(database, batch_id, now)
        return ChunkResult(done.issued, done.skipped, done.failed, attempt, completed,
                           read.notify)
    raise AssertionError("unreachable")  # pragma: no cover


def _notify_flag(database: Database, batch_id: str) -> bool:
    with database.sessions() as session:
        return bool(session.scalar(sa.select(BatchRun.notify).where(BatchRun.id == batch_id)))


def record_failure(database: Database, batch_id: str, message: str, *, final: bool,
                   now: datetime) -> None:
    """Note a job's error on its batch; on the last attempt the batch is marked failed."""
    with database.session() as session:
        values: dict[str, Any] = {"error": message[:2000], "updated_at": now}
        query = sa.update(BatchRun).where(BatchRun.id == batch_id)
        if final:
            query = query.where(BatchRun.status.in_([BatchStatus.QUEUED, BatchStatus.RUNNING]))
            values["status"] = BatchStatus.FAILED
        session.execute(query.values(**values))


def chunk_task(runtime: Runtime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Job ``batch.chunk``: run one chunk (``{"batch_id", "chunk"}``).

    When the run notifies recipients, a ``batch.notify`` job for the chunk
    follows every time (it sends only what was not sent, so a chunk whose
    first job died after its commit still gets its messages).
    """
    batch_id, chunk = str(payload["batch_id"]), int(payload["chunk"])
    try:
        result = run_chunk(runtime.database, runtime.ctx, batch_id=batch_id, chunk=chunk,
                           clock=runtime.settings.clock)
    except Exception as exc:
        record_failure(runtime.database, batch_id, f"chunk {chunk}: {type(exc).__name__}: "
                       f"{exc}", final=runtime.final_attempt, now=runtime.now())
        raise
    out = result.to_json()
    if result.notify:
        out["then"] = [{"task": "batch.notify",
                        "payload": {"batch_id": batch_id, "chunk": chunk}}]
    return out
