"""Conflict-of-interest rules, the queue's order and filters, and the dashboard."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from issuer.models import IssuedCredential
from issuer.models import Person
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.workflow import accounts
from issuer.workflow import dashboard
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_flow import PDF
from tests.issuer.workflow.test_flow import start


def _submitted(teacher: Browser, achievement: str) -> str:
    sub = start(teacher, achievement)
    teacher.post(f"/submissions/{sub}/items", {"kind": "file",
                                                "file": (io.BytesIO(PDF), "plan.pdf")},
                 content_type="multipart/form-data")
    form = {"action": "submit", "reflection-design": "D", "reflection-facilitation": "F"}
    assert teacher.post(f"/submissions/{sub}/reflections", form).status_code == 303
    return sub


def _mentor_rule(app: Flask, world: World, on: bool) -> None:
    with app.extensions["badges"]["db"].session() as session:
        mentor = session.get(Person, world.people["mentor"])
        teacher = session.get(Person, world.people["teacher"])
        assert mentor is not None and teacher is not None
        accounts.set_mentoring(session, world.orgs["lakeside"], mentor=mentor, teacher=teacher,
                               on=True, actor="t", now=NOW)
        accounts.set_mentor_rule(session, world.orgs["lakeside"], on=on, actor="t", now=NOW)


RETURN = {"decision": "return", "feedback": "Please revise."}
APPROVE = {"decision": "approve", "score-design": "proficient",
           "score-facilitation": "proficient", "feedback": "Fine."}


def _refused(app: Flask, browser: Browser, sub: str) -> None:
    """Neither decision is allowed, and the submission stays waiting, with no review on it."""
    for form in (RETURN, APPROVE):
        assert browser.post(f"/review/{sub}/decision", form).status_code == 403
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(Submission, sub)
        assert row is not None
        assert row.status == SubmissionStatus.SUBMITTED
        assert row.decided_at is None and row.credential_id is None and not row.reviews
        assert [e.action for e in session.scalars(sa.select(SubmissionEvent).where(
            SubmissionEvent.submission_id == sub).order_by(SubmissionEvent.id))] == [
            "created", "submitted"]


def test_nobody_reviews_their_own_submission(app: Flask, world: World,
                                             as_user: Callable[[str], Browser]) -> None:
    mentor = as_user("mentor")  # a district reviewer who also teaches at Maple
    sub = _submitted(mentor, world.achievements["blended"])
    page = mentor.get(f"/review/{sub}").get_data(as_text=True)
    assert "cannot review your own submission" in page and "Approve and award" not in page
    _refused(app, mentor, sub)
    assert as_user("reviewer").post(f"/review/{sub}/decision", RETURN).status_code == 303


def test_mentors_cannot_decide_for_mentees_when_the_district_says_so(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    teacher, mentor = as_user("teacher"), as_user("mentor")
    _mentor_rule(app, world, on=True)
    sub = _submitted(teacher, world.achievements["blended"])
    page = mentor.get(f"/review/{sub}").get_data(as_text=True)
    assert "You mentor this teacher" in page
    _refused(app, mentor, sub)
    _mentor_rule(app, world, on=False)
    assert mentor.post(f"/review/{sub}/decision", RETURN).status_code == 303


def test_admins_without_a_reviewer_role_cannot_decide(app: Flask, world: World,
                                                      as_user: Callable[[str], Browser]) -> None:
    sub = _submitted(as_user("teacher"), world.achievements["blended"])
    admin = as_user("admin")
    assert admin.get(f"/review/{sub}").status_code == 200
    _refused(app, admin, sub)


def test_queue_is_oldest_first_with_filters(app: Flask, world: World,
                                            as_user: Callable[[str], Browser]) -> None:
    first = _submitted(as_user("teacher2"), world.achievements["blended"])
    second = _submitted(as_user("teacher"), world.achievements["blended"])
    reviewer = as_user("reviewer")
    page = reviewer.get("/review").get_data(as_text=True)
    assert page.index(f"/review/{first}") < page.index(f"/review/{second}")
    high = reviewer.get(f"/review?school={world.orgs['lakeside-high']}").get_data(as_text=True)
    assert f"/review/{second}" in high and f"/review/{first}" not in high
    other = reviewer.get(f"/review?achievement={world.achievements['data']}").get_data(
        as_text=True)
    assert "Nothing is waiting" in other
    # a school reviewer sees only their school
    school = as_user("school_reviewer").get("/review").get_data(as_text=True)
    assert f"/review/{second}" in school and f"/review/{first}" not in school
    # a filter naming another district's school shows the reviewer's own queue, nothing more
    foreign = reviewer.get(f"/review?school={world.orgs['elsewhere-high']}").get_data(
        as_text=True)
    assert "Elsewhere" not in foreign


def test_dashboard_figures_charts_and_csv(app: Flask, world: World,
                                          as_user: Callable[[str], Browser]) -> None:
    reviewer = as_user("reviewer")
    approved = _submitted(as_user("teacher"), world.achievements["blended"])
    returned = _submitted(as_user("teacher2"), world.achievements["blended"])
    reviewer.post(f"/review/{approved}/decision", {
        "decision": "approve", "score-design": "proficient", "score-facilitation": "exemplary"})
    reviewer.post(f"/review/{returned}/decision", RETURN)
    with app.extensions["badges"]["db"].session() as session:
        person = session.get(Person, world.people["teacher"])
        assert person is not None
        person.display_name = "=HYPERLINK(\"http://evil\")"
    admin = as_user("admin")
    page = admin.get("/district").get_data(as_text=True)
    assert "Submissions by status" in page and "<svg" in page and 'role="img"' in page
    assert "Lakeside High: 1 badges" in page
    assert "Returned for revision: 1 submissions" in page
    school_admin = as_user("school_admin").get("/district").get_data(as_text=True)
    assert "Lakeside High" not in school_admin and "Maple Elementary" in school_admin
    response = admin.get("/district/export.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers[
        "Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == dashboard.HEADER and len(rows) == 3
    statuses = {row[0]: row[4] for row in rows[1:]}
    assert statuses == {approved: "approved", returned: "returned"}
    teacher_cells = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in teacher_cells
    approved_row = next(row for row in rows if row[0] == approved)
    assert approved_row[10].startswith("urn:uuid:")


def test_the_queue_marks_what_the_reviewer_may_not_decide(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    mentor = as_user("mentor")
    own = _submitted(mentor, world.achievements["blended"])
    _mentor_rule(app, world, on=True)
    mentee = _submitted(as_user("teacher"), world.achievements["blended"])
    free = _submitted(as_user("teacher2"), world.achievements["blended"])
    page = mentor.get("/review").get_data(as_text=True)
    rows = {sub: page[page.index(f"/review/{sub}"):].split("</tr>")[0]
            for sub in (own, mentee, free)}
    assert "Another reviewer decides" in rows[own] and "your own submission" in rows[own]
    assert "Another reviewer decides" in rows[mentee] and "You mentor this teacher" in rows[mentee]
    assert "Another reviewer decides" not in rows[free]
    # the district's reviewer may decide on all three
    assert "Another reviewer decides" not in as_user("reviewer").get("/review").get_data(
        as_text=True)


def test_the_dashboard_does_not_count_revoked_badges_as_awarded(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    from issuer.services import status

    reviewer = as_user("reviewer")
    kept = _submitted(as_user("teacher"), world.achievements["blended"])
    withdrawn = _submitted(as_user("teacher2"), world.achievements["blended"])
    for sub in (kept, withdrawn):
        assert reviewer.post(f"/review/{sub}/decision", APPROVE).status_code == 303
    admin = as_user("admin")
    before = admin.get("/district").get_data(as_text=True)
    assert re.search(r'<div class="number">2</div>badges awarded and in force', before)
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(Submission, withdrawn)
        assert row is not None and row.credential_id is not None
        credential = session.get(IssuedCredential, row.credential_id)
        assert credential is not None
        status.revoke(session, credential.credential_id, reason=None, public=False,
                      actor="test", now=NOW)
    after = admin.get("/district").get_data(as_text=True)
    assert re.search(r'<div class="number">1</div>badges awarded and in force', after)
    assert "(1 more revoked)" in after
    assert "Maple Elementary: 1 badges" not in after  # the revoked one left its school's bar
    with app.extensions["badges"]["db"].session() as session:
        figures = dashboard.figures(session, frozenset(world.orgs.values()))
    assert (figures.awarded, figures.revoked) == (1, 1)


def test_the_history_counts_evidence_as_the_evidence_list_does(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    teacher = as_user("teacher")
    sub = _submitted(teacher, world.achievements["blended"])  # one file, two reflections
    for page in (teacher.get(f"/submissions/{sub}").get_data(as_text=True),
                 as_user("reviewer").get(f"/review/{sub}").get_data(as_text=True)):
        assert "1 piece of evidence and 2 rubric reflections" in page
        assert "3 pieces of evidence" not in page
    assert "Evidence (1)" in teacher.get(f"/submissions/{sub}").get_data(as_text=True)


def test_people_pages_say_teacher_never_earner(app: Flask, world: World,
                                               as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    page = admin.get("/district/people").get_data(as_text=True)
    answer = admin.post("/district/invitations", {
        "org": "lakeside", "organization_id": str(world.orgs["maple"]),
        "email": "new.teacher@lakeside.test", "role": "earner"})
    assert answer.status_code in (302, 303)
    page = admin.get("/district/people").get_data(as_text=True)
    invited = page[page.index("new.teacher@lakeside.test"):].split("</li>")[0]
    assert "Teacher" in invited and "earner" not in invited
