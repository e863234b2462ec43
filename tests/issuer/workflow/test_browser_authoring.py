"""Authoring a micro-credential in a real browser (Playwright, Debian's headless Chromium).

A district admin creates an achievement with a three-criterion rubric and two
ISTE alignments (first meeting the form's field errors), publishes it and
uploads its badge art; a teacher submits evidence against it and a reviewer
approves with rubric scores; the credential carries that rubric's results,
those alignments and that image (same pixels, same alt text), and verifies.
The admin then edits the achievement: it becomes version 2, while the first
credential still verifies and its public achievement page
(``?version=1``) shows version 1's text. The form with its errors passes
axe-core. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from issuer import badge_art
from issuer.models import IssuedCredential
from tests.browser.conftest import axe_violations
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.conftest import LiveServer
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_badge_art_everywhere import UPLOADED_SVG
from tests.issuer.workflow.test_browser_loop import DESKTOP
from tests.issuer.workflow.test_browser_loop import Person
from tests.issuer.workflow.test_browser_loop import browser  # noqa: F401 - the fixture

CRITERIA = ("Lesson design", "Facilitation", "Reflection")
LEVELS = (("Developing", 1), ("Proficient", 2), ("Exemplary", 3))


def _fill_form(page: Any) -> None:
    page.locator("#f-name").fill("Classroom Technology Integration")
    page.locator("#f-slug").fill("classroom-technology-integration")
    page.locator("#f-description").fill("Plans lessons in which students create with "
                                        "technology.")
    page.locator("#f-evidenceRequirements").fill("A lesson plan link and a reflection.")
    page.locator("#f-validityDays").fill("730")
    for i, criterion in enumerate(CRITERIA):
        page.get_by_label(f"Criterion {i + 1} name", exact=True).fill(criterion)
        for j, (level, points) in enumerate(LEVELS):
            prefix = f"Criterion {i + 1}, level {j + 1}"
            page.get_by_label(f"{prefix} name", exact=True).fill(level)
            page.get_by_label(f"{prefix} description", exact=True).fill(
                f"{criterion}: {level.lower()} practice.")
            page.get_by_label(f"{prefix} points", exact=True).fill(str(points))
    iste = page.get_by_role("group", name="ISTE Standards for Educators")
    iste.get_by_label("2.5 Designer").check()
    iste.get_by_label("2.6 Facilitator").check()


ART_ALT = "Classroom Technology Integration badge: a purple-to-blue hexagon with a white check"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the live server
        data: bytes = response.read()
        return data


def test_admin_authors_teacher_earns_edit_makes_version_two(
        browser: Any, live_server: LiveServer, db_url: str,  # noqa: F811
        tmp_path: Path) -> None:
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    build_world(live_server.app)
    base = live_server.base_url
    admin = Person(browser, base, engine, "admin", DESKTOP)
    admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    page = admin.page
    page.get_by_role("link", name="District", exact=True).click()
    page.get_by_role("link", name="Micro-credentials: create, edit, publish").click()
    page.get_by_role("link", name="New micro-credential").click()
    page.get_by_role("heading", name="New micro-credential").wait_for()
    _fill_form(page)
    page.get_by_role("button", name="Save as draft").click()  # no criteria yet
    page.get_by_role("heading", name="1 problem to fix: nothing was saved").wait_for()
    assert page.locator("#f-criteria").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-criteria-error").inner_text() == "Is required"
    # what was typed and ticked is still there
    assert page.get_by_label("Criterion 3, level 3 points", exact=True).input_value() == "3"
    assert page.get_by_role("group", name="ISTE Standards for Educators").get_by_label(
        "2.6 Facilitator").is_checked()
    assert axe_violations(page) == []
    admin.shot("authoring-01-form-errors")
    page.locator("#f-criteria").fill("Teach the lesson, share the plan, reflect on it.")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("Draft saved: Classroom Technology Integration").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish Classroom Technology Integration").click()
    page.get_by_text("Classroom Technology Integration is published.").wait_for()
    admin.shot("authoring-02-published")
    # its badge art, uploaded on the Badge art page
    page.goto("/district")
    page.get_by_role("link", name="Badge art").click()
    upload = page.get_by_role("button",
                              name="Upload the image for Classroom Technology Integration")
    section = page.locator("section.card", has=upload)
    (tmp_path / "badge.svg").write_text(UPLOADED_SVG)
    section.get_by_label("PNG or SVG file").set_input_files(str(tmp_path / "badge.svg"))
    section.get_by_label("What the image shows").fill(ART_ALT)
    upload.click()
    page.get_by_text("Classroom Technology Integration now has the uploaded image "
                     "everywhere").wait_for()

    # the teacher submits evidence against it
    teacher = Person(browser, base, engine, "teacher", DESKTOP)
    teacher.sign_in_with_keyboard(PEOPLE["teacher"][1])
    tpage = teacher.page
    tpage.get_by_role("link", name="Catalogue", exact=True).click()
    tpage.get_by_role("link", name="Classroom Technology Integration").click()
    tpage.get_by_role("button", name="Start a submission").click()
    tpage.wait_for_url("**/submissions/*")
    link = tpage.get_by_role("group", name="A link")
    link.get_by_label("Title", exact=True).fill("Lesson plan")
    link.get_by_label("Web address").fill("https://docs.example.org/lesson-plan")
    link.get_by_label("Share this link in the badge").check()
    tpage.get_by_role("button", name="Add link").click()
    tpage.get_by_text("Evidence saved.").wait_for()
    tpage.get_by_role("button", name="Submit for review").click()
    tpage.get_by_text("Your evidence was sent to the reviewers").wait_for()
    assert "reviewed against version 1" in tpage.content()
    submission = tpage.url.rsplit("/", 1)[1]

    # the reviewer approves with a score on each of the three criteria
    reviewer = Person(browser, base, engine, "reviewer", DESKTOP)
    reviewer.sign_in_with_keyboard(PEOPLE["reviewer"][1])
    rpage = reviewer.page
    rpage.goto(f"/review/{submission}")
    rpage.get_by_text("Reviewed against version 1 of this micro-credential").wait_for()
    for criterion, level in zip(CRITERIA, ("Proficient", "Exemplary", "Proficient"),
                                strict=True):
        rpage.get_by_role("group", name=criterion).get_by_label(level).check()
    rpage.get_by_role("button", name="Approve and award the badge").click()
    rpage.get_by_text("Approved: the badge was issued to the teacher.").wait_for()

    database = live_server.app.extensions["badges"]["db"]
    ctx = seed.app_context(live_server.app)
    with database.session() as session:
        issued = session.scalar(sa.select(IssuedCredential))
        assert issued is not None and issued.achievement_version == 1
        first, achievement_id = issued.document, issued.achievement_id
    credential = json.loads(first)
    embedded = credential["credentialSubject"]["achievement"]
    assert [rd["name"] for rd in embedded["resultDescription"]] == list(CRITERIA)
    assert [len(rd["rubricCriterionLevel"]) for rd in embedded["resultDescription"]] == [3] * 3
    assert [(a["targetCode"], a["targetName"]) for a in embedded["alignment"]] == [
        ("2.5", "Designer"), ("2.6", "Facilitator")]
    assert len(credential["credentialSubject"]["result"]) == 3
    assert embedded["version"] == "1"
    # the uploaded art, under the admin's alt text, is the credential's image
    assert embedded["image"]["caption"] == ART_ALT
    art_svg = _get(f"{base}/achievements/{achievement_id}/image.svg")
    assert b"M38 62 L54 78 L84 44" in art_svg  # the uploaded drawing, not the default
    assert hashlib.sha256(_get(embedded["image"]["id"])).digest() == \
        hashlib.sha256(badge_art.png_of(art_svg)).digest()
    report = seed.verify(first, database, ctx, NOW)
    assert report.verified, report.to_json()

    # the admin edits it: version 2; the first credential keeps version 1 and verifies
    page.goto("/district/achievements?org=lakeside")
    page.get_by_role("link", name="Edit Classroom Technology Integration").click()
    page.get_by_text("saving a change makes version 2").wait_for()
    page.locator("#f-criteria").fill("Teach two lessons, share both plans, reflect.")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved as version 2").wait_for()
    admin.shot("authoring-03-version-2")
    report = seed.verify(first, database, ctx, NOW)
    assert report.verified, report.to_json()
    public = teacher.context.new_page()
    public.goto(f"/achievements/{achievement_id}")
    public.get_by_text("Teach two lessons, share both plans, reflect.").wait_for()
    public.get_by_role("link", name="Version 1").click()
    public.get_by_text("Teach the lesson, share the plan, reflect on it.").wait_for()
    public.get_by_text("You are reading version 1").wait_for()
    assert axe_violations(public) == []
