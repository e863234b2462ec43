"""Pathways (issue #20): definitions, locks, electives, stacking, final review, flags, cohort CSV.

Service-level, on SQLite and PostgreSQL (the ``app`` fixture's two engines).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import Person
from issuer.models_workflow import Decision
from issuer.models_workflow import MailMessage
from issuer.models_workflow import PathwayCompletion
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import achievements
from issuer.services import definition as definition_module
from issuer.services import pathways as definitions
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from issuer.workflow import pathways
from issuer.workflow import reviews
from issuer.workflow import submissions
from issuer.workflow.access import load_viewer
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

STEPS = ("tech", "literacy", "data-use", "assessment", "mentoring")


def _session(app: Flask) -> Iterator[so.Session]:
    with app.extensions["badges"]["db"].session() as session:
        yield session


@pytest.fixture
def db(app: Flask, world: World) -> Iterator[so.Session]:
    """A session with five published step achievements and a capstone in Lakeside."""
    yield from _session(app)


@pytest.fixture
def ctx(app: Flask) -> IssuerContext:
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


def _lakeside(db: so.Session) -> Organization:
    org = db.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
    assert org is not None
    for slug in (*STEPS, "coach"):
        if db.scalar(sa.select(sa.func.count()).select_from(achievements.Achievement).where(
                achievements.Achievement.slug == slug,
                achievements.Achievement.organization_id == org.id)):
            continue
        achievements.create(db, org, slug=slug, name=slug.replace("-", " ").title(),
                            description=f"The {slug} micro-credential.",
                            criteria="A written reflection.")
    return org


def definition(completion: str = "automatic", **changes: Any) -> dict[str, Any]:
    """A 4-step pathway: tech; any 1 of literacy/data-use (after 1); assessment; mentoring
    (after 2 and 3)."""
    doc: dict[str, Any] = {
        "slug": "coach", "name": "EdTech Coach", "completion": completion,
        "capstone": "coach",
        "steps": [{"title": "Technology", "achievements": ["tech"]},
                  {"title": "Literacy or data", "choose": 1,
                   "achievements": ["literacy", "data-use"], "after": [1]},
                  {"title": "Assessment", "achievements": ["assessment"]},
                  {"title": "Mentoring", "achievements": ["mentoring"], "after": [2, 3]}]}
    doc.update(changes)
    return doc


def _earn(db: so.Session, ctx: IssuerContext, who: int, slug: str, *, at: Any = NOW
          ) -> Submission:
    org = _lakeside(db)
    teacher = load_viewer(db, db.get(Person, who))  # type: ignore[arg-type]
    achievement = achievements.get(db, org, slug)
    sub = submissions.start(db, teacher, achievement_id=achievement.id, organization_id=None,
                            now=at)
    submissions.add_note(db, sub, title="Reflection", text="What I did.",
                         contains_student_data=False, share=True, now=at)
    submissions.submit(db, teacher, sub, base_url=ctx.base_url, now=at)
    return _approve(db, ctx, sub, at=at)


def _approve(db: so.Session, ctx: IssuerContext, sub: Submission, *, at: Any = NOW
             ) -> Submission:
    reviewer = db.scalar(sa.select(Person).where(Person.display_name == "Marcus Chen"))
    assert reviewer is not None
    reviews.decide(db, ctx, load_viewer(db, reviewer), sub, decision=Decision.APPROVE,
                   scores={}, feedback=None, now=at)
    db.flush()
    return sub


def _capstones(db: so.Session, person: int) -> list[IssuedCredential]:
    return list(db.scalars(sa.select(IssuedCredential).join(achievements.Achievement).where(
        IssuedCredential.person_id == person, achievements.Achievement.slug == "coach")))


def _readme_example() -> bytes:
    text = (Path(__file__).parents[3] / "README.md").read_text()
    start = text.index("```yaml\nslug: edtech-coach")
    return text[start + 8:text.index("```", start + 8)].encode()


def test_problems_by_field_nothing_saved_then_prerequisites_lock_steps(
        db: so.Session, ctx: IssuerContext, world: World) -> None:
    org = _lakeside(db)
    readme = definition_module.load(_readme_example(), name="README")
    for slug in ("classroom-technology-integration", "digital-literacy", "peer-mentoring",
                 "edtech-coach"):
        achievements.create(db, org, slug=slug, name=slug, description="d", criteria="c")
    found, problems = definitions.check(db, org, readme)
    assert problems == [] and [len(s[3]) for s in found["steps"]] == [1, 2, 1, 1]
    bad = definition(slug="Bad Slug", completion="sometimes", capstone="tech", extra=1)
    bad["steps"][1]["choose"] = 3
    bad["steps"][2]["achievements"] = ["nope", "tech"]
    bad["steps"][0]["after"] = [2]
    with pytest.raises(ServiceError) as caught:
        definitions.create(db, org, bad, actor="t", now=NOW)
    fields = {p["field"] for p in caught.value.problems}
    assert {"slug", "completion", "extra", "capstone", "steps[1].choose",
            "steps[2].achievements[0]", "steps[2].achievements[1]", "steps[0].after"} <= fields
    assert caught.value.code == "invalid_pathway"
    assert definitions.list_for(db, org) == [p for p in definitions.list_for(db, org)
                                             if p.slug != "coach"]
    made = definitions.create(db, org, definition(), actor="t", now=NOW)
    doc = definitions.document(made)
    assert doc["capstone"] == "coach" and doc["steps"][3]["after"] == [2, 3]
    with pytest.raises(ServiceError) as again:
        definitions.create(db, org, definition(), actor="t", now=NOW)
    assert again.value.problems == [{"field": "slug",
                                     "problem": "lakeside already has a pathway 'coach'"}]
    # prerequisites: a step is locked until the steps in its ``after`` are done
    teacher = world.people["teacher"]
    with pytest.raises(ServiceError) as caught:
        _earn(db, ctx, teacher, "literacy")
    assert caught.value.code == "step_locked"
    assert "step 2 of the pathway “EdTech Coach”" in caught.value.message
    assert "step 1 (Technology)" in caught.value.message
    with pytest.raises(ServiceError) as capstone:
        _earn(db, ctx, teacher, "coach")
    assert capstone.value.code == "step_locked" and "capstone" in capstone.value.message
    _earn(db, ctx, teacher, "tech")
    _earn(db, ctx, teacher, "literacy", at=NOW + timedelta(days=2))
    with pytest.raises(ServiceError, match=r"step 3 \(Assessment\)"):
        _earn(db, ctx, teacher, "mentoring")
    found = pathways.progress(db, teacher, definitions.get(db, org, "coach"))
    assert [s.done for s in found.steps] == [True, True, False, False]
    assert [s.number for s in found.next_steps] == [3]


def test_elective_counts_any_n_and_capstone_names_components_once(
        db: so.Session, ctx: IssuerContext, world: World) -> None:
    org = _lakeside(db)
    doc = definition()
    doc["steps"][1]["choose"] = 2
    definitions.create(db, org, doc, actor="t", now=NOW)
    teacher = world.people["teacher"]
    for day, slug in enumerate(("tech", "literacy", "assessment")):
        _earn(db, ctx, teacher, slug, at=NOW + timedelta(days=day))
    found = pathways.progress(db, teacher, definitions.get(db, org, "coach"))
    assert not found.steps[1].done and found.steps[1].held  # 1 of the 2 needed
    assert not found.steps[3].unlocked
    _earn(db, ctx, teacher, "data-use", at=NOW + timedelta(days=3))
    _earn(db, ctx, teacher, "mentoring", at=NOW + timedelta(days=4))
    [capstone] = _capstones(db, teacher)
    document = json.loads(capstone.document)
    evidence = document["evidence"]
    assert [e["name"] for e in evidence if e.get("genre") == "Credential"] == [
        "Tech", "Literacy", "Data Use", "Assessment", "Mentoring"]
    held = {c.achievement.slug: c for c in db.scalars(sa.select(IssuedCredential).where(
        IssuedCredential.person_id == teacher))}
    assert evidence[0]["id"] == f"{ctx.base_url}/c/{held['tech'].share_token}"
    assert held["tech"].credential_id in evidence[0]["narrative"]
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert db.scalar(sa.select(MailMessage).where(
        MailMessage.subject == "Pathway complete: Coach")) is not None
    # Completing again (a renewal of a component, a second pathway check) issues nothing.
    completion = db.scalar(sa.select(PathwayCompletion))
    assert completion is not None and completion.status == "issued"
    sub = db.scalar(sa.select(Submission).where(Submission.person_id == teacher))
    assert sub is not None
    assert pathways.after_approval(db, ctx, sub, held["mentoring"], actor="t", now=NOW) == []
    found = pathways.progress(db, teacher, definitions.get(db, org, "coach"))
    assert pathways._complete(db, ctx, found, school_id=sub.organization_id, actor="t",
                              now=NOW) is None
    with pytest.raises(sa.exc.IntegrityError), db.begin_nested():  # the unique constraint
        db.add(PathwayCompletion(pathway_id=completion.pathway_id, person_id=teacher,
                                 status="issued", completed_at=NOW))
        db.flush()
    assert len(_capstones(db, teacher)) == 1
    # the structure a CLR builder embeds (CLR 2.0 associations between achievement ids)
    found, links = pathways.clr_structure(db, teacher, frozenset({org.id}), base_url="b")
    assert sorted(a.slug for a in found) == sorted([*STEPS, "coach"])
    url = {a.slug: f"b/achievements/{a.id}" for a in found}
    triples = {(x.association_type, x.source_id, x.target_id) for x in links}
    assert ("isPartOf", url["literacy"], url["coach"]) in triples
    assert ("precedes", url["tech"], url["data-use"]) in triples
    assert ("precedes", url["assessment"], url["mentoring"]) in triples
    assert ("precedes", url["tech"], url["assessment"]) not in triples


def test_final_review_mode_waits_for_a_reviewer(db: so.Session, ctx: IssuerContext,
                                                world: World,
                                                as_user: Callable[[str], Browser]) -> None:
    org = _lakeside(db)
    doc = definition("review")
    doc["steps"] = doc["steps"][:2]
    definitions.create(db, org, doc, actor="t", now=NOW)
    teacher = world.people["teacher"]
    _earn(db, ctx, teacher, "tech")
    _earn(db, ctx, teacher, "data-use")
    assert _capstones(db, teacher) == []
    completion = db.scalar(sa.select(PathwayCompletion))
    assert completion is not None and completion.status == "review"
    final = db.get(Submission, completion.submission_id)
    assert final is not None and final.status == SubmissionStatus.SUBMITTED
    reviewer = db.scalar(sa.select(Person).where(Person.display_name == "Marcus Chen"))
    assert reviewer is not None
    assert final in reviews.queue(db, load_viewer(db, reviewer), reviews.QueueFilter())
    db.commit()
    page = as_user("reviewer").get(f"/review/{final.id}").get_data(as_text=True)
    assert "Final review of the pathway “EdTech Coach”" in page and "Data Use" in page
    _approve(db, ctx, final)
    [capstone] = _capstones(db, teacher)
    assert completion.credential_id == capstone.id and completion.status == "issued"
    names = [e["name"] for e in json.loads(capstone.document)["evidence"]]
    assert names == ["Tech", "Data Use"]


def test_revoking_a_component_flags_the_capstone_for_the_district(
        db: so.Session, ctx: IssuerContext, world: World,
        as_user: Callable[[str], Browser]) -> None:
    org = _lakeside(db)
    doc = definition()
    doc["steps"] = [doc["steps"][0], doc["steps"][2]]
    definitions.create(db, org, doc, actor="t", now=NOW)
    teacher = world.people["teacher"]
    _earn(db, ctx, teacher, "tech")
    _earn(db, ctx, teacher, "assessment")
    [capstone] = _capstones(db, teacher)
    tech = db.scalar(sa.select(IssuedCredential).join(achievements.Achievement).where(
        achievements.Achievement.slug == "tech"))
    assert tech is not None
    status.revoke(db, tech.credential_id, reason="copied work", public=False, actor="admin",
                  now=NOW + timedelta(days=1))
    assert capstone.revoked_at is None  # never silently revoked
    flag = pathways.flag_of(db, capstone)
    assert flag is not None and "Tech" in (flag.flag_reason or "")
    assert pathways.flagged(db, frozenset({org.id})) == [flag]
    assert db.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "pathway.capstone_flagged",
        AuditEvent.subject_id == capstone.credential_id)) is not None
    db.commit()
    # visible to the district: dashboard banner, pathways page, the credential's admin page
    admin = as_user("admin")
    assert "1 capstone flagged:" in admin.get("/district").get_data(as_text=True)
    listing = admin.get("/district/pathways?org=lakeside").get_data(as_text=True)
    assert f'id="flag-{flag.id}"' in listing and "was revoked" in listing
    page = admin.get(f"/district/credentials/{capstone.id}").get_data(as_text=True)
    assert 'id="pathway-flag"' in page and "Flagged for a decision" in page
    reviewer = as_user("reviewer")
    assert "/district/pathways" in reviewer.get("/review").get_data(as_text=True)
    assert "EdTech Coach" in reviewer.get("/district/pathways").get_data(as_text=True)
    for who, code in (("reviewer", 200), ("teacher", 403), ("other_admin", 404)):
        assert as_user(who).get(f"/district/pathways/{flag.pathway_id}/cohort.csv"
                                ).status_code == code
    assert as_user("other_admin").post(f"/district/pathways/flags/{flag.id}",
                                       {"decision": "keep"}).status_code == 404
    assert as_user("reviewer").post(f"/district/pathways/flags/{flag.id}",
                                    {"decision": "revoke"}).status_code == 403
    assert admin.post(f"/district/pathways/flags/{flag.id}",
                      {"decision": "revoke"}).status_code == 303
    db.expire_all()
    assert capstone.revoked_at is not None and flag.decision == "revoked"
    assert "capstone flagged" not in admin.get("/district").get_data(as_text=True)
    assert pathways.flagged(db, frozenset({org.id})) == []
    with pytest.raises(ServiceError, match="not waiting"):
        pathways.decide_flag(db, flag, keep=True, reason=None, actor="a", now=NOW)


def test_cohort_counts_and_median_days_in_csv(db: so.Session, ctx: IssuerContext,
                                              world: World) -> None:
    org = _lakeside(db)
    doc = definition()
    doc["steps"] = [doc["steps"][0], doc["steps"][2]]
    pathway = definitions.create(db, org, doc, actor="t", now=NOW)
    for who, gap in (("teacher", 2), ("teacher2", 6), ("mentor", None)):
        _earn(db, ctx, world.people[who], "tech")
        if gap is not None:
            _earn(db, ctx, world.people[who], "assessment", at=NOW + timedelta(days=gap))
    figures = pathways.cohort(db, pathway)
    assert [(f.number, f.teachers, f.median_days) for f in figures] == [
        (1, 3, None), (2, 2, 4.0)]
    rows = list(csv.reader(io.StringIO(pathways.cohort_csv(db, pathway))))
    assert rows == [["step", "title", "teachers_done", "median_days_since_previous_step"],
                    ["1", "Technology", "3", ""], ["2", "Assessment", "2", "4.0"],
                    ["completed", "", "2", ""]]
