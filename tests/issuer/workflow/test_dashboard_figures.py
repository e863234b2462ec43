"""The dashboard's SQL aggregates agree with counting by hand: reviewed and direct awards."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from issuer.workflow import dashboard
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_reviews import _submitted


def _direct(app: Flask, issuer: str, achievement: str, who: str) -> None:
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    name, email, _ = PEOPLE[who]
    with app.extensions["badges"]["db"].session() as session:
        issuance.award(session, ctx, issuer=issuer, achievement=achievement, email=email,
                       name=name, actor="test", now=NOW)


def test_awards_by_school_and_achievement_count_reviewed_and_direct(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    reviewer = as_user("reviewer")
    approved = _submitted(as_user("teacher"), world.achievements["blended"])
    reviewer.post(f"/review/{approved}/decision", {
        "decision": "approve", "score-design": "proficient", "score-facilitation": "exemplary"})
    _direct(app, "lakeside", "data-informed-instruction", "teacher")
    _direct(app, "lakeside", "data-informed-instruction", "teacher2")
    _direct(app, "lakeside", "blended-learning-design", "teacher2")
    _direct(app, "elsewhere", "data-informed-instruction", "other_teacher")  # out of scope
    scope = frozenset({world.orgs["lakeside"], world.orgs["lakeside-high"], world.orgs["maple"]})
    with app.extensions["badges"]["db"].session() as session:
        figures = dashboard.figures(session, scope)
    by_school = {b.label: b.value for b in figures.awarded_by_school.bars}
    by_achievement = {b.label: b.value for b in figures.awarded_by_achievement.bars}
    assert by_school == {dashboard.DIRECT: 3.0, "Lakeside High": 1.0}
    assert by_achievement == {"Data-Informed Instruction": 2.0, "Blended Learning Design": 2.0}
    assert figures.awarded == 4 and figures.submissions == 1 and figures.waiting == 0
    assert figures.median_review_hours is not None
    by_status = {b.label: b.value for b in figures.by_status.bars}
    assert sum(by_status.values()) == 1


def test_review_hours_median_mean_and_per_school(app: Flask, world: World,
                                                 as_user: Callable[[str], Browser]) -> None:
    """Computed in SQL on PostgreSQL and in Python on SQLite: the same figures."""
    from datetime import timedelta

    import sqlalchemy as sa

    from issuer.models_workflow import Review
    from issuer.models_workflow import Submission
    from tests.issuer.workflow.test_reviews import RETURN

    reviewer = as_user("reviewer")
    high = _submitted(as_user("teacher"), world.achievements["blended"])  # Lakeside High
    maple = _submitted(as_user("teacher2"), world.achievements["blended"])  # Maple
    reviewer.post(f"/review/{high}/decision", RETURN)
    reviewer.post(f"/review/{maple}/decision", RETURN)
    durations = {high: [timedelta(hours=10)],
                 maple: [timedelta(hours=-3)]}  # decided "before" it came in: 0 hours
    with app.extensions["badges"]["db"].session() as session:
        for sub_id, (length,) in durations.items():
            review = session.scalars(sa.select(Review).join(Submission).where(
                Submission.id == sub_id)).one()
            review.submitted_at = NOW
            review.decided_at = NOW + length
        # a third review at Lakeside High: 2.5 hours
        first = session.scalars(sa.select(Review).join(Submission).where(
            Submission.id == high)).one()
        session.add(Review(submission_id=high, round=2, reviewer_id=first.reviewer_id,
                           decision=first.decision, scores={}, feedback=None,
                           submitted_at=NOW, decided_at=NOW + timedelta(hours=2, minutes=30)))
    scope = frozenset({world.orgs["lakeside"], world.orgs["lakeside-high"], world.orgs["maple"]})
    with app.extensions["badges"]["db"].session() as session:
        figures = dashboard.figures(session, scope)
    assert figures.median_review_hours == 2.5  # of 0, 2.5 and 10
    assert figures.mean_review_hours == 4.2  # 12.5 / 3
    assert {b.label: b.value for b in figures.review_hours_by_school.bars} == {
        "Lakeside High": 6.2, "Maple Elementary": 0.0}
