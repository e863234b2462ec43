"""Editing a pathway after creation (issue #20): the rules every surface shares.

:func:`issuer.workflow.pathways.update` on SQLite and PostgreSQL (the ``app``
fixture's two engines): the slug is the identity, teachers in progress are
re-evaluated at once, completed teachers keep their capstone, the capstone
is fixed once issued, archived pathways refuse edits, every edit is audited.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models_workflow import PathwayCompletion
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import achievements
from issuer.services import pathways as definitions
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from issuer.workflow import pathways
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_pathways import _capstones
from tests.issuer.workflow.test_pathways import _earn
from tests.issuer.workflow.test_pathways import _lakeside
from tests.issuer.workflow.test_pathways import ctx  # noqa: F401 - the fixture
from tests.issuer.workflow.test_pathways import db  # noqa: F401 - the fixture
from tests.issuer.workflow.test_pathways import definition


def _without(doc: dict[str, Any], title: str) -> dict[str, Any]:
    """``doc`` without the step called ``title`` (later ``after`` numbers renumbered)."""
    steps = doc["steps"]
    gone = next(n for n, s in enumerate(steps, start=1) if s["title"] == title)
    kept = []
    for step in steps:
        if step["title"] == title:
            continue
        after = [a - (a > gone) for a in step.get("after", []) if a != gone]
        kept.append({**step, "after": after})
    return {**doc, "steps": kept}


def _audits(db: so.Session, action: str) -> list[AuditEvent]:  # noqa: F811
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


def test_slug_fixed_progress_reevaluated_completed_keep_capstone_and_audited(
        db: so.Session, ctx: IssuerContext, world: World) -> None:  # noqa: F811
    org = _lakeside(db)
    made = definitions.create(db, org, definition(), actor="t", now=NOW)
    teacher, teacher2 = world.people["teacher"], world.people["teacher2"]
    for slug in ("tech", "literacy", "assessment"):  # 3 of 4: mentoring left
        _earn(db, ctx, teacher, slug)
    _earn(db, ctx, teacher2, "tech")
    assert _capstones(db, teacher) == []
    db.commit()  # a refused edit rolls back to here

    # the slug is the identity: a new one is a problem by field, nothing changes
    with pytest.raises(ServiceError) as caught:
        pathways.update(db, ctx, org, "coach", definition(slug="coach-2", name="Renamed"),
                        actor="dana", now=NOW)
    assert caught.value.code == "invalid_pathway" and caught.value.status == 422
    assert [p["field"] for p in caught.value.problems] == ["slug"]
    assert "cannot change" in caught.value.problems[0]["problem"]
    db.rollback()
    assert definitions.get(db, org, "coach").name == "EdTech Coach"
    # the same checks as create, by field
    bad = definition()
    bad["steps"][0]["achievements"] = ["nope"]
    with pytest.raises(ServiceError) as caught:
        pathways.update(db, ctx, org, "coach", bad, actor="dana", now=NOW)
    assert [p["field"] for p in caught.value.problems] == ["steps[0].achievements[0]"]
    db.rollback()

    # dropping the mentoring step finishes María at once (automatic capstone); slug optional
    new = _without(definition(name="EdTech Coach, 3 steps"), "Mentoring")
    del new["slug"]
    edit = pathways.update(db, ctx, org, "coach", new, actor="dana", now=NOW)
    assert [c.person_id for c in edit.completed] == [teacher]
    assert set(edit.changes) == {"name", "steps"}
    [capstone] = _capstones(db, teacher)
    evidence = json.loads(capstone.document)["evidence"]
    assert [e["name"] for e in evidence if e.get("genre") == "Credential"] == [
        "Tech", "Literacy", "Assessment"]
    assert pathways.progress(db, teacher2, edit.pathway).done == 1  # Tom still on his way
    [audit] = _audits(db, "pathway.updated")
    assert (audit.actor, audit.subject_id, audit.at) == ("dana", str(made.id), NOW)
    assert audit.detail["changes"]["name"] == {"from": "EdTech Coach",
                                               "to": "EdTech Coach, 3 steps"}
    assert len(audit.detail["changes"]["steps"]["from"]) == 4
    assert len(audit.detail["changes"]["steps"]["to"]) == 3

    # adding a step back: María keeps her completion and capstone (not revoked, not re-issued)
    completion = db.scalar(sa.select(PathwayCompletion).where(
        PathwayCompletion.person_id == teacher))
    assert completion is not None
    again = pathways.update(db, ctx, org, "coach", definition(), actor="dana", now=NOW)
    assert again.completed == ()
    db.expire_all()
    [still] = _capstones(db, teacher)
    assert still.id == capstone.id and still.revoked_at is None
    assert db.get(PathwayCompletion, completion.id) is not None
    assert not pathways.progress(db, teacher, again.pathway).complete
    _earn(db, ctx, teacher, "mentoring")  # finishing the new step issues nothing more
    assert len(_capstones(db, teacher)) == 1
    # an edit that changes nothing is still recorded, with no changes
    pathways.update(db, ctx, org, "coach", definition(), actor="dana", now=NOW)
    assert _audits(db, "pathway.updated")[-1].detail["changes"] == {}


def test_capstone_changes_until_one_is_issued_then_409_with_the_count(
        db: so.Session, ctx: IssuerContext, world: World) -> None:  # noqa: F811
    org = _lakeside(db)
    achievements.create(db, org, slug="coach-2", name="Coach Two", description="d",
                        criteria="c")
    doc = definition()
    doc["steps"] = [doc["steps"][0]]
    definitions.create(db, org, doc, actor="t", now=NOW)
    edit = pathways.update(db, ctx, org, "coach", {**doc, "capstone": "coach-2"},
                           actor="dana", now=NOW)
    assert edit.changes["capstone"] == {"from": "coach", "to": "coach-2"}
    _earn(db, ctx, world.people["teacher"], "tech")
    issued = db.scalars(sa.select(IssuedCredential).join(achievements.Achievement).where(
        achievements.Achievement.slug == "coach-2")).all()
    assert len(issued) == 1
    db.commit()
    with pytest.raises(ServiceError) as caught:
        pathways.update(db, ctx, org, "coach", doc, actor="dana", now=NOW)
    assert (caught.value.code, caught.value.status) == ("capstone_locked", 409)
    assert "1 capstone was already issued" in caught.value.message
    db.rollback()
    assert definitions.capstone_of(definitions.get(db, org, "coach")).slug == "coach-2"
    # other fields still change with the capstone kept
    kept = pathways.update(db, ctx, org, "coach", {**doc, "capstone": "coach-2",
                                                   "name": "Coach, one step"},
                           actor="dana", now=NOW)
    assert kept.pathway.name == "Coach, one step"


def test_switch_to_final_review_opens_one_and_fixes_the_capstone(
        db: so.Session, ctx: IssuerContext, world: World) -> None:  # noqa: F811
    org = _lakeside(db)
    definitions.create(db, org, definition(), actor="t", now=NOW)
    teacher = world.people["teacher"]
    for slug in ("tech", "data-use", "assessment"):
        _earn(db, ctx, teacher, slug)
    edit = pathways.update(db, ctx, org, "coach",
                           _without(definition("review"), "Mentoring"), actor="dana", now=NOW)
    [completion] = edit.completed
    assert completion.status == "review" and _capstones(db, teacher) == []
    final = db.get(Submission, completion.submission_id)
    assert final is not None and final.status == SubmissionStatus.SUBMITTED
    assert final.achievement.slug == "coach"
    achievements.create(db, org, slug="coach-2", name="Coach Two", description="d",
                        criteria="c")
    with pytest.raises(ServiceError, match="1 teacher is in its final review"):
        pathways.update(db, ctx, org, "coach", {**definition("review"), "capstone": "coach-2"},
                        actor="dana", now=NOW)


def test_archived_pathway_cannot_be_edited(db: so.Session, ctx: IssuerContext,  # noqa: F811
                                           world: World) -> None:
    org = _lakeside(db)
    definitions.create(db, org, definition(), actor="t", now=NOW)
    definitions.archive(db, org, "coach", actor="t", now=NOW)
    with pytest.raises(ServiceError) as caught:
        pathways.update(db, ctx, org, "coach", definition(name="New"), actor="dana", now=NOW)
    assert (caught.value.code, caught.value.status) == ("pathway_archived", 409)
    assert "archived pathway cannot be edited" in caught.value.message
    with pytest.raises(ServiceError) as unknown:
        pathways.update(db, ctx, org, "nope", definition(), actor="dana", now=NOW)
    assert unknown.value.code == "unknown_pathway"
