"""A pathway to a capstone in a real browser (Playwright, Debian's headless Chromium; issue #20).

A district admin creates a 4-step pathway with one elective step ("any 1 of
these 2") and prerequisites on the district pages (first meeting a field
error); a teacher, refused a locked step, then completes every step through
submissions that a reviewer approves; the capstone is issued automatically,
names its four components as evidence and verifies with our verifier; the
wallet shows the pathway complete and the cohort page counts the teacher.
A second test edits a pathway on its page (the form filled in, a problem by
field, a capstone change refused once one was issued) and a teacher who
holds the remaining steps completes it at once. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.services import achievements
from issuer.services import issuance
from issuer.services import pathways as definitions
from issuer.services.issuance import IssuerContext
from tests.browser.conftest import axe_violations
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.conftest import LiveServer
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_browser_loop import DESKTOP
from tests.issuer.workflow.test_browser_loop import Person
from tests.issuer.workflow.test_browser_loop import browser  # noqa: F401 - the fixture

NAMES = {"tech": "Technology Integration", "literacy": "Digital Literacy",
         "data-use": "Data Use", "assessment": "Assessment Design",
         "mentoring": "Peer Mentoring", "coach": "Certified EdTech Coach"}


def _achievements(live_server: LiveServer) -> None:
    with live_server.app.extensions["badges"]["db"].session() as session:
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        for slug, name in NAMES.items():
            achievements.create(session, org, slug=slug, name=name,
                                description=f"{name}, as practised in class.",
                                criteria="A link to the work, shared in the badge.")


def _fill_pathway(page: Any) -> None:
    page.locator("#f-name").fill("EdTech Coach")
    page.locator("#f-slug").fill("edtech-coach")
    steps = (("Technology", ["Technology Integration"], "", ""),
             ("Literacy or data", ["Digital Literacy", "Data Use"], "1", "1"),
             ("Assessment", ["Assessment Design"], "", ""),
             ("Mentoring", ["Peer Mentoring"], "", "2, 3"))
    for i, (title, chosen, choose, after) in enumerate(steps):
        page.get_by_label(f"Step {i + 1} title", exact=True).fill(title)
        group = page.get_by_role("group", name=f"Step {i + 1} micro-credentials")
        for name in chosen:
            group.get_by_label(name, exact=True).check()
        if choose:
            page.get_by_label(f"Step {i + 1}: how many to earn").fill(choose)
        if after:
            page.get_by_label(f"Step {i + 1}: unlocked after steps").fill(after)


def _earn(teacher: Any, reviewer: Any, name: str) -> None:
    tpage, rpage = teacher.page, reviewer.page
    tpage.goto("/catalogue")
    tpage.get_by_role("link", name=name, exact=True).click()
    tpage.get_by_role("button", name="Start a submission").click()
    tpage.wait_for_url("**/submissions/*")
    link = tpage.get_by_role("group", name="A link")
    link.get_by_label("Title", exact=True).fill(f"{name}: my work")
    link.get_by_label("Web address").fill("https://docs.example.org/work")
    link.get_by_label("Share this link in the badge").check()
    tpage.get_by_role("button", name="Add link").click()
    tpage.get_by_text("Evidence saved.").wait_for()
    tpage.get_by_role("button", name="Submit for review").click()
    tpage.get_by_text("Your evidence was sent to the reviewers").wait_for()
    rpage.goto(f"/review/{tpage.url.rsplit('/', 1)[1]}")
    rpage.get_by_role("button", name="Approve and award the badge").click()
    rpage.get_by_text("Approved: the badge was issued to the teacher.").wait_for()


def test_admin_builds_a_pathway_teacher_completes_it_capstone_issued_and_verifies(
        browser: Any, live_server: LiveServer, db_url: str) -> None:  # noqa: F811
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    build_world(live_server.app)
    _achievements(live_server)
    base = live_server.base_url
    admin = Person(browser, base, engine, "admin", DESKTOP)
    admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    page = admin.page
    page.goto("/district")
    page.get_by_role("link", name="Pathways: progress and capstones").click()
    page.get_by_role("link", name="New pathway").click()
    _fill_pathway(page)
    page.get_by_role("button", name="Save pathway").click()  # no capstone chosen yet
    page.get_by_role("heading", name="1 problem to fix: nothing was saved").wait_for()
    assert page.locator("#f-capstone").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Step 4: unlocked after steps").input_value() == "2, 3"
    assert page.get_by_role("group", name="Step 2 micro-credentials").get_by_label(
        "Data Use", exact=True).is_checked()
    assert axe_violations(page) == []
    page.locator("#f-capstone").select_option(label="Certified EdTech Coach")
    page.get_by_role("button", name="Save pathway").click()
    page.get_by_text("Pathway saved: EdTech Coach.").wait_for()
    page.get_by_text("any 1 of Data Use, Digital Literacy").wait_for()

    teacher = Person(browser, base, engine, "teacher", DESKTOP)
    teacher.sign_in_with_keyboard(PEOPLE["teacher"][1])
    reviewer = Person(browser, base, engine, "reviewer", DESKTOP)
    reviewer.sign_in_with_keyboard(PEOPLE["reviewer"][1])
    tpage = teacher.page
    tpage.goto("/catalogue")
    tpage.get_by_role("link", name="Peer Mentoring", exact=True).click()
    tpage.get_by_role("button", name="Start a submission").click()
    tpage.get_by_text("This step is locked: “Peer Mentoring” is step 4 of the pathway "
                      "“EdTech Coach” and unlocks when you complete step 2 (Literacy or "
                      "data) and step 3 (Assessment)").wait_for()
    for slug in ("tech", "data-use", "assessment"):
        _earn(teacher, reviewer, NAMES[slug])
    tpage.goto("/wallet")
    card = tpage.locator("#pathway-edtech-coach")
    assert "3 of 4 steps done" in card.inner_text()
    assert "Next: step 4, Mentoring" in card.inner_text()
    _earn(teacher, reviewer, NAMES["mentoring"])

    tpage.goto("/wallet")
    card.get_by_text("Complete").wait_for()
    assert "You earned the capstone “Certified EdTech Coach”" in card.inner_text()
    tpage.get_by_role("heading", name="Certified EdTech Coach").wait_for()
    assert axe_violations(tpage) == []
    teacher.shot("pathway-01-wallet-complete")

    database = live_server.app.extensions["badges"]["db"]
    with database.session() as session:
        rows = {c.achievement.slug: (c.document, c.share_token) for c in session.scalars(
            sa.select(IssuedCredential))}
    assert set(rows) == {"tech", "data-use", "assessment", "mentoring", "coach"}
    capstone = json.loads(rows["coach"][0])
    components = [e for e in capstone["evidence"] if e.get("genre") == "Credential"]
    assert [(e["name"], e["id"]) for e in components] == [
        (NAMES[s], f"{base}/c/{rows[s][1]}") for s in ("tech", "data-use", "assessment",
                                                         "mentoring")]
    report = seed.verify(rows["coach"][0], database, seed.app_context(live_server.app), NOW)
    assert report.verified, report.to_json()

    page.goto("/district/pathways?org=lakeside")
    page.get_by_role("link", name="EdTech Coach").click()
    chart = page.get_by_role("figure", name="Teachers who completed each step")
    assert "Step 4: Mentoring: 1 teachers" in (chart.locator("desc").text_content() or "")
    admin.shot("pathway-02-cohort")


def test_admin_edits_a_pathway_on_its_page_and_a_teacher_completes_at_once(
        browser: Any, live_server: LiveServer, db_url: str) -> None:  # noqa: F811
    """Editing: the form comes filled in; a capstone change after one was issued is refused
    with the count; dropping a step completes a teacher who holds the others at once."""
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    build_world(live_server.app)
    _achievements(live_server)
    database = live_server.app.extensions["badges"]["db"]
    settings = live_server.app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with database.session() as session:
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        made = definitions.create(session, org, {
            "slug": "edtech-coach", "name": "EdTech Coach", "capstone": "coach",
            "steps": [{"title": "Technology", "achievements": ["tech"]},
                      {"title": "Assessment", "achievements": ["assessment"]},
                      {"title": "Mentoring", "achievements": ["mentoring"], "after": [1, 2]}]},
            actor="t", now=NOW)
        pathway_id = made.id
        for slug in ("tech", "assessment"):  # María holds steps 1 and 2 of 3
            issuance.award(session, ctx, issuer="lakeside", achievement=slug,
                           email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0], actor="t",
                           now=NOW)
    base = live_server.base_url
    admin = Person(browser, base, engine, "admin", DESKTOP)
    admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    page = admin.page
    page.goto(f"/district/pathways/{pathway_id}")
    page.get_by_role("link", name="Edit this pathway").click()
    page.get_by_role("heading", name="Edit “EdTech Coach”").wait_for()
    assert page.locator("#f-slug").input_value() == "edtech-coach"
    assert page.locator("#f-slug").get_attribute("readonly") is not None
    assert page.get_by_label("Step 3: unlocked after steps").input_value() == "1, 2"
    assert page.get_by_role("group", name="Step 3 micro-credentials").get_by_label(
        "Peer Mentoring", exact=True).is_checked()
    assert axe_violations(page) == []
    # a problem is shown beside its field, nothing saved
    page.get_by_label("Step 2 title", exact=True).fill("")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="1 problem to fix: nothing was saved").wait_for()
    assert page.get_by_label("Step 2 title", exact=True).get_attribute("aria-invalid") == "true"
    # drop the mentoring step and rename: María completes at once
    page.get_by_label("Step 2 title", exact=True).fill("Assessment design")
    page.locator("#f-name").fill("EdTech Coach (two steps)")
    page.get_by_label("Step 3 title", exact=True).fill("")
    page.get_by_role("group", name="Step 3 micro-credentials").get_by_label(
        "Peer Mentoring", exact=True).uncheck()
    page.get_by_label("Step 3: unlocked after steps").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Changes saved: EdTech Coach (two steps). 1 teacher completed the "
                     "pathway with the new steps.").wait_for()
    admin.shot("pathway-03-edited")
    # the capstone is fixed now that one was issued
    page.get_by_role("link", name="Edit this pathway").click()
    assert "1 capstone was already issued" in page.locator("#f-capstone-hint").inner_text()
    page.locator("#f-capstone").select_option(label="Peer Mentoring")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert "1 capstone was already issued (they stay as issued)" in page.locator(
        "#error").inner_text()

    teacher = Person(browser, base, engine, "teacher", DESKTOP)
    teacher.sign_in_with_keyboard(PEOPLE["teacher"][1])
    tpage = teacher.page
    tpage.goto("/wallet")
    card = tpage.locator("#pathway-edtech-coach")
    card.get_by_text("Complete").wait_for()
    assert "You earned the capstone “Certified EdTech Coach”" in card.inner_text()
    with database.session() as session:
        [capstone] = session.scalars(sa.select(IssuedCredential).join(
            achievements.Achievement).where(achievements.Achievement.slug == "coach")).all()
        document = capstone.document
        audit = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "pathway.updated")).all()
    assert [a.actor for a in audit] == [PEOPLE["admin"][1]]
    assert set(audit[0].detail["changes"]) == {"name", "steps"}
    report = seed.verify(document, database, seed.app_context(live_server.app), NOW)
    assert report.verified, report.to_json()
