"""The district's verifier checks a CLR 2.0 record: the page (English, Spanish) and the API.

A teacher's record of 3 badges reads verified; after one badge is revoked the
page names that badge as revoked, and a tampered badge is named as forged,
in both languages; the API answers the same as JSON (issue #20).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from issuer.services import achievements
from issuer.services import clr as clr_service
from issuer.services import issuance
from issuer.services import status
from tests.issuer import seed

TEACHER = "maria@lakeside.example.org"
ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "verifier" / "openapi.json").read_text("utf-8"))


def _described(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer``, after checking it against the API's own ClrReport schema."""
    schema = {**OPENAPI["components"]["schemas"]["ClrReport"],
              "$defs": OPENAPI["components"]["schemas"]}
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    Draft202012Validator(json.loads(text)).validate(answer)
    return answer


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    made = make_app()
    with made.extensions["badges"]["db"].session() as session:
        org = seed.district(session, seed.app_context(made))
        achievements.create(session, org, slug="peer-mentoring", name="Peer Mentoring",
                            description="Mentors a colleague.", criteria="A mentoring log.")
    return made


def _record(app: Flask) -> tuple[dict[str, Any], list[str]]:
    ctx = seed.app_context(app)
    with app.extensions["badges"]["db"].session() as session:
        ids = [issuance.award(session, ctx, issuer="lakeside", achievement=slug,
                              email=TEACHER, name="María López", actor="test",
                              now=seed.now_of(app)).credential_id
               for slug in ("blended-learning-design", "data-informed-instruction",
                            "peer-mentoring")]
        result = clr_service.teacher_clr(session, ctx, issuer="lakeside", email=TEACHER,
                                         now=seed.now_of(app), actor="test")
    return result.document, ids


def _page(client: FlaskClient, record: dict[str, Any], lang: str) -> str:
    return client.post(f"/verify?lang={lang}", data={"credential": json.dumps(record)},
                       content_type="multipart/form-data").get_data(as_text=True)


def _verdicts(html: str) -> dict[str, str]:
    """Credential name -> its verdict, as the page lists them."""
    found = re.findall(r'<li id="clr-credential-\d+" data-verdict="([a-z_]+)">.*?'
                       r'<strong class="clr-credential-name">([^<]+)</strong>', html, re.S)
    return {name: verdict for verdict, name in found}


def test_a_record_verifies_then_names_the_revoked_and_the_tampered_badge(app: Flask) -> None:
    client = app.test_client()
    record, ids = _record(app)
    html = _page(client, record, "en")
    assert 'data-verdict="verified" data-kind="clr"' in html
    assert "3 of the 3 credentials in this record verified." in html
    assert _verdicts(html) == {"Blended Learning Design": "verified",
                               "Data-Informed Instruction": "verified",
                               "Peer Mentoring": "verified"}
    api = _described(client.post("/api/v1/verify", json=record).get_json())
    assert api["kind"] == "clr" and api["verdict"] == "verified" and api["problems"] == []
    assert [c["verdict"] for c in api["credentials"]] == ["verified"] * 3

    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, ids[2], reason="awarded in error", public=True, actor="test",
                      now=seed.now_of(app))
    html = _page(client, record, "en")
    assert 'data-verdict="revoked" data-kind="clr"' in html
    assert _verdicts(html)["Peer Mentoring"] == "revoked"
    assert _verdicts(html)["Blended Learning Design"] == "verified"
    assert "Revoked by the issuer" in html
    es = _page(client, record, "es")
    assert "Registro completo del aprendiz" in es and "Revocada por el emisor" in es
    assert "2 de las 3 credenciales de este registro están verificadas." in es
    api = _described(client.post("/api/v1/verify", json=record).get_json())
    assert api["verdict"] == "revoked"
    assert api["problems"][0].startswith("Peer Mentoring: revoked.")

    tampered = copy.deepcopy(record)
    embedded = tampered["credentialSubject"]["verifiableCredential"]
    first = next(c for c in embedded
                 if c["credentialSubject"]["achievement"]["name"] == "Blended Learning Design")
    first["validFrom"] = "2020-01-01T00:00:00Z"
    html = _page(client, tampered, "en")
    assert 'data-verdict="forged" data-kind="clr"' in html
    assert _verdicts(html)["Blended Learning Design"] == "forged"
    assert _verdicts(html)["Data-Informed Instruction"] == "verified"
    es = _page(client, tampered, "es")
    assert _verdicts(es)["Blended Learning Design"] == "forged"
    assert "No es auténtica" in es


def test_a_non_record_still_gets_the_badge_page(app: Flask) -> None:
    client = app.test_client()
    html = client.post("/verify", data={"credential": json.dumps(
        {"type": ["VerifiableCredential", "SomethingElse"]})},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-kind="clr"' not in html
    broken = client.post("/api/v1/verify", json={"type": ["VerifiableCredential",
                                                          "ClrCredential"]})
    assert broken.status_code == 200
    answer = _described(broken.get_json())
    assert answer["kind"] == "clr" and answer["verdict"] != "verified"
