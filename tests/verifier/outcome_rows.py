"""The outcome table: for every result the verifier reports, a credential that produces it.

Each :class:`Row` names one ``(check, outcome, code)``, the verdict the whole
report then gets, the words the page shows for that check (a fragment in
English and in Spanish), and how to build the input. A row runs for each of
its formats (Data Integrity JSON, VC-JWT) and roles (the credential itself,
or an endorsement embedded in an otherwise good badge): see
``tests/verifier/test_outcomes.py``.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from badges import baking
from badges import dataintegrity
from badges import keys
from badges.report import CHECK_IDS
from badges.report import Outcome
from badges.trust import TrustRegistry
from badges.verdict import Verdict
from tests.badges.ob2.issuer import EMAIL
from tests.badges.ob2.issuer import Ob2Issuer
from tests.badges.ob2.issuer import bake_png
from tests.badges.ob2.issuer import bake_svg
from tests.badges.ob2.issuer import rsa_key
from tests.verifier.outcomes import CREATED
from tests.verifier.outcomes import OB
from tests.verifier.outcomes import VC_V2
from tests.verifier.outcomes import Issuer
from tests.verifier.outcomes import Maker
from tests.verifier.outcomes import Subject
from tests.verifier.outcomes import b64
from tests.verifier.outcomes import jws
from tests.verifier.outcomes import jwt_parts
from tests.verifier.pdfs import pdf_with_attachment

P, F, W, IND, S = (Outcome.PASSED, Outcome.FAILED, Outcome.WARNING, Outcome.INDETERMINATE,
                 Outcome.SKIPPED)
Result = tuple[str, Outcome, str]
BOTH = ("di", "jwt")
ROLES = ("top", "endorsement")


@dataclass(frozen=True)
class Row:
    """One line of the outcome table.

    Attributes:
        expect: the ``(check, outcome, code)`` the row is about.
        verdict: the verdict of the report of the built credential.
        build: makes the input (a JSON object, a JWT, or a file's bytes).
        en: words the page shows for the check, in English.
        es: the same in Spanish.
        formats: the formats it runs in (``di``, ``jwt``).
        roles: ``top`` (verified itself) and/or ``endorsement`` (embedded).
        also: other results the same input produces.
        offline: verify without network access.
        registry: the known-issuer registry to use, from the row's maker.
        link: the input is a link (text) to submit, not a credential.
        upload: the input is uploaded as this form field (``file`` or ``qr``).
        recipient: the recipient the user names (the API's ``?recipient=``, the
            form's field), for the Open Badges 2.0 recipient check.
    """

    expect: Result
    verdict: Verdict
    build: Callable[[Maker], Any]
    en: str
    es: str
    formats: tuple[str, ...] = BOTH
    roles: tuple[str, ...] = ROLES
    also: tuple[Result, ...] = ()
    offline: bool = False
    registry: Callable[[Maker], TrustRegistry] | None = None
    link: bool = False
    upload: str | None = None
    recipient: str | None = None
    name: str = field(default="")


def skipped_after(check: str, code: str) -> tuple[Result, ...]:
    """The skips every later check reports after ``check`` stopped the verification."""
    later = CHECK_IDS[CHECK_IDS.index(check) + 1:]
    return tuple((c, S, code) for c in later)


# --------------------------------------------------------------------------- Open Badges 2.0


def ob2_issuer(m: Maker) -> Ob2Issuer:
    """The row's OB 2.0 issuer (the same documents, URLs and key every time it is asked)."""
    return Ob2Issuer(m.world.docs.base, prefix=f"/{m.world.prefix}/ob2")


def ob2_known(m: Maker) -> TrustRegistry:
    """A list naming the row's OB 2.0 issuer by its profile URL."""
    return listing(m, {ob2_issuer(m).issuer_id: "Lakeside Unified School District"})


def ob2(make: Callable[[Ob2Issuer], Any]) -> Callable[[Maker], Any]:
    """A row input made by the row's OB 2.0 issuer, whose documents are then published."""

    def build(m: Maker) -> Any:
        issuer = ob2_issuer(m)
        subject = make(issuer)
        issuer.publish(m.world.docs)
        return subject

    return build


def _changed(issuer: Ob2Issuer, url: str, /, **changes: Any) -> Ob2Issuer:
    issuer.documents[url].update(changes)
    return issuer


def _tampered(i: Ob2Issuer) -> str:
    token = i.sign(i.assertion("1", signed=True))
    other = i.sign(i.assertion("1", signed=True, issuedOn="2020-01-01T00:00:00+00:00"))
    return ".".join((token.split(".")[0], other.split(".")[1], token.split(".")[2]))


def _hosted_copy_changed(i: Ob2Issuer) -> dict[str, Any]:
    return {**i.assertion("1"), "issuedOn": "2019-01-01T00:00:00+00:00"}


def _hosted_elsewhere(i: Ob2Issuer) -> dict[str, Any]:
    assertion = i.assertion("1")
    i.documents[assertion["id"]]["id"] = f"{i.base}/assertions/other.json"
    return assertion


def _broken_header(i: Ob2Issuer) -> str:
    _, payload, signature = i.sign(i.assertion("1", signed=True)).split(".")
    return f"bm90IGpzb24.{payload}.{signature}"


def _without_list(i: Ob2Issuer) -> str:
    del i.documents[i.revocation_id]
    return i.sign(i.assertion("1", signed=True))


def _revoked_flag(i: Ob2Issuer) -> dict[str, Any]:
    assertion = i.assertion("1")
    i.documents[assertion["id"]].update(revoked=True, revocationReason="Awarded in error")
    return assertion


def _ob2_row(expect: Result, verdict: Verdict, make: Callable[[Ob2Issuer], Any], en: str,
             es: str, **more: Any) -> Row:
    more.setdefault("registry", ob2_known)
    upload = "file" if more.pop("image", False) else None
    return Row(expect, verdict, ob2(make), en, es, formats=("di",), roles=("top",),
               upload=upload, **more)


# --------------------------------------------------------------------------- inputs


def png(width: int = 4, height: int = 4) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def text(subject: Subject) -> str:
    return subject if isinstance(subject, str) else json.dumps(subject)


def huge_png() -> bytes:
    """A PNG whose header declares 60,000 x 60,000 pixels (no credential, no QR code)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))


def chunky_png() -> bytes:
    """A small PNG of 2,000 text chunks: cheap in bytes, costly to walk."""
    import struct

    data = b"k\x00"
    text = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(
        ">I", zlib.crc32(b"tEXt" + data))
    image = png()
    return image[:33] + text * 2_000 + image[33:]


def qr_png(content: str) -> bytes:
    import qrcode

    out = io.BytesIO()
    qrcode.make(content).save(out)
    return out.getvalue()


def with_pdf_keywords(document: bytes, keywords: str) -> bytes:
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.add_metadata({"/Keywords": keywords})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_two(first: bytes, second: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_attachment(first))))
    writer.add_attachment("other.json", second)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(document: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_by(m: Maker, key: keys.KeyPair, **changes: Any) -> Subject:
    """The row's credential signed with ``key`` (whatever its controller)."""
    return m.sign(m.credential(**changes), key=key)


def listing(m: Maker, issuers: dict[str, str] | None = None,
            domains: dict[str, str] | None = None) -> TrustRegistry:
    """A list of known issuers with these entries, plus the host badge's issuer when the row
    is about an endorsement (so the badge that carries it is known)."""
    known = dict(issuers or {})
    if m.role == "endorsement":
        known[m.host.id] = m.host.name
    return TrustRegistry(issuers=known, domains=domains or {}, name="the table's list")


def _linkage_jwt(key: keys.KeyPair, origin: str) -> str:
    """A DIF DomainLinkageCredential in JWT form, for ``key``'s DID and ``origin``."""
    import base64

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    did = key.controller
    header = {"alg": "EdDSA", "kid": key.id}
    payload = {"iss": did, "sub": did, "nbf": 1767225600, "exp": 1893456000, "vc": {
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://identity.foundation/.well-known/did-configuration/v1"],
        "issuer": did, "issuanceDate": "2026-01-01T00:00:00Z",
        "expirationDate": "2030-01-01T00:00:00Z",
        "type": ["VerifiableCredential", "DomainLinkageCredential"],
        "credentialSubject": {"id": did, "origin": origin}}}
    signing_input = f"{part(header)}.{part(payload)}"
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=").decode()
    return f"{signing_input}.{signature}"


def claiming_web_address(m: Maker, *, links: bool) -> Subject:
    """Signed by a did:key whose profile names the loopback server's web address; that
    address's DID Configuration names the signer (``links``) or someone else."""
    signer = m.world.did_key_issuer("Harbor Schools")
    origin = "https://" + m.world.docs.base.split("://", 1)[1]
    named = signer.ed if links else keys.generate("ed25519")
    m.world.docs.json("/.well-known/did-configuration.json", {
        "@context": "https://identity.foundation/.well-known/did-configuration/v1",
        "linked_dids": [_linkage_jwt(named, origin)]})
    cred = m.credential(issuer=signer)
    cred["issuer"]["url"] = origin
    return m.sign(cred, key=signer.ed)


def own_did(m: Maker, *, publish: bool = True, listed: bool = True, key_id: str | None = None,
            document: Callable[[str, str], dict[str, Any]] | None = None) -> Subject:
    """Signed by a fresh did:web issuer whose DID document is as asked (or absent).

    Args:
        publish: serve a DID document at all.
        listed: list the keys under ``assertionMethod``.
        key_id: sign under this key id instead (``{did}`` is the DID).
        document: the DID document to serve, from the DID and the signing key id.
    """
    issuer = m.world.issuer(m.issuer.name, publish=False)
    pair = issuer.key(m.fmt)
    if key_id is not None:
        pair = pair.with_controller(issuer.id, key_id.format(did=issuer.id))
    if publish:
        pairs = [k for k in (issuer.ed, issuer.p256) if k is not None]
        m.world.publish_did(issuer.id, *pairs, listed=listed,
                            document=document(issuer.id, pair.id) if document else None)
    return m.sign(m.credential(issuer), key=pair)


def status(m: Maker, *entries: dict[str, Any], **changes: Any) -> Subject:
    entry: Any = list(entries) if len(entries) > 1 else entries[0]
    return m.signed(credentialStatus=entry, **changes)


def manual_jwt(m: Maker, cred: dict[str, Any], claims: dict[str, Any]) -> str:
    """A VC-JWT built by hand (for credentials :func:`sign_jwt` refuses to sign)."""
    key = m.issuer.key("jwt")
    return jws({"alg": key.jose_alg, "kid": key.id, "typ": "JWT"}, {**cred, **claims}, key)


def without(m: Maker, *names: str, **changes: Any) -> Subject:
    """The credential without some members, signed (by hand for a JWT)."""
    cred = m.credential(**changes)
    for name in names:
        cred.pop(name, None)
    if m.fmt == "di":
        return dataintegrity.sign_credential(cred, key=m.issuer.ed, created=CREATED)
    return manual_jwt(m, cred, {"jti": cred["id"]})


def poisoned(m: Maker) -> Subject:
    """A credential whose extra terms make a 10-node clique of look-alike blank nodes."""
    signed = m.signed()
    assert isinstance(signed, dict)
    nodes = [f"_:n{i}" for i in range(10)]
    signed["@context"] = [*signed["@context"], {"linked": {"@id": "urn:example:linked",
                                                           "@type": "@id"}}]
    signed["linked"] = [{"id": n, "linked": [o for o in nodes if o != n]} for n in nodes]
    return signed


def deep(m: Maker) -> Subject:
    nested: dict[str, Any] = {"narrative": "x"}
    for _ in range(25):
        nested = {"type": ["Evidence"], "narrative": "x", "evidence": [nested]}
    return m.tampered(m.signed(), lambda c: c.update(evidence=[nested]))


def with_endorsement(m: Maker, endorsement: Callable[[Maker, Issuer], Subject]) -> Subject:
    """A badge (the row's issuer) carrying one endorsement from a fresh endorser."""
    endorser = m.world.did_key_issuer("State Board of Education")
    item = endorsement(m, endorser)
    cred = m.credential()
    if isinstance(item, str):
        cred["@context"] = [*cred["@context"], {"endorsementJwt": {
            "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt"}}]
        cred["endorsementJwt"] = [item]
    else:
        cred["endorsement"] = [item]
    return m.sign(cred)


def endorsement_about(m: Maker, endorser: Issuer, about: str, **changes: Any) -> Subject:
    """An endorsement by ``endorser`` of ``about``, signed in the row's format."""
    cred: dict[str, Any] = {
        "@context": [VC_V2, OB], "id": "urn:uuid:7b0c1c5e-0000-4000-8000-00000000e001",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement", "issuer": endorser.profile(),
        "validFrom": "2026-01-05T09:00:00Z",
        "credentialSubject": {"id": about, "type": ["EndorsementSubject"],
                              "endorsementComment": "In good standing."}}
    cred.update(changes)
    if m.fmt == "jwt":
        from badges.jwt import sign_jwt

        return sign_jwt(cred, key=endorser.ed)
    return dataintegrity.sign_credential(cred, key=endorser.ed, created=CREATED)


def entry_for(url: str, purpose: str = "revocation", index: int = 7) -> dict[str, Any]:
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": purpose, "statusListIndex": str(index), "statusListCredential": url}


def header_jwk_jwt(m: Maker, jwk: dict[str, Any], alg: str = "ES256") -> str:
    key = m.issuer.key("jwt")
    token = m.jwt_with()
    _, payload, _ = jwt_parts(token)
    return jws({"alg": alg, "jwk": jwk, "typ": "JWT"}, payload, key)


def rsa_1024_jwk() -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    numbers = rsa.generate_private_key(public_exponent=65537, key_size=1024) \
        .public_key().public_numbers()
    return {"kty": "RSA", "n": b64(numbers.n.to_bytes(128, "big")),
            "e": b64(numbers.e.to_bytes(3, "big"))}


def link_to(m: Maker, path: str, body: bytes, content_type: str) -> str:
    return m.world.docs.raw(m.world.path(path), body, content_type)


def answering(m: Maker, path: str, status: int) -> str:
    """A link whose server answers ``status`` (410: its owner turned it off)."""
    from tests.verifier.conftest import Route

    where = m.world.path(path)
    m.world.docs.routes[where] = Route(status=status)
    return m.world.docs.base + where


def slow_link(m: Maker, path: str) -> str:
    """A JSON document served one byte at a time, slower than any fetch deadline."""
    return m.world.docs.slow(m.world.path(path), b'{"id": "' + b"x" * 200 + b'"}')


# --------------------------------------------------------------------------- the table

GOOD = ("format", "schema", "context", "proof", "key_binding", "validity_period")
NOT_OB = skipped_after("format", "not_open_badge")
UNREAD = skipped_after("format", "input_unreadable")
NO_PROOF = skipped_after("proof", "proof_not_verified")

ROWS: dict[str, Row] = {
    # ----------------------------------------------------------------- format
    "read from JSON": Row(
        ("format", P, "json"), Verdict.VERIFIED, lambda m: m.signed(),
        "Read an Open Badges 3.0 credential from a JSON credential",
        "Se leyó una credencial Open Badges 3.0 en formato JSON", formats=("di",)),
    "read from a VC-JWT": Row(
        ("format", P, "jwt"), Verdict.VERIFIED, lambda m: m.signed(),
        "Read an Open Badges 3.0 credential from a VC-JWT",
        "Se leyó una credencial Open Badges 3.0 en formato VC-JWT", formats=("jwt",)),
    "baked in a PNG": Row(
        ("format", P, "png"), Verdict.VERIFIED,
        lambda m: baking.bake(png(), text(m.signed())), "from a baked PNG badge",
        "de una imagen PNG de insignia", roles=("top",), upload="file"),
    "baked in an SVG": Row(
        ("format", P, "svg"), Verdict.VERIFIED,
        lambda m: baking.bake(SVG, text(m.signed())), "from a baked SVG badge",
        "de una imagen SVG de insignia", roles=("top",), upload="file"),
    "attached to a PDF": Row(
        ("format", P, "pdf"), Verdict.VERIFIED,
        lambda m: pdf_with_attachment(text(m.signed()).encode()), "from a PDF certificate",
        "adjunta a un certificado PDF", roles=("top",), upload="file"),
    "not an Open Badge": Row(
        ("format", F, "not_open_badge"), Verdict.INVALID,
        lambda m: m.signed(type=["VerifiableCredential"]),
        "This is not an Open Badges 3.0 credential",
        "No es una credencial Open Badges 3.0", roles=("top",), also=NOT_OB),
    "an endorsement that is not an endorsement": Row(
        ("format", F, "not_endorsement"), Verdict.INVALID,
        lambda m: m.signed(type=["VerifiableCredential", "OpenBadgeCredential"]),
        "not an Open Badges 3.0 endorsement", "no es un aval Open Badges 3.0",
        roles=("endorsement",), also=NOT_OB),
    "not a credential object": Row(
        ("format", F, "not_a_credential"), Verdict.UNREADABLE,
        lambda m: b"[1, 2]" if m.role == "top" else 42, "could not be read as a credential",
        "no es una credencial", formats=("di",), also=UNREAD, upload="file"),
    "truncated JSON": Row(
        ("format", F, "invalid_json"), Verdict.UNREADABLE,
        lambda m: text(m.signed())[:200] if m.role == "endorsement"
        else text(m.signed())[:200].encode(), "is not valid JSON", "no es JSON válido",
        formats=("di",), also=UNREAD, upload="file"),
    "too large": Row(
        ("format", F, "input_too_large"), Verdict.UNREADABLE,
        lambda m: b"{" + b" " * (3 * 1024 * 1024) + b"}", "larger than",
        "demasiado grande", formats=("di",), roles=("top",), also=UNREAD, upload="file"),
    "nested too deeply": Row(
        ("format", F, "json_too_deep"), Verdict.UNREADABLE,
        lambda m: b'{"a":' * 70 + b"1" + b"}" * 70, "nested more than",
        "anidado a demasiada profundidad", formats=("di",), roles=("top",), also=UNREAD,
        upload="file"),
    "unreadable bytes": Row(
        ("format", F, "unreadable_input"), Verdict.UNREADABLE,
        lambda m: "just some words" if m.role == "endorsement" else b"just some words",
        "is not JSON, a JWT", "No se pudo leer como credencial", formats=("di",),
        also=UNREAD, upload="file"),
    "a malformed JWT": Row(
        ("format", F, "malformed_jwt"), Verdict.UNREADABLE,
        lambda m: "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln", "JWS payload is not UTF-8 JSON",
        "parece un JWT, pero está mal formado", formats=("jwt",), also=UNREAD),
    "a VCDM 2.0 credential in a JWT vc claim": Row(
        ("format", W, "jwt_vc_claim"), Verdict.VERIFIED, lambda m: m.jwt_in_vc_claim(),
        "but from its 'vc' claim", "de su campo «vc»", formats=("jwt",)),
    "a JWT whose form disagrees with its context": Row(
        ("proof", F, "jwt_form_mismatch"), Verdict.INVALID,
        lambda m: m.jwt_with(claims={"@context": ["https://www.w3.org/2018/credentials/v1",
                                                  OB]}),
        "must be in the 'vc' claim", "no tiene la forma de una credencial VC-JWT",
        formats=("jwt",), also=NO_PROOF),
    "a PNG with a broken chunk": Row(
        ("format", F, "malformed_image"), Verdict.UNREADABLE,
        lambda m: baking.bake(png(), text(m.signed()))[:-20] + b"\x00" * 20, "PNG",
        "La imagen está dañada o mal formada", formats=("di",), roles=("top",),
        also=UNREAD, upload="file"),
    "an SVG with no credential": Row(
        ("format", F, "not_baked"), Verdict.UNREADABLE, lambda m: SVG,
        "no <openbadges:credential> element", "La imagen no contiene ninguna credencial",
        formats=("di",), roles=("top",), also=UNREAD, upload="file"),
    "an SVG declaring entities": Row(
        ("format", F, "unsafe_image"), Verdict.UNREADABLE,
        lambda m: b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>' + SVG,
        "entities", "construcciones inseguras", formats=("di",), roles=("top",),
        also=UNREAD, upload="file"),
    "markup that is not an SVG": Row(
        ("format", F, "unsupported_image"), Verdict.UNREADABLE,
        lambda m: b'<?xml version="1.0"?><html><svg></svg></html>', "is not <svg>",
        "solo se pueden leer insignias PNG y SVG", formats=("di",), roles=("top",),
        also=UNREAD, upload="file"),
    "a broken PDF": Row(
        ("format", F, "unreadable_pdf"), Verdict.UNREADABLE,
        lambda m: b"%PDF-1.7\n garbage", "the PDF could not be read",
        "El PDF está dañado", formats=("di",), roles=("top",), also=UNREAD, upload="file"),
    "an encrypted PDF": Row(
        ("format", F, "encrypted_pdf"), Verdict.UNREADABLE,
        lambda m: encrypted_pdf(pdf_with_attachment(text(m.signed()).encode())),
        "encrypted PDFs are not read", "El PDF está cifrado", formats=("di",),
        roles=("top",), also=UNREAD, upload="file"),
    "a PDF with no credential": Row(
        ("format", F, "no_credential_in_pdf"), Verdict.UNREADABLE,
        lambda m: pdf_with_attachment(b"a letter, not a credential"),
        "has no credential attached", "no lleva ninguna credencial adjunta",
        formats=("di",), roles=("top",), also=UNREAD, upload="file"),
    "a PDF with two credentials": Row(
        ("format", F, "several_credentials_in_pdf"), Verdict.UNREADABLE,
        lambda m: pdf_with_two(text(m.signed()).encode(),
                               text(m.signed(name="Another badge")).encode()),
        "several credentials attached", "lleva varias credenciales adjuntas",
        roles=("top",), also=UNREAD, upload="file"),
    "a PDF that declares another credential": Row(
        ("format", F, "certificate_mismatch"), Verdict.FORGED,
        lambda m: with_pdf_keywords(pdf_with_attachment(text(m.signed()).encode()),
                                    "Open Badges 3.0, urn:uuid:00000000-0000-4000-8000-"
                                    "000000000000"),
        "the attachment was replaced", "se cambió la página o el archivo adjunto",
        roles=("top",), also=UNREAD, upload="file"),
    # what the verifier's own intake refuses (links, pictures)
    "a link while offline": Row(
        ("format", F, "offline"), Verdict.UNREADABLE,
        lambda m: "https://badges.example/c/1.json", "not followed offline",
        "Sin conexión no se siguen enlaces", formats=("di",), roles=("top",), also=UNREAD,
        offline=True, link=True),
    "a link that answers 404": Row(
        ("format", F, "link_not_found"), Verdict.UNREADABLE,
        lambda m: m.world.docs.base + m.world.path("missing.json"), "answered HTTP 404",
        "El servidor respondió HTTP 404", formats=("di",), roles=("top",), also=UNREAD,
        link=True),
    "a link its owner turned off (410)": Row(
        ("format", F, "link_gone"), Verdict.UNREADABLE,
        lambda m: answering(m, "off.json", 410), "owner turned it off",
        "propietario del enlace lo desactivó", formats=("di",), roles=("top",), also=UNREAD,
        link=True),
    "a link whose server fails (503)": Row(
        ("format", F, "link_http_error"), Verdict.UNREADABLE,
        lambda m: answering(m, "down.json", 503), "answered HTTP 503",
        "respondió con un error", formats=("di",), roles=("top",), also=UNREAD, link=True),
    "a link to no server": Row(
        ("format", F, "fetch_failed"), Verdict.UNREADABLE,
        lambda m: "http://127.0.0.1:9/c/1.json", "could not fetch",
        "No se pudo descargar el enlace", formats=("di",), roles=("top",), also=UNREAD,
        link=True),
    "a link to a private address": Row(
        ("format", F, "address_not_allowed"), Verdict.UNREADABLE,
        lambda m: "https://10.1.2.3/c/1.json", "private or reserved address",
        "dirección privada o reservada", formats=("di",), roles=("top",), also=UNREAD,
        link=True),
    "a link that trickles": Row(
        ("format", F, "fetch_timeout"), Verdict.UNREADABLE, lambda m: slow_link(m, "c.json"),
        "took longer than", "tardó demasiado en responder", formats=("di",), roles=("top",),
        also=UNREAD, link=True),
    "a plain-HTTP link": Row(
        ("format", F, "scheme_not_allowed"), Verdict.UNREADABLE,
        lambda m: "http://10.1.2.3/c/1.json", "fetches only HTTPS",
        "Solo se consultan enlaces HTTPS", formats=("di",), roles=("top",), also=UNREAD,
        link=True),
    "a link to a page naming no credential": Row(
        ("format", F, "link_not_credential"), Verdict.UNREADABLE,
        lambda m: link_to(m, "page.html", b"<html><body>Hello</body></html>", "text/html"),
        "names no credential", "no indica ninguna credencial", formats=("di",),
        roles=("top",), also=UNREAD, link=True),
    "a picture with no QR code": Row(
        ("format", F, "no_qr_code"), Verdict.UNREADABLE, lambda m: png(40, 40),
        "no QR code was found", "No se encontró ningún código QR", formats=("di",),
        roles=("top",), also=UNREAD, upload="qr"),
    "a QR code holding a greeting": Row(
        ("format", F, "qr_not_credential"), Verdict.UNREADABLE,
        lambda m: qr_png("hello there"), "neither a link nor a credential",
        "no contiene ni un enlace ni una credencial", formats=("di",), roles=("top",),
        also=UNREAD, upload="qr"),
    "a picture that is not one": Row(
        ("format", F, "image_unreadable"), Verdict.UNREADABLE,
        lambda m: b"GIF89a" + b"\x00" * 40, "could not be read",
        "No se pudo leer la imagen", formats=("di",), roles=("top",), also=UNREAD,
        upload="qr"),
    "a picture declaring billions of pixels": Row(
        ("format", F, "image_too_large"), Verdict.UNREADABLE, lambda m: huge_png(),
        "pixels", "demasiado grande", formats=("di",), roles=("top",), also=UNREAD,
        upload="file"),
    "a PNG of thousands of text chunks": Row(
        ("format", F, "image_too_complex"), Verdict.UNREADABLE, lambda m: chunky_png(),
        "text chunks", "demasiados fragmentos", formats=("di",), roles=("top",),
        also=UNREAD, upload="file"),
    "a PNG with neither a badge nor a QR code": Row(
        ("format", F, "no_credential_in_image"), Verdict.UNREADABLE,
        lambda m: png(40, 40), "neither a baked credential nor a QR code",
        "ni una credencial ni un código QR", formats=("di",), roles=("top",), also=UNREAD,
        upload="file"),
    # ----------------------------------------------------------------- schema
    "complete": Row(
        ("schema", P, "schema_valid"), Verdict.VERIFIED, lambda m: m.signed(),
        "has every field Open Badges 3.0 requires", "tiene todos los campos"),
    "lists given as single values": Row(
        ("schema", W, "schema_compacted_form"), Verdict.VERIFIED,
        lambda m: m.signed(credentialSubject={**m.credential()["credentialSubject"],
                                              "type": m.credential()["credentialSubject"]
                                              ["type"][0]}),
        "gives some lists as single values", "da algunas listas como valores sueltos"),
    "a required field missing": Row(
        ("schema", F, "schema_invalid"), Verdict.INVALID,
        lambda m: without(m, "name") if m.role == "endorsement" else m.signed(
            credentialSubject={**m.credential()["credentialSubject"], "achievement": {
                k: v for k, v in m.credential()["credentialSubject"]["achievement"].items()
                if k != "description"}}),
        "is not shaped as Open Badges 3.0 requires", "no tiene la estructura"),
    # ----------------------------------------------------------------- context
    "standard vocabulary": Row(
        ("context", P, "context_valid"), Verdict.VERIFIED, lambda m: m.signed(),
        "Every term in the credential is defined", "Todos los términos"),
    "an older OB context": Row(
        ("context", W, "context_outdated"), Verdict.VERIFIED,
        lambda m: m.signed(**{"@context": [
            VC_V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"]}),
        # an endorsement with another OB context version cannot be embedded: the OB
        # contexts are @protected, so the badge would redefine protected terms
        "older version of the contexts", "versión anterior de los contextos", roles=("top",)),
    "no @context": Row(
        ("context", F, "context_missing"), Verdict.FORGED,
        lambda m: m.tampered(m.signed(), lambda c: c.pop("@context")),
        "has no @context", "no tiene @context", also=(("proof", F, "signature_invalid"),)),
    "contexts in the wrong order": Row(
        ("context", F, "context_order"), Verdict.INVALID,
        lambda m: m.signed(**{"@context": [OB, VC_V2]}),
        "must be the W3C Verifiable Credentials context", "no están en el orden"),
    "a context from the network": Row(
        ("context", F, "context_not_allowed"), Verdict.INVALID,
        lambda m: m.tampered(m.signed(), lambda c: c.update(
            {"@context": [*c["@context"], "https://evil.example/context.jsonld"]})),
        "contexts are never fetched from the network", "nunca se descargan de la red",
        formats=("di",), also=(("proof", F, "context_not_allowed"),)),
    # signed with a term no context defines: the signature matches, but does not cover
    # that term, so the proof check refuses it too (content_not_signed); embedded in a
    # badge, the badge's own proof refuses it first, so these rows are top level only
    "an undefined term": Row(
        ("context", F, "undefined_term"), Verdict.INVALID,
        lambda m: m.signed(favouriteColour="blue"),
        "uses terms its contexts do not define (favouriteColour)",
        "usa términos que sus contextos no definen", formats=("di",), roles=("top",),
        also=(("proof", F, "content_not_signed"), *NO_PROOF)),
    "an undefined type": Row(
        ("context", F, "undefined_type"), Verdict.INVALID,
        lambda m: m.signed(type=[*m.credential()["type"], "FancyCredential"]),
        "uses terms its contexts do not define (FancyCredential)",
        "usa tipos que sus contextos no definen", formats=("di",), roles=("top",),
        also=(("proof", F, "content_not_signed"), *NO_PROOF)),
    "an undefined term in a VC-JWT": Row(
        ("context", F, "undefined_term"), Verdict.INVALID,
        lambda m: m.signed(favouriteColour="blue"),
        "uses terms its contexts do not define (favouriteColour)",
        "usa términos que sus contextos no definen", formats=("jwt",)),
    "an invalid inline context": Row(
        ("context", F, "invalid_jsonld"), Verdict.INVALID,
        lambda m: m.tampered(m.signed(), lambda c: c.update(
            {"@context": [*c["@context"], {"oops": {"@id": 5}}]})),
        "JSON-LD processing failed", "no es JSON-LD válido", formats=("di",),
        also=(("proof", F, "invalid_jsonld"),)),
    "evidence nested 50 deep": Row(
        ("context", F, "too_deep"), Verdict.INVALID, deep,
        "nested more than 48 levels deep", "anidada a demasiada profundidad",
        formats=("di",), also=(("proof", F, "too_deep"),)),
    "an array too long to process": Row(
        ("context", F, "too_large"), Verdict.INVALID,
        lambda m: m.tampered(m.signed(), lambda c: c.update(
            evidence=[{"type": ["Evidence"], "narrative": "x"}] * 300)),
        "an array holds more than 256 items", "demasiado grande", formats=("di",),
        also=(("proof", F, "too_large"),)),
    # ----------------------------------------------------------------- proof
    "intact": Row(
        ("proof", P, "signature_valid"), Verdict.VERIFIED, lambda m: m.signed(),
        "its digital signature matches its content", "su firma digital coincide"),
    "changed after signing": Row(
        ("proof", F, "signature_invalid"), Verdict.FORGED,
        lambda m: m.tampered(m.signed(), lambda c: c.update(name="Superintendent")),
        "changed after it was signed", "se modificó después de firmarse", also=NO_PROOF),
    "unsigned": Row(
        ("proof", F, "no_proof"), Verdict.INVALID, lambda m: m.credential(),
        "is not signed", "no está firmada", formats=("di",), also=NO_PROOF),
    "a proof that is not an object": Row(
        ("proof", F, "proof_invalid"), Verdict.INVALID,
        lambda m: {**m.credential(), "proof": ["signed, honest"]}, "not an object",
        "está mal formada", formats=("di",), also=NO_PROOF),
    "an unknown cryptosuite": Row(
        ("proof", F, "unsupported_cryptosuite"), Verdict.INVALID,
        lambda m: m.with_proof(lambda p: p.update(cryptosuite="rsa-2048-homebrew")),
        "rsa-2048-homebrew", "un tipo de firma que este verificador no admite",
        formats=("di",), also=NO_PROOF),
    "a proof for authentication": Row(
        ("proof", F, "proof_purpose_invalid"), Verdict.INVALID,
        lambda m: m.with_proof(lambda p: p.update(proofPurpose="authentication")),
        "proofPurpose must be assertionMethod", "assertionMethod", formats=("di",),
        also=NO_PROOF),
    "a proof value that is not base58": Row(
        ("proof", F, "proof_value_invalid"), Verdict.INVALID,
        lambda m: m.with_proof(lambda p: p.update(proofValue="z0OIl")),
        "proofValue is not valid base58btc", "El valor de la firma está mal formado",
        formats=("di",), also=NO_PROOF),
    "a poisoned graph": Row(
        ("proof", F, "canonicalization_limit"), Verdict.INVALID, poisoned,
        "canonicalization refused", "demasiado cálculo", formats=("di",), also=NO_PROOF),
    "text that is not Unicode": Row(
        ("proof", F, "invalid_unicode"), Verdict.INVALID,
        lambda m: m.tampered(m.signed(), lambda c: c.update(name="half \ud800 a pair")),
        # no badge can carry it as an endorsement: neither proof can sign such text
        "not valid Unicode", "no es Unicode válido", formats=("di",), roles=("top",),
        also=NO_PROOF),
    "alg HS256": Row(
        ("proof", F, "alg_not_allowed"), Verdict.INVALID,
        lambda m: m.jwt_with(header={"alg": "HS256"}), "is not one of",
        "algoritmo de firma no permitido", formats=("jwt",), also=NO_PROOF),
    "an extra header": Row(
        ("proof", F, "jwt_header_not_allowed"), Verdict.INVALID,
        lambda m: m.jwt_with(header={"x5u": "https://evil.example/cert"}),
        "are not allowed", "un campo no permitido", formats=("jwt",), also=NO_PROOF),
    "typ vc+ld+json": Row(
        ("proof", F, "jwt_typ_invalid"), Verdict.INVALID,
        lambda m: m.jwt_with(header={"typ": "vc+ld+json"}), "is not 'JWT'",
        "El tipo declarado en la cabecera del JWT no es válido", formats=("jwt",),
        also=NO_PROOF),
    "no kid and no jwk": Row(
        ("proof", F, "jwt_key_missing"), Verdict.INVALID,
        lambda m: m.jwt_with(drop=("kid",)), "neither 'kid' nor 'jwk'",
        "no indica con qué clave se firmó", formats=("jwt",), also=NO_PROOF),
    "iss is someone else": Row(
        ("proof", F, "jwt_claim_mismatch"), Verdict.INVALID,
        lambda m: m.jwt_with(claims={"iss": "did:web:elsewhere.example"}), "iss",
        "no coinciden con la credencial", formats=("jwt",), also=NO_PROOF),
    "a key named by no scheme": Row(
        ("proof", F, "verification_method_invalid"), Verdict.INVALID,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(m.issuer.id, "key-1")),
        "is not a DID or URL", "La firma no indica una clave válida", also=NO_PROOF),
    "a key under an unknown DID method": Row(
        ("proof", F, "unsupported_did_method"), Verdict.INVALID,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "did:example:123", "did:example:123#key-1")),
        "is not supported", "método DID no admitido", also=NO_PROOF),
    "a broken did:key": Row(
        ("proof", F, "invalid_did_key"), Verdict.INVALID,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "did:key:z6MkBroken", "did:key:z6MkBroken#z6MkBroken")),
        "did:key", "did:key de la clave no es válido", also=NO_PROOF),
    "a broken did:jwk": Row(
        ("proof", F, "invalid_did_jwk"), Verdict.INVALID,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "did:jwk:bm90LWEta2V5", "did:jwk:bm90LWEta2V5#0")),
        "did:jwk", "did:jwk de la clave no es válido", also=NO_PROOF),
    "a broken did:web": Row(
        ("proof", F, "invalid_did_web"), Verdict.INVALID,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "did:web:bad%2Fhost", "did:web:bad%2Fhost#key-1")),
        "did:web", "did:web del emisor no es válido", also=NO_PROOF),
    "a key the DID document does not list": Row(
        ("proof", F, "key_not_in_controller_document"), Verdict.INVALID,
        lambda m: own_did(m, key_id="{did}#key-elsewhere"),
        "does not list key", "no contiene la clave de la firma", also=NO_PROOF),
    "a DID document with no list of keys": Row(
        ("proof", F, "controller_document_invalid"), Verdict.INVALID,
        lambda m: own_did(m, document=lambda did, vm: {"id": did, "verificationMethod": "oops"}),
        "verificationMethod is not a list", "está mal formado", also=NO_PROOF),
    "a published key that is not a key": Row(
        ("proof", F, "key_invalid"), Verdict.INVALID,
        lambda m: own_did(m, document=lambda did, vm: {
            "id": did, "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did,
                                               "publicKeyMultibase": "zNotAKey"}],
            "assertionMethod": [vm]}),
        "unusable", "no es una clave pública válida", also=NO_PROOF),
    "a header JWK of an unknown kind": Row(
        ("proof", F, "unsupported_key_type"), Verdict.INVALID,
        lambda m: header_jwk_jwt(m, {"kty": "OKP", "crv": "X448", "x": "AAAA"}),
        "unsupported JWK key type", "un tipo que este verificador no admite",
        formats=("jwt",), also=NO_PROOF),
    "a header JWK of RSA-1024": Row(
        ("proof", F, "weak_key"), Verdict.INVALID,
        lambda m: header_jwk_jwt(m, rsa_1024_jwk(), alg="RS256"), "shorter than 2048 bits",
        "demasiado débil", formats=("jwt",), also=NO_PROOF),
    "a header JWK with its private part": Row(
        ("proof", F, "private_key_exposed"), Verdict.INVALID,
        lambda m: header_jwk_jwt(m, {**m.issuer.key("jwt").public.jwk(), "d": "c2VjcmV0"}),
        "private members", "incluye su parte privada", formats=("jwt",), also=NO_PROOF),
    "a header JWK missing its coordinates": Row(
        ("proof", F, "invalid_key"), Verdict.INVALID,
        lambda m: header_jwk_jwt(m, {"kty": "EC", "crv": "P-256"}), "malformed JWK",
        "La clave no es válida", formats=("jwt",), also=NO_PROOF),
    "an Ed25519 proof made with a P-256 key": Row(
        ("proof", F, "key_type_mismatch"), Verdict.INVALID,
        lambda m: m.sign(m.credential(), key=m.issuer.ed.with_controller(
            m.issuer.id, m.issuer.id + "#key-p256")),
        "not an Ed25519 key", "no es del tipo que exige la firma", formats=("di",),
        also=NO_PROOF),
    # a fetch the verifier's policy declines teaches nothing about the credential: it
    # could not be fully checked, never "not verified" (issue #13)
    "a key at a private address": Row(
        ("proof", IND, "address_not_allowed"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "did:web:10.1.2.3", "did:web:10.1.2.3#key-1"), issuer=Issuer(
            "did:web:10.1.2.3", "Lakeside Unified School District", m.issuer.ed, None)),
        "private or reserved address", "dirección privada o reservada", also=NO_PROOF),
    "a key on plain HTTP": Row(
        ("proof", IND, "scheme_not_allowed"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "http://10.1.2.3/issuer", "http://10.1.2.3/keys/1")),
        "fetches only HTTPS", "Solo se consultan enlaces HTTPS", also=NO_PROOF),
    "a key document that is HTML": Row(
        ("proof", IND, "not_json"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            m.world.docs.base + "/x", link_to(m, "key", b"<html></html>", "text/html"))),
        "did not return JSON", "no es JSON", also=NO_PROOF),
    "a key document of 3 MB": Row(
        ("proof", IND, "response_too_large"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            m.world.docs.base + "/x", link_to(m, "key", b"{" + b" " * (3 * 1024 * 1024)
                                              + b"}", "application/json"))),
        "is larger than", "demasiado grande", also=NO_PROOF),
    "a key document that trickles": Row(
        ("proof", IND, "fetch_timeout"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            m.world.docs.base + "/x", slow_link(m, "key"))),
        "took longer than", "tardó demasiado en responder", also=NO_PROOF),
    "a DID document that is not there": Row(
        ("proof", IND, "fetch_failed"), Verdict.UNCONFIRMED, lambda m: own_did(m, publish=False),
        "could not be checked", "no se pudo descargar", also=NO_PROOF),
    "a did:web key, offline": Row(
        ("proof", IND, "key_unresolved_offline"), Verdict.UNCONFIRMED, lambda m: m.signed(),
        "this check is offline", "sin conexión", offline=True, also=NO_PROOF),
    # ----------------------------------------------------------------- key binding
    "a key the issuer publishes": Row(
        ("key_binding", P, "key_published"), Verdict.VERIFIED, lambda m: m.signed(),
        "The signing key is published by the issuer", "la publica el propio emisor"),
    "a stranger's did:key": Row(
        ("key_binding", F, "controller_mismatch"), Verdict.FORGED,
        lambda m: signed_by(m, keys.generate("ed25519"), issuer=Issuer(
            "did:web:isbe.net", "State Board of Education", m.issuer.ed, None)),
        "does not belong to the issuer it names", "no pertenece al emisor que indica"),
    "a key the issuer lists but not for issuing": Row(
        ("key_binding", F, "key_not_published"), Verdict.FORGED,
        lambda m: own_did(m, listed=False),
        "does not list the signing key", "no publica la clave con la que se firmó"),
    "no issuer": Row(
        ("key_binding", F, "issuer_missing"), Verdict.INVALID,
        lambda m: without(m, "issuer"), "does not name its issuer",
        "no indica su emisor", also=(("schema", F, "schema_invalid"),)),
    "a key named under the issuer's URL, offline": Row(
        ("key_binding", IND, "binding_unchecked_offline"), Verdict.UNCONFIRMED,
        lambda m: signed_by(m, m.issuer.key(m.fmt).with_controller(
            "https://district.example/issuer", "https://district.example/issuer#"
            + m.issuer.key(m.fmt).public.multibase),
            issuer=Issuer("https://district.example/issuer", "Harbor Schools", m.issuer.ed, None)),
        "offline check", "sin conexión", offline=True),
    "the issuer's document is not there": Row(
        ("key_binding", IND, "controller_unreachable"), Verdict.UNCONFIRMED,
        lambda m: (lambda url: signed_by(
            m, m.issuer.key(m.fmt).with_controller(url, f"{url}#"
                                                   + m.issuer.key(m.fmt).public.multibase),
            issuer=Issuer(url, "Harbor Schools", m.issuer.ed, None)))(
            m.world.docs.base + m.world.path("issuer")),
        "could not be read", "No se pudieron consultar las claves"),
    # ----------------------------------------------------------------- validity
    "current": Row(
        ("validity_period", P, "within_validity"), Verdict.VERIFIED, lambda m: m.signed(),
        "valid from 5 January 2026, with no expiry date",
        "válida desde el 5 de enero de 2026, sin fecha de vencimiento"),
    "expired": Row(
        ("validity_period", F, "expired"), Verdict.EXPIRED,
        lambda m: m.signed(validUntil="2026-06-01T00:00:00Z"),
        "until 1 June 2026; it has expired", "hasta el 1 de junio de 2026; ha vencido"),
    "not valid yet": Row(
        ("validity_period", F, "not_yet_valid"), Verdict.INVALID,
        lambda m: m.signed(validFrom="2027-03-01T00:00:00Z"),
        "is not valid until 1 March 2027", "no es válida hasta el 1 de marzo de 2027"),
    "no start date": Row(
        ("validity_period", F, "valid_from_missing"), Verdict.INVALID,
        lambda m: without(m, "validFrom"), "does not say when it was issued",
        # a VC-JWT without it fails its proof first (nbf has nothing to match)
        "no indica cuándo se emitió", formats=("di",), also=(("schema", F, "schema_invalid"),)),
    "a date without a time zone": Row(
        ("validity_period", F, "invalid_date"), Verdict.INVALID,
        lambda m: without(m, validFrom="2026-01-05"),
        # a VC-JWT with it fails its proof first (nbf cannot match it)
        "is not a date and time with a time zone", "no es una fecha y hora con zona horaria",
        formats=("di",), also=(("schema", F, "schema_invalid"),)),
    # ----------------------------------------------------------------- status
    "no status": Row(
        ("status", S, "no_status"), Verdict.VERIFIED, lambda m: m.signed(),
        "did not publish a revocation list", "no publicó una lista de revocación"),
    "status, offline": Row(
        ("status", IND, "status_unchecked_offline"), Verdict.UNCONFIRMED,
        lambda m: (lambda k: signed_by(m, k, issuer=Issuer(k.controller, "Demo District", k,
                                                            None),
                                       credentialStatus={
                                           "id": "https://district.example/status/1#7",
                                           "type": "BitstringStatusListEntry",
                                           "statusPurpose": "revocation",
                                           "statusListIndex": "7",
                                           "statusListCredential":
                                               "https://district.example/status/1"}))(
            keys.generate("ed25519")),
        "could not be checked (offline)", "(sin conexión)", offline=True),
    "a status entry that is text": Row(
        ("status", F, "status_entry_invalid"), Verdict.INVALID,
        lambda m: m.signed(credentialStatus=["revoked? no"]), "is malformed",
        "está mal formada"),
    "revoked": Row(
        ("status", F, "revoked"), Verdict.REVOKED,
        lambda m: status(m, m.status_entry("revocation", (7,))),
        "The issuer has revoked this credential", "El emisor ha revocado esta credencial"),
    "suspended": Row(
        ("status", F, "suspended"), Verdict.SUSPENDED,
        lambda m: status(m, m.status_entry("suspension", (7,))),
        "The issuer has suspended this credential",
        "El emisor ha suspendido esta credencial"),
    "not revoked": Row(
        ("status", P, "not_revoked"), Verdict.VERIFIED,
        lambda m: status(m, m.status_entry("revocation")),
        "The issuer has not revoked this credential",
        "El emisor no ha revocado esta credencial"),
    "not suspended": Row(
        ("status", P, "not_suspended"), Verdict.VERIFIED,
        lambda m: status(m, m.status_entry("suspension")),
        "The issuer has not suspended this credential",
        "El emisor no ha suspendido esta credencial"),
    "neither revoked nor suspended": Row(
        ("status", P, "not_withdrawn"), Verdict.VERIFIED,
        lambda m: status(m, m.status_entry("revocation"), m.status_entry("suspension")),
        # an endorsement's schema allows one credentialStatus, not a list
        "neither revoked nor suspended", "no ha revocado ni suspendido", roles=("top",)),
    "suspended, and not revoked": Row(
        ("status", F, "suspended"), Verdict.SUSPENDED,
        lambda m: status(m, m.status_entry("revocation"), m.status_entry("suspension", (7,))),
        "has suspended this credential", "ha suspendido esta credencial", roles=("top",)),
    "revoked on a 1EdTech revocation list": Row(
        ("status", F, "revoked"), Verdict.REVOKED,
        lambda m: m.signed(**{"@context": [VC_V2, OB, EXTENSIONS], "credentialStatus": {
            "id": m.world.docs.json(m.world.path("revocations"), {"revokedCredential": [
                {"id": m.credential()["id"], "revocationReason": "Issued in error"}]}),
            "type": "1EdTechRevocationList"}}),
        "revoked this credential: Issued in error", "ha revocado esta credencial"),
    "expired, and not revoked": Row(
        ("validity_period", F, "expired"), Verdict.EXPIRED,
        lambda m: status(m, m.status_entry("revocation"), validUntil="2026-11-01T00:00:00Z"),
        "until 1 November 2026; it has expired", "hasta el 1 de noviembre de 2026",
        also=(("status", P, "not_revoked"),)),
    "a status list that is not there": Row(
        ("status", IND, "status_list_unreachable"), Verdict.UNCONFIRMED,
        lambda m: status(m, entry_for(m.world.docs.base + m.world.path("no-list"))),
        "status list could not be read", "no se pudo leer la lista de estado"),
    "a status list that is not a list": Row(
        ("status", IND, "status_list_invalid"), Verdict.UNCONFIRMED,
        lambda m: status(m, entry_for(m.world.docs.json(m.world.path("list"), {"hello": 1}))),
        "is not a BitstringStatusListCredential", "está mal formada"),
    "a status list changed after signing": Row(
        ("status", IND, "status_list_signature_invalid"), Verdict.UNCONFIRMED,
        lambda m: status(m, tampered_list_entry(m)), "could not be trusted",
        "se puede confiar en la lista de estado"),
    "a status list from someone else": Row(
        ("status", IND, "status_list_issuer_mismatch"), Verdict.UNCONFIRMED,
        lambda m: status(m, foreign_list_entry(m)),
        "was not issued by the credential's issuer", "no la emitió el emisor"),
    "a suspension list for a revocation entry": Row(
        ("status", IND, "status_purpose_mismatch"), Verdict.UNCONFIRMED,
        lambda m: status(m, {**m.status_entry("suspension"), "statusPurpose": "revocation"}),
        "is for another purpose", "es para otro propósito"),
    "an expired status list": Row(
        ("status", IND, "status_list_expired"), Verdict.UNCONFIRMED,
        lambda m: status(m, m.status_entry("revocation", validUntil="2026-06-01T00:00:00Z")),
        "status list has expired", "lista de estado del emisor ha vencido"),
    "an index past the end of the list": Row(
        ("status", IND, "status_index_out_of_range"), Verdict.UNCONFIRMED,
        lambda m: status(m, m.status_entry("revocation", index=10_000_000)),
        "shorter than the credential's index", "más corta que la posición"),
    "a status method the verifier does not support": Row(
        ("status", IND, "unsupported_status_type"), Verdict.UNCONFIRMED,
        lambda m: m.signed(**{"@context": [
            VC_V2, OB, "https://w3id.org/vc/status-list/2021/v1"],
            "credentialStatus": {"id": "https://district.example/status/3#7",
                                 "type": "StatusList2021Entry",
                                 "statusPurpose": "revocation", "statusListIndex": "7",
                                 "statusListCredential": "https://district.example/status/3"}}),
        "does not support (StatusList2021Entry)", "usa un método de estado que este "
        "verificador no admite"),
    "a status purpose the verifier does not know": Row(
        ("status", IND, "unsupported_status_purpose"), Verdict.UNCONFIRMED,
        lambda m: status(m, {**m.status_entry("revocation"), "statusPurpose": "withdrawal"}),
        "'withdrawal' is not one this verifier knows", "propósito de estado no es uno"),
    "a message status entry": Row(
        ("status", W, "status_purpose_informational"), Verdict.VERIFIED,
        lambda m: status(m, {**m.status_entry("revocation"), "statusPurpose": "message",
                             "statusSize": 2}),
        "does not revoke or suspend it", "no la revoca ni la suspende"),
    # ----------------------------------------------------------------- issuer trust
    # a genuine signature is not enough: an issuer no list names is never "verified" (#14)
    "a verifier with no list of known issuers": Row(
        ("issuer_trust", W, "unknown_issuer"), Verdict.UNKNOWN_ISSUER, lambda m: m.signed(),
        "has no list of known issuers", "no figura en las listas", roles=("top",),
        registry=lambda m: TrustRegistry()),
    "a known issuer": Row(
        ("issuer_trust", P, "known_issuer"), Verdict.VERIFIED, lambda m: m.signed(),
        "The issuer is known: ", "El emisor es conocido: ",
        registry=lambda m: TrustRegistry(issuers={
            m.issuer.id: "Lakeside Unified School District",
            m.host.id: "Lakeside Unified School District"})),
    "an issuer nobody listed": Row(
        ("issuer_trust", W, "unknown_issuer"), Verdict.UNKNOWN_ISSUER, lambda m: m.signed(),
        "is not on this verifier's lists of known issuers", "no figura en las listas",
        registry=lambda m: listing(m, {"did:web:shelbyville.example": "Shelbyville Schools"})),
    "a look-alike of a listed name": Row(
        ("issuer_trust", F, "issuer_impersonation"), Verdict.IMPERSONATION,
        lambda m: m.sign(m.credential() | {"issuer": {
            **m.issuer.profile(), "name": m.issuer.name.replace("o", "\u03bf")}}),  # Greek o
        "claims the name", "dice venir de una organización conocida",
        registry=lambda m: listing(m, {"did:web:elsewhere.example": m.issuer.name})),
    "a listed web address its owner does not link": Row(
        ("issuer_trust", F, "issuer_impersonation"), Verdict.IMPERSONATION,
        lambda m: claiming_web_address(m, links=False),
        "claims the web address", "dice venir de una organización conocida",
        registry=lambda m: listing(m, domains={"127.0.0.1": "Lakeside Unified School District"})),
    "a listed web address that names its signer": Row(
        ("issuer_trust", P, "known_issuer"), Verdict.VERIFIED,
        lambda m: claiming_web_address(m, links=True),
        "which names it", "El emisor es conocido",
        registry=lambda m: listing(m, domains={"127.0.0.1": "Lakeside Unified School District"})),
    "a listed web address that cannot be asked": Row(
        ("issuer_trust", IND, "issuer_link_unchecked"), Verdict.UNCONFIRMED,
        lambda m: m.sign(m.credential() | {"issuer": {
            **m.issuer.profile(), "url": "https://district.invalid"}}),
        "could not be asked", "no se pudo comprobar si esa dirección",
        registry=lambda m: listing(m, domains={"district.invalid": "Lakeside"})),
    "a listed issuer's name under another identity": Row(
        ("issuer_trust", F, "issuer_impersonation"), Verdict.IMPERSONATION,
        lambda m: m.signed(), "claims the name", "dice venir de una organización conocida",
        registry=lambda m: listing(m, {"did:web:elsewhere.example": m.issuer.name})),
    "a listed name, spaced and cased differently": Row(
        ("issuer_trust", F, "issuer_impersonation"), Verdict.IMPERSONATION,
        lambda m: m.sign(m.credential() | {"issuer": {**m.issuer.profile(),
                                                       "name": f" {m.issuer.name.upper()} "}}),
        "claims the name", "dice venir de una organización conocida",
        registry=lambda m: listing(m, domains={"elsewhere.example": m.issuer.name})),
    # ----------------------------------------------------------------- endorsements
    "no endorsements": Row(
        ("endorsements", S, "no_endorsements"), Verdict.VERIFIED, lambda m: m.signed(),
        "carries no endorsements", "no incluye avales"),
    "an endorsement that carries its own": Row(
        ("endorsements", S, "nested_endorsements"), Verdict.VERIFIED,
        lambda m: with_endorsement(m, lambda mm, e: endorsement_about(mm, e, m.issuer.id)),
        "Endorsements of endorsements are not checked", "No se comprueban los avales de los",
        roles=("endorsement",)),
    "an endorsement about another district": Row(
        ("endorsements", F, "endorsement_subject_mismatch"), Verdict.INVALID,
        lambda m: with_endorsement(m, lambda mm, e: endorsement_about(
            mm, e, "did:web:shelbyville.example")),
        "is about did:web:shelbyville.example", "se refiere a did:web:shelbyville.example",
        roles=("top",)),
    # ----------------------------------------------------------------- Open Badges 2.0
    "an OB 2.0 hosted badge": _ob2_row(
        ("proof", P, "ob2_hosted_confirmed"), Verdict.VERIFIED, lambda i: i.assertion(),
        "has no digital signature", "no tiene firma digital",
        also=(("format", P, "ob2_json"), ("schema", P, "ob2_assertion_valid"),
              ("context", P, "ob2_context_valid"), ("key_binding", P, "ob2_issuer_confirmed"),
              ("status", P, "ob2_not_revoked"),
              ("endorsements", S, "ob2_endorsements_unchecked"))),
    "an OB 2.0 signed badge": _ob2_row(
        ("proof", P, "ob2_signature_valid"), Verdict.VERIFIED,
        lambda i: i.sign(i.assertion("1", signed=True)), "digital signature matches",
        "su firma digital coincide",
        also=(("format", P, "ob2_jws"), ("key_binding", P, "ob2_key_owned"))),
    "an OB 2.0 baked PNG": _ob2_row(
        ("format", P, "ob2_png"), Verdict.VERIFIED,
        lambda i: bake_png(i.assertion()["id"]), "from a baked PNG badge",
        "de una imagen PNG de insignia", image=True),
    "an OB 2.0 baked SVG": _ob2_row(
        ("format", P, "ob2_svg"), Verdict.VERIFIED,
        lambda i: bake_svg(verify=i.sign(i.assertion("1", signed=True))),
        "from a baked SVG badge", "de una imagen SVG de insignia", image=True),
    "an OB 2.0 baked PNG carrying no assertion": _ob2_row(
        ("format", F, "ob2_baked_unreadable"), Verdict.UNREADABLE,
        lambda i: bake_png("plain words"), "neither an assertion", "no es una aserción",
        image=True, also=UNREAD),
    "an incomplete OB 2.0 assertion": _ob2_row(
        ("schema", F, "ob2_assertion_invalid"), Verdict.INVALID,
        lambda i: i.assertion(recipient="maria"), "is incomplete", "está incompleta"),
    "an OB 2.0 assertion with another context": _ob2_row(
        ("context", F, "ob2_context_invalid"), Verdict.INVALID,
        lambda i: i.assertion(**{"@context": "https://example.org/v1"}),
        "is not the Open Badges 2.0 context", "no es el de Open Badges 2.0"),
    "an OB 2.0 hosted badge checked offline": _ob2_row(
        ("proof", IND, "ob2_hosted_unchecked_offline"), Verdict.UNCONFIRMED,
        lambda i: i.assertion(), "offline check cannot", "sin conexión no puede hacerlo",
        offline=True, also=NO_PROOF),
    "an OB 2.0 baked link that leads nowhere": _ob2_row(
        ("proof", IND, "ob2_hosted_unreachable"), Verdict.UNCONFIRMED,
        lambda i: bake_png(f"{i.base}/assertions/missing.json"), "could not be asked",
        "No se pudo preguntar", image=True,
        also=(("schema", S, "ob2_hosted_not_read"), ("context", S, "ob2_hosted_not_read"))),
    "an OB 2.0 assertion that says no way to verify it": _ob2_row(
        ("proof", F, "ob2_verification_invalid"), Verdict.INVALID,
        lambda i: i.assertion(verification={"type": "magic"}), "does not say how to verify it",
        "no indica cómo verificarla"),
    "an OB 2.0 address that publishes another badge": _ob2_row(
        ("proof", F, "ob2_hosted_id_mismatch"), Verdict.FORGED, _hosted_elsewhere,
        "has another id", "tiene otro identificador"),
    "a changed copy of an OB 2.0 hosted badge": _ob2_row(
        ("proof", F, "ob2_hosted_mismatch"), Verdict.FORGED, _hosted_copy_changed,
        "differs from the one the issuer's server publishes", "no coincide con la que publica"),
    "an OB 2.0 signed assertion without its signature": _ob2_row(
        ("proof", F, "ob2_signature_missing"), Verdict.INVALID,
        lambda i: i.assertion("1", signed=True), "came without its signature",
        "llegó sin su firma"),
    "an OB 2.0 JWS with a broken header": _ob2_row(
        ("proof", F, "ob2_jws_malformed"), Verdict.INVALID, _broken_header,
        "header is not JSON", "está mal formada"),
    "an OB 2.0 key that is not PEM": _ob2_row(
        ("proof", F, "ob2_key_invalid"), Verdict.INVALID,
        lambda i: _changed(i, i.key_id, publicKeyPem="nope").sign(
            i.assertion("1", signed=True)), "is not a PEM public key",
        "No se pudo leer la clave"),
    "a tampered OB 2.0 signed badge": _ob2_row(
        ("proof", F, "ob2_signature_invalid"), Verdict.FORGED, _tampered,
        "does not match the badge", "no coincide con la insignia"),
    "an OB 2.0 signed badge by a stranger's key": _ob2_row(
        ("proof", F, "ob2_signature_invalid"), Verdict.FORGED,
        lambda i: i.sign(i.assertion("1", signed=True), key=rsa_key("stranger")),
        "signed with another key", "se firmó con otra clave"),
    "an OB 2.0 key that is not there": _ob2_row(
        ("proof", IND, "ob2_key_unreachable"), Verdict.UNCONFIRMED,
        lambda i: i.sign(i.assertion("1", signed=True, verification={
            "type": "signed", "creator": f"{i.base}/keys/gone.json"})),
        "key could not be read", "No se pudo leer la clave del emisor"),
    "an OB 2.0 badge class that is elsewhere": _ob2_row(
        ("key_binding", F, "ob2_badge_mismatch"), Verdict.INVALID,
        lambda i: _changed(i, i.badge_id, id=f"{i.base}/badges/x.json").assertion(),
        "is not at its address", "no está en la dirección"),
    "an OB 2.0 issuer profile of another kind": _ob2_row(
        ("key_binding", F, "ob2_issuer_mismatch"), Verdict.INVALID,
        lambda i: _changed(i, i.issuer_id, type="BadgeClass").assertion(),
        "is not at its address", "El perfil del emisor no está"),
    "an OB 2.0 badge hosted where its issuer does not allow": _ob2_row(
        ("key_binding", F, "ob2_hosted_origin_mismatch"), Verdict.FORGED,
        lambda i: _changed(i, i.issuer_id, verification={
            "allowedOrigins": ["badges.lakeside.example.org"]}).assertion(),
        "does not allow", "no admite"),
    "an OB 2.0 key of another owner": _ob2_row(
        ("key_binding", F, "ob2_key_not_issuers"), Verdict.FORGED,
        lambda i: _changed(i, i.key_id, owner=f"{i.base}/other.json").sign(
            i.assertion("1", signed=True)),
        "does not belong to the issuer", "no pertenece al emisor"),
    "an OB 2.0 badge class that is not there": _ob2_row(
        ("key_binding", IND, "ob2_badge_unreachable"), Verdict.UNCONFIRMED,
        lambda i: i.assertion(badge=f"{i.base}/badges/gone.json"),
        "badge class could not be read", "No se pudo leer la descripción"),
    "an OB 2.0 issuer profile that is not there": _ob2_row(
        ("key_binding", IND, "ob2_issuer_unreachable"), Verdict.UNCONFIRMED,
        lambda i: _changed(i, i.badge_id, issuer=f"{i.base}/gone.json").assertion(),
        "issuer profile could not be read", "No se pudo leer el perfil del emisor"),
    "a revoked OB 2.0 hosted badge": _ob2_row(
        ("status", F, "ob2_revoked"), Verdict.REVOKED, _revoked_flag,
        "has revoked this badge", "ha revocado esta insignia"),
    "an OB 2.0 revocation list that is not there": _ob2_row(
        ("status", IND, "ob2_revocation_list_unreachable"), Verdict.UNCONFIRMED,
        _without_list, "revocation list could not be read",
        "No se pudo leer la lista de revocación"),
    "a malformed OB 2.0 revocation list": _ob2_row(
        ("status", IND, "ob2_revocation_list_invalid"), Verdict.UNCONFIRMED,
        lambda i: _changed(i, i.revocation_id, revokedAssertions="none").sign(
            i.assertion("1", signed=True)),
        "revocation list is malformed", "está mal formada"),
    "an OB 2.0 badge of the person named": _ob2_row(
        ("recipient", P, "ob2_recipient_match"), Verdict.VERIFIED, lambda i: i.assertion(),
        "awarded to the person you named", "se otorgó a la persona que usted indicó",
        recipient=EMAIL),
    "an OB 2.0 badge of someone else": _ob2_row(
        ("recipient", F, "ob2_recipient_mismatch"), Verdict.INVALID, lambda i: i.assertion(),
        "was not awarded to the person you named", "no se otorgó a la persona",
        recipient="someone@else.example"),
    "an OB 2.0 recipient hashed an unknown way": _ob2_row(
        ("recipient", F, "ob2_recipient_unreadable"), Verdict.INVALID,
        lambda i: i.assertion(recipient={"type": "email", "hashed": True,
                                         "identity": "sha1$abc"}),
        "hashed in a way", "No se puede leer a quién", recipient=EMAIL),
    "an OB 2.0 issuer on no list": _ob2_row(
        ("issuer_trust", W, "unknown_issuer"), Verdict.UNKNOWN_ISSUER, lambda i: i.assertion(),
        "issuer's server vouches for this badge", "El servidor del emisor respalda",
        registry=lambda m: listing(m)),
}

for _name, _row in ROWS.items():
    object.__setattr__(_row, "name", _name)


def tampered_list_entry(m: Maker) -> dict[str, Any]:
    """A revocation entry whose list (bit 7 set, signed) was cleared after signing."""
    from badges import status_list

    entry = m.status_entry("revocation", (7,))
    path = entry["statusListCredential"].removeprefix(m.world.docs.base)
    listing = json.loads(m.world.docs.routes[path].body)
    listing["credentialSubject"]["encodedList"] = status_list.encode_list(
        status_list.Bitstring())
    m.world.docs.json(path, listing)
    return entry


def foreign_list_entry(m: Maker) -> dict[str, Any]:
    other = m.world.issuer("Shelbyville Schools")
    return entry_for(m.world.status_list(other, "revocation"))


#: Results that no input reaches through the service, each tested on its own.
GUARDS = {
    "input_too_complex": "any check's guard against inputs that exhaust the stack or memory; "
                         "the intake bounds size and depth first (tested in "
                         "tests/badges/test_verdict.py)",
}
