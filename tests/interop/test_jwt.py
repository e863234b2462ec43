"""VC-JWT interop with panva/jose (JavaScript), ES256 and RS256.

* badges ``sign_jwt`` -> jose ``jwtVerify`` (algorithms restricted to the key's
  own): verified, same payload and header; a one-character change -> rejected.
* jose ``SignJWT`` -> badges ``decode_jwt`` + ``verify_jwt_signature``
  (and the full verifier where the key is resolvable); tampering -> rejected.

Content cases are the same as for Data Integrity (``credentials.CASES``): here
they exercise JSON escaping, UTF-8 and base64url between the two sides.
All JavaScript work is done in two Node processes per module.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from badges import keys
from badges.errors import BadgesError
from badges.jwt import JWT_REGISTERED_CLAIMS
from badges.jwt import check_jwt_claims
from badges.jwt import decode_jwt
from badges.jwt import sign_jwt
from badges.jwt import verify_jwt_signature
from badges.multibase import b64url_decode
from badges.multibase import b64url_encode
from tests.interop.credentials import CASES
from tests.interop.credentials import NOW
from tests.interop.credentials import NOW_ISO
from tests.interop.credentials import alter_one_char
from tests.interop.credentials import case_credential
from tests.interop.node import run_batch

ALGS: dict[str, keys.KeyType] = {"ES256": "p256", "RS256": "rsa"}
#: (alg, content case, embed_jwk)
SIGNED = [(alg, case, False) for alg in ALGS for case in CASES] + [
    (alg, "unicode", True) for alg in ALGS]
TAMPERS = ("payload_char", "payload_claim", "signature", "header_alg")
TAMPERED = [(alg, case, False, t) for alg in ALGS for case in ("plain", "emoji")
            for t in TAMPERS]


def ident(value: tuple[Any, ...]) -> str:
    return "-".join(str(v) if not isinstance(v, bool) else ("jwk" if v else "kid")
                    for v in value)


# --- tampering of compact JWS ------------------------------------------------------------


def _reencode_payload(token: str, change: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    change(claims)
    new = b64url_encode(json.dumps(claims, ensure_ascii=False,
                                   separators=(",", ":")).encode("utf-8"))
    return f"{header}.{new}.{signature}"


def _flip_b64(segment: str) -> str:
    i = len(segment) // 2
    return segment[:i] + ("A" if segment[i] != "A" else "B") + segment[i + 1:]


def tamper_jwt(token: str, tamper: str) -> str:
    header, payload, signature = token.split(".")
    if tamper == "payload_char":  # one character of the credential name changed
        out = _reencode_payload(token, lambda c: c.__setitem__("name", alter_one_char(c["name"])))
    elif tamper == "payload_claim":  # nbf one second later
        out = _reencode_payload(token, lambda c: c.__setitem__("nbf", c["nbf"] + 1))
    elif tamper == "signature":
        out = f"{header}.{payload}.{_flip_b64(signature)}"
    elif tamper == "header_alg":  # claim the other algorithm
        h = json.loads(b64url_decode(header))
        h["alg"] = "RS256" if h["alg"] == "ES256" else "ES256"
        new = b64url_encode(json.dumps(h, separators=(",", ":")).encode())
        out = f"{new}.{payload}.{signature}"
    else:
        raise AssertionError(tamper)
    assert out != token
    return out


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The VCDM 2.0 VC-JWT claims for a credential (OB 3.0 §8.2.2), built independently."""
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }
    if "id" in credential["credentialSubject"]:
        claims["sub"] = credential["credentialSubject"]["id"]
    return claims


# --- module setup ------------------------------------------------------------------------


class Setup:
    def __init__(self) -> None:
        self.keys = {alg: keys.generate(kind) for alg, kind in ALGS.items()}
        self.credentials = {
            (alg, case): case_credential(case, self.keys[alg].controller)
            for alg in ALGS for case in CASES
        }
        self.tokens = {
            (alg, case, jwk): sign_jwt(self.credentials[alg, case], key=self.keys[alg],
                                       embed_jwk=jwk)
            for alg, case, jwk in SIGNED
        }
        self._jose_verdicts: dict[tuple[Any, ...], dict[str, Any]] | None = None
        self._jose_tokens: dict[tuple[Any, ...], dict[str, Any]] | None = None

    def public_jwk(self, alg: str) -> dict[str, str]:
        return self.keys[alg].public.jwk()

    @property
    def jose_verdicts(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        """jwt-verify.mjs answers for every badges token (plain and tampered)."""
        if self._jose_verdicts is None:
            jobs: dict[tuple[Any, ...], dict[str, Any]] = {}
            for key, token in self.tokens.items():
                jobs[key] = {"jwt": token, "jwk": self.public_jwk(key[0])}
            for alg, case, jwk, tamper in TAMPERED:
                jobs[alg, case, jwk, tamper] = {
                    "jwt": tamper_jwt(self.tokens[alg, case, jwk], tamper),
                    "jwk": self.public_jwk(alg)}
            # jose with the *other* algorithm's key must refuse (no alg confusion)
            for alg in ALGS:
                other = next(a for a in ALGS if a != alg)
                jobs[alg, "plain", False, "other_key"] = {
                    "jwt": self.tokens[alg, "plain", False], "jwk": self.public_jwk(other)}
            results = run_batch("jwt-verify.mjs", list(jobs.values()), now=NOW_ISO)
            self._jose_verdicts = dict(zip(jobs, results, strict=True))
        return self._jose_verdicts

    @property
    def jose_tokens(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        """jwt-sign.mjs answers ({jwt} or {error}) for every (alg, case, embed_jwk)."""
        if self._jose_tokens is None:
            items = []
            for alg, case, jwk in SIGNED:
                cred = self.credentials[alg, case]
                items.append({"payload": {**cred, **jwt_claims(cred)},
                              "key": self.keys[alg].to_json(), "embedJwk": jwk})
            results = run_batch("jwt-sign.mjs", items)
            self._jose_tokens = dict(zip(SIGNED, results, strict=True))
        return self._jose_tokens

    def jose_token(self, key: tuple[Any, ...]) -> str:
        result = self.jose_tokens[key]
        assert "jwt" in result, f"jose could not sign {key}: {result}"
        return str(result["jwt"])


@pytest.fixture(scope="module")
def setup() -> Setup:
    return Setup()


# --- badges -> jose ----------------------------------------------------------------------


@pytest.mark.parametrize("key", SIGNED, ids=ident)
def test_badges_jwt_jose_verifies(setup: Setup, key: tuple[Any, ...]) -> None:
    alg, case, embed = key
    verdict = setup.jose_verdicts[key]
    assert verdict["verified"] is True, verdict.get("error")
    badges_key = setup.keys[alg]
    expected_header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if embed:
        expected_header["jwk"] = badges_key.public.jwk()
    else:
        expected_header["kid"] = badges_key.id
    assert verdict["header"] == expected_header
    cred = setup.credentials[alg, case]
    payload = verdict["payload"]
    # the payload is the credential plus the registered claims, exactly
    assert {k: v for k, v in payload.items() if k not in JWT_REGISTERED_CLAIMS} == cred
    assert {k: v for k, v in payload.items() if k in JWT_REGISTERED_CLAIMS} == jwt_claims(cred)
    assert payload == decode_jwt(setup.tokens[key]).payload


@pytest.mark.parametrize("key", TAMPERED, ids=ident)
def test_badges_jwt_tampered_jose_rejects(setup: Setup, key: tuple[Any, ...]) -> None:
    verdict = setup.jose_verdicts[key]
    assert verdict["verified"] is False
    assert verdict["error"]


@pytest.mark.parametrize("alg", ALGS)
def test_badges_jwt_other_key_jose_rejects(setup: Setup, alg: str) -> None:
    verdict = setup.jose_verdicts[alg, "plain", False, "other_key"]
    assert verdict["verified"] is False


# --- jose -> badges ----------------------------------------------------------------------


@pytest.mark.parametrize("key", SIGNED, ids=ident)
def test_jose_jwt_badges_verifies(setup: Setup, key: tuple[Any, ...]) -> None:
    alg, case, embed = key
    token = setup.jose_token(key)
    decoded = decode_jwt(token)
    public = keys.public_from_jwk(setup.public_jwk(alg))
    assert verify_jwt_signature(decoded, public) is True
    cred = setup.credentials[alg, case]
    assert decoded.payload == {**cred, **jwt_claims(cred)}
    assert decoded.form == "vcdm2"
    assert check_jwt_claims(decoded) == []
    if embed:
        assert decoded.header == {"alg": alg, "jwk": setup.public_jwk(alg), "typ": "JWT"}
    else:
        assert decoded.header == {"alg": alg, "kid": setup.keys[alg].id, "typ": "JWT"}


def _resolvable(key: tuple[Any, ...]) -> bool:
    """Whether the full verifier can find the key offline: did:key kid (P-256) or header jwk."""
    alg, _case, embed = key
    return bool(embed) or alg == "ES256"


@pytest.mark.parametrize("key", [k for k in SIGNED if _resolvable(k)], ids=ident)
def test_jose_jwt_badges_full_verifier(setup: Setup, key: tuple[Any, ...]) -> None:
    from badges.verify import verify_credential

    report = verify_credential(setup.jose_token(key), now=NOW)
    check = report.check("proof")
    assert check is not None and str(check.outcome) == "passed", report.to_json()


@pytest.mark.parametrize("key", TAMPERED, ids=ident)
def test_jose_jwt_tampered_badges_rejects(setup: Setup, key: tuple[Any, ...]) -> None:
    alg, case, embed, tamper = key
    token = tamper_jwt(setup.jose_token((alg, case, embed)), tamper)
    public = keys.public_from_jwk(setup.public_jwk(alg))
    try:
        ok = verify_jwt_signature(decode_jwt(token), public)
    except BadgesError:  # refused while decoding: a rejection too
        ok = False
    assert ok is False
