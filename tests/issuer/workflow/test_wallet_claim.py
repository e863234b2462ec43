"""The wallet's "Claim in a wallet" offer (OpenID4VCI 1.0 §4.1), for the badge's owner only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_oid4vci import CredentialOffer
from issuer.models_workflow import MailMessage
from issuer.services import issuance
from issuer.services import oid4vci
from issuer.services import status
from issuer.workflow import notifications
from issuer.workflow.notifications import outbox_key
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


def _offer(app: Flask, link: str) -> dict[str, Any]:
    uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    assert uri.startswith(app.extensions["badges"]["settings"].base_url + "/oid4vci/offers/")
    answer = app.test_client().get(urlsplit(uri).path)
    assert answer.status_code == 200 and answer.json is not None
    assert answer.headers["Cache-Control"] == "no-store"
    offer: dict[str, Any] = answer.json
    return offer


def test_the_owner_gets_a_single_use_offer_with_a_qr_code(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    teacher = as_user("teacher")
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert f"/wallet/{issued.id}/claim" in wallet and "Claim in a wallet" in wallet
    page = teacher.post(f"/wallet/{issued.id}/claim")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 2  # the OpenID4VCI offer and the LCW link
    start = html.index('href="openid-credential-offer://') + len('href="')
    link = html[start:html.index('"', start)].replace("&amp;", "&")
    offer = _offer(app, link)
    assert offer["credential_issuer"] == app.extensions["badges"]["settings"].base_url
    assert set(offer["credential_configuration_ids"]) == set(oid4vci.CONFIGURATIONS)
    code = offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    with app.extensions["badges"]["db"].session() as session:
        row = session.scalars(sa.select(CredentialOffer)).one()
        assert code not in (row.code_hash, row.created_by)  # only its hash is stored
        assert session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.offer_created")).one()
    # the Learner Credential Wallet's deep link and the CHAPI offer name the offer's exchange
    start = html.index('href="https://lcw.app/request.html?request=') + len('href="')
    lcw = html[start:html.index('"', start)].replace("&amp;", "&")
    exchange = json.loads(parse_qs(urlsplit(lcw).query)["request"][0])["protocols"]["vcapi"]
    chapi = json.loads(html[html.index('id="chapi-offer">') + len('id="chapi-offer">'):
                            html.index("</script>", html.index('id="chapi-offer"'))])
    assert chapi["options"]["protocols"] == {"vcapi": exchange, "OID4VCI": link}
    assert chapi["dataType"] == "VerifiablePresentation"
    vpr = app.test_client().post(urlsplit(exchange).path, json={})
    assert vpr.status_code == 200 and vpr.json and "verifiablePresentationRequest" in vpr.json
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


def test_a_district_rule_sends_a_transaction_code_by_email(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    database = app.extensions["badges"]["db"]
    with database.session() as session:
        org = session.scalars(sa.select(Organization).where(
            Organization.slug == "lakeside")).one()
        oid4vci.set_tx_code_rule(session, org, enabled=True, actor="test", now=NOW)
    page = as_user("teacher").post(f"/wallet/{issued.id}/claim")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "6-digit code" in html and PEOPLE["teacher"][1] in html
    # the exchange cannot ask for the code: no Learner Credential Wallet link then
    assert "lcw.app" not in html and "chapi-offer" not in html
    start = html.index('href="openid-credential-offer://') + len('href="')
    link = html[start:html.index('"', start)].replace("&amp;", "&")
    offer = _offer(app, link)
    grant = offer["grants"][oid4vci.PRE_AUTHORIZED_GRANT]
    assert grant["tx_code"] == {"length": 6, "input_mode": "numeric",
                                "description": "The code sent to you by e-mail"}
    with database.session() as session:
        message = session.scalars(sa.select(MailMessage).where(
            MailMessage.kind == "claim_tx_code")).one()
        assert message.to_address == PEOPLE["teacher"][1]
        body = notifications.unseal(message, outbox_key(
            app.extensions["badges"]["settings"].key_encryption_key))
        assert body is not None  # stored sealed: the code is not readable in the database
        assert not message.body.startswith("Your wallet")
    code = re.search(r"The code is (\d{6})\.", body)
    assert code is not None
    form = {"grant_type": oid4vci.PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": grant["pre-authorized_code"]}
    anonymous = app.test_client()
    missing = anonymous.post("/oid4vci/token", data=form)
    assert missing.status_code == 400 and missing.json
    assert missing.json["error"] == "invalid_request"
    ok = anonymous.post("/oid4vci/token", data={**form, "tx_code": code.group(1)})
    assert ok.status_code == 200, ok.json
