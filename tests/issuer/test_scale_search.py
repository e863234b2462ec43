"""The credentials search at scale: PostgreSQL answers "%needle%" from a trigram index."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from issuer.db import Database
from issuer.models import Organization
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from issuer.workflow import credentials
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.conftest import Templates


def test_search_finds_name_address_id_and_achievement(database: Database,
                                                      ctx: IssuerContext) -> None:
    with database.session() as session:
        seed.district(session, ctx)
        for n, (email, name) in enumerate((("tom@lakeside.example.org", "Tom Nakamura"),
                                           ("maria@lakeside.example.org", "María López"))):
            issuance.award(session, ctx, issuer="lakeside",
                           achievement=("blended-learning-design", "data-informed-instruction")[n],
                           email=email, name=name, actor="test", now=NOW + timedelta(minutes=n))
    with database.session() as session:
        scope = frozenset(session.scalars(sa.select(Organization.id)))

        def names(text: str) -> set[str]:
            page = credentials.search(session, scope, credentials.Query(text=text), now=NOW)
            return {row.credential.recipient_name for row in page.rows}

        some = credentials.search(session, scope, credentials.Query(), now=NOW).rows[0]
        assert names("NAKAMURA") == {"Tom Nakamura"}
        assert names("maria@lake") == {"María López"}
        assert names("blended") == {"Tom Nakamura"}  # the achievement's name
        assert names(some.credential.credential_id[-12:]) == {some.credential.recipient_name}
        assert names(some.credential.id) == {some.credential.recipient_name}
        assert names("100%") == set() and names("_") == set()  # LIKE wildcards are text
        assert names(str(uuid.uuid4())) == set()


def test_postgresql_search_uses_the_trigram_index(templates: Templates) -> None:
    database = Database(templates.fresh("postgresql"))
    try:
        with database.session() as session:
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table else
            query = sa.select(sa.func.count()).select_from(credentials.IssuedCredential).where(
                credentials._text_filter(session, "nakamura"))
            compiled = query.compile(session.get_bind(),
                                     compile_kwargs={"literal_binds": True})
            plan = "\n".join(row[0] for row in session.execute(
                sa.text(f"EXPLAIN {compiled}")))
    finally:
        database.dispose()
        templates.drop(database.url)
    assert "Bitmap Index Scan on ix_issued_credentials_search_trgm" in plan, plan
