"""Roles × routes: every forbidden combination answers 403 or 404, across districts too.

One world per engine (two districts, schools, people in every role, submissions,
evidence files, credentials in both districts and a school, a renewable badge,
and finished award runs with their certificates); each cell of the matrix is a
request by one person to one route, and every mismatch is reported at once.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from issuer.batch import intake
from issuer.batch import service as batches
from issuer.certificates import runfiles
from issuer.models import IssuedCredential
from issuer.models_batch import BatchStatus
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import issuance
from issuer.services import organizations
from issuer.services.issuance import IssuerContext
from issuer.storage import storage_for
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_credential_admin import _maple_award
from tests.issuer.workflow.test_flow import PDF
from tests.issuer.workflow.test_renewals import award_expiring

LAKESIDE_REVIEW = {"reviewer", "school_reviewer", "mentor", "admin"}
ADMINS = {"admin", "school_admin", "other_admin"}
REVIEW_ROLES = {"reviewer", "school_reviewer", "mentor", "admin", "school_admin",
                "other_admin", "other_reviewer"}
EVERYONE = set(PEOPLE)


@dataclass
class Objects:
    s1: str
    f1: int
    s2: str
    s3: str
    f3: int
    c1: str
    c3: str
    c1_ref: str  # the credentials' urn:uuid ids, as admins paste them for bulk revocation
    c3_ref: str
    maple: str  # issued by a school (Maple) to teacher2
    maple_ref: str
    renewable: str  # the teacher's, expiring in 15 days
    b1: str  # a finished award run of Lakeside, its certificates done
    b2: str  # the same for Maple


def _submission(browser: Browser, achievement: str, *, submit: bool) -> tuple[str, int]:
    response = browser.post("/submissions", {"achievement_id": achievement})
    assert response.status_code == 303, response.get_data(as_text=True)
    sub = response.headers["Location"].rsplit("/", 1)[1]
    assert browser.post(f"/submissions/{sub}/items", {
        "kind": "file", "title": "Plan", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data").status_code == 303
    if submit:
        assert browser.post(f"/submissions/{sub}/reflections", {
            "reflection-design": "Design.", "reflection-facilitation": "Facilitation.",
            "action": "submit"}).status_code == 303
    page = browser.get(f"/submissions/{sub}").get_data(as_text=True)
    item = int(page.split(f"/submissions/{sub}/items/")[1].split("/")[0])
    return sub, item


def _objects(app: Flask, world: World, as_user: Callable[[str], Browser]) -> Objects:
    s1, f1 = _submission(as_user("teacher"), world.achievements["blended"], submit=True)
    s2, _ = _submission(as_user("teacher2"), world.achievements["blended"], submit=False)
    s3, f3 = _submission(as_user("other_teacher"), world.achievements["other_blended"],
                         submit=True)
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        c1 = issuance.award(session, ctx, issuer="lakeside",
                            achievement="data-informed-instruction",
                            email=PEOPLE["teacher"][1], name="María López", actor="t", now=NOW)
        c3 = issuance.award(session, ctx, issuer="elsewhere",
                            achievement="data-informed-instruction",
                            email=PEOPLE["other_teacher"][1], name="Lee Park", actor="t", now=NOW)
        refs = (c1.credential_id, c3.credential_id)
    maple = _maple_award(app)
    return Objects(s1=s1, f1=f1, s2=s2, s3=s3, f3=f3, c1=c1.id, c3=c3.id, c1_ref=refs[0],
                   c3_ref=refs[1], maple=maple.id, maple_ref=maple.credential_id,
                   renewable=award_expiring(app, world),
                   b1=_certificates_done(app, "lakeside", "blended-learning-design"),
                   b2=_certificates_done(app, "maple", "reading-coach"))


def _certificates_done(app: Flask, issuer: str, achievement: str) -> str:
    """A completed award run of ``issuer`` whose certificates are done (an empty ZIP)."""
    with app.extensions["badges"]["db"].session() as session:
        batch = batches.create(session, organizations.get(session, issuer), intake.from_json(
            [{"email": "ann@example.org", "name": "Ann Lee", "achievement": achievement}]),
            actor="test", now=NOW, backend="inprocess")
        batch.status, batch.finished_at = BatchStatus.COMPLETED, NOW
        batch_id = batch.id
    run = runfiles.folder(storage_for(app.extensions["badges"]["settings"]), batch_id)
    manifest = runfiles.Manifest(id=str(uuid.uuid4()), batch_id=batch_id, state="done",
                                 paper="letter", template="default", created_at=NOW,
                                 finished_at=NOW, items=[])
    with runfiles.locked(run):
        runfiles.write(run, manifest)
    runfiles.write_zip(run, manifest)
    return batch_id


def _routes(o: Objects, w: World) -> list[tuple[str, str, dict[str, Any] | None,
                                                 dict[str, int], int]]:
    """(method, path, form, {who: expected status}, status for everyone else).

    Someone signed out is sent to sign in (GET) or gets 401 (POST), unless the
    route says otherwise with an ``"anonymous"`` entry.
    """
    lk_blended, el_blended = w.achievements["blended"], w.achievements["other_blended"]
    lakeside = {p for p in EVERYONE if not p.startswith("other_")}
    elsewhere = EVERYONE - lakeside
    ok_all = {p: 200 for p in EVERYONE}
    only_lakeside = {"admin": 200, "school_admin": 404, "other_admin": 404}
    only_elsewhere = {"other_admin": 200, "admin": 404, "school_admin": 404}
    lakeside_and_maple = {"admin": 200, "school_admin": 200, "other_admin": 404}
    no_change = {"reason": "Matrix check"}  # no confirmation: refused, nothing revoked
    revoke_all = {"reason": "Matrix check", "confirm": "yes"}

    def admins(answers: dict[str, int], status: int) -> dict[str, int]:
        """``answers`` with every 200 replaced by ``status`` (the same admins may act)."""
        return {who: status if got == 200 else got for who, got in answers.items()}

    def credential_actions(credential: str, allowed: dict[str, int]) -> list[
            tuple[str, str, dict[str, Any] | None, dict[str, int], int]]:
        # suspend then unsuspend: allowed admins leave the credential as it was
        return [("POST", f"/district/credentials/{credential}/{action}", form,
                 admins(allowed, 303), 403)
                for action, form in (("revoke", no_change), ("suspend", {"note": "Matrix"}),
                                     ("unsuspend", None))]
    return [
        ("GET", "/start", None, ok_all, 200),
        ("GET", "/catalogue", None, ok_all, 200),
        ("GET", f"/catalogue/{lk_blended}", None, {p: 200 for p in lakeside}, 404),
        ("GET", f"/catalogue/{el_blended}", None, {p: 200 for p in elsewhere}, 404),
        ("GET", "/catalogue/no-such-achievement", None, {}, 404),
        ("GET", "/submissions", None, ok_all, 200),
        ("GET", f"/submissions/{o.s1}", None, {"teacher": 200}, 404),
        ("GET", f"/submissions/{o.s3}", None, {"other_teacher": 200}, 404),
        ("GET", f"/submissions/{o.s1}/items/{o.f1}/file", None,
         {p: 200 for p in {"teacher", *LAKESIDE_REVIEW}}, 404),
        ("GET", f"/submissions/{o.s3}/items/{o.f3}/file", None,
         {p: 200 for p in {"other_teacher", "other_reviewer", "other_admin"}}, 404),
        ("GET", f"/submissions/{o.s1}/items/{o.f3}/file", None, {}, 404),
        ("GET", "/review", None, {p: 200 for p in REVIEW_ROLES}, 403),
        ("GET", f"/review/{o.s1}", None,
         {**{p: 200 for p in LAKESIDE_REVIEW}, "school_admin": 404, "other_admin": 404,
          "other_reviewer": 404}, 403),
        ("GET", f"/review/{o.s3}", None,
         {"other_reviewer": 200, "other_admin": 200, "reviewer": 404, "school_reviewer": 404,
          "mentor": 404, "admin": 404, "school_admin": 404}, 403),
        ("GET", "/wallet", None, ok_all, 200),
        ("GET", f"/wallet/{o.c1}.json", None, {"teacher": 200}, 404),
        ("GET", f"/wallet/{o.c1}.png", None, {"teacher": 200}, 404),
        ("GET", f"/wallet/{o.c3}.png", None, {"other_teacher": 200}, 404),
        ("GET", "/district", None, {p: 200 for p in ADMINS}, 403),
        ("GET", "/district?org=lakeside", None,
         {"admin": 200, "school_admin": 404, "other_admin": 404}, 403),
        ("GET", "/district?org=elsewhere", None,
         {"other_admin": 200, "admin": 404, "school_admin": 404}, 403),
        ("GET", "/district/export.csv", None, {p: 200 for p in ADMINS}, 403),
        ("GET", "/district/export.csv?org=elsewhere", None,
         {"other_admin": 200, "admin": 404, "school_admin": 404}, 403),
        ("GET", "/district/people", None, {p: 200 for p in ADMINS}, 403),
        ("POST", "/submissions", {"achievement_id": el_blended},
         {"other_teacher": 303, "teacher": 404, "teacher2": 404, "mentor": 404}, 403),
        ("POST", "/submissions", {"achievement_id": lk_blended},
         {"teacher": 303, "teacher2": 303, "mentor": 303, "other_teacher": 404}, 403),
        ("POST", f"/submissions/{o.s2}/items", {"kind": "link", "title": "x",
                                                "url": "https://example.org/x"},
         {"teacher2": 303}, 404),
        ("POST", f"/submissions/{o.s2}/items/999999/remove", None, {"teacher2": 404}, 404),
        ("POST", f"/submissions/{o.s2}/reflections", {"action": "save"}, {"teacher2": 303}, 404),
        ("POST", f"/review/{o.s1}/decision", {"decision": "return", "feedback": "No."},
         {"school_admin": 404, "other_admin": 404, "other_reviewer": 404,
          "reviewer": -1, "school_reviewer": -1, "mentor": -1}, 403),
        ("POST", f"/review/{o.s3}/decision", {"decision": "return", "feedback": "No."},
         {"reviewer": 404, "school_reviewer": 404, "mentor": 404, "admin": 404,
          "school_admin": 404, "other_admin": 403, "other_reviewer": -1}, 403),
        ("POST", f"/wallet/{o.c1}/share", {"share": "off"}, {"teacher": 303}, 404),
        ("POST", f"/wallet/{o.c3}/share", {"share": "off"}, {"other_teacher": 303}, 404),
        ("POST", "/district/invitations", {"organization_id": w.orgs["elsewhere-high"],
                                           "email": "x@example.org", "role": "earner"},
         {"other_admin": 303, "admin": 404, "school_admin": 404}, 403),
        ("POST", "/district/invitations", {"organization_id": w.orgs["lakeside-high"],
                                           "email": "y@example.org", "role": "admin"},
         {"admin": 303, "school_admin": 404, "other_admin": 404}, 403),
        ("POST", "/district/policy", {"org": "elsewhere", "mentor_conflict": "on"},
         {"other_admin": 303, "admin": 404, "school_admin": 404}, 403),
        ("POST", "/district/policy", {"org": "maple", "mentor_conflict": "on"},
         {"school_admin": 404, "admin": 404, "other_admin": 404}, 403),
        ("POST", "/district/mentoring", {"org": "lakeside", "mentor_id": w.people["other_reviewer"],
                                         "teacher_id": w.people["teacher"]},
         {"admin": 404, "school_admin": 404, "other_admin": 404}, 403),
        # district admins' credential pages: admins of the issuer or of its district only
        ("GET", "/district/credentials", None, {p: 200 for p in ADMINS}, 403),
        ("GET", "/district/credentials?org=lakeside", None, only_lakeside, 403),
        ("GET", "/district/credentials?org=elsewhere", None, only_elsewhere, 403),
        ("GET", f"/district/credentials/{o.c1}", None, only_lakeside, 403),
        ("GET", f"/district/credentials/{o.c3}", None, only_elsewhere, 403),
        ("GET", f"/district/credentials/{o.maple}", None, lakeside_and_maple, 403),
        ("GET", f"/district/credentials/{o.c3_ref}", None, only_elsewhere, 403),
        ("GET", f"/district/credentials/{uuid.uuid4()}", None,
         {p: 404 for p in ADMINS}, 403),
        *credential_actions(o.c1, only_lakeside),
        *credential_actions(o.c3, only_elsewhere),
        *credential_actions(o.maple, lakeside_and_maple),
        ("POST", f"/district/credentials/{o.c1}/delete", None, {p: 404 for p in ADMINS}, 403),
        ("GET", "/district/credentials/bulk", None, {p: 200 for p in ADMINS}, 403),
        ("GET", "/district/credentials/bulk?org=elsewhere", None, only_elsewhere, 403),
        # bulk revocation of another organization's credentials revokes nothing
        ("POST", "/district/credentials/bulk", {"org": "lakeside",
                                                "ids": f"{o.c3_ref}\n{o.c3}", **revoke_all},
         only_lakeside, 403),
        ("POST", "/district/credentials/bulk", {"org": "elsewhere",
                                                "ids": f"{o.c1_ref}\n{o.maple_ref}",
                                                **revoke_all},
         only_elsewhere, 403),
        ("POST", "/district/credentials/bulk", {"org": "maple", "ids": o.c1_ref, **revoke_all},
         {"school_admin": 200, "admin": 404, "other_admin": 404}, 403),
        # renewal: only the credential's own recipient
        ("GET", f"/wallet/{o.renewable}/renew", None, {"teacher": 200}, 404),
        ("GET", f"/wallet/{o.c1}/renew", None, {"teacher": 200}, 404),
        ("GET", f"/wallet/{o.c3}/renew", None, {"other_teacher": 200}, 404),
        ("GET", f"/wallet/{o.maple}/renew", None, {"teacher2": 200}, 404),
        ("GET", f"/wallet/{uuid.uuid4()}/renew", None, {}, 404),
        ("POST", f"/wallet/{o.renewable}/renew", None, {"teacher": 303}, 404),
        # an award run's progress page and its certificates: admins of its issuer only
        ("GET", f"/batches/{o.b1}", None, {"admin": 200, "anonymous": 302}, 404),
        ("GET", f"/batches/{o.b2}", None,
         {"admin": 200, "school_admin": 200, "anonymous": 302}, 404),
        ("GET", f"/batches/{uuid.uuid4()}", None, {"anonymous": 302}, 404),
        ("GET", f"/batches/{o.b1}/certificates.zip", None,
         {"admin": 200, "anonymous": 404}, 404),
        ("GET", f"/batches/{o.b2}/certificates.zip", None,
         {"admin": 200, "school_admin": 200, "anonymous": 404}, 404),
        ("GET", f"/batches/{uuid.uuid4()}/certificates.zip", None, {"anonymous": 404}, 404),
        ("POST", f"/batches/{o.b1}/certificates", None, {"admin": 303, "anonymous": 404}, 404),
        ("POST", f"/batches/{o.b2}/certificates", None,
         {"admin": 303, "school_admin": 303, "anonymous": 404}, 404),
        ("POST", f"/batches/{o.b1}/certificates", {"force": "1"},
         {"admin": -1, "anonymous": 404}, 404),
    ]


def test_roles_by_routes(app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    objects = _objects(app, world, as_user)
    browsers = {who: as_user(who) for who in PEOPLE}
    anonymous = as_user("anonymous")
    mismatches = []
    checked = 0
    for method, path, form, expected, default in _routes(objects, world):
        for who, browser in browsers.items():
            want = expected.get(who, default)
            if want == -1:  # allowed and state-changing: checked in the flow tests
                continue
            with _request(browser, method, path, form) as response:
                got = response.status_code
            checked += 1
            if got != want:
                mismatches.append(f"{who} {method} {path}: {got}, expected {want}")
            if want >= 400:
                assert got in (403, 404), f"{who} {method} {path} answered {got}"
        with _request(anonymous, method, path, form) as response:
            status = response.status_code
            if "anonymous" in expected:
                if status != expected["anonymous"]:
                    mismatches.append(f"anonymous {method} {path}: {status}, "
                                      f"expected {expected['anonymous']}")
            elif method == "GET":
                if status != 302 or "/sign-in" not in response.headers["Location"]:
                    mismatches.append(f"anonymous GET {path}: {status}")
            elif status != 401:
                mismatches.append(f"anonymous POST {path}: {status}")
    assert mismatches == []
    assert checked > 700
    _nothing_changed(app, world, objects)


def _request(browser: Browser, method: str, path: str,
             form: dict[str, Any] | None) -> TestResponse:
    return browser.get(path) if method == "GET" else browser.post(path, form)


def _nothing_changed(app: Flask, world: World, objects: Objects) -> None:
    """What the matrix sent changed nothing it must not have changed."""
    with app.extensions["badges"]["db"].session() as session:
        for sub in (objects.s1, objects.s3):
            row = session.get(Submission, sub)
            assert row is not None and row.status == SubmissionStatus.SUBMITTED
            assert row.reviews == []
        for credential in (objects.c1, objects.c3, objects.maple, objects.renewable):
            issued = session.get(IssuedCredential, credential)
            assert issued is not None
            assert (issued.revoked_at, issued.suspended_at) == (None, None), credential
        renewals = session.execute(sa.select(Submission.person_id, Submission.renews_credential_id)
                                   .where(Submission.renews_credential_id.is_not(None))).all()
        assert [tuple(r) for r in renewals] == [(world.people["teacher"], objects.renewable)]
    for batch_id in (objects.b1, objects.b2):
        run = runfiles.folder(storage_for(app.extensions["badges"]["settings"]), batch_id)
        manifest = runfiles.read(run)
        assert manifest is not None and manifest.state == "done"
        assert manifest.job_id is None  # nobody started a new rendering


@pytest.mark.parametrize("who", ["admin", "other_admin"])
def test_csv_export_holds_only_the_admins_district(app: Flask, world: World,
                                                   as_user: Callable[[str], Browser],
                                                   who: str) -> None:
    _objects(app, world, as_user)
    text = as_user(who).get("/district/export.csv").get_data(as_text=True)
    mine, theirs = ("María López", "Lee Park") if who == "admin" else ("Lee Park", "María López")
    assert mine in text and theirs not in text
