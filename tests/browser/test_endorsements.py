"""Endorsements in a real browser (issue #20): "endorsed by" only when the endorsement verifies.

A partner's genuine endorsement of one achievement, and a forged one (the
partner's name, another key) of another; a badge of each. In Chromium the
first badge's share page says "Endorsed by …" and its "Verify this badge
now" report lists the endorsement; the second badge's share page and report
name the forged one as not verified and never say "Endorsed by". Pages pass
axe-core with zero violations.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from issuer.models import Achievement
from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Role
from issuer.services import endorsements
from issuer.services import issuance
from issuer.services import recipients
from issuer.services.issuance import IssuerContext
from issuer.workflow import accounts
from tests.browser.conftest import PASSWORD
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.conftest import sign_in
from tests.issuer.workflow.test_endorsements import COMMENT
from tests.issuer.workflow.test_endorsements import forge

PARTNER = "Riverside State University"
PARTNER_ADMIN = "dean.rivera@riverside.example.edu"
DISTRICT_ADMIN = "dana.whitfield@lakeside.example.org"


@pytest.fixture(scope="module")
def shares(site: Site) -> dict[str, str]:
    """Share links: a badge with a genuine endorsement, and one with a forged one."""
    state = site.app.extensions["badges"]
    ctx = IssuerContext(base_url=site.base, kek=state["settings"].key_encryption_key)
    now = datetime.now(UTC).replace(microsecond=0)
    with state["db"].session() as session:
        district = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert district is not None
        ids = {a.slug: a.id for a in session.scalars(sa.select(Achievement))}
        link = endorsements.add_partner(session, ctx, district=district, slug="riverside-state",
                                        name=PARTNER, url=None, actor="test", now=now)
        endorsements.endorse(session, ctx, partner=link.partner,
                             subject_id=f"{site.base}/achievements/"
                                        f"{ids['blended-learning-design']}",
                             comment=COMMENT, actor="test", now=now)
        forge(session, ctx, partner=link.partner, district=district,
              achievement_id=ids["data-informed-instruction"], now=now)
        n = site.app.extensions["workflow"].scrypt_n
        for email, name, org in ((PARTNER_ADMIN, "Dean Rivera", link.partner),
                                 (DISTRICT_ADMIN, "Dana Whitfield", district)):
            person = recipients.find_or_create(session, email=email, name=name)
            accounts.set_password(person, PASSWORD, n=n)
            session.add(Membership(person_id=person.id, organization_id=org.id,
                                   role=Role.ADMIN))
            session.flush()
    found = {}
    for key, slug in (("genuine", "blended-learning-design"),
                      ("forged", "data-informed-instruction")):
        with state["db"].session() as session:
            issued = issuance.award(session, ctx, issuer="lakeside", achievement=slug,
                                    email="ana.teacher@lakeside.example.org",
                                    name="Ana Teacher", actor="test", now=now)
            found[key] = issuance.share_url(site.base, issued)
    return found


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


def test_endorsed_by_shows_only_for_an_endorsement_that_verifies(
        page: Any, site: Site, shares: dict[str, str]) -> None:
    page.goto(shares["genuine"] + "?lang=en")
    section = page.locator("#endorsements")
    assert f"Endorsed by {PARTNER}" in section.inner_text()
    assert COMMENT in section.inner_text()
    _accessible(page)
    screenshot(page, "endorsement-share-genuine")
    page.get_by_role("link", name="Verify this badge now").click()
    page.wait_for_selector("#verdict-box")
    assert page.locator("#verdict-box").get_attribute("data-verdict") == "verified"
    assert page.locator('#endorsements [data-testid="endorsed-by"]').inner_text() == \
        f"Endorsed by {PARTNER}"
    _accessible(page)
    screenshot(page, "endorsement-report-genuine")

    page.goto(shares["forged"] + "?lang=es")
    section = page.locator("#endorsements")
    assert "Avalado por" not in page.content() and COMMENT not in page.content()
    assert f"Un aval a nombre de {PARTNER} no se pudo verificar" in section.inner_text()
    _accessible(page)
    screenshot(page, "endorsement-share-forged-es")
    page.get_by_role("link", name="Verificar esta insignia ahora").click()
    page.wait_for_selector("#verdict-box")
    assert page.locator("#verdict-box").get_attribute("data-verdict") != "verified"
    assert page.locator('[data-testid="endorsed-by"]').count() == 0
    assert PARTNER in page.locator('#endorsements [data-testid="endorsement-not-verified"]') \
        .inner_text()
    _accessible(page)
    # (page.errors is not asserted: Chromium asks for /favicon.ico, which the site answers 404)


def test_the_partner_and_district_pages(page: Any, site: Site, shares: dict[str, str]) -> None:
    """The partner's admin endorses in the browser; the district's page lists it."""
    sign_in(page, site, PARTNER_ADMIN)
    page.goto(f"{site.base}/partner/endorsements")
    _accessible(page)
    page.get_by_label("What you endorse").select_option(label="Lakeside Unified School District "
                                                             "(the district as an issuer)")
    page.get_by_label("Your comment").fill("A district that invests in its teachers.")
    page.get_by_role("button", name="Sign the endorsement").click()
    page.wait_for_load_state()
    assert "Endorsement signed" in page.content()
    assert page.get_by_role("button", name="Withdraw the endorsement of Lakeside Unified "
                                           "School District").count() == 1
    _accessible(page)
    screenshot(page, "endorsement-partner-page")
    page.context.clear_cookies()
    sign_in(page, site, DISTRICT_ADMIN)
    page.goto(f"{site.base}/district/partners")
    assert f"{PARTNER} endorsed Lakeside Unified School District" in page.content()
    _accessible(page)
    screenshot(page, "endorsement-district-partners")
    page.goto(f"{site.base}/issuers/lakeside")
    assert f"Endorsed by {PARTNER}" in page.locator("#endorsements").inner_text()
    _accessible(page)
