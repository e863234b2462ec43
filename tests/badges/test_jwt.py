"""Tests for badges.jwt (VC-JWT, OB 3.0 §8.2)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import keys
from badges.errors import BadgesError
from badges.errors import InputError
from badges.errors import ProofError
from badges.jwt import JWT_REGISTERED_CLAIMS
from badges.jwt import DecodedJwt
from badges.jwt import check_jwt_claims
from badges.jwt import decode_jwt
from badges.jwt import header_problem
from badges.jwt import sign_jwt
from badges.jwt import vcdm2_in_vc_claim
from badges.jwt import verify_jwt_signature
from badges.multibase import b64url_decode
from badges.multibase import b64url_encode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"
BASIC: dict[str, Any] = json.loads(
    (FIXTURES / "spec" / "basic-openbadgecredential.unsigned.json").read_text())
VALIDATOR_JWT = (FIXTURES / "validator" / "ob30-simple.vc-jwt.jwt").read_text()

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

KEY_TYPE_NAMES: tuple[keys.KeyType, ...] = ("ed25519", "p256", "rsa")
KEYS: dict[str, keys.KeyPair] = {t: keys.generate(t) for t in KEY_TYPE_NAMES}
OTHER_KEYS: dict[str, keys.KeyPair] = {t: keys.generate(t) for t in KEY_TYPE_NAMES}
KEY_TYPES = list(KEYS)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def basic(**changes: Any) -> dict[str, Any]:
    cred = copy.deepcopy(BASIC)
    cred.update(changes)
    return cred


def legacy(**changes: Any) -> dict[str, Any]:
    """The same badge in the VCDM 1.1 shape."""
    cred = copy.deepcopy(BASIC)
    cred["@context"] = [V1, OB]
    cred["issuanceDate"] = cred.pop("validFrom")
    cred.update(changes)
    return cred


def credential_for(form: str) -> dict[str, Any]:
    return basic() if form == "vcdm2" else legacy()


def b64_json(value: Any) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def forge(header: dict[str, Any], payload: dict[str, Any],
          signer: keys.KeyPair | Callable[[bytes], bytes] | None = None) -> str:
    """Build a compact JWS by hand, signing with any key whatever the header says."""
    signing_input = f"{b64_json(header)}.{b64_json(payload)}"
    if signer is None:
        sig = b""
    elif isinstance(signer, keys.KeyPair):
        sig = signer.sign(signing_input.encode())
    else:
        sig = signer(signing_input.encode())
    return f"{signing_input}.{b64url_encode(sig)}"


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    h, p, _ = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p))


def resign(token: str, key: keys.KeyPair, mutate: Callable[[dict[str, Any]], None]) -> str:
    header, payload = parts(token)
    mutate(payload)
    return forge(header, payload, key)


def code_of(token: str | bytes, **kwargs: Any) -> str:
    with pytest.raises(BadgesError) as info:
        decode_jwt(token, **kwargs)
    return info.value.code


def header_for(key: keys.KeyPair, **extra: Any) -> dict[str, Any]:
    return {"alg": key.jose_alg, "kid": key.id, "typ": "JWT", **extra}


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("embed_jwk", [False, True])
@pytest.mark.parametrize("form", ["vcdm2", "vc_claim"])
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_round_trip(key_type: str, form: str, embed_jwk: bool) -> None:
    key = KEYS[key_type]
    cred = credential_for(form)
    token = sign_jwt(cred, key=key, form=form, embed_jwk=embed_jwk)  # type: ignore[arg-type]
    decoded = decode_jwt(token)
    assert decoded.form == form
    assert verify_jwt_signature(decoded, key.public)
    assert check_jwt_claims(decoded) == []
    if embed_jwk:
        assert decoded.header == {"alg": key.jose_alg, "jwk": key.public.jwk(), "typ": "JWT"}
        assert verify_jwt_signature(decoded, keys.public_from_jwk(decoded.header["jwk"]))
    else:
        assert decoded.header == {"alg": key.jose_alg, "kid": key.id, "typ": "JWT"}
    if form == "vc_claim":
        assert decoded.credential == cred
        assert set(decoded.payload) == {"vc", "iss", "jti", "nbf", "sub"}
    else:
        stripped = {k: v for k, v in decoded.credential.items() if k not in JWT_REGISTERED_CLAIMS}
        assert stripped == cred
    assert decoded.payload["iss"] == "https://example.com/issuers/876543"
    assert decoded.payload["jti"] == "http://example.com/credentials/3527"
    assert decoded.payload["sub"] == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert decoded.payload["nbf"] == 1262304000
    assert "exp" not in decoded.payload
    # Another key of the same type does not verify it.
    assert not verify_jwt_signature(decoded, OTHER_KEYS[key_type].public)


def test_signing_input_and_signature_exposed() -> None:
    token = sign_jwt(basic(), key=KEYS["p256"])
    decoded = decode_jwt(token)
    h, p, s = token.split(".")
    assert decoded.signing_input == f"{h}.{p}".encode()
    assert decoded.signature == b64url_decode(s)
    assert len(decoded.signature) == 64  # raw r||s, RFC 7518 §3.4


def test_exp_from_valid_until_and_expiration_date() -> None:
    key = KEYS["ed25519"]
    d2 = decode_jwt(sign_jwt(basic(validUntil="2030-01-01T00:00:00Z"), key=key))
    assert d2.payload["exp"] == 1893456000
    d1 = decode_jwt(sign_jwt(legacy(expirationDate="2030-01-01T00:00:00Z"), key=key,
                             form="vc_claim"))
    assert d1.payload["exp"] == 1893456000
    assert check_jwt_claims(d2) == [] and check_jwt_claims(d1) == []


def test_issuer_as_string_and_subject_without_id() -> None:
    cred = basic(issuer="https://example.com/issuers/1")
    del cred["credentialSubject"]["id"]
    cred["credentialSubject"]["identifier"] = [{"type": "IdentityObject"}]
    decoded = decode_jwt(sign_jwt(cred, key=KEYS["ed25519"]))
    assert decoded.payload["iss"] == "https://example.com/issuers/1"
    assert "sub" not in decoded.payload
    assert check_jwt_claims(decoded) == []


def test_sign_does_not_mutate_input() -> None:
    for form, cred in (("vcdm2", basic(validUntil="2030-01-01T00:00:00Z")), ("vc_claim", legacy())):
        before = copy.deepcopy(cred)
        sign_jwt(cred, key=KEYS["p256"], form=form)  # type: ignore[arg-type]
        assert cred == before


def test_resigning_a_decoded_vcdm2_credential_is_idempotent() -> None:
    key = KEYS["ed25519"]
    decoded = decode_jwt(sign_jwt(basic(), key=key))
    again = decode_jwt(sign_jwt(decoded.credential, key=key))
    assert again.payload == decoded.payload


@pytest.mark.parametrize(("date", "expected"), [
    ("2010-01-01T00:00:00Z", 1262304000),
    ("2010-01-01t00:00:00z", 1262304000),
    ("2010-01-01T00:00:00.999999999Z", 1262304000),
    ("2010-01-01T00:00:00.5+00:00", 1262304000),
    ("2010-01-01T01:00:00+01:00", 1262304000),
    ("2009-12-31T19:30:00-04:30", 1262304000),
    ("1969-12-31T23:59:59.5Z", -1),
    ("2024-02-29T12:00:00Z", 1709208000),
])
def test_numeric_date_conversion(date: str, expected: int) -> None:
    decoded = decode_jwt(sign_jwt(basic(validFrom=date), key=KEYS["ed25519"]))
    assert decoded.payload["nbf"] == expected
    assert check_jwt_claims(decoded) == []


@pytest.mark.parametrize("date", [
    "2010-01-01T00:00:00", "2010-01-01", "2010-01-01 00:00:00Z", "20100101T000000Z",
    "2010-13-01T00:00:00Z", "2010-02-30T00:00:00Z", "2010-01-01T00:00:60Z",
    "2010-01-01T24:00:00Z", "2010-01-01T00:00:00+24:00", "2010-01-01T00:00:00+01:60",
    "2010-01-01T00:00:00.Z", 1262304000, None, "",
])
def test_sign_refuses_bad_dates(date: Any) -> None:
    with pytest.raises(ProofError) as info:
        sign_jwt(basic(validFrom=date), key=KEYS["ed25519"])
    assert info.value.code == "jwt_claim_mismatch"


@pytest.mark.parametrize("missing", ["id", "issuer", "validFrom"])
def test_sign_refuses_incomplete_credential(missing: str) -> None:
    cred = basic()
    del cred[missing]
    with pytest.raises(ProofError) as info:
        sign_jwt(cred, key=KEYS["ed25519"])
    assert info.value.code == "jwt_claim_missing"


@pytest.mark.parametrize("issuer", [{"type": ["Profile"]}, {"id": 5}, "", 7])
def test_sign_refuses_issuer_without_id(issuer: Any) -> None:
    with pytest.raises(ProofError) as info:
        sign_jwt(basic(issuer=issuer), key=KEYS["ed25519"])
    assert info.value.code == "jwt_claim_missing"


def test_sign_refuses_legacy_without_dates() -> None:
    cred = legacy()
    del cred["issuanceDate"]
    with pytest.raises(ProofError) as info:
        sign_jwt(cred, key=KEYS["ed25519"], form="vc_claim")
    assert info.value.code == "jwt_claim_missing"


def test_sign_refuses_form_mismatch_and_conflicts() -> None:
    key = KEYS["ed25519"]
    for cred, form in ((basic(), "vc_claim"), (legacy(), "vcdm2"), (basic(vc={}), "vcdm2")):
        with pytest.raises(ProofError) as info:
            sign_jwt(cred, key=key, form=form)  # type: ignore[arg-type]
        assert info.value.code == "jwt_form_mismatch"
    with pytest.raises(ProofError) as info:
        sign_jwt(basic(iss="https://evil.example"), key=key)
    assert info.value.code == "jwt_claim_mismatch"
    with pytest.raises(ProofError) as info:
        sign_jwt(basic(extra={1, 2}), key=key)
    assert info.value.code == "credential_not_json"
    with pytest.raises(ProofError) as info:
        sign_jwt(basic(extra=float("nan")), key=key)
    assert info.value.code == "credential_not_json"


# --- tampering -------------------------------------------------------------------------------


def rejected(token: str, key: keys.PublicKey) -> bool:
    try:
        decoded = decode_jwt(token)
    except BadgesError:
        return True
    return not verify_jwt_signature(decoded, key)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_changing_any_character_is_detected(key_type: str) -> None:
    key = KEYS[key_type]
    token = sign_jwt(basic(validUntil="2030-01-01T00:00:00Z"), key=key)
    assert not rejected(token, key.public)
    for i, ch in enumerate(token):
        for repl in {"A" if ch != "A" else "B", "_" if ch != "_" else "-", "."} - {ch}:
            assert rejected(token[:i] + repl + token[i + 1:], key.public), (i, ch, repl)
        assert rejected(token[:i] + token[i + 1:], key.public), i


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_flipping_any_decoded_byte_is_detected(key_type: str) -> None:
    key = KEYS[key_type]
    token = sign_jwt(basic(), key=key, embed_jwk=True)
    segments = token.split(".")
    for index in range(3):
        raw = bytearray(b64url_decode(segments[index]))
        for pos in range(len(raw)):
            tampered = bytearray(raw)
            tampered[pos] ^= 0x01
            new = list(segments)
            new[index] = b64url_encode(bytes(tampered))
            assert rejected(".".join(new), key.public), (index, pos)


def test_signature_with_non_canonical_trailing_bits_refused() -> None:
    token = sign_jwt(basic(), key=KEYS["p256"])  # 64-byte signature: 86 chars, 2 spare bits
    head, _, sig = token.rpartition(".")
    last = B64URL.index(sig[-1])
    assert last & 0b11 == 0
    twin = head + "." + sig[:-1] + B64URL[last | 1]
    assert b64url_decode(twin.rsplit(".", 1)[1]) == b64url_decode(sig)  # same bytes...
    assert code_of(twin) == "malformed_jwt"  # ...but not the canonical text


# --- algorithm handling ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", [
    "none", "None", "NONE", "HS256", "HS384", "HS512", "PS256", "RS384", "RS512", "ES384",
    "ES512", "ES256K", "Ed25519", "eddsa", "es256", "", None, 256, ["ES256"], {"alg": "ES256"},
])
def test_alg_outside_allow_list_refused(alg: Any) -> None:
    key = KEYS["p256"]
    token = forge({"alg": alg, "kid": key.id, "typ": "JWT"}, parts(sign_jwt(basic(), key=key))[1],
                  key)
    assert code_of(token) == "alg_not_allowed"


def test_alg_none_with_empty_signature_refused() -> None:
    payload = parts(sign_jwt(basic(), key=KEYS["ed25519"]))[1]
    token = forge({"alg": "none", "kid": KEYS["ed25519"].id}, payload)
    assert token.endswith(".")
    assert code_of(token) == "alg_not_allowed"


def test_missing_alg_is_malformed() -> None:
    key = KEYS["p256"]
    token = forge({"kid": key.id}, parts(sign_jwt(basic(), key=key))[1], key)
    assert code_of(token) == "malformed_jwt"


@pytest.mark.parametrize("key_type", ["p256", "rsa", "ed25519"])
def test_hs256_key_confusion_refused(key_type: str) -> None:
    """The classic attack: HMAC the token with the issuer's public key as the secret."""
    key = KEYS[key_type]
    payload = parts(sign_jwt(basic(), key=key))[1]
    pem = key.public.key.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk_bytes = json.dumps(key.public.jwk()).encode()
    for secret in (pem, jwk_bytes):
        def hs256(data: bytes, secret: bytes = secret) -> bytes:
            return hmac.new(secret, data, hashlib.sha256).digest()

        token = forge({"alg": "HS256", "kid": key.id, "typ": "JWT"}, payload, hs256)
        assert code_of(token) == "alg_not_allowed"
        # Even a DecodedJwt built around the parser is never accepted.
        h, p, s = token.split(".")
        forged = DecodedJwt(header=parts(token)[0], payload=payload, credential=payload,
                            form="vcdm2", signing_input=f"{h}.{p}".encode(),
                            signature=b64url_decode(s))
        assert not verify_jwt_signature(forged, key.public)


@pytest.mark.parametrize(("signer", "claimed", "verifier"), [
    ("p256", "RS256", "p256"),     # token says RS256, key is P-256
    ("p256", "EdDSA", "p256"),
    ("ed25519", "ES256", "ed25519"),
    ("rsa", "ES256", "rsa"),
    ("rsa", "RS256", "p256"),      # genuine RS256 token checked with a P-256 key
    ("p256", "ES256", "rsa"),
    ("ed25519", "EdDSA", "p256"),
])
def test_alg_key_type_mismatch_refused(signer: str, claimed: str, verifier: str) -> None:
    key = KEYS[signer]
    token = forge({"alg": claimed, "kid": key.id}, parts(sign_jwt(basic(), key=key))[1], key)
    decoded = decode_jwt(token)
    assert not verify_jwt_signature(decoded, KEYS[verifier].public)
    if signer == verifier:  # the signature itself is good: only the alg binding refuses it
        assert KEYS[verifier].public.verify(decoded.signature, decoded.signing_input)


# --- header rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [
    {"crit": ["exp"]}, {"b64": False}, {"jku": "https://evil.example/jwks"},
    {"x5u": "https://evil.example/cert"}, {"x5c": []}, {"cty": "JWT"}, {"iss": "x"},
    {"zip": "DEF"}, {"ALG": "ES256"},
])
def test_extra_header_refused(extra: dict[str, Any]) -> None:
    key = KEYS["p256"]
    token = forge(header_for(key, **extra), parts(sign_jwt(basic(), key=key))[1], key)
    assert code_of(token) == "jwt_header_not_allowed"


@pytest.mark.parametrize(("typ", "ok"), [
    ("JWT", True), ("jwt", True), ("vc+jwt", True), ("application/vc+jwt", True),
    ("application/JWT", True), ("JOSE", False), ("vc+ld+json", False), ("vc+sd-jwt", False),
    ("", False), (1, False), (None, False),
])
def test_typ(typ: Any, ok: bool) -> None:
    key = KEYS["ed25519"]
    token = forge(header_for(key, typ=typ), parts(sign_jwt(basic(), key=key))[1], key)
    if ok:
        assert verify_jwt_signature(decode_jwt(token), key.public)
    else:
        assert code_of(token) == "jwt_typ_invalid"


def test_typ_optional_and_kid_with_jwk_allowed() -> None:
    key = KEYS["ed25519"]
    payload = parts(sign_jwt(basic(), key=key))[1]
    for header in ({"alg": "EdDSA", "kid": key.id},
                   {"alg": "EdDSA", "kid": key.id, "jwk": key.public.jwk()}):
        assert verify_jwt_signature(decode_jwt(forge(header, payload, key)), key.public)


def test_key_missing_and_private_jwk() -> None:
    key = KEYS["p256"]
    payload = parts(sign_jwt(basic(), key=key))[1]
    assert code_of(forge({"alg": "ES256", "typ": "JWT"}, payload, key)) == "jwt_key_missing"
    private = key.to_json()
    assert "d" in private
    assert code_of(forge({"alg": "ES256", "jwk": private}, payload, key)) == "private_key_exposed"
    oct_jwk = {"kty": "oct", "k": "c2VjcmV0"}
    assert code_of(forge({"alg": "ES256", "jwk": oct_jwk}, payload, key)) == "private_key_exposed"
    for bad in ({"alg": "ES256", "kid": 5}, {"alg": "ES256", "kid": ""},
                {"alg": "ES256", "jwk": "abc"}, {"alg": "ES256", "jwk": [key.public.jwk()]}):
        assert code_of(forge(bad, payload, key)) == "malformed_jwt", bad


def test_validator_fixture_has_no_key_reference() -> None:
    """1EdTech's ob30-simple.vc-jwt.jwt: RS256, ``vc`` claim, no ``kid``/``jwk``.

    Its key is known to the validator's test suite only out of band, so a
    verifier following OB 3.0 §8.2.4.3 cannot find it: ``jwt_key_missing``.
    """
    header, payload = parts(VALIDATOR_JWT)
    assert header == {"alg": "RS256", "typ": "JWT"}
    with pytest.raises(ProofError) as info:
        decode_jwt(VALIDATOR_JWT)
    assert info.value.code == "jwt_key_missing"
    # With a kid added (which breaks the signature) the rest of it parses as the
    # legacy form and its claims agree with the credential.
    h, p, s = VALIDATOR_JWT.strip().split(".")
    patched = decode_jwt(f"{b64_json({**header, 'kid': 'https://example.edu/k'})}.{p}.{s}")
    assert patched.form == "vc_claim"
    assert patched.credential["@context"][0] == V1
    assert patched.payload["nbf"] == 1262304000
    assert check_jwt_claims(patched) == []
    assert len(patched.signature) == 256
    assert not verify_jwt_signature(patched, KEYS["rsa"].public)


# --- structural strictness -------------------------------------------------------------------


def test_malformed_tokens() -> None:
    key = KEYS["ed25519"]
    token = sign_jwt(basic(), key=key)
    h, p, s = token.split(".")
    not_utf8 = b64url_encode(b"\xff\xfe")
    dup_kid = b64url_encode(b'{"alg":"EdDSA","kid":"a","kid":"b"}')
    nan = b64url_encode(b'{"nbf":NaN}')
    trailing = b64url_encode(b'{"nbf":1}{}')
    deep = b64url_encode(b"[" * 100_000)
    cases: list[str | bytes] = [
        "", "abc", f"{h}.{p}", f"{h}.{p}.{s}.{s}", f"{h}.{p}.", f".{p}.{s}", f"{h}..{s}",
        f"{h}=.{p}.{s}", f"{h}.{p}.{s}==", f"{h}.{p} .{s}", f"{h}.{p}.{s[:-1]}+",
        f"{h}.{p}.{s}/", f"{h}.{p[:-1]}\u00e9.{s}", "é".encode("latin-1"), b"\xff.\xff.\xff",
        f"{b64url_encode(b'not json')}.{p}.{s}",
        f"{b64_json(['alg', 'EdDSA'])}.{p}.{s}",
        f"{h}.{b64_json([1, 2])}.{s}",
        f"{h}.{b64url_encode(b'{}')}A.{s}",  # length 4n+1: never valid base64
        f"{h}.{not_utf8}.{s}", f"{dup_kid}.{p}.{s}", f"{h}.{nan}.{s}", f"{h}.{trailing}.{s}",
        f"{h}.{b64_json({'vc': 'a string'})}.{s}", f"{h}.{deep}.{s}",
    ]
    for case in cases:
        assert code_of(case) == "malformed_jwt", case
    with pytest.raises(InputError):
        decode_jwt(token, max_length=len(token) - 1)
    with pytest.raises(InputError):
        decode_jwt(token.encode(), max_length=len(token) - 1)
    with pytest.raises(InputError):
        decode_jwt(12345)  # type: ignore[arg-type]


def test_bytes_and_surrounding_whitespace_accepted() -> None:
    key = KEYS["ed25519"]
    token = sign_jwt(basic(), key=key)
    for variant in (token.encode(), token + "\n", f"  {token}\r\n"):
        assert verify_jwt_signature(decode_jwt(variant), key.public)
    assert verify_jwt_signature(decode_jwt(token, max_length=len(token)), key.public)


def test_form_mismatch_on_decode() -> None:
    key = KEYS["ed25519"]
    header = header_for(key)
    claims = {"iss": "https://example.com/issuers/876543", "nbf": 1262304000}
    assert code_of(forge(header, {**legacy(), **claims}, key)) == "jwt_form_mismatch"


def test_a_vcdm2_credential_in_a_vc_claim_is_read() -> None:
    """As the 1EdTech validator does (DIGEST §3.1); the verifier warns (jwt_vc_claim)."""
    key = KEYS["ed25519"]
    header = header_for(key)
    claims = {"iss": "https://example.com/issuers/876543", "nbf": 1262304000}
    # a context given as a single string counts too
    for credential in (basic(), basic(**{"@context": V2})):
        decoded = decode_jwt(forge(header, {"vc": credential, **claims}, key))
        assert (decoded.form, decoded.credential) == ("vc_claim", credential)
        assert vcdm2_in_vc_claim(decoded) and header_problem(decoded) is None
        assert verify_jwt_signature(decoded, key.public)
    legacy_claim = decode_jwt(forge(header, {"vc": legacy(), **claims}, key))
    assert not vcdm2_in_vc_claim(legacy_claim)
    whole = decode_jwt(sign_jwt(basic(), key=key))
    assert whole.form == "vcdm2" and not vcdm2_in_vc_claim(whole)


def test_registered_claims_constant() -> None:
    assert frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}) == JWT_REGISTERED_CLAIMS


# --- claim checks ----------------------------------------------------------------------------


def _set(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        payload[name] = value
    return mutate


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        payload.pop(name, None)
    return mutate


@pytest.mark.parametrize(("mutate", "code", "claim"), [
    (_set("iss", "https://evil.example"), "jwt_claim_mismatch", "iss"),
    (_set("jti", "urn:uuid:other"), "jwt_claim_mismatch", "jti"),
    (_set("sub", "did:example:someone-else"), "jwt_claim_mismatch", "sub"),
    (_set("nbf", 1262304000 + 3600), "jwt_claim_mismatch", "nbf"),
    (_set("nbf", "1262304000"), "jwt_claim_mismatch", "nbf"),
    (_set("nbf", True), "jwt_claim_mismatch", "nbf"),
    (_set("exp", 1893456001), "jwt_claim_mismatch", "exp"),
    (_set("issuer", "https://evil.example"), "jwt_claim_mismatch", "iss"),
    (_set("id", "urn:uuid:other"), "jwt_claim_mismatch", "jti"),
    (_set("validFrom", "2011-01-01T00:00:00Z"), "jwt_claim_mismatch", "nbf"),
    (_set("validFrom", "yesterday"), "jwt_claim_mismatch", "validFrom"),
    (_set("validUntil", "2031-01-01T00:00:00Z"), "jwt_claim_mismatch", "exp"),
    (_drop("iss"), "jwt_claim_missing", "iss"),
    (_drop("jti"), "jwt_claim_missing", "jti"),
    (_drop("sub"), "jwt_claim_missing", "sub"),
    (_drop("nbf"), "jwt_claim_missing", "nbf"),
    (_drop("exp"), "jwt_claim_missing", "exp"),
    (_drop("validFrom"), "jwt_claim_mismatch", "validFrom"),
])
def test_claim_mismatches_detected(mutate: Callable[[dict[str, Any]], None], code: str,
                                   claim: str) -> None:
    key = KEYS["p256"]
    token = sign_jwt(basic(validUntil="2030-01-01T00:00:00Z"), key=key)
    decoded = decode_jwt(resign(token, key, mutate))
    assert verify_jwt_signature(decoded, key.public)  # signed by the issuer key...
    problems = check_jwt_claims(decoded)             # ...but inconsistent
    assert len(problems) == 1, problems
    assert problems[0][0] == code
    assert claim in problems[0][1]


def test_claim_mismatches_in_vc_claim_form() -> None:
    key = KEYS["rsa"]
    token = sign_jwt(legacy(expirationDate="2030-01-01T00:00:00Z"), key=key, form="vc_claim")

    def move_vc(payload: dict[str, Any]) -> None:
        payload["vc"]["issuer"]["id"] = "https://evil.example"
        payload["vc"]["issuanceDate"] = "2011-01-01T00:00:00Z"
        payload["vc"]["expirationDate"] = "2031-01-01T00:00:00Z"

    problems = check_jwt_claims(decode_jwt(resign(token, key, move_vc)))
    assert sorted(p[1].split()[0] for p in problems) == ["exp", "iss", "nbf"]


def test_claim_leniencies() -> None:
    key = KEYS["ed25519"]
    token = sign_jwt(basic(), key=key)
    # A fractional NumericDate within the same second matches (RFC 7519 §2).
    assert check_jwt_claims(decode_jwt(resign(token, key, _set("nbf", 1262304000.75)))) == []
    # exp without validUntil is allowed: it then serves as validUntil (OB 3.0 §8.2.4.3).
    assert check_jwt_claims(decode_jwt(resign(token, key, _set("exp", 1893456000)))) == []
    # aud and iat are not checked.
    assert check_jwt_claims(decode_jwt(resign(token, key, _set("iat", 5)))) == []


def test_sub_without_subject_id_and_multiple_subjects() -> None:
    key = KEYS["ed25519"]
    cred = basic()
    del cred["credentialSubject"]["id"]
    token = sign_jwt(cred, key=key)
    problems = check_jwt_claims(decode_jwt(resign(token, key, _set("sub", "did:example:x"))))
    assert [p[0] for p in problems] == ["jwt_claim_mismatch"]
    many = basic(credentialSubject=[{"id": "did:example:a"}, {"id": "did:example:b"}])
    decoded = decode_jwt(sign_jwt(many, key=key))
    assert "sub" not in decoded.payload and check_jwt_claims(decoded) == []
    assert check_jwt_claims(decode_jwt(resign(sign_jwt(many, key=key), key,
                                              _set("sub", "did:example:b")))) == []


# --- interoperability with PyJWT -------------------------------------------------------------


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_pyjwt_accepts_our_tokens_and_we_accept_its(key_type: str) -> None:
    key = KEYS[key_type]
    alg = key.jose_alg
    token = sign_jwt(basic(validUntil="2999-01-01T00:00:00Z"), key=key)
    claims = pyjwt.decode(token, key.public.key, algorithms=[alg],
                          options={"verify_aud": False})
    assert claims["jti"] == "http://example.com/credentials/3527"

    theirs = pyjwt.encode(parts(token)[1], key.key, algorithm=alg, headers={"kid": key.id})
    decoded = decode_jwt(theirs)
    assert verify_jwt_signature(decoded, key.public)
    assert check_jwt_claims(decoded) == []


# --- properties ------------------------------------------------------------------------------


_json_leaf = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
              | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
_json = st.recursive(_json_leaf,
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_uri = st.builds(lambda s, n: f"https://{s}.example/{n}",
                 st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
                 st.integers(0, 10**9))
_zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                          timezone(timedelta(hours=-11)), timezone(timedelta(minutes=-30))])


@st.composite
def _date(draw: st.DrawFn) -> str:
    when = draw(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 1, 1),
                             timezones=_zones))
    text = when.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds",
                                                         "microseconds"])))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


_RESERVED = frozenset({"vc", "validFrom", "validUntil", "issuanceDate", "expirationDate"})


@st.composite
def credentials(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    form = draw(st.sampled_from(["vcdm2", "vc_claim"]))
    issuer_id = draw(_uri)
    cred: dict[str, Any] = {
        "@context": [V2 if form == "vcdm2" else V1, OB],
        "id": draw(_uri | st.uuids().map(lambda u: f"urn:uuid:{u}")),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": draw(st.sampled_from([issuer_id, {"id": issuer_id, "type": ["Profile"]}])),
        "credentialSubject": {"type": ["AchievementSubject"]},
    }
    start, end = ("validFrom", "validUntil") if form == "vcdm2" else ("issuanceDate",
                                                                       "expirationDate")
    cred[start] = draw(_date())
    if draw(st.booleans()):
        cred[end] = draw(_date())
    if draw(st.booleans()):
        cred["credentialSubject"]["id"] = draw(_uri)
    for name, value in draw(st.dictionaries(
            st.text(min_size=1, max_size=10).filter(
                lambda k: k not in cred and k not in JWT_REGISTERED_CLAIMS and k not in _RESERVED),
            _json, max_size=4)).items():
        cred[name] = value
    return cred, form


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(credentials(), st.sampled_from(KEY_TYPES), st.booleans())
def test_property_sign_decode_verify(case: tuple[dict[str, Any], str], key_type: str,
                                     embed: bool) -> None:
    cred, form = case
    key = KEYS[key_type]
    before = copy.deepcopy(cred)
    decoded = decode_jwt(sign_jwt(cred, key=key, form=form, embed_jwk=embed))  # type: ignore[arg-type]
    assert cred == before
    assert decoded.form == form
    assert verify_jwt_signature(decoded, key.public)
    assert check_jwt_claims(decoded) == []
    credential = (decoded.credential if form == "vc_claim" else
                  {k: v for k, v in decoded.credential.items() if k not in JWT_REGISTERED_CLAIMS})
    assert credential == cred


def _mutations(payload: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Strategies producing a payload that differs from ``payload``."""
    def replace(name_value: tuple[str, Any]) -> dict[str, Any]:
        name, value = name_value
        return {**payload, name: value}

    changed = st.tuples(st.sampled_from(sorted(payload)), _json).map(replace)
    removed = st.sampled_from(sorted(payload)).map(
        lambda name: {k: v for k, v in payload.items() if k != name})
    added = st.tuples(st.text(min_size=1, max_size=6), _json).map(replace)
    return (changed | removed | added).filter(lambda p: p != payload)


@PROPERTY_SETTINGS
@given(credentials(), st.sampled_from(KEY_TYPES), st.data())
def test_property_any_payload_mutation_is_caught(case: tuple[dict[str, Any], str],
                                                 key_type: str, data: st.DataObject) -> None:
    cred, form = case
    key = KEYS[key_type]
    token = sign_jwt(cred, key=key, form=form)  # type: ignore[arg-type]
    h, p, s = token.split(".")
    mutated = data.draw(_mutations(parts(token)[1]))
    # Unsigned change: the signature no longer holds (or the token no longer parses).
    assert rejected(f"{h}.{b64_json(mutated)}.{s}", key.public)


@PROPERTY_SETTINGS
@given(credentials(), st.sampled_from(["iss", "jti", "nbf"]), st.data())
def test_property_resigned_claim_change_is_caught(case: tuple[dict[str, Any], str], claim: str,
                                                  data: st.DataObject) -> None:
    cred, form = case
    key = KEYS["ed25519"]
    token = sign_jwt(cred, key=key, form=form)  # type: ignore[arg-type]
    original = parts(token)[1][claim]
    new = data.draw((_uri if claim != "nbf" else st.integers(0, 2**40))
                    .filter(lambda v: v != original))
    decoded = decode_jwt(resign(token, key, _set(claim, new)))
    assert verify_jwt_signature(decoded, key.public)
    assert any(claim in message for _, message in check_jwt_claims(decoded))
