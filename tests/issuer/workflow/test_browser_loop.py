"""The whole loop in a real browser (Playwright driving Debian's headless Chromium).

A teacher signs in, submits evidence with a file; a reviewer returns it with
feedback; the teacher revises and resubmits; the reviewer approves; the
teacher sees the badge in the wallet, downloads the baked PNG, and ``badges
verify`` accepts it; the district admin revokes it from the credential list
(its pages, and the forgot-password page, also pass axe-core). Screenshots of
the key pages (desktop and phone) are saved to ``artifacts/workflow/``; every
page is checked for images without alt text, form fields without labels, and
(on the phone) sideways scrolling.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations
from tests.issuer.conftest import LiveServer
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_flow import PDF

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("BADGES_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "workflow"
BADGES = shutil.which("badges") or str(ROOT / ".venv" / "bin" / "badges")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

A11Y_PROBLEMS = """() => {
  const out = [];
  for (const img of document.querySelectorAll('img')) {
    if (!(img.getAttribute('alt') || '').trim()) out.push('image without alt: ' + img.src);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      out.push('field without a label: ' + (el.name || el.id));
  }
  if (!document.querySelector('h1')) out.push('no h1');
  if (!document.documentElement.lang) out.push('no lang');
  return out;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup --dev")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


class Person:
    """One signed-in browser context (its own cookies), desktop or phone sized."""

    def __init__(self, browser: Any, base: str, engine: str, who: str,
                 viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, accept_downloads=True,
                                           base_url=base)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.engine = engine
        self.who = who
        self.phone = viewport is PHONE

    def shot(self, name: str) -> None:
        problems = self.page.evaluate(A11Y_PROBLEMS)
        assert problems == [], f"{name}: {problems}"
        if self.phone:
            overflow = self.page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways on a phone by {overflow}px"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        suffix = "-phone" if self.phone else ""
        self.page.screenshot(path=str(ARTIFACTS / f"{self.engine}-{name}{suffix}.png"),
                             full_page=True)

    def sign_in_with_keyboard(self, email: str) -> None:
        page = self.page
        page.goto("/sign-in")
        page.get_by_label("E-mail address").focus()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/start")


def test_teacher_reviewer_loop_in_the_browser(browser: Any, live_server: LiveServer,
                                              db_url: str, tmp_path: Path) -> None:
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    world = build_world(live_server.app)
    base = live_server.base_url
    teacher = Person(browser, base, engine, "teacher", DESKTOP)
    reviewer = Person(browser, base, engine, "reviewer", DESKTOP)
    phone = Person(browser, base, engine, "teacher", PHONE)

    # the teacher signs in (keyboard only) and starts from the catalogue
    teacher.page.goto("/sign-in")
    teacher.shot("01-sign-in")
    # the forgot-password page, reached from the sign-in page, passes axe-core
    teacher.page.get_by_role("link", name="Forgot your password?").click()
    teacher.page.get_by_role("heading", name="Forgot your password?").wait_for()
    assert axe_violations(teacher.page) == []
    teacher.shot("01-forgot-password")
    teacher.sign_in_with_keyboard(PEOPLE["teacher"][1])
    teacher.shot("02-teacher-start")
    page = teacher.page
    page.get_by_role("link", name="Catalogue", exact=True).click()
    page.wait_for_url("**/catalogue")  # a click only starts the navigation
    teacher.shot("03-catalogue")
    page.get_by_role("link", name="Blended Learning Design").click()
    page.wait_for_url("**/catalogue/*")
    teacher.shot("04-achievement")
    page.get_by_role("button", name="Start a submission").click()
    page.wait_for_url("**/submissions/*")
    submission_path = page.url.removeprefix(base)

    # evidence: a file, a shared link, the per-criterion reflections; save a draft, submit
    plan = tmp_path / "unit-plan.pdf"
    plan.write_bytes(PDF)
    page.get_by_label("File", exact=True).set_input_files(str(plan))
    page.get_by_label("Mention it in the badge").check()
    page.get_by_role("button", name="Upload file").click()
    page.get_by_text("Evidence saved.").wait_for()
    link = page.get_by_role("group", name="A link")
    link.get_by_label("Title", exact=True).fill("Lesson recording")
    link.get_by_label("Web address").fill("https://video.example.org/lesson-1")
    link.get_by_label("Share this link in the badge").check()
    page.get_by_role("button", name="Add link").click()
    page.get_by_text("Evidence saved.").wait_for()
    page.get_by_label("Reflection: Unit design").fill("Stations alternate with online practice.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    page.get_by_label("Reflection: Facilitation").fill("I moved between the groups.")
    teacher.shot("05-submission-draft")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Your evidence was sent to the reviewers").wait_for()
    teacher.shot("06-submitted")

    # the reviewer returns it with feedback
    reviewer.sign_in_with_keyboard(PEOPLE["reviewer"][1])
    rpage = reviewer.page
    rpage.get_by_role("link", name="Review queue", exact=True).click()
    rpage.wait_for_url("**/review")
    reviewer.shot("07-review-queue")
    rpage.get_by_role("link", name="María López").click()
    rpage.wait_for_url("**/review/*")
    reviewer.shot("08-review-page")
    with rpage.expect_download() as download:
        rpage.get_by_role("link", name="Download unit-plan.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    rpage.get_by_role("group", name="Unit design").get_by_label("Developing").check()
    rpage.get_by_label("Feedback for the teacher").fill(
        "Good start. Add a second recording showing the online stations.")
    rpage.get_by_role("button", name="Return for revision").click()
    rpage.get_by_text("Returned to the teacher with your feedback.").wait_for()

    # the teacher revises and resubmits (on a phone this time)
    phone.sign_in_with_keyboard(PEOPLE["teacher"][1])
    ppage = phone.page
    ppage.goto(submission_path)
    ppage.get_by_text("Add a second recording showing the online stations.").first.wait_for()
    phone.shot("09-returned-with-feedback")
    link = ppage.get_by_role("group", name="A link")
    link.get_by_label("Title", exact=True).fill("Second recording")
    link.get_by_label("Web address").fill("https://video.example.org/lesson-2")
    ppage.get_by_role("button", name="Add link").click()
    ppage.get_by_text("Evidence saved.").wait_for()
    ppage.get_by_label("Reflection: Facilitation").fill(
        "I moved between the groups; the second recording shows the online stations.")
    ppage.get_by_role("button", name="Resubmit for review").click()
    ppage.get_by_text("Your evidence was sent to the reviewers").wait_for()

    # the reviewer approves with rubric scores
    rpage.goto(f"/review/{submission_path.rsplit('/', 1)[1]}")
    for criterion, level in (("Unit design", "Proficient"), ("Facilitation", "Exemplary")):
        rpage.get_by_role("group", name=criterion).get_by_label(level).check()
    rpage.get_by_label("Feedback for the teacher").fill("Strong unit; well done.")
    reviewer.shot("10-review-approve")
    rpage.get_by_role("button", name="Approve and award the badge").click()
    rpage.get_by_text("Approved: the badge was issued to the teacher.").wait_for()

    # the teacher's wallet: the badge, its downloads, LinkedIn, the share link
    page.get_by_role("link", name="Wallet", exact=True).click()
    page.get_by_role("heading", name="Blended Learning Design").wait_for()
    teacher.shot("11-wallet")
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin is not None and "organizationName=Lakeside+Unified" in linkedin
    assert "certId=urn%3Auuid%3A" in linkedin and "name=Blended+Learning+Design" in linkedin
    with page.expect_download() as download:
        page.get_by_role("link", name="Badge image with credential (PNG)").click()
    baked = tmp_path / "badge.png"
    download.value.save_as(str(baked))
    ppage.goto("/wallet")
    phone.shot("12-wallet")

    proc = subprocess.run([BADGES, "verify", "--dev", "--json", str(baked)],
                          capture_output=True, text=True, timeout=120, check=False,
                          env=live_server.cli_env())
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["verified"] is True, proc.stdout
    checks = {c["id"]: c["outcome"] for c in report["checks"]}
    assert checks["proof"] == "passed" and checks["key_binding"] == "passed"

    # turning the share link off makes the public page disappear: 410, with a next step
    share = page.locator("a.mono").first.get_attribute("href")
    assert share is not None
    page.get_by_role("button", name="Turn the share link off").click()
    page.get_by_text("the link no longer works").wait_for()
    assert page.request.get(share).status == 410

    # the district sees it on the dashboard
    admin = Person(browser, base, engine, "admin", DESKTOP)
    admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    admin.page.get_by_role("link", name="District", exact=True).click()
    admin.page.get_by_role("heading", name="Badges awarded by school").wait_for()
    admin.shot("13-dashboard")
    phone_admin = Person(browser, base, engine, "admin", PHONE)
    phone_admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    phone_admin.page.goto("/district")
    phone_admin.shot("13-dashboard")

    # the admin revokes the badge from the district's credential list
    apage = admin.page
    apage.get_by_role("link", name="Credentials: revoke or suspend").click()
    assert axe_violations(apage) == []
    admin.shot("14-credentials")
    apage.get_by_role("link", name="Revoke María López: Blended Learning Design").click()
    apage.get_by_label("Reason for revoking").fill("Awarded in error")
    apage.get_by_label("I understand that revocation cannot be undone").check()
    assert axe_violations(apage) == []
    apage.get_by_role("button", name="Revoke this credential").click()
    apage.get_by_text("Revoked María López").wait_for()
    admin.shot("15-credential-revoked")
    revoked_id = apage.url.rsplit("/", 1)[1]
    apage.goto("/district/credentials/bulk")
    apage.get_by_label("Credential ids, one per line").fill(
        revoked_id + "\nurn:uuid:00000000-0000-4000-8000-000000000000")
    apage.get_by_label("Reason for revoking").fill("Awarded in error")
    apage.get_by_label("I understand that revocation cannot be undone").check()
    apage.get_by_role("button", name="Revoke these credentials").click()
    apage.get_by_role("heading", name="Revoked 0 of 2").wait_for()
    apage.get_by_role("heading", name="Already revoked, left as they were (1)").wait_for()
    assert axe_violations(apage) == []
    admin.shot("16-bulk-report")
    del world
    for person in (teacher, reviewer, phone, admin, phone_admin):
        person.context.close()
