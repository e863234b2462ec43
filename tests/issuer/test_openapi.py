"""The issuer API's OpenAPI document: valid OpenAPI 3.1, complete, and true to real answers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from issuer.jobs.inprocess import ProcessPool
from tests.issuer import seed
from tests.issuer.batch.conftest import api_app_with_jobs

OPENAPI: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "issuer" / "openapi.json").read_text("utf-8"))
BASE = "urn:badges:issuer-openapi"
REGISTRY: Registry[Any] = Registry().with_resource(
    BASE, Resource(contents=OPENAPI, specification=DRAFT202012))
METHODS = {"get", "put", "post", "delete", "patch"}

TOKEN = "openapi-token-lakeside"
OTHER = "openapi-token-elsewhere"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AWARD = {"achievement": "blended-learning-design", "email": "tom@lakeside.example.org",
         "name": "Tom Nakamura"}


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A Response object, following a ``$ref`` to ``#/components/responses``."""
    target = node.get("$ref")
    if target is None:
        return node, None
    name = target.removeprefix("#/components/responses/")
    return OPENAPI["components"]["responses"][name], name


def assert_documented(response: TestResponse, path: str, method: str) -> None:
    """The answer's status is documented for the operation, and its JSON body fits the schema."""
    operation = OPENAPI["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], (path, method, status, response.get_data())
    documented, component = _resolve(operation["responses"][status])
    content = documented.get("content")
    if content is None:
        assert response.get_data() == b"", (path, method, status)
        return
    mimetype = response.mimetype
    assert mimetype in content, (path, method, status, mimetype, list(content))
    if component is not None:
        pointer = _pointer("components", "responses", component, "content", mimetype,
                           "schema")
    else:
        pointer = _pointer("paths", path, method, "responses", status, "content", mimetype,
                           "schema")
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"{BASE}#/{pointer}"}, registry=REGISTRY,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(json.loads(response.get_data()))


def _rule_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _routes(app: Flask) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods = {m.lower() for m in rule.methods or ()} & METHODS
        found.setdefault(_rule_path(rule.rule), set()).update(methods)
    return found


@pytest.fixture
def app(make_app: Callable[..., Flask], process_pool: ProcessPool) -> Iterator[Flask]:
    yield from api_app_with_jobs(make_app, process_pool, TOKEN, OTHER)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ------------------------------------------------------------------------------ the document


def test_the_document_is_valid_openapi_3_1() -> None:
    assert OPENAPI["openapi"].startswith("3.1")
    validate(OPENAPI)  # the OpenAPI 3.1 JSON Schema, and every schema object in it
    broken = json.loads(json.dumps(OPENAPI))
    broken["paths"]["/api/v1/issuers"]["get"]["responses"] = "none"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_every_operation_has_an_id_a_summary_and_documented_errors() -> None:
    ids = []
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            ids.append(operation["operationId"])
            assert operation.get("summary"), (path, method)
            for status, answer in operation["responses"].items():
                documented, _ = _resolve(answer)
                if status.startswith(("4", "5")):
                    schema = documented["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
            public = operation.get("security") == []
            assert public or "401" in operation["responses"], (path, method)
    assert len(ids) == len(set(ids))
    assert OPENAPI["components"]["securitySchemes"]["bearerAuth"] == {
        **OPENAPI["components"]["securitySchemes"]["bearerAuth"], "type": "http",
        "scheme": "bearer"}
    assert "/api/v1/openapi.json" in OPENAPI["info"]["description"]


def test_every_api_route_is_documented_and_every_documented_path_exists(app: Flask) -> None:
    routes = _routes(app)
    verifier = {_rule_path(r.rule) for r in app.url_map.iter_rules()
                if r.endpoint.startswith("verifier.")}
    api = {path: methods for path, methods in routes.items()
           if path.startswith("/api/v1/") and path not in verifier}
    documented = {path: set(item) & METHODS for path, item in OPENAPI["paths"].items()}
    assert {p: m for p, m in documented.items() if p.startswith("/api/v1/")} == api
    for path, methods in documented.items():
        assert path in routes, path
        assert methods <= routes[path], (path, methods, routes[path])
        names = set(re.findall(r"{([a-z_]+)}", path))
        for method in methods:
            params = {p["name"] for p in documented_params(path, method) if p["in"] == "path"}
            assert params == names, (path, method)
    # the public documents an integrator reads are there too
    assert {"/issuers/{slug}/status/{purpose}/{number}",
            "/issuers/{slug}/status/{purpose}/{number}/{index}",
            "/issuers/{slug}/did.json", "/issuers/{slug}/jwks.json"} <= set(documented)
    # and none of the verifier's, which its own document covers
    assert not verifier & set(documented)


def documented_params(path: str, method: str) -> list[dict[str, Any]]:
    item = OPENAPI["paths"][path]
    return [*item.get("parameters", []), *item[method].get("parameters", [])]


def test_the_document_is_served(client: FlaskClient) -> None:
    served = client.get("/api/v1/issuer-openapi.json")
    assert served.status_code == 200 and served.get_json() == OPENAPI
    assert_documented(served, "/api/v1/issuer-openapi.json", "get")
    # the verifier's own document still answers at its path
    assert client.get("/api/v1/openapi.json").get_json()["paths"].keys() >= {"/api/v1/verify"}


# ------------------------------------------------------------------------------ real answers


def test_award_and_its_errors_match_the_document(client: FlaskClient) -> None:
    url, path = "/api/v1/issuers/lakeside/awards", "/api/v1/issuers/{slug}/awards"
    calls = [
        (client.post(url, json=AWARD, headers=AUTH), 201),
        (client.post(url, json={**AWARD, "format": "jwt", "narrative": "Led the unit."},
                     headers=AUTH), 201),
        (client.post(url, json=AWARD), 401),
        (client.post(url, json=AWARD, headers={"Authorization": f"Bearer {OTHER}"}), 403),
        (client.post("/api/v1/issuers/nowhere/awards", json=AWARD, headers=AUTH), 404),
        (client.post(url, json={**AWARD, "achievement": "x"}, headers=AUTH), 404),
        (client.post(url, json={**AWARD, "email": "tom@"}, headers=AUTH), 400),
        (client.post(url, json={**AWARD, "admin": True}, headers=AUTH), 400),
        # a missing or non-text achievement is a bad request, not an unknown achievement
        (client.post(url, json={k: v for k, v in AWARD.items() if k != "achievement"},
                     headers=AUTH), 400),
        (client.post(url, json={**AWARD, "achievement": 7}, headers=AUTH), 400),
        (client.post(url, json={**AWARD, "format": "pdf"}, headers=AUTH), 400),
        (client.post(url, data="achievement=x", headers=AUTH,
                     content_type="application/x-www-form-urlencoded"), 415),
    ]
    for response, status in calls:
        assert response.status_code == status, response.get_json()
        assert_documented(response, path, "post")
    body = calls[0][0].get_json()
    assert isinstance(body["credential"], dict) and isinstance(calls[1][0].get_json()
                                                               ["credential"], str)


def test_revocation_suspension_and_status_documents_match(client: FlaskClient) -> None:
    seed.suspension_on(client.application, "lakeside")
    issued = client.post("/api/v1/issuers/lakeside/awards", json=AWARD, headers=AUTH)
    credential = issued.get_json()
    change = "/api/v1/credentials/{credential_ref}/{action}"
    base = f"/api/v1/credentials/{credential['credentialId']}"
    for action, body, status in [("suspend", None, 200), ("suspend", None, 409),
                                 ("unsuspend", None, 200), ("unsuspend", None, 409),
                                 ("revoke", {"reason": "Awarded in error", "public": True}, 200),
                                 ("revoke", {"reason": "again"}, 409), ("expire", None, 404)]:
        response = client.post(f"{base}/{action}", json=body, headers=AUTH)
        assert response.status_code == status, (action, response.get_json())
        assert_documented(response, change, "post")
    assert_documented(client.post(f"{base}/revoke", json={}), change, "post")  # 401
    # without a token, nothing else is answered: not the action, not the body
    assert client.post(f"{base}/expire", data="[", content_type="application/json"
                       ).status_code == 401
    # "false" as text must not publish a reason: only a JSON boolean is accepted
    other = client.post("/api/v1/issuers/lakeside/awards", json=AWARD, headers=AUTH).get_json()
    refused = client.post(f"/api/v1/credentials/{other['credentialId']}/revoke", headers=AUTH,
                          json={"reason": "Private matter", "public": "false"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "invalid_field")
    assert_documented(refused, change, "post")
    bulk_refused = client.post("/api/v1/issuers/lakeside/revocations", headers=AUTH,
                               json={"ids": [other["id"]], "reason": "x", "public": 1})
    assert bulk_refused.status_code == 400
    assert client.post(f"/api/v1/credentials/{other['credentialId']}/suspend",
                       headers=AUTH).status_code == 200  # nothing was revoked
    assert_documented(client.post("/api/v1/credentials/urn:uuid:nope/revoke", headers=AUTH),
                      change, "post")  # 404
    assert_documented(client.post(f"{base}/revoke", data="[1]", headers=AUTH,
                                  content_type="application/json"), change, "post")  # 400

    bulk = client.post("/api/v1/issuers/lakeside/revocations", headers=AUTH,
                       json={"ids": [credential["id"], "nope"], "reason": "Closed"})
    assert bulk.status_code == 200 and bulk.get_json()["failed"] == 2
    assert_documented(bulk, "/api/v1/issuers/{slug}/revocations", "post")
    refused = client.post("/api/v1/issuers/lakeside/revocations", headers=AUTH, json={})
    assert refused.status_code == 400
    assert_documented(refused, "/api/v1/issuers/{slug}/revocations", "post")

    # the public status documents the credential names
    entry = next(e for e in seed.status_entries(credential["credential"])
                 if e["statusPurpose"] == "revocation")
    relative = entry["id"].removeprefix("https://badges.test")
    details = client.get(relative)
    assert details.get_json()["status"] == "revoked"
    assert details.get_json()["statusReason"] == "Awarded in error"
    assert_documented(details, "/issuers/{slug}/status/{purpose}/{number}/{index}", "get")
    listing = client.get(entry["statusListCredential"].removeprefix("https://badges.test"),
                         headers={"Accept": "application/json"})
    assert_documented(listing, "/issuers/{slug}/status/{purpose}/{number}", "get")
    # no Accept: the VC-JWT form, a documented content type (a compact JWS, not JSON)
    as_jwt = client.get(entry["statusListCredential"].removeprefix("https://badges.test"))
    assert as_jwt.mimetype == "application/vc+jwt" and as_jwt.mimetype in OPENAPI["paths"][
        "/issuers/{slug}/status/{purpose}/{number}"]["get"]["responses"]["200"]["content"]
    again = client.get(entry["statusListCredential"].removeprefix("https://badges.test"),
                       headers={"If-None-Match": listing.headers["ETag"],
                                "Accept": "application/json"})
    assert again.status_code == 304
    assert_documented(again, "/issuers/{slug}/status/{purpose}/{number}", "get")
    for url in ("/issuers/lakeside/status/revocation/1/999999",
                "/issuers/lakeside/status/expiry/1/0", "/issuers/nowhere/status/revocation/1/0"):
        assert_documented(client.get(url), "/issuers/{slug}/status/{purpose}/{number}/{index}",
                          "get")


def test_issuers_and_public_keys_match(client: FlaskClient) -> None:
    assert_documented(client.get("/api/v1/issuers"), "/api/v1/issuers", "get")
    assert_documented(client.get("/issuers/lakeside/did.json"), "/issuers/{slug}/did.json",
                      "get")
    assert_documented(client.get("/issuers/nowhere/did.json"), "/issuers/{slug}/did.json",
                      "get")
    assert_documented(client.get("/issuers/lakeside/jwks.json"), "/issuers/{slug}/jwks.json",
                      "get")
    for key in ("p256-1", "ed-1.json", "p256-9"):
        assert_documented(client.get(f"/issuers/lakeside/keys/{key}"),
                          "/issuers/{slug}/keys/{key_id}", "get")


def test_batch_flow_matches_the_document(client: FlaskClient) -> None:
    create = "/api/v1/issuers/{slug}/batches"
    url = "/api/v1/issuers/lakeside/batches"
    rows = [{"email": "ann@lakeside.example.org", "name": "Ann Lee",
             "evidenceUrl": "https://lms.example.org/p/1"},
            {"email": "not-an-address", "name": "Cy"},
            {"email": "bo@lakeside.example.org", "name": "Bo Chen", "issuedOn": "2025-08-15",
             "idempotencyKey": "hr-2026-0042"}]
    body = {"rows": rows, "achievement": "blended-learning-design"}
    preview = client.post(url, json={**body, "preview": True}, headers=AUTH)
    assert preview.status_code == 200
    assert_documented(preview, create, "post")
    for bad, status in [({**body, "colour": "red"}, 400), ({"rows": []}, 400),
                        ({**body, "chunkSize": 3}, 400), ({**body, "chunkSize": 12.5}, 400),
                        ({**body, "chunkSize": True}, 400),
                        # a preview is checked with the options the run would use
                        ({**body, "preview": True, "format": "pdf"}, 400),
                        ({**body, "preview": True, "chunkSize": "many"}, 400)]:
        response = client.post(url, json=bad, headers=AUTH)
        assert response.status_code == status, (bad, response.get_json())
        assert_documented(response, create, "post")
    assert_documented(client.post(url, data=b"x", content_type="application/octet-stream",
                                  headers=AUTH), create, "post")  # 415
    assert_documented(client.post(url, json=body), create, "post")  # 401
    csv = client.post(url + "?preview=1&achievement=blended-learning-design",
                      data=b"email,name\nann@lakeside.example.org,Ann Lee\n",
                      content_type="text/csv", headers=AUTH)
    assert csv.status_code == 200
    assert_documented(csv, create, "post")

    created = client.post(url, json=body, headers=AUTH)
    assert created.status_code == 202, created.get_json()
    assert_documented(created, create, "post")
    batch_id = created.get_json()["batch"]["id"]
    deadline = time.monotonic() + 60
    while True:
        state = client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)
        assert_documented(state, "/api/v1/batches/{batch_id}", "get")
        if state.get_json()["batch"]["status"] == "completed":
            break
        assert time.monotonic() < deadline, state.get_json()
        time.sleep(0.1)
    rows_path = "/api/v1/batches/{batch_id}/rows"
    listed = client.get(f"/api/v1/batches/{batch_id}/rows", headers=AUTH)
    assert [r["state"] for r in listed.get_json()["rows"]] == ["issued", "failed", "issued"]
    assert_documented(listed, rows_path, "get")
    assert_documented(client.get(f"/api/v1/batches/{batch_id}/rows?state=lost", headers=AUTH),
                      rows_path, "get")
    for method, suffix, status in [("post", "/cancel", 409), ("post", "/resume", 202),
                                   ("get", "/certificates", 404),
                                   ("get", "/certificates.zip", 409)]:
        response = client.open(f"/api/v1/batches/{batch_id}{suffix}", method=method.upper(),
                               headers=AUTH)
        assert response.status_code == status, (suffix, response.get_json())
        assert_documented(response, "/api/v1/batches/{batch_id}" + suffix, method)
    refused = client.post(f"/api/v1/batches/{batch_id}/certificates?paper=a3", headers=AUTH)
    assert refused.status_code == 422
    assert_documented(refused, "/api/v1/batches/{batch_id}/certificates", "post")
    unknown = client.get("/api/v1/batches/nope", headers=AUTH)
    assert unknown.status_code == 404
    assert_documented(unknown, "/api/v1/batches/{batch_id}", "get")
    other = client.get(f"/api/v1/batches/{batch_id}",
                       headers={"Authorization": f"Bearer {OTHER}"})
    assert other.status_code == 404
    assert_documented(other, "/api/v1/batches/{batch_id}", "get")


def test_certificate_templates_match_the_document(client: FlaskClient) -> None:
    base = "/api/v1/issuers/{slug}/certificate-templates"
    listed = client.get("/api/v1/issuers/lakeside/certificate-templates", headers=AUTH)
    assert listed.status_code == 200 and "default" in listed.get_json()["builtin"]
    assert_documented(listed, base, "get")
    for response, status in [
        (client.delete("/api/v1/issuers/lakeside/certificate-templates/mine", headers=AUTH),
         404),
        (client.delete("/api/v1/issuers/lakeside/certificate-templates/Not_OK", headers=AUTH),
         422),
        (client.put("/api/v1/issuers/lakeside/certificate-templates/mine", headers=AUTH), 400),
    ]:
        assert response.status_code == status, response.get_json()
        method = response.request.method.lower()
        assert_documented(response, base + "/{name}", method)
    missing = client.get("/api/v1/issuers/lakeside/certificate-templates/mine/preview.pdf",
                         headers=AUTH)
    assert missing.status_code == 404
    assert_documented(missing, base + "/{name}/preview.pdf", "get")
