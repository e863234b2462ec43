"""Private keys encrypted at rest (AES-256-GCM under the key-encryption key).

Each encrypted blob is ``version(1) || nonce(12) || ciphertext+tag``, with the
organization and key id bound as associated data, so a blob copied onto
another key's row does not decrypt.
"""

from __future__ import annotations

import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from badges import keys

_VERSION = b"\x01"


class KeystoreError(RuntimeError):
    """A key could not be decrypted (wrong key-encryption key or damaged row)."""


def _aad(organization_id: int, key_id: str) -> bytes:
    return f"badges-key:{organization_id}:{key_id}".encode()


def seal(pair: keys.KeyPair, *, kek: bytes, organization_id: int, key_id: str) -> bytes:
    """Encrypt a key pair's key file for storage."""
    nonce = secrets.token_bytes(12)
    plaintext = json.dumps(pair.to_json()).encode()
    return _VERSION + nonce + AESGCM(kek).encrypt(nonce, plaintext,
                                                  _aad(organization_id, key_id))


def unseal(blob: bytes, *, kek: bytes, organization_id: int, key_id: str) -> keys.KeyPair:
    """Decrypt a stored key.

    Raises:
        KeystoreError: when the blob does not decrypt under this key and row.
    """
    if blob[:1] != _VERSION or len(blob) < 30:
        raise KeystoreError("stored key has an unknown format")
    try:
        plaintext = AESGCM(kek).decrypt(blob[1:13], blob[13:], _aad(organization_id, key_id))
    except InvalidTag:
        raise KeystoreError("stored key does not decrypt: wrong key-encryption key?") from None
    return keys.load_key_file(json.loads(plaintext))
