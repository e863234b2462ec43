"""A batch award carries the partners' endorsements, as a single award does (issue #20)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from badges import schema
from issuer.db import Database
from issuer.models import IssuedCredential
from issuer.services import achievements
from issuer.services import endorsements
from issuer.services import organizations
from issuer.services.context import IssuerContext
from tests.issuer import seed
from tests.issuer.batch.conftest import Backend
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch
from tests.issuer.batch.conftest import now

pytestmark = pytest.mark.usefixtures("district")


# one engine and one backend: what is particular here is only reading the endorsements
# once per achievement (plain selects); the engines and backends are covered by test_runs
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("backend", ["inprocess"], indirect=True)
def test_batch_awards_embed_the_current_endorsements(database: Database, ctx: IssuerContext,
                                                     backend: Backend) -> None:
    with database.session() as session:
        district = organizations.get(session, "lakeside")
        link = endorsements.add_partner(session, ctx, district=district, slug="state-agency",
                                        name="State Education Agency", url=None, actor="test",
                                        now=now())
        definition = achievements.get(session, district, "blended-learning-design")
        about = f"{ctx.base_url}/achievements/{definition.id}"
        endorsements.endorse(session, ctx, partner=link.partner, subject_id=about,
                             comment="Meets the state's standard.", actor="test", now=now())
    batch_id = make_batch(database, award_csv(3), backend=backend.name)
    backend.run(batch_id)
    with database.session() as session:
        documents = [json.loads(d) for d in session.scalars(sa.select(IssuedCredential.document))]
    assert len(documents) == 3
    for credential in documents:
        held = credential["credentialSubject"]["achievement"]["endorsement"]
        assert [e["issuer"]["name"] for e in held] == ["State Education Agency"]
        assert schema.check_credential(credential) == []
        report = seed.verify(json.dumps(credential), database, ctx, now=now())
        assert report.check("endorsements").code == "endorsements_valid", report.checks
