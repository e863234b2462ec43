"""Builders for the outcome table: issuers on a loopback server, credentials that break one rule.

Everything is real: issuers are ``did:web`` DIDs whose documents (and status
lists) the loopback :class:`~tests.verifier.conftest.Documents` server serves,
keys are generated and credentials signed by the core, and the verifier reads
them through its own SSRF-safe fetcher. A :class:`Maker` builds the credential
a row of the table needs, in one of the two formats (Data Integrity JSON or
VC-JWT) and for one of two roles: the credential that is verified, or an
endorsement embedded in an otherwise good badge.
"""

from __future__ import annotations

import base64
import copy
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

from badges import dataintegrity
from badges import keys
from badges import status_list
from badges.errors import BadgesError
from badges.jwt import sign_jwt
from badges.trust import TrustRegistry
from tests.conftest import load_json
from tests.verifier.conftest import Documents
from tests.verifier.conftest import did_document

Fmt = Literal["di", "jwt"]
Role = Literal["top", "endorsement"]
Subject = dict[str, Any] | str | bytes

CREATED = "2026-01-05T09:00:00Z"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: The term OB 3.0.3's published context lacks (1EdTech issue #639); a badge that
#: carries ``endorsementJwt`` defines it itself.
ENDORSEMENT_JWT_TERM = {"endorsementJwt": {
    "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt"}}


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jws(header: dict[str, Any], payload: dict[str, Any], key: keys.KeyPair) -> str:
    """A compact JWS with any header and payload, signed for real by ``key``."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    pad = "=" * (-len(payload) % 4)
    return (json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
            json.loads(base64.urlsafe_b64decode(payload + pad)), signature)


@dataclass
class Issuer:
    """An issuer: its id, name and keys (Ed25519 for Data Integrity, P-256 for JWTs)."""

    id: str
    name: str
    ed: keys.KeyPair
    p256: keys.KeyPair | None

    def key(self, fmt: Fmt) -> keys.KeyPair:
        return self.p256 if fmt == "jwt" and self.p256 is not None else self.ed

    def profile(self) -> dict[str, Any]:
        return {"id": self.id, "type": ["Profile"], "name": self.name}


@dataclass
class World:
    """One table row's corner of the loopback server: issuers, lists, documents.

    Attributes:
        docs: the loopback document server.
        prefix: this row's path prefix (rows never share a URL).
        registry: the known-issuer registry the verifier uses (None: none configured).
        offline: verify without network access.
    """

    docs: Documents
    prefix: str
    registry: TrustRegistry | None = None
    offline: bool = False
    _count: list[int] = field(default_factory=lambda: [0])

    def path(self, name: str) -> str:
        self._count[0] += 1
        return f"/{self.prefix}/{self._count[0]}/{name}"

    def did_for(self, path: str) -> str:
        """The did:web of a path on the loopback server."""
        return f"did:web:127.0.0.1%3A{self.docs.port}" + path.replace("/", ":")

    def issuer(self, name: str = "Lakeside Unified School District", *,
               publish: bool = True) -> Issuer:
        """A did:web issuer with both keys listed in its DID document."""
        path = self.path("issuer")
        did = self.did_for(path)
        ed = keys.generate("ed25519").with_controller(did, f"{did}#key-ed")
        p256 = keys.generate("p256").with_controller(did, f"{did}#key-p256")
        if publish:
            self.publish_did(did, ed, p256)
        return Issuer(did, name, ed, p256)

    def publish_did(self, did: str, *pairs: keys.KeyPair, listed: bool = True,
                    document: dict[str, Any] | None = None) -> None:
        path = did.removeprefix(f"did:web:127.0.0.1%3A{self.docs.port}").replace(":", "/")
        doc = document or did_document(did, *((p.id, p.public.multibase) for p in pairs))
        if not listed:
            doc["assertionMethod"] = []
        self.docs.json(path + "/did.json", doc, "application/did+ld+json")

    def did_key_issuer(self, name: str = "Demo District") -> Issuer:
        """A did:key issuer (binds by construction; Ed25519 for both formats)."""
        key = keys.generate("ed25519")
        return Issuer(key.controller, name, key, None)

    def status_list(self, issuer: Issuer, purpose: str, set_bits: tuple[int, ...] = (),
                    **changes: Any) -> str:
        """Publish a signed BitstringStatusListCredential; returns its URL."""
        path = self.path(f"status-{purpose}")
        url = self.docs.base + path
        bits = status_list.Bitstring()
        for index in set_bits:
            bits.set(index)
        listing: dict[str, Any] = {
            "@context": [VC_V2], "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer.id, "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": purpose,
                                  "encodedList": status_list.encode_list(bits)}}
        listing.update(changes)
        signed = dataintegrity.sign_credential(listing, key=issuer.ed, created=CREATED)
        self.docs.json(path, signed)
        return url


@dataclass
class Maker:
    """Builds the credential a table row needs.

    Attributes:
        world: the row's world.
        fmt: ``di`` (Data Integrity JSON) or ``jwt`` (VC-JWT).
        role: ``top`` (it is verified) or ``endorsement`` (embedded in a good badge).
        issuer: the issuer (or endorser) of the credential the row builds.
        host: the badge issuer; an endorsement is about it.
    """

    world: World
    fmt: Fmt
    role: Role
    issuer: Issuer
    host: Issuer

    @property
    def kind(self) -> str:
        return "EndorsementCredential" if self.role == "endorsement" else "OpenBadgeCredential"

    def credential(self, issuer: Issuer | None = None, **changes: Any) -> dict[str, Any]:
        """An unsigned credential of this role, from ``issuer`` (default: the row's)."""
        who = issuer or self.issuer
        if self.role == "endorsement":
            cred: dict[str, Any] = {
                "@context": [VC_V2, OB],
                "id": f"urn:uuid:7b0c1c5e-0000-4000-8000-{zlib.crc32(who.id.encode()):012d}",
                "type": ["VerifiableCredential", "EndorsementCredential"],
                "name": f"{who.name} endorses {self.host.name}",
                "issuer": who.profile(),
                "validFrom": "2026-01-05T09:00:00Z",
                "credentialSubject": {"id": self.host.id, "type": ["EndorsementSubject"],
                                      "endorsementComment": "In good standing."},
            }
        else:
            cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
            cred["issuer"] = who.profile()
            cred["validFrom"] = "2026-01-05T09:00:00Z"
            cred["id"] = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000031"
        cred.update(changes)
        return cred

    def sign(self, cred: dict[str, Any], key: keys.KeyPair | None = None) -> dict[str, Any] | str:
        """Sign in this row's format with ``key`` (default: the issuer's key for the format)."""
        if self.fmt == "jwt":
            return sign_jwt(cred, key=key or self.issuer.key("jwt"))
        return dataintegrity.sign_credential(cred, key=key or self.issuer.ed, created=CREATED)

    def signed(self, **changes: Any) -> dict[str, Any] | str:
        return self.sign(self.credential(**changes))

    def tampered(self, signed: dict[str, Any] | str,
                 change: Callable[[dict[str, Any]], None]) -> dict[str, Any] | str:
        """``signed`` with its content changed after signing (the signature kept)."""
        if isinstance(signed, str):
            header, payload, signature = jwt_parts(signed)
            change(payload)
            return f"{b64(header)}.{b64(payload)}.{signature}"
        copied = copy.deepcopy(signed)
        change(copied)
        return copied

    def with_proof(self, change: Callable[[dict[str, Any]], None],
                   cred: dict[str, Any] | None = None) -> dict[str, Any]:
        """A Data Integrity credential whose proof is changed after signing."""
        signed = dataintegrity.sign_credential(cred or self.credential(), key=self.issuer.ed,
                                               created=CREATED)
        change(signed["proof"][0])
        return signed

    def jwt_with(self, *, header: dict[str, Any] | None = None,
                 claims: dict[str, Any] | None = None, cred: dict[str, Any] | None = None,
                 key: keys.KeyPair | None = None, drop: tuple[str, ...] = ()) -> str:
        """A VC-JWT with its header or claims changed, and signed for real."""
        signer = key or self.issuer.key("jwt")
        token = sign_jwt(cred or self.credential(), key=signer)
        head, payload, _ = jwt_parts(token)
        head.update(header or {})
        payload.update(claims or {})
        for name in drop:
            head.pop(name, None)
        return jws(head, payload, signer)

    def jwt_in_vc_claim(self) -> str:
        """The VCDM 2.0 credential in a JWT ``vc`` claim (not the whole payload), signed."""
        signer = self.issuer.key("jwt")
        head, payload, _ = jwt_parts(sign_jwt(self.credential(), key=signer))
        claims = {k: payload[k] for k in ("iss", "jti", "nbf", "sub", "exp") if k in payload}
        return jws(head, {"vc": self.credential(), **claims}, signer)

    def status_entry(self, purpose: str = "revocation", set_bits: tuple[int, ...] = (),
                     index: int = 7, **list_changes: Any) -> dict[str, Any]:
        url = self.world.status_list(self.issuer, purpose, set_bits, **list_changes)
        return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
                "statusPurpose": purpose, "statusListIndex": str(index),
                "statusListCredential": url}


def host_badge(maker: Maker, item: Any) -> dict[str, Any] | str:
    """A good badge from ``maker.host`` carrying ``item`` as its endorsement."""
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = maker.host.profile()
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    cred["id"] = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000099"
    if isinstance(item, dict):
        cred["endorsement"] = [item]
    else:  # a JWT, or whatever else a badge could carry as one
        cred["@context"] = [*cred["@context"], ENDORSEMENT_JWT_TERM]
        cred["endorsementJwt"] = [item]
    try:
        return dataintegrity.sign_credential(cred, key=maker.host.ed, created=CREATED)
    except BadgesError:
        # an endorsement JSON-LD cannot process (a remote or broken context, a
        # poisoned graph...) cannot be under a Data Integrity proof either: a
        # VC-JWT signs the bytes, so the badge can still carry it
        return sign_jwt(cred, key=maker.host.ed)
