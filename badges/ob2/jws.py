"""Checking the compact JWS of a signed Open Badges 2.0 assertion.

OB 2.0 "Signed Badges": the assertion is the payload of a JWS (RFC 7515) in
compact serialization, signed with the key a ``CryptographicKey`` publishes as
``publicKeyPem``; the spec's examples use RS256. The algorithm comes from a
fixed list (RS256, and ES256), never from the token alone: the header's
``alg`` must be on the list *and* fit the key's type, as PyJWT's documentation
warns.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from badges.errors import BadgesError

#: The algorithms a signed OB 2.0 assertion may use, and the key type each needs.
ALGORITHMS: tuple[str, ...] = ("RS256", "ES256")
#: The smallest RSA key accepted (NIST SP 800-131A).
MIN_RSA_BITS = 2048
#: The longest PEM text read.
MAX_PEM_CHARS = 16_384

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True, slots=True)
class CompactJws:
    """A compact JWS, split (RFC 7515 §7.1).

    Attributes:
        header: the protected header.
        signing_input: ``BASE64URL(header) || '.' || BASE64URL(payload)``, as bytes.
        signature: the signature bytes.
    """

    header: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _b64(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, TypeError):
        raise BadgesError(f"the signed assertion's {what} is not base64url",
                          code="ob2_jws_malformed") from None


def split(token: str) -> CompactJws:
    """Split and decode a compact JWS.

    Raises:
        BadgesError: ``ob2_jws_malformed``.
    """
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise BadgesError("the signed assertion is not a compact JWS", code="ob2_jws_malformed")
    try:
        header = json.loads(_b64(parts[0], "header"))
    except (ValueError, RecursionError):
        raise BadgesError("the signed assertion's header is not JSON",
                          code="ob2_jws_malformed") from None
    if not isinstance(header, dict):
        raise BadgesError("the signed assertion's header is not a JSON object",
                          code="ob2_jws_malformed")
    return CompactJws(header, f"{parts[0]}.{parts[1]}".encode("ascii", "replace"),
                      _b64(parts[2], "signature"))


def load_pem(pem: Any) -> PublicKey:
    """A public key from a ``CryptographicKey``'s ``publicKeyPem``.

    Raises:
        BadgesError: ``ob2_key_invalid`` (not a PEM public key, too weak, or of a
            kind no listed algorithm uses).
    """
    if not isinstance(pem, str) or not pem.strip() or len(pem) > MAX_PEM_CHARS:
        raise BadgesError("the issuer's key has no readable publicKeyPem", code="ob2_key_invalid")
    try:
        key = load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError):
        raise BadgesError("the issuer's publicKeyPem is not a PEM public key",
                          code="ob2_key_invalid") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise BadgesError(f"the issuer's RSA key has {key.key_size} bits; at least "
                              f"{MIN_RSA_BITS} are required", code="ob2_key_invalid")
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise BadgesError("the issuer's key is neither RSA nor EC P-256", code="ob2_key_invalid")


def verify(token: CompactJws, key: PublicKey) -> bool:
    """True when ``token``'s signature verifies with ``key`` (RS256 or ES256).

    Raises:
        BadgesError: ``alg_not_allowed`` when the header's ``alg`` is not on
            :data:`ALGORITHMS` or does not fit the key's type.
    """
    alg = token.header.get("alg")
    if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
        try:
            key.verify(token.signature, token.signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True
    if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
        if len(token.signature) != 64:
            return False
        r = int.from_bytes(token.signature[:32], "big")
        s = int.from_bytes(token.signature[32:], "big")
        try:
            key.verify(encode_dss_signature(r, s), token.signing_input, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True
    raise BadgesError(f"the signed assertion's algorithm {str(alg)[:20]!r} is not one this "
                      f"verifier accepts with this key ({', '.join(ALGORITHMS)})",
                      code="alg_not_allowed")
