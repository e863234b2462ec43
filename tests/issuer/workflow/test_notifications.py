"""E-mail through a real SMTP server (aiosmtpd): received, decision, badge awarded, invitation."""

from __future__ import annotations

import io
from collections.abc import Callable
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.models_workflow import MailMessage
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.smtp import SmtpServer
from tests.issuer.workflow.smtp import free_port
from tests.issuer.workflow.test_flow import PDF
from tests.issuer.workflow.test_flow import start


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _client(app: Flask, who: str) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(PEOPLE[who][1])
    return browser


def _submit(app: Flask, world: World) -> tuple[Browser, str]:
    teacher = _client(app, "teacher")
    sub = start(teacher, world.achievements["blended"])
    teacher.post(f"/submissions/{sub}/items", {
        "kind": "file", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data")
    assert teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "D", "reflection-facilitation": "F",
        "action": "submit"}).status_code == 303
    return teacher, sub


def test_received_returned_and_awarded_mail(make_app: Callable[..., Flask],
                                            smtp: SmtpServer) -> None:
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="pd@lakeside.test")
    world = build_world(app)
    teacher, sub = _submit(app, world)
    inbox = smtp.inbox
    inbox.wait_for(4)
    maria = PEOPLE["teacher"][1]
    (received,) = inbox.to(maria)
    assert received["Subject"] == "We received your evidence for Blended Learning Design"
    assert received["From"] == "Badges <pd@lakeside.test>"
    assert f"https://badges.test/submissions/{sub}" in received.get_content()
    # every reviewer whose scope covers Lakeside High, and nobody else
    told = {m["To"] for m in inbox.messages if m["Subject"].startswith("New evidence")}
    assert told == {PEOPLE[p][1] for p in ("reviewer", "school_reviewer", "mentor")}
    assert f"https://badges.test/review/{sub}" in inbox.to(PEOPLE["reviewer"][1])[0].get_content()

    reviewer = _client(app, "reviewer")
    reviewer.post(f"/review/{sub}/decision", {"decision": "return",
                                              "feedback": "Add a recording."})
    inbox.wait_for(5)
    returned = inbox.to(maria)[-1]
    assert returned["Subject"] == "Returned for revision: Blended Learning Design"
    assert "Add a recording." in returned.get_content()

    assert teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "D2", "reflection-facilitation": "F2",
        "action": "submit"}).status_code == 303
    inbox.wait_for(9)
    reviewer.post(f"/review/{sub}/decision", {"decision": "approve", "score-design": "proficient",
                                              "score-facilitation": "proficient"})
    inbox.wait_for(10)
    awarded = inbox.to(maria)[-1]
    assert awarded["Subject"] == "Badge awarded: Blended Learning Design"
    assert "https://badges.test/wallet" in awarded.get_content()
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(MailMessage).where(
            MailMessage.sent_at.is_(None))) == 0


def test_invitation_mail_and_acceptance(make_app: Callable[..., Flask],
                                        smtp: SmtpServer) -> None:
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp.port)
    world = build_world(app)
    admin = _client(app, "admin")
    response = admin.post("/district/invitations", {
        "organization_id": world.orgs["maple"], "email": "New.Teacher@Lakeside.test",
        "role": ["earner", "reviewer"]})
    assert response.status_code == 303
    smtp.inbox.wait_for(1)
    (message,) = smtp.inbox.to("new.teacher@lakeside.test")
    body = message.get_content()
    link = next(line for line in body.splitlines() if "/invite/" in line).strip()
    path = link.removeprefix("https://badges.test")
    guest = Browser(app.test_client())
    page = guest.get(path)
    assert page.status_code == 200 and "Maple Elementary" in page.get_data(as_text=True)
    weak = guest.post(path, {"name": "Nia Green", "password": "short"})
    assert weak.status_code == 400 and "at least 10" in weak.get_data(as_text=True)
    accepted = guest.post(path, {"name": "Nia Green", "password": "a long pass phrase"})
    assert accepted.status_code == 303
    start_page = guest.get("/start").get_data(as_text=True)
    assert "Hello, Nia Green" in start_page and "Review" in start_page
    assert guest.get(path).status_code == 404  # used once
    again = Browser(app.test_client())
    assert again.sign_in("new.teacher@lakeside.test", "a long pass phrase").status_code == 303


def test_decisions_stand_when_the_mail_relay_is_down(make_app: Callable[..., Flask]) -> None:
    app = make_app(smtp_host="127.0.0.1", smtp_port=free_port())
    world = build_world(app)
    _, sub = _submit(app, world)
    reviewer = _client(app, "reviewer")
    assert reviewer.post(f"/review/{sub}/decision", {
        "decision": "return", "feedback": "More please."}).status_code == 303
    with app.extensions["badges"]["db"].session() as session:
        waiting = session.scalars(sa.select(MailMessage).where(
            MailMessage.sent_at.is_(None))).all()
        assert len(waiting) == 5
        assert all(m.last_error and "unavailable" in m.last_error for m in waiting)
