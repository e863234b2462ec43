"""The service over HTTP (Flask test client): public documents, share URLs, the JSON API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from badges import baking
from issuer.config import ConfigError
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW

TOKEN = "test-token-lakeside"
OTHER_TOKEN = "test-token-elsewhere"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    seed.districts_with_tokens(app, TOKEN, OTHER_TOKEN)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _issue(app: Flask, fmt: str = "di") -> IssuedCredential:
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        return issuance.award(session, ctx, issuer="lakeside",
                              achievement="blended-learning-design",
                              email="maria@lakeside.example.org", name="María López",
                              actor="test", now=NOW, fmt=fmt)  # type: ignore[arg-type]


def test_did_document_and_keys(client: FlaskClient) -> None:
    response = client.get("/issuers/lakeside/did.json")
    assert response.status_code == 200
    doc = response.get_json(force=True)
    assert doc["id"] == "did:web:badges.test:issuers:lakeside"
    assert [m["type"] for m in doc["verificationMethod"]] == ["Multikey", "JsonWebKey"]
    jwks = client.get("/issuers/lakeside/jwks.json").get_json(force=True)
    assert [k["kid"] for k in jwks["keys"]] == [m["id"] for m in doc["verificationMethod"]]
    single = client.get("/issuers/lakeside/keys/p256-1").get_json(force=True)
    assert single["kty"] == "EC" and "d" not in single
    assert single["kid"] == "did:web:badges.test:issuers:lakeside#p256-1"
    assert client.get("/issuers/lakeside/keys/p256-9").status_code == 404


def test_profile_content_negotiation(client: FlaskClient) -> None:
    html = client.get("/issuers/lakeside", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert b"Lakeside Unified School District" in html.data
    # the page is in the reader's language (issue #18), the JSON-LD is not
    assert html.headers["Vary"] == "Accept, Accept-Language"
    assert html.headers["Content-Language"] == "en"
    ld = client.get("/issuers/lakeside", headers={"Accept": "application/ld+json"})
    profile = ld.get_json(force=True)
    assert profile["type"] == ["Profile"]
    assert profile["id"] == "did:web:badges.test:issuers:lakeside"
    missing = client.get("/issuers/nowhere", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_issuer"


def test_achievement_page_has_open_graph_tags_and_json_ld(app: Flask,
                                                          client: FlaskClient) -> None:
    issued = _issue(app)
    achievement_id = json.loads(issued.document)["credentialSubject"]["achievement"]["id"]
    path = achievement_id.removeprefix("https://badges.test")
    html = client.get(path).data.decode()
    assert '<meta property="og:title" content="Blended Learning Design">' in html
    assert 'property="og:image"' in html and 'alt="Blended Learning Design badge: a ' in html
    ld = client.get(path, headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert ld["id"] == achievement_id and ld["type"] == ["Achievement"]
    image = client.get(path + "/image.png")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_share_urls_serve_the_stored_document_exactly(app: Flask, client: FlaskClient,
                                                      fmt: str) -> None:
    issued = _issue(app, fmt)
    path = f"/c/{issued.share_token}"
    ext = "json" if fmt == "di" else "jwt"
    served = client.get(f"{path}.{ext}")
    assert served.status_code == 200
    assert served.data == issued.document.encode("utf-8")
    assert served.headers["Cache-Control"] == "private, no-store"
    other = client.get(f"{path}.{'jwt' if fmt == 'di' else 'json'}")
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "wrong_format"
    for image in ("png", "svg"):
        baked = client.get(f"{path}.{image}")
        assert baked.status_code == 200
        assert baking.unbake(baked.data) == issued.document
    page = client.get(path, headers={"Accept": "text/html"})
    assert "María López" in page.data.decode() and page.headers["X-Robots-Tag"] == "noindex"
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, issued.id)
        assert row is not None
        row.share_enabled = False
    turned_off = client.get(f"{path}.{ext}")
    assert turned_off.status_code == 410
    assert turned_off.get_json()["error"]["code"] == "share_link_off"
    assert client.get("/c/not-a-real-token.json").status_code == 404


def _award(client: FlaskClient, body: Any, token: str | None = TOKEN,
           slug: str = "lakeside", **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/issuers/{slug}/awards", headers=headers,
                       data=body if isinstance(body, str | bytes) else json.dumps(body),
                       content_type=kwargs.get("content_type", "application/json"))


GOOD = {"achievement": "blended-learning-design", "email": "tom@lakeside.example.org",
        "name": "Tom Nakamura"}


def test_api_award(client: FlaskClient) -> None:
    response = _award(client, GOOD)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["credential"]["credentialSubject"]["achievement"]["name"] == \
        "Blended Learning Design"
    assert body["shareUrl"].startswith("https://badges.test/c/")
    jwt = _award(client, {**GOOD, "format": "jwt"}).get_json()
    assert jwt["credential"].count(".") == 2


def _rows(app: Flask) -> tuple[int, int]:
    with app.extensions["badges"]["db"].session() as session:
        creds = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential))
        orgs = session.scalar(sa.select(sa.func.count()).select_from(Organization))
        return creds or 0, orgs or 0


API_ERRORS = [
    ("no token", GOOD, None, "lakeside", 401, "unauthorized"),
    ("bad token", GOOD, "nope", "lakeside", 401, "unauthorized"),
    ("other district's token", GOOD, OTHER_TOKEN, "lakeside", 403, "forbidden"),
    ("unknown issuer", GOOD, TOKEN, "nowhere", 404, "unknown_issuer"),
    ("unknown achievement", {**GOOD, "achievement": "x"}, TOKEN, "lakeside", 404,
     "unknown_achievement"),
    ("malformed e-mail", {**GOOD, "email": "tom@"}, TOKEN, "lakeside", 400, "invalid_email"),
    ("oversized name", {**GOOD, "name": "n" * 5000}, TOKEN, "lakeside", 400, "field_too_long"),
    ("unknown field", {**GOOD, "admin": True}, TOKEN, "lakeside", 400, "unknown_field"),
    ("truncated JSON", '{"achievement": "blended', TOKEN, "lakeside", 400, "invalid_json"),
    ("JSON array", "[1, 2]", TOKEN, "lakeside", 400, "invalid_json"),
    ("bad format", {**GOOD, "format": "pdf"}, TOKEN, "lakeside", 400, "invalid_format"),
]


@pytest.mark.parametrize(("body", "token", "slug", "status", "code"),
                         [c[1:] for c in API_ERRORS], ids=[c[0] for c in API_ERRORS])
def test_api_errors_are_json_4xx_and_change_nothing(app: Flask, client: FlaskClient, body: Any,
                                                    token: str | None, slug: str, status: int,
                                                    code: str) -> None:
    before = _rows(app)
    response = _award(client, body, token, slug)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert _rows(app) == before


def test_api_refuses_non_json_and_huge_bodies(app: Flask, client: FlaskClient) -> None:
    response = _award(client, "achievement=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    huge = json.dumps({**GOOD, "narrative": "x" * (26 * 1024 * 1024)})
    response = _award(client, huge)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_verify_api_accepts_what_the_service_issues(app: Flask, client: FlaskClient) -> None:
    issued = _issue(app)
    response = client.post("/api/v1/verify", data=issued.document,
                           content_type="application/json")
    report = response.get_json()
    assert response.status_code == 200
    assert {c["id"] for c in report["checks"]} >= {"format", "proof", "key_binding"}
    # badges.test does not resolve, but the service's own verifier reads its own issuer's
    # keys and status lists from its database (issue #13): its badges verify at once
    assert report["verified"] is True, report
    assert {c["id"]: c["code"] for c in report["checks"]}["status"] == "not_revoked"
    garbage = client.post("/api/v1/verify", data=b"\x00garbage", content_type="text/plain")
    # unreadable input: 422 with the same report shape, the format check naming why
    assert garbage.status_code == 422 and garbage.get_json()["verified"] is False


def test_verify_api_reports_an_oversized_credential(app: Flask, client: FlaskClient) -> None:
    """A credential too large for JSON-LD processing gets a report naming why, never a 500."""
    from badges import jsonld

    document = json.loads(_issue(app).document)
    document["credentialSubject"]["achievement"]["tag"] = ["x"] * (jsonld.MAX_ARRAY_ITEMS + 1)
    response = client.post("/api/v1/verify", data=json.dumps(document),
                           content_type="application/json")
    assert response.status_code < 500
    report = response.get_json()
    assert report["verified"] is False
    codes = {c["id"]: c["code"] for c in report["checks"]}
    assert codes["context"] == "too_large", report


def test_production_refuses_to_start_without_secrets(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ConfigError, match="BADGES_SECRET_KEY"):
        make_app(env="production", secret_key="", key_encryption_key="",
                 base_url="https://badges.example.org")
    with pytest.raises(ConfigError, match="32 bytes"):
        make_app(key_encryption_key="c2hvcnQ")


def test_http_errors_are_json_and_keep_their_headers(client: FlaskClient) -> None:
    wrong = client.delete("/api/v1/issuers")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"
    missing = client.get("/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
