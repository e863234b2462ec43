"""A teacher claims a badge into a wallet, in Chromium.

From the wallet page (a pre-authorized offer, OpenID4VCI 1.0 §4.1), and from a
wallet app that starts the authorization code flow (§3.4): the OpenWallet
Foundation's ``@openid4vc/openid4vci`` client builds the PKCE request, the
teacher signs in and consents in the browser, the client trades the code for
the credential bound to its did:key.
"""

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
from tests.interop.node import run_batch
from tests.issuer import seed

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
    assert page.locator("figure svg").count() == 2  # OpenID4VCI and the LCW deep link
    link = page.get_by_role("link", name="Open in a wallet app").get_attribute("href")
    assert link is not None and link.startswith("openid-credential-offer://?credential_offer_uri=")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    screenshot(page, "wallet-claim")
    # the same page in Spanish, from the one catalogue, axe-clean too
    page.goto(f"{site.base}/wallet?lang=es")
    page.get_by_role("button", name="Guardar en una cartera digital").first.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Guardar ") and page.locator(
        "html").get_attribute("lang") == "es"
    page.get_by_role("link", name="Abrir en una aplicación de cartera").wait_for()
    assert "Open in a wallet app" not in page.content()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    page.goto(f"{site.base}/wallet?lang=en")  # back to English for the tests after this one
    uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    with urlopen(uri, timeout=10) as answer:  # noqa: S310 - the loopback test server
        offer = json.loads(answer.read())
    assert offer["credential_issuer"] == site.base
    assert "urn:ietf:params:oauth:grant-type:pre-authorized_code" in offer["grants"]


CLIENT_ID = "wallet.example/test-wallet"
REDIRECT = "https://wallet.example/callback"
LDP = "OpenBadgeCredential_ldp_vc"


def test_a_wallet_app_gets_a_badge_with_the_authorization_code_flow(
        page: Any, site: Site) -> None:
    with site.app.extensions["badges"]["db"].session() as session:
        person = recipients.find_or_create(session, email=EMAIL, name="Ana Teacher")
        accounts.set_password(person, PASSWORD, n=2**12)
    (started,) = run_batch("oid4vci-client.mjs", [{
        "phase": "authorize", "issuer": site.base, "configuration": LDP,
        "redirectUri": REDIRECT, "clientId": CLIENT_ID}], timeout=60)
    assert started["ok"] is True, started
    request = parse_qs(urlsplit(started["authorizationRequestUrl"]).query)
    assert request["code_challenge_method"] == ["S256"] and request["scope"] == [LDP]
    page.goto(started["authorizationRequestUrl"])
    # not signed in: the sign-in page first, then back to the wallet app's request
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Send a badge to a wallet app"
    assert CLIENT_ID in page.inner_text("main") and "wallet.example" in page.inner_text("main")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    screenshot(page, "wallet-authorize")
    # the consent page in Spanish, from the one catalogue, axe-clean too
    english = page.url
    page.goto(english + "&lang=es")
    page.get_by_role("heading", name="Enviar una insignia a una aplicación de cartera").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert CLIENT_ID in page.inner_text("main")
    page.get_by_role("button", name="Permitir", exact=True).wait_for()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    page.goto(english + "&lang=en")
    page.get_by_role("heading", name="Send a badge to a wallet app").wait_for()
    # the browser is sent back to the wallet app (a host that does not exist: the request
    # itself is what the app would receive)
    with page.expect_request("https://wallet.example/**") as back:
        page.get_by_role("button", name="Allow", exact=True).click()
    answer = parse_qs(urlsplit(back.value.url).query)
    assert answer["iss"] == [site.base], back.value.url
    code = answer["code"][0]
    now = int(seed.now_of(site.app).timestamp())
    trade = {"phase": "code", "offer": started["offer"], "code": code,
             "codeVerifier": started["codeVerifier"], "redirectUri": REDIRECT,
             "clientId": CLIENT_ID, "configuration": LDP, "holder": "did:key", "now": now}
    (claimed,) = run_batch("oid4vci-client.mjs", [trade], timeout=90)
    assert claimed["ok"] is True, claimed
    credential = claimed["credential"]
    assert credential["credentialSubject"]["id"] == claimed["holder"]
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [
        credential["proof"]]
    assert {p["cryptosuite"] for p in proofs} == {"eddsa-rdfc-2022"}
    # our verifier: the claimed copy verifies (its issuer's key, its status list)
    report = seed.verify(json.dumps(credential), site.app.extensions["badges"]["db"],
                         seed.app_context(site.app), now=seed.now_of(site.app))
    assert next(c for c in report.checks if c.id == "proof").outcome == "passed", report
    # the code works once
    (reused,) = run_batch("oid4vci-client.mjs", [trade], timeout=90)
    assert reused["ok"] is False and reused["stage"] == "token", reused
    assert reused["body"]["error"] == "invalid_grant", reused
