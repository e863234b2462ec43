"""Endorsements by a partner (issue #20): invited by the district, signed, verified, shown.

A district admin adds a partner (its own did:web and keys) and invites its
admin by e-mail; the partner's admin endorses an achievement and the
district with a comment; badges awarded afterwards carry both, which
validate against the 1EdTech EndorsementCredential schema and verify. The
share page (English, Spanish), achievement page, issuer profile and the
verifier's page say "endorsed by …". A forged endorsement (the partner's
name, another key) and a withdrawn one are shown as not verified, never as
an endorsement. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask

from badges import dataintegrity
from badges import keys
from badges import model
from badges import schema
from badges.clr_schema import check_clr
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import SigningKey
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.services import clr as clr_service
from issuer.services import endorsements as endorsement_service
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.issuer.certificates.conftest import text_layer
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

PARTNER = "State University"
COMMENT = "Reviewed by our College of Education: rigorous and classroom-based."


def _ctx(app: Flask) -> IssuerContext:
    s = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=s.base_url, kek=s.key_encryption_key)


def _award(app: Flask, slug: str) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, _ctx(app), issuer="lakeside", achievement=slug,
                                email="maria@lakeside.test", name="María López", actor="test",
                                now=app.extensions["badges"]["settings"].clock())
        session.expunge(issued)
    return issued


def _invited_partner(app: Flask, as_user: Any) -> Browser:
    """The district admin invites the partner; its admin accepts and is signed in."""
    admin = as_user("admin")
    assert admin.get("/district/partners").status_code == 200
    answer = admin.post("/district/partners", {"name": PARTNER, "slug": "state-university",
                                               "url": "https://stateu.example.edu",
                                               "email": "dean@stateu.test"})
    assert answer.status_code == 303
    page = admin.get("/district/partners").get_data(as_text=True)
    assert PARTNER in page
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", page)
    assert token is not None
    partner = Browser(app.test_client())
    partner.get(f"/invite/{token.group(1)}")
    accepted = partner.post(f"/invite/{token.group(1)}", {"name": "Dean Rivera",
                                                          "password": PASSWORD})
    assert accepted.status_code == 303, accepted.get_data(as_text=True)
    return partner


def _verify_page(app: Flask, credential: str, lang: str = "en") -> str:
    return app.test_client().post(f"/verify?lang={lang}", data={"credential": credential},
                                  content_type="multipart/form-data").get_data(as_text=True)


def test_an_invited_partner_endorses_and_badges_carry_it_verified_and_shown(
        app: Flask, world: World, as_user: Any) -> None:
    partner = _invited_partner(app, as_user)
    sent = partner.get("/district/partners")  # the start page's link, for a partner
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/partner/endorsements")
    form = partner.get("/partner/endorsements").get_data(as_text=True)
    assert "Blended Learning Design" in form and "Lakeside Unified" in form
    base = app.extensions["badges"]["settings"].base_url
    achievement_id = f"{base}/achievements/{world.achievements['blended']}"
    with app.extensions["badges"]["db"].session() as session:
        district = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert district is not None
        district_did = organizations.issuer_did(base, district)
    for subject in (achievement_id, district_did):
        assert partner.post("/partner/endorsements", {"subject": subject,
                                                      "comment": COMMENT}).status_code == 303
    # another district's achievement is not the partner's to endorse
    other = f"{base}/achievements/{world.achievements['other_blended']}"
    assert partner.post("/partner/endorsements", {"subject": other,
                                                  "comment": COMMENT}).status_code == 404

    with app.extensions["badges"]["db"].session() as session:
        rows = list(session.scalars(sa.select(Endorsement)))
        assert {r.subject_id for r in rows} == {achievement_id, district_did}
        for row in rows:  # each validates against the 1EdTech EndorsementCredential schema
            document = json.loads(row.document)
            assert schema.check_endorsement(document) == []
            assert document["credentialSubject"]["endorsementComment"] == COMMENT
            assert document["issuer"]["name"] == PARTNER
            assert document["issuer"]["id"].endswith(":issuers:state-university")

    issued = _award(app, "blended-learning-design")
    credential = json.loads(issued.document)
    assert schema.check_credential(credential) == []
    held = credential["credentialSubject"]["achievement"]["endorsement"]
    assert [e["credentialSubject"]["id"] for e in held] == [achievement_id]
    assert [e["credentialSubject"]["id"] for e in credential["issuer"]["endorsement"]] == [
        district_did]
    api = app.test_client().post("/api/v1/verify", json=credential).get_json()
    checks = {c["id"]: c for c in api["checks"]}
    assert api["verified"] is True, checks
    assert checks["endorsements"]["code"] == "endorsements_valid"

    share = f"/c/{issued.share_token}"
    client = app.test_client()
    english = client.get(share + "?lang=en").get_data(as_text=True)
    assert english.count(f"Endorsed by {PARTNER}") == 2 and COMMENT in english
    assert "did not verify" not in english
    assert f"Avalado por {PARTNER}" in client.get(share + "?lang=es").get_data(as_text=True)
    page = client.get(f"/achievements/{world.achievements['blended']}").get_data(as_text=True)
    assert f"Endorsed by {PARTNER}" in page and COMMENT in page
    ld = client.get(f"/achievements/{world.achievements['blended']}",
                    headers={"Accept": "application/ld+json"}).get_json()
    assert [e["credentialSubject"]["id"] for e in ld["endorsement"]] == [achievement_id]
    assert f"Endorsed by {PARTNER}" in client.get("/issuers/lakeside").get_data(as_text=True)
    certificate = text_layer(client.get(share + ".pdf").data)
    assert f"Endorsed by {PARTNER}" in " ".join(certificate.split())
    with app.extensions["badges"]["db"].session() as session:  # a CLR holding it
        record = clr_service.teacher_clr(session, _ctx(app), issuer="lakeside",
                                         email="maria@lakeside.test", actor="test",
                                         now=app.extensions["badges"]["settings"].clock())
    assert check_clr(record.document) == []
    for lang, words in (("en", "Endorsed by"), ("es", "Avalado por")):
        report = _verify_page(app, issued.document, lang)
        assert 'data-verdict="verified"' in report
        assert report.count(f'data-testid="endorsed-by"><strong>{words} {PARTNER}') == 2

    # withdrawn: off the achievement page; the badge that carries it now reads it revoked
    endorsement = next(r.id for r in rows if r.subject_id == achievement_id)
    assert partner.post(f"/partner/endorsements/{endorsement}/withdraw").status_code == 303
    page = client.get(f"/achievements/{world.achievements['blended']}").get_data(as_text=True)
    assert "Endorsed by" not in page
    english = client.get(share + "?lang=en").get_data(as_text=True)
    assert english.count(f"Endorsed by {PARTNER}") == 1  # the district's still stands
    assert f"An endorsement in the name of {PARTNER} did not verify" in english
    api = client.post("/api/v1/verify", json=credential).get_json()
    assert api["verified"] is False
    assert {c["id"]: c["code"] for c in api["checks"]}["endorsements"] == "endorsement_revoked"


def forge(session: Any, ctx: IssuerContext, *, partner: Organization, district: Organization,
          achievement_id: str, now: Any) -> None:
    """Store an endorsement in the partner's name signed with a key that is not the partner's."""
    did = organizations.issuer_did(ctx.base_url, partner)
    stranger = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
    sl = status.open_list(session, partner, StatusPurpose.REVOCATION)
    subject = f"{ctx.base_url}/achievements/{achievement_id}"
    document = model.EndorsementCredential(
        id=f"urn:uuid:{uuid.uuid4()}", issuer=organizations.profile(ctx.base_url, partner),
        valid_from=now, name=f"{partner.name} endorses", subject_id=subject,
        endorsement_comment=COMMENT, credential_status=(status.entry_model(
            ctx.base_url, partner, StatusPurpose.REVOCATION, sl.number, 7),)).to_json()
    signed = dataintegrity.sign_credential(document, key=stranger,
                                           created=model.format_datetime(now))
    key = session.scalar(sa.select(SigningKey).where(SigningKey.organization_id == partner.id))
    assert key is not None
    session.add(Endorsement(
        credential_id=document["id"], partner_id=partner.id, district_id=district.id,
        achievement_id=achievement_id, subject_id=subject, comment=COMMENT,
        document=json.dumps(signed), signing_key_id=key.id, status_list_id=sl.id,
        status_index=7, issued_at=now, issued_by="forger"))


def _forged(app: Flask, achievement_id: str) -> None:
    ctx = _ctx(app)
    now = app.extensions["badges"]["settings"].clock().replace(microsecond=0)
    with app.extensions["badges"]["db"].session() as session:
        district = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert district is not None
        link = endorsement_service.add_partner(session, ctx, district=district,
                                               slug="state-university", name=PARTNER,
                                               url=None, actor="test", now=now)
        forge(session, ctx, partner=link.partner, district=district,
              achievement_id=achievement_id, now=now)


def test_a_forged_endorsement_is_shown_as_not_verified_never_as_an_endorsement(
        app: Flask, world: World) -> None:
    _forged(app, world.achievements["data"])
    client = app.test_client()
    page = client.get(f"/achievements/{world.achievements['data']}").get_data(as_text=True)
    assert "Endorsed by" not in page and COMMENT not in page
    assert f"An endorsement in the name of {PARTNER} did not verify" in page

    issued = _award(app, "data-informed-instruction")  # carries the forged endorsement
    share = f"/c/{issued.share_token}"
    for lang, words, warning in (("en", "Endorsed by", "did not verify"),
                                 ("es", "Avalado por", "no se pudo verificar")):
        html = client.get(f"{share}?lang={lang}").get_data(as_text=True)
        assert words not in html and COMMENT not in html and warning in html
        report = _verify_page(app, issued.document, lang)
        assert 'data-testid="endorsed-by"' not in report
        assert 'data-testid="endorsement-not-verified"' in report and PARTNER in report
        assert 'data-verdict="verified"' not in report
    pdf = client.get(share + ".pdf")
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[-600:]
    certificate = " ".join(text_layer(pdf.data).split())
    assert "Endorsed by" not in certificate and PARTNER not in certificate
    api = client.post("/api/v1/verify", data=issued.document,
                      content_type="application/json").get_json()
    assert api["verified"] is False
    assert {c["id"]: c["code"] for c in api["checks"]}["endorsements"] == "endorsement_forged"
