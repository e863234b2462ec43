"""Key proofs (OpenID4VCI 1.0 Appendix F.1) and nonces: every bad proof is refused by name."""

from __future__ import annotations

import base64
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from badges import keys
from badges.did import did_jwk_for
from issuer.services import oid4vci
from issuer.services.oid4vci import OAuthError
from issuer.services.oid4vci import check_proof

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AUD = "https://badges.example.org"
SECRET = "test-secret"
ED = keys.generate("ed25519")
P256 = keys.generate("p256")


def _b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _nonce(now: datetime = NOW) -> str:
    nonce: str = oid4vci.new_nonce(SECRET, now=now)["c_nonce"]
    return nonce


def _proof(key: keys.KeyPair = ED, *, header: dict[str, Any] | None = None,
           claims: dict[str, Any] | None = None, tamper: bool = False) -> str:
    head = {"typ": oid4vci.PROOF_TYP, "alg": key.jose_alg,
            "kid": f"{key.public.did_key}#{key.public.multibase}", **(header or {})}
    head = {k: v for k, v in head.items() if v is not None}
    body = {"aud": AUD, "iat": int(NOW.timestamp()), "nonce": _nonce(), **(claims or {})}
    body = {k: v for k, v in body.items() if v is not None}
    signing_input = f"{_b64(head)}.{_b64(body)}"
    signature = bytearray(key.sign(signing_input.encode()))
    if tamper:
        signature[0] ^= 0xFF
    return f"{signing_input}.{_b64(bytes(signature))}"


def _refused(proof: str, now: datetime = NOW) -> str:
    with pytest.raises(OAuthError) as caught:
        check_proof(proof, audience=AUD, secret=SECRET, now=now)
    assert caught.value.status == 400
    return caught.value.error


def test_good_proofs_name_the_holder() -> None:
    assert check_proof(_proof(), audience=AUD, secret=SECRET, now=NOW) == ED.public.did_key
    jwk_did = did_jwk_for(P256.public)
    assert check_proof(_proof(P256, header={"kid": f"{jwk_did}#0"}), audience=AUD,
                       secret=SECRET, now=NOW) == jwk_did
    assert check_proof(_proof(P256, header={"kid": None, "jwk": P256.public.jwk()}),
                       audience=AUD, secret=SECRET, now=NOW) == jwk_did
    # aud may be an array that holds the issuer
    assert check_proof(_proof(claims={"aud": ["x", AUD]}), audience=AUD, secret=SECRET, now=NOW)


@pytest.mark.parametrize(("proof", "error"), [
    ("not a jwt", "invalid_proof"),
    ("a.b.c", "invalid_proof"),
    (_proof(header={"typ": "JWT"}), "invalid_proof"),
    (_proof(header={"typ": None}), "invalid_proof"),
    (_proof(header={"alg": "none"}), "invalid_proof"),
    (_proof(header={"alg": ["EdDSA"]}), "invalid_proof"),
    (_proof(header={"alg": "HS256"}), "invalid_proof"),
    (_proof(header={"alg": "ES256"}), "invalid_proof"),  # alg does not match the key
    (_proof(header={"kid": None}), "invalid_proof"),  # neither kid nor jwk
    (_proof(header={"jwk": ED.public.jwk()}), "invalid_proof"),  # both
    (_proof(header={"kid": "did:web:example.org#key-1"}), "invalid_proof"),
    (_proof(header={"kid": "did:key:zNotAKey"}), "invalid_proof"),
    (_proof(header={"kid": 7}), "invalid_proof"),
    (_proof(P256, header={"kid": None, "jwk": {**P256.public.jwk(), "d": "AAAA"}}),
     "invalid_proof"),
    (_proof(P256, header={"kid": None, "jwk": {"kty": "EC"}}), "invalid_proof"),
    (_proof(tamper=True), "invalid_proof"),
    (_proof(claims={"aud": "https://elsewhere.example"}), "invalid_proof"),
    (_proof(claims={"aud": None}), "invalid_proof"),
    (_proof(claims={"iat": None}), "invalid_proof"),
    (_proof(claims={"iat": "now"}), "invalid_proof"),
    (_proof(claims={"iat": int((NOW - timedelta(hours=1)).timestamp())}), "invalid_proof"),
    (_proof(claims={"nonce": None}), "invalid_nonce"),
    (_proof(claims={"nonce": "1.2.3"}), "invalid_nonce"),
    (_proof(claims={"nonce": _nonce() + "x"}), "invalid_nonce"),
    (_proof(claims={"nonce": _nonce(NOW - timedelta(minutes=6))}), "invalid_nonce"),
    (_proof(claims={"nonce": ["x"]}), "invalid_nonce"),
])
def test_bad_proofs_are_refused(proof: str, error: str) -> None:
    assert _refused(proof) == error


def test_a_nonce_from_another_secret_is_refused() -> None:
    other = oid4vci.new_nonce("another-secret", now=NOW)["c_nonce"]
    assert _refused(_proof(claims={"nonce": other})) == "invalid_nonce"
