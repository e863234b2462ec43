"""Renewal by resubmitting evidence (issue #6), over HTTP: wallet, evidence, review, new badge."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Person
from issuer.models_workflow import MailMessage
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import issuance
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from issuer.workflow import renewals
from issuer.workflow.access import load_viewer
from tests.issuer import seed
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_flow import fill

REFLECTIONS = {"reflection-design": "A new unit for this year.",
               "reflection-facilitation": "I co-taught it with a colleague."}


def award_expiring(app: Flask, world: World, who: str = "teacher", *, days_left: float = 15,
                   validity: int = 365) -> str:
    """Award Blended Learning Design (valid ``validity`` days) so it expires in ``days_left``."""
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    issued_at = seed.now_of(app) - timedelta(days=validity - days_left)
    with app.extensions["badges"]["db"].session() as session:
        achievement = session.get(Achievement, world.achievements["blended"])
        assert achievement is not None
        achievement.validity_days = validity
        issued = issuance.award(session, ctx, issuer="lakeside", achievement=achievement.id,
                                email=PEOPLE[who][1], name=PEOPLE[who][0], actor="test",
                                now=issued_at)
        return issued.id


def start_renewal(teacher: Browser, credential: str) -> str:
    response = teacher.post(f"/wallet/{credential}/renew")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "/submissions/" in response.headers["Location"]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_renew_submit_approve_issues_a_credential_that_refers_to_the_prior(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    prior_id = award_expiring(app, world)
    teacher, reviewer = as_user("teacher"), as_user("reviewer")
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "Expires in 15 days" in wallet
    assert f'action="/wallet/{prior_id}/renew"' in wallet

    page = teacher.get(f"/wallet/{prior_id}/renew").get_data(as_text=True)
    assert "Start the renewal" in page
    sub = start_renewal(teacher, prior_id)
    assert "Renewal of your badge" in teacher.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "Renewal in progress" in teacher.get("/wallet").get_data(as_text=True)
    fill(teacher, sub)
    submitted = teacher.post(f"/submissions/{sub}/reflections", {**REFLECTIONS,
                                                                 "action": "submit"})
    assert submitted.status_code == 303

    database = app.extensions["badges"]["db"]
    with database.session() as session:
        prior = session.get(IssuedCredential, prior_id)
        assert prior is not None
        prior_ref = prior.credential_id
    queue = reviewer.get("/review").get_data(as_text=True)
    assert "Renewal" in queue
    review = reviewer.get(f"/review/{sub}").get_data(as_text=True)
    assert "is renewing the badge" in review and prior_ref in review
    approved = reviewer.post(f"/review/{sub}/decision", {
        "decision": "approve", "score-design": "proficient", "score-facilitation": "proficient"})
    assert approved.status_code == 303, approved.get_data(as_text=True)

    with database.session() as session:
        row = session.get(Submission, sub)
        assert row is not None and row.status == SubmissionStatus.APPROVED
        assert row.renews_credential_id == prior_id
        issued = session.get(IssuedCredential, row.credential_id)
        assert issued is not None and issued.renews_id == prior_id
        assert issued.person_id == world.people["teacher"]
        assert issued.valid_until is not None
        assert issued.valid_until > seed.now_of(app) + timedelta(days=360)
    evidence = json.loads(issued.document)["evidence"]
    assert evidence[0]["name"] == "Previous credential"
    assert prior_ref in evidence[0]["narrative"]
    with database.session() as session:
        told = session.scalars(sa.select(MailMessage).where(
            MailMessage.kind == "badge_awarded").order_by(MailMessage.id)).all()
    assert [m.subject for m in told] == ["Badge renewed: Blended Learning Design"]
    assert told[0].body.startswith(f"Hello {PEOPLE['teacher'][0]},\n\nYour evidence for "
                                   "renewing \"Blended Learning Design\" was approved and the "
                                   "renewed badge has been awarded.")
    assert [e["name"] for e in evidence[1:]] == ["Unit plan", "Lesson recording"]

    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "A newer badge in your wallet renews this one" in wallet
    assert f'action="/wallet/{prior_id}/renew"' not in wallet
    again = teacher.post(f"/wallet/{prior_id}/renew")
    assert again.status_code == 409
    assert "already been renewed" in again.get_data(as_text=True)


def test_only_the_recipient_can_renew(app: Flask, world: World,
                                      as_user: Callable[[str], Browser]) -> None:
    prior_id = award_expiring(app, world)
    for who in ("teacher2", "reviewer", "admin", "other_teacher"):
        other = as_user(who)
        assert other.get(f"/wallet/{prior_id}/renew").status_code == 404
        assert other.post(f"/wallet/{prior_id}/renew").status_code == 404
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_a_revoked_credential_cannot_be_renewed(app: Flask, world: World,
                                                as_user: Callable[[str], Browser]) -> None:
    prior_id = award_expiring(app, world)
    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, prior_id, reason="Issued in error", public=False, actor="test",
                      now=seed.now_of(app))
    teacher = as_user("teacher")
    assert f'action="/wallet/{prior_id}/renew"' not in teacher.get("/wallet").get_data(
        as_text=True)
    page = teacher.get(f"/wallet/{prior_id}/renew").get_data(as_text=True)
    assert "A revoked credential cannot be renewed" in page
    refused = teacher.post(f"/wallet/{prior_id}/renew")
    assert refused.status_code == 409
    assert "A revoked credential cannot be renewed" in refused.get_data(as_text=True)


def test_revoked_while_under_review_cannot_be_approved(app: Flask, world: World,
                                                       as_user: Callable[[str], Browser]) -> None:
    prior_id = award_expiring(app, world)
    teacher, reviewer = as_user("teacher"), as_user("reviewer")
    sub = start_renewal(teacher, prior_id)
    fill(teacher, sub)
    teacher.post(f"/submissions/{sub}/reflections", {**REFLECTIONS, "action": "submit"})
    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, prior_id, reason=None, public=False, actor="test",
                      now=seed.now_of(app))
    assert "Revoked since" in reviewer.get(f"/review/{sub}").get_data(as_text=True)
    refused = reviewer.post(f"/review/{sub}/decision", {
        "decision": "approve", "score-design": "proficient", "score-facilitation": "proficient"})
    assert refused.status_code == 409
    assert "revoked credential cannot be renewed" in refused.get_data(as_text=True)
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 1


def test_a_second_renewal_is_refused(app: Flask, world: World,
                                     as_user: Callable[[str], Browser]) -> None:
    prior_id = award_expiring(app, world)
    teacher = as_user("teacher")
    sub = start_renewal(teacher, prior_id)
    again = teacher.post(f"/wallet/{prior_id}/renew")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/submissions/{sub}")
    assert "already in progress" in teacher.get(again.headers["Location"]).get_data(
        as_text=True)
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_the_database_refuses_two_renewals_started_at_once(
        app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests that both passed the check: the unique index lets only one through."""
    prior_id = award_expiring(app, world)
    now = seed.now_of(app)
    database = app.extensions["badges"]["db"]
    with database.session() as session:
        viewer = load_viewer(session, session.get(Person, world.people["teacher"]))
        renewals.start(session, viewer, prior_id, organization_id=None, now=now)
    monkeypatch.setattr(renewals, "_open_renewals", lambda _s, _ids: {})
    with database.session() as session:
        viewer = load_viewer(session, session.get(Person, world.people["teacher"]))
        with pytest.raises(ServiceError) as refused:
            renewals.start(session, viewer, prior_id, organization_id=None, now=now)
    assert refused.value.code == "renewal_in_progress"
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_renewal_window_and_declined_renewals(app: Flask, world: World,
                                              as_user: Callable[[str], Browser]) -> None:
    early = award_expiring(app, world, days_left=90)
    teacher, reviewer = as_user("teacher"), as_user("reviewer")
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert f'action="/wallet/{early}/renew"' not in wallet and "You can renew this badge from" \
        in wallet
    too_early = teacher.post(f"/wallet/{early}/renew")
    assert too_early.status_code == 409 and "can be renewed from" in too_early.get_data(
        as_text=True)

    expired = award_expiring(app, world, days_left=-200)
    sub = start_renewal(teacher, expired)
    fill(teacher, sub)
    teacher.post(f"/submissions/{sub}/reflections", {**REFLECTIONS, "action": "submit"})
    assert reviewer.post(f"/review/{sub}/decision", {
        "decision": "decline", "feedback": "Not this time."}).status_code == 303
    # a declined renewal does not block another one
    second = start_renewal(teacher, expired)
    assert second != sub

