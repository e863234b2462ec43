"""A small district for tests, built through the services."""

from __future__ import annotations

from typing import Any

import sqlalchemy.orm as so

from issuer.models import Organization
from issuer.services import achievements
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW

RUBRIC: dict[str, Any] = {"name": "Unit rubric", "criteria": [
    {"id": "design", "name": "Unit design", "levels": [
        {"id": "developing", "name": "Developing", "points": 1},
        {"id": "proficient", "name": "Proficient", "points": 2}]}]}


def district(session: so.Session, ctx: IssuerContext, slug: str = "lakeside") -> Organization:
    org = organizations.create(session, slug=slug, name="Lakeside Unified School District",
                               url="https://lakeside.example.org")
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
