"""One chunk end to end, in this process: the credentials are the ones ``award`` makes.

Also: status positions a whole chunk at a time (a full list closed, the next
opened), rows that fail at run time, cancel and resume, and the same chunk
run twice at the same time by two worker processes.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from badges import baking
from issuer.batch import runner
from issuer.batch import service
from issuer.db import Database
from issuer.jobs.inprocess import InProcessQueue
from issuer.jobs.inprocess import ProcessPool
from issuer.models import Achievement
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Person
from issuer.models import StatusEntry
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.batch.conftest import assert_exact
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import progress
from tests.issuer.batch.conftest import wait_until

pytestmark = pytest.mark.usefixtures("district")
RUN_AT = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)

FILE = (b"email,name,achievement,evidence_url,evidence_narrative,issued_on,expires_on\n"
        b"maria.lopez@lakeside.example.org,Maria Lopez,blended-learning-design,,,,\n"
        b"ann@lakeside.example.org,Ann Lee,blended-learning-design,"
        b"https://lms.example.org/p/1,Unit plan and two recordings.,2024-08-15,2027-06-30\n"
        b"bo@lakeside.example.org,Bo Chen,data-informed-instruction,,,,\n")


def _run_all(database: Database, ctx: IssuerContext, batch_id: str) -> None:
    with database.sessions() as session:
        chunks = service.pending_chunks(session, service.get(session, batch_id))
    for chunk in chunks:
        runner.run_chunk(database, ctx, batch_id=batch_id, chunk=chunk, clock=lambda: RUN_AT)


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k not in ("evidence", "validUntil")}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def test_batch_credentials_are_signed_awards_that_verify(database: Database,
                                                         ctx: IssuerContext,
                                                         tmp_path: Path) -> None:
    with database.session() as session:
        single = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria.lopez@lakeside.example.org", name="María López",
                                actor="test", now=RUN_AT)
        single_doc, single_person = json.loads(single.document), single.person_id
    batch_id = make_batch(database, FILE, backend="inprocess", bake_dir=str(tmp_path))
    _run_all(database, ctx, batch_id)
    assert_exact(database, batch_id, issued=3, skipped=0, failed=0, credentials=4, keys=3)

    with database.sessions() as session:
        batch = service.get(session, batch_id)
        rows = {r.email: r for r in service.report_rows(session, batch)}
        stored = {c.recipient_email: c for c in session.scalars(
            sa.select(IssuedCredential).where(IssuedCredential.id != single.id))}
        maria = stored["maria.lopez@lakeside.example.org"]
        assert maria.person_id == single_person  # the existing recipient, not a new person
        assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 3
        events = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.awarded",
            AuditEvent.subject_id == maria.credential_id)).one()
        assert events.detail["batch"] == batch_id and events.detail["line"] == 2
    for email, issued in stored.items():
        assert rows[email].credential_id == issued.credential_id
        report = seed.verify(issued.document, database, ctx, RUN_AT)
        assert report.verified, report.to_json()
        doc = json.loads(issued.document)
        assert doc["proof"][0]["created"] == "2026-11-23T12:30:00Z"
        entries = seed.status_entries(doc)
        assert isinstance(doc["credentialStatus"], dict)  # one object: schema-valid
        assert [e["statusPurpose"] for e in entries] == ["revocation"]
        with database.sessions() as session:
            positions = {(e.status_list.purpose.value, e.index) for e in session.scalars(
                sa.select(StatusEntry).where(StatusEntry.credential_id == issued.id))}
        assert positions == {(e["statusPurpose"], int(e["statusListIndex"])) for e in entries}
        baked = list(tmp_path.glob(f"line-{rows[email].line:06d}-{issued.id}.png"))
        assert len(baked) == 1 and baking.unbake(baked[0].read_bytes()) == issued.document
    assert _shape(json.loads(maria.document)) == _shape(single_doc)

    ann = json.loads(stored["ann@lakeside.example.org"].document)
    assert ann["validFrom"] == ann["awardedDate"] == "2024-08-15T00:00:00Z"
    assert ann["validUntil"] == "2027-06-30T23:59:59Z"
    assert ann["evidence"] == [{"id": "https://lms.example.org/p/1", "type": ["Evidence"],
                                "narrative": "Unit plan and two recordings."}]
    bo = stored["bo@lakeside.example.org"]
    assert bo.valid_until is not None and (bo.valid_until - bo.valid_from).days == 365


def test_jwt_batches_sign_with_the_p256_key(database: Database, ctx: IssuerContext) -> None:
    batch_id = make_batch(database, award_csv(3), backend="inprocess", fmt="jwt")
    _run_all(database, ctx, batch_id)
    assert_exact(database, batch_id, issued=3, skipped=0, failed=0, credentials=3)
    with database.sessions() as session:
        documents = session.scalars(sa.select(IssuedCredential.document)).all()
    assert all(d.count(".") == 2 for d in documents)
    assert seed.verify(documents[0], database, ctx, RUN_AT).verified


def test_a_chunk_fills_one_status_list_and_opens_the_next(database: Database,
                                                          ctx: IssuerContext) -> None:
    with database.session() as session:  # a short first list, so that a chunk fills it
        org_id = session.scalar(sa.text("SELECT id FROM organizations WHERE slug='lakeside'"))
        session.add(StatusList(organization_id=org_id, purpose=StatusPurpose.REVOCATION, number=1,
                               length=200, version=1, signed_version=0))
    with database.session() as session:
        first = issuance.award(session, ctx, issuer="lakeside",
                               achievement="blended-learning-design", email="x@x.org",
                               name="X", actor="t", now=RUN_AT)
        revocation = session.scalar(sa.select(StatusList).where(
            StatusList.number == 1, StatusList.purpose == StatusPurpose.REVOCATION))
        assert revocation is not None
        taken = set(session.scalars(sa.select(StatusEntry.index).where(
            StatusEntry.status_list_id == revocation.id)))
        free = [i for i in range(revocation.length) if i not in taken]
        left = set(free[:5])
        session.execute(sa.insert(StatusEntry), [
            {"status_list_id": revocation.id, "index": i, "credential_id": first.id,
             "set": False} for i in free[5:]])
    batch_id = make_batch(database, award_csv(12), backend="inprocess")
    _run_all(database, ctx, batch_id)
    state = progress(database, batch_id)
    assert (state.status, state.issued, state.pending) == ("completed", 12, 0)
    with database.sessions() as session:
        placed = session.execute(
            sa.select(StatusList.number, StatusEntry.index).join(StatusEntry.status_list)
            .where(StatusList.purpose == StatusPurpose.REVOCATION,
                   StatusEntry.credential_id != first.id)
        ).all()
        lists = session.execute(sa.select(StatusList.number, StatusList.full).where(
            StatusList.purpose == StatusPurpose.REVOCATION).order_by(StatusList.number)).all()
    assert {i for n, i in placed if n == 1} == left
    assert sum(1 for n, _ in placed if n == 2) == 7
    assert [tuple(x) for x in lists] == [(1, True), (2, False)]


def test_run_time_failures_cancel_and_resume(database: Database, ctx: IssuerContext) -> None:
    data = award_csv(60) + b"retired@lakeside.example.org,Late,data-informed-instruction,\n"
    batch_id = make_batch(database, data, backend="inprocess", chunk_size=20)
    with database.session() as session:
        session.execute(sa.update(Achievement).where(
            Achievement.slug == "data-informed-instruction").values(active=False))
        service.cancel(session, service.get(session, batch_id), actor="t", now=RUN_AT)
    _run_all(database, ctx, batch_id)  # a cancelled run does nothing
    assert progress(database, batch_id).status == "cancelled"
    assert progress(database, batch_id).issued == 0
    with database.session() as session:
        assert service.mark_resumed(session, service.get(session, batch_id), actor="t",
                                    now=RUN_AT)
    _run_all(database, ctx, batch_id)
    assert_exact(database, batch_id, issued=60, skipped=0, failed=1, credentials=60)
    with database.sessions() as session:
        failed = service.report_rows(session, service.get(session, batch_id),
                                     states=[service.RowState.FAILED])
        assert [(r.line, r.code) for r in failed] == [(62, "achievement_retired")]
        assert not service.mark_resumed(session, service.get(session, batch_id), actor="t",
                                        now=RUN_AT)


def test_the_same_chunks_queued_twice_at_once_issue_once(database: Database,
                                                         settings: Any,
                                                         process_pool: ProcessPool) -> None:
    batch_id = make_batch(database, award_csv(400), backend="inprocess", chunk_size=50)
    queue = InProcessQueue(settings, pool=process_pool)
    try:
        with database.sessions() as session:
            batch = service.get(session, batch_id)
            jobs = service.start(session, queue, batch) + service.start(session, queue, batch)
        wait_until(lambda: not queue.active(), 90)
        assert all(queue.state(j) == "finished" for j in jobs)
        results = [queue.result(j) or {} for j in jobs]
    finally:
        queue.close()
    assert_exact(database, batch_id, issued=400, skipped=0, failed=0, credentials=400)
    assert sum(r["issued"] for r in results) == 400
    assert sum(1 for r in results if r.get("completedBatch")) == 1


def test_a_job_that_read_a_chunk_before_another_wrote_it_changes_nothing(
        database: Database, ctx: IssuerContext) -> None:
    batch_id = make_batch(database, award_csv(20), backend="inprocess")
    stale = runner._read(database, ctx, batch_id, 0)
    assert stale is not None and len(stale.rows) == 20
    runner.run_chunk(database, ctx, batch_id=batch_id, chunk=0)  # another job, first
    # The stale job would issue every row again; then, re-reading only the keys, skip them.
    for existing in (set(), {row.key for row in stale.rows}):
        stale.existing = existing
        done = runner._sign_all(stale, ctx, lane=1, database=database, now=RUN_AT)
        with pytest.raises(runner._Conflict):
            runner._write(database, stale, done, RUN_AT)
    assert_exact(database, batch_id, issued=20, skipped=0, failed=0, credentials=20)
    result = runner.run_chunk(database, ctx, batch_id=batch_id, chunk=0)
    assert (result.issued, result.skipped) == (0, 0)
