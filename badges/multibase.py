"""Multibase and multicodec helpers (base58btc ``z`` and base64url ``u``).

Implements the encodings used by Multikey (VC-DI-EdDSA §2.1.1, Controlled
Identifiers §2.2.2) and Bitstring Status List (BSL §3.1: multibase base64url
without padding).
"""

from __future__ import annotations

import base64
import binascii
import re

from badges.errors import MultibaseError as MultibaseError

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}

# Multicodec varint prefixes (multicodec table).
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
P256_PUB = b"\x80\x24"
P256_PRIV = b"\x86\x26"


def b58encode(data: bytes) -> str:
    """Encode bytes as base58btc (Bitcoin alphabet)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    num = int.from_bytes(data, "big")
    out = []
    while num:
        num, rem = divmod(num, 58)
        out.append(_B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Decode base58btc text.

    Raises:
        MultibaseError: on a character outside the alphabet.
    """
    num = 0
    for ch in text:
        try:
            num = num * 58 + _B58_INDEX[ch]
        except KeyError:
            raise MultibaseError(f"invalid base58 character {ch!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    return b"\0" * zeros + body


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding.

    Raises:
        MultibaseError: on malformed input.
    """
    if not isinstance(text, str):
        raise MultibaseError("base64url value is not a string")
    stripped = text.rstrip("=")
    if not _B64URL_RE.fullmatch(stripped):
        raise MultibaseError("invalid base64url character")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MultibaseError(f"invalid base64url: {exc}") from None


_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")


def encode(data: bytes, base: str = "z") -> str:
    """Multibase-encode ``data`` with base ``z`` (base58btc) or ``u`` (base64url)."""
    if base == "z":
        return "z" + b58encode(data)
    if base == "u":
        return "u" + b64url_encode(data)
    raise MultibaseError(f"unsupported multibase prefix {base!r}")


def decode(text: str) -> bytes:
    """Decode a multibase string with prefix ``z`` or ``u``.

    Raises:
        MultibaseError: on an unknown prefix or malformed body.
    """
    if not isinstance(text, str) or len(text) < 2:
        raise MultibaseError("multibase value is empty or not a string")
    if text[0] == "z":
        return b58decode(text[1:])
    if text[0] == "u":
        return b64url_decode(text[1:])
    raise MultibaseError(f"unsupported multibase prefix {text[0]!r}")
