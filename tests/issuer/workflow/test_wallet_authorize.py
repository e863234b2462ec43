"""OpenID4VCI authorization code flow (§3.4, §5, §6): consent, PKCE, exact redirect, refusals.

The happy path with a real wallet library and Chromium is in
``tests/browser/test_wallet_claim.py``; here the teacher's consent and the
token endpoint are driven directly, to show every refusal and its error body
(RFC 6749 §4.1.2.1, §5.2; RFC 7636 §4.6).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from badges import keys
from issuer.models import AuditEvent
from issuer.models_oid4vci import CredentialOffer
from issuer.services import issuance
from issuer.services import oid4vci
from issuer.services import status
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

REDIRECT = "https://wallet.example/cb?app=1"
CLIENT = "https://wallet.example"
VERIFIER = "v" * 20 + "-erifier._~" + "x" * 20


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class Award:
    id: str
    credential_id: str
    name: str


def _award(app: Flask) -> Award:
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, seed.app_context(app), issuer="lakeside",
                                achievement="blended-learning-design",
                                email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0],
                                actor="test", now=NOW)
        session.commit()
        return Award(issued.id, issued.credential_id, issued.achievement.name)


def _proof(app: Flask, key: keys.KeyPair) -> str:
    """A ``jwt`` key proof (OpenID4VCI 1.0 Appendix F.1) with a fresh nonce."""
    nonce = app.test_client().post("/oid4vci/nonce").json
    assert nonce is not None
    head = {"typ": oid4vci.PROOF_TYP, "alg": key.jose_alg,
            "kid": f"{key.public.did_key}#{key.public.multibase}"}
    claims = {"aud": seed.app_context(app).base_url, "nonce": nonce["c_nonce"],
              "iat": int(seed.now_of(app).timestamp())}
    signing_input = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(
        b"=").decode() for part in (head, claims))
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


def _params(**changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT,
        "code_challenge": _challenge(VERIFIER), "code_challenge_method": "S256",
        "scope": "OpenBadgeCredential_ldp_vc", "state": "s-1", **changes}
    return {k: v for k, v in params.items() if v is not None}


def _back(response: Any) -> dict[str, str]:
    """The answer the wallet gets on its redirect URI."""
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "&"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _consent(teacher: Browser, issued: Award, **changes: str | None) -> Any:
    return teacher.post("/oid4vci/authorize", {**_params(**changes), "decision": "allow",
                                               "credential_id": issued.id})


def _token(app: Flask, code: str, **changes: str | None) -> tuple[int, dict[str, Any]]:
    form: dict[str, str | None] = {"grant_type": "authorization_code", "code": code,
                                   "code_verifier": VERIFIER, "redirect_uri": REDIRECT,
                                   "client_id": CLIENT, **changes}
    answer = app.test_client().post("/oid4vci/token",
                                    data={k: v for k, v in form.items() if v is not None})
    assert answer.json is not None
    return answer.status_code, answer.json


def test_consent_pkce_and_exact_redirect(app: Flask, world: World,
                                         as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    query = "/oid4vci/authorize?" + urlencode(_params())
    # metadata names the endpoint, PKCE S256 and the scopes
    meta = app.test_client().get("/.well-known/oauth-authorization-server").json
    assert meta is not None and meta["authorization_endpoint"].endswith("/oid4vci/authorize")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert oid4vci.AUTHORIZATION_CODE_GRANT in meta["grant_types_supported"]
    # not signed in: the sign-in page, which comes back to this request
    anonymous = app.test_client().get(query)
    assert anonymous.status_code == 302 and "/sign-in?next=" in anonymous.headers["Location"]
    teacher = as_user("teacher")
    page = teacher.get(query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert CLIENT in html and issued.name in html
    assert "form-action 'self' https://wallet.example;" in page.headers["Content-Security-Policy"]
    # the teacher allows: a code, the state and the issuer (RFC 9207) go back to the wallet
    answer = _back(_consent(teacher, issued))
    assert answer["state"] == "s-1" and answer["iss"] == seed.app_context(app).base_url
    assert answer["app"] == "1"  # the redirect URI's own query is kept
    code = first_code = answer["code"]
    # the token endpoint wants the same redirect URI, the same client and the PKCE verifier
    assert _token(app, code, redirect_uri="https://wallet.example/cb")[1]["error"] == \
        "invalid_grant"
    assert _token(app, code, client_id="someone-else")[1]["error"] == "invalid_grant"
    assert _token(app, code, code_verifier="w" * 43)[1]["error"] == "invalid_grant"
    assert _token(app, code, code_verifier=None)[1]["error"] == "invalid_request"
    # the authorization code is not a pre-authorized code
    pre = app.test_client().post("/oid4vci/token", data={
        "grant_type": oid4vci.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}).json
    assert pre is not None and pre["error"] == "invalid_grant"
    status_code, token = _token(app, code)
    assert status_code == 200 and token["token_type"] == "Bearer", token
    assert token["scope"] == "OpenBadgeCredential_ldp_vc"
    # a code used twice is refused, and the token it bought stops working (RFC 6749 §4.1.2)
    status_code, again = _token(app, code)
    assert (status_code, again["error"]) == (400, "invalid_grant")
    nonce = app.test_client().post("/oid4vci/nonce").json
    assert nonce is not None
    refused = app.test_client().post(
        "/oid4vci/credential", json={"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                                     "proofs": {"jwt": ["x.y.z"]}},
        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert refused.status_code == 401 and refused.json and \
        refused.json["error"] == "invalid_token"
    # a wallet may ask with authorization_details (§5.1.1): the token then names credential
    # identifiers (§6.2), and the credential request uses them (§8.2)
    details = json.dumps([{"type": "openid_credential",
                           "credential_configuration_id": "OpenBadgeCredential_ldp_vc"}])
    asked = teacher.get("/oid4vci/authorize?" + urlencode(_params(
        scope=None, authorization_details=details)))
    assert asked.status_code == 200
    code = _back(_consent(teacher, issued, scope=None, authorization_details=details))["code"]
    status_code, token = _token(app, code)
    assert status_code == 200 and "scope" not in token, token
    assert token["authorization_details"] == [{
        "type": "openid_credential", "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
        "credential_identifiers": ["OpenBadgeCredential_ldp_vc"]}]
    holder = keys.generate("ed25519")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    wallet = app.test_client()
    by_configuration = wallet.post("/oid4vci/credential", headers=bearer, json={
        "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
        "proofs": {"jwt": [_proof(app, holder)]}}).json
    assert by_configuration and by_configuration["error"] == "invalid_credential_request"
    unknown = wallet.post("/oid4vci/credential", headers=bearer, json={
        "credential_identifier": "OpenBadgeCredential_jwt_vc_json",
        "proofs": {"jwt": [_proof(app, holder)]}}).json
    assert unknown and unknown["error"] == "unknown_credential_identifier"
    issued_copy = wallet.post("/oid4vci/credential", headers=bearer, json={
        "credential_identifier": "OpenBadgeCredential_ldp_vc",
        "proofs": {"jwt": [_proof(app, holder)]}})
    assert issued_copy.status_code == 200, issued_copy.json
    assert issued_copy.json is not None
    credential = issued_copy.json["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == holder.public.did_key
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalars(sa.select(CredentialOffer).where(
            CredentialOffer.by_details.is_(False))).one()
        # only hashes are stored: the code as its SHA-256, the verifier as its S256 challenge
        assert row.code_hash == oid4vci.hash_secret(first_code) != first_code
        assert row.code_challenge == _challenge(VERIFIER) != VERIFIER
        assert row.client_id == CLIENT and row.redirect_uri == REDIRECT
        assert {e.actor for e in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.wallet_authorized"))} == {PEOPLE["teacher"][1]}


def test_refused_requests(app: Flask, world: World,
                          as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    teacher = as_user("teacher")
    # a redirect URI we cannot trust is never redirected to: a page for the teacher
    for bad in ("javascript:alert(1)", "http://wallet.example/cb", "https://w.example/#x", ""):
        page = teacher.get("/oid4vci/authorize?" + urlencode(_params(redirect_uri=bad)))
        assert page.status_code == 400 and "redirect_uri" in page.get_data(as_text=True), bad
    assert teacher.get("/oid4vci/authorize?" + urlencode(_params(client_id=None))
                       ).status_code == 400
    # the other problems go back to the wallet with the spec's error codes
    for changes, error in (({"response_type": "token"}, "unsupported_response_type"),
                           ({"code_challenge_method": "plain"}, "invalid_request"),
                           ({"code_challenge": None}, "invalid_request"),
                           ({"scope": "openid profile"}, "invalid_scope"),
                           ({"authorization_details": "[{}]"}, "invalid_authorization_details"),
                           ({"authorization_details": "no"}, "invalid_authorization_details"),
                           ({"authorization_details": json.dumps([{
                               "type": "openid_credential",
                               "credential_configuration_id": "other"}])},
                            "invalid_authorization_details")):
        answer = _back(teacher.get("/oid4vci/authorize?" + urlencode(_params(**changes))))
        assert answer["error"] == error and answer["state"] == "s-1", (changes, answer)
    # the teacher says no
    denied = _back(teacher.post("/oid4vci/authorize", {**_params(), "decision": "deny"}))
    assert denied["error"] == "access_denied"
    # someone else's badge; a revoked badge
    assert _consent(as_user("teacher2"), issued).status_code == 404
    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued.credential_id, reason=None, public=False, actor="test",
                      now=NOW)
    assert _back(_consent(teacher, issued))["error"] == "access_denied"
    assert issued.name not in teacher.get(
        "/oid4vci/authorize?" + urlencode(_params())).get_data(as_text=True)
    # an expired code
    fresh = _award(app)
    code = _back(_consent(teacher, fresh))["code"]
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalars(sa.select(CredentialOffer).where(
            CredentialOffer.credential_pk == fresh.id)).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
        session.commit()
    assert _token(app, code)[1]["error"] == "invalid_grant"
