"""DIDAuth presentations: what :func:`badges.didauth.verify_didauth` refuses, and why.

The presentations here are signed in Python with the same hashing as
``eddsa-rdfc-2022`` (VC-DI-EdDSA §3.2.4), to reach every refusal branch; the
exchange tests sign with independent JavaScript implementations
(``tests/issuer/test_vcapi_exchange.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from badges import dataintegrity
from badges import keys
from badges import multibase
from badges.didauth import DidAuthError
from badges.didauth import verify_didauth

VC_V2 = "https://www.w3.org/ns/credentials/v2"
CHALLENGE = "c-123"
DOMAIN = "badges.example.org"
KEY = keys.generate("ed25519")


def _signed(*, key: keys.KeyPair = KEY, holder: Any = None, purpose: str = "authentication",
            challenge: str | None = CHALLENGE, domain: str | None = DOMAIN,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    vp: dict[str, Any] = {"@context": [VC_V2], "type": ["VerifiablePresentation"],
                          "holder": key.controller if holder is None else holder,
                          **(extra or {})}
    options: dict[str, Any] = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                               "created": "2026-12-05T12:00:00Z",
                               "verificationMethod": key.id, "proofPurpose": purpose}
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    signature = key.sign(dataintegrity.hash_data(vp, options))
    return {**vp, "proof": {**options, "proofValue": multibase.encode(signature, "z")}}


def _code(vp: Any, **kwargs: Any) -> str:
    with pytest.raises(DidAuthError) as refused:
        verify_didauth(vp, challenge=kwargs.pop("challenge", CHALLENGE),
                       domain=kwargs.pop("domain", DOMAIN), **kwargs)
    return refused.value.code


def test_a_good_presentation_names_its_did() -> None:
    assert verify_didauth(_signed(), challenge=CHALLENGE, domain=DOMAIN) == KEY.controller
    # holder is signed over; no domain is accepted only when none was asked for
    vp = _signed()
    del vp["holder"]
    assert _code(vp) == "invalid_signature"  # removing holder changes what was signed
    assert verify_didauth(_signed(domain=None), challenge=CHALLENGE, domain=DOMAIN,
                          require_domain=False) == KEY.controller


def test_refusals() -> None:
    other = keys.generate("ed25519")
    assert _code(_signed(), challenge="c-124") == "invalid_challenge"
    assert _code(_signed(challenge=None)) == "invalid_challenge"
    assert _code(_signed(domain="evil.example")) == "invalid_domain"
    assert _code(_signed(domain="evil.example"), require_domain=False) == "invalid_domain"
    assert _code(_signed(domain=None)) == "invalid_domain"
    assert _code(_signed(purpose="assertionMethod")) == "invalid_proof"
    assert _code(_signed(holder=other.controller)) == "invalid_proof"
    assert _code(_signed(holder={"id": other.controller})) == "invalid_proof"
    assert _code(_signed(key=keys.generate("ed25519").with_controller(
        "https://badges.example.org/issuers/x"))) == "unsupported_did"
    assert _code(_signed(key=keys.generate("p256"))) == "unsupported_did"  # not Ed25519
    tampered = _signed()
    tampered["proof"] = {**tampered["proof"], "created": "2026-12-05T12:00:01Z"}
    assert _code(tampered) == "invalid_signature"
    forged = _signed()
    forged["proof"]["verificationMethod"] = other.id
    forged["holder"] = other.controller
    assert _code(forged) == "invalid_signature"
    assert _code(_signed(extra={"undefinedTerm": 1})) == "invalid_proof"
    assert _code({"type": "VerifiableCredential"}) == "invalid_presentation"
    assert _code([1]) == "invalid_presentation"
    assert _code({**_signed(), "proof": [_signed()["proof"]] * 2}) == "invalid_proof"
    assert _code({**_signed(), "proof": {**_signed()["proof"], "type": "RsaSignature2018"}}) \
        == "unsupported_cryptosuite"
    assert _code({**_signed(), "proof": {**_signed()["proof"], "proofValue": "zzz"}}) \
        == "invalid_proof"
