"""Badge art is part of an achievement version; alignments reach the certificate and verifier.

Issue #17: replacing the art of a published achievement that has awards
makes a new version, and a credential issued before keeps exactly its
image: its baked PNG and SVG, the versioned image its ``image.id`` names,
its certificate and the verifier's result all show version 1's picture
(compared by digest), while a credential issued afterwards shows the new
one; without awards the art changes in place. Renaming afterwards makes
version 3; the first certificate still shows version 1's text. The
verifier page lists the achievement's alignments in English and Spanish,
the API's summary too; the certificate shows them. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from PIL import Image
from pypdf import PdfReader

from issuer import badge_art
from issuer.models import Achievement
from issuer.models import AuditEvent
from issuer.services import authoring
from issuer.services import issuance
from issuer.services import organizations
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_badge_art_everywhere import SVG_ALT
from tests.issuer.workflow.test_badge_art_everywhere import UPLOADED_SVG
from tests.issuer.workflow.test_badge_art_everywhere import _img
from tests.issuer.workflow.test_badge_art_everywhere import _path
from tests.issuer.workflow.test_badge_art_everywhere import _sha
from tests.issuer.workflow.test_badge_art_everywhere import _strip_png
from tests.issuer.workflow.test_badge_art_everywhere import _strip_svg


def _award(app: Flask, email_key: str) -> tuple[str, str, int | None]:
    name, email, _ = PEOPLE[email_key]
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design", email=email, name=name,
                                actor="test", now=NOW)
        out = issued.share_token, issued.document, issued.achievement_version
        session.commit()
    return out


def _certificate(client: object, token: str) -> tuple[str, list[str]]:
    """The certificate's text and the RGB digests of the images it embeds."""
    response = client.get(f"/c/{token}.pdf")  # type: ignore[attr-defined]
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    pictures = [_sha(p.image.convert("RGB").tobytes()) for page in reader.pages
                for p in page.images if p.image is not None]
    return " ".join(text.split()), pictures


def _rgb(png: bytes) -> str:
    with Image.open(io.BytesIO(png)) as image:
        return _sha(image.convert("RGB").tobytes())


def test_new_art_on_an_awarded_badge_is_a_new_version_and_old_credentials_keep_theirs(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    achievement_id = world.achievements["blended"]
    client = app.test_client()
    token, document, version = _award(app, "teacher")
    assert version == 1
    v1_png = client.get(f"/achievements/{achievement_id}/image.png").data
    v1_alt = json.loads(document)["credentialSubject"]["achievement"]["image"]["caption"]
    image_id = json.loads(document)["credentialSubject"]["achievement"]["image"]["id"]
    assert image_id.endswith(f"/achievements/{achievement_id}/versions/1/image.png")

    admin = as_user("admin")
    response = admin.post(f"/district/badge-art/{achievement_id}",
                          data={"image": (io.BytesIO(UPLOADED_SVG.encode()), "b.svg"),
                                "alt": SVG_ALT, "org": "lakeside"},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    with app.extensions["badges"]["db"].session() as session:
        achievement = session.get(Achievement, achievement_id)
        assert achievement is not None and achievement.version == "2"
        event = session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "achievement.image_set"))
        assert event is not None and event.detail["newVersion"] is True
        assert [v.number for v in authoring.versions(session, achievement)] == [1, 2]
    v2_png = client.get(f"/achievements/{achievement_id}/image.png").data
    assert _sha(v2_png) != _sha(v1_png)
    assert _sha(badge_art.png_of(client.get(
        f"/achievements/{achievement_id}/image.svg").data)) == _sha(v2_png)

    # the first credential keeps version 1's picture everywhere
    old = {
        "versioned image": client.get(_path(image_id)).data,
        "baked PNG": _strip_png(client.get(f"/c/{token}.png").data),
        "baked SVG": badge_art.png_of(_strip_svg(client.get(f"/c/{token}.svg").data)),
    }
    report = client.post("/verify", data={"credential": document, "lang": "en"})
    src, alt = _img(report.get_data(as_text=True), "data:image/")
    old["verifier"] = base64.b64decode(src.split(",", 1)[1])
    assert alt == v1_alt and alt != SVG_ALT
    # the verifier lists the alignments, in English and in Spanish, and the API too
    page = report.get_data(as_text=True)
    assert "Aligned to these standards" in page
    assert '<a href="https://iste.org/standards" rel="noopener noreferrer">ISTE Educator ' \
           '2.5.a</a> <span class="muted">(ISTE Standards)</span>' in page
    spanish = client.post("/verify", data={"credential": document, "lang": "es"})
    assert "Alineada con estos estándares" in spanish.get_data(as_text=True)
    assert "ISTE Educator 2.5.a" in spanish.get_data(as_text=True)
    api = client.post("/api/v1/verify", json=json.loads(document))
    assert api.status_code == 200, api.get_data(as_text=True)[:300]
    assert api.get_json()["summary"]["alignments"] == [
        {"name": "ISTE Educator 2.5.a", "code": None, "framework": "ISTE Standards",
         "url": "https://iste.org/standards"}]
    for where, png in old.items():
        assert _sha(png) == _sha(v1_png), f"{where} shows the new art"
    _, pictures = _certificate(client, token)
    assert _rgb(v1_png) in pictures and _rgb(v2_png) not in pictures

    # a credential issued now is version 2 and shows the new picture
    token2, document2, version2 = _award(app, "mentor")
    assert version2 == 2
    image2 = json.loads(document2)["credentialSubject"]["achievement"]["image"]
    assert image2["caption"] == SVG_ALT and image2["id"].endswith("/versions/2/image.png")
    assert _sha(_strip_png(client.get(f"/c/{token2}.png").data)) == _sha(v2_png)
    assert _rgb(v2_png) in _certificate(client, token2)[1]
    assert client.get(f"/achievements/{achievement_id}/versions/9/image.png").status_code == 404

    # renamed afterwards (version 3): the first certificate still shows version 1's text
    with app.extensions["badges"]["db"].session() as session:
        org = organizations.get(session, "lakeside")
        achievement = session.get(Achievement, achievement_id)
        assert achievement is not None
        changed = authoring.document(session, achievement, base_url="https://badges.test")
        changed = {k: v for k, v in changed.items()
                   if k not in ("id", "url", "issuer", "status", "version", "versions")}
        changed["name"] = "Hybrid Course Studio"
        _, made = authoring.update(session, org, "blended-learning-design", changed,
                                   actor="test", now=NOW)
        session.commit()
    assert made
    text, pictures = _certificate(client, token)
    assert "Blended Learning Design" in text and "Hybrid Course Studio" not in text
    assert "ISTE Educator 2.5.a" in text  # the certificate shows the alignment
    assert _rgb(v1_png) in pictures
    # the renamed version keeps the uploaded art; version 2's credential too
    assert _sha(client.get(f"/achievements/{achievement_id}/image.png").data) == _sha(v2_png)
    assert _sha(_strip_png(client.get(f"/c/{token2}.png").data)) == _sha(v2_png)

    # an achievement without awards changes its art in place (version 1 stays)
    unawarded = world.achievements["data"]
    admin.post(f"/district/badge-art/{unawarded}",
               data={"image": (io.BytesIO(UPLOADED_SVG.encode()), "b.svg"), "alt": SVG_ALT},
               content_type="multipart/form-data")
    admin.post(f"/district/badge-art/{unawarded}/generated", data={})
    with app.extensions["badges"]["db"].session() as session:
        achievement = session.get(Achievement, unawarded)
        assert achievement is not None and achievement.version == "1"
        details = [e.detail for e in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.subject_id == unawarded).order_by(AuditEvent.id))]
    assert [d["newVersion"] for d in details] == [False, False]

