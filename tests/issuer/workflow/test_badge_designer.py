"""The badge designer's pages: preview, save through the upload checks, who may (issue #17).

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from issuer import badge_art
from issuer import badge_design
from issuer.badge_design import Design
from issuer.models import AchievementImage
from issuer.models import AuditEvent
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World


def test_design_preview_and_save(app: Flask, world: World,
                                 as_user: Callable[[str], Browser]) -> None:
    achievement_id = world.achievements["blended"]
    admin = as_user("admin")
    base = f"/district/badge-art/{achievement_id}/design"
    # the Badge art page links to the designer
    assert f'href="{base}?org=lakeside"' in admin.get("/district/badge-art").get_data(
        as_text=True)
    page = admin.get(f"{base}?shape=shield&colour=teal&icon=book")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    design = Design(shape="shield", colour="teal", icon="book")
    alt = badge_design.alt_text("Blended Learning Design", "lakeside", design)
    assert f'alt="{alt}"' in text and 'value="shield" checked' in text
    assert "/assets/badge-designer.js" in text
    preview = admin.get(f"{base}/preview.svg?shape=shield&colour=teal&icon=book")
    assert preview.mimetype == "image/svg+xml"
    assert preview.data == badge_design.draw("Blended Learning Design", "lakeside", design)
    script = admin.get("/assets/badge-designer.js")
    assert script.mimetype == "text/javascript" and b"design-preview" in script.data
    # a choice that is not offered: explained, never a 500
    wrong = admin.get(f"{base}/preview.svg?shape=star")
    assert wrong.status_code == 400
    assert admin.get(f"{base}?shape=star").status_code == 400

    saved = admin.post(base, data={"shape": "shield", "colour": "teal", "icon": "book",
                                   "org": "lakeside"})
    assert saved.status_code == 303
    flash = html.unescape(admin.get(saved.headers["Location"]).get_data(as_text=True))
    assert "Blended Learning Design now has the designed image everywhere" in flash
    client = app.test_client()
    svg = client.get(f"/achievements/{achievement_id}/image.svg").data
    png = client.get(f"/achievements/{achievement_id}/image.png").data
    # stored as an upload is: rebuilt from the allow-list, titled with the design's alt text
    expected = badge_art.from_upload(
        badge_design.draw("Blended Learning Design", "lakeside", design), alt)
    assert svg == expected.svg and png == expected.png
    assert re.search(rb"<title>([^<]*)</title>", svg).group(1).decode() == alt  # type: ignore[union-attr]
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(AchievementImage, achievement_id)
        assert row is not None and row.source == "image/svg+xml" and row.alt == alt
        event = session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "achievement.image_set"))
        assert event is not None and event.detail["sha256"] == expected.digest

    # a refused design changes nothing
    refused = admin.post(base, data={"shape": "medallion", "colour": "#ff0000"})
    page_text = html.unescape(admin.get(refused.headers["Location"]).get_data(as_text=True))
    assert "not one of the district palette" in page_text
    assert "The image was not changed." in page_text
    assert client.get(f"/achievements/{achievement_id}/image.svg").data == svg

    # only the achievement's admins
    teacher = as_user("teacher")
    assert teacher.get(base).status_code == 403
    assert teacher.post(base, data={"shape": "tile"}).status_code == 403
    other = as_user("other_admin")
    assert other.get(f"{base}/preview.svg").status_code == 404
    assert other.post(base, data={"shape": "tile"}).status_code == 404
    assert client.get(f"/achievements/{achievement_id}/image.svg").data == svg
