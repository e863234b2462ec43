"""Dates are written one way on every page: ``4 December 2026`` (issue #18 item 9).

The verifier writes credential dates so; the service's pages (share page,
wallet, queue, history, district pages) use the same words through the
``day`` and ``day_time`` template filters, never ``2026-12-04``, ``04 Dec`` or
a zero-padded day beside an unpadded one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path

from flask import Flask

from issuer.services import issuance
from issuer.web.language import day
from issuer.web.language import day_time
from tests.issuer import seed
from verifier.i18n import format_day

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def test_the_filters_write_dates_as_the_verifier_does() -> None:
    moment = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)
    assert day(moment) == "4 December 2026" == format_day(moment, "en")
    assert day_time(moment) == "4 December 2026, 09:05"
    assert day(None) == "" and day_time(None) == ""


def test_no_page_formats_a_date_by_hand() -> None:
    """Certificates have their own templates (and paper); the verifier has its own language.

    A machine-readable ``<time datetime="2026-12-04T09:05:00Z">`` is allowed.
    """
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                 if "certificates" not in path.parts and "verifier" not in path.parts
                 and re.search(r"strftime\('(?!%Y-%m-%dT)[^']*%[dbBYmy]",
                              path.read_text("utf-8"))]
    assert offenders == []


def test_the_share_page_writes_an_early_day_without_a_leading_zero(
        make_app: Callable[..., Flask]) -> None:
    app = make_app()
    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, seed.app_context(app), issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria@lakeside.example.org", name="María López",
                                actor="test", now=datetime(2026, 11, 3, 12, tzinfo=UTC))
    html = app.test_client().get(f"/c/{issued.share_token}",
                                 headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "on 3 November 2026" in html and "03 November" not in html
