"""A small Open Badges 2.0 issuer for the tests: hosted and signed assertions, baked too.

It writes the documents OB 2.0 puts on the web (issuer Profile, BadgeClass,
CryptographicKey, RevocationList, hosted Assertions) under one base URL, signs
assertions as compact JWS with an RSA (or EC P-256) key generated here, and
bakes them into PNG and SVG images the OB 2.0 way. ``load`` answers like the
verifier's fetcher (in memory); ``publish`` serves everything on a loopback
:class:`tests.verifier.conftest.Documents` server.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import struct
import zlib
from collections.abc import Mapping
from functools import cache
from typing import Any
from typing import Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from badges.did import ResolutionError

OB2 = "https://w3id.org/openbadges/v2"
EMAIL = "maria.lopez@lakeside.example.org"
SALT = "deadsea"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class Server(Protocol):
    """What :meth:`Ob2Issuer.publish` needs (tests.verifier.conftest.Documents)."""

    def json(self, path: str, document: Any, content_type: str = ...) -> str: ...


@cache
def rsa_key(name: str = "issuer") -> rsa.RSAPrivateKey:
    """An RSA-2048 key, generated once per test session and name."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_jws(payload: Mapping[str, Any], key: PrivateKey, alg: str = "RS256") -> str:
    """A compact JWS of ``payload`` (RFC 7515), RS256 or ES256."""
    signing_input = (b64(json.dumps({"alg": alg}).encode()) + "."
                     + b64(json.dumps(payload).encode())).encode()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input.decode() + "." + b64(signature)


def hashed(email: str, salt: str = SALT) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


class Ob2Issuer:
    """An OB 2.0 issuer whose documents live under ``base`` (e.g. ``http://127.0.0.1:PORT``)."""

    def __init__(self, base: str, *, name: str = "Lakeside Unified School District",
                 prefix: str = "/ob2", key: PrivateKey | None = None) -> None:
        self.base = base.rstrip("/") + prefix
        self.name = name
        self.key = key or rsa_key()
        self.documents: dict[str, dict[str, Any]] = {}
        self.issuer_id = f"{self.base}/issuer.json"
        self.badge_id = f"{self.base}/badges/classroom-technology.json"
        self.key_id = f"{self.base}/keys/1.json"
        self.revocation_id = f"{self.base}/revocations.json"
        self.profile = {
            "@context": OB2, "type": "Issuer", "id": self.issuer_id, "name": name,
            "url": "https://lakeside.example.org", "email": "badges@lakeside.example.org",
            "publicKey": self.key_id, "revocationList": self.revocation_id,
        }
        self.put(self.profile)
        self.put({"@context": OB2, "type": "CryptographicKey", "id": self.key_id,
                  "owner": self.issuer_id, "publicKeyPem": pem(self.key)})
        self.put({"@context": OB2, "type": "RevocationList", "id": self.revocation_id,
                  "issuer": self.issuer_id, "revokedAssertions": []})
        self.put({"@context": OB2, "type": "BadgeClass", "id": self.badge_id,
                  "name": "Classroom Technology Integration",
                  "description": "Plans and teaches lessons that use technology well.",
                  "image": f"{self.base}/badges/classroom-technology.png",
                  "criteria": {"narrative": "A portfolio of three lessons, reviewed."},
                  "issuer": self.issuer_id})

    def put(self, document: dict[str, Any]) -> dict[str, Any]:
        self.documents[document["id"]] = document
        return document

    def assertion(self, slug: str = "1", *, signed: bool = False, email: str = EMAIL,
                  **changes: Any) -> dict[str, Any]:
        """An assertion (hosted unless ``signed``); a hosted one is published at its id."""
        ident = f"urn:uuid:8c1f0b6e-0000-4000-8000-{int(slug, 36):012d}" if signed \
            else f"{self.base}/assertions/{slug}.json"
        assertion: dict[str, Any] = {
            "@context": OB2, "type": "Assertion", "id": ident,
            "recipient": {"type": "email", "hashed": True, "salt": SALT,
                          "identity": hashed(email)},
            "badge": self.badge_id, "issuedOn": "2026-03-02T10:00:00+00:00",
            "verification": {"type": "signed", "creator": self.key_id} if signed
            else {"type": "hosted"},
        }
        assertion.update(changes)
        if not signed:
            self.put(copy.deepcopy(assertion))
        return assertion

    def sign(self, assertion: Mapping[str, Any], key: PrivateKey | None = None,
             alg: str | None = None) -> str:
        key = key or self.key
        return sign_jws(assertion, key, alg or ("RS256" if isinstance(key, rsa.RSAPrivateKey)
                                                else "ES256"))

    def revoke(self, assertion_id: str, reason: str = "Awarded in error") -> None:
        listing = self.documents[self.revocation_id]
        listing["revokedAssertions"].append({"id": assertion_id, "revocationReason": reason})

    def load(self, url: str) -> Mapping[str, Any]:
        """The verifier's loader, in memory: a missing document is ``fetch_failed``."""
        found = self.documents.get(url)
        if found is None:
            raise ResolutionError(f"{url} answered HTTP 404", code="fetch_failed")
        return copy.deepcopy(found)

    def publish(self, server: Server) -> None:
        """Serve every document on ``server`` at its path."""
        for url, document in self.documents.items():
            if url.startswith("http"):
                server.json(urlsplit(url).path, document)


# --------------------------------------------------------------------------- baking


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                   zlib.crc32(kind + data))


def plain_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def bake_png(text: str, *, kind: bytes = b"iTXt", compressed: bool = False) -> bytes:
    """A PNG baked the OB 2.0 way: an ``iTXt`` (or ``tEXt``) chunk, keyword ``openbadges``."""
    if kind == b"tEXt":
        data = b"openbadges\x00" + text.encode("latin-1")
    else:
        body = zlib.compress(text.encode()) if compressed else text.encode()
        data = b"openbadges\x00" + (b"\x01" if compressed else b"\x00") + b"\x00\x00\x00" + body
    image = plain_png()
    return image[:33] + _chunk(kind, data) + image[33:]


def bake_svg(*, verify: str | None = None, body: str | None = None) -> bytes:
    """An SVG baked the OB 2.0 way: ``<openbadges:assertion verify=...>`` and/or a JSON body."""
    attr = f' verify="{verify}"' if verify else ""
    inner = f"<![CDATA[{body}]]>" if body else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" '
            f'width="10" height="10"><openbadges:assertion{attr}>{inner}'
            f"</openbadges:assertion><circle r=\"4\"/></svg>").encode()
