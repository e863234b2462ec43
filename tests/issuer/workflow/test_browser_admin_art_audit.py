"""Badge art upload and the audit log in a real browser (Playwright driving Debian's Chromium).

A district admin uploads an SVG on the Badge art page; Chromium draws it
there and on the share page of a credential issued afterwards (the image
loads, with the admin's alt text); the Audit log lists the upload, filters
to it, exports it as CSV and links to the achievement. In the designer the
admin picks a template, icon and colour; the preview (with its alt text)
follows without a reload and the design is saved as another badge's art.
The pages pass axe-core and fit a phone screen. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from issuer import badge_design
from issuer.badge_design import Design
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.browser.conftest import axe_violations
from tests.issuer.conftest import NOW
from tests.issuer.conftest import LiveServer
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_badge_art_everywhere import SVG_ALT
from tests.issuer.workflow.test_badge_art_everywhere import UPLOADED_SVG
from tests.issuer.workflow.test_browser_loop import ARGS
from tests.issuer.workflow.test_browser_loop import DESKTOP
from tests.issuer.workflow.test_browser_loop import PHONE
from tests.issuer.workflow.test_browser_loop import Person

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("BADGES_CHROMIUM", "/usr/bin/chromium")
DRAWN = "(img) => img.complete && img.naturalWidth > 0"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup --dev")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def test_upload_art_then_find_it_in_the_audit_log(chromium: Any, live_server: LiveServer,
                                                  db_url: str, tmp_path: Path) -> None:
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    world = build_world(live_server.app)
    base = live_server.base_url
    admin = Person(chromium, base, engine, "admin", DESKTOP)
    admin.sign_in_with_keyboard(PEOPLE["admin"][1])
    page = admin.page

    page.get_by_role("link", name="District", exact=True).click()
    page.get_by_role("link", name="Badge art").click()
    page.get_by_role("heading", name="Badge art", level=1).wait_for()
    assert axe_violations(page) == []
    admin.shot("art-01-badge-art")
    section = page.locator(f"#a-{world.achievements['blended']}")
    (tmp_path / "badge.svg").write_text(UPLOADED_SVG)
    section.get_by_label("PNG or SVG file").set_input_files(str(tmp_path / "badge.svg"))
    section.get_by_label("What the image shows").fill(SVG_ALT)
    section.get_by_role("button", name="Upload the image for Blended Learning Design").click()
    page.get_by_text("Blended Learning Design now has the uploaded image everywhere").wait_for()
    image = page.locator(f"#a-{world.achievements['blended']} img")
    assert image.get_attribute("alt") == SVG_ALT
    image.evaluate("(img) => img.decode()")
    assert image.evaluate(DRAWN)
    admin.shot("art-02-uploaded")

    # a credential issued now shows that image on its share page
    settings = live_server.app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=base, kek=settings.key_encryption_key)
    with live_server.app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design",
                                email=PEOPLE["teacher"][1], name=PEOPLE["teacher"][0],
                                actor="test", now=NOW)
        share = issuance.share_url(base, issued)
        session.commit()
    page.goto(share)
    badge = page.get_by_role("img", name=SVG_ALT)
    badge.evaluate("(img) => img.decode()")
    assert badge.evaluate(DRAWN)

    # the audit log has the upload; filtered, exported, linked
    page.goto("/district")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log", level=1).wait_for()
    assert axe_violations(page) == []
    admin.shot("art-03-audit")
    page.get_by_label("Action").select_option("achievement.image_set")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("1 entry found").wait_for()
    assert "credential.awarded" not in page.locator("table").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries (CSV)").click()
    exported = Path(download.value.path()).read_text("utf-8").splitlines()
    assert len(exported) == 2 and "achievement.image_set" in exported[1]
    assert PEOPLE["admin"][1] in exported[1]
    page.get_by_role("link", name=world.achievements["blended"]).click()
    page.get_by_role("heading", name="Blended Learning Design").first.wait_for()

    # the designer: a district template, previewed live, saved as another badge's art
    page.goto("/district/badge-art")
    page.get_by_role("link", name="Design an image for Data-Informed Instruction").click()
    page.get_by_role("heading", name="Design the badge for Data-Informed Instruction").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("radio", name=re.compile("^Shield")).check()
    page.get_by_label("Icon").select_option("laptop")
    page.get_by_label("Colour").select_option("teal")
    expected = badge_design.alt_text("Data-Informed Instruction", "lakeside",
                                     Design(shape="shield", colour="teal", icon="laptop"))
    page.locator("#design-alt", has_text=expected).wait_for()
    preview = page.locator("#design-preview")
    assert preview.get_attribute("alt") == expected
    src = preview.get_attribute("src") or ""
    assert "shape=shield" in src and "icon=laptop" in src and "colour=teal" in src
    preview.evaluate("(img) => img.decode()")
    assert preview.evaluate(DRAWN)
    assert axe_violations(page) == []
    admin.shot("art-06-designer")
    page.get_by_role("button", name="Use this design for Data-Informed Instruction").click()
    page.get_by_text("Data-Informed Instruction now has the designed image everywhere").wait_for()
    designed = page.locator(f"#a-{world.achievements['data']} img")
    assert designed.get_attribute("alt") == expected
    designed.evaluate("(img) => img.decode()")
    assert designed.evaluate(DRAWN)

    phone = Person(chromium, base, engine, "admin", PHONE)
    phone.sign_in_with_keyboard(PEOPLE["admin"][1])
    phone.page.goto(f"/district/badge-art/{world.achievements['data']}/design")
    phone.shot("art-07-designer")
    phone.page.goto("/district/audit")
    phone.shot("art-04-audit")
    phone.page.goto("/district/badge-art")
    phone.shot("art-05-badge-art")
