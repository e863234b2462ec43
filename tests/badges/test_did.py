"""did:key (Ed25519 and P-256) and did:jwk resolution: known vectors, then whole VC-JWTs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from badges import did
from badges import keys
from badges.errors import KeyError_
from badges.jwt import sign_jwt
from badges.multibase import b64url_decode
from badges.multibase import b64url_encode
from badges.verdict import Verdict
from badges.verdict import decide
from badges.verify import verify_credential
from tests.conftest import NOW
from tests.interop.credentials import make_credential

# did:key method spec, test vectors (Ed25519 §"ed25519-x25519", P-256 §"nist-curves").
DID_KEY_ED25519 = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
DID_KEY_ED25519_X = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"
DID_KEY_P256 = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
DID_KEY_P256_JWK = {"kty": "EC", "crv": "P-256",
                    "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
                    "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU"}
# did:jwk method spec §3 examples: a P-256 signing key, and an X25519 key for encryption.
DID_JWK_P256 = ("did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoy"
                "dHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3"
                "NEk1TEtncmwyR3pIM25TRSJ9")
DID_JWK_P256_JWK = {"kty": "EC", "crv": "P-256",
                    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
                    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"}
DID_JWK_X25519_ENC = ("did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3Y"
                      "mZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9")


def test_did_key_vectors_ed25519_and_p256() -> None:
    ed = did.resolve_did_key(DID_KEY_ED25519)
    assert ed.public_key.jwk() == {"kty": "OKP", "crv": "Ed25519", "x": DID_KEY_ED25519_X}
    p256 = did.resolve_did_key(DID_KEY_P256)
    assert p256.public_key.jwk() == DID_KEY_P256_JWK
    assert p256.id == f"{DID_KEY_P256}#{DID_KEY_P256[len('did:key:'):]}"
    assert (p256.controller, p256.bound) == (DID_KEY_P256, True)
    with pytest.raises(did.ResolutionError) as err:
        did.resolve_did_key(f"{DID_KEY_P256}#{DID_KEY_ED25519[len('did:key:'):]}")
    assert err.value.code == "invalid_did_key"


def test_did_jwk_vector_resolves_to_its_one_method() -> None:
    for vm_id in (DID_JWK_P256, f"{DID_JWK_P256}#0"):
        resolved = did.resolve_did_jwk(vm_id)
        assert resolved.public_key.jwk() == DID_JWK_P256_JWK
        assert (resolved.id, resolved.controller, resolved.bound) == (
            f"{DID_JWK_P256}#0", DID_JWK_P256, True)
    # did:jwk §2.1: the DID of a key is the base64url of its JWK; it reads back the same key
    made = did.did_jwk_for(keys.public_from_jwk(DID_JWK_P256_JWK))
    assert did.resolve_did_jwk(made).public_key.jwk() == DID_JWK_P256_JWK


def _did_jwk(jwk: Any) -> str:
    return "did:jwk:" + b64url_encode(json.dumps(jwk).encode())


@pytest.mark.parametrize("vm_id", [
    DID_JWK_X25519_ENC,  # use: enc, key agreement only (did:jwk §2.2)
    f"{DID_JWK_P256}#1",  # the only method is #0
    "did:jwk:",
    "did:jwk:not*base64",
    "did:jwk:" + b64url_encode(b"[1, 2]"),
    "did:jwk:" + b64url_encode(b"{not json"),
    _did_jwk({**DID_JWK_P256_JWK, "d": "c2VjcmV0"}),  # a private key in a DID
    _did_jwk({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}),  # not on the curve
    _did_jwk({"kty": "oct", "k": "c2VjcmV0"}),
    "did:jwk:" + "A" * 5000,
])
def test_did_jwk_refuses_what_is_not_a_signing_key(vm_id: str) -> None:
    with pytest.raises(did.ResolutionError) as err:
        did.resolve_did_jwk(vm_id)
    assert err.value.code == "invalid_did_jwk"
    assert json.loads(b64url_decode(DID_JWK_X25519_ENC[len("did:jwk:"):]))["use"] == "enc"


def _did_jwk_key(kind: keys.KeyType) -> keys.KeyPair:
    pair = keys.generate(kind)
    subject = did.did_jwk_for(pair.public)
    return pair.with_controller(subject, f"{subject}#0")


@pytest.mark.parametrize("kind", ["p256", "ed25519"])
def test_a_did_jwk_vc_jwt_verifies_and_a_tampered_one_is_forged(kind: keys.KeyType) -> None:
    pair = _did_jwk_key(kind)
    token = sign_jwt(make_credential(pair.controller), key=pair)
    report = verify_credential(token, now=NOW)
    for check, code in (("proof", "signature_valid"), ("key_binding", "key_published")):
        found = report.check(check)
        assert found is not None and found.code == code, report.to_json()
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["name"] = "Teamwork Badge!"
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    tampered = verify_credential(forged, now=NOW)
    assert decide(tampered).verdict == Verdict.FORGED, tampered.to_json()


def test_a_did_jwk_key_cannot_sign_for_another_issuer() -> None:
    pair = _did_jwk_key("p256")
    token = sign_jwt(make_credential(pair.controller), key=pair)
    other = _did_jwk_key("p256")
    swapped = sign_jwt(make_credential(other.controller), key=pair.with_controller(
        other.controller, pair.id))
    assert verify_credential(token, now=NOW).check("key_binding").code == "key_published"  # type: ignore[union-attr]
    mismatch = verify_credential(swapped, now=NOW).check("key_binding")
    assert mismatch is not None and mismatch.code == "controller_mismatch"


def test_a_multibase_key_is_decoded_once_and_a_bad_one_refused_every_time() -> None:
    value = keys.generate("ed25519").public.multibase
    first = keys.public_from_multibase(value)
    assert keys.public_from_multibase(value) is first
    assert did.resolve_did_key(f"did:key:{value}").public_key is first
    for _ in range(2):
        with pytest.raises(KeyError_):
            keys.public_from_multibase(value[:-3] + "0OI")  # not base58btc
