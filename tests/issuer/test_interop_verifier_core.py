"""The live service's Data Integrity badges against DCC ``@digitalcredentials/verifier-core``.

verifier-core (pinned in ``tests/interop/js/package.json``) is the Digital
Credentials Consortium's verifier behind VerifierPlus and the Learner
Credential Wallet. It verifies Data Integrity credentials (not VC-JWTs) in
four logged steps (signature, expiration, revocation status, registered
issuer) plus a JSON Schema check reported under ``additionalInformation``.

``tests/interop/js/verifier-core.mjs`` runs it offline: its ``fetch`` serves
the OB 3.0 JSON Schema and JSON-LD contexts from the project's own copies, the
issuer registry this test writes, and sends requests for the credential's
origins (the ``did:web`` DID document at ``https://127.0.0.1:PORT``, the
status list at the service's base URL) to the live service on loopback,
which speaks plain HTTP. Anything else is refused, and the test asserts that
nothing was.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

import pytest

from issuer.services import issuance
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.interop.node import INSTALL_COMMAND
from tests.interop.node import run_batch
from tests.interop.node import run_js
from tests.interop.node import unavailable_reason
from tests.issuer import seed
from tests.issuer.conftest import LiveServer

pytestmark = pytest.mark.interop

SKIP_ENV = "BADGES_SKIP_INTEROP"
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")
#: A dcc-legacy registry (the format of DCC's community registries), served locally.
REGISTRY_URL = "https://registry.lakeside.test/registry.json"


@pytest.fixture(autouse=True, scope="module")
def _interop_requirements() -> None:
    # the same policy as tests/interop: a check that did not run must not pass
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"interop checks skipped: {SKIP_ENV}=1 is set")
    reason = unavailable_reason()
    if reason is not None:
        pytest.fail(f"Interop checks cannot run: {reason}.\nRun `{INSTALL_COMMAND}` (Node.js "
                    f">= 20 and npm), or set {SKIP_ENV}=1 to skip them on purpose.",
                    pytrace=False)


def _request(server: LiveServer, did: str) -> dict[str, Any]:
    """What verifier-core.mjs needs besides the credential: origins, registry."""
    port = urlsplit(server.base_url).port
    return {
        # did:web resolves to https (did:web §3.2); the test service answers plain HTTP
        "origins": {f"https://127.0.0.1:{port}": server.base_url,
                    server.base_url: server.base_url},
        "knownDIDRegistries": [{"name": "Lakeside hiring schools' registry",
                                "type": "dcc-legacy", "url": REGISTRY_URL}],
        "documents": {REGISTRY_URL: {"registry": {did: {
            "name": "Lakeside School District", "url": "https://lakeside.example.org",
            "location": "Lakeside"}}}},
    }


def _steps(answer: dict[str, Any], *extra: str) -> dict[str, Any]:
    assert answer["refused"] == [], answer["refused"]  # offline: nothing else was asked for
    result = answer["result"]
    assert "errors" not in result, result["errors"]
    steps = {entry["id"]: entry for entry in result["log"]}
    assert set(steps) == {"valid_signature", "expiration", "revocation_status",
                          "registered_issuer", *extra}, steps
    return steps


def _schema_results(answer: dict[str, Any]) -> list[dict[str, Any]]:
    info = {entry["id"]: entry for entry in answer["result"]["additionalInformation"]}
    results: list[dict[str, Any]] = info["schema_check"]["results"]
    return results


@pytest.fixture
def issued(live_server: LiveServer) -> list[issuance.IssuedCredential]:
    app = live_server.app
    ctx = IssuerContext(base_url=live_server.base_url,
                        kek=app.extensions["badges"]["settings"].key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        seed.district(session, ctx)
    credentials = []
    for n, achievement in enumerate(("blended-learning-design", "data-informed-instruction")):
        with app.extensions["badges"]["db"].session() as session:
            credentials.append(issuance.award(
                session, ctx, issuer="lakeside", achievement=achievement,
                email=f"t{n}@lakeside.example.org", name=f"Teacher {n}", actor="test",
                now=seed.now_of(app), fmt="di"))
    return credentials


def test_verifier_core_finds_every_check_valid_then_sees_tampering_and_revocation(
        live_server: LiveServer, issued: list[issuance.IssuedCredential]) -> None:
    did = f"did:web:127.0.0.1%3A{urlsplit(live_server.base_url).port}:issuers:lakeside"
    credentials = [json.loads(c.document) for c in issued]
    assert all(c["issuer"]["id"] == did for c in credentials)
    tampered = json.loads(issued[1].document)
    tampered["credentialSubject"]["achievement"]["name"] = "Forged Achievement"
    shared = _request(live_server, did)

    fresh_0, fresh_1, forged = run_batch("verifier-core.mjs", [
        {"credential": credentials[0]}, {"credential": credentials[1]},
        {"credential": tampered}], timeout=120, **shared)
    list_url = f"{live_server.base_url}/issuers/lakeside/status/revocation/1"
    for answer in (fresh_0, fresh_1):
        steps = _steps(answer)
        assert all(step["valid"] is True for step in steps.values()), steps
        assert steps["registered_issuer"]["matchingIssuers"][0]["issuer"][
            "federation_entity"]["organization_name"] == "Lakeside School District"
        assert steps["registered_issuer"]["uncheckedRegistries"] == []
        # the 1EdTech OB 3.0 schema our credentials name, with zero errors
        assert _schema_results(answer) == [{
            "schema": OB_SCHEMA, "result": {"valid": True},
            "source": "Schema was listed in the credentialSchema property of the VC"}]
        # its status check read the Data Integrity form of the list, as a JSON-LD loader asks
        status_fetches = [f for f in answer["fetched"] if f["url"] == list_url]
        assert status_fetches and all("application/ld+json" in f["accept"]
                                      for f in status_fetches), answer["fetched"]
    port = urlsplit(live_server.base_url).port
    assert fresh_0["fetched"][0]["url"] == f"https://127.0.0.1:{port}/issuers/lakeside/did.json"

    assert forged["refused"] == []
    assert [e["name"] for e in forged["result"]["errors"]] == ["invalid_signature"], forged

    with live_server.app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued[0].credential_id, reason="awarded in error",
                      public=False, actor="test", now=seed.now_of(live_server.app))
    revoked = run_js("verifier-core.mjs", {"credential": credentials[0], **shared},
                     timeout=120)
    steps = _steps(revoked)
    assert steps["revocation_status"]["valid"] is False, steps
    assert all(step["valid"] is True for name, step in steps.items()
               if name != "revocation_status"), steps
    untouched = run_js("verifier-core.mjs", {"credential": credentials[1], **shared},
                       timeout=120)
    assert all(step["valid"] is True for step in _steps(untouched).values())


def test_verifier_core_schema_check_is_live_an_array_credential_status_fails_it(
        live_server: LiveServer) -> None:
    """The trade-off stated where suspension is switched on, seen by verifier-core.

    With suspension on, ``credentialStatus`` is an array of two entries, which
    the 1EdTech OB 3.0 schema rejects: verifier-core's schema check (the same
    local schema copy as above) says so, while the signature, both status
    entries and the registry still check out.
    """
    app = live_server.app
    ctx = IssuerContext(base_url=live_server.base_url,
                        kek=app.extensions["badges"]["settings"].key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        seed.district(session, ctx, suspension=True)
    with app.extensions["badges"]["db"].session() as session:
        document = issuance.award(
            session, ctx, issuer="lakeside", achievement="blended-learning-design",
            email="t@lakeside.example.org", name="Teacher", actor="test",
            now=seed.now_of(app), fmt="di").document
    credential = json.loads(document)
    assert isinstance(credential["credentialStatus"], list)
    did = credential["issuer"]["id"]
    answer = run_js("verifier-core.mjs", {"credential": credential,
                                          **_request(live_server, did)}, timeout=120)
    assert all(step["valid"] is True
               for step in _steps(answer, "suspension_status").values())
    [schema] = _schema_results(answer)
    assert schema["schema"] == OB_SCHEMA and schema["result"]["valid"] is False
    assert {e["instancePath"] for e in schema["result"]["errors"]} == {"/credentialStatus"}
