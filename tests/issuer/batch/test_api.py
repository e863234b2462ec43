"""The batch JSON API (systems that push awards) and the progress page."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook

from issuer.jobs.inprocess import ProcessPool
from issuer.models import Membership
from issuer.models import Role
from issuer.services import organizations
from issuer.services import recipients
from issuer.workflow import accounts
from tests.issuer.batch.conftest import api_app_with_jobs
from tests.issuer.batch.conftest import award_csv
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import Browser

TOKEN = "batch-token-lakeside"
OTHER = "batch-token-elsewhere"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROWS = [
    {"email": "ann@lakeside.example.org", "name": "Ann Lee",
     "achievement": "blended-learning-design", "evidenceUrl": "https://lms.example.org/p/1"},
    {"email": "bo@lakeside.example.org", "name": "Bo Chen",
     "achievement": "blended-learning-design", "idempotencyKey": "hr-2026-0042"},
    {"email": "not-an-address", "name": "Cy", "achievement": "blended-learning-design"},
    {"email": "dee@lakeside.example.org", "name": "Dee", "issuedOn": "2025-08-15"},
]


@pytest.fixture
def app(make_app: Callable[..., Flask], process_pool: ProcessPool) -> Iterator[Flask]:
    yield from api_app_with_jobs(make_app, process_pool, TOKEN, OTHER)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _finished(client: FlaskClient, batch_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = client.get(f"/api/v1/batches/{batch_id}",
                                           headers=AUTH).get_json()["batch"]
        if state["status"] == "completed":
            return state
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} did not complete")


def test_push_preview_run_report_and_push_again(client: FlaskClient) -> None:
    url = "/api/v1/issuers/lakeside/batches"
    body = {"rows": ROWS, "achievement": "data-informed-instruction"}
    preview = client.post(url, json={**body, "preview": True}, headers=AUTH)
    assert preview.status_code == 200
    assert preview.get_json()["preview"] | {"errors": None} == {
        "source": "json", "total": 4, "toIssue": 3, "alreadyIssued": 0, "duplicates": 0,
        "failing": 1, "errors": None, "ignoredColumns": []}
    assert preview.get_json()["preview"]["errors"] == [
        {"line": 3, "field": "email", "code": "invalid_email",
         "message": "'not-an-address' is not a valid e-mail address"}]

    created = client.post(url, json=body, headers=AUTH)
    assert created.status_code == 202, created.get_json()
    batch_id = created.get_json()["batch"]["id"]
    assert created.headers["Location"].endswith(f"/api/v1/batches/{batch_id}")
    state = _finished(client, batch_id)
    assert (state["issued"], state["skipped"], state["failed"], state["pending"]) == (3, 0, 1, 0)

    rows = client.get(f"/api/v1/batches/{batch_id}/rows", headers=AUTH).get_json()["rows"]
    assert [(r["line"], r["state"]) for r in rows] == [
        (1, "issued"), (2, "issued"), (3, "failed"), (4, "issued")]
    share = rows[0]["shareUrl"].removeprefix("https://badges.test")
    assert client.get(share + ".json").status_code == 200
    failed = client.get(f"/api/v1/batches/{batch_id}/rows?state=failed",
                        headers=AUTH).get_json()["rows"]
    assert [(r["line"], r["code"]) for r in failed] == [(3, "invalid_email")]

    again = client.post(url, json=body, headers=AUTH)
    state = _finished(client, again.get_json()["batch"]["id"])
    assert (state["issued"], state["skipped"], state["failed"]) == (0, 3, 1)
    # Resuming a finished run does nothing; cancelling it is refused.
    assert client.post(f"/api/v1/batches/{batch_id}/resume", headers=AUTH).status_code == 202
    refused = client.post(f"/api/v1/batches/{batch_id}/cancel", headers=AUTH)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "batch_finished")


def test_csv_and_xlsx_uploads(client: FlaskClient) -> None:
    url = "/api/v1/issuers/lakeside/batches"
    upload = client.post(url, headers=AUTH, data={
        "file": (io.BytesIO(award_csv(30, bad_every=10)), "awards.csv"), "format": "jwt"})
    assert upload.status_code == 202, upload.get_json()
    state = _finished(client, upload.get_json()["batch"]["id"])
    assert (state["issued"], state["failed"]) == (27, 3)

    raw = client.post(url + "?runKey=2027", headers={**AUTH, "Content-Type": "text/csv"},
                      data=award_csv(5))
    assert _finished(client, raw.get_json()["batch"]["id"])["issued"] == 5

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Name", "Achievement"])
    sheet.append(["xl@lakeside.example.org", "Xia Li", "blended-learning-design"])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = client.post(url, headers=AUTH, data={"file": (io.BytesIO(buffer.getvalue()),
                                                         "awards.xlsx"), "preview": "true"})
    assert xlsx.get_json()["preview"]["source"] == "xlsx"
    assert xlsx.get_json()["preview"]["toIssue"] == 1


REFUSALS: list[tuple[str, str, Any, str | None, int, str]] = [
    ("post", "/api/v1/issuers/lakeside/batches", {"rows": ROWS}, None, 401, "unauthorized"),
    ("post", "/api/v1/issuers/lakeside/batches", {"rows": ROWS}, OTHER, 403, "forbidden"),
    ("post", "/api/v1/issuers/lakeside/batches", {"rows": "x"}, TOKEN, 400, "invalid_json"),
    ("post", "/api/v1/issuers/lakeside/batches", {"rows": ROWS, "format": "pdf"}, TOKEN, 400,
     "invalid_format"),
    ("post", "/api/v1/issuers/lakeside/batches", {"rows": ROWS, "x": 1}, TOKEN, 400,
     "unknown_field"),
    ("get", "/api/v1/batches/{id}", None, OTHER, 404, "unknown_batch"),
    ("post", "/api/v1/batches/{id}/resume", None, OTHER, 404, "unknown_batch"),
    ("get", "/api/v1/batches/{id}/rows?state=lost", None, TOKEN, 400, "invalid_state"),
    ("get", "/api/v1/batches/not-a-batch", None, TOKEN, 404, "unknown_batch"),
]


def test_api_refusals_are_json_4xx_and_issue_nothing(client: FlaskClient) -> None:
    created = client.post("/api/v1/issuers/lakeside/batches", json={"rows": ROWS[:1]},
                          headers=AUTH).get_json()["batch"]["id"]
    for method, path, body, token, status, code in REFUSALS:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = getattr(client, method)(path.replace("{id}", created), json=body,
                                           headers=headers)
        assert (response.status_code, response.get_json()["error"]["code"]) == \
            (status, code), (method, path, token)
    _finished(client, created)
    listed = client.get(f"/api/v1/batches/{created}/rows", headers=AUTH).get_json()["rows"]
    assert len(listed) == 1


def _signed_in(app: Flask, slug: str, role: Role) -> Browser:
    """A browser signed in as a new person holding ``role`` at ``slug``."""
    email = f"{role.value}-{slug}@staff.example.org"
    with app.extensions["badges"]["db"].session() as session:
        person = recipients.find_or_create(session, email=email, name="Staff Member")
        accounts.set_password(person, PASSWORD, n=app.extensions["workflow"].scrypt_n)
        session.add(Membership(person_id=person.id, role=role,
                               organization_id=organizations.get(session, slug).id))
    browser = Browser(app.test_client())
    assert browser.sign_in(email, PASSWORD).status_code == 303
    return browser


def test_progress_page(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/issuers/lakeside/batches", json={"rows": ROWS[:3]},
                          headers=AUTH).get_json()
    batch_id = created["batch"]["id"]
    assert created["links"]["page"].endswith(f"/batches/{batch_id}")
    _finished(client, batch_id)
    # the id alone shows nothing: sign in first, and only the issuer's admins see it
    anonymous = client.get(f"/batches/{batch_id}")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/sign-in?next=/batches/{batch_id}"
    for slug, role in (("elsewhere", Role.ADMIN), ("lakeside", Role.EARNER),
                       ("lakeside", Role.REVIEWER)):
        outsider = _signed_in(app, slug, role).get(f"/batches/{batch_id}")
        assert outsider.status_code == 404, (slug, role)
        assert "Ann Lee" not in outsider.get_data(as_text=True)
    admin = _signed_in(app, "lakeside", Role.ADMIN)
    client = admin.client
    page = client.get(f"/batches/{batch_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "<progress" in html and 'role="status"' in html and "Finished." in html
    assert 'http-equiv="refresh"' not in html
    assert "The e-mail address is not valid." in html and "<td>3</td>" in html
    assert "@lakeside.example.org" not in html and "not-an-address" not in html
    assert client.get("/batches/not-a-batch").status_code == 404


def test_the_progress_page_says_when_a_run_was_interrupted(app: Flask,
                                                           client: FlaskClient) -> None:
    import sqlalchemy as sa

    from issuer.models_batch import BatchRun
    from issuer.models_batch import BatchStatus
    from tests.issuer.conftest import NOW

    batch_id = client.post("/api/v1/issuers/lakeside/batches", json={"rows": ROWS[:2]},
                           headers=AUTH).get_json()["batch"]["id"]
    _finished(client, batch_id)
    with app.extensions["badges"]["db"].session() as session:  # as if killed mid-way
        session.execute(sa.update(BatchRun).where(BatchRun.id == batch_id).values(
            status=BatchStatus.RUNNING, issued=0, finished_at=None,
            updated_at=NOW - timedelta(hours=1)))
    html = _signed_in(app, "lakeside", Role.ADMIN).get(f"/batches/{batch_id}") \
        .get_data(as_text=True)
    assert "<strong>Interrupted.</strong>" in html and "Resume it" in html
    assert 'http-equiv="refresh"' not in html
    state = client.get(f"/api/v1/batches/{batch_id}", headers=AUTH).get_json()["batch"]
    assert state["status"] == "interrupted"
