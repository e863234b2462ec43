"""Recipient identity: OB 3.0 §B.1.12 IdentityObject and §B.7 IdentityHash.

Builds salted e-mail hashes and plain names for ``credentialSubject.identifier``
and checks a known value against one, the verify-identifier step of OB 3.0 §9
(DIGEST §2.3).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges.model.common import _put
from badges.model.common import _term
from badges.model.common import _text
from badges.model.vocab import IDENTIFIER_TYPES

_IDENTITY_HASH = re.compile(r"(md5|sha256)\$([0-9a-fA-F]+)", re.ASCII)
_HASH_HEX_LENGTH = {"md5": 32, "sha256": 64}


def normalize_email(email: str) -> str:
    """Normalize an e-mail address before hashing: strip whitespace, lowercase.

    OB 3.0 does not define a normalization. Lowercasing the whole address
    (local part too, though RFC 5321 lets a server treat it case-sensitively)
    matches what mail providers and earlier Open Badges issuers do, so the
    hash a teacher's ``Jane.Doe@District.org`` gets is the one a verifier
    computes from ``jane.doe@district.org``. No Unicode normalization or
    provider-specific rewriting (dots, ``+tags``) is applied.

    Args:
        email: the address as entered.

    Returns:
        ``email.strip().lower()``.
    """
    return email.strip().lower()


def _digest(alg: str, text: str) -> str:
    if alg == "sha256":
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityObject:
    """A recipient identifier (OB 3.0 §B.1.12).

    Salted e-mail hashes are weak privacy (an e-mail list can be brute
    forced against them); they identify, they do not hide.

    Attributes:
        identity_hash: an IdentityHash ``<md5|sha256>$<hex>`` when ``hashed``,
            otherwise the plain value (``identityHash``).
        identity_type: IdentifierTypeEnum term, OB 3.0 §B.1.30 (``identityType``).
        hashed: whether ``identity_hash`` is hashed.
        salt: the salt appended before hashing.
    """

    identity_hash: str
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None

    def __post_init__(self) -> None:
        _text("IdentityObject.identity_hash", self.identity_hash)
        _term("IdentityObject.identity_type", self.identity_type, IDENTIFIER_TYPES)
        if not isinstance(self.hashed, bool):
            raise TypeError("IdentityObject.hashed must be a bool")
        if self.salt is not None and not isinstance(self.salt, str):
            raise TypeError("IdentityObject.salt must be a string")
        if self.hashed:
            match = _IDENTITY_HASH.fullmatch(self.identity_hash)
            if match is None or len(match[2]) != _HASH_HEX_LENGTH[match[1]]:
                raise ValueError(
                    "a hashed identity_hash must be 'md5$<32 hex>' or 'sha256$<64 hex>' "
                    "(OB 3.0 §B.7 IdentityHash)")

    @classmethod
    def hashed_email(cls, email: str, salt: str) -> IdentityObject:
        """A salted SHA-256 e-mail identity (OB 3.0 §B.7 IdentityHash).

        ``identityHash = "sha256$" + hex(sha256(utf8(normalize_email(email) + salt)))``;
        see :func:`normalize_email` for the normalization. With ``a@example.com``
        and salt ``Kosher`` this gives the spec's worked example
        ``sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399``.

        Args:
            email: the recipient's e-mail address.
            salt: a per-recipient random salt (stored in the credential).

        Returns:
            ``IdentityObject(identityType="emailAddress", hashed=True, salt=salt)``.

        Raises:
            ValueError: empty e-mail or empty salt.
        """
        _text("email", email)
        if not isinstance(salt, str) or not salt:
            raise ValueError("salt must be a non-empty string")
        digest = _digest("sha256", normalize_email(email) + salt)
        return cls(identity_hash=f"sha256${digest}", identity_type="emailAddress",
                   hashed=True, salt=salt)

    @classmethod
    def plain_name(cls, name: str) -> IdentityObject:
        """The recipient's display name, unhashed (OB impl guide, recipient profile info).

        Args:
            name: the name as it should be displayed, e.g. ``"Zoë Müller"``.

        Returns:
            ``IdentityObject(identityType="name", hashed=False, identityHash=name)``.
        """
        return cls(identity_hash=name, identity_type="name", hashed=False)

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``type`` is the single string ``"IdentityObject"``."""
        out: dict[str, Any] = {
            "type": "IdentityObject",
            "identityHash": self.identity_hash,
            "identityType": self.identity_type,
            "hashed": self.hashed,
        }
        _put(out, "salt", self.salt)
        return out


def identity_matches(
    identity: Mapping[str, Any], value: str, *, identity_type: str | None = None
) -> bool:
    """Check a known recipient value against an IdentityObject (OB 3.0 §9 verify-identifier).

    Hashed identities (``md5$``/``sha256$``, upper- or lowercase hex) are
    compared by hashing ``value + salt``; plain ones by equality. For
    ``emailAddress`` identities both the value as given and its
    :func:`normalize_email` form are tried (issuers differ in normalization),
    and plain e-mails compare case-insensitively. Never raises: anything
    malformed is simply no match.

    Args:
        identity: the IdentityObject JSON from ``credentialSubject.identifier``.
        value: the value the verifier knows, e.g. the teacher's e-mail.
        identity_type: when given, ``identity["identityType"]`` must equal it.

    Returns:
        True when the identity designates ``value``.
    """
    if not isinstance(identity, Mapping) or not isinstance(value, str):
        return False
    kind = identity.get("identityType")
    stored = identity.get("identityHash")
    if not isinstance(stored, str) or not isinstance(kind, str):
        return False
    if identity_type is not None and kind != identity_type:
        return False
    hashed = identity.get("hashed")
    if not isinstance(hashed, bool):
        return False
    is_email = kind == "emailAddress"
    if not hashed:
        if is_email:
            return normalize_email(stored) == normalize_email(value)
        return hmac.compare_digest(stored.encode("utf-8"), value.encode("utf-8"))
    match = _IDENTITY_HASH.fullmatch(stored.strip())
    if match is None:
        return False
    alg, expected = match[1], match[2].lower()
    salt = identity.get("salt")
    salt = salt if isinstance(salt, str) else ""
    candidates = [value, normalize_email(value)] if is_email else [value]
    found = False
    for candidate in dict.fromkeys(candidates):
        found |= hmac.compare_digest(_digest(alg, candidate + salt), expected)
    return found
