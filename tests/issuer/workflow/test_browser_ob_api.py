"""The 1EdTech OB 3.0 API end to end: a test host, a live service, a teacher in Chromium.

Discovery → registration → authorize (the teacher signs in and consents in a
real browser) → token → getCredentials / upsertCredential / getProfile /
putProfile → refresh; then the refusals: bad scopes, a reused code, a
mismatched redirect URI, an expired token, a rotated refresh token, a missing
PKCE challenge. Answers are checked against the OB JSON Schemas bundled in
``badges/schemas``. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask

from badges import dataintegrity
from badges import keys
from issuer.models import AuditEvent
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.browser.conftest import axe_violations
from tests.conftest import load_json
from tests.issuer.conftest import NOW
from tests.issuer.conftest import LiveServer
from tests.issuer.obapi_client import SCOPE
from tests.issuer.obapi_client import ObApiClient
from tests.issuer.obapi_client import http
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_browser_loop import ARGS
from tests.issuer.workflow.test_browser_loop import DESKTOP
from tests.issuer.workflow.test_browser_loop import Person

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("BADGES_CHROMIUM", "/usr/bin/chromium")


def schema(name: str) -> jsonschema.Draft201909Validator:
    text = resources.files("badges").joinpath("schemas", name).read_text("utf-8")
    return jsonschema.Draft201909Validator(json.loads(text))


CREDENTIALS = schema("ob_v3p0_getopenbadgecredentialsresponse-jsonschema1.json")
STATUS_INFO = schema("ob_v3p0_imsx_statusinfo-jsonschema1.json")
PROFILE = schema("ob_v3p0_profile-jsonschema1.json")


class SettableClock:
    """The tests' clock, which the test can move forward."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        self.at += timedelta(microseconds=1)
        return self.at


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup --dev")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def refused(answer: Any, status: int, minor: str) -> None:
    assert answer.status == status, (answer.status, answer.body)
    body = answer.json()
    STATUS_INFO.validate(body)
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor


def elsewhere_credential() -> dict[str, Any]:
    """A badge from another issuer (a did:key), signed, for the teacher."""
    key = keys.generate("ed25519")
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Summer Institute"}
    return dataintegrity.sign_credential(cred, key=key, created="2026-01-01T00:00:00Z")


def test_a_host_connects_through_the_teachers_consent(
        chromium: Any, make_app: Callable[..., Flask], db_url: str) -> None:
    clock = SettableClock(NOW)
    server = LiveServer(lambda **kw: make_app(clock=clock, **kw))
    host = ObApiClient("")
    try:
        run_the_flow(chromium, server, host, clock, db_url)
    finally:
        host.close()
        server.stop()


def run_the_flow(chromium: Any, server: LiveServer, host: ObApiClient, clock: SettableClock,
                 db_url: str) -> None:
    app = server.app
    world = build_world(app)
    base = server.base_url
    settings = app.extensions["badges"]["settings"]
    with app.extensions["badges"]["db"].session() as session:
        for fmt in ("di", "jwt"):
            issuance.award(session, IssuerContext(base_url=base, kek=settings.key_encryption_key),
                           issuer="lakeside", achievement="blended-learning-design",
                           email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0], actor="test",
                           now=NOW, fmt=fmt)
        session.commit()

    # discovery: public, the profiled OpenAPI document with the OAuth endpoints
    host.discovery_url = f"{base}/ims/ob/v3p0/discovery"
    found = host.discover()
    assert found.status == 200 and "max-age" in found.headers["Cache-Control"]
    info = host.discovery["info"]
    assert info["termsOfService"].startswith(base) and info["x-imssf-privacyPolicyUrl"]
    scheme = host.discovery["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2" and scheme["x-imssf-registrationUrl"].startswith(base)
    assert set(host.flow["scopes"]) == set(host.scopes)
    assert http("GET", info["termsOfService"]).status == 200

    # registration: bad metadata is refused, good metadata gets an id and secret
    bad = host.register(redirect_uris=["http://host.example/callback"])
    assert bad.status == 400 and bad.json()["error"] == "invalid_redirect_uri"
    assert host.register(scope=SCOPE + "everything").json()["error"] == \
        "invalid_client_metadata"
    assert host.register(client_uri=None).status == 400
    registered = host.register()
    assert registered.status == 201, registered.body
    assert registered.json()["client_secret_expires_at"] == 0

    # a redirect URI that was not registered is never redirected to
    wrong = http("GET", host.authorization_url(redirect_uri=host.redirect_uri + "/other"))
    assert wrong.status == 400 and "Location" not in wrong.headers
    # a scope the client did not register goes back as invalid_scope
    scoped = http("GET", host.authorization_url(scope=SCOPE + "everything"))
    assert scoped.status == 302
    assert parse_qs(urlsplit(scoped.headers["Location"]).query)["error"] == ["invalid_scope"]
    # PKCE is required, and only S256
    plain = http("GET", host.authorization_url(method="plain"))
    assert parse_qs(urlsplit(plain.headers["Location"]).query)["error"] == ["invalid_request"]

    # the teacher signs in and consents in a real browser
    teacher = Person(chromium, base, "sqlite" if db_url.startswith("sqlite") else "postgresql",
                     "teacher", DESKTOP)
    page = teacher.page
    page.goto(host.authorization_url())
    page.get_by_label("E-mail address").fill(PEOPLE["teacher"][1])
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Allow Test Badge Host to use your badges?").wait_for()
    assert "Read your badges" in page.content()
    assert axe_violations(page) == []
    teacher.shot("obapi-01-consent")
    # the consent and terms pages in Spanish, from the one catalogue, axe-clean too
    page.goto(page.url + "&lang=es")
    page.get_by_role("heading", name="¿Permitir que Test Badge Host use sus insignias?").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Leer sus insignias" in page.content() and "Read your badges" not in page.content()
    page.get_by_role("button", name="No permitir", exact=True).wait_for()
    assert axe_violations(page) == []
    for lang, heading in (("es", "API de Open Badges: condiciones y privacidad"),
                          ("en", "Open Badges API: terms and privacy")):
        page.goto(f"{base}/ims/ob/v3p0/terms?lang={lang}")
        page.get_by_role("heading", name=heading).wait_for()
        assert page.locator("html").get_attribute("lang") == lang
        assert axe_violations(page) == [], lang
    page.goto(host.authorization_url())  # English again (the last choice is remembered)
    page.get_by_role("heading", name="Allow Test Badge Host to use your badges?").wait_for()
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(host.redirect_uri + "?**")
    back = host.received()
    assert back.get("state") == host.state, back
    code = back["code"]

    # token: a wrong verifier or redirect URI burns nothing it should not
    assert host.token(code, redirect_uri=host.redirect_uri + "/x").status == 400
    # the code was claimed by that attempt: single use, even after a failure
    page.goto(host.authorization_url())
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(host.redirect_uri + "?**")
    code = host.received()["code"]
    tokens = host.token(code)
    assert tokens.status == 200, tokens.body
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(host.scopes)
    first_access = host.access_token

    # getCredentials: the teacher's two badges, JSON and compact JWS, paged
    listed = host.get_credentials()
    assert listed.status == 200, listed.body
    CREDENTIALS.validate(listed.json())
    assert len(listed.json()["credential"]) == 1 and len(listed.json()["compactJwsString"]) == 1
    assert listed.headers["X-Total-Count"] == "2"
    paged = host.get_credentials("?limit=1&offset=1")
    assert paged.headers["X-Total-Count"] == "2"
    assert 'rel="prev"' in paged.headers["Link"] and 'rel="next"' not in paged.headers["Link"]
    assert 'rel="first"' in paged.headers["Link"] and 'rel="last"' in paged.headers["Link"]
    assert 'rel="next"' in host.get_credentials("?limit=1").headers["Link"]
    assert host.get_credentials("?since=2030-01-01T00:00:00Z").headers["X-Total-Count"] == "0"
    refused(host.get_credentials("?limit=0"), 400, "invalid_query_parameter")
    refused(host.get_credentials("?since=yesterday"), 400, "invalid_query_parameter")

    # upsertCredential: one of the district's own badges for this teacher is already here
    assert host.upsert_credential(listed.json()["credential"][0]).status == 304
    assert host.upsert_credential(listed.json()["compactJwsString"][0]).status == 304
    assert host.get_credentials().headers["X-Total-Count"] == "2"
    # another issuer's badge is verified, stored, listed; the same again is not modified
    pushed = elsewhere_credential()
    created = host.upsert_credential(pushed)
    assert created.status == 201, created.body
    assert host.upsert_credential(pushed).status == 304
    assert host.get_credentials().headers["X-Total-Count"] == "3"
    forged = json.loads(json.dumps(pushed))
    forged["credentialSubject"]["achievement"]["name"] = "Something else"
    refused(host.upsert_credential(forged), 400, "invalid_data")
    refused(host.upsert_credential("not-a-jws"), 400, "invalid_data")
    # the teacher sees it in the wallet, from elsewhere
    page.goto("/wallet")
    page.get_by_role("heading", name="From elsewhere").wait_for()
    page.get_by_role("heading", name="Connected apps").wait_for()
    assert axe_violations(page) == []
    teacher.shot("obapi-02-wallet")
    assert "Summer Institute" in page.locator("#from-elsewhere").inner_text()

    # getProfile / putProfile
    profile = host.get_profile()
    assert profile.status == 200
    PROFILE.validate(profile.json())
    assert profile.json()["email"] == PEOPLE["teacher"][1]
    changed = host.put_profile({**profile.json(), "name": "María López García"})
    assert changed.status == 200 and changed.json()["name"] == "María López García"
    refused(host.put_profile({"name": "x"}), 400, "invalid_data")

    # refresh rotates: the new pair works, the old access and refresh tokens do not
    old_refresh = host.refresh_token
    assert host.refresh().status == 200
    assert host.get_profile().status == 200
    refused(host.get_profile(token=first_access), 401, "unauthorizedrequest")
    replay = host.refresh(old_refresh)
    assert replay.status == 400 and replay.json()["error"] == "invalid_grant"
    # ...and the replay revoked the whole family (RFC 9700 §4.14.2)
    refused(host.get_profile(), 401, "unauthorizedrequest")

    # a reused code is refused, and a scope the token lacks is forbidden
    again = host.token(code)
    assert again.status == 400 and again.json()["error"] == "invalid_grant"
    page.goto(host.authorization_url(scope=SCOPE + "profile.readonly"))
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(host.redirect_uri + "?**")
    assert host.token(host.received()["code"]).status == 200
    refused(host.get_credentials(), 403, "forbidden")
    assert host.get_profile().status == 200
    # an expired access token is refused; its refresh token still works
    clock.at += timedelta(seconds=3601)
    refused(host.get_profile(), 401, "unauthorizedrequest")
    refused(host.get_profile(token="made-up"), 401, "unauthorizedrequest")
    assert host.refresh().status == 200 and host.get_profile().status == 200
    # an expired code is refused
    page.goto(host.authorization_url(scope=SCOPE + "profile.readonly"))
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(host.redirect_uri + "?**")
    late = host.received()["code"]
    clock.at += timedelta(seconds=601)
    assert host.token(late).json()["error"] == "invalid_grant"
    # revocation (RFC 7009)
    revoked = http("POST", host.flow["tokenUrl"].replace("/token", "/revoke"),
                  body=urlencode({"token": host.refresh_token}).encode(),
                  headers=host._basic())
    assert revoked.status == 200
    refused(host.get_profile(), 401, "unauthorizedrequest")

    # everything is audited, and nothing is stored in clear
    with app.extensions["badges"]["db"].session() as session:
        actions = set(session.scalars(sa.select(AuditEvent.action)))
        # the teacher's school sees the teacher's events; registration has no organization
        seen = {e.action: e.organization_id for e in session.scalars(sa.select(AuditEvent))}
        assert seen["obapi.consent_granted"] == world.orgs["lakeside-high"]
        assert seen["obapi.credential_created"] == world.orgs["lakeside-high"]
        assert seen["obapi.client_registered"] is None
        # reads are audited too: which client read the teacher's badges or profile
        assert seen["obapi.credentials_read"] == world.orgs["lakeside-high"]
        assert seen["obapi.profile_read"] == world.orgs["lakeside-high"]
        dumped = " ".join(str(row) for table in ("oauth_clients", "oauth_codes", "oauth_tokens")
                          for row in session.execute(sa.text(f"SELECT * FROM {table}")))
    assert {"obapi.client_registered", "obapi.consent_granted", "obapi.token_issued",
            "obapi.credential_created", "obapi.profile_updated", "obapi.refresh_replayed",
            "obapi.code_replayed", "obapi.token_revoked", "obapi.credentials_read",
            "obapi.profile_read"} <= actions
    for secret in (host.client_secret, host.access_token, host.refresh_token, code):
        assert secret not in dumped
