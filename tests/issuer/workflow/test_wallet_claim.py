"""The wallet's "Claim in a wallet" offer (OpenID4VCI 1.0 §4.1), for the badge's owner only."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models_oid4vci import CredentialOffer
from issuer.services import issuance
from issuer.services import oid4vci
from issuer.services import status
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World


def _award(app: Flask) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        return issuance.award(session, seed.app_context(app), issuer="lakeside",
                              achievement="blended-learning-design",
                              email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0],
                              actor="test", now=NOW)


def test_the_owner_gets_a_single_use_offer_with_a_qr_code(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    teacher = as_user("teacher")
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert f"/wallet/{issued.id}/claim" in wallet and "Claim in a wallet" in wallet
    page = teacher.post(f"/wallet/{issued.id}/claim")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html
    start = html.index('href="openid-credential-offer://') + len('href="')
    link = html[start:html.index('"', start)].replace("&amp;", "&")
    offer = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    assert offer["credential_issuer"] == app.extensions["badges"]["settings"].base_url
    assert set(offer["credential_configuration_ids"]) == set(oid4vci.CONFIGURATIONS)
    code = offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalars(sa.select(CredentialOffer)).one()
        assert code not in (row.code_hash, row.created_by)  # only its hash is stored
        assert session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.offer_created")).one()
    form = {"grant_type": oid4vci.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    anonymous = app.test_client()
    first = anonymous.post("/oid4vci/token", data=form)
    assert first.status_code == 200 and first.json and first.json["token_type"] == "Bearer"
    again = anonymous.post("/oid4vci/token", data=form)
    assert again.status_code == 400 and again.json
    assert again.json["error"] == "invalid_grant"


def test_only_the_owner_and_only_a_live_badge(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    assert as_user("teacher2").post(f"/wallet/{issued.id}/claim").status_code == 404
    assert as_user("anonymous").post(f"/wallet/{issued.id}/claim").status_code in (400, 401)
    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued.credential_id, reason=None, public=False, actor="test",
                      now=NOW)
    teacher = as_user("teacher")
    assert "Claim in a wallet" not in teacher.get("/wallet").get_data(as_text=True)
    refused = teacher.post(f"/wallet/{issued.id}/claim")
    assert refused.status_code == 409
    assert "cannot be claimed" in refused.get_data(as_text=True)
