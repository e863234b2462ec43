"""A teacher claims a badge into a wallet from the wallet page, in Chromium (OpenID4VCI §4.1)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from urllib.request import urlopen

from issuer.services import recipients
from issuer.workflow import accounts
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot

EMAIL = "ana.teacher@lakeside.example.org"
PASSWORD = "claim-a-wallet-badge-42"


def test_claim_in_a_wallet_shows_a_qr_code_and_the_offer(page: Any, site: Site) -> None:
    with site.app.extensions["badges"]["db"].session() as session:
        person = recipients.find_or_create(session, email=EMAIL, name="Ana Teacher")
        accounts.set_password(person, PASSWORD, n=2**12)
    page.goto(f"{site.base}/sign-in")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{site.base}/wallet")
    page.get_by_role("button", name="Claim in a wallet").first.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Claim ") and "in a wallet" in page.inner_text("h1")
    assert page.locator("figure svg").count() == 1
    link = page.get_by_role("link", name="Open in a wallet app").get_attribute("href")
    assert link is not None and link.startswith("openid-credential-offer://?credential_offer_uri=")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    screenshot(page, "wallet-claim")
    uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    with urlopen(uri, timeout=10) as answer:  # noqa: S310 - the loopback test server
        offer = json.loads(answer.read())
    assert offer["credential_issuer"] == site.base
    assert "urn:ietf:params:oauth:grant-type:pre-authorized_code" in offer["grants"]
