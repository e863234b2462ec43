"""Every page of the district service refuses framing; production adds HSTS everywhere.

The walk requests every registered GET route, with real values for its
parameters (an issuer, a share token, a batch...), anonymously and signed in
as a district admin, so a route added later is covered without a new test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from issuer.batch import intake
from issuer.batch import service as batches
from issuer.models import Membership
from issuer.models import Role
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import recipients
from issuer.web.headers import with_frame_ancestors
from issuer.workflow import accounts
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser

ADMIN = ("dana@lakeside.example.org", "correct horse battery")
GOOD_SECRET = "q3Vh0x-Lr9TzK2mWcJ8yPbN4sE7uAfGd1oRiZ6tXe5M"
GOOD_KEK = "Pz2vUMfQ0m4k1cX9a7h3bR6tJwYsNe8LgdCqVoTiHKE"


def _seed(app: Flask) -> dict[str, str]:
    """A district with an admin, an issued credential and a batch; the route parameters."""
    ctx = seed.districts_with_tokens(app, "token-a", "token-b")
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria@lakeside.example.org", name="María López",
                                actor="test", now=NOW)
        org = organizations.get(session, "lakeside")
        batch = batches.create(session, org, intake.from_json([{
            "email": "ann@lakeside.example.org", "name": "Ann Lee",
            "achievement": "blended-learning-design"}]), actor="test", now=NOW,
            backend="inprocess")
        person = recipients.find_or_create(session, email=ADMIN[0], name="Dana Whitfield")
        accounts.set_password(person, ADMIN[1], n=app.extensions["workflow"].scrypt_n)
        session.add(Membership(person_id=person.id, role=Role.ADMIN, organization_id=org.id))
        achievement = json.loads(issued.document)["credentialSubject"]["achievement"]["id"]
        return {"slug": "lakeside", "key_id": "p256-1", "token": issued.share_token or "",
                "achievement_id": achievement.rsplit("/", 1)[-1], "ext": "png",
                "batch_id": batch.id, "name": "classic", "purpose": "revocation",
                "number": "1", "index": "0", "credential_id": issued.id,
                "submission_id": issued.id, "item_id": "1", "filename": "missing.css",
                "ref": "blended-learning-design", "code": "no-such-offer", "pathway_id": "1",
                "exchange_id": "no-such-exchange"}


def _every_get(app: Flask, values: dict[str, str]) -> Iterator[str]:
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values[name])
            for converter in ("int", "path"):
                path = path.replace(f"<{converter}:{name}>", values[name])
        assert "<" not in path, path
        yield path


def _walk(app: Flask, get: Callable[[str], TestResponse]) -> list[tuple[str, TestResponse]]:
    values = _seed(app)
    seen = []
    for path in _every_get(app, values):
        for accept in ("text/html", "application/json"):
            seen.append((path, get(path, headers={"Accept": accept})))
    return seen


def _refuses_framing(path: str, response: TestResponse) -> None:
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    policy = response.headers.get("Content-Security-Policy", "")
    if response.mimetype == "text/html":
        assert "frame-ancestors 'none'" in policy, (path, policy)
    if policy:
        assert policy.count("frame-ancestors") == 1, (path, policy)


def test_every_page_refuses_framing_signed_in_or_not(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    walked = _walk(app, app.test_client().get)
    browser = Browser(app.test_client())
    assert browser.sign_in(*ADMIN).status_code == 303
    walked += [(path, browser.get(path)) for path, _ in walked[::2]]
    statuses = {response.status_code for _, response in walked}
    assert 200 in statuses and len(walked) > 80  # real pages, not only refusals
    html = {path for path, response in walked if response.mimetype == "text/html"
            and response.status_code == 200}
    assert {"/", "/verify", "/sign-in", "/district"} <= html
    assert any(path.startswith("/c/") for path in html)
    assert any(path.startswith("/batches/") for path in html)
    for path, response in walked:
        _refuses_framing(path, response)
        assert "Strict-Transport-Security" not in response.headers  # not in testing


def test_production_sends_hsts_on_every_response(make_app: Callable[..., Flask]) -> None:
    app = make_app(env="production", secret_key=GOOD_SECRET, key_encryption_key=GOOD_KEK)
    for path, response in _walk(app, app.test_client().get):
        assert response.headers.get("Strict-Transport-Security") == \
            "max-age=63072000; includeSubDomains", path
        _refuses_framing(path, response)


@pytest.mark.parametrize(("policy", "expected"), [
    ("default-src 'none'", "default-src 'none'; frame-ancestors 'none'"),
    ("default-src 'self'; frame-ancestors https://x.org;", "default-src 'self'; "
                                                           "frame-ancestors 'none'"),
])
def test_frame_ancestors_is_added_or_made_none(policy: str, expected: str) -> None:
    assert with_frame_ancestors(policy) == expected
