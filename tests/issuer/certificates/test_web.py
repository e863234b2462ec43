"""Certificates over HTTP: the download, districts' templates, and the verifier's upload."""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from badges import pdf
from issuer.certificates.templates import builtin
from issuer.cli import main
from issuer.cli.context import CliContext
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from issuer.services.issuance import share_url
from tests.issuer import seed
from tests.issuer.certificates.conftest import decode_qr
from tests.issuer.certificates.conftest import page_count_and_size
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.certificates.conftest import tamper
from tests.issuer.certificates.conftest import text_layer
from tests.issuer.conftest import NOW
from tests.issuer.conftest import LiveServer

TOKEN = "certificates-token-lakeside"
OTHER_TOKEN = "certificates-token-elsewhere"


def _setup(app: Flask) -> IssuerContext:
    return seed.districts_with_tokens(app, TOKEN, OTHER_TOKEN)


def _issue(app: Flask, ctx: IssuerContext, name: str = "María López",
           now: object = NOW) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        return issuance.award(session, ctx, issuer="lakeside",
                              achievement="blended-learning-design",
                              email="maria@lakeside.example.org", name=name, actor="test",
                              now=now)  # type: ignore[arg-type]


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_share_page_offers_the_certificate_and_it_downloads(app: Flask,
                                                                 client: FlaskClient) -> None:
    ctx = _setup(app)
    issued = _issue(app, ctx)
    path = f"/c/{issued.share_token}"
    page = client.get(path, headers={"Accept": "text/html"}).data.decode()
    assert f'href="{share_url(ctx.base_url, issued)}.pdf"' in page
    assert "Certificate (PDF)" in page
    response = client.get(f"{path}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'filename="Blended Learning Design - Maria Lopez - certificate.pdf"' in \
        response.headers["Content-Disposition"]
    (attached,) = pdf.read_pdf(response.data).attachments
    assert attached.data.decode() == issued.document
    assert decode_qr(rasterize(response.data)) == [share_url(ctx.base_url, issued)]
    a4 = client.get(f"{path}.pdf?paper=a4")
    assert page_count_and_size(a4.data) == (1, "841.89 x 595.276 pts (A4)")
    wrong = client.get(f"{path}.pdf?paper=b5")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "invalid_paper"
    assert client.get("/c/not-a-token.pdf").status_code == 404
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, issued.id)
        assert row is not None
        row.share_enabled = False
    assert client.get(f"{path}.pdf").status_code == 410


def _files(**changes: bytes) -> list[tuple[io.BytesIO, str]]:
    files = {p.name: p.read_bytes() for p in builtin().iterdir()}
    files["template.json"] = json.dumps({"title": "Lakeside purple", "colour": "#6a1b9a",
                                         "signatory": {"name": "Dr. Angela Reyes",
                                                       "title": "Superintendent"}}).encode()
    files.update(changes)
    return [(io.BytesIO(data), name) for name, data in files.items()]


def test_districts_upload_preview_and_remove_templates(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    base = "/api/v1/issuers/lakeside/certificate-templates"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.put(f"{base}/purple", data={"files": _files()}).status_code == 401
    assert client.put(f"{base}/purple", data={"files": _files()},
                      headers={"Authorization": f"Bearer {OTHER_TOKEN}"}).status_code == 403
    broken = client.put(f"{base}/purple", headers=auth, data={"files": _files(**{
        "certificate.css": b"@import url(https://fonts.example.com/x.css);"})})
    assert broken.status_code == 422
    error = broken.get_json()["error"]
    assert error["code"] == "template_asset_refused"
    assert "https://fonts.example.com/x.css" in error["message"]
    uploaded = client.put(f"{base}/purple", headers=auth, data={"files": _files()})
    assert uploaded.status_code == 201, uploaded.get_json()
    assert uploaded.get_json()["title"] == "Lakeside purple"
    listed = client.get(base, headers=auth).get_json()
    assert listed == {"templates": ["purple"], "builtin": ["default"]}
    preview = client.get(f"{base}/purple/preview.pdf?paper=a4", headers=auth)
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    text = " ".join(text_layer(preview.data).split())
    assert "Jordan Avery Sample" in text and "Superintendent" in text
    assert client.get(f"{base}/default/preview.pdf", headers=auth).status_code == 200
    assert client.delete(f"{base}/purple", headers=auth).status_code == 204
    gone = client.get(f"{base}/purple/preview.pdf", headers=auth)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "template_not_found"
    assert client.get(f"{base}/Bad..Name/preview.pdf", headers=auth).status_code == 422


def test_the_verifier_and_badges_verify_accept_a_downloaded_certificate(
        live_server: LiveServer, tmp_path: Path) -> None:
    ctx = _setup(live_server.app)
    clock = live_server.app.extensions["badges"]["settings"].clock
    issued = _issue(live_server.app, ctx, now=clock())
    url = f"{share_url(live_server.base_url, issued)}.pdf"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
        document = response.read()
    assert decode_qr(rasterize(document)) == [share_url(live_server.base_url, issued)]
    other = _issue(live_server.app, ctx, name="Sam Other", now=clock())
    swapped = tamper(document, data=other.document.encode())
    client = live_server.app.test_client()
    report = client.post("/api/v1/verify",
                         data={"file": (io.BytesIO(document), "certificate.pdf")}).get_json()
    assert report["verified"] is True, report
    assert report["checks"][0]["code"] == "pdf"
    refused = client.post("/api/v1/verify",
                          data={"file": (io.BytesIO(swapped), "certificate.pdf")}).get_json()
    assert refused["verified"] is False
    assert refused["checks"][0]["code"] == "certificate_mismatch"
    (tmp_path / "cert.pdf").write_bytes(document)
    (tmp_path / "swapped.pdf").write_bytes(swapped)
    runner = CliRunner()
    at = CliContext(clock=clock)  # the command line at the service's date
    own = live_server.cli_env()  # the district's own command line knows its issuers
    verified = runner.invoke(main, ["verify", "--dev", str(tmp_path / "cert.pdf")], obj=at,
                             env=own)
    assert verified.exit_code == 0, verified.output
    assert runner.invoke(main, ["verify", "--dev", str(tmp_path / "swapped.pdf")],
                         obj=at, env=own).exit_code == 1
