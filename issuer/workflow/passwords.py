"""Password hashing with scrypt (RFC 7914) from the standard library.

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``: the parameters
travel with the hash, so raising the cost later only re-hashes at the next
sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

R = 8
P = 1
_DUMMY_SALT = b"\x00" * 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * r * n + 1024 * 1024, dklen=32)


def hash_password(password: str, *, n: int) -> str:
    """A new salted scrypt hash of ``password`` with cost ``n`` (a power of two)."""
    salt = secrets.token_bytes(16)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(_derive(password, salt, n, R, P))}"


def check_password(stored: str | None, password: str, *, n: int) -> bool:
    """True when ``password`` matches ``stored``.

    Without a stored hash a dummy hash is still computed, so the time taken
    does not tell whether an account exists.
    """
    if not stored:
        _derive(password, _DUMMY_SALT, n, R, P)
        return False
    try:
        scheme, n_s, r_s, p_s, salt_s, hash_s = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_s), base64.b64decode(hash_s)
        actual = _derive(password, salt, int(n_s), int(r_s), int(p_s))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str, *, n: int) -> bool:
    """True when ``stored`` was made with other parameters than the current ones."""
    return not stored.startswith(f"scrypt${n}${R}${P}$")
