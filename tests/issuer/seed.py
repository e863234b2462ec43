"""A small district for tests, built through the services."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy.orm as so
from flask import Flask

from issuer.models import ApiToken
from issuer.models import Organization
from issuer.services import achievements
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.issuance import IssuerContext
from issuer.web.api import token_hash
from tests.issuer.conftest import NOW
from verifier.clock import fixed_clock

RUBRIC: dict[str, Any] = {"name": "Unit rubric", "criteria": [
    {"id": "design", "name": "Unit design", "levels": [
        {"id": "developing", "name": "Developing", "points": 1},
        {"id": "proficient", "name": "Proficient", "points": 2}]}]}


def district(session: so.Session, ctx: IssuerContext, slug: str = "lakeside", *,
             suspension: bool = False) -> Organization:
    org = organizations.create(session, slug=slug, name="Lakeside Unified School District",
                               url="https://lakeside.example.org")
    org.suspension_enabled = suspension
    signing_keys.ensure_keys(session, org, kek=ctx.kek, base_url=ctx.base_url, now=NOW,
                             actor="test")
    achievements.create(
        session, org, slug="blended-learning-design", name="Blended Learning Design",
        description="Designs a unit that blends online and face-to-face learning.",
        criteria="Unit plan, two recordings and a reflection.", rubric=RUBRIC,
        alignments=[{"targetName": "ISTE Educator 2.5.a", "targetUrl": "https://iste.org/x",
                     "targetFramework": "ISTE Standards for Educators"}])
    achievements.create(
        session, org, slug="data-informed-instruction", name="Data-Informed Instruction",
        description="Uses assessment data to adjust instruction.",
        criteria="A de-identified analysis and the changes it led to.", validity_days=365)
    session.flush()
    return org


def now_of(app: Flask) -> datetime:
    """The time by the app's own clock (tests run the app on a clock that starts at NOW)."""
    clock = app.extensions["badges"]["settings"].clock
    value: datetime = clock()
    return value


def app_context(app: Flask) -> IssuerContext:
    """The issuer context of a test app (its base URL and key-encryption key)."""
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


def districts_with_tokens(app: Flask, token: str, other_token: str) -> IssuerContext:
    """Seed ``lakeside`` and ``elsewhere``, each with an API token; return the context.

    The second district is there to show that one issuer's token opens
    nothing of another's.
    """
    ctx = app_context(app)
    with app.extensions["badges"]["db"].session() as session:
        for slug, secret in (("lakeside", token), ("elsewhere", other_token)):
            org = district(session, ctx, slug=slug)
            session.add(ApiToken(organization_id=org.id, name="t",
                                 token_hash=token_hash(secret)))
    return ctx


def fetcher(database: Any, ctx: IssuerContext) -> Any:
    """Resolve what the service publishes (DID documents, status lists) from its database.

    The service's own :class:`PublishedDocuments`, with no network behind it:
    for tests of the services themselves (the live-server tests go over HTTP).
    """
    from badges.did import ResolutionError
    from issuer.services.published import PublishedDocuments

    published = PublishedDocuments(database, ctx, fixed_clock(NOW))

    def fetch(target: str) -> Mapping[str, Any]:
        found = published(target)
        if found is None:
            raise ResolutionError(f"{target} is not published here", code="fetch_failed")
        return found
    return fetch


def verify(document: str, database: Any, ctx: IssuerContext, now: Any = NOW) -> Any:
    """verify_credential with the service's published documents and status lists."""
    from badges.status import make_status_checker
    from badges.verify import verify_credential

    fetch = fetcher(database, ctx)
    return verify_credential(document, now=now, fetch_document=fetch,
                             check_status=make_status_checker(fetch_document=fetch, now=now))


def status_entries(document: str | Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A credential's ``credentialStatus`` as a list (one object, or an array of entries)."""
    doc = json.loads(document) if isinstance(document, str) else document
    value = doc["credentialStatus"]
    return list(value) if isinstance(value, list) else [value]


def suspension_on(app: Flask, *slugs: str) -> None:
    """Switch suspension on for these issuers, as ``badges issuers suspension --on`` does."""
    from issuer.services import status

    with app.extensions["badges"]["db"].session() as session:
        for slug in slugs:
            status.set_suspension(session, organizations.get(session, slug), enabled=True,
                                  actor="test", now=NOW)
