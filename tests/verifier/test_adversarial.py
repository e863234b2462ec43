"""The issue's adversarial cases: each gives the right failing check and code, none a 500.

Every case goes through ``POST /api/v1/verify`` (and a few through the page),
against documents served on loopback by the test. ``network_guard`` fails any
connection to a non-loopback address: private addresses are refused before
anything is sent.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from badges import keys
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from tests.verifier.conftest import did_document
from tests.verifier.conftest import multipart as _multipart
from tests.verifier.pdfs import pdf_bomb
from tests.verifier.pdfs import pdf_with_attachment


def _post(client: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    answer = client.post("/api/v1/verify", **kwargs)
    assert answer.status_code != 500
    return answer.status_code, answer.get_json()


def _check(payload: dict[str, Any], check_id: str) -> tuple[str, str]:
    found = next(c for c in payload["checks"] if c["id"] == check_id)
    return found["outcome"], found["code"]


# --------------------------------------------------------------------------- keys and content


def test_resigned_with_a_key_only_asserted_inside_the_credential(
        client: Any, issuer: DidWebIssuer, network_guard: list[Any]) -> None:
    # the 1EdTech form: the key is named issuer#<its own multibase>, so the proof
    # "resolves" from the credential itself; the issuer's document never lists it
    rogue = keys.generate("ed25519").with_controller(issuer.did)
    status, payload = _post(client, json=issuer.sign(issuer.credential(), key=rogue))
    assert status == 200
    assert _check(payload, "proof") == ("passed", "signature_valid")
    assert _check(payload, "key_binding") == ("failed", "key_not_published")
    assert payload["verified"] is False and payload["verdict"] == "forged"
    assert network_guard == []


def test_resigned_with_a_named_key_the_did_document_does_not_list(
        client: Any, issuer: DidWebIssuer) -> None:
    rogue = keys.generate("ed25519").with_controller(issuer.did, f"{issuer.did}#ed-2")
    _, payload = _post(client, json=issuer.sign(issuer.credential(), key=rogue))
    assert _check(payload, "proof") == ("failed", "key_not_in_controller_document")
    assert payload["verdict"] == "invalid" and payload["verified"] is False


def test_resigned_under_the_published_key_id_with_another_key(
        client: Any, issuer: DidWebIssuer) -> None:
    rogue = keys.generate("ed25519").with_controller(issuer.did, issuer.key.id)
    _, payload = _post(client, json=issuer.sign(issuer.credential(), key=rogue))
    assert _check(payload, "proof") == ("failed", "signature_invalid")
    assert payload["verdict"] == "forged"


def test_issuer_name_changed_after_signing(client: Any, issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    signed["issuer"]["name"] = "Famous State University"
    _, payload = _post(client, json=signed)
    assert _check(payload, "proof") == ("failed", "signature_invalid")
    assert _check(payload, "key_binding")[0] == "skipped"
    assert payload["verdict"] == "forged"


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize("purpose,word", [("revocation", "revoked"),
                                          ("suspension", "suspended")])
def test_revoked_and_suspended(client: Any, issuer: DidWebIssuer, purpose: str,
                               word: str) -> None:
    url = issuer.status_list(purpose, set_bits=(7,))
    hit = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(url, purpose, 7)))
    _, payload = _post(client, json=hit)
    assert _check(payload, "status") == ("failed", word)
    assert payload["verdict"] == word and payload["verified"] is False
    clear = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(url, purpose, 8)))
    _, payload = _post(client, json=clear)
    assert _check(payload, "status") == ("passed", f"not_{word}")
    assert payload["verified"] is True


def test_unreachable_status_list_is_indeterminate_never_not_revoked(
        client: Any, issuer: DidWebIssuer, documents: Documents) -> None:
    missing = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        documents.base + "/status/revocation/404", "revocation", 1)))
    _, payload = _post(client, json=missing)
    assert _check(payload, "status") == ("indeterminate", "status_list_unreachable")
    assert payload["verified"] is False and payload["verdict"] == "unconfirmed"
    # a port nobody listens on
    closed = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        "http://127.0.0.1:9/status/revocation/1", "revocation", 1)))
    _, payload = _post(client, json=closed)
    assert _check(payload, "status") == ("indeterminate", "status_list_unreachable")


def test_status_list_whose_own_signature_is_bad(client: Any, issuer: DidWebIssuer) -> None:
    url = issuer.status_list("revocation", set_bits=(5,), tamper=True)
    cred = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        url, "revocation", 5)))
    _, payload = _post(client, json=cred)
    assert _check(payload, "status") == ("indeterminate", "status_list_signature_invalid")
    assert payload["verified"] is False and payload["verdict"] == "unconfirmed"


def test_status_list_signed_by_someone_else(client: Any, issuer: DidWebIssuer,
                                            documents: Documents) -> None:
    other = keys.generate("ed25519")
    url = documents.base + "/status/revocation/other"
    impostor = DidWebIssuer(documents, other, other.controller)
    impostor.status_list("revocation", path="/status/revocation/other")
    cred = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        url, "revocation", 5)))
    _, payload = _post(client, json=cred)
    assert _check(payload, "status") == ("indeterminate", "status_list_issuer_mismatch")


# --------------------------------------------------------------------------- dates


def test_expired_is_a_genuine_record_that_has_expired(client: Any,
                                                      issuer: DidWebIssuer) -> None:
    cred = issuer.sign(issuer.credential(validFrom="2020-01-01T00:00:00Z",
                                         validUntil="2021-01-01T00:00:00Z"))
    _, payload = _post(client, json=cred)
    assert _check(payload, "validity_period") == ("failed", "expired")
    assert _check(payload, "proof") == ("passed", "signature_valid")
    assert _check(payload, "key_binding") == ("passed", "key_published")
    assert payload["verdict"] == "expired" and payload["verified"] is False
    page = client.post("/verify", data={"credential": json.dumps(cred)},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "A genuine record that has expired" in page
    assert "Not genuine" not in page


# --------------------------------------------------------------------------- SSRF


def test_did_web_at_a_private_address_is_refused_before_connecting(
        verifier_app: Callable[..., Flask], issuer: DidWebIssuer,
        network_guard: list[Any]) -> None:
    client = verifier_app(env="production").test_client()
    for did in ("did:web:10.0.0.1", "did:web:169.254.169.254:latest",
                f"did:web:localhost%3A{issuer.docs.port}:issuers:lakeside"):
        key = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
        cred = issuer.credential()
        cred["issuer"]["id"] = did
        _, payload = _post(client, json=issuer.sign(cred, key=key))
        # refused before connecting; a refusal by policy is "could not be fully checked",
        # never "forged" or "invalid" (issue #13)
        assert _check(payload, "proof") == ("indeterminate", "address_not_allowed"), did
        assert payload["verified"] is False and payload["verdict"] == "unconfirmed"
    assert network_guard == []
    assert issuer.docs.hits == []  # not even loopback was contacted


def test_a_link_that_redirects_to_a_private_address(client: Any, documents: Documents,
                                                    network_guard: list[Any]) -> None:
    for target in ("https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/c.json",
                   "https://[fd00::1]/c.json"):
        url = documents.redirect("/c/moved", target)
        status, payload = _post(client, data=url, content_type="text/plain")
        assert status == 422
        assert _check(payload, "format") == ("failed", "address_not_allowed"), target
        assert payload["verdict"] == "unreadable"
    # and a status list URL that redirects there is indeterminate, not "not revoked"
    assert network_guard == []


def test_status_list_redirecting_to_a_private_address(client: Any, issuer: DidWebIssuer,
                                                      network_guard: list[Any]) -> None:
    url = issuer.docs.redirect("/status/revocation/9", "https://192.168.1.10/list")
    cred = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        url, "revocation", 1)))
    _, payload = _post(client, json=cred)
    assert _check(payload, "status") == ("indeterminate", "status_list_unreachable")
    assert network_guard == []


def test_production_fetches_only_https(verifier_app: Callable[..., Flask],
                                       documents: Documents, network_guard: list[Any]) -> None:
    client = verifier_app(env="production").test_client()
    status, payload = _post(client, data=documents.base + "/c/x.json", content_type="text/plain")
    assert status == 422 and _check(payload, "format") == ("failed", "scheme_not_allowed")
    for link in ("ftp://example.org/x", "file:///etc/passwd", "gopher://127.0.0.1:70/"):
        status, payload = _post(client, data=link, content_type="text/plain")
        assert payload["verified"] is False
    assert documents.hits == [] and network_guard == []


# --------------------------------------------------------------------------- size and bombs


def test_a_20_mb_upload_is_refused(client: Any) -> None:
    big = b"{" + b" " * (20 * 1024 * 1024) + b"}"
    status, payload = _post(client, data=big, content_type="application/json")
    assert status == 413 and _check(payload, "format") == ("failed", "input_too_large")
    status, payload = _post(client, **_multipart({"file": (io.BytesIO(big), "big.json")}))
    assert status == 413 and _check(payload, "format") == ("failed", "input_too_large")
    page = client.post("/verify", **_multipart({"file": (io.BytesIO(big), "big.json")}))
    assert page.status_code == 413 and "No credential could be read" in page.get_data(True)


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG that declares width x height pixels of compressed zeros."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    stream = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(stream.compress(row) for _ in range(200)) + stream.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_png_is_refused_from_its_header(client: Any) -> None:
    bomb = png_bomb()
    assert len(bomb) < 200_000
    for field_name in ("qr", "file"):
        status, payload = _post(client, data={field_name: (io.BytesIO(bomb), "bomb.png")},
                                content_type="multipart/form-data")
        assert status == 422
        assert _check(payload, "format") == ("failed", "image_too_large"), field_name
    status, payload = _post(client, data=bomb, content_type="image/png")
    assert _check(payload, "format") == ("failed", "image_too_large")


def test_a_baked_png_with_a_compressed_credential_chunk_is_refused(client: Any,
                                                                   issuer: DidWebIssuer) -> None:
    text = json.dumps(issuer.sign(issuer.credential())).encode()
    itxt = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(text * 200)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
           + chunk(b"iTXt", itxt) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
           + chunk(b"IEND", b""))
    _, payload = _post(client, data={"file": (io.BytesIO(png), "b.png")},
                       content_type="multipart/form-data")
    assert _check(payload, "format") == ("failed", "malformed_image")


def test_a_decompression_bomb_pdf_is_refused(client: Any) -> None:
    bomb = pdf_bomb(256)
    assert len(bomb) < 1_000_000
    for kwargs in ({"data": bomb, "content_type": "application/pdf"},
                   _multipart({"file": (io.BytesIO(bomb), "certificate.pdf")})):
        status, payload = _post(client, **kwargs)
        # inflation is capped by the PDF reader (badges/pdf.py) at the credential limit
        assert status == 413 and payload["verified"] is False
        assert _check(payload, "format") == ("failed", "input_too_large")


def test_a_pdf_certificate_verifies(client: Any, issuer: DidWebIssuer) -> None:
    signed = json.dumps(issuer.sign(issuer.credential())).encode()
    pdf = pdf_with_attachment(signed, compress=True)
    status, payload = _post(client, **_multipart({"file": (io.BytesIO(pdf), "cert.pdf")}))
    assert status == 200 and payload["verified"] is True, payload
    assert _check(payload, "format") == ("passed", "pdf")


def test_hostile_did_documents_give_no_500(client: Any, issuer: DidWebIssuer,
                                           documents: Documents) -> None:
    signed = issuer.sign(issuer.credential())
    for body in (b"not json", b"[]", b'{"id": 5, "verificationMethod": "x"}',
                 json.dumps(did_document(issuer.did, (issuer.key.id, "zBadKey"))).encode(),
                 b"{" * 100_000):
        documents.raw("/issuers/lakeside/did.json", body, "application/json")
        client.application.extensions["verifier"].verifier.fetcher.clear()
        status, payload = _post(client, json=signed)
        assert status == 200 and payload["verified"] is False, body[:40]
