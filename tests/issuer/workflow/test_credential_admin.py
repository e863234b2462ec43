"""District admins revoke, suspend and unsuspend credentials from the district pages.

Every test runs on SQLite and PostgreSQL. Changes must go through the status
service: the credential row, the audit log, the status-list bit (read back
from the public list) and the share page all have to agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from badges import status_list
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import StatusEntry
from issuer.services import achievements
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.issuance import IssuerContext
from issuer.workflow import credentials
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World


@dataclass(frozen=True)
class Issued:
    """One stored credential, as the tests need it."""

    id: str
    credential_id: str
    share_token: str
    document: str


def _ctx(app: Flask) -> IssuerContext:
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


def _award(app: Flask, issuer: str, achievement: str, who: str) -> Issued:
    name, email, _ = PEOPLE[who]
    with app.extensions["badges"]["db"].session() as session:
        made = issuance.award(session, _ctx(app), issuer=issuer, achievement=achievement,
                              email=email, name=name, actor="test", now=NOW)
        return Issued(made.id, made.credential_id, made.share_token, made.document)


def _maple_award(app: Flask) -> Issued:
    """A credential issued by a school (Maple) with its own key and achievement."""
    ctx = _ctx(app)
    with app.extensions["badges"]["db"].session() as session:
        maple = organizations.get(session, "maple")
        signing_keys.ensure_keys(session, maple, kek=ctx.kek, base_url=ctx.base_url, now=NOW,
                                 actor="test")
        achievements.create(session, maple, slug="reading-coach", name="Reading Coach",
                            description="Coaches colleagues in reading.", criteria="A log.")
    return _award(app, "maple", "reading-coach", "teacher2")


@pytest.fixture
def issued(app: Flask, world: World) -> dict[str, Issued]:
    seed.suspension_on(app, "lakeside", "elsewhere")  # the schools follow their district
    return {"maria": _award(app, "lakeside", "blended-learning-design", "teacher"),
            "tom": _award(app, "lakeside", "data-informed-instruction", "teacher2"),
            "lee": _award(app, "elsewhere", "data-informed-instruction", "other_teacher")}


def _row(app: Flask, credential_id: str) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        found = session.get(IssuedCredential, credential_id)
        assert found is not None
        session.expunge(found)
        return found


def _bit(browser: Browser, issued: Issued, purpose: str) -> bool:
    """The credential's bit in the public, signed status list."""
    entry = next(e for e in seed.status_entries(issued.document)
                 if e["statusPurpose"] == purpose)
    response = browser.get(entry["statusListCredential"].removeprefix("https://badges.test"),
                           headers={"Accept": "application/vc+ld+json"})
    assert response.status_code == 200
    encoded = response.get_json(force=True)["credentialSubject"]["encodedList"]
    return status_list.decode_list(encoded).get(int(entry["statusListIndex"]))


def _lists_signed(app: Flask, credential_id: str) -> bool:
    """True when every status list of the credential was re-signed after its last change."""
    with app.extensions["badges"]["db"].session() as session:
        entries = session.scalars(sa.select(StatusEntry).where(
            StatusEntry.credential_id == credential_id)).all()
        return all(e.status_list.signed_version >= e.status_list.version for e in entries)


def _events(app: Flask, issued: Issued) -> list[tuple[str, str, dict[str, Any]]]:
    with app.extensions["badges"]["db"].session() as session:
        return [(e.action, e.actor, e.detail) for e in session.scalars(
            sa.select(AuditEvent).where(AuditEvent.subject_id == issued.credential_id)
            .order_by(AuditEvent.id))]


def _follow(browser: Browser, response: Any) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return str(browser.get(response.headers["Location"]).get_data(as_text=True))


REVOKE = {"reason": "Awarded to the wrong teacher", "public": "yes", "confirm": "yes"}


def test_revoke_with_a_public_reason(app: Flask, issued: dict[str, Issued],
                                     as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    dashboard = admin.get("/district").get_data(as_text=True)
    assert 'href="/district/credentials?org=lakeside"' in dashboard
    maria = issued["maria"]
    listing = admin.get("/district/credentials").get_data(as_text=True)
    assert "María López" in listing and "Tom Nakamura" in listing and "Lee Park" not in listing
    assert f"/district/credentials/{maria.id}#revoke" in listing
    page = admin.get(f"/district/credentials/{maria.id}").get_data(as_text=True)
    assert "Revocation cannot be undone" in page and maria.credential_id in page

    done = _follow(admin, admin.post(f"/district/credentials/{maria.id}/revoke", REVOKE))
    assert "Revoked María López" in done and "shown on its public page" in done
    row = _row(app, maria.id)
    assert row.revoked_at is not None and row.reason_public
    assert row.revocation_reason == "Awarded to the wrong teacher"
    assert _events(app, maria)[-1] == ("credential.revoked", PEOPLE["admin"][1],
                                       {"reason": "Awarded to the wrong teacher",
                                        "public": True})
    assert _lists_signed(app, maria.id)  # re-signed by the change, not on the next read
    assert _bit(admin, maria, "revocation") and not _bit(admin, maria, "suspension")
    share = admin.client.get(f"/c/{maria.share_token}", headers={"Accept": "text/html"})
    assert "Revoked" in share.get_data(as_text=True)
    assert "Awarded to the wrong teacher" in share.get_data(as_text=True)

    # a revoked credential offers no actions, and revoking again is refused plainly
    listing = admin.get("/district/credentials?status=revoked").get_data(as_text=True)
    assert "None: revocation is permanent" in listing and "Awarded to the wrong teacher" in listing
    assert f"/district/credentials/{maria.id}#revoke" not in listing
    assert "Revoke this credential" not in admin.get(
        f"/district/credentials/{maria.id}").get_data(as_text=True)
    again = _follow(admin, admin.post(f"/district/credentials/{maria.id}/revoke", REVOKE))
    assert "already revoked" in again
    assert [e[0] for e in _events(app, maria)].count("credential.revoked") == 1


def test_a_private_reason_stays_off_the_share_page(app: Flask, issued: dict[str, Issued],
                                                   as_user: Callable[[str], Browser]) -> None:
    admin, tom = as_user("admin"), issued["tom"]
    _follow(admin, admin.post(f"/district/credentials/{tom.id}/revoke",
                              {"reason": "Internal matter", "confirm": "yes"}))
    assert not _row(app, tom.id).reason_public
    share = admin.client.get(f"/c/{tom.share_token}", headers={"Accept": "text/html"})
    assert "Revoked" in share.get_data(as_text=True)
    assert "Internal matter" not in share.get_data(as_text=True)


def test_a_credential_issued_with_suspension_off_offers_only_revocation(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    made = _award(app, "lakeside", "blended-learning-design", "teacher")  # the default: off
    admin = as_user("admin")
    page = admin.get(f"/district/credentials/{made.id}").get_data(as_text=True)
    assert "cannot be suspended, only revoked" in page and "Open Badges 3.0 JSON Schema" in page
    assert "Suspend this credential" not in page and "Revoke this credential" in page
    refused = _follow(admin, admin.post(f"/district/credentials/{made.id}/suspend"))
    assert "can be revoked but not suspended" in refused
    assert _row(app, made.id).suspended_at is None


def test_suspend_then_unsuspend(app: Flask, issued: dict[str, Issued],
                                as_user: Callable[[str], Browser]) -> None:
    admin, tom = as_user("admin"), issued["tom"]
    done = _follow(admin, admin.post(f"/district/credentials/{tom.id}/suspend",
                                     {"note": "Complaint under review"}))
    assert "Suspended Tom Nakamura" in done
    assert _row(app, tom.id).suspended_at is not None
    assert _bit(admin, tom, "suspension") and not _bit(admin, tom, "revocation")
    listing = admin.get("/district/credentials?status=suspended").get_data(as_text=True)
    assert "Tom Nakamura" in listing and "María López" not in listing
    assert "Note: Complaint under review" in listing and "Unsuspend" in listing
    back = "/district/credentials?status=suspended"
    done = _follow(admin, admin.post(f"/district/credentials/{tom.id}/unsuspend",
                                     {"back": back}))
    assert "is active again" in done and "No credentials match this search" in done
    assert _row(app, tom.id).suspended_at is None
    assert not _bit(admin, tom, "suspension")
    assert _lists_signed(app, tom.id)
    assert [(a, d) for a, _, d in _events(app, tom)][1:] == [
        ("credential.suspended", {"note": "Complaint under review"}),
        ("credential.unsuspended", {})]
    assert "is not suspended" in _follow(
        admin, admin.post(f"/district/credentials/{tom.id}/unsuspend"))
    # an outside address in "back" is ignored
    response = admin.post(f"/district/credentials/{tom.id}/suspend",
                          {"back": "https://evil.example/district/credentials"})
    assert response.headers["Location"] == f"/district/credentials/{tom.id}"


@pytest.mark.parametrize(("form", "message"), [
    ({"reason": "  ", "confirm": "yes"}, "Give a reason for the revocation"),
    ({"reason": "Fraud"}, "Tick the box to confirm"),
    ({"reason": "x" * 1001, "confirm": "yes"}, "longer than 1000 characters"),
])
def test_bad_revocations_change_nothing(app: Flask, issued: dict[str, Issued],
                                        as_user: Callable[[str], Browser],
                                        form: dict[str, str], message: str) -> None:
    admin, maria = as_user("admin"), issued["maria"]
    response = admin.post(f"/district/credentials/{maria.id}/revoke", form)
    assert response.headers["Location"].endswith(f"/district/credentials/{maria.id}#revoke")
    assert message in _follow(admin, response)
    assert _row(app, maria.id).revoked_at is None
    assert [e[0] for e in _events(app, maria)] == ["credential.awarded"]


def test_unknown_ids_and_actions_are_not_found(issued: dict[str, Issued],
                                               as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    assert admin.get(f"/district/credentials/{uuid.uuid4()}").status_code == 404
    assert admin.post(f"/district/credentials/{uuid.uuid4()}/revoke", REVOKE).status_code == 404
    response = admin.post(f"/district/credentials/{issued['maria'].id}/delete", REVOKE)
    assert response.status_code == 404


def test_only_admins_of_the_credentials_organization(app: Flask, issued: dict[str, Issued],
                                                     as_user: Callable[[str], Browser]) -> None:
    maria, lee = issued["maria"], issued["lee"]
    maple = _maple_award(app)
    for who in ("teacher", "reviewer", "school_reviewer"):
        browser = as_user(who)
        assert browser.get("/district/credentials").status_code == 403
        assert browser.get("/district/credentials/bulk").status_code == 403
        assert browser.post(f"/district/credentials/{maria.id}/revoke", REVOKE).status_code \
            == 403
    other = as_user("other_admin")
    assert other.get(f"/district/credentials/{maria.id}").status_code == 404
    assert other.get("/district/credentials?org=lakeside").status_code == 404
    assert other.post(f"/district/credentials/{maria.id}/revoke", REVOKE).status_code == 404
    assert other.post(f"/district/credentials/{maria.id}/suspend").status_code == 404
    assert "Lee Park" in other.get("/district/credentials").get_data(as_text=True)
    # the admin of a school sees and changes only that school's credentials
    school = as_user("school_admin")
    listing = school.get("/district/credentials").get_data(as_text=True)
    assert "Tom Nakamura" in listing and "Reading Coach" in listing and "María López" not in listing
    assert school.post(f"/district/credentials/{maria.id}/suspend").status_code == 404
    assert school.post(f"/district/credentials/{maple.id}/suspend").status_code == 303
    # the district's admin covers its schools
    assert as_user("admin").post(f"/district/credentials/{maple.id}/unsuspend").status_code \
        == 303
    assert _row(app, maria.id).suspended_at is None and _row(app, maria.id).revoked_at is None
    assert _row(app, lee.id).suspended_at is None and _row(app, maple.id).suspended_at is None


def test_a_form_without_the_csrf_token_is_refused(app: Flask, issued: dict[str, Issued],
                                                  as_user: Callable[[str], Browser]) -> None:
    admin, maria = as_user("admin"), issued["maria"]
    for path, form in ((f"/district/credentials/{maria.id}/revoke", REVOKE),
                       ("/district/credentials/bulk", {"ids": maria.credential_id, **REVOKE})):
        response = admin.client.post(path, data=form)
        assert response.status_code == 400
        assert "The form expired" in response.get_data(as_text=True)
    assert _row(app, maria.id).revoked_at is None


def test_bulk_revocation_says_what_happened_to_each_id(app: Flask, issued: dict[str, Issued],
                                                       as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    maria, tom, lee = issued["maria"], issued["tom"], issued["lee"]
    assert "Credential ids, one per line" in admin.get(
        "/district/credentials/bulk").get_data(as_text=True)
    unknown = f"urn:uuid:{uuid.uuid4()}"
    bare_tom = tom.credential_id.removeprefix("urn:uuid:").upper()
    ids = "\n".join([maria.credential_id, f"  {bare_tom}  ", lee.credential_id, unknown,
                     maria.id, ""])
    response = admin.post("/district/credentials/bulk", {"ids": ids, **REVOKE})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Revoked 2 of 5" in page
    assert "Not found, or not issued by Lakeside Unified or its schools (2)" in page
    assert lee.credential_id in page and unknown in page
    assert "The same credential listed again, counted once (1)" in page
    assert _row(app, maria.id).revoked_at is not None and _row(app, tom.id).revoked_at is not None
    assert _row(app, lee.id).revoked_at is None
    assert _bit(admin, tom, "revocation") and _lists_signed(app, tom.id)
    assert [e[:2] for e in _events(app, tom)][-1] == ("credential.revoked", PEOPLE["admin"][1])

    again = admin.post("/district/credentials/bulk", {"ids": maria.credential_id, **REVOKE})
    assert "Revoked 0 of 1" in again.get_data(as_text=True)
    assert "Already revoked, left as they were (1)" in again.get_data(as_text=True)


def test_bulk_revocation_of_ticked_rows(app: Flask, issued: dict[str, Issued],
                                        as_user: Callable[[str], Browser]) -> None:
    admin, maria, tom = as_user("admin"), issued["maria"], issued["tom"]
    listing = admin.get("/district/credentials").get_data(as_text=True)
    assert f'form="bulk" name="id" value="{maria.credential_id}"' in listing
    response = admin.client.post("/district/credentials/bulk", data={
        "csrf_token": admin.csrf, "org": "lakeside", "id": [maria.credential_id],
        "reason": "Duplicate award", "confirm": "yes"})
    assert "Revoked 1 of 1" in response.get_data(as_text=True)
    assert _row(app, maria.id).revocation_reason == "Duplicate award"
    assert not _row(app, maria.id).reason_public and _row(app, tom.id).revoked_at is None


@pytest.mark.parametrize(("form", "message"), [
    ({"reason": "Fraud", "confirm": "yes"}, "Paste at least one credential id"),
    ({"ids": "x", "confirm": "yes"}, "Give a reason for the revocation"),
    ({"ids": "x", "reason": "Fraud"}, "Tick the box to confirm"),
    ({"ids": "x", "reason": "a\x00b", "confirm": "yes"}, "control characters"),
])
def test_bulk_revocation_refuses_incomplete_forms(app: Flask, issued: dict[str, Issued],
                                                  as_user: Callable[[str], Browser],
                                                  form: dict[str, str], message: str) -> None:
    admin, maria = as_user("admin"), issued["maria"]
    if form.get("ids") == "x":
        form = {**form, "ids": maria.credential_id}
    response = admin.post("/district/credentials/bulk", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _row(app, maria.id).revoked_at is None


def test_search_filter_and_pages(app: Flask, issued: dict[str, Issued],
                                 as_user: Callable[[str], Browser],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    admin, maria = as_user("admin"), issued["maria"]
    extra = _award(app, "lakeside", "data-informed-instruction", "mentor")
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, extra.id)
        assert row is not None
        row.valid_until = datetime(2020, 1, 1, tzinfo=UTC)

    def names(query: str) -> set[str]:
        page = admin.get(f"/district/credentials?{query}").get_data(as_text=True)
        return {n for n in ("María López", "Tom Nakamura", "Priya Raman") if n in page}

    assert names("q=tom%40lakeside") == {"Tom Nakamura"}
    assert names("q=L%C3%B3pez") == {"María López"}
    assert names("q=blended") == {"María López"}
    assert names(f"q={maria.credential_id}") == {"María López"}
    assert names("q=100%25") == set()
    assert names("status=expired") == {"Priya Raman"}
    assert names("status=active") == {"María López", "Tom Nakamura"}
    assert names("status=active&q=data") == {"Tom Nakamura"}
    assert names("status=nonsense") == {"María López", "Tom Nakamura", "Priya Raman"}

    monkeypatch.setattr(credentials, "PER_PAGE", 2)
    first = admin.get("/district/credentials").get_data(as_text=True)
    assert "3 credentials · page 1 of 2" in first and "Next page" in first
    second = admin.get("/district/credentials?org=lakeside&page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and "Previous page" in second and "Next page" not in second
    assert "page 2 of 2" in admin.get("/district/credentials?page=99").get_data(as_text=True)


def test_search_reads_one_page(app: Flask, issued: dict[str, Issued], world: World) -> None:
    with app.extensions["badges"]["db"].session() as session:
        scope = frozenset({world.orgs["lakeside"], world.orgs["lakeside-high"],
                           world.orgs["maple"]})
        pages = [credentials.search(session, scope, credentials.Query(page=n), now=NOW,
                                    per_page=1) for n in (1, 2)]
        assert [(p.total, p.pages, p.number, len(p.rows)) for p in pages] == [
            (2, 2, 1, 1), (2, 2, 2, 1)]
        assert {p.rows[0].credential.id for p in pages} == {issued["maria"].id,
                                                           issued["tom"].id}
        assert pages[0].rows[0].status == "active" and pages[0].rows[0].status_at is None


def test_keyset_pages_walk_the_list_both_ways(app: Flask, issued: dict[str, Issued],
                                              world: World, as_user: Callable[[str], Browser],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors page through ties (same issued_at) and spacing alike, and agree with OFFSET."""
    from datetime import timedelta

    for n, who in enumerate(("mentor", "teacher", "teacher2", "mentor", "teacher")):
        extra = _award(app, "lakeside", "data-informed-instruction", who)
        if n % 2:  # some later, some at the very same instant as the others
            with app.extensions["badges"]["db"].session() as session:
                row = session.get(IssuedCredential, extra.id)
                assert row is not None
                row.issued_at = NOW + timedelta(minutes=n)
    scope = frozenset({world.orgs["lakeside"], world.orgs["lakeside-high"], world.orgs["maple"]})
    with app.extensions["badges"]["db"].session() as session:
        def search(**kwargs: Any) -> credentials.Page:
            return credentials.search(session, scope, credentials.Query(**kwargs), now=NOW,
                                      per_page=2)

        by_offset = [r.credential.id for n in (1, 2, 3, 4) for r in search(page=n).rows]
        assert len(by_offset) == 7 and len(set(by_offset)) == 7
        forward, pages, page = [], [], search()
        while True:
            pages.append(page)
            forward += [r.credential.id for r in page.rows]
            if page.next_cursor is None:
                break
            page = search(after=page.next_cursor, page=page.number + 1)
        assert forward == by_offset
        assert [p.number for p in pages] == [1, 2, 3, 4] and pages[0].prev_cursor is None
        backward = []
        while page.prev_cursor is not None:
            page = search(before=page.prev_cursor, page=page.number - 1)
            backward = [r.credential.id for r in page.rows] + backward
        assert backward == by_offset[:6] and page.number == 1
    monkeypatch.setattr(credentials, "PER_PAGE", 2)
    admin = as_user("admin")
    first = admin.get("/district/credentials").get_data(as_text=True)
    assert "after=" in first and "page 1 of 4" in first
    for bad in ("after=nonsense", "before=bm90IGEgZGF0ZXwx", "after=%FF"):
        response = admin.get(f"/district/credentials?{bad}")
        assert response.status_code == 400, bad
        assert "not one the credentials list made" in response.get_data(as_text=True)
