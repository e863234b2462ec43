"""Workflow fixtures: two districts with schools, people in every role, signed-in clients.

Every test here runs on SQLite and PostgreSQL (through ``make_app``'s ``db_url``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Role
from issuer.services import achievements
from issuer.services import organizations
from issuer.services import recipients
from issuer.services import signing_keys
from issuer.services.issuance import IssuerContext
from issuer.workflow import accounts
from issuer.workflow import catalogue
from tests.issuer.conftest import NOW

PASSWORD = "correct horse battery"


def levels() -> list[dict[str, Any]]:
    return [{"id": "developing", "name": "Developing", "points": 1,
             "description": "Some evidence of the practice."},
            {"id": "proficient", "name": "Proficient", "points": 2,
             "description": "Consistent, purposeful practice."},
            {"id": "exemplary", "name": "Exemplary", "points": 3,
             "description": "Practice others can learn from."}]


RUBRIC: dict[str, Any] = {"name": "Blended learning rubric", "criteria": [
    {"id": "design", "name": "Unit design", "reflection": True, "levels": levels()},
    {"id": "facilitation", "name": "Facilitation", "reflection": True, "levels": levels()}]}

# who: (name, email, [(org slug, role)])
PEOPLE: dict[str, tuple[str, str, list[tuple[str, Role]]]] = {
    "admin": ("Dana Whitfield", "dana@lakeside.test", [("lakeside", Role.ADMIN)]),
    "reviewer": ("Marcus Chen", "marcus@lakeside.test", [("lakeside", Role.REVIEWER)]),
    "school_reviewer": ("Aisha Bello", "aisha@lakeside.test", [("lakeside-high", Role.REVIEWER)]),
    "mentor": ("Priya Raman", "priya@lakeside.test", [("lakeside", Role.REVIEWER),
                                                      ("maple", Role.EARNER)]),
    "teacher": ("María López", "maria@lakeside.test", [("lakeside-high", Role.EARNER)]),
    "teacher2": ("Tom Nakamura", "tom@lakeside.test", [("maple", Role.EARNER)]),
    "school_admin": ("Sam Ortiz", "sam@lakeside.test", [("maple", Role.ADMIN)]),
    "other_admin": ("Eve Stone", "eve@elsewhere.test", [("elsewhere", Role.ADMIN)]),
    "other_reviewer": ("Omar Haddad", "omar@elsewhere.test", [("elsewhere", Role.REVIEWER)]),
    "other_teacher": ("Lee Park", "lee@elsewhere.test", [("elsewhere-high", Role.EARNER)]),
}


@dataclass
class World:
    """Ids of what the fixture created."""

    orgs: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    achievements: dict[str, str] = field(default_factory=dict)


def build_world(app: Flask) -> World:
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    n = app.extensions["workflow"].scrypt_n
    world = World()
    with app.extensions["badges"]["db"].session() as session:
        made: dict[str, Organization] = {}
        for slug, name, parent in (("lakeside", "Lakeside Unified", None),
                                   ("lakeside-high", "Lakeside High", "lakeside"),
                                   ("maple", "Maple Elementary", "lakeside"),
                                   ("elsewhere", "Elsewhere District", None),
                                   ("elsewhere-high", "Elsewhere High", "elsewhere")):
            made[slug] = organizations.create(session, slug=slug, name=name,
                                              parent=made[parent] if parent else None)
            world.orgs[slug] = made[slug].id
        for district in ("lakeside", "elsewhere"):
            signing_keys.ensure_keys(session, made[district], kek=ctx.kek,
                                     base_url=ctx.base_url, now=NOW, actor="test")
            blended = achievements.create(
                session, made[district], slug="blended-learning-design",
                name="Blended Learning Design", image_alt="A blue hexagon badge",
                description="Designs a unit that blends online and face-to-face learning.",
                criteria="A unit plan, two lesson recordings and a reflection.",
                evidence_expected="Unit plan; recordings; reflection.", effort_hours=15,
                rubric=RUBRIC, alignments=[{"targetName": "ISTE Educator 2.5.a",
                                            "targetUrl": "https://iste.org/standards",
                                            "targetFramework": "ISTE Standards"}])
            data = achievements.create(
                session, made[district], slug="data-informed-instruction",
                name="Data-Informed Instruction", description="Uses assessment data.",
                criteria="A de-identified analysis and the changes it led to.")
            prefix = "" if district == "lakeside" else "other_"
            world.achievements[prefix + "blended"] = blended.id
            world.achievements[prefix + "data"] = data.id
            catalogue.create_pathway(session, made[district], slug="edtech", name="EdTech Leader",
                                     description=None, achievements=[blended, data])
        for key, (name, email, roles) in PEOPLE.items():
            person = recipients.find_or_create(session, email=email, name=name)
            accounts.set_password(person, PASSWORD, n=n)
            for slug, role in roles:
                session.add(Membership(person_id=person.id, organization_id=made[slug].id,
                                       role=role))
            session.flush()
            world.people[key] = person.id
    return world


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client that signs in and sends the CSRF token with every form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(path, **kwargs)
        found = _CSRF.search(response.get_data(as_text=True)) if response.mimetype == \
            "text/html" else None
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        if not self.csrf:
            self.get("/sign-in")
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(path, data=body, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> TestResponse:
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password})
        self.get("/start")
        return response


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(evidence_max_bytes=64 * 1024)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


@pytest.fixture
def as_user(app: Flask, world: World) -> Callable[[str], Browser]:
    def make(who: str) -> Browser:
        browser = Browser(app.test_client())
        if who != "anonymous":
            response = browser.sign_in(PEOPLE[who][1])
            assert response.status_code == 303, response.get_data(as_text=True)
        return browser
    return make
