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
