"""Everything the issuer service issues verifies here, through the API and the page.

The real issuer app runs on a loopback port (``live_server``, on SQLite and on
PostgreSQL) with the verifier mounted in it. Its credentials (Data Integrity
JSON and VC-JWT, the baked PNG and SVG from the share URL, the share URL
itself, a QR code of the share URL) are posted to its own
``/api/v1/verify`` over HTTP: the verifier fetches the issuer's ``did:web``
document (and any status list) from the service like any outside verifier.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.request import Request
from urllib.request import urlopen

import pytest

from issuer.db import Database
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import LiveServer
from tests.verifier.test_api import assert_report
from tests.verifier.test_api import qr_png

ISSUER = "lakeside"


def _http(url: str, body: bytes | None = None, content_type: str | None = None) -> Any:
    request = Request(url, data=body, method="POST" if body is not None else "GET",
                      headers={"Content-Type": content_type} if content_type else {})
    with urlopen(request, timeout=30) as response:  # noqa: S310 - the loopback test server
        data: bytes = response.read()
        return json.loads(data) if "json" in (response.headers["Content-Type"] or "") \
            else data


def _multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def awarded(live_server: LiveServer) -> dict[str, Any]:
    state = live_server.app.extensions["badges"]
    db: Database = state["db"]
    ctx = IssuerContext(base_url=live_server.base_url, kek=state["settings"].key_encryption_key)
    with db.session() as session:
        seed.district(session, ctx)
    out: dict[str, Any] = {}
    for fmt in ("di", "jwt"):
        with db.session() as session:
            issued = issuance.award(
                session, ctx, issuer=ISSUER, achievement="blended-learning-design",
                email="ana.teacher@lakeside.example.org", name="Ana Teacher", actor="test",
                now=seed.now_of(live_server.app), fmt=fmt)
            out[fmt] = (issued.document, issuance.share_url(live_server.base_url, issued))
    return out


def test_issued_credentials_verify_through_the_mounted_api(live_server: LiveServer,
                                                           awarded: dict[str, Any]) -> None:
    api = live_server.base_url + "/api/v1/verify"
    di, di_share = awarded["di"]
    jwt, jwt_share = awarded["jwt"]
    answers = {
        "di json": _http(api, di.encode(), "application/json"),
        "jwt text": _http(api, jwt.encode(), "text/plain"),
        "di share url": _http(api, di_share.encode(), "text/plain"),
        "jwt share url": _http(api, jwt_share.encode(), "text/plain"),
    }
    for ext in ("png", "svg"):
        baked = _http(f"{di_share}.{ext}")
        answers[f"baked {ext}"] = _http(api, *_multipart("file", f"badge.{ext}", baked))
    answers["qr"] = _http(api, *_multipart("qr", "photo.png", qr_png(di_share)))
    for name, payload in answers.items():
        failures = [c for c in payload["checks"] if c["outcome"] in ("failed", "indeterminate")]
        assert payload["verified"] is True, (name, failures)
        assert payload["verdict"] == "verified", name
        assert payload["summary"]["recipient"] == "Ana Teacher", name
        assert payload["summary"]["achievement"] == "Blended Learning Design", name
        assert_report(payload)
    assert answers["jwt text"]["format"] == "jwt"
    assert answers["qr"]["input"]["url"].startswith(di_share)


def test_issued_credential_verifies_on_the_mounted_page(live_server: LiveServer,
                                                        awarded: dict[str, Any]) -> None:
    from urllib.parse import urlencode

    di, _ = awarded["di"]
    body = urlencode({"credential": di, "lang": "es"}).encode()
    html = _http(live_server.base_url + "/verify", body,
                 "application/x-www-form-urlencoded").decode("utf-8")
    assert 'data-verdict="verified"' in html
    assert "Verificada: esta credencial es auténtica y está vigente" in html
    assert "Lakeside Unified School District" in html
