"""Issuer keys: creation, rotation, and the DID document and JWKS that publish them.

Every key an issuer ever signed with stays in its DID document (retired keys
included), so credentials signed before a rotation keep verifying; a revoked
key is dropped from ``assertionMethod`` and from the document.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import keys
from issuer import keystore
from issuer.models import KeyStatus
from issuer.models import Organization
from issuer.models import SigningKey
from issuer.services import audit
from issuer.services.organizations import issuer_did
from issuer.services.organizations import issuer_url

KEY_TYPES: tuple[keys.KeyType, ...] = ("ed25519", "p256")
#: How long this process keeps a key it decrypted (seconds), so an issuer's
#: awards do not each decrypt and parse the same key. Keys stay encrypted at
#: rest; the cache lives only in memory, which also holds the key-encryption key.
UNSEALED_SECONDS = 300.0
#: The most decrypted keys this process keeps at once (oldest dropped first).
UNSEALED_MAX = 64


@dataclass(frozen=True)
class Signer:
    """A decrypted key ready to sign, and the row it came from."""

    row: SigningKey
    pair: keys.KeyPair


def _next_key_id(session: so.Session, org: Organization, key_type: str) -> str:
    count = session.scalar(sa.select(sa.func.count()).select_from(SigningKey).where(
        SigningKey.organization_id == org.id, SigningKey.key_type == key_type)) or 0
    prefix = "ed" if key_type == "ed25519" else "p256"
    return f"{prefix}-{count + 1}"


def create_key(session: so.Session, org: Organization, key_type: keys.KeyType, *,
               kek: bytes, base_url: str, now: datetime) -> SigningKey:
    """Generate a current key of ``key_type`` for ``org`` and store it encrypted."""
    pair = keys.generate(key_type)
    key_id = _next_key_id(session, org, key_type)
    did = issuer_did(base_url, org)
    named = pair.with_controller(did, f"{did}#{key_id}")
    row = SigningKey(
        organization_id=org.id, key_id=key_id, key_type=key_type,
        public_jwk=named.public.jwk(),
        public_multibase=named.public.multibase,
        encrypted_private=keystore.seal(named, kek=kek, organization_id=org.id, key_id=key_id),
        status=KeyStatus.CURRENT, created_at=now)
    session.add(row)
    session.flush()
    return row


def ensure_keys(session: so.Session, org: Organization, *, kek: bytes, base_url: str,
                now: datetime, actor: str) -> list[SigningKey]:
    """Create the current keys an issuer lacks (one per type)."""
    created = []
    for key_type in KEY_TYPES:
        if _current_row(session, org, key_type) is None:
            row = create_key(session, org, key_type, kek=kek, base_url=base_url, now=now)
            audit.record(session, actor=actor, action="key.created", organization_id=org.id,
                         subject_type="signing_key", subject_id=row.key_id, at=now,
                         detail={"type": key_type})
            created.append(row)
    return created


#: The issuer's current key of a type (built once: it is read by every award).
_CURRENT_ROW = sa.select(SigningKey).where(
    SigningKey.organization_id == sa.bindparam("org"),
    SigningKey.key_type == sa.bindparam("key_type"),
    SigningKey.status == KeyStatus.CURRENT).order_by(SigningKey.id.desc()).limit(1)


def _current_row(session: so.Session, org: Organization, key_type: str) -> SigningKey | None:
    return session.scalar(_CURRENT_ROW, {"org": org.id, "key_type": key_type})


class _Unsealed:
    """Decrypted, named key pairs of this process, each for at most :data:`UNSEALED_SECONDS`.

    An entry is found only by everything it was made from (the stored blob,
    the key-encryption key, the row's organization and key id, the DID), so
    a changed row, another database or a wrong key-encryption key never hits
    it; whether a key is still the current one is read from the database on
    every call. Expired entries are dropped on every lookup. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pairs: dict[tuple[int, str, bytes, bytes, str], tuple[float, keys.KeyPair]] = {}

    def named(self, row: SigningKey, *, kek: bytes, did: str) -> keys.KeyPair:
        """The key of ``row`` decrypted with ``kek`` and named ``did#key_id``.

        Raises:
            keystore.KeystoreError: when the blob does not decrypt.
        """
        found = (row.organization_id, row.key_id, bytes(row.encrypted_private), kek, did)
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, (made, _) in self._pairs.items()
                          if now - made >= UNSEALED_SECONDS]:
                del self._pairs[stale]
            hit = self._pairs.get(found)
        if hit is not None:
            return hit[1]
        pair = keystore.unseal(row.encrypted_private, kek=kek,
                               organization_id=row.organization_id, key_id=row.key_id
                               ).with_controller(did, f"{did}#{row.key_id}")
        with self._lock:
            while len(self._pairs) >= UNSEALED_MAX:
                del self._pairs[next(iter(self._pairs))]
            self._pairs[found] = (now, pair)
        return pair

    def clear(self) -> None:
        """Forget every decrypted key."""
        with self._lock:
            self._pairs.clear()


_unsealed = _Unsealed()


def current_signer(session: so.Session, org: Organization, key_type: keys.KeyType, *,
                   kek: bytes, base_url: str) -> Signer:
    """The issuer's current key of this type, decrypted and named under its ``did:web``.

    The row is read every time (a rotation or revocation in any process
    counts at once); the decrypted key may come from this process's
    short-lived cache (:data:`UNSEALED_SECONDS`).

    Raises:
        LookupError: when the issuer has no current key of that type.
        keystore.KeystoreError: when the key does not decrypt under ``kek``.
    """
    row = _current_row(session, org, key_type)
    if row is None:
        raise LookupError(f"{org.slug} has no current {key_type} key")
    return Signer(row, _unsealed.named(row, kek=kek, did=issuer_did(base_url, org)))


def forget_decrypted_keys() -> None:
    """Drop every key this process decrypted (they are decrypted again when next needed)."""
    _unsealed.clear()


def rotate(session: so.Session, org: Organization, *, kek: bytes, base_url: str,
           now: datetime, actor: str) -> list[SigningKey]:
    """Retire every current key of the issuer and create new ones.

    Retired keys stay published, so what they signed keeps verifying.
    """
    new_rows = []
    for key_type in KEY_TYPES:
        old = _current_row(session, org, key_type)
        if old is not None:
            old.status = KeyStatus.RETIRED
            old.retired_at = now
            audit.record(session, actor=actor, action="key.retired", organization_id=org.id,
                         subject_type="signing_key", subject_id=old.key_id, at=now,
                         detail={"type": key_type})
        session.flush()
        row = create_key(session, org, key_type, kek=kek, base_url=base_url, now=now)
        audit.record(session, actor=actor, action="key.created", organization_id=org.id,
                     subject_type="signing_key", subject_id=row.key_id, at=now,
                     detail={"type": key_type, "replaces": old.key_id if old else None})
        new_rows.append(row)
    return new_rows


def published_keys(session: so.Session, org: Organization) -> list[SigningKey]:
    """Every key that still verifies (current and retired), oldest first."""
    return list(session.scalars(sa.select(SigningKey).where(
        SigningKey.organization_id == org.id,
        SigningKey.status != KeyStatus.REVOKED).order_by(SigningKey.id)))


def did_document(session: so.Session, org: Organization, base_url: str) -> dict[str, Any]:
    """The issuer's DID document (DID Core §5; Multikey and JsonWebKey methods)."""
    did = issuer_did(base_url, org)
    methods = []
    for row in published_keys(session, org):
        vm: dict[str, Any] = {"id": f"{did}#{row.key_id}", "controller": did}
        if row.key_type == "ed25519":
            vm |= {"type": "Multikey", "publicKeyMultibase": row.public_multibase}
        else:
            vm |= {"type": "JsonWebKey",
                   "publicKeyJwk": {k: v for k, v in row.public_jwk.items() if k != "kid"}}
        methods.append(vm)
    ids = [m["id"] for m in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                     "https://w3id.org/security/jwk/v1"],
        "id": did,
        "alsoKnownAs": [issuer_url(base_url, org)],
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def public_jwk(row: SigningKey, base_url: str) -> dict[str, Any]:
    """A key's public JWK with its ``kid`` (the did:web verification method id)."""
    did = issuer_did(base_url, row.organization)
    return {**{k: v for k, v in row.public_jwk.items() if k != "kid"},
            "kid": f"{did}#{row.key_id}"}


def jwks(session: so.Session, org: Organization, base_url: str) -> dict[str, Any]:
    """The issuer's JWK Set (RFC 7517 §5), every published key with its ``kid``."""
    return {"keys": [public_jwk(row, base_url) for row in published_keys(session, org)]}


def find_key(session: so.Session, org: Organization, key_id: str) -> SigningKey | None:
    """A published key by its short id (``ed-1``, ``p256-2``)."""
    row = session.scalar(sa.select(SigningKey).where(
        SigningKey.organization_id == org.id, SigningKey.key_id == key_id))
    return row if row is not None and row.status != KeyStatus.REVOKED else None
