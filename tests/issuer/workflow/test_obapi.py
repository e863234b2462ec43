"""The OB 3.0 API through Flask's test client: denial, JWT pushes, throttling, errors.

The whole host flow in a browser is in ``test_browser_ob_api.py``; these are
the branches it does not take. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import jsonschema
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from issuer.models import AuditEvent
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW
from tests.issuer.obapi_client import SCOPE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

API = "/ims/ob/v3p0"
REDIRECT = "https://host.example/callback"
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode() \
    .rstrip("=")
STATUS_INFO = jsonschema.Draft201909Validator(json.loads(resources.files("badges").joinpath(
    "schemas", "ob_v3p0_imsx_statusinfo-jsonschema1.json").read_text("utf-8")))
METADATA = {"client_name": "Host", "client_uri": "https://host.example",
            "logo_uri": "https://host.example/logo.png", "tos_uri": "https://host.example/tos",
            "policy_uri": "https://host.example/privacy", "software_id": "host",
            "software_version": "1", "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": f"{SCOPE}credential.readonly {SCOPE}credential.upsert"}


def register(client: FlaskClient, **changes: Any) -> Any:
    return client.post(f"{API}/oauth/register", json={**METADATA, **changes})


def authorize_url(client_id: str, scope: str = METADATA["scope"]) -> str:
    return f"{API}/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
        "scope": scope, "state": "s1", "code_challenge": CHALLENGE,
        "code_challenge_method": "S256"})


def basic(body: dict[str, Any]) -> dict[str, str]:
    pair = f"{body['client_id']}:{body['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def access_token(teacher: Browser, registered: dict[str, Any]) -> str:
    url = authorize_url(registered["client_id"])
    assert teacher.get(url).status_code == 200
    answer = teacher.post(url, {"decision": "allow"})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = teacher.client.post(f"{API}/oauth/token", headers=basic(registered), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER})
    assert tokens.status_code == 200, tokens.get_json()
    token: str = tokens.get_json()["access_token"]
    return token


def test_consent_denied_unknown_clients_and_signing_in_first(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    anonymous = as_user("anonymous")
    registered = register(anonymous.client).get_json()
    url = authorize_url(registered["client_id"])
    first = anonymous.get(url)
    assert first.status_code == 302 and "/sign-in" in first.headers["Location"]
    unknown = anonymous.get(authorize_url("nobody"))
    assert unknown.status_code == 400 and "Location" not in unknown.headers
    assert "does not work" in unknown.get_data(as_text=True)

    teacher = as_user("teacher")
    page = teacher.get(url)
    assert page.status_code == 200 and "Allow Host to use your badges?" in page.get_data(
        as_text=True)
    assert "form-action 'self' https://host.example" in page.headers["Content-Security-Policy"]
    # the form needs the session's CSRF token
    assert teacher.client.post(url, data={"decision": "allow"}).status_code == 400
    denied = teacher.post(url, {"decision": "deny"})
    assert denied.status_code == 302
    back = parse_qs(urlsplit(denied.headers["Location"]).query)
    assert back["error"] == ["access_denied"] and back["state"] == ["s1"]
    # a missing state is refused before anything is granted
    no_state = teacher.get(url.replace("state=s1&", ""))
    assert parse_qs(urlsplit(no_state.headers["Location"]).query)["error"] == [
        "invalid_request"]
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "obapi.consent_denied")) == 1


def test_a_pushed_jwt_from_another_district_is_verified_stored_and_listed(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    settings = app.extensions["badges"]["settings"]
    with app.extensions["badges"]["db"].session() as session:
        other = issuance.award(
            session, IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key),
            issuer="elsewhere", achievement="blended-learning-design", email="lee@else.test",
            name="Lee", actor="test", now=NOW, fmt="jwt")
        jws = other.document
        session.commit()
    teacher = as_user("teacher")
    token = access_token(teacher, register(teacher.client).get_json())
    bearer = {"Authorization": f"Bearer {token}"}
    client = teacher.client
    pushed = client.post(f"{API}/credentials", data=jws, content_type="text/plain",
                         headers=bearer)
    assert pushed.status_code == 201, pushed.get_data(as_text=True)
    assert pushed.get_data(as_text=True) == jws and pushed.mimetype == "text/plain"
    assert client.post(f"{API}/credentials", data=jws, content_type="text/plain",
                       headers=bearer).status_code == 304
    listed = client.get(f"{API}/credentials", headers=bearer).get_json()
    assert listed["compactJwsString"] == [jws]
    # a tampered JWS, another content type, a body too large, no token, a wrong method
    head, body, signature = jws.split(".")
    tampered = ".".join([head, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"),
                         signature])
    for answer, status, minor in [
        (client.post(f"{API}/credentials", data=tampered, content_type="text/plain",
                     headers=bearer), 400, "invalid_data"),
        (client.post(f"{API}/credentials", data=b"x", content_type="image/png",
                     headers=bearer), 400, "invalid_data"),
        (client.post(f"{API}/credentials", data="[1]", content_type="application/json",
                     headers=bearer), 400, "invalid_data"),
        (client.post(f"{API}/credentials", data=b"x" * (1024 * 1024 + 1),
                     content_type="text/plain", headers=bearer), 400, "invalid_data"),
        (client.get(f"{API}/credentials"), 401, "unauthorizedrequest"),
        (client.get(f"{API}/profile", headers=bearer), 403, "forbidden"),
        (client.delete(f"{API}/credentials", headers=bearer), 405, "not_allowed"),
    ]:
        assert answer.status_code == status, (status, answer.get_data(as_text=True))
        STATUS_INFO.validate(answer.get_json())
        field = answer.get_json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert field["imsx_codeMinorFieldValue"] == minor
    assert client.get(f"{API}/credentials").headers["WWW-Authenticate"].lower().startswith(
        "bearer")
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "From elsewhere" in wallet and "Elsewhere District" in wallet
    # the teacher disconnects the host from the wallet: its tokens stop working
    assert "Connected apps" in wallet and "Host" in wallet
    registered_id = re.search(r"/wallet/connections/([^/]+)/disconnect", wallet)
    assert registered_id is not None
    gone = teacher.post(f"/wallet/connections/{registered_id.group(1)}/disconnect")
    assert gone.status_code == 303
    assert client.get(f"{API}/credentials", headers=bearer).status_code == 401
    assert "Connected apps" not in teacher.get("/wallet").get_data(as_text=True)
    assert teacher.post("/wallet/connections/nobody/disconnect").status_code == 404


BAD_METADATA: list[tuple[dict[str, Any], str]] = [
    ({"redirect_uris": ["https://host.example/cb#x"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["http://host.example/cb"]}, "invalid_redirect_uri"),
    ({"logo_uri": "ftp://host.example/logo"}, "invalid_client_metadata"),
    ({"software_id": None}, "invalid_client_metadata"),
    ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
    ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
]


def test_registration_refuses_bad_metadata_and_floods(app: Flask) -> None:
    client = app.test_client()
    for changes, error in BAD_METADATA:
        refused = register(client, **changes)
        assert refused.status_code == 400, (changes, refused.get_json())
        assert refused.get_json()["error"] == error, changes
    huge = register(client, contacts=["a@host.example"] * 2000)
    assert huge.status_code == 400 and huge.get_json()["error"] == "invalid_client_metadata"
    made = register(client).get_json()
    assert made["grant_types"] == ["authorization_code", "refresh_token"]
    assert made["token_endpoint_auth_method"] == "client_secret_basic"
    bare = {k: v for k, v in METADATA.items() if k != "grant_types"}
    assert client.post(f"{API}/oauth/register", json=bare).get_json()["grant_types"] == [
        "authorization_code"]  # RFC 7591 §2's default, answered
    for _ in range(20 - len(BAD_METADATA) - 3):
        assert register(client).status_code == 201
    held = register(client)
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
