"""OpenID4VCI 1.0 pre-authorized code flow, driven by a real wallet library over HTTP.

The live service (SQLite and PostgreSQL) offers awards; ``@openid4vc/openid4vci``
(pinned in ``tests/interop/js``) resolves the offer, reads the issuer and
authorization server metadata, redeems the pre-authorized code, asks the nonce
endpoint, signs a key proof and receives the credential, in both formats
(``ldp_vc``, ``jwt_vc_json``). The credential must name the wallet's DID as its
subject and verify with our verifier and with Digital Bazaar's (``ldp_vc``) or
jose (``jwt_vc_json``); revoking the award must revoke the claimed copy.
Refused requests must get the spec's error bodies, never a 500.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request
from urllib.request import urlopen

import pytest
import sqlalchemy as sa

from badges import keys
from badges.did import did_jwk_for
from badges.jwt import decode_jwt
from badges.keys import public_from_jwk
from issuer.db import Database
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import oid4vci
from issuer.services import status as status_service
from issuer.services.issuance import IssuerContext
from tests.interop.node import INSTALL_COMMAND
from tests.interop.node import run_batch
from tests.interop.node import unavailable_reason
from tests.issuer import seed
from tests.issuer.conftest import LiveServer

SKIP_ENV = "BADGES_SKIP_INTEROP"
ISSUER = "lakeside"
LDP = "OpenBadgeCredential_ldp_vc"
JWT = "OpenBadgeCredential_jwt_vc_json"


@pytest.fixture(autouse=True, scope="module")
def _interop_requirements() -> None:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"interop checks skipped: {SKIP_ENV}=1 is set")
    reason = unavailable_reason()
    if reason is not None:
        pytest.fail(f"Interop checks cannot run: {reason}.\nRun `{INSTALL_COMMAND}`.",
                    pytrace=False)


@dataclass
class Service:
    server: LiveServer
    db: Database
    ctx: IssuerContext

    @property
    def base(self) -> str:
        return self.server.base_url

    def now(self) -> Any:
        return seed.now_of(self.server.app)

    def award(self, fmt: str = "di") -> str:
        with self.db.session() as s:
            issued = issuance.award(s, self.ctx, issuer=ISSUER,
                                    achievement="data-informed-instruction",
                                    email="ana.teacher@lakeside.example.org", name="Ana Teacher",
                                    actor="test", now=self.now(), fmt=fmt)  # type: ignore[arg-type]
            s.commit()
            return issued.id

    def offer(self, pk: str, *, configurations: tuple[str, ...] = (LDP, JWT),
              tx_code: bool = False, age: timedelta = timedelta()) -> oid4vci.Offer:
        with self.db.session() as s:
            issued = s.get(IssuedCredential, pk)
            assert issued is not None
            made = oid4vci.create_offer(s, issued, base_url=self.base, actor="ana",
                                        now=self.now() - age, configurations=configurations,
                                        with_tx_code=tx_code)
            s.commit()
            return made

    def document(self, pk: str) -> str:
        with self.db.session() as s:
            issued = s.get(IssuedCredential, pk)
            assert issued is not None
            return issued.document


@pytest.fixture
def service(live_server: LiveServer) -> Iterator[Service]:
    state = live_server.app.extensions["badges"]
    db: Database = state["db"]
    ctx = IssuerContext(base_url=live_server.base_url, kek=state["settings"].key_encryption_key)
    with db.session() as s:
        seed.district(s, ctx)
        s.commit()
    yield Service(live_server, db, ctx)


def _wallet(service: Service, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_batch("oid4vci-client.mjs", items, timeout=90,
                     now=int(service.now().timestamp()))


def _post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    try:
        with urlopen(Request(url, data=data, headers=headers), timeout=10) as r:  # noqa: S310
            return r.status, json.loads(r.read())
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _token(service: Service, code: str, **extra: str) -> tuple[int, dict[str, Any]]:
    form = {"grant_type": oid4vci.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, **extra}
    return _post(f"{service.base}/oid4vci/token", urlencode(form).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded"})


def _code(made: oid4vci.Offer) -> str:
    code: str = made.offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    return code


def test_metadata_documents(service: Service) -> None:
    with urlopen(f"{service.base}/.well-known/openid-credential-issuer") as r:  # noqa: S310
        meta = json.loads(r.read())
    with urlopen(f"{service.base}/.well-known/oauth-authorization-server") as r:  # noqa: S310
        auth = json.loads(r.read())
    assert meta["credential_issuer"] == service.base
    assert set(meta["credential_configurations_supported"]) == {LDP, JWT}
    assert meta["credential_configurations_supported"][LDP]["format"] == "ldp_vc"
    assert auth["issuer"] == service.base
    assert auth["token_endpoint"] == f"{service.base}/oid4vci/token"
    # a browser-based wallet may call the endpoints from its own origin
    preflight = service.server.app.test_client().options(
        "/oid4vci/credential", headers={"Origin": "https://wallet.example",
                                        "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_wallet_claims_in_both_formats_and_credentials_verify(service: Service) -> None:
    di_pk, jwt_pk = service.award("di"), service.award("jwt")
    ldp_offer = service.offer(di_pk, configurations=(LDP,))
    jwt_offer = service.offer(jwt_pk, configurations=(JWT,))
    jwk_offer = service.offer(di_pk, configurations=(JWT,))
    # by reference (what the wallet page's QR code holds) and by value
    assert ldp_offer.link.startswith("openid-credential-offer://?credential_offer_uri=")
    assert jwt_offer.link_by_value.startswith("openid-credential-offer://?credential_offer=")
    ldp, jwt, by_jwk = _wallet(service, [
        {"offer": ldp_offer.link, "configuration": LDP, "holder": "did:key"},
        {"offer": jwt_offer.link_by_value, "configuration": JWT, "holder": "did:jwk"},
        {"offer": jwk_offer.link, "configuration": JWT, "holder": "jwk"},
    ])
    # a used offer is no longer served by reference
    with pytest.raises(HTTPError) as gone:
        urlopen(ldp_offer.uri)  # noqa: S310 - the loopback test server
    assert gone.value.code == 404
    for answer in (ldp, jwt, by_jwk):
        assert answer["ok"] is True, answer
        assert answer["version"] == "V1", answer  # the client read 1.0 (final) metadata
    # ldp_vc: a Data Integrity credential whose subject is the wallet's did:key
    credential = ldp["credential"]
    assert ldp["holder"].startswith("did:key:z6Mk")
    assert credential["credentialSubject"]["id"] == ldp["holder"]
    stored = json.loads(service.document(di_pk))
    assert credential["id"] == stored["id"]
    assert credential["credentialStatus"] == stored["credentialStatus"]
    assert "id" not in stored["credentialSubject"]  # the district's record is unchanged
    # jwt_vc_json: a VC-JWT bound to the wallet's did:jwk (and to a bare jwk, as did:jwk)
    assert decode_jwt(jwt["credential"]).credential["credentialSubject"]["id"] == jwt["holder"]
    assert decode_jwt(jwt["credential"]).payload["sub"] == jwt["holder"]  # the JWT's holder too
    assert jwt["holder"].startswith("did:jwk:")
    # a bare jwk in the proof header is named by its did:jwk (keys in canonical order)
    bound = did_jwk_for(public_from_jwk(by_jwk["holderJwk"]))
    assert decode_jwt(by_jwk["credential"]).credential["credentialSubject"]["id"] == bound
    # our verifier
    for document in (json.dumps(credential), jwt["credential"], by_jwk["credential"]):
        report = seed.verify(document, service.db, service.ctx, now=service.now())
        failed = [c for c in report.checks if c.outcome == "failed"]
        assert not failed, failed
        assert report.verdict in ("verified", "unknown_issuer"), report.verdict
        assert next(c for c in report.checks if c.id == "proof").outcome == "passed"
        assert next(c for c in report.checks if c.id == "status").outcome == "passed"
    # Digital Bazaar's (DID document and status list fetched from the live service), and jose
    (db,) = run_batch("verify-di.mjs", [{"credential": credential}],
                      fetchOrigins=[service.base], checkBitstringStatus=True)
    assert db["verified"] is True, db
    (jose,) = run_batch("jwt-verify.mjs", [{"jwt": jwt["credential"]}],
                        fetchOrigins=[service.base], checkBitstringStatus=True)
    assert jose["verified"] is True, jose
    # the claim is audited; revoking the award revokes the claimed copy
    with service.db.session() as s:
        claims = list(s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.claimed")))
        assert sorted(e.actor for e in claims) == sorted(
            [ldp["holder"], jwt["holder"], bound])
        assert {e.subject_id for e in claims} == {stored["id"], decode_jwt(
            service.document(jwt_pk)).credential["id"]}
        status_service.revoke(s, stored["id"], reason="test", public=False, actor="test",
                              now=service.now())
        s.commit()
    report = seed.verify(json.dumps(credential), service.db, service.ctx, now=service.now())
    assert report.verdict == "revoked", report.verdict


def test_refusals_have_spec_error_bodies(service: Service) -> None:
    pk = service.award("di")
    reused, wrong_nonce, bad_signature = _wallet(service, [
        {"offer": service.offer(pk).link, "configuration": LDP, "mode": "reuse-code"},
        {"offer": service.offer(pk).link, "configuration": LDP, "mode": "wrong-nonce"},
        {"offer": service.offer(pk).link, "configuration": LDP, "mode": "bad-signature"},
    ])
    assert reused["ok"] is False and reused["stage"] == "token-again", reused
    assert reused["status"] == 400 and reused["body"]["error"] == "invalid_grant", reused
    assert wrong_nonce["ok"] is False and wrong_nonce["stage"] == "credential", wrong_nonce
    assert wrong_nonce["body"]["error"] == "invalid_nonce", wrong_nonce
    assert bad_signature["ok"] is False and bad_signature["stage"] == "credential"
    assert bad_signature["body"]["error"] == "invalid_proof", bad_signature

    # an expired offer, a wrong transaction code, an unknown grant type
    status, body = _token(service, _code(service.offer(pk, age=timedelta(hours=1))))
    assert (status, body["error"]) == (400, "invalid_grant"), body
    with_tx = service.offer(pk, tx_code=True)
    assert with_tx.tx_code is not None
    assert _token(service, _code(with_tx))[1]["error"] == "invalid_request"
    assert _token(service, _code(with_tx), tx_code="000000" if with_tx.tx_code != "000000"
                  else "111111")[1]["error"] == "invalid_grant"
    status, body = _token(service, _code(with_tx), tx_code=with_tx.tx_code)
    assert status == 200 and body["token_type"] == "Bearer", body
    # five wrong transaction codes spend the offer: the right one then fails too
    guessed = service.offer(pk, tx_code=True)
    wrong = "000000" if guessed.tx_code != "000000" else "111111"
    for _ in range(oid4vci.TX_CODE_TRIES):
        assert _token(service, _code(guessed), tx_code=wrong)[1]["error"] == "invalid_grant"
    status, body = _token(service, _code(guessed), tx_code=guessed.tx_code or "")
    assert (status, body["error"]) == (400, "invalid_grant"), body
    status, body = _post(f"{service.base}/oid4vci/token", b"grant_type=password",
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, body["error"]) == (400, "unsupported_grant_type")
    # the credential endpoint without a token, with garbage, with no proof
    status, body = _post(f"{service.base}/oid4vci/credential", b"{}",
                         {"Content-Type": "application/json"})
    assert (status, body["error"]) == (401, "invalid_token")
    token = body_token = _token(service, _code(service.offer(pk)))[1]["access_token"]
    auth = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    assert _post(f"{service.base}/oid4vci/credential", b"[1", auth)[1]["error"] == \
        "invalid_credential_request"
    assert _post(f"{service.base}/oid4vci/credential",
                 json.dumps({"credential_configuration_id": "nope"}).encode(), auth)[1][
        "error"] == "unknown_credential_configuration"
    for proofs in ({"jwt": ["a.b.c"]}, {"jwt": "x"}, {"ldp_vp": [{}]}):
        status, body = _post(f"{service.base}/oid4vci/credential", json.dumps(
            {"credential_configuration_id": LDP, "proofs": proofs}).encode(), auth)
        assert (status, body["error"]) == (400, "invalid_proof"), (proofs, body)
    assert body_token
    # a configuration the offer did not name
    only_ldp = _token(service, _code(service.offer(pk, configurations=(LDP,))))[1]
    status, body = _post(f"{service.base}/oid4vci/credential", json.dumps(
        {"credential_configuration_id": JWT, "proofs": {"jwt": ["a.b.c"]}}).encode(),
        {"Content-Type": "application/json",
         "Authorization": f"Bearer {only_ldp['access_token']}"})
    assert (status, body["error"]) == (400, "invalid_credential_request"), body


def _python_proof(service: Service, key: keys.KeyPair) -> str:
    status, answer = _post(f"{service.base}/oid4vci/nonce", b"", {})
    assert status == 200
    head = {"typ": oid4vci.PROOF_TYP, "alg": key.jose_alg,
            "kid": f"{key.public.did_key}#{key.public.multibase}"}
    claims = {"aud": service.base, "iat": int(service.now().timestamp()),
              "nonce": answer["c_nonce"]}
    signing_input = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(
        b"=").decode() for part in (head, claims))
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


def test_a_badge_revoked_after_its_offer_is_not_issued(service: Service) -> None:
    pk = service.award("di")
    holder = keys.generate("ed25519")
    token = _token(service, _code(service.offer(pk, configurations=(LDP,))))[1]["access_token"]
    with service.db.session() as s:
        status_service.revoke(s, json.loads(service.document(pk))["id"], reason=None,
                              public=False, actor="test", now=service.now())
        s.commit()
    request = json.dumps({"credential_configuration_id": LDP,
                          "proofs": {"jwt": [_python_proof(service, holder)]}}).encode()
    auth = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    status, body = _post(f"{service.base}/oid4vci/credential", request, auth)
    assert (status, body["error"]) == (400, "credential_request_denied"), body
    # and a live one is issued once per token: the same token again is refused
    live = service.award("di")
    token = _token(service, _code(service.offer(live, configurations=(LDP,))))[1]["access_token"]
    auth["Authorization"] = f"Bearer {token}"
    request = json.dumps({"credential_configuration_id": LDP,
                          "proofs": {"jwt": [_python_proof(service, holder)]}}).encode()
    status, body = _post(f"{service.base}/oid4vci/credential", request, auth)
    assert status == 200, body
    assert body["credentials"][0]["credential"]["credentialSubject"]["id"] == \
        holder.public.did_key
    status, body = _post(f"{service.base}/oid4vci/credential", request, auth)
    assert (status, body["error"]) == (401, "invalid_token"), body
