"""VC-JWT: the Open Badges 3.0 "JSON Web Token Proof Format" (OB 3.0 §8.2).

A VC-JWT is a JWS in compact serialization (RFC 7515 §3.1, §7.1) whose
payload is either the credential itself plus the JWT registered claims
(VCDM 2.0 form, OB 3.0 §8.2.2) or a ``vc`` claim holding the credential
(legacy VCDM 1.1 form). Verifiers must accept both (OB 3.0 impl guide,
"Verification").

The JWS is built by hand over :class:`badges.keys.KeyPair` rather than through
a JWT library, so that the whole decision about algorithms lives here:

* the accepted ``alg`` values are the fixed set :data:`ALLOWED_ALGS`
  (``ES256``, ``RS256``, ``EdDSA``); ``none``, ``HS*`` and everything else are
  refused before any key is looked at (RFC 8725 §2.1, §3.1);
* :func:`verify_jwt_signature` only succeeds when the header ``alg`` is the
  algorithm of the *resolved key's type*; the token never chooses how it is
  checked, which rules out the HMAC-with-a-public-key confusion attack.

The module is pure: no clock, no I/O, no network. Time checks (``nbf`` in the
future, ``exp`` in the past) and key resolution (``kid`` dereferencing) belong
to the caller.

Policy decisions beyond the letter of the spec, all documented on the functions:

* header members other than ``alg``, ``kid``, ``jwk`` and ``typ`` are refused
  (OB 3.0 §8.2.4: "Additional JOSE Headers are NOT allowed"), ``crit`` included;
* ``typ`` may be ``JWT`` (OB 3.0) or ``vc+jwt`` (VC-JOSE-COSE, seen in the
  field), compared as media types (RFC 7515 §4.1.9);
* a header with both ``kid`` and ``jwk`` is accepted; the caller picks the key;
* duplicate JSON member names, ``NaN``/``Infinity`` and padded or
  non-canonical base64url are refused, so each token has a single reading.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any
from typing import Literal

from badges.errors import InputError
from badges.errors import ProofError
from badges.keys import JOSE_ALG
from badges.keys import KeyPair
from badges.keys import PublicKey
from badges.multibase import b64url_encode

JwtForm = Literal["vcdm2", "vc_claim"]

#: The only ``alg`` values ever accepted (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
ALLOWED_ALGS: frozenset[str] = frozenset({"ES256", "RS256", "EdDSA"})

#: JOSE header members OB 3.0 §8.2.4 allows; any other member is refused.
ALLOWED_HEADERS: frozenset[str] = frozenset({"alg", "kid", "jwk", "typ"})

#: JWT registered claims (RFC 7519 §4.1), to strip before JSON-LD processing.
JWT_REGISTERED_CLAIMS: frozenset[str] = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
)

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"

# typ values accepted, compared case-insensitively without "application/".
_TYPS = frozenset({"jwt", "vc+jwt"})
# JWK members that carry secret material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_B64URL_TEXT = re.compile(r"[A-Za-z0-9_-]+")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True, slots=True)
class DecodedJwt:
    """A parsed, not yet verified, VC-JWT.

    Attributes:
        header: the JOSE header (only ``alg``, ``kid``, ``jwk``, ``typ``).
        payload: the JWT claims set.
        credential: ``payload["vc"]`` (form ``vc_claim``) or the payload itself
            (form ``vcdm2``, registered claims included: see
            :data:`JWT_REGISTERED_CLAIMS`).
        form: ``vcdm2`` (VCDM 2.0 whole-payload) or ``vc_claim`` (VCDM 1.1).
        signing_input: ``ASCII(BASE64URL(header) '.' BASE64URL(payload))``
            exactly as received (RFC 7515 §5.2 step 8).
        signature: the decoded JWS signature.
    """

    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    form: JwtForm
    signing_input: bytes
    signature: bytes


def sign_jwt(
    credential: dict[str, Any],
    *,
    key: KeyPair,
    form: JwtForm = "vcdm2",
    embed_jwk: bool = False,
) -> str:
    """Sign a credential as a VC-JWT (OB 3.0 §8.2.3; RFC 7515 §5.1).

    Header: ``{"alg": key.jose_alg, "kid": key.id, "typ": "JWT"}``, or the public
    JWK under ``jwk`` instead of ``kid`` when ``embed_jwk`` is set.

    Payload, form ``vcdm2``: the credential's members plus ``iss`` (issuer id),
    ``jti`` (credential id), ``nbf`` (``validFrom``), ``sub``
    (``credentialSubject.id`` when there is exactly one subject id) and ``exp``
    (``validUntil``, when present). Form ``vc_claim``: ``{"vc": credential}``
    plus the same claims, with ``nbf``/``exp`` from ``issuanceDate``/
    ``expirationDate`` (falling back to ``validFrom``/``validUntil``).

    NumericDates are whole seconds, rounded down (RFC 7519 §2).

    Args:
        credential: the credential JSON; never mutated. It may already carry an
            embedded proof (create Data Integrity proofs before the JWT).
        key: the signing key; its type fixes ``alg``.
        form: ``vcdm2`` (default) or ``vc_claim``.
        embed_jwk: put the public JWK in the header instead of ``kid``.

    Returns:
        The compact JWS.

    Raises:
        ProofError: ``jwt_claim_missing`` without a string ``id``, an issuer id
            or a start date; ``jwt_claim_mismatch`` when a date is not RFC 3339
            with a time zone, or when the credential already holds a registered
            claim with another value; ``jwt_form_mismatch`` when ``@context[0]``
            disagrees with ``form`` (or a ``vcdm2`` credential has a ``vc``
            member); ``credential_not_json`` when it cannot be serialized.
    """
    if not isinstance(credential, dict):
        raise ProofError("credential is not a JSON object", code="credential_not_json")
    if form not in ("vcdm2", "vc_claim"):
        raise ProofError(f"unknown VC-JWT form {form!r}", code="jwt_form_mismatch")
    problem = _form_problem(credential, form)
    if problem is None and form == "vcdm2" and "vc" in credential:
        problem = "a VCDM 2.0 credential with a 'vc' member would read as the legacy form"
    if problem is not None:
        raise ProofError(problem, code="jwt_form_mismatch")

    cred_id = credential.get("id")
    issuer_id = _issuer_id(credential)
    start_field, end_field = _date_fields(credential, form)
    if not isinstance(cred_id, str) or not cred_id:
        raise ProofError("credential has no string 'id' for the jti claim",
                         code="jwt_claim_missing")
    if issuer_id is None:
        raise ProofError("credential has no issuer id for the iss claim",
                         code="jwt_claim_missing")
    if start_field not in credential:
        raise ProofError(f"credential has no '{start_field}' for the nbf claim",
                         code="jwt_claim_missing")

    claims: dict[str, Any] = {"iss": issuer_id, "jti": cred_id,
                              "nbf": _signing_date(credential, start_field)}
    subject_ids = _subject_ids(credential)
    if len(subject_ids) == 1:
        claims["sub"] = subject_ids[0]
    if end_field in credential:
        claims["exp"] = _signing_date(credential, end_field)

    if form == "vc_claim":
        payload: dict[str, Any] = {"vc": credential, **claims}
    else:
        for name in JWT_REGISTERED_CLAIMS & credential.keys():
            if name in claims and credential[name] != claims[name]:
                raise ProofError(
                    f"credential member {name!r} = {credential[name]!r} conflicts with the "
                    f"claim value {claims[name]!r}", code="jwt_claim_mismatch")
        payload = {**credential, **claims}

    header: dict[str, Any] = {"alg": key.jose_alg}
    if embed_jwk:
        header["jwk"] = key.public.jwk()
    else:
        header["kid"] = key.id
    header["typ"] = "JWT"

    signing_input = _b64_json(header) + "." + _b64_json(payload)
    signature = key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def decode_jwt(token: str | bytes, *, max_length: int = 1_000_000,
               check_header: bool = True) -> DecodedJwt:
    """Parse a compact-serialized VC-JWT without verifying it (RFC 7515 §5.2 steps 1-7).

    Surrounding ASCII whitespace (a trailing newline in a ``.jwt`` file) is
    ignored; anything else outside the base64url alphabet is refused.

    Args:
        token: the compact JWS, as text or ASCII bytes.
        max_length: the longest token accepted, in characters.
        check_header: apply the OB 3.0 header rules (and the form check) now;
            a verifier passes False and asks :func:`header_problem` later, to
            report a rule broken by a readable token as a failed proof.

    Returns:
        The decoded header, payload and credential, with the signing input.

    Raises:
        InputError: ``malformed_jwt``: too long, not three non-empty parts,
            base64url that is padded or non-canonical, header/payload that are
            not UTF-8 JSON objects (duplicate names, ``NaN`` refused), a ``vc``
            claim, ``kid`` or ``jwk`` of the wrong type, a missing ``alg``.
        ProofError: ``alg_not_allowed`` (``alg`` outside ``ES256``/``RS256``/
            ``EdDSA``, e.g. ``none`` or ``HS256``); ``jwt_header_not_allowed``
            (members other than ``alg``/``kid``/``jwk``/``typ``, OB 3.0 §8.2.4);
            ``jwt_typ_invalid`` (``typ`` other than ``JWT`` or ``vc+jwt``);
            ``jwt_key_missing`` (neither ``kid`` nor ``jwk``, as in the 1EdTech
            ``ob30-simple.vc-jwt.jwt`` fixture, whose key is known only out of
            band); ``private_key_exposed`` (``jwk`` with private members);
            ``jwt_form_mismatch`` (``@context[0]`` is VCDM 1.1 in a
            whole-payload credential; OB impl guide). A VCDM 2.0 credential
            in a ``vc`` claim is read (:func:`vcdm2_in_vc_claim`), as the
            1EdTech validator does.
    """
    if isinstance(token, bytes):
        if len(token) > max_length:
            raise InputError(f"JWT longer than {max_length} bytes", code="malformed_jwt")
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise InputError("JWT is not ASCII", code="malformed_jwt") from None
    if not isinstance(token, str):
        raise InputError("JWT is not text", code="malformed_jwt")
    if len(token) > max_length:
        raise InputError(f"JWT longer than {max_length} characters", code="malformed_jwt")
    parts = token.strip(" \t\r\n").split(".")
    if len(parts) != 3:
        raise InputError(f"compact JWS has 3 parts, not {len(parts)}", code="malformed_jwt")
    header_b64, payload_b64, signature_b64 = parts

    header = _json_object(_b64_part(header_b64, "header"), "header")
    if check_header:
        _check_header(header)
    elif "alg" not in header:
        raise InputError("JOSE header has no 'alg' (RFC 7515 §4.1.1)", code="malformed_jwt")
    payload = _json_object(_b64_part(payload_b64, "payload"), "payload")
    if not signature_b64:
        raise InputError("JWS signature is empty", code="malformed_jwt")
    signature = _b64_part(signature_b64, "signature")

    form: JwtForm
    if "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise InputError("the 'vc' claim is not a JSON object", code="malformed_jwt")
        form = "vc_claim"
    else:
        credential, form = payload, "vcdm2"
    problem = _form_problem(credential, form, reading=True)
    if problem is not None and check_header:
        raise ProofError(problem, code="jwt_form_mismatch")
    return DecodedJwt(
        header=header,
        payload=payload,
        credential=credential,
        form=form,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
    )


def verify_jwt_signature(decoded: DecodedJwt, key: PublicKey) -> bool:
    """Check the JWS signature with an already resolved key (RFC 7515 §5.2 step 8).

    The algorithm comes from the key, never from the token: the header ``alg``
    must be in :data:`ALLOWED_ALGS` *and* equal the key type's algorithm
    (``ES256``/P-256, ``RS256``/RSA, ``EdDSA``/Ed25519), so an ``RS256`` token
    checked against a P-256 key, or any ``HS256`` token, is simply invalid.

    Args:
        decoded: the output of :func:`decode_jwt`.
        key: the issuer key resolved from ``kid`` or ``jwk``.

    Returns:
        True iff the algorithm matches the key and the signature verifies.
        Never raises for a bad signature.
    """
    alg = decoded.header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGS:
        return False
    if JOSE_ALG.get(key.type) != alg:
        return False
    return key.verify(decoded.signature, decoded.signing_input)


def check_jwt_claims(decoded: DecodedJwt) -> list[tuple[str, str]]:
    """Cross-check the JWT claims with the credential (OB 3.0 §8.2.4.3 step 5-6).

    Checks ``iss == issuer.id`` (issuer as string or object), ``jti == id``,
    ``sub == credentialSubject.id`` (required when there is exactly one subject
    id; a ``sub`` the credential does not name is a mismatch), ``nbf`` ==
    ``validFrom`` (``issuanceDate`` first for the ``vc_claim`` form) and ``exp``
    == ``validUntil`` / ``expirationDate`` when the credential has one. Dates
    match when the NumericDate, rounded down, equals the date's whole seconds.
    An ``exp`` without an end date in the credential is allowed (OB 3.0: use
    it as ``validUntil``). Whether ``nbf``/``exp`` are in the past is not
    checked here: this module has no clock.

    Args:
        decoded: the output of :func:`decode_jwt`.

    Returns:
        ``(code, message)`` problems, codes ``jwt_claim_missing`` and
        ``jwt_claim_mismatch``; an empty list when everything agrees.
    """
    payload, credential = decoded.payload, decoded.credential
    problems: list[tuple[str, str]] = []

    def compare(claim: str, expected: Any, what: str, *, required: bool = True) -> None:
        if claim not in payload:
            if required:
                problems.append(("jwt_claim_missing", f"{claim} claim is missing ({what})"))
        elif payload[claim] != expected:
            problems.append(("jwt_claim_mismatch",
                             f"{claim} {payload[claim]!r} does not match {what} {expected!r}"))

    compare("iss", _issuer_id(credential), "issuer.id")
    compare("jti", credential.get("id"), "id")

    subject_ids = _subject_ids(credential)
    if len(subject_ids) == 1:
        compare("sub", subject_ids[0], "credentialSubject.id")
    elif "sub" in payload and payload["sub"] not in subject_ids:
        problems.append(("jwt_claim_mismatch",
                         f"sub {payload['sub']!r} is not a credentialSubject id"))

    start_field, end_field = _date_fields(credential, decoded.form)
    for claim, field, required in (("nbf", start_field, True), ("exp", end_field, False)):
        if field not in credential:
            if required:
                problems.append(("jwt_claim_mismatch",
                                 f"credential has no {field} to match the {claim} claim"))
            continue
        expected = _numeric_date(credential[field])
        if expected is None:
            problems.append(("jwt_claim_mismatch",
                             f"{field} {credential[field]!r} is not an RFC 3339 date-time "
                             "with a time zone"))
        elif claim not in payload:
            problems.append(("jwt_claim_missing", f"{claim} claim is missing ({field})"))
        elif _whole_seconds(payload[claim]) != expected:
            problems.append(("jwt_claim_mismatch",
                             f"{claim} {payload[claim]!r} does not match {field} "
                             f"{credential[field]!r} ({expected})"))
    return problems


# --- helpers -------------------------------------------------------------------------------


def _numeric_date(value: Any) -> int | None:
    """RFC 3339 date-time with ``Z`` or an offset -> whole seconds since the epoch.

    Fractional seconds are dropped (rounded down). Returns None for anything
    else, including a missing time zone or a leap second.
    """
    if not isinstance(value, str):
        return None
    m = _RFC3339.fullmatch(value)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    zone = m.group(8)
    try:
        tz: timezone = UTC
        if zone not in ("Z", "z"):
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if minutes > 59:
                return None
            sign = -1 if zone[0] == "-" else 1
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        when = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return (when - _EPOCH) // timedelta(seconds=1)


def _whole_seconds(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return math.floor(value)


def _signing_date(credential: dict[str, Any], field: str) -> int:
    seconds = _numeric_date(credential[field])
    if seconds is None:
        raise ProofError(f"{field} {credential[field]!r} is not an RFC 3339 date-time with a "
                         "time zone", code="jwt_claim_mismatch")
    return seconds


def _date_fields(credential: dict[str, Any], form: JwtForm) -> tuple[str, str]:
    """The credential members behind ``nbf`` and ``exp`` for a form."""
    if form == "vc_claim":
        start = "issuanceDate" if "issuanceDate" in credential else "validFrom"
        end = "expirationDate" if "expirationDate" in credential else "validUntil"
        return start, end
    return "validFrom", "validUntil"


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _subject_ids(credential: dict[str, Any]) -> list[str]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects
            if isinstance(s, dict) and isinstance(s.get("id"), str) and s["id"]]


def vcdm2_in_vc_claim(decoded: DecodedJwt) -> bool:
    """True for a VCDM 2.0 credential (``@context[0]``) carried in a ``vc`` claim.

    OB 3.0 §8.2.3 makes the VCDM 2.0 credential the whole JWT payload; the
    1EdTech validator nevertheless takes the ``vc`` claim whenever there is one
    (DIGEST §3.1, VAL ``PayloadParser.fromJwt``), and so do we, with a warning.
    """
    return decoded.form == "vc_claim" and _first_context(decoded.credential) == VCDM2_CONTEXT


def _first_context(credential: dict[str, Any]) -> Any:
    context = credential.get("@context")
    return context[0] if isinstance(context, list) and context else context


def _form_problem(credential: dict[str, Any], form: JwtForm, *,
                  reading: bool = False) -> str | None:
    """Detect a VCDM version that disagrees with the payload layout (OB impl guide).

    When ``reading`` (a verifier), a VCDM 2.0 credential in a ``vc`` claim is
    accepted (see :func:`vcdm2_in_vc_claim`); a signer never produces it.
    """
    first = _first_context(credential)
    if form == "vc_claim" and first == VCDM2_CONTEXT and not reading:
        return "a VCDM 2.0 credential (@context[0]) must be the whole JWT payload, not a 'vc' claim"
    if form == "vcdm2" and first == VCDM1_CONTEXT:
        return "a VCDM 1.1 credential (@context[0]) must be in the 'vc' claim"
    return None


def header_problem(decoded: DecodedJwt) -> ProofError | InputError | None:
    """What :func:`decode_jwt` with ``check_header=True`` would refuse, or None.

    Lets a verifier read a token whose header breaks the rules (``alg: none``,
    no key, extra members) and report that as a failed proof rather than an
    unreadable input.
    """
    try:
        _check_header(decoded.header)
    except (ProofError, InputError) as exc:
        return exc
    problem = _form_problem(decoded.credential, decoded.form, reading=True)
    return None if problem is None else ProofError(problem, code="jwt_form_mismatch")


def _check_header(header: dict[str, Any]) -> None:
    """Apply OB 3.0 §8.2.4 and RFC 8725 §3.1 to a JOSE header."""
    if "alg" not in header:
        raise InputError("JOSE header has no 'alg' (RFC 7515 §4.1.1)", code="malformed_jwt")
    alg = header["alg"]
    if not isinstance(alg, str) or alg not in ALLOWED_ALGS:
        raise ProofError(f"JWS alg {alg!r} is not one of {sorted(ALLOWED_ALGS)}",
                         code="alg_not_allowed")
    extra = sorted(set(header) - ALLOWED_HEADERS)
    if extra:
        raise ProofError(f"JOSE header members {extra} are not allowed (OB 3.0 §8.2.4)",
                         code="jwt_header_not_allowed")
    if "typ" in header:
        typ = header["typ"]
        norm = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
        if norm not in _TYPS:
            raise ProofError(f"JOSE typ {typ!r} is not 'JWT' (or 'vc+jwt')",
                             code="jwt_typ_invalid")
    if "kid" in header and (not isinstance(header["kid"], str) or not header["kid"]):
        raise InputError("JOSE kid is not a non-empty string", code="malformed_jwt")
    if "jwk" in header:
        jwk = header["jwk"]
        if not isinstance(jwk, dict):
            raise InputError("JOSE jwk is not a JSON object", code="malformed_jwt")
        private = sorted(_PRIVATE_JWK_MEMBERS & jwk.keys())
        if private:
            raise ProofError(f"header jwk carries private members {private} (OB 3.0 §8.2.4)",
                             code="private_key_exposed")
    if "kid" not in header and "jwk" not in header:
        raise ProofError("JOSE header has neither 'kid' nor 'jwk', so the key is unknown",
                         code="jwt_key_missing")


def _b64_json(value: dict[str, Any]) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ProofError(f"credential is not serializable as JSON: {exc}",
                         code="credential_not_json") from None
    return b64url_encode(text.encode("utf-8"))


def _b64_part(text: str, what: str) -> bytes:
    """Decode one base64url part, refusing padding and non-canonical encodings.

    The alphabet is checked with one regular expression rather than through
    :func:`badges.multibase.b64url_decode`, whose per-character loop dominated
    decoding time; the canonical re-encoding check uses the shared encoder.
    """
    if not text:
        raise InputError(f"JWS {what} is empty", code="malformed_jwt")
    raw = None
    if _B64URL_TEXT.fullmatch(text) and len(text) % 4 != 1:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if raw is None or b64url_encode(raw) != text:
        raise InputError(f"JWS {what} is not canonical unpadded base64url (RFC 7515 §2)",
                         code="malformed_jwt")
    return raw


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                           parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"JWS {what} is not UTF-8 JSON: {exc}", code="malformed_jwt") from None
    if not isinstance(value, dict):
        raise InputError(f"JWS {what} is not a JSON object", code="malformed_jwt")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
