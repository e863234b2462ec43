"""POST /api/v1/verify: every input form, the report shape, receipts, the OpenAPI document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image

from badges import baking
from badges import keys
from badges.jwt import sign_jwt
from issuer.cli import main as cli
from tests.conftest import load_json
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from verifier.receipts import check_receipt

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "verifier" / "openapi.json")
                     .read_text("utf-8"))


def assert_report(payload: dict[str, Any]) -> None:
    """The payload matches the OpenAPI ``Report`` schema."""
    schema = {**OPENAPI["components"]["schemas"]["Report"],
              "$defs": OPENAPI["components"]["schemas"]}
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    jsonschema.Draft202012Validator(json.loads(text)).validate(payload)


def qr_png(text: str, scale: int = 6) -> bytes:
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    image = code.to_image(scale=scale)
    height, width = image.shape
    picture = Image.frombytes("L", (width, height), bytes(memoryview(image)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def signed(issuer: DidWebIssuer) -> dict[str, Any]:
    return issuer.sign(issuer.credential())


def test_json_credential_from_a_did_web_issuer_verifies(client: Any, signed: dict[str, Any],
                                                        network_guard: list[Any]) -> None:
    answer = client.post("/api/v1/verify", json=signed)
    assert answer.status_code == 200
    payload = answer.get_json()
    assert_report(payload)
    assert payload["verified"] is True and payload["verdict"] == "verified", payload
    assert [c["id"] for c in payload["checks"]][:5] == ["format", "schema", "context", "proof",
                                                        "key_binding"]
    assert payload["summary"]["issuer"] == "Lakeside Unified School District"
    assert payload["summary"]["achievement"]
    assert payload["input"]["source"] == "api" and len(payload["input"]["sha256"]) == 64
    assert network_guard == []


def test_jwt_as_text_plain_verifies(client: Any) -> None:
    key = keys.generate("p256")
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Demo District"}
    token = sign_jwt(cred, key=key)
    payload = client.post("/api/v1/verify", data=token, content_type="text/plain").get_json()
    assert payload["format"] == "jwt", payload
    assert_report(payload)
    # genuine, but a did:key is on nobody's list: never "verified" (issue #14)
    assert payload["verified"] is False and payload["verdict"] == "unknown_issuer"
    trust = next(c for c in payload["checks"] if c["id"] == "issuer_trust")
    assert trust["outcome"] == "warning" and trust["detail"]["issuer"] == key.controller
    assert all(c["outcome"] == "passed" for c in payload["checks"]
               if c["id"] in ("proof", "key_binding", "validity_period"))


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_baked_images_as_multipart_and_raw_bodies(client: Any, signed: dict[str, Any],
                                                  kind: str) -> None:
    image = blank_png() if kind == "png" else b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    baked = baking.bake(image, json.dumps(signed))
    multipart = client.post("/api/v1/verify", data={"file": (io.BytesIO(baked), f"b.{kind}")},
                            content_type="multipart/form-data").get_json()
    assert multipart["verified"] is True, multipart
    assert multipart["checks"][0]["code"] == kind
    assert multipart["input"] == {**multipart["input"], "source": "upload",
                                  "filename": f"b.{kind}"}
    mime = "image/png" if kind == "png" else "image/svg+xml"
    raw = client.post("/api/v1/verify", data=baked, content_type=mime).get_json()
    assert raw["verified"] is True, raw


def test_a_link_is_fetched_with_content_negotiation(client: Any, signed: dict[str, Any],
                                                    documents: Documents) -> None:
    url = documents.json("/c/abc.json", signed, "application/vc+ld+json")
    payload = client.post("/api/v1/verify", data=url, content_type="text/plain").get_json()
    assert payload["verified"] is True, payload
    assert payload["input"]["source"] == "url" and payload["input"]["url"] == url


def test_a_share_page_is_followed_to_its_credential(client: Any, signed: dict[str, Any],
                                                    documents: Documents) -> None:
    documents.json("/c/xyz.json", signed, "application/vc+ld+json")
    page = (b'<!doctype html><html><head><link rel="alternate" type="application/vc+ld+json" '
            b'href="/c/xyz.json"></head><body><h1>A badge</h1></body></html>')
    url = documents.raw("/c/xyz", page, "text/html; charset=utf-8")
    payload = client.post("/api/v1/verify", data=url, content_type="text/plain").get_json()
    assert payload["verified"] is True, payload
    assert payload["input"]["url"] == documents.base + "/c/xyz.json"
    # a page with only a download link works too; one that names nothing is refused
    documents.raw("/c/dl", b'<a href="/c/xyz.json" download>JSON</a>', "text/html")
    answer = client.post("/api/v1/verify", data=documents.base + "/c/dl",
                         content_type="text/plain").get_json()
    assert answer["verified"] is True
    documents.raw("/c/none", b"<p>nothing here</p>", "text/html")
    answer = client.post("/api/v1/verify", data=documents.base + "/c/none",
                         content_type="text/plain")
    assert answer.status_code == 422
    assert answer.get_json()["checks"][0]["code"] == "link_not_credential"


def test_a_qr_code_picture_is_decoded_and_its_link_followed(client: Any, signed: dict[str, Any],
                                                           documents: Documents) -> None:
    url = documents.json("/c/qr.json", signed)
    picture = qr_png(url)
    for field_name in ("qr", "file"):
        payload = client.post("/api/v1/verify",
                              data={field_name: (io.BytesIO(picture), "photo.png")},
                              content_type="multipart/form-data").get_json()
        assert payload["verified"] is True, payload
        assert payload["input"]["source"] == "qr" and payload["input"]["url"] == url
    empty = client.post("/api/v1/verify", data={"qr": (io.BytesIO(blank_png()), "x.png")},
                        content_type="multipart/form-data")
    assert empty.status_code == 422
    assert empty.get_json()["checks"][0]["code"] == "no_qr_code"


def test_receipt_is_signed_and_checkable(client: Any, signed: dict[str, Any]) -> None:
    payload = client.post("/api/v1/verify?receipt=true&requested_by=Ana%20(HR)",
                          json=signed).get_json()
    receipt = payload["receipt"]
    assert_report(payload)
    subject = receipt["credentialSubject"]
    assert subject["result"] == "verified" and subject["verified"] is True
    assert subject["input"]["sha256"] == payload["input"]["sha256"]
    assert subject["requestedBy"] == "Ana (HR)"
    assert {c["check"] for c in subject["checks"]} >= {"proof", "key_binding", "status"}
    assert check_receipt(receipt).verified
    about = client.get("/api/v1/verifier").get_json()
    assert receipt["issuer"]["id"] == about["id"] and about["id"].startswith("did:key:")
    checked = client.post("/api/v1/receipts/verify", json=receipt).get_json()
    assert checked["verified"] is True and checked["issued_by_this_verifier"] is True
    # any change to what was recorded breaks the signature
    for path, value in ((("credentialSubject", "result"), "forged"),
                        (("credentialSubject", "verifiedAt"), "2020-01-01T00:00:00Z"),
                        (("credentialSubject", "input", "sha256"), "0" * 64)):
        forged = json.loads(json.dumps(receipt))
        node = forged
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        assert not check_receipt(forged).verified, path
    forged = json.loads(json.dumps(receipt))
    forged["credentialSubject"]["checks"][3]["outcome"] = "failed"
    assert client.post("/api/v1/receipts/verify", json=forged).get_json()["verified"] is False


def test_openapi_document_is_served_and_describes_the_api(client: Any) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.get_json() == OPENAPI
    assert OPENAPI["openapi"].startswith("3.1")
    operation = OPENAPI["paths"]["/api/v1/verify"]["post"]
    assert set(operation["requestBody"]["content"]) >= {
        "application/json", "text/plain", "multipart/form-data"}
    assert set(operation["responses"]) == {"200", "413", "422"}


def test_cli_json_is_the_same_report_object(signed: dict[str, Any], client: Any,
                                            tmp_path: Path, issuer: DidWebIssuer) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(signed), "utf-8")
    known = str(tmp_path / "known-issuers.json")  # the list the client's verifier uses
    result = CliRunner().invoke(cli, ["verify", "--json", "--dev", "--registry", known,
                                      str(path)])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    from_api = client.post("/api/v1/verify", data=path.read_bytes(),
                           content_type="application/json").get_json()
    from_api.pop("input")
    assert from_cli == from_api
    # and a link on the command line is fetched like the API fetches it
    url = issuer.docs.json("/c/cli.json", signed)
    result = CliRunner().invoke(cli, ["verify", "--json", "--dev", "--registry", known, url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input"]["url"] == url


def test_cors_and_security_headers(client: Any, signed: dict[str, Any]) -> None:
    answer = client.post("/api/v1/verify", json=signed)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    preflight = client.options("/api/v1/verify")
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
