"""One image everywhere: every output of a credential shows the achievement's art (issue #17).

For the generated default, an uploaded SVG and an uploaded PNG, the
catalogue, wallet, share page, baked PNG, baked SVG, certificate PDF,
verifier result and the Achievement's ``image`` are fetched as a reader gets
them, and their pictures compared by digest: the SHA-256 of the PNG
rendition (a baked PNG less its credential chunk is that PNG byte for byte;
a baked SVG less its credential is the SVG rendition, whose PNG rendition is
:func:`issuer.badge_art.png_of`); the certificate's embedded image is
compared by its decoded pixels, since a PDF stores pixels, not PNG files.
Every ``alt`` and the credential's ``image.caption`` must be the art's text.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import struct
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image
from pypdf import PdfReader

from badges import baking
from issuer import badge_art
from issuer.models import AuditEvent
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

UPLOADED_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">'
    '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" '
    'stop-color="#6a1b9a"/><stop offset="1" stop-color="#1f5a96"/></linearGradient></defs>'
    '<path d="M60 4 L112 34 L112 86 L60 116 L8 86 L8 34 Z" fill="url(#g)"/>'
    '<path d="M38 62 L54 78 L84 44" fill="none" stroke="#fff" stroke-width="9"/></svg>')
SVG_ALT = "Blended Learning Design badge: a purple-to-blue hexagon with a white check mark"
PNG_ALT = "Blended Learning Design badge: a solid teal square"


def _png_upload() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (200, 200), (0, 105, 124, 255)).save(out, format="PNG")
    return out.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pixels(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        return _sha(image.convert("RGBA").tobytes())


def _strip_png(baked: bytes) -> bytes:
    """The baked PNG without its ``openbadgecredential`` iTXt chunk."""
    out, at = bytearray(baked[:8]), 8
    while at < len(baked):
        (length,) = struct.unpack(">I", baked[at:at + 4])
        end = at + 12 + length
        if not (baked[at + 4:at + 8] == b"iTXt"
                and baked[at + 8:at + 8 + length].startswith(b"openbadgecredential\x00")):
            out += baked[at:end]
        at = end
    return bytes(out)


def _strip_svg(baked: bytes) -> bytes:
    """The baked SVG without its ``openbadges:credential`` element and namespace."""
    text = re.sub(rb"<openbadges:credential\b.*?</openbadges:credential>", b"", baked,
                  flags=re.DOTALL)
    return text.replace(b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"', b"")


def _img(page: str, src_part: str) -> tuple[str, str]:
    """The src and alt of the first <img> whose src contains ``src_part``."""
    for tag in re.findall(r"<img\b[^>]*>", page):
        src = re.search(r'src="([^"]+)"', tag)
        if src and src_part in html.unescape(src.group(1)):
            alt = re.search(r'alt="([^"]*)"', tag)
            return html.unescape(src.group(1)), html.unescape(alt.group(1) if alt else "")
    raise AssertionError(f"no <img> with {src_part!r} in the page")


def _path(url: str) -> str:
    return url.removeprefix("https://badges.test")


@pytest.mark.parametrize("kind", ["generated", "svg", "png"])
def test_every_output_shows_the_same_image(app: Flask, world: World, kind: str,
                                           as_user: Callable[[str], Browser]) -> None:
    achievement_id = world.achievements["blended"]
    admin = as_user("admin")
    if kind != "generated":
        data, alt, name = (UPLOADED_SVG.encode(), SVG_ALT, "badge.svg") if kind == "svg" \
            else (_png_upload(), PNG_ALT, "badge.png")
        response = admin.post(f"/district/badge-art/{achievement_id}",
                              data={"image": (io.BytesIO(data), name), "alt": alt,
                                    "org": "lakeside"},
                              content_type="multipart/form-data")
        assert response.status_code == 303
        page = admin.get(response.headers["Location"]).get_data(as_text=True)
        assert "now has the uploaded image everywhere" in page, page[:3000]
    teacher_name, teacher_email, _ = PEOPLE["teacher"]
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design", email=teacher_email,
                                name=teacher_name, actor="test", now=NOW)
        token, document = issued.share_token, issued.document
        session.commit()
    client = app.test_client()
    art_png = client.get(f"/achievements/{achievement_id}/image.png").data
    art_svg = client.get(f"/achievements/{achievement_id}/image.svg").data
    digest = _sha(art_png)
    assert _sha(badge_art.png_of(art_svg)) == digest
    alt = re.search(rb"<title>([^<]*)</title>", art_svg)
    assert alt is not None
    expected_alt = html.unescape(alt.group(1).decode())
    if kind == "generated":
        assert expected_alt.startswith("Blended Learning Design badge: a ")
        assert "hexagon" not in expected_alt  # the fixture's stale alt text is not used
    else:
        assert expected_alt == (SVG_ALT if kind == "svg" else PNG_ALT)
        if kind == "png":
            assert _pixels(art_png) == _pixels(_png_upload())

    digests: dict[str, str] = {}
    alts: dict[str, str] = {}
    teacher = as_user("teacher")
    # catalogue and wallet: the SVG rendition
    src, alts["catalogue"] = _img(teacher.get(f"/catalogue/{achievement_id}")
                                  .get_data(as_text=True), "/image.svg")
    digests["catalogue"] = _sha(badge_art.png_of(teacher.get(src).data))
    src, alts["wallet"] = _img(teacher.get("/wallet").get_data(as_text=True), "/image.svg")
    digests["wallet"] = _sha(badge_art.png_of(teacher.get(src).data))
    # the share page shows the baked PNG
    share = client.get(f"/c/{token}").get_data(as_text=True)
    src, alts["share page"] = _img(share, f"/c/{token}.png")
    digests["share page"] = _sha(_strip_png(client.get(_path(src)).data))
    # the baked downloads carry the credential and the same picture
    baked_png = client.get(f"/c/{token}.png").data
    assert baking.unbake_png(baked_png) == document
    digests["baked PNG"] = _sha(_strip_png(baked_png))
    baked_svg = client.get(f"/c/{token}.svg").data
    assert baking.unbake_svg(baked_svg) == document
    assert _strip_svg(baked_svg) == art_svg
    digests["baked SVG"] = _sha(badge_art.png_of(_strip_svg(baked_svg)))
    # the credential's Achievement names the PNG rendition, with the same caption
    image = json.loads(document)["credentialSubject"]["achievement"]["image"]
    alts["credential caption"] = image["caption"]
    digests["credential image"] = _sha(client.get(_path(image["id"])).data)
    # the verifier's result embeds the image it read
    report = client.post("/verify", data={"credential": document, "lang": "en"})
    assert report.status_code == 200
    src, alts["verifier"] = _img(report.get_data(as_text=True), "data:image/")
    assert src.startswith("data:image/png;base64,")
    digests["verifier"] = _sha(base64.b64decode(src.split(",", 1)[1]))
    for where, found in digests.items():
        assert found == digest, f"{where} shows another image"
    for where, text in alts.items():
        assert text == expected_alt, f"{where} says {text!r}"

    # the certificate embeds the same pixels, and names them with the same text
    pdf = client.get(f"/c/{token}.pdf")
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:500]
    pictures = [i for page in PdfReader(io.BytesIO(pdf.data)).pages for i in page.images]
    with Image.open(io.BytesIO(art_png)) as reference:
        size = reference.size
        want_rgb = _sha(reference.convert("RGB").tobytes())
    matches = [p for p in pictures if p.image is not None and p.image.size == size
               and _sha(p.image.convert("RGB").tobytes()) == want_rgb]
    assert matches, f"the certificate has no image with the art's pixels ({len(pictures)} images)"


def test_only_admins_of_the_achievement_may_change_its_art(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    achievement_id = world.achievements["blended"]
    form = {"image": (io.BytesIO(UPLOADED_SVG.encode()), "b.svg"), "alt": SVG_ALT}
    teacher = as_user("teacher")
    assert teacher.get("/district/badge-art").status_code == 403
    assert teacher.post(f"/district/badge-art/{achievement_id}", data=dict(form),
                        content_type="multipart/form-data").status_code == 403
    other = as_user("other_admin")
    form["image"] = (io.BytesIO(UPLOADED_SVG.encode()), "b.svg")
    assert other.post(f"/district/badge-art/{achievement_id}", data=form,
                      content_type="multipart/form-data").status_code == 404
    page = other.get("/district/badge-art").get_data(as_text=True)
    assert achievement_id not in page and world.achievements["other_blended"] in page
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "achievement.image_set")) == 0


@pytest.mark.parametrize("data,alt,message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><script>x()</script></svg>',
     "alt text", "holds a script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><image '
     b'href="https://tracker.test/p.png"/></svg>', "alt text", "external resource"),
    (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "alt text",
     "document type declaration"),
    (UPLOADED_SVG.encode(), "", "alternative text"),
    (b"", "alt text", "Choose a PNG or SVG file"),
])
def test_a_refused_upload_says_why_and_changes_nothing(
        app: Flask, world: World, as_user: Callable[[str], Browser], data: bytes, alt: str,
        message: str) -> None:
    achievement_id = world.achievements["blended"]
    client = app.test_client()
    before = client.get(f"/achievements/{achievement_id}/image.svg").data
    admin = as_user("admin")
    response = admin.post(f"/district/badge-art/{achievement_id}",
                          data={"image": (io.BytesIO(data), "x.svg"), "alt": alt},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert message in html.unescape(page) and "The image was not changed." in page
    assert client.get(f"/achievements/{achievement_id}/image.svg").data == before


def test_upload_and_going_back_are_audited(app: Flask, world: World,
                                           as_user: Callable[[str], Browser]) -> None:
    achievement_id = world.achievements["blended"]
    admin = as_user("admin")
    generated = app.test_client().get(f"/achievements/{achievement_id}/image.png")
    admin.post(f"/district/badge-art/{achievement_id}",
               data={"image": (io.BytesIO(_png_upload()), "b.png"), "alt": PNG_ALT},
               content_type="multipart/form-data")
    uploaded = app.test_client().get(f"/achievements/{achievement_id}/image.png")
    assert uploaded.data != generated.data and uploaded.headers["ETag"] != \
        generated.headers["ETag"]
    again = app.test_client().get(f"/achievements/{achievement_id}/image.png",
                                  headers={"If-None-Match": uploaded.headers["ETag"]})
    assert again.status_code == 304
    page = admin.get("/district/badge-art").get_data(as_text=True)
    assert "uploaded PNG" in page and PNG_ALT in page
    admin.post(f"/district/badge-art/{achievement_id}/generated", data={})
    assert app.test_client().get(f"/achievements/{achievement_id}/image.png").data == \
        generated.data
    with app.extensions["badges"]["db"].session() as session:
        events = list(session.scalars(sa.select(AuditEvent).where(
            AuditEvent.subject_id == achievement_id).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["achievement.image_set", "achievement.image_removed"]
    assert events[0].actor == PEOPLE["admin"][1]
    assert events[0].detail["sha256"] == _sha(uploaded.data)
    log = admin.get("/district/audit?action=achievement").get_data(as_text=True)
    assert f'href="/achievements/{achievement_id}"' in log
