"""Batch status allocation (issuer/batch/allocation.py): positions an endorsement holds are
never drawn for a credential, (BSL §6.4: one position, one
verifiable credential)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from issuer.batch import allocation
from issuer.db import Database
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW

LANE = 5


@pytest.mark.usefixtures("district")
def test_a_batch_never_draws_an_index_an_endorsement_holds(database: Database,
                                                           ctx: IssuerContext) -> None:
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        sl = status.open_list(session, org, StatusPurpose.REVOCATION)
        key = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                          base_url=ctx.base_url).row
        lane = list(range(LANE, sl.length, allocation.LANES))
        held = lane[:-50]  # all but fifty of the lane's positions
        session.execute(sa.insert(Endorsement), [
            {"credential_id": f"urn:uuid:{uuid.uuid4()}", "partner_id": org.id,
             "district_id": org.id, "subject_id": "https://elsewhere.example/programme",
             "comment": "Fine work.", "document": "{}", "signing_key_id": key.id,
             "status_list_id": sl.id, "status_index": index, "issued_at": NOW,
             "issued_by": "test"} for index in held])
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        slots = allocation.draw(session, org, StatusPurpose.REVOCATION, 40, lane=LANE)
    drawn = [slot.index for slot in slots]
    assert len(set(drawn)) == 40
    assert set(drawn) <= set(lane[-50:])  # the lane's free positions, none an endorsement's
