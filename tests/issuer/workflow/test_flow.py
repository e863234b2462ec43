"""The whole loop over HTTP (Flask client): submit, return, resubmit, approve, wallet."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from badges import baking
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def start(teacher: Browser, achievement_id: str) -> str:
    response = teacher.post("/submissions", {"achievement_id": achievement_id})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def fill(teacher: Browser, sub: str, *, share_link: bool = True) -> None:
    path = f"/submissions/{sub}"
    assert teacher.post(f"{path}/items", {
        "kind": "file", "title": "Unit plan", "file": (io.BytesIO(PDF), "unit-plan.pdf"),
        "share": "on"}, content_type="multipart/form-data").status_code == 303
    assert teacher.post(f"{path}/items", {
        "kind": "link", "title": "Lesson recording", "url": "https://video.example.org/l1",
        "share": "on" if share_link else ""}).status_code == 303
    assert teacher.post(f"{path}/items", {
        "kind": "reflection", "title": "Student work samples", "text": "Samples with names.",
        "contains_student_data": "on"}).status_code == 303
    assert teacher.post(f"{path}/reflections", {
        "reflection-design": "The unit alternates stations and online practice.",
        "reflection-facilitation": "I moved between groups.", "action": "save"}
    ).status_code == 303


def test_submit_return_resubmit_approve(app: Flask, world: World,
                                        as_user: Callable[[str], Browser]) -> None:
    teacher, reviewer = as_user("teacher"), as_user("reviewer")
    sub = start(teacher, world.achievements["blended"])
    fill(teacher, sub)
    submitted = teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "The unit alternates stations and online practice.",
        "reflection-facilitation": "I moved between groups.", "action": "submit"})
    assert submitted.status_code == 303
    page = teacher.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "Waiting for review" in page and "Upload file" not in page

    queue = reviewer.get("/review").get_data(as_text=True)
    assert "María López" in queue
    review = reviewer.get(f"/review/{sub}").get_data(as_text=True)
    assert "Unit design" in review and "Contains student data" in review
    assert "unit-plan.pdf" in review
    link = re.search(r'href="(/submissions/[^"]+/items/\d+/file)">Download unit-plan.pdf<',
                     review)
    assert link is not None, "the review page links the evidence file"
    download = reviewer.get(link.group(1))
    assert download.status_code == 200
    assert download.get_data() == PDF  # exactly what the teacher uploaded
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="unit-plan.pdf"')
    assert download.headers["Cache-Control"] == "private, no-store"

    # returning needs feedback
    missing = reviewer.post(f"/review/{sub}/decision", {"decision": "return"})
    assert missing.status_code == 400 and "feedback" in missing.get_data(as_text=True)
    returned = reviewer.post(f"/review/{sub}/decision", {
        "decision": "return", "score-design": "developing",
        "feedback": "Add a second recording, please."})
    assert returned.status_code == 303
    page = teacher.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "Add a second recording, please." in page and "Resubmit for review" in page
    assert teacher.post(f"/submissions/{sub}/items", {
        "kind": "link", "title": "Second recording",
        "url": "https://video.example.org/l2"}).status_code == 303
    assert teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "The unit alternates stations and online practice.",
        "reflection-facilitation": "I moved between groups; see the second recording.",
        "action": "submit"}).status_code == 303

    # approving needs every criterion scored
    partial = reviewer.post(f"/review/{sub}/decision", {
        "decision": "approve", "score-design": "proficient"})
    assert partial.status_code == 400 and "Facilitation" in partial.get_data(as_text=True)
    approved = reviewer.post(f"/review/{sub}/decision", {
        "decision": "approve", "score-design": "proficient",
        "score-facilitation": "exemplary", "feedback": "Strong unit."})
    assert approved.status_code == 303, approved.get_data(as_text=True)

    database = app.extensions["badges"]["db"]
    with database.session() as session:
        row = session.get(Submission, sub)
        assert row is not None and row.status == SubmissionStatus.APPROVED
        assert [r.decision.value for r in row.reviews] == ["return", "approve"]
        assert [e.action for e in session.scalars(sa.select(SubmissionEvent).where(
            SubmissionEvent.submission_id == sub).order_by(SubmissionEvent.id))] == [
            "created", "submitted", "returned", "resubmitted", "approved"]
        issued = session.get(IssuedCredential, row.credential_id)
        assert issued is not None and issued.person_id == world.people["teacher"]
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "submission.approve")) == 1
    credential = json.loads(issued.document)
    subject = credential["credentialSubject"]
    assert subject["source"]["name"] == "Marcus Chen"
    assert subject["source"]["id"].startswith("urn:uuid:")
    base = subject["achievement"]["id"]
    assert {(r["resultDescription"], r["achievedLevel"]) for r in subject["result"]} == {
        (f"{base}/rubric/design", f"{base}/rubric/design/levels/proficient"),
        (f"{base}/rubric/facilitation", f"{base}/rubric/facilitation/levels/exemplary")}
    names = [e.get("name") for e in credential["evidence"]]
    assert names == ["Unit plan", "Lesson recording"]
    assert credential["evidence"][1]["id"] == "https://video.example.org/l1"
    assert "Samples with names" not in issued.document
    assert "Second recording" not in names  # not marked to share
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    report = seed.verify(issued.document, database, ctx, NOW + timedelta(days=1))
    assert report.verified, report.to_json()

    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "Blended Learning Design" in wallet and "linkedin.com/profile/add" in wallet
    png = teacher.get(f"/wallet/{issued.id}.png")
    assert png.status_code == 200 and baking.unbake(png.data) == issued.document
    assert "attachment" in png.headers["Content-Disposition"]
    pdf = teacher.get(f"/wallet/{issued.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert "Certificate (PDF)" in wallet
