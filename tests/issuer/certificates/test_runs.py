"""The certificates of a whole award run: one job, one ZIP, on SQLite and PostgreSQL.

Awards go through the batch API and the real job backends (the in-process
pool, and RQ with a ``badges worker`` once); the PDFs are read back with the
core (their attached credential) and zxing-cpp (their QR code).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
import uuid
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from badges import pdf
from issuer.certificates import runfiles
from issuer.certificates import runs
from issuer.certificates.templates import builtin
from issuer.cli import main
from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.jobs.inprocess import ProcessPool
from issuer.jobs.redis_queue import RedisQueue
from issuer.models import IssuedCredential
from issuer.models import Membership
from issuer.models import Role
from issuer.services import status as status_service
from issuer.services.issuance import IssuerContext
from issuer.storage import storage_for
from issuer.storage.local import LocalStorage
from issuer.workflow import accounts
from tests.issuer import seed
from tests.issuer.batch.conftest import BASE_URL
from tests.issuer.batch.conftest import KEK_B64
from tests.issuer.batch.conftest import REDIS_URL
from tests.issuer.batch.conftest import api_app_with_jobs
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import badges
from tests.issuer.batch.conftest import cli_runner
from tests.issuer.batch.conftest import drop_queue
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import worker_env
from tests.issuer.certificates.conftest import decode_qr
from tests.issuer.certificates.conftest import page_count_and_size
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser

TOKEN = "cert-run-token-lakeside"
OTHER = "cert-run-token-elsewhere"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ADMIN = ("dana@lakeside.test", "a long admin passphrase")
ACHIEVEMENT = "blended-learning-design"


def _row(email: str, name: str) -> dict[str, str]:
    return {"email": email, "name": name, "achievement": ACHIEVEMENT}


@pytest.fixture
def app(make_app: Callable[..., Flask], process_pool: ProcessPool) -> Iterator[Flask]:
    yield from api_app_with_jobs(make_app, process_pool, TOKEN, OTHER)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _db(app: Flask) -> Database:
    found: Database = app.extensions["badges"]["db"]
    return found


def _award(client: FlaskClient, rows: list[dict[str, str]]) -> str:
    """Award ``rows`` through the batch API and wait until the run completes."""
    created = client.post("/api/v1/issuers/lakeside/batches", json={"rows": rows},
                          headers=AUTH)
    assert created.status_code == 202, created.get_json()
    batch_id: str = created.get_json()["batch"]["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/v1/batches/{batch_id}",
                     headers=AUTH).get_json()["batch"]["status"] != "completed":
        assert time.monotonic() < deadline, "the award run did not complete"
        time.sleep(0.1)
    return batch_id


def _finished(client: FlaskClient, batch_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll the certificates' status until they are done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = client.get(f"/api/v1/batches/{batch_id}/certificates",
                                           headers=AUTH).get_json()["certificates"]
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"the certificates of {batch_id} were not made in {timeout} s")


def _credentials(app: Flask, client: FlaskClient, batch_id: str) -> list[IssuedCredential]:
    """The run's credentials by line."""
    rows = client.get(f"/api/v1/batches/{batch_id}/rows", headers=AUTH).get_json()["rows"]
    ids = [r["credentialId"] for r in rows if r["state"] == "issued"]
    with _db(app).sessions() as session:
        found = {c.credential_id: c for c in session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.credential_id.in_(ids)))}
        session.expunge_all()
    return [found[i] for i in ids]


def _zip(client: FlaskClient, batch_id: str) -> zipfile.ZipFile:
    with client.get(f"/api/v1/batches/{batch_id}/certificates.zip", headers=AUTH) as response:
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/zip"
        assert response.headers["Cache-Control"] == "private, no-store"
        return zipfile.ZipFile(io.BytesIO(response.data))


def _attached(document: bytes) -> str:
    (attachment,) = pdf.read_pdf(document, with_text=False).attachments
    return attachment.data.decode("utf-8")


def test_every_certificate_of_a_run_in_one_zip(app: Flask, client: FlaskClient) -> None:
    seed.suspension_on(app, "lakeside")  # a batch issued with suspension entries
    batch_id = _award(client, [
        _row("ann@lakeside.example.org", "Ann Lee"),
        _row("ann.lee@lakeside.example.org", "Ann Lee"),  # same name: a unique file name
        _row("bo@lakeside.example.org", "Bo Chen"),
        _row("cy@lakeside.example.org", "Cy Park"),
        _row("dee@lakeside.example.org", "Dee O'Neil / Admin"),
        _row("eve@lakeside.example.org", "Eve Stone"),
    ])
    ann, ann2, bo, cy, dee, eve = _credentials(app, client, batch_id)
    base = f"/api/v1/batches/{batch_id}/certificates"
    missing = client.get(base, headers=AUTH)
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "no_certificates")
    early = client.get(base + ".zip", headers=AUTH)
    assert (early.status_code, early.get_json()["error"]["code"]) == \
        (409, "certificates_not_ready")
    with _db(app).session() as session:
        status_service.revoke(session, bo.credential_id, reason="Awarded in error",
                              public=False, actor="test", now=NOW)
        # under inquiry: no certificate either
        status_service.suspend(session, eve.credential_id, actor="test", now=NOW)
        # a stored value no certificate may show (a control character): that one fails
        session.execute(sa.update(IssuedCredential).where(IssuedCredential.id == cy.id)
                        .values(recipient_name="Cy\x07Park"))

    started = client.post(base, headers=AUTH)
    assert started.status_code == 202, started.get_json()
    assert started.headers["Location"] == f"{BASE_URL}{base}"
    render_id = started.get_json()["certificates"]["id"]
    again = client.post(base, headers=AUTH)
    assert again.status_code in (200, 202)
    assert again.get_json()["certificates"]["id"] == render_id
    other = client.post(base + "?paper=a4", headers=AUTH)
    assert (other.status_code, other.get_json()["error"]["code"]) == \
        (409, "certificates_exist")

    state = _finished(client, batch_id)
    assert state["id"] == render_id and state["error"] is None
    assert (state["state"], state["total"], state["rendered"], state["failed"],
            state["revoked"], state["suspended"], state["pending"], state["paper"],
            state["template"]) == ("done", 6, 3, 1, 1, 1, 0, "letter", "default")
    assert state["skipped"] == [{"credentialId": bo.credential_id, "reason": "revoked"},
                                {"credentialId": eve.credential_id, "reason": "suspended"}]
    (error,) = state["errors"]
    assert (error["credentialId"], error["code"]) == (cy.credential_id, "invalid_field")

    archive = _zip(client, batch_id)
    assert archive.namelist() == ["Ann-Lee_Blended-Learning-Design.pdf",
                                  "Ann-Lee_Blended-Learning-Design-2.pdf",
                                  "Dee-O-Neil-Admin_Blended-Learning-Design.pdf"]
    for name, issued in zip(archive.namelist(), (ann, ann2, dee), strict=True):
        data = archive.read(name)
        assert data.startswith(b"%PDF-")
        assert _attached(data) == issued.document
    first = archive.read(archive.namelist()[0])
    assert decode_qr(rasterize(first)) == [f"{BASE_URL}/c/{ann.share_token}"]

    done = client.post(base, headers=AUTH)
    assert (done.status_code, done.get_json()["certificates"]["id"]) == (200, render_id)
    forced = client.post(base + "?force=1", json={"paper": "a4"}, headers=AUTH)
    assert forced.status_code == 202 and forced.get_json()["certificates"]["id"] != render_id
    assert _finished(client, batch_id)["paper"] == "a4"
    assert page_count_and_size(_zip(client, batch_id).read(
        "Ann-Lee_Blended-Learning-Design.pdf"))[1].startswith("841.89")  # A4 landscape, in points
    run = runfiles.folder(storage_for(app.extensions["badges"]["settings"]), batch_id)
    assert {k.split("/")[3] for k in run.storage.keys(f"{run.prefix}/pdf")} == \
        {forced.get_json()["certificates"]["id"]}  # the old rendering's files are gone


def test_a_crashed_rendering_resumes_without_redoing_finished_certificates(
        app: Flask, client: FlaskClient) -> None:
    batch_id = _award(client, [_row(f"t{n}@lakeside.example.org", f"Teacher {n}")
                               for n in range(3)])
    credentials = _credentials(app, client, batch_id)
    base = f"/api/v1/batches/{batch_id}/certificates"
    render_id = client.post(base, headers=AUTH).get_json()["certificates"]["id"]
    assert _finished(client, batch_id)["rendered"] == 3

    # As if the worker died after the first chunk: the manifest still says running, with
    # one certificate done (its PDF replaced by a marker), the others pending, no ZIP.
    run = runfiles.folder(storage_for(app.extensions["badges"]["settings"]), batch_id)
    with runfiles.locked(run):
        manifest = runfiles.read(run)
        assert manifest is not None and manifest.items is not None
        kept, *redo = manifest.items
        marker = b"%PDF-1.7 rendered before the crash"
        run.storage.put(run.pdf(render_id, kept), marker)
        for item in redo:
            item.state = "pending"
            run.storage.delete(run.pdf(render_id, item))
        manifest.state, manifest.finished_at = "running", None
        manifest.updated_at = NOW - timedelta(hours=1)
        run.storage.delete(run.zip(render_id))
        runfiles.write(run, manifest)
    files = run.storage
    assert isinstance(files, LocalStorage)
    kept_inode = files.path(run.pdf(render_id, kept)).stat().st_ino
    waiting = client.get(base + ".zip", headers=AUTH)
    assert (waiting.status_code, waiting.get_json()["error"]["code"]) == \
        (409, "certificates_not_ready")

    resumed = client.post(base, headers=AUTH)
    assert resumed.status_code == 202
    assert resumed.get_json()["certificates"]["id"] == render_id
    state = _finished(client, batch_id)
    assert (state["state"], state["rendered"], state["failed"]) == ("done", 3, 0)
    assert files.path(run.pdf(render_id, kept)).stat().st_ino == kept_inode
    archive = _zip(client, batch_id)
    assert archive.read(kept.file) == marker
    for item, issued in zip(redo, credentials[1:], strict=True):
        assert _attached(archive.read(item.file)) == issued.document


def test_a_rendering_whose_job_died_is_handed_on_and_a_live_one_is_left_alone(
        app: Flask, client: FlaskClient) -> None:
    batch_id = _award(client, [_row(f"t{n}@lakeside.example.org", f"Teacher {n}")
                               for n in range(3)])
    render_id = client.post(f"/api/v1/batches/{batch_id}/certificates",
                            headers=AUTH).get_json()["certificates"]["id"]
    assert _finished(client, batch_id)["rendered"] == 3
    run = runfiles.folder(storage_for(app.extensions["badges"]["settings"]), batch_id)
    files, jobs = run.storage, app.extensions["badges"]["jobs"]
    assert isinstance(files, LocalStorage)

    def as_if(owner: str | None, state: str, *, silent: float, recovered: int = 0) -> None:
        """A job that held the rendering stopped mid-chunk: the first PDF stored, not noted."""
        with runfiles.locked(run):
            manifest = runfiles.read(run)
            assert manifest is not None and manifest.items is not None
            for item in manifest.items:
                item.state = "pending"
            for item in manifest.items[1:]:
                files.delete(run.pdf(render_id, item))
            files.delete(run.zip(render_id))
            manifest.state, manifest.finished_at, manifest.owner = state, None, owner
            manifest.updated_at, manifest.recovered = NOW - timedelta(seconds=silent), recovered
            runfiles.write(run, manifest)

    def render(**options: Any) -> runs.Outcome:
        return runs.render_run(_db(app), storage=files, base_url=BASE_URL, batch_id=batch_id,
                               render_id=render_id, workers=1, clock=lambda: NOW, **options)

    as_if("host-a:1:live", "running", silent=10)
    first = files.path(run.pdf(render_id, runfiles.read(run).items[0]))  # type: ignore[union-attr]
    kept = first.stat().st_ino
    assert runs.recover(jobs, files, [batch_id], now=NOW, stall_seconds=60) == []
    assert render(stall_seconds=60) == runs.Outcome("stopped")  # a second job does nothing
    assert runs.recover(jobs, files, [batch_id, batch_id], now=NOW, stall_seconds=5) == \
        [batch_id]
    state = _finished(client, batch_id)
    assert (state["state"], state["rendered"], state["failed"]) == ("done", 3, 0)
    assert first.stat().st_ino == kept  # stored whole before the crash: kept, not rewritten
    done = runfiles.read(run)
    assert done is not None and (done.recovered, done.owner) == (1, None)

    as_if(None, "queued", silent=0)  # a worker asked to stop hands the rest on, untouched
    assert render(stopping=lambda: True) == runs.Outcome("handed_back")
    handed = runfiles.read(run)
    assert handed is not None and (handed.state, handed.owner, handed.count("done")) == \
        ("queued", None, 1)  # the stored PDF is adopted, nothing else changed

    as_if("host-b:2:dead", "running", silent=10, recovered=runs.MAX_RECOVERIES)
    assert runs.recover(jobs, files, [batch_id], now=NOW, stall_seconds=5) == []
    failed = client.get(f"/api/v1/batches/{batch_id}/certificates",
                        headers=AUTH).get_json()["certificates"]
    assert failed["state"] == "failed" and "stopped 4 times" in failed["error"]
    assert client.post(f"/api/v1/batches/{batch_id}/certificates",
                       headers=AUTH).status_code == 202  # asking again resumes it
    assert _finished(client, batch_id)["state"] == "done"


def test_refusals_are_4xx_and_start_nothing(app: Flask, client: FlaskClient) -> None:
    batch_id = _award(client, [_row("ann@lakeside.example.org", "Ann Lee")])
    base = f"/api/v1/batches/{batch_id}/certificates"
    other = {"Authorization": f"Bearer {OTHER}"}
    for method, path in (("post", base), ("get", base), ("get", base + ".zip")):
        response = getattr(client, method)(path, headers=other)
        assert (response.status_code, response.get_json()["error"]["code"]) == \
            (404, "unknown_batch"), (method, path)
    assert client.post(base).status_code == 401
    unknown = client.post("/api/v1/batches/not-a-batch/certificates", headers=AUTH)
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "unknown_batch")
    for query, status, code in (("?paper=a3", 422, "invalid_paper"),
                                ("?template=no-such", 404, "template_not_found"),
                                ("?template=../x", 422, "invalid_template_name"),
                                ("?colour=red", 400, "unknown_field")):
        response = client.post(base + query, headers=AUTH)
        assert (response.status_code, response.get_json()["error"]["code"]) == \
            (status, code), query
    bad_body = client.post(base, data="[", headers={**AUTH, "Content-Type": "application/json"})
    assert (bad_body.status_code, bad_body.get_json()["error"]["code"]) == (400, "invalid_json")
    assert client.get(base, headers=AUTH).status_code == 404  # nothing was started

    from issuer.batch import intake
    from issuer.batch import service
    from issuer.services import organizations

    with _db(app).session() as session:
        org = organizations.get(session, "lakeside")
        queued = service.create(session, org, intake.from_json([_row("x@lakeside.example.org",
                                                                     "Xi")]),
                                actor="test", now=NOW, backend="inprocess").id
    response = client.post(f"/api/v1/batches/{queued}/certificates", headers=AUTH)
    assert (response.status_code, response.get_json()["error"]["code"]) == \
        (409, "batch_not_finished")
    assert "queued" in response.get_json()["error"]["message"]


def test_the_progress_page_starts_them_and_offers_the_zip(app: Flask,
                                                          client: FlaskClient) -> None:
    batch_id = _award(client, [_row("ann@lakeside.example.org", "Ann Lee")])
    page = f"/batches/{batch_id}"
    anonymous = client.get(page)
    assert anonymous.status_code == 302 and "/sign-in?next=" in anonymous.headers["Location"]
    assert client.get(page + "/certificates.zip").status_code == 404
    assert client.post(page + "/certificates").status_code == 404

    with _db(app).session() as session:
        from issuer.services import organizations
        from issuer.services import recipients

        person = recipients.find_or_create(session, email=ADMIN[0], name="Dana Whitfield")
        accounts.set_password(person, ADMIN[1], n=app.extensions["workflow"].scrypt_n)
        session.add(Membership(person_id=person.id, role=Role.ADMIN,
                               organization_id=organizations.get(session, "lakeside").id))
    browser = Browser(app.test_client())
    assert browser.sign_in(*ADMIN).status_code == 303
    html = browser.get(page).get_data(as_text=True)
    assert "Make certificates" in html and 'name="paper"' in html
    assert browser.post(page + "/certificates", {"csrf_token": "forged"}).status_code == 400
    started = browser.post(page + "/certificates", {"paper": "a4"})
    assert started.status_code == 303 and started.headers["Location"].endswith(page)
    deadline = time.monotonic() + 120
    while "Download the certificates (ZIP)" not in (html := browser.get(page).get_data(
            as_text=True)):
        assert time.monotonic() < deadline
        assert 'http-equiv="refresh"' in html  # the page follows the rendering
        time.sleep(0.2)
    with browser.client.get(page + "/certificates.zip") as download:
        assert download.status_code == 200 and download.mimetype == "application/zip"
        assert zipfile.ZipFile(io.BytesIO(download.data)).namelist() == \
            ["Ann-Lee_Blended-Learning-Design.pdf"]


# ------------------------------------------------------------------------- CLI and RQ


@pytest.fixture
def cli_settings(db_url: str, tmp_path: Path, database: Database, ctx: IssuerContext
                 ) -> Settings:
    with database.session() as session:
        seed.district(session, ctx)
    return load_settings(environ={}, overrides={
        "env": "testing", "database_url": db_url, "instance_path": str(tmp_path),
        "base_url": BASE_URL, "key_encryption_key": KEK_B64, "secret_key": "test-secret"})


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, cli_settings: Settings) -> CliRunner:
    return cli_runner(monkeypatch, cli_settings)


def test_the_command_renders_a_run_to_a_zip(runner: CliRunner, database: Database,
                                            tmp_path: Path) -> None:
    from issuer.batch import runner as chunk_runner

    batch_id = make_batch(database, award_csv(3), backend="inprocess")
    out = tmp_path / "certs.zip"
    early = runner.invoke(main, ["batch", "certificates", batch_id, "--out", str(out)])
    assert early.exit_code == 2 and "batch_not_finished" in early.output
    chunk_runner.run_chunk(database, IssuerContext(BASE_URL, bytes(range(32))),
                           batch_id=batch_id, chunk=0)
    result = runner.invoke(main, ["batch", "certificates", batch_id, "--out", str(out),
                                  "--paper", "a4"])
    assert result.exit_code == 0, result.output
    assert "made 3, failed 0, skipped 0 revoked and 0 suspended" in result.output
    assert zipfile.ZipFile(out).namelist() == [
        f"Teacher-{n}_Blended-Learning-Design.pdf" for n in range(3)]
    again = runner.invoke(main, ["batch", "certificates", batch_id, "--out", str(out)])
    assert again.exit_code == 0 and "done" in again.output
    unknown = runner.invoke(main, ["batch", "certificates", "nope", "--out", str(out)])
    assert unknown.exit_code == 2 and "unknown_batch" in unknown.output


@pytest.mark.rq
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_rq_with_a_district_template(app: Flask, client: FlaskClient) -> None:
    settings = app.extensions["badges"]["settings"]
    name = f"badges-test-{uuid.uuid4().hex[:10]}"
    local = app.extensions["badges"]["jobs"]
    batch_id = _award(client, [_row(f"t{n}@lakeside.example.org", f"Teacher {n}")
                               for n in range(2)])  # issued on the in-process pool
    local.close()
    app.extensions["badges"]["jobs"] = RedisQueue(REDIS_URL, name=name)
    template = settings.instance_path / "certificate-templates" / "lakeside" / "classic"
    shutil.copytree(builtin(), template)
    try:
        started = client.post(f"/api/v1/batches/{batch_id}/certificates?template=classic"
                              "&paper=a4", headers=AUTH)
        assert started.status_code == 202, started.get_json()
        worker = badges("worker", "--burst", env=worker_env(
            settings, BADGES_REDIS_URL=REDIS_URL, BADGES_JOB_QUEUE=name))
        output = worker.communicate(timeout=180)[0].decode(errors="replace")
        assert worker.returncode == 0, output
        state = _finished(client, batch_id, timeout=10)
        assert (state["state"], state["rendered"], state["template"], state["paper"]) == \
            ("done", 2, "classic", "a4"), state
        run = runfiles.folder(storage_for(settings), batch_id)
        manifest = json.loads(run.storage.get(run.manifest))
        assert manifest["backend"] == "rq" and manifest["jobId"]
        archive = _zip(client, batch_id)
        for file, issued in zip(archive.namelist(), _credentials(app, client, batch_id),
                                strict=True):
            assert _attached(archive.read(file)) == issued.document
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
        worker.kill()
        raise
    finally:
        app.extensions["badges"]["jobs"].close()
        connection = redis.Redis.from_url(REDIS_URL)
        drop_queue(connection, name)
        connection.close()
