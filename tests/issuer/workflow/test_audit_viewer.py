"""Admins read the audit log: filters, pages, links, CSV export, scope, no changes.

Every test runs on SQLite and PostgreSQL (``make_app``'s ``db_url``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.models import AuditEvent
from issuer.services import audit
from issuer.services import issuance
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World

DAY = timedelta(days=1)


def _ctx(app: Flask) -> IssuerContext:
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


@pytest.fixture
def logged(app: Flask, world: World) -> dict[str, str]:
    """A few real events (awards) and hand-dated ones in both districts and a school."""
    made: dict[str, str] = {}
    with app.extensions["badges"]["db"].session() as session:
        for who, issuer in (("teacher", "lakeside"), ("other_teacher", "elsewhere")):
            name, email, _ = PEOPLE[who]
            issued = issuance.award(session, _ctx(app), issuer=issuer,
                                    achievement="blended-learning-design", email=email,
                                    name=name, actor="dana@lakeside.test", now=NOW)
            made[who] = issued.credential_id
            made[who + "_row"] = issued.id
        audit.record(session, actor="sam@lakeside.test", action="person.invited",
                     organization_id=world.orgs["maple"], subject_type="invitation",
                     subject_id="inv-maple-1", at=NOW - 10 * DAY, detail={"email": "x@y.test"})
        audit.record(session, actor="=HYPERLINK(\"http://evil\")", action="batch.created",
                     organization_id=world.orgs["lakeside"], subject_type="batch",
                     subject_id="batch-42", at=NOW - 40 * DAY)
        audit.record(session, actor="eve@elsewhere.test", action="person.invited",
                     organization_id=world.orgs["elsewhere"], subject_type="invitation",
                     subject_id="inv-elsewhere-1", at=NOW - 10 * DAY)
        session.commit()
    return made


def _page(browser: Browser, query: str = "") -> str:
    response = browser.get("/district/audit" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_district_admin_sees_the_district_and_its_schools_only(
        logged: dict[str, str], as_user: Callable[[str], Browser]) -> None:
    html = _page(as_user("admin"))
    assert logged["teacher"] in html and "inv-maple-1" in html and "batch-42" in html
    assert logged["other_teacher"] not in html and "inv-elsewhere-1" not in html
    assert "eve@elsewhere.test" not in html
    # each entry links to what it concerns
    assert f'href="/district/credentials/{logged["teacher"]}"' in html
    assert 'href="/batches/batch-42"' in html
    assert 'href="/district/people?org=maple"' in html
    assert re.search(r'href="/issuers/lakeside/keys/[^"]+"', html)


def test_the_credential_link_opens_the_credential(logged: dict[str, str],
                                                  as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    response = admin.get(f"/district/credentials/{logged['teacher']}")
    assert response.status_code == 200
    assert "María López" in response.get_data(as_text=True)


def test_a_school_admin_sees_only_their_school(logged: dict[str, str],
                                              as_user: Callable[[str], Browser]) -> None:
    sam = as_user("school_admin")
    html = _page(sam)
    assert "inv-maple-1" in html
    assert logged["teacher"] not in html and "batch-42" not in html
    assert sam.get("/district/audit?org=lakeside").status_code == 404
    assert sam.get("/district/audit.csv?org=lakeside").status_code == 404
    body = sam.get("/district/audit.csv").get_data(as_text=True)
    assert [r[6] for r in _rows(body)[1:]] == ["inv-maple-1"]


@pytest.mark.parametrize("who,status", [("teacher", 403), ("reviewer", 403)])
def test_only_admins_open_the_log(logged: dict[str, str], as_user: Callable[[str], Browser],
                                  who: str, status: int) -> None:
    browser = as_user(who)
    assert browser.get("/district/audit").status_code == status
    assert browser.get("/district/audit.csv").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(logged: dict[str, str],
                                               as_user: Callable[[str], Browser]) -> None:
    response = as_user("anonymous").get("/district/audit")
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]


def test_filters(logged: dict[str, str], as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    by_actor = _page(admin, "?actor=SAM@")
    assert "inv-maple-1" in by_actor and logged["teacher"] not in by_actor
    exact = _page(admin, "?action=credential.awarded")
    assert logged["teacher"] in exact and "inv-maple-1" not in exact
    family = _page(admin, "?action=key")
    assert "key.created" in family and logged["teacher"] not in family
    by_type = _page(admin, "?type=batch")
    assert "batch-42" in by_type and "inv-maple-1" not in by_type
    by_subject = _page(admin, "?subject=" + logged["teacher"][-12:].upper())
    assert logged["teacher"] in by_subject and "batch-42" not in by_subject
    day = (NOW - 10 * DAY).date().isoformat()
    one_day = _page(admin, f"?from={day}&to={day}")
    assert "inv-maple-1" in one_day and "batch-42" not in one_day
    assert logged["teacher"] not in one_day
    since = _page(admin, f"?from={(NOW - 20 * DAY).date().isoformat()}")
    assert "inv-maple-1" in since and logged["teacher"] in since and "batch-42" not in since
    nothing = _page(admin, "?actor=nobody%25")  # a LIKE wildcard is taken literally
    assert "No entries match these filters" in nothing


def test_bad_filters_are_explained_not_500(logged: dict[str, str],
                                          as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    response = admin.get("/district/audit?from=23/11/2026")
    assert response.status_code == 400
    assert "must be a date such as 2026-11-23" in response.get_data(as_text=True)
    backwards = admin.get("/district/audit?from=2026-11-20&to=2026-11-01")
    assert backwards.status_code == 400
    assert "end date is before the start date" in backwards.get_data(as_text=True)
    assert admin.get("/district/audit?actor=" + "x" * 300).status_code == 400
    csv_bad = admin.get("/district/audit.csv?to=tomorrow", headers={"Accept": "text/csv"})
    assert csv_bad.status_code == 400


def test_csv_export_uses_the_same_filters(logged: dict[str, str],
                                          as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    whole = admin.get("/district/audit.csv")
    assert whole.status_code == 200 and whole.mimetype == "text/csv"
    assert 'filename="lakeside-audit-2026-11-23.csv"' in whole.headers["Content-Disposition"]
    rows = _rows(whole.get_data(as_text=True))
    assert rows[0] == audit.CSV_HEADER
    subjects = {r[6] for r in rows[1:]}
    assert {logged["teacher"], "inv-maple-1", "batch-42"} <= subjects
    assert logged["other_teacher"] not in subjects and "inv-elsewhere-1" not in subjects
    batch = next(r for r in rows if r[6] == "batch-42")
    assert batch[2].startswith("'=")  # a formula is neutralized
    assert batch[1] == (NOW - 40 * DAY).strftime("%Y-%m-%dT%H:%M:%SZ")
    # the page offers the export of exactly what it shows
    html = _page(admin, "?type=invitation&actor=sam")
    link = re.search(r'href="(/district/audit\.csv\?[^"]+)"', html)
    assert link is not None
    filtered = _rows(admin.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True))
    assert [r[6] for r in filtered[1:]] == ["inv-maple-1"]
    awarded = _rows(admin.get("/district/audit.csv?action=credential.awarded")
                    .get_data(as_text=True))
    assert [r[6] for r in awarded[1:]] == [logged["teacher"]]
    assert '"achievement": "blended-learning-design"' in awarded[1][7]


def test_pages_of_fifty_newest_first(app: Flask, world: World,
                                    as_user: Callable[[str], Browser]) -> None:
    with app.extensions["badges"]["db"].session() as session:
        for n in range(120):
            audit.record(session, actor="dana@lakeside.test", action="credential.suspended",
                         organization_id=world.orgs["lakeside"], subject_type="credential",
                         subject_id=f"urn:uuid:fake-{n:03d}",
                         at=datetime(2026, 1, 1, tzinfo=UTC) + n * timedelta(hours=1))
        session.commit()
    admin = as_user("admin")
    first = _page(admin, "?action=credential.suspended")
    assert "fake-119" in first and "fake-070" in first and "fake-069" not in first
    assert "page 1 of 3" in first and 'rel="next"' in first
    third = _page(admin, "?action=credential.suspended&page=3")
    assert "fake-019" in third and "fake-000" in third and "fake-020" not in third
    assert _page(admin, "?action=credential.suspended&page=99").count(">urn:uuid:fake-") == 20
    with app.extensions["badges"]["db"].session() as session:
        found = audit.search(session, frozenset({world.orgs["lakeside"]}),
                             audit.Filters(action="credential.suspended"), page=2, per_page=7)
        assert found.total == 120 and found.pages == 18
        assert [e.event.subject_id[-3:] for e in found.entries] == \
            [f"{n:03d}" for n in range(112, 105, -1)]


def test_the_log_has_no_route_that_changes_it(app: Flask, logged: dict[str, str],
                                             as_user: Callable[[str], Browser]) -> None:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/district/audit"):
            assert rule.methods is not None and rule.methods <= {"GET", "HEAD", "OPTIONS"}
    admin = as_user("admin")
    assert admin.post("/district/audit").status_code == 405
    assert admin.client.delete("/district/audit").status_code == 405
    with app.extensions["badges"]["db"].session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    _page(admin)
    admin.get("/district/audit.csv")
    with app.extensions["badges"]["db"].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_parse_filters_rejects_control_characters() -> None:
    with pytest.raises(ServiceError) as caught:
        audit.parse_filters({"subject": "a\x00b"})
    assert caught.value.code == "invalid_filter"
    assert audit.parse_filters({"from": " 2026-11-01 ", "action": "key"}).as_args() == \
        {"from": "2026-11-01", "action": "key"}
