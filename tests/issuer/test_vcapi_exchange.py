"""VC-API exchange for the Learner Credential Wallet, driven by an independent test wallet.

The test wallet (``tests/interop/js/didauth-wallet.mjs``) makes its own
``did:key`` and signs its DIDAuth presentation with the Learner Credential
Wallet's own libraries (``@digitalcredentials/vc``, ``Ed25519Signature2020``)
or with Digital Bazaar's (``@digitalbazaar/vc``, ``eddsa-rdfc-2022``), against
the live service on SQLite and PostgreSQL. Issue #19 acceptance: the exchange
answers with the award bound to the wallet's DID; a wrong challenge, a wrong
domain, a bad signature and a replayed exchange are refused.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import sqlalchemy as sa

from issuer.models import AuditEvent
from issuer.services import oid4vci
from issuer.services import vcapi
from tests.interop.node import run_batch
from tests.issuer import seed
from tests.issuer import test_oid4vci as base
from tests.issuer.test_oid4vci import JWT
from tests.issuer.test_oid4vci import LDP
from tests.issuer.test_oid4vci import Service
from tests.issuer.test_oid4vci import _code
from tests.issuer.test_oid4vci import _token
from tests.issuer.test_openapi import assert_documented

# the same live service (SQLite and PostgreSQL), and the same interop requirement
service = base.service
_interop_requirements = base._interop_requirements

PATH = "/exchanges/{exchange_id}"
LCW_SUITE = "Ed25519Signature2020"
DB_SUITE = "eddsa-rdfc-2022"


def _url(made: oid4vci.Offer) -> str:
    assert made.exchange_url is not None
    return made.exchange_url


def _exchange_id(made: oid4vci.Offer) -> str:
    return _url(made).rsplit("/", 1)[1]


def _secret(service: Service) -> str:
    secret: str = service.server.app.extensions["badges"]["settings"].secret_key
    return secret


def _json(response: Any) -> Any:
    return json.loads(response.data)


def _refusal(answer: dict[str, Any]) -> tuple[int, str]:
    return answer["status"], answer["body"]["error"]["code"]


def _wallet(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_batch("didauth-wallet.mjs", items, timeout=90)


def test_wallet_exchange(service: Service) -> None:
    """One live service (per database) for both parts: its start-up is most of the cost."""
    _binds_the_award_and_refuses_bad_presentations(service)
    _states_and_links(service)


def _binds_the_award_and_refuses_bad_presentations(service: Service) -> None:
    pk = service.award("di")
    offers = {name: service.offer(pk) for name in (
        "lcw", "db", "challenge", "domain", "signature", "legacy")}
    lcw, db, challenge, domain, signature, legacy = _wallet([
        {"url": _url(offers["lcw"]), "suite": LCW_SUITE},
        {"url": _url(offers["db"]), "suite": DB_SUITE, "mode": "replay"},
        {"url": _url(offers["challenge"]), "suite": LCW_SUITE,
         "mode": "wrong-challenge"},
        {"url": _url(offers["domain"]), "suite": DB_SUITE, "mode": "wrong-domain"},
        {"url": _url(offers["signature"]), "suite": LCW_SUITE, "mode": "bad-signature"},
        {"url": _url(offers["legacy"]), "suite": LCW_SUITE, "mode": "legacy",
         "challenge": vcapi.challenge_for(_secret(service),
                                          _exchange_id(offers["legacy"]))},
    ])
    # the request: DIDAuth, with the exchange's challenge and the service's domain
    request = lcw["request"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == urlsplit(service.base).netloc
    assert request["interact"]["service"][0]["serviceEndpoint"] == _url(offers["lcw"])
    stored = json.loads(service.document(pk))
    for answer in (lcw, db):
        assert answer["status"] == 200, answer
        (credential,) = answer["body"]["verifiablePresentation"]["verifiableCredential"]
        assert answer["holder"].startswith("did:key:z6Mk")
        assert credential["credentialSubject"]["id"] == answer["holder"]
        assert credential["id"] == stored["id"]
        assert credential["credentialStatus"] == stored["credentialStatus"]
        report = seed.verify(json.dumps(credential), service.db, service.ctx, now=service.now())
        assert next(c for c in report.checks if c.id == "proof").outcome == "passed", report
        assert not [c for c in report.checks if c.outcome == "failed"], report
    # the older LCW deep link: a bare presentation, answered with the credential itself
    assert legacy["status"] == 200, legacy
    assert legacy["body"]["credentialSubject"]["id"] == legacy["holder"]
    # refusals
    assert db["replay"]["status"] == 409, db
    assert _refusal(db["replay"]) == (409, "exchange_complete"), db
    assert _refusal(challenge) == (400, "invalid_challenge"), challenge
    assert _refusal(domain) == (400, "invalid_domain"), domain
    assert _refusal(signature) == (400, "invalid_signature"), signature
    # claims and refusals are audited; a claimed offer's pre-authorized code is spent too
    with service.db.session() as s:
        actions = [(e.action, e.detail.get("via"), e.detail.get("reason"), e.actor)
                   for e in s.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(
                       ["credential.claimed", "credential.claim_refused"])))]
    assert sorted(actions) == sorted([
        ("credential.claimed", "vc-api", None, lcw["holder"]),
        ("credential.claimed", "vc-api", None, db["holder"]),
        ("credential.claimed", "vc-api", None, legacy["holder"]),
        ("credential.claim_refused", "vc-api", "invalid_challenge", "wallet"),
        ("credential.claim_refused", "vc-api", "invalid_domain", "wallet"),
        ("credential.claim_refused", "vc-api", "invalid_signature", "wallet"),
        ("credential.claim_refused", "vc-api", "exchange_complete", "wallet")])  # the replay
    status, body = _token(service, _code(offers["lcw"]))
    assert (status, body["error"]) == (400, "invalid_grant"), body
    # refused presentations count: the fifth spends the offer
    challenged = offers["challenge"]
    with service.db.session() as s:
        row = s.get(type(challenged.row), challenged.row.id)
        assert row is not None and row.exchange_failures == 1
        row.exchange_failures = vcapi.EXCHANGE_TRIES - 1
        s.commit()
    client = service.server.app.test_client()
    path = urlsplit(_url(challenged)).path
    refused = client.post(path, json={"verifiablePresentation": {
        "type": ["VerifiablePresentation"], "proof": {"type": "Ed25519Signature2020"}}})
    assert refused.status_code == 400
    spent = client.post(path, json={})
    assert (spent.status_code, _json(spent)["error"]["code"]) == (409, "exchange_complete")


def _states_and_links(service: Service) -> None:
    client = service.server.app.test_client()
    pk = service.award("di")
    live = service.offer(pk)
    path = urlsplit(_url(live)).path
    # the interaction URL tells the wallet which protocol to use
    got = client.get(path, headers={"Accept": "application/json"})
    assert got.status_code == 200 and _json(got) == {"protocols": {"vcapi": _url(live)}}
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    assert_documented(got, PATH, "get")
    # not JSON; a body that is neither a start nor a presentation
    too_large = client.post(path, data=b" " * (70 * 1024), content_type="application/json")
    assert (too_large.status_code, _json(too_large)["error"]["code"]) == (413, "too_large")
    assert_documented(too_large, PATH, "post")
    for bad in (client.post(path, data=b"{", content_type="application/json"),
                client.post(path, json={"hello": 1}), client.post(path, json=[1])):
        assert (bad.status_code, _json(bad)["error"]["code"]) == (400, "invalid_request")
        assert_documented(bad, PATH, "post")
    # an empty POST starts the exchange (VPR), without spending it
    for start in (client.post(path), client.post(path, json={})):
        assert "verifiablePresentationRequest" in _json(start)
        assert_documented(start, PATH, "post")
    # unknown, expired, spent by OpenID4VCI, an offer without ldp_vc or with a transaction code
    expired = service.offer(pk, age=timedelta(hours=1))
    redeemed = service.offer(pk)
    assert _token(service, _code(redeemed))[0] == 200
    jwt_only = service.offer(pk, configurations=(JWT,))
    assert service.offer(pk, tx_code=True).exchange_url is None
    for url, status, code in (
            ("/exchanges/nope", 404, "exchange_not_found"),
            (urlsplit(_url(expired)).path, 410, "exchange_expired"),
            (urlsplit(_url(redeemed)).path, 409, "exchange_complete"),
            (urlsplit(_url(jwt_only)).path, 404, "exchange_not_found")):
        for answer in (client.post(url, json={}), client.get(url)):
            assert (answer.status_code, _json(answer)["error"]["code"]) == (status, code), url
            assert_documented(answer, PATH, answer.request.method.lower())
    # LCW deep links and the CHAPI offer name this exchange
    secret = _secret(service)
    links = vcapi.lcw_links(service.base, _exchange_id(live), secret)
    request = json.loads(parse_qs(urlsplit(links["request"]).query)["request"][0])
    assert request == {"credentialRequestOrigin": service.base,
                       "protocols": {"vcapi": _url(live)}}
    legacy = parse_qs(urlsplit(links["legacy"]).query)
    assert links["legacy"].startswith("https://lcw.app/request.html?")
    assert legacy["vc_request_url"] == [_url(live)]
    assert legacy["auth_type"] == ["bearer"]
    assert legacy["challenge"] == [vcapi.challenge_for(secret, _exchange_id(live))]
    chapi = vcapi.chapi_offer(service.base, _exchange_id(live), live.link)
    assert chapi["options"]["protocols"] == {"vcapi": _url(live), "OID4VCI": live.link}
    assert LDP in live.row.configurations.split()
