"""Authored achievements in the review workflow (issue #17): versions and reviewer rules.

A submission is reviewed against the version it was submitted for, even when
the achievement is edited meanwhile; the achievement's reviewer rules (how
many reviewers approve, the mentor conflict rule) are enforced on decisions.
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Person
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.services import authoring
from issuer.services import definition
from issuer.workflow import accounts
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_reviews import APPROVE
from tests.issuer.workflow.test_reviews import _submitted


def _edit(app: Flask, achievement_id: str, change: Callable[[dict[str, Any]], None]
          ) -> tuple[str, bool]:
    """Edit an achievement through the authoring service, as an admin would."""
    with app.extensions["badges"]["db"].session() as session:
        found = session.get(Achievement, achievement_id)
        assert found is not None
        doc = definition.to_document(authoring.definition_of(found))
        change(doc)
        edited, new = authoring.update(session, found.organization, found.id, doc,
                                       actor="dana@lakeside.test", now=NOW)
        return edited.version, new


def _submission(app: Flask, sub: str) -> tuple[SubmissionStatus, int | None, str | None]:
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(Submission, sub)
        assert row is not None
        return row.status, row.achievement_version, row.credential_id


def test_a_submission_is_reviewed_and_awarded_against_its_version(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    blended = world.achievements["blended"]
    teacher = as_user("teacher")
    sub = _submitted(teacher, blended)
    assert _submission(app, sub)[:2] == (SubmissionStatus.SUBMITTED, 1)

    def reword(doc: dict[str, Any]) -> None:
        doc["criteria"] = "Version two: a unit plan and a peer observation."
        doc["rubric"]["criteria"][0]["levels"][2]["description"] = "Leads others' practice."

    assert _edit(app, blended, reword) == ("2", True)  # a submission depends on version 1
    reviewer = as_user("reviewer")
    page = reviewer.get(f"/review/{sub}").get_data(as_text=True)
    assert "Reviewed against version 1 of this micro-credential" in page
    assert "a newer version exists" in page and "Practice others can learn from." in page
    assert "Leads others" not in page
    assert "reviewed against version 1" in teacher.get(f"/submissions/{sub}").get_data(
        as_text=True)
    assert reviewer.post(f"/review/{sub}/decision", APPROVE).status_code == 303
    status, _, credential = _submission(app, sub)
    assert status == SubmissionStatus.APPROVED
    with app.extensions["badges"]["db"].session() as session:
        issued = session.get(IssuedCredential, credential)
        assert issued is not None and issued.achievement_version == 1
        embedded = json.loads(issued.document)["credentialSubject"]["achievement"]
    assert embedded["version"] == "1"
    assert embedded["criteria"]["narrative"] != "Version two: a unit plan and a peer observation."
    # a new submission (another teacher) is against version 2
    second = _submitted(as_user("teacher2"), blended)
    assert _submission(app, second)[1] == 2
    public = teacher.get(f"/achievements/{blended}?version=1").get_data(as_text=True)
    assert "You are reading version 1" in public and "History" in public


def test_two_reviewers_must_approve_when_the_achievement_says_so(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    blended = world.achievements["blended"]

    def two(doc: dict[str, Any]) -> None:
        doc["reviewers"] = {"required": 2, "mentorConflict": "district"}

    assert _edit(app, blended, two) == ("1", False)  # nothing depends on it yet
    sub = _submitted(as_user("teacher"), blended)
    reviewer, second = as_user("reviewer"), as_user("school_reviewer")
    first = reviewer.post(f"/review/{sub}/decision", APPROVE)
    assert first.status_code == 303
    queue = reviewer.get("/review").get_data(as_text=True)
    assert "1 more reviewer must approve" in queue
    assert f"/review/{sub}" not in queue  # waiting for another reviewer, not for them
    assert f"/review/{sub}" in second.get("/review").get_data(as_text=True)
    assert _submission(app, sub)[0] == SubmissionStatus.SUBMITTED
    assert "2 reviewers must approve; 1 so far" in second.get(f"/review/{sub}").get_data(
        as_text=True)
    again = reviewer.post(f"/review/{sub}/decision", APPROVE)
    assert again.status_code == 409 and "already approved" in again.get_data(as_text=True)
    assert second.post(f"/review/{sub}/decision", APPROVE).status_code == 303
    status, _, credential = _submission(app, sub)
    assert status == SubmissionStatus.APPROVED and credential is not None
    with app.extensions["badges"]["db"].session() as session:
        actions = list(session.scalars(sa.select(SubmissionEvent.action).where(
            SubmissionEvent.submission_id == sub).order_by(SubmissionEvent.id)))
    assert actions == ["created", "submitted", "approval_recorded", "approved"]


def test_the_achievements_mentor_rule_overrides_the_districts(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    blended = world.achievements["blended"]
    with app.extensions["badges"]["db"].session() as session:
        mentor = session.get(Person, world.people["mentor"])
        teacher = session.get(Person, world.people["teacher"])
        assert mentor is not None and teacher is not None
        accounts.set_mentoring(session, world.orgs["lakeside"], mentor=mentor, teacher=teacher,
                               on=True, actor="t", now=NOW)
        accounts.set_mentor_rule(session, world.orgs["lakeside"], on=False, actor="t", now=NOW)

    def block(doc: dict[str, Any]) -> None:
        doc["reviewers"] = {"required": 1, "mentorConflict": "block"}

    _edit(app, blended, block)
    sub = _submitted(as_user("teacher"), blended)
    mentor_browser = as_user("mentor")
    assert "You mentor this teacher" in mentor_browser.get(f"/review/{sub}").get_data(
        as_text=True)
    assert mentor_browser.post(f"/review/{sub}/decision", APPROVE).status_code == 403
    assert as_user("reviewer").post(f"/review/{sub}/decision", APPROVE).status_code == 303
