"""The admin pages that author micro-credentials (issue #17), on SQLite and PostgreSQL.

Forms show each problem beside its field and store nothing; who may author
what follows the admin roles (a district's admins for the district and its
schools, a school's admins for their school).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from issuer.models import Achievement
from issuer.services import frameworks
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World


def _iste(*codes: str) -> list[str]:
    return [json.dumps(c.alignment, sort_keys=True) for c in frameworks.iste().choices
            if c.code in codes]


def form(**changes: Any) -> dict[str, Any]:
    """A complete form: three criteria of three levels, two ISTE alignments."""
    data: dict[str, Any] = {
        "org": "lakeside", "name": "Classroom Technology Integration",
        "slug": "classroom-technology-integration",
        "description": "Plans lessons in which students create with technology.",
        "criteria": "A lesson plan, a recording and a reflection.",
        "evidenceRequirements": "Lesson plan; recording link; reflection.",
        "achievementType": "MicroCredential", "tags": "edtech, design",
        "validityDays": "730", "effortHours": "12", "reviewers.required": "1",
        "reviewers.mentorConflict": "district", "catalogueVisible": "on",
        "alignment": _iste("2.5", "2.6"),
    }
    for i, criterion in enumerate(("Lesson design", "Facilitation", "Reflection")):
        data[f"rubric.criteria[{i}].name"] = criterion
        for j, (level, points) in enumerate((("Developing", 1), ("Proficient", 2),
                                             ("Exemplary", 3))):
            at = f"rubric.criteria[{i}].levels[{j}]"
            data[f"{at}.name"] = level
            data[f"{at}.description"] = f"{criterion}: {level.lower()} practice."
            data[f"{at}.points"] = str(points)
    data.update(changes)
    return data


def _count(app: Flask) -> int:
    with app.extensions["badges"]["db"].session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Achievement)) or 0


def test_the_form_shows_every_problem_beside_its_field(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    page = admin.get("/district/achievements/new?org=lakeside").get_data(as_text=True)
    assert 'name="rubric.criteria[2].levels[1].description"' in page
    assert "ISTE Standards for Educators" in page and "Designer" in page
    before = _count(app)
    refused = admin.post("/district/achievements", form(**{
        "criteria": "", "rubric.criteria[1].levels[2].description": "",
        "validityDays": "0", "slug": "blended-learning-design"}))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "4 problems to fix: nothing was saved" in text
    assert 'id="f-criteria-error"' in text and 'aria-invalid="true"' in text
    assert 'id="f-rubric-criteria-1-levels-2-description-error"' in text
    assert "lakeside already has an achievement" in text
    assert 'href="#f-validityDays"' in text
    # what was typed stays in the form, and the alignments stay ticked
    assert 'value="Classroom Technology Integration"' in text
    assert text.count("checked") >= 3
    assert _count(app) == before


def test_create_publish_edit_and_archive_from_the_pages(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    made = admin.post("/district/achievements", form())
    assert made.status_code == 303, made.get_data(as_text=True)
    listing = admin.get("/district/achievements?org=lakeside").get_data(as_text=True)
    assert "Draft saved: Classroom Technology Integration" in listing
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalar(sa.select(Achievement).where(
            Achievement.slug == "classroom-technology-integration"))
        assert row is not None and row.status == "draft"
        assert [c["name"] for c in row.rubric["criteria"]] == [  # type: ignore[index]
            "Lesson design", "Facilitation", "Reflection"]
        assert [a["targetCode"] for a in row.alignments] == ["2.5", "2.6"]
        assert row.validity_days == 730 and row.tags == ["edtech", "design"]
        ident = row.id
    teacher = as_user("teacher")
    assert "Classroom Technology Integration" not in teacher.get("/catalogue").get_data(
        as_text=True)
    assert admin.post(f"/district/achievements/{ident}/publish").status_code == 303
    assert "Classroom Technology Integration" in teacher.get("/catalogue").get_data(
        as_text=True)
    edit = admin.get(f"/district/achievements/{ident}/edit").get_data(as_text=True)
    assert 'value="Lesson design"' in edit and "Save changes" in edit
    saved = admin.post(f"/district/achievements/{ident}", form(**{
        "name": "Classroom Technology Integration II", "slug": "ignored"}))
    assert saved.status_code == 303
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(Achievement, ident)
        assert row is not None and row.name == "Classroom Technology Integration II"
        assert row.slug == "classroom-technology-integration" and row.version == "1"
    bad = admin.post(f"/district/achievements/{ident}", form(**{
        "rubric.criteria[0].levels[0].points": "lots"}))
    assert bad.status_code == 422 and "Must be a number from 0 to 1000" in bad.get_data(
        as_text=True)
    assert admin.post(f"/district/achievements/{ident}/archive").status_code == 303
    assert "Classroom Technology Integration" not in teacher.get("/catalogue").get_data(
        as_text=True)
    again = admin.post(f"/district/achievements/{ident}/archive")
    assert "is already archived" in admin.get(again.headers["Location"]).get_data(
        as_text=True)


def test_who_may_author_what(app: Flask, world: World,
                             as_user: Callable[[str], Browser]) -> None:
    lakeside = world.achievements["blended"]
    elsewhere = world.achievements["other_blended"]
    expected = {
        ("GET", "/district/achievements?org=lakeside"): {"admin": 200, "school_admin": 404,
                                                        "other_admin": 404},
        ("GET", "/district/achievements?org=maple"): {"admin": 200, "school_admin": 200,
                                                     "other_admin": 404},
        ("GET", f"/district/achievements/{lakeside}/edit"): {"admin": 200,
                                                             "school_admin": 404,
                                                             "other_admin": 404},
        ("GET", f"/district/achievements/{elsewhere}/edit"): {"admin": 404,
                                                              "school_admin": 404,
                                                              "other_admin": 200},
        ("POST", f"/district/achievements/{lakeside}/archive"): {"school_admin": 404,
                                                                 "other_admin": 404},
        ("POST", "/district/achievements"): {"school_admin": 404, "other_admin": 404},
    }
    mismatches = []
    for (method, path), want in expected.items():
        for who in ("teacher", "reviewer", *want):
            browser = as_user(who)
            response = browser.get(path) if method == "GET" else browser.post(
                path, form(org="lakeside"))
            wanted = want.get(who, 403)
            if response.status_code != wanted:
                mismatches.append(f"{who} {method} {path}: {response.status_code}, "
                                  f"expected {wanted}")
    assert mismatches == []
    assert "teacher" in PEOPLE and _count(app) == 4  # nothing was created or archived
    with app.extensions["badges"]["db"].session() as session:
        assert session.get(Achievement, lakeside).status == "published"  # type: ignore[union-attr]


def test_imported_case_items_are_alignment_choices_on_the_form(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    from pathlib import Path

    from issuer.models import Organization
    from tests.issuer.conftest import NOW

    package = Path(__file__).parents[2] / "fixtures" / "case" / "lakeside-edtech-cfpackage.json"
    with app.extensions["badges"]["db"].session() as session:
        org = session.get(Organization, world.orgs["lakeside"])
        assert org is not None
        frameworks.import_package(session, org, package.read_bytes(), source=None,
                                  actor="t", now=NOW)
    admin = as_user("admin")
    page = admin.get("/district/achievements/new?org=maple").get_data(as_text=True)
    assert "<legend>Lakeside EdTech Competencies for Teachers</legend>" in page
    assert "LEC.2.a</span> Station rotation" in page
    with app.extensions["badges"]["db"].session() as session:
        org = session.get(Organization, world.orgs["lakeside"])
        assert org is not None
        choice = next(c for f in frameworks.available(session, org) for c in f.choices
                      if c.code == "LEC.2.a")
    made = admin.post("/district/achievements", form(
        org="maple", slug="station-rotation", alignment=[json.dumps(
            choice.alignment, sort_keys=True)]))
    assert made.status_code == 303
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalar(sa.select(Achievement).where(Achievement.slug == "station-rotation"))
        assert row is not None and row.organization_id == world.orgs["maple"]
        assert row.alignments == [choice.alignment]
    # another district's admin does not see Lakeside's framework
    other = as_user("other_admin").get("/district/achievements/new").get_data(as_text=True)
    assert "Lakeside EdTech Competencies" not in other
