"""Issue #19's security line for the wallet protocols (OpenID4VCI 1.0, VC-API exchange).

"Every token, code and offer is single-use or expiring, stored hashed; redirect
URIs exact-match; rate-limited; all flows audited": a whole claim in each flow
through Flask's test client, then the tables are read back (no secret in
clear, every step in the audit log), and each protocol endpoint is held back
per client address with 429, ``Retry-After`` and its protocol's error body.
Runs on SQLite and PostgreSQL. The wallet libraries' own runs are in
``tests/issuer/test_oid4vci.py``, ``test_vcapi_exchange.py`` and
``tests/browser/test_wallet_claim.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from badges import keys
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import oid4vci
from issuer.services.issuance import IssuerContext
from issuer.web import oid4vci as oid4vci_web
from issuer.web import vcapi as vcapi_web
from issuer.workflow import throttle
from tests.badges.test_didauth import _signed
from tests.issuer import seed
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

LDP = "OpenBadgeCredential_ldp_vc"
REDIRECT = "https://wallet.example/callback"
VERIFIER = "w" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode() \
    .rstrip("=")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _award(app: Flask, achievement: str) -> IssuedCredential:
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with app.extensions["badges"]["db"].session() as s:
        issued = issuance.award(s, ctx, issuer="lakeside", achievement=achievement,
                                email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0],
                                actor="test", now=seed.now_of(app))
        s.commit()
        s.refresh(issued)
        s.expunge(issued)
        return issued


def _offer(app: Flask, pk: str, *, tx_code: bool) -> oid4vci.Offer:
    with app.extensions["badges"]["db"].session() as s:
        issued = s.get(IssuedCredential, pk)
        assert issued is not None
        made = oid4vci.create_offer(s, issued, base_url=app.extensions["badges"][
            "settings"].base_url, actor="maria", now=seed.now_of(app), with_tx_code=tx_code)
        s.commit()
        return made


def _proof(app: Flask, client: FlaskClient, key: keys.KeyPair) -> tuple[str, str]:
    nonce = client.post("/oid4vci/nonce").get_json()["c_nonce"]
    head = {"typ": oid4vci.PROOF_TYP, "alg": key.jose_alg,
            "kid": f"{key.public.did_key}#{key.public.multibase}"}
    claims = {"aud": app.extensions["badges"]["settings"].base_url,
              "iat": int(seed.now_of(app).timestamp()), "nonce": nonce}
    signing_input = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(
        b"=").decode() for part in (head, claims))
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}", nonce


def _credential(client: FlaskClient, token: str, proof: str) -> Any:
    return client.post("/oid4vci/credential", json={
        "credential_configuration_id": LDP, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {token}"})


def test_every_flow_is_audited_and_no_secret_is_stored_in_clear(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    client = app.test_client()
    key = keys.generate("ed25519")
    first = _award(app, "data-informed-instruction")
    second = _award(app, "blended-learning-design")
    secrets: list[str] = []

    # pre-authorized code with a transaction code (§4.1.1, §6.1)
    made = _offer(app, first.id, tx_code=True)
    code = made.offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    assert made.tx_code is not None
    secrets += [code, made.tx_code, made.uri.rsplit("/", 1)[1]]
    wrong = "0" * len(made.tx_code) if made.tx_code != "0" * len(made.tx_code) else "1" * len(
        made.tx_code)
    grant = {"grant_type": oid4vci.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    refused = client.post("/oid4vci/token", data=urlencode({**grant, "tx_code": wrong}),
                          headers=FORM)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    answer = client.post("/oid4vci/token", data=urlencode({**grant, "tx_code": made.tx_code}),
                         headers=FORM)
    assert answer.status_code == 200, answer.get_json()
    token = answer.get_json()["access_token"]
    proof, nonce = _proof(app, client, key)
    secrets += [token, nonce]
    claimed = _credential(client, token, proof)
    assert claimed.status_code == 200, claimed.get_json()
    again = _credential(client, token, _proof(app, client, key)[0])
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_token"
    stranger = _credential(client, "made-up-token", proof)
    assert stranger.status_code == 401 and stranger.get_json()["error"] == "invalid_token"

    # the VC-API exchange: a presentation for another challenge is refused (and audited)
    exchanged = _offer(app, second.id, tx_code=False)
    assert exchanged.exchange_url is not None
    exchange_id = exchanged.exchange_url.rsplit("/", 1)[1]
    secrets += [exchange_id,
                exchanged.offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]]
    vpr = client.post(f"/exchanges/{exchange_id}", json={})
    assert vpr.status_code == 200
    domain = vpr.get_json()["verifiablePresentationRequest"]["domain"]
    bad = client.post(f"/exchanges/{exchange_id}", json={"verifiablePresentation": _signed(
        key=key, challenge="not-this-exchange", domain=domain)})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_challenge"
    not_a_presentation = client.post(f"/exchanges/{exchange_id}", json=[1])
    assert not_a_presentation.get_json()["error"]["code"] == "invalid_request"
    unknown = client.post("/exchanges/no-such-exchange", json={})
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "exchange_not_found"

    # the authorization code flow (§3.4): the teacher consents; redirect URIs exact-match
    teacher = as_user("teacher")
    request = {"response_type": "code", "client_id": "wallet.example/app",
               "redirect_uri": REDIRECT, "scope": LDP, "state": "s1",
               "code_challenge": CHALLENGE, "code_challenge_method": "S256"}
    assert teacher.get("/oid4vci/authorize?" + urlencode(request)).status_code == 200
    denied = teacher.post("/oid4vci/authorize", {**request, "decision": "deny"})
    assert parse_qs(urlsplit(denied.headers["Location"]).query)["error"] == ["access_denied"]
    allowed = teacher.post("/oid4vci/authorize", {**request, "decision": "allow",
                                                  "credential_id": second.id})
    assert allowed.status_code == 303, allowed.get_data(as_text=True)
    auth_code = parse_qs(urlsplit(allowed.headers["Location"]).query)["code"][0]
    secrets += [auth_code, VERIFIER]
    trade = {"grant_type": "authorization_code", "code": auth_code, "code_verifier": VERIFIER,
             "client_id": "wallet.example/app"}
    for near in (REDIRECT + "/", "https://WALLET.example/callback",
                 REDIRECT + "?x=1"):
        mismatched = client.post("/oid4vci/token", data=urlencode({**trade,
                                                                   "redirect_uri": near}),
                                 headers=FORM)
        assert mismatched.status_code == 400, near
        assert mismatched.get_json()["error"] == "invalid_grant", near
    traded = client.post("/oid4vci/token", data=urlencode({**trade, "redirect_uri": REDIRECT}),
                         headers=FORM)
    assert traded.status_code == 200, traded.get_json()
    code_token = traded.get_json()["access_token"]
    secrets.append(code_token)
    assert _credential(client, code_token, _proof(app, client, key)[0]).status_code == 200
    replay = client.post("/oid4vci/token", data=urlencode({**trade, "redirect_uri": REDIRECT}),
                         headers=FORM)
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"

    with app.extensions["badges"]["db"].session() as s:
        dumped = " ".join(str(row) for table in ("credential_offers", "audit_events",
                                                 "throttle_events")
                          for row in s.execute(sa.text(f"SELECT * FROM {table}")))  # noqa: S608
        hashes = set(s.scalars(sa.text("SELECT code_hash FROM credential_offers")))
        events = list(s.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    for secret in secrets:
        assert secret not in dumped, secret
    assert oid4vci.hash_secret(code) in hashes and oid4vci.hash_secret(auth_code) in hashes
    lakeside = world.orgs["lakeside"]
    actions = [e.action for e in events]
    assert {"credential.offer_created", "credential.claimed", "credential.wallet_authorized",
            "credential.wallet_denied", "credential.claim_refused"} <= set(actions)
    refusals = {(e.detail.get("via"), e.detail.get("endpoint"), e.detail.get("reason"),
                 e.organization_id) for e in events if e.action == "credential.claim_refused"}
    assert {("openid4vci", "token", "invalid_grant", lakeside),  # wrong tx_code, replayed code
            ("openid4vci", "credential", "invalid_token", lakeside),  # a spent token
            ("openid4vci", "credential", "invalid_token", None),  # a token nobody issued
            ("vc-api", None, "invalid_challenge", lakeside),  # a presentation for another
            ("vc-api", None, "invalid_request", lakeside),  # not a presentation
            ("vc-api", None, "exchange_not_found", None)} <= refusals  # an id nobody issued
    assert len([e for e in events if e.action == "credential.claimed"]) == 2


def _fill(app: Flask, limit: throttle.Limit, address: str) -> None:
    """Count all but one of ``limit``'s attempts for ``address`` (as earlier requests would)."""
    with app.extensions["badges"]["db"].session() as s:
        at = seed.now_of(app)
        for _ in range(limit.attempts - 1):
            throttle.record(s, limit, throttle.address_key(address), now=at)
        s.commit()


def test_protocol_endpoints_are_rate_limited_per_client_address(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    client = app.test_client()
    other = {"REMOTE_ADDR": "192.0.2.7"}
    cases: list[tuple[str, Callable[..., Any]]] = [
        ("oid4vci.token", lambda **kw: client.post(
            "/oid4vci/token", data="grant_type=password", headers=FORM, **kw)),
        ("oid4vci.nonce", lambda **kw: client.post("/oid4vci/nonce", **kw)),
        ("oid4vci.credential", lambda **kw: client.post(
            "/oid4vci/credential", json={}, headers={"Authorization": "Bearer x"}, **kw)),
    ]
    for endpoint, call in cases:
        _fill(app, oid4vci_web.LIMITS[endpoint], "127.0.0.1")
        assert call().status_code != 429, endpoint  # the last one allowed
        held = call()
        assert held.status_code == 429, endpoint
        assert held.get_json() == {"error": "invalid_request",
                                   "error_description": oid4vci_web.TOO_MANY}, endpoint
        assert 0 < int(held.headers["Retry-After"]) <= 300, endpoint
        assert held.headers["Cache-Control"] == "no-store"
        assert held.headers["Access-Control-Allow-Origin"] == "*"  # wallets in browsers read it
        assert call(environ_base=other).status_code != 429, endpoint  # another address

    # the VC-API exchange: the project's error shape
    _fill(app, vcapi_web.LIMIT, "127.0.0.1")
    assert client.post("/exchanges/nothing-here", json={}).status_code == 404
    held = client.post("/exchanges/nothing-here", json={})
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
    assert held.get_json()["error"]["code"] == "too_many_requests"
    assert client.get("/exchanges/nothing-here").status_code == 404  # reading is not counted
    assert client.post("/exchanges/nothing-here", json={},
                       environ_base=other).status_code == 404

    # the authorization endpoint is a page for the teacher's browser: an HTML 429
    teacher = as_user("teacher")
    _fill(app, oid4vci_web.LIMITS["oid4vci_wallet.authorize"], "127.0.0.1")
    assert teacher.get("/oid4vci/authorize").status_code == 400
    page = teacher.get("/oid4vci/authorize")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert int(page.headers["Retry-After"]) > 0
    assert "Too many requests" in page.get_data(as_text=True)

    # an IPv6 client is counted by its /64, whichever address of it it uses
    limit = oid4vci_web.LIMITS["oid4vci.nonce"]
    _fill(app, limit, "2001:db8:1:2::1")
    assert client.post("/oid4vci/nonce",
                       environ_base={"REMOTE_ADDR": "2001:db8:1:2::1"}).status_code == 200
    assert client.post("/oid4vci/nonce",
                       environ_base={"REMOTE_ADDR": "2001:db8:1:2::beef"}).status_code == 429
