"""Trust by default on the district service's own verifier (issue #14).

With no configuration at all, the district's own badges read "Verified"; a
copy of one re-signed by a stranger (a did:key, or a did:web the stranger
hosts) under the district's name reads "Impersonation", on the page in
English and Spanish and in the API; a genuine badge of an issuer nobody
lists never gets the green "Verified" headline.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from badges import dataintegrity
from badges import keys
from badges.jwt import sign_jwt
from issuer.services import issuance
from tests.issuer import seed
from tests.verifier.conftest import Documents
from tests.verifier.conftest import did_document

DISTRICT = "Lakeside Unified School District"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    # the attacker's did:web server runs on loopback: allow-listed like a real host would be
    made = make_app(fetch_allow_hosts="127.0.0.1")
    with made.extensions["badges"]["db"].session() as session:
        seed.district(session, seed.app_context(made))
    return made


def _award(app: Flask, fmt: str = "di") -> Any:
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, seed.app_context(app), issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria@lakeside.example.org", name="María López",
                                actor="test", now=seed.now_of(app), fmt=fmt)  # type: ignore[arg-type]
    return json.loads(issued.document) if fmt == "di" else issued.document


def _api(client: FlaskClient, credential: Any) -> dict[str, Any]:
    if isinstance(credential, str):
        answer = client.post("/api/v1/verify", data=credential, content_type="text/plain")
    else:
        answer = client.post("/api/v1/verify", json=credential)
    payload: dict[str, Any] = answer.get_json()
    return payload


def _page(client: FlaskClient, credential: Any, lang: str) -> str:
    text = credential if isinstance(credential, str) else json.dumps(credential)
    return client.post(f"/verify?lang={lang}", data={"credential": text},
                       content_type="multipart/form-data").get_data(as_text=True)


def _resigned(original: dict[str, Any], key: keys.KeyPair) -> dict[str, Any]:
    """The district's badge, copied and re-signed by ``key``'s controller, name kept."""
    copied = copy.deepcopy(original)
    copied.pop("proof")
    copied["issuer"] = {**copied["issuer"], "id": key.controller}
    achievement = copied["credentialSubject"]["achievement"]
    if "creator" in achievement:
        achievement["creator"] = copied["issuer"]
    copied.pop("credentialStatus", None)
    return dataintegrity.sign_credential(copied, key=key, created="2026-11-23T12:00:00Z")


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_the_districts_own_badges_are_verified_without_configuration(app: Flask,
                                                                     fmt: str) -> None:
    client = app.test_client()
    payload = _api(client, _award(app, fmt))
    assert payload["verdict"] == "verified", payload
    trust = next(c for c in payload["checks"] if c["id"] == "issuer_trust")
    assert trust["code"] == "known_issuer" and trust["detail"]["name"] == DISTRICT
    assert trust["detail"]["registry"].startswith("this service's own issuers")
    page = _page(client, _award(app, fmt), "en")
    assert 'data-verdict="verified"' in page and "Verified: this credential is genuine" in page


@pytest.fixture
def attacker_site() -> Iterator[Documents]:
    """A web server the attacker runs (on loopback here)."""
    site = Documents()
    yield site
    site.close()


def _did_web_attacker(docs: Documents) -> keys.KeyPair:
    did = f"did:web:127.0.0.1%3A{docs.port}:badges"
    key = keys.generate("ed25519").with_controller(did, f"{did}#key-1")
    docs.json("/badges/did.json", did_document(did, (key.id, key.public.multibase)),
              "application/did+ld+json")
    return key


@pytest.mark.parametrize("attacker", ["did:key", "did:web"])
def test_a_copy_resigned_by_a_stranger_is_impersonation(app: Flask, attacker_site: Documents,
                                                        attacker: str) -> None:
    key = keys.generate("ed25519") if attacker == "did:key" \
        else _did_web_attacker(attacker_site)
    forged = _resigned(_award(app), key)
    client = app.test_client()
    payload = _api(client, forged)
    assert payload["verdict"] == "impersonation" and payload["verified"] is False, payload
    trust = next(c for c in payload["checks"] if c["id"] == "issuer_trust")
    assert (trust["outcome"], trust["code"]) == ("failed", "issuer_impersonation")
    assert trust["detail"]["issuer"] == key.controller
    proof = next(c for c in payload["checks"] if c["id"] == "proof")
    assert proof["outcome"] == "passed"  # the signature itself is fine: that is the trap
    for lang, words in (("en", "Impersonation: do not rely on this credential"),
                        ("es", "Suplantación: no confíe en esta credencial")):
        page = _page(client, forged, lang)
        assert 'data-verdict="impersonation"' in page and words in page, lang
        assert key.controller in page  # who actually signed it
        assert "Verified" not in page.split('id="verdict-box"')[1].split("</section>")[0]


def test_an_unknown_issuers_genuine_badge_is_never_headed_verified(app: Flask) -> None:
    key = keys.generate("p256")
    credential = _award(app)
    credential.pop("proof")
    credential.pop("credentialStatus", None)
    credential["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Harbor Schools"}
    credential["credentialSubject"]["achievement"].pop("creator", None)
    token = sign_jwt(credential, key=key)
    client = app.test_client()
    payload = _api(client, token)
    assert payload["verdict"] == "unknown_issuer" and payload["verified"] is False, payload
    for lang, words in (("en", "Genuine signature, but the issuer is not on your list"),
                        ("es", "Firma auténtica, pero el emisor no figura en su lista")):
        page = _page(client, token, lang)
        assert 'data-verdict="unknown_issuer"' in page and words in page, lang
        assert "Verified:" not in page and "Verificada:" not in page
        assert key.controller in page
