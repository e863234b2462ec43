"""The public faces in a real browser (issue #18): error pages, withdrawn badges, dead links.

Each page is opened at desktop size and at 390x844 (a phone), in English and
Spanish where the page is bilingual; each passes axe-core's WCAG 2.2 A/AA
rules and best practices with zero violations, fits the screen without
sideways scrolling, and is saved as a screenshot in ``artifacts/browser/``.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from verifier.i18n import TEXT as VERIFIER

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _award(site: Site, *, name: str) -> IssuedCredential:
    state = site.app.extensions["badges"]
    ctx = IssuerContext(base_url=site.base, kek=state["settings"].key_encryption_key)
    with state["db"].session() as session:
        return issuance.award(session, ctx, issuer="lakeside",
                              achievement="blended-learning-design",
                              email="ana.teacher@lakeside.example.org", name=name,
                              actor="test", now=datetime.now(UTC))


@pytest.fixture(scope="module")
def turned_off(site: Site) -> str:
    """The share link of a badge whose owner turned the link off."""
    issued = _award(site, name="Ana Teacher")
    with site.app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, issued.id)
        assert row is not None
        row.share_enabled = False
    return issuance.share_url(site.base, issued)


@pytest.fixture(scope="module")
def revoked(site: Site) -> str:
    """The share link of a revoked badge (reason published)."""
    issued = _award(site, name="Ana Teacher")
    with site.app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued.credential_id, reason="awarded in error", public=True,
                      actor="test", now=datetime.now(UTC))
    return issuance.share_url(site.base, issued)


@pytest.fixture(params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: Any) -> Any:
    context = browser.new_context(viewport=SIZES[request.param])
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def _check(page: Any, name: str) -> None:
    """Zero axe violations, no sideways scroll, and a screenshot."""
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    screenshot(page, f"faces-{name}-{page.size_name}")


def _goto(page: Any, url: str, lang: str) -> Any:
    page.set_extra_http_headers({"Accept-Language": lang})
    return page.goto(url)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_unknown_page_is_a_page_with_a_way_on(sized: Any, site: Site, lang: str) -> None:
    response = _goto(sized, f"{site.base}/issuers", lang)
    assert response.status == 404
    assert sized.locator("html").get_attribute("lang") == lang
    assert sized.locator("h1").inner_text() == VERIFIER[lang]["error_not_found_title"]
    assert '"error"' not in sized.content()
    _check(sized, f"404-{lang}")
    sized.get_by_role("link", name=VERIFIER[lang]["error_verify"]).click()
    sized.wait_for_url("**/verify**")
    assert sized.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_turned_off_link_tells_the_reader_what_to_do(sized: Any, turned_off: str,
                                                       lang: str) -> None:
    response = _goto(sized, turned_off, lang)
    assert response.status == 410
    assert sized.locator("h1").inner_text() == VERIFIER[lang]["error_link_off_title"]
    assert VERIFIER[lang]["error_link_off_next"] in sized.locator("main").inner_text()
    _check(sized, f"410-{lang}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_verifying_a_turned_off_link_names_the_cause(sized: Any, site: Site, turned_off: str,
                                                     lang: str) -> None:
    sized.goto(f"{site.base}/verify?lang={lang}&url={turned_off}")
    sized.wait_for_selector("#verdict-box")
    box = sized.locator("#verdict-box").inner_text()
    assert VERIFIER[lang]["explain_unreadable_link_gone"] in box
    assert VERIFIER[lang]["explain_unreadable"] not in box
    _check(sized, f"verify-turned-off-{lang}")


def test_a_revoked_badge_offers_no_certificate(sized: Any, revoked: str) -> None:
    response = _goto(sized, revoked, "en")
    assert response.status == 200
    main = sized.locator("main").inner_text()
    assert "Revoked" in main and "awarded in error" in main
    assert sized.locator("a[href*='.pdf'], a[href$='.png'], a[href$='.svg']").count() == 0
    _check(sized, "revoked-share-page")
    certificate = _goto(sized, f"{revoked}.pdf", "en")
    assert certificate.status == 410 and certificate.headers["content-type"].startswith(
        "text/html")
    assert VERIFIER["en"]["error_withheld_revoked_title"] == sized.locator("h1").inner_text()
    _check(sized, "revoked-certificate")


def test_the_share_link_can_be_copied(browser: Any, site: Site) -> None:
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
        page = context.new_page()
        page.size_name = size
        page.goto(site.di_share)
        field = page.locator("#share-link")
        assert field.input_value() == site.di_share
        page.get_by_role("button", name="Copy link").click()
        page.wait_for_function("document.getElementById('copy-status').textContent != ''")
        assert page.evaluate("navigator.clipboard.readText()") == site.di_share
        _check(page, "share-page")
        context.close()


def test_without_javascript_the_link_is_a_selectable_field(browser: Any, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.di_share)
    assert page.locator("#share-link").input_value() == site.di_share
    assert not page.locator("#copy-share-link").is_visible()  # no button that cannot work
    context.close()


def test_the_home_page_leads_to_the_verifier(sized: Any, site: Site) -> None:
    sized.goto(site.base + "/")
    assert sized.locator("header.site a[href='/verify']").count() == 1
    _check(sized, "home")
    sized.get_by_role("main").get_by_role("link", name="Check a badge").click()
    sized.wait_for_url("**/verify")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_forged_result_is_not_headed_by_its_claim(sized: Any, site: Site, lang: str) -> None:
    forged = json.loads(site.di)
    forged["credentialSubject"]["achievement"]["name"] = "Superintendent of Everything"
    sized.goto(f"{site.base}/verify?lang={lang}")
    sized.locator("#credential").fill(json.dumps(forged))
    sized.locator("button[type=submit]").click()
    sized.wait_for_selector("#verdict-box")
    assert sized.locator("#verdict-box").get_attribute("data-verdict") == "forged"
    headings = sized.locator("h1, h2, h3").all_inner_texts()
    assert not any("Superintendent" in h for h in headings)
    assert VERIFIER[lang]["claims_heading"] in headings
    _check(sized, f"forged-{lang}")
