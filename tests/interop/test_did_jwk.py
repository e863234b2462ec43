"""did:jwk issuers made by panva/jose: their VC-JWTs verify here, tampered ones are forged.

jose generates the key pair, derives the did:jwk (did:jwk §2.1) and signs the
VCDM 2.0 VC-JWT with ``kid: <did>#0`` (``js/jwt-didjwk.mjs``); nothing of the
key or the DID comes from this project. The verifier resolves the DID locally
(did:jwk §2.2) and, with the DID on its list of known issuers, says
``verified``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from badges.multibase import b64url_decode
from badges.multibase import b64url_encode
from badges.verdict import Verdict
from badges.verdict import decide
from badges.verify import verify_credential
from tests.interop.credentials import NOW
from tests.interop.credentials import make_credential
from tests.interop.node import run_batch
from verifier.registry import parse_registry

ALGS = ("ES256", "EdDSA")
ISSUER_NAME = "Springfield Unified School District"


@pytest.fixture(scope="module")
def jose_tokens() -> dict[str, dict[str, Any]]:
    results = run_batch("jwt-didjwk.mjs", [
        {"credential": make_credential("did:jwk:placeholder"), "alg": alg} for alg in ALGS])
    for alg, result in zip(ALGS, results, strict=True):
        assert "jwt" in result, f"jose could not sign with {alg}: {result}"
    return dict(zip(ALGS, results, strict=True))


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    return f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"


@pytest.mark.parametrize("alg", ALGS)
def test_jose_did_jwk_vc_jwt_verifies(jose_tokens: dict[str, dict[str, Any]], alg: str) -> None:
    made = jose_tokens[alg]
    registry = parse_registry({"name": "Test", "issuers": [
        {"id": made["did"], "name": ISSUER_NAME}]})
    report = verify_credential(made["jwt"], now=NOW, registry=registry)
    codes = {c.id: c.code for c in report.checks}
    assert codes["proof"] == "signature_valid", report.to_json()
    assert codes["key_binding"] == "key_published"
    assert decide(report).verdict == Verdict.VERIFIED, report.to_json()
    unlisted = verify_credential(made["jwt"], now=NOW, registry=parse_registry(
        {"name": "Test", "issuers": []}))
    assert decide(unlisted).verdict == Verdict.UNKNOWN_ISSUER


@pytest.mark.parametrize("alg", ALGS)
def test_jose_did_jwk_vc_jwt_tampered_is_forged(jose_tokens: dict[str, dict[str, Any]],
                                                alg: str) -> None:
    report = verify_credential(_tampered(jose_tokens[alg]["jwt"]), now=NOW)
    assert decide(report).verdict == Verdict.FORGED, report.to_json()
    assert report.check("proof").code == "signature_invalid"  # type: ignore[union-attr]
