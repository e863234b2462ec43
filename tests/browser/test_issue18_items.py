"""Issue #18 item by item in a real browser: desktop and 390x844, English and Spanish.

Each test walks one numbered item of the issue as a hiring school, a teacher,
a reviewer or an administrator would meet it, once per view (desktop or
phone, English or Spanish: the language as a browser sends it, in
``Accept-Language``). Every page on the way has one main heading, zero
axe-core violations (WCAG 2.2 A/AA and best practices), no sideways scroll,
and a screenshot in ``artifacts/browser/items-*.png``. One service and one
browser serve the whole module; each view is a fresh browser context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from badges import model
from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.services import issuance
from issuer.services import recipients
from issuer.services import status
from issuer.services.issuance import IssuerContext
from issuer.workflow import accounts
from issuer.workflow import submissions
from issuer.workflow.access import load_viewer
from tests.browser.conftest import ADMIN
from tests.browser.conftest import REVIEWER
from tests.browser.conftest import TEACHER
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.conftest import sign_in
from tests.browser.test_fit_and_focus import _FOCUS
from tests.browser.test_fit_and_focus import _contrast
from tests.browser.test_fit_and_focus import _rgb
from tests.issuer import seed
from verifier.i18n import TEXT

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
VIEWS = [(size, lang) for size in SIZES for lang in ("en", "es")]
ISO_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@dataclass
class World:
    """What the walk needs besides the site's two valid badges."""

    turned_off: str
    revoked: str
    suspended: str
    with_evidence: str
    submission: str


def _award(site: Site, **extra: Any) -> IssuedCredential:
    state = site.app.extensions["badges"]
    ctx = IssuerContext(base_url=site.base, kek=state["settings"].key_encryption_key)
    with state["db"].session() as session:
        return issuance.award(session, ctx, issuer="lakeside",
                              achievement="blended-learning-design", email=TEACHER,
                              name="Ana Teacher", actor="test", now=datetime.now(UTC), **extra)


@pytest.fixture(scope="module")
def world(site: Site, teacher: str) -> World:
    """Badges in every state, shared evidence, and a submission its reviewer mentors."""
    state = site.app.extensions["badges"]
    seed.suspension_on(site.app, "lakeside")
    now = datetime.now(UTC)
    turned_off, revoked, suspended = _award(site), _award(site), _award(site)
    shared = _award(site, evidence=(model.Evidence(
        id="https://portfolio.example.org/fractions", name="Fractions unit",
        genre="Lesson plan", description="A unit plan with manipulatives."),))
    with state["db"].session() as session:
        row = session.get(IssuedCredential, turned_off.id)
        assert row is not None
        row.share_enabled = False
        status.revoke(session, revoked.credential_id, reason="awarded in error", public=True,
                      actor="test", now=now)
        status.suspend(session, suspended.credential_id, actor="test", now=now)
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        ana = recipients.find_or_create(session, email=TEACHER, name="Ana Teacher")
        marcus = recipients.find_or_create(session, email=REVIEWER, name="Marcus Reviewer")
        # Marcus mentors Ana and the district asks another reviewer to decide for mentees
        accounts.set_mentoring(session, org.id, mentor=marcus, teacher=ana, on=True,
                               actor="test", now=now)
        accounts.set_mentor_rule(session, org.id, on=True, actor="test", now=now)
        achievement = session.scalar(sa.select(Achievement).where(
            Achievement.organization_id == org.id, Achievement.name == "Data Use"))
        if achievement is None:
            achievement = session.scalar(sa.select(Achievement).where(
                Achievement.organization_id == org.id).order_by(Achievement.name))
        assert achievement is not None
        viewer = load_viewer(session, ana)
        sub = submissions.start(session, viewer, achievement_id=achievement.id,
                                organization_id=None, now=now)
        for n in (1, 2):
            submissions.add_link(session, sub, title=f"Lesson {n}",
                                 url=f"https://portfolio.example.org/lesson-{n}", note=None,
                                 contains_student_data=False, share=True, now=now)
        submissions.submit(session, viewer, sub, base_url=site.base, now=now)
        submission = sub.id
    return World(issuance.share_url(site.base, turned_off), issuance.share_url(site.base, revoked),
                 issuance.share_url(site.base, suspended), issuance.share_url(site.base, shared),
                 submission)


@pytest.fixture(params=VIEWS, ids=[f"{s}-{lang}" for s, lang in VIEWS])
def view(request: pytest.FixtureRequest, browser: Any, site: Site) -> Iterator[Any]:
    size, lang = request.param
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True,
                                  extra_http_headers={"Accept-Language": lang},
                                  is_mobile=size == "phone", has_touch=size == "phone")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
    page = context.new_page()
    page.size_name, page.lang = size, lang
    page.t = TEXT[lang]
    yield page
    context.close()


def _check(page: Any, name: str) -> str:
    """One h1, zero axe violations, no sideways scroll, a screenshot; the main text."""
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1, f"{name}: one main heading"
    assert page.locator("html").get_attribute("lang") == page.lang, name
    violations = axe_violations(page)
    assert violations == [], f"{name}: " + json.dumps(violations, indent=2)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name}: {widths[0]}px of content in {widths[1]}px"
    screenshot(page, f"items-{name}-{page.size_name}-{page.lang}")
    text: str = page.locator("main").inner_text()
    assert not ISO_DAY.search(text), f"{name}: a date written 2026-12-04 style"
    return text


def test_1_a_browser_never_gets_raw_json(view: Any, site: Site, world: World) -> None:
    t = view.t
    for name, url, code, title in (
            ("404", f"{site.base}/issuers", 404, "error_not_found_title"),
            ("410", world.turned_off, 410, "error_link_off_title"),
            ("unknown-link", f"{site.base}/c/no-such-link", 404, "error_credential_title")):
        response = view.goto(url)
        assert response.status == code and response.headers["content-type"].startswith(
            "text/html"), name
        assert view.locator("h1").inner_text() == t[title]
        assert '"error"' not in view.content()
        _check(view, f"1-{name}")
    # the next step is there, in the reader's language
    view.get_by_role("link", name=t["error_verify"]).click()
    view.wait_for_url("**/verify**")
    assert view.locator("html").get_attribute("lang") == view.lang


def test_2_a_withdrawn_badge_never_looks_valid(view: Any, world: World) -> None:
    t = view.t
    for state, share, http in (("revoked", world.revoked, 410),
                               ("suspended", world.suspended, 409)):
        assert view.goto(share).status == 200
        main = _check(view, f"2-share-{state}")
        assert t[f"share_{state}"] in main and t["share_active"] not in main
        if state == "revoked":
            assert "awarded in error" in main
        assert view.locator("a[href*='.pdf'], a[href$='.png'], a[href$='.svg']").count() == 0
        assert view.title().startswith(t[f"share_{state}"] + ":")
        og = view.locator("meta[property='og:title']").get_attribute("content")
        assert og.startswith(t[f"share_{state}"] + ":")  # what LinkedIn or a chat shows
        for ext, key in (("pdf", "error_withheld"), ("png", "error_image")):
            response = view.goto(f"{share}.{ext}")
            assert response.status == http
            assert response.headers["content-type"].startswith("text/html")
            assert view.locator("h1").inner_text() == t[f"{key}_{state}_title"]
            if ext == "pdf":  # the image's refusal is the same page with other words
                _check(view, f"2-{ext}-{state}")


def test_3_a_dead_link_is_explained_by_its_cause(view: Any, site: Site, world: World) -> None:
    t = view.t
    for name, url, key in (
            ("turned-off", world.turned_off, "explain_unreadable_link_gone"),
            ("not-found", f"{site.base}/c/no-such-link", "explain_unreadable_link_not_found")):
        view.goto(f"{site.base}/verify?url={url}")
        box = view.locator("#verdict-box").inner_text()
        assert t[key] in box and t["explain_unreadable"] not in box, name
        _check(view, f"3-{name}")


def test_4_the_verifier_is_found_from_home_and_every_header(view: Any, site: Site,
                                                          world: World) -> None:
    t = view.t
    for name, url in (("home", f"{site.base}/"), ("share", world.with_evidence),
                      ("error", f"{site.base}/issuers")):
        view.goto(url)
        header = view.locator("header.site a.to-verifier")
        assert header.inner_text() == t["site_check"], name
        if name == "home":
            _check(view, "4-home")
    view.goto(f"{site.base}/issuers/lakeside")  # the issuer's public profile, in the language
    assert t["prof_keys"] in _check(view, "4-issuer-profile")
    view.goto(f"{site.base}/")
    view.get_by_role("main").get_by_role("link", name=t["site_check"]).click()
    view.wait_for_url("**/verify**")
    assert view.locator("html").get_attribute("lang") == view.lang
    assert view.locator("h1").inner_text() == t["title"]


def test_5_the_result_fits_the_screen(view: Any, site: Site) -> None:
    view.goto(f"{site.base}/verify?url={site.di_share}")
    assert view.locator("#verdict-box").get_attribute("data-verdict") == "verified"
    _check(view, "5-result")
    spills = view.evaluate("""() => [...document.querySelectorAll('.tag, .pill')]
        .filter(e => e.scrollWidth > e.clientWidth + 1
                || e.getBoundingClientRect().right > window.innerWidth)
        .map(e => e.textContent)""")
    assert spills == [], f"tags spill out of their oval: {spills}"
    # on a phone the details read as one column (term above value), not a squeezed grid
    dt, dd = view.locator("dl.facts dt").first, view.locator("dl.facts dd").first
    left = dt.bounding_box()["x"], dd.bounding_box()["x"]
    assert (left[0] == left[1]) == (view.size_name == "phone"), left


def test_6_a_forged_result_is_not_headed_by_its_claim(view: Any, site: Site) -> None:
    forged = json.loads(site.di)
    forged["credentialSubject"]["achievement"]["name"] = "Superintendent of Everything"
    view.goto(f"{site.base}/verify")
    view.locator("#credential").fill(json.dumps(forged))
    view.locator("button[type=submit]").click()
    view.wait_for_selector("#verdict-box")
    assert view.locator("#verdict-box").get_attribute("data-verdict") == "forged"
    headings = view.locator("h1, h2, h3").all_inner_texts()
    assert not any("Superintendent" in h for h in headings)
    assert view.t["claims_heading"] in headings
    tags = view.locator("#issuer .tag").all_inner_texts()
    assert all(tag.strip() for tag in tags), "an empty tag under Issued by"
    _check(view, "6-forged")


def test_7_a_verified_result_speaks_plainly_and_prints(view: Any, site: Site) -> None:
    t = view.t
    view.goto(f"{site.base}/verify?url={site.jwt_share}")
    assert view.locator("#verdict-box").get_attribute("data-verdict") == "verified"
    main = _check(view, "7-verified")
    assert t["no_registry"] not in main and "registry" not in main.lower()
    assert t["known"] in view.locator("#issuer").inner_text()
    # the JSON receipt is kept, named for people; the printable page is one click away
    assert view.locator("a#receipt").get_attribute("download").endswith(".json")
    view.locator("#receipt-print").click()
    view.wait_for_selector("#receipt-signature")
    assert view.locator("#receipt-signature").get_attribute("data-genuine") == "true"
    _check(view, "7-receipt")


def test_8_focus_error_summaries_and_the_current_language(view: Any, site: Site) -> None:
    t = view.t
    view.goto(f"{site.base}/")
    for _ in range(3):  # the skip link, then the header's links
        view.keyboard.press("Tab")
        ring = view.evaluate(_FOCUS)
        ratio = _contrast(_rgb(ring["outline"]), _rgb(ring["background"]))
        assert ring["style"] != "none" and ring["width"] >= 2 and ratio >= 3, (ring, ratio)
    current = view.locator("header nav.languages a[aria-current=page]")
    assert current.get_attribute("hreflang") == view.lang
    look = current.evaluate("a => [getComputedStyle(a).fontWeight, "
                            "getComputedStyle(a).borderBottomStyle]")
    assert look == ["700", "solid"]
    other = view.locator("header nav.languages a:not([aria-current])")
    assert other.evaluate("a => getComputedStyle(a).fontWeight") != "700"
    view.goto(f"{site.base}/verify")
    view.locator("button[type=submit]").click()
    view.wait_for_selector("#form-error")
    assert view.evaluate("document.activeElement.id") == "form-error"
    assert t["nothing"] in view.locator("#form-error").inner_text()
    _check(view, "8-form-error")


def _revoked_count(site: Site) -> int:
    with site.app.extensions["badges"]["db"].session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                                  .where(IssuedCredential.revoked_at.is_not(None))) or 0)


def test_without_javascript_the_link_is_a_selectable_field(browser: Any, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.di_share)
    assert page.locator("#share-link").input_value() == site.di_share
    assert not page.locator("#copy-share-link").is_visible()  # no button that cannot work
    context.close()


def test_9_the_small_things(view: Any, site: Site, world: World) -> None:
    t = view.t
    # the share page: shared evidence, a current-status line, a copy button, named downloads
    view.goto(world.with_evidence)
    main = _check(view, "9-share-evidence")
    assert t["share_evidence"].format(name="Ana Teacher") in main and "Fractions unit" in main
    assert t["share_active"] in main
    view.get_by_role("button", name=t["share_copy"]).click()
    view.wait_for_function("document.getElementById('copy-status').textContent != ''")
    assert view.evaluate("navigator.clipboard.readText()") == world.with_evidence
    with view.expect_download() as download:
        view.get_by_role("link", name=t["share_json"]).click()
    assert download.value.suggested_filename == "Blended Learning Design - Ana Teacher.json"
    # the wallet: LinkedIn only for a badge in force; the withdrawn ones say why
    sign_in(view, site, TEACHER)
    view.goto(f"{site.base}/wallet")
    main = _check(view, "9-wallet")
    assert t["wallet_withheld_revoked"] in main and t["wallet_withheld_suspended"] in main
    for article in view.locator("article.card").all():
        text = article.inner_text()
        withdrawn = t["wallet_revoked"] in text.split("\n") or \
            t["wallet_suspended"] in text.split("\n")
        linkedin = article.get_by_role("link", name=re.compile(t["wallet_linkedin"])).count()
        assert linkedin == (0 if withdrawn else int(t["wallet_share_off"] in text)), text
    view.goto(f"{site.base}/submissions")
    _check(view, "9-evidence-list")
    view.goto(f"{site.base}/submissions/{world.submission}")
    _check(view, "9-submission")
    # the history and the evidence list count the same pieces, in the same words
    assert view.locator(".history-items").first.inner_text() == t["hist_pieces"].format(n=2)
    assert view.locator("#evidence-title").inner_text() == t["sub_evidence"].format(count=2)
    # the reviewer's queue says which submission another reviewer must decide
    view.context.clear_cookies()
    sign_in(view, site, REVIEWER)
    view.goto(f"{site.base}/review")
    main = _check(view, "9-queue")
    assert t["queue_conflict"] in main and t["blocker_mentor"] in main
    assert "earner" not in main.lower() and t["col_teacher"] in main
    view.goto(f"{site.base}/review/{world.submission}")
    main = _check(view, "9-review")
    assert t["rv_cannot"] in main and t["blocker_mentor"] in main
    assert view.locator("button[value=approve]").count() == 0
    # the district's dashboard counts revoked badges apart from those awarded
    view.context.clear_cookies()
    sign_in(view, site, ADMIN)
    view.goto(f"{site.base}/district")
    main = _check(view, "9-dashboard")
    assert t["dash_revoked_more"].format(count=_revoked_count(site)) in main
    assert t["dash_awarded"] in main


def test_a_signed_in_person_keeps_the_language_they_chose(browser: Any, site: Site,
                                                          teacher: str) -> None:
    """The header's switch holds from page to page for a signed-in person (their session)."""
    context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    sign_in(page, site, teacher)
    page.goto(f"{site.base}/wallet")
    assert page.locator("h1").inner_text() == TEXT["en"]["wallet_heading"]
    page.locator("header nav.languages a[hreflang=es]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TEXT["es"]["wallet_heading"]
    for path, heading in (("/submissions", "subs_title"), ("/catalogue", "cat_title")):
        page.goto(f"{site.base}{path}")  # no ?lang=: the choice is remembered
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("h1").inner_text() == TEXT["es"][heading]
    page.get_by_role("main").get_by_role("link", name="Blended Learning Design").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=TEXT["es"]["cd_earn"]).count() == 1
    page.locator("header nav.languages a[hreflang=en]").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=TEXT["en"]["cd_earn"]).count() == 1
    context.close()
