"""The wallet: what a revoked or suspended badge still offers, and how downloads are named."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask import Flask

from issuer.models import IssuedCredential
from issuer.services import issuance
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


def test_downloads_are_named_for_people(app: Flask, world: World,
                                        as_user: Callable[[str], Browser]) -> None:
    issued = _award(app)
    teacher = as_user("teacher")
    png = teacher.get(f"/wallet/{issued.id}.png")
    disposition = png.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="Blended Learning Design - Maria Lopez.png"' in disposition
    assert "filename*=UTF-8''" + quote("Blended Learning Design - María López.png") in \
        disposition
    share = teacher.get(f"/c/{issued.share_token}.svg")
    assert 'filename="Blended Learning Design - Maria Lopez.svg"' in \
        share.headers["Content-Disposition"]


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_a_withdrawn_badge_offers_no_certificate_image_or_linkedin(
        app: Flask, world: World, as_user: Callable[[str], Browser], action: str) -> None:
    if action == "suspend":
        seed.suspension_on(app, "lakeside")  # off by default
    issued = _award(app)
    teacher = as_user("teacher")
    before = teacher.get("/wallet").get_data(as_text=True)
    assert "linkedin.com/profile/add" in before and f"/wallet/{issued.id}.pdf" in before
    with app.extensions["badges"]["db"].session() as session:
        if action == "revoke":
            status.revoke(session, issued.credential_id, reason=None, public=False,
                          actor="test", now=NOW)
        else:
            status.suspend(session, issued.credential_id, actor="test", now=NOW)
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "linkedin.com/profile/add" not in wallet
    for ext in ("pdf", "png", "svg"):
        assert f"/wallet/{issued.id}.{ext}" not in wallet
    assert f"/wallet/{issued.id}.json" in wallet  # the credential shows its own status
    assert ("Revoked" if action == "revoke" else "Suspended") in wallet
    refused = teacher.get(f"/wallet/{issued.id}.pdf")
    assert refused.status_code == (410 if action == "revoke" else 409)
    assert refused.mimetype == "text/html" and b"%PDF" not in refused.data
    assert "23 November 2026" in refused.get_data(as_text=True)
    # the baked images are refused too, in the wallet and at the share link
    for url in (f"/wallet/{issued.id}.png", f"/wallet/{issued.id}.svg",
                f"/c/{issued.share_token}.png", f"/c/{issued.share_token}.svg"):
        image = teacher.get(url, headers={"Accept": "text/html,*/*;q=0.8"})
        assert image.status_code == (410 if action == "revoke" else 409), url
        assert image.mimetype == "text/html", url
        assert b"\x89PNG" not in image.data and b"<svg" not in image.data
        page = image.get_data(as_text=True)
        assert "badge image" in page and "23 November 2026" in page
