"""Revocation, suspension, expiry and renewal with Bitstring Status Lists (both engines)."""

from __future__ import annotations

import json
import multiprocessing
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from badges import status_list
from badges.jwt import decode_jwt
from badges.jwt import verify_jwt_signature
from badges.report import Outcome
from issuer.db import Database
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import StatusEntry
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer import status_workers
from tests.issuer.conftest import NOW

#: What JSON-LD document loaders send (Digital Bazaar's and DCC's http clients, pyld).
JSON_LD_ACCEPT = {"Accept": "application/ld+json, application/json"}


@pytest.fixture
def district(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        seed.district(session, ctx)


@pytest.fixture
def suspending_district(database: Database, ctx: IssuerContext) -> None:
    """A district that switched suspension on (two status entries per credential)."""
    with database.session() as session:
        seed.district(session, ctx, suspension=True)


def _award(database: Database, ctx: IssuerContext, n: int = 0, **kwargs: Any) -> IssuedCredential:
    args: dict[str, Any] = {"issuer": "lakeside", "achievement": "blended-learning-design",
                            "email": f"teacher{n}@lakeside.example.org",
                            "name": f"Teacher {n}", "actor": "test", "now": NOW, **kwargs}
    with database.session() as session:
        return issuance.award(session, ctx, **args)


def _status_check(report: Any) -> tuple[Outcome, str]:
    check = report.check("status")
    return check.outcome, check.code


@pytest.mark.usefixtures("district")
def test_by_default_a_credential_has_one_revocation_status_object(database: Database,
                                                                  ctx: IssuerContext) -> None:
    issued = _award(database, ctx)
    entry = json.loads(issued.document)["credentialStatus"]
    assert isinstance(entry, dict) and entry["statusPurpose"] == "revocation"
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusListCredential"].endswith("/issuers/lakeside/status/revocation/1")
    report = seed.verify(issued.document, database, ctx)
    assert report.verified, report.to_json()
    schema_check = report.check("schema")
    assert schema_check is not None and schema_check.outcome == Outcome.PASSED
    with database.session() as session:
        with pytest.raises(ServiceError) as err:
            status.suspend(session, issued.id, actor="admin", now=NOW)
        assert err.value.code == "no_status_entry"
        assert "suspension was off" in err.value.message


def test_switching_suspension_on_applies_to_new_credentials_only(
        database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        org = seed.district(session, ctx)
    before = _award(database, ctx)
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        status.set_suspension(session, org, enabled=True, actor="admin", now=NOW)
        status.set_suspension(session, org, enabled=True, actor="admin", now=NOW)  # no-op
        school = organizations.create(session, slug="maple", name="Maple School", parent=org)
        assert status.purposes(school) == (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
        events = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "issuer.suspension_set")).all()
        assert [e.detail for e in events] == [{"enabled": True}]
    after = _award(database, ctx, 1)
    assert isinstance(json.loads(before.document)["credentialStatus"], dict)
    assert [e["statusPurpose"] for e in json.loads(after.document)["credentialStatus"]] == [
        "revocation", "suspension"]
    with database.session() as session:
        status.suspend(session, after.id, actor="admin", now=NOW)
    assert _status_check(seed.verify(after.document, database, ctx)) == (
        Outcome.FAILED, "suspended")
    assert seed.verify(before.document, database, ctx).verified


@pytest.mark.usefixtures("suspending_district")
def test_with_suspension_on_a_credential_has_a_revocation_and_a_suspension_entry(
        database: Database, ctx: IssuerContext) -> None:
    """Credentials with the two-entry array (issued before 15, or opted in) keep verifying."""
    issued = _award(database, ctx)
    entries = json.loads(issued.document)["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    for entry in entries:
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusListIndex"].isdigit()
        assert 0 <= int(entry["statusListIndex"]) < status.LIST_LENGTH
        assert entry["id"] == f"{entry['statusListCredential']}/{entry['statusListIndex']}"
    assert entries[0]["statusListCredential"].endswith("/issuers/lakeside/status/revocation/1")
    report = seed.verify(issued.document, database, ctx)
    assert report.verified, report.to_json()
    assert _status_check(report) == (Outcome.PASSED, "not_withdrawn")  # both lists read


@pytest.mark.usefixtures("suspending_district")
def test_revoke_suspend_unsuspend_lifecycle(database: Database, ctx: IssuerContext) -> None:
    issued = _award(database, ctx)
    other = _award(database, ctx, 1)
    with database.session() as session:
        status.suspend(session, issued.credential_id, actor="admin", now=NOW)
    report = seed.verify(issued.document, database, ctx)
    assert _status_check(report) == (Outcome.FAILED, "suspended")
    suspended = report.check("status")
    assert suspended is not None and suspended.detail["statusDate"] == "2026-11-23T12:00:00Z"
    assert "statusReason" not in suspended.detail
    assert seed.verify(other.document, database, ctx).verified
    with database.session() as session:
        status.unsuspend(session, issued.id, actor="admin", now=NOW)
    assert seed.verify(issued.document, database, ctx).verified
    with database.session() as session:
        status.revoke(session, issued.credential_id, reason="Awarded in error", public=True,
                      actor="admin", now=NOW)
    report = seed.verify(issued.document, database, ctx)
    assert _status_check(report) == (Outcome.FAILED, "revoked")
    assert not report.verified
    revoked = report.check("status")
    assert revoked is not None
    assert revoked.detail["statusReason"] == "Awarded in error"
    assert revoked.message == ("The issuer has revoked this credential on 2026-11-23. "
                               "Reason given: Awarded in error")
    assert seed.verify(other.document, database, ctx).verified
    with database.session() as session:
        for action, code in ((status.revoke, "already_revoked"),
                             (status.suspend, "already_revoked"),
                             (status.unsuspend, "not_suspended")):
            with pytest.raises(ServiceError) as err:
                kwargs = {"reason": "again", "public": False} if action is status.revoke else {}
                action(session, issued.id, actor="admin", now=NOW, **kwargs)
            assert err.value.code == code
        actions = [e.action for e in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.subject_id == issued.credential_id).order_by(AuditEvent.id))]
    assert actions == ["credential.awarded", "credential.suspended", "credential.unsuspended",
                       "credential.revoked"]


@pytest.mark.usefixtures("district")
def test_bulk_revocation_reports_every_id(database: Database, ctx: IssuerContext) -> None:
    issued = [_award(database, ctx, n) for n in range(3)]
    with database.session() as session:
        status.revoke(session, issued[0].id, reason="x", public=False, actor="a", now=NOW)
        results = status.revoke_many(
            session, [issued[0].id, issued[1].credential_id, "urn:uuid:nope", issued[2].id],
            reason="Programme cancelled", public=False, actor="admin", now=NOW)
    assert [(r.ok, r.code) for r in results] == [
        (False, "already_revoked"), (True, "revoked"), (False, "unknown_credential"),
        (True, "revoked")]
    for item in issued:
        assert _status_check(seed.verify(item.document, database, ctx))[1] == "revoked"
    # a credential id as people copy it: bare, or shouted
    with database.session() as session:
        for spelling in (issued[1].credential_id.upper(),
                         issued[1].credential_id.removeprefix("urn:uuid:").upper(),
                         f"  {issued[1].credential_id}  "):
            assert status.find_credential(session, spelling).id == issued[1].id


@pytest.mark.usefixtures("district")
def test_a_full_list_is_closed_and_the_next_one_opened(database: Database,
                                                       ctx: IssuerContext) -> None:
    first = _award(database, ctx)
    with database.session() as session:
        revocation = session.scalar(sa.select(StatusList).where(
            StatusList.purpose == status.StatusPurpose.REVOCATION))
        assert revocation is not None
        taken = {e.index for e in session.scalars(sa.select(StatusEntry).where(
            StatusEntry.status_list_id == revocation.id))}
        free = [i for i in range(revocation.length) if i not in taken]
        keep = free.pop(12345)
        session.execute(sa.insert(StatusEntry), [
            {"status_list_id": revocation.id, "index": i, "credential_id": first.id,
             "set": False} for i in free])
    second = _award(database, ctx, 1)
    third = _award(database, ctx, 2)
    lists = [json.loads(c.document)["credentialStatus"] for c in (second, third)]
    assert lists[0]["statusListIndex"] == str(keep)
    assert lists[0]["statusListCredential"].endswith("/status/revocation/1")
    assert lists[1]["statusListCredential"].endswith("/status/revocation/2")
    assert seed.verify(third.document, database, ctx).verified


@pytest.mark.usefixtures("district")
def test_collisions_fall_back_to_a_free_index(database: Database, ctx: IssuerContext,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status._SYSTEM_RANDOM, "randrange", lambda n: 7)
    first = _award(database, ctx)
    second = _award(database, ctx, 1)
    indexes = [json.loads(c.document)["credentialStatus"]["statusListIndex"]
               for c in (first, second)]
    assert indexes[0] == "7" and indexes[1] != "7"
    # the second was signed again with the index it got, and that is the index it holds
    with database.session() as session:
        held = session.scalar(sa.select(StatusEntry.index).where(
            StatusEntry.credential_id == second.id))
    assert str(held) == indexes[1]
    assert seed.verify(second.document, database, ctx).verified


@pytest.mark.usefixtures("district")
def test_an_index_an_endorsement_holds_is_never_given_to_a_credential(
        database: Database, ctx: IssuerContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.session() as session:  # an endorsement at index 7 of the issuer's list
        org = organizations.get(session, "lakeside")
        sl = status.open_list(session, org, StatusPurpose.REVOCATION)
        key = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                          base_url=ctx.base_url).row
        session.add(Endorsement(
            credential_id=f"urn:uuid:{uuid.uuid4()}", partner_id=org.id, district_id=org.id,
            subject_id="https://elsewhere.example/programme", comment="Fine work.",
            document="{}", signing_key_id=key.id, status_list_id=sl.id, status_index=7,
            issued_at=NOW, issued_by="test"))
    monkeypatch.setattr(status._SYSTEM_RANDOM, "randrange", lambda n: 7)
    issued = _award(database, ctx)
    assert json.loads(issued.document)["credentialStatus"]["statusListIndex"] != "7"


@pytest.mark.usefixtures("district")
def test_expiry_and_renewal(database: Database, ctx: IssuerContext) -> None:
    old = _award(database, ctx, achievement="data-informed-instruction")
    later = NOW + timedelta(days=360)
    with database.session() as session:
        renewed = issuance.renew(session, ctx, old.credential_id, actor="teacher", now=later)
    document = json.loads(renewed.document)
    assert renewed.renews_id == old.id
    assert document["evidence"][0]["name"] == "Previous credential"
    assert old.credential_id in document["evidence"][0]["narrative"]
    assert document["validUntil"] == "2028-11-17T12:00:00Z"
    report = seed.verify(old.document, database, ctx, NOW + timedelta(days=366))
    assert report.check("validity_period").code == "expired"  # type: ignore[union-attr]
    assert seed.verify(renewed.document, database, ctx, NOW + timedelta(days=366)).verified
    with database.session() as session:
        status.revoke(session, renewed.id, reason="x", public=False, actor="a", now=later)
        with pytest.raises(ServiceError) as err:
            issuance.renew(session, ctx, renewed.id, actor="teacher", now=later)
    assert err.value.code == "already_revoked"


def _fake_credentials(database: Database, count: int) -> tuple[list[str], list[int]]:
    """Credential rows with status entries, inserted directly (only their status matters here).

    Returns their ids and the list indexes they hold: the first ``count`` indexes from 1000 up
    that the real award (placed at a random index) does not already hold.
    """
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        template = session.scalars(sa.select(IssuedCredential)).first()
        assert template is not None
        lists = {e.status_list.purpose: e.status_list_id for e in template.status_entries}
        taken = set(session.scalars(sa.select(StatusEntry.index)))
        indexes = [i for i in range(1000, 1000 + count + len(taken)) if i not in taken][:count]
        rows, entries = [], []
        for index in indexes:
            cid = str(uuid.uuid4())
            rows.append({"id": cid, "credential_id": f"urn:uuid:{cid}",
                         "organization_id": org.id, "achievement_id": template.achievement_id,
                         "person_id": template.person_id, "recipient_email": "x@y.org",
                         "recipient_name": "X", "format": "di", "document": "{}",
                         "signing_key_id": template.signing_key_id, "share_token": cid,
                         "share_enabled": True, "issued_at": NOW, "valid_from": NOW,
                         "reason_public": False})
            for list_id in lists.values():
                entries.append({"status_list_id": list_id, "index": index,
                                "credential_id": cid, "set": False})
        session.execute(sa.insert(IssuedCredential), rows)
        session.execute(sa.insert(StatusEntry), entries)
        return [r["id"] for r in rows], indexes


@pytest.mark.races
@pytest.mark.usefixtures("district")
def test_concurrent_revocations_from_several_processes_lose_nothing(
        database: Database, ctx: IssuerContext, db_url: str) -> None:
    _award(database, ctx)
    ids, indexes = _fake_credentials(database, 1000)
    chunks = [ids[i::4] for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        done = pool.starmap(status_workers.revoke_chunk, [(db_url, c) for c in chunks])
    assert sum(done) == 1000
    with database.session() as session:
        revoked = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                                 .where(IssuedCredential.revoked_at.is_not(None)))
        assert revoked == 1000
        org = organizations.get(session, "lakeside")
        listing = status.get_list(session, org, "revocation", 1)
        assert listing.version == 1 + 1000
        document, _ = status.signed_list(session, ctx, listing, NOW)
        events = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "credential.revoked"))
        assert events == 1000
    bits = status_list.decode_list(json.loads(document)["credentialSubject"]["encodedList"])
    assert [i for i in range(len(bits)) if bits.get(i)] == indexes


@pytest.mark.races
@pytest.mark.usefixtures("district")
def test_parallel_awards_never_share_an_index(database: Database, ctx: IssuerContext,
                                              db_url: str) -> None:
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        batches = pool.starmap(status_workers.award_chunk,
                               [(db_url, ctx.base_url, ctx.kek, w, 12) for w in range(3)])
    ids = [i for batch in batches for i in batch]
    assert len(ids) == 36
    with database.session() as session:
        pairs = session.execute(sa.select(StatusEntry.status_list_id, StatusEntry.index)).all()
    assert len(pairs) == 36 and len(set(pairs)) == 36  # one revocation entry each


# --------------------------------------------------------------------------- over HTTP


def test_status_list_route_etag_and_changes(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    database = app.extensions["badges"]["db"]
    with database.session() as session:
        seed.district(session, ctx)
    issued = _award(database, ctx)
    from issuer.models import ApiToken
    from issuer.web.api import token_hash
    from tests.issuer.test_web import TOKEN
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
    client = app.test_client()
    url = "/issuers/lakeside/status/revocation/1"
    first = client.get(url, headers=JSON_LD_ACCEPT)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag, **JSON_LD_ACCEPT}).status_code == 304
    listing = first.get_json(force=True)
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listing["credentialSubject"]["ttl"] == status.TTL_MS
    headers = {"Authorization": f"Bearer {TOKEN}"}
    revoked = client.post(f"/api/v1/credentials/{issued.credential_id}/revoke",
                          json={"reason": "Awarded in error", "public": True}, headers=headers)
    assert revoked.status_code == 200, revoked.get_json()
    assert revoked.get_json()["status"]["revoked"] is True
    second = client.get(url, headers={"If-None-Match": etag, **JSON_LD_ACCEPT})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    index = int(json.loads(issued.document)["credentialStatus"]["statusListIndex"])
    bits = status_list.decode_list(second.get_json(force=True)["credentialSubject"]["encodedList"])
    assert bits.get(index)
    page = client.get(f"/c/{issued.share_token}", headers={"Accept": "text/html"}).data.decode()
    assert "Revoked" in page and "Awarded in error" in page
    again = client.post(f"/api/v1/credentials/{issued.id}/revoke", json={}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_revoked"
    assert client.post(f"/api/v1/credentials/{issued.id}/revoke", json={}).status_code == 401
    assert client.get("/issuers/lakeside/status/revocation/9").status_code == 404
    assert client.get("/issuers/lakeside/status/other/1").status_code == 404
    # each entry's id is a URL of its own: state, since when, and the published reason
    entry = json.loads(issued.document)["credentialStatus"]
    details = client.get(urlsplit(entry["id"]).path)
    assert details.status_code == 200 and details.headers["Cache-Control"].startswith("public")
    assert details.get_json() == {
        "id": entry["id"], "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": str(index),
        "statusListCredential": entry["statusListCredential"], "status": "revoked",
        "statusDate": details.get_json()["statusDate"], "statusReason": "Awarded in error"}
    # suspension is off by default: no suspension list was opened
    assert client.get("/issuers/lakeside/status/suspension/1").status_code == 404
    # an index nobody holds answers like a held one that is active: nothing tells them apart
    free = next(i for i in range(status.LIST_LENGTH) if i != index)
    unused = client.get(f"/issuers/lakeside/status/revocation/1/{free}")
    assert unused.status_code == 200 and unused.get_json()["status"] == "active"
    assert set(unused.get_json()) == {"id", "type", "statusPurpose", "statusListIndex",
                                      "statusListCredential", "status"}
    assert client.get(f"/issuers/lakeside/status/revocation/1/{status.LIST_LENGTH}"
                      ).status_code == 404
    assert client.get("/issuers/lakeside/status/other/1/1").status_code == 404


def test_the_same_status_list_as_a_vc_jwt(make_app: Callable[..., Flask]) -> None:
    """At .jwt and by Accept; EdDSA under the issuer's DID key; re-signed on change; ETag."""
    app = make_app()
    ctx = seed.app_context(app)
    database = app.extensions["badges"]["db"]
    with database.session() as session:
        seed.district(session, ctx)
    issued = _award(database, ctx)
    client = app.test_client()
    url = "/issuers/lakeside/status/revocation/1"
    first = client.get(f"{url}.jwt")
    assert first.status_code == 200 and first.mimetype == "application/vc+jwt"
    assert first.headers["Cache-Control"] == "public, max-age=300"
    token = first.get_data(as_text=True)
    # asked for, or no Accept at all (no preference: the form JOSE alone verifies, which
    # is what plain fetchers such as PyPI openbadgeslib's read)
    for accept in ("application/vc+jwt", "application/jwt", "application/jwt, */*;q=0.1", None, ""):
        negotiated = client.get(url, headers={} if accept is None else {"Accept": accept})
        assert negotiated.get_data(as_text=True) == token, accept
        assert negotiated.headers["ETag"] == first.headers["ETag"] and \
            "Accept" in negotiated.headers["Vary"]
    plain = client.get(url, headers={"Accept": "application/json, application/jwt;q=0.5"})
    assert plain.mimetype == "application/vc+ld+json" and plain.headers["ETag"] != \
        first.headers["ETag"]
    # JSON-LD processors (Digital Bazaar, DCC), our verifier, curl and browsers: Data Integrity
    for accept in (JSON_LD_ACCEPT["Accept"], "application/vc", "*/*",
                   "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                   "application/vc+jwt, application/json"):
        assert client.get(url, headers={"Accept": accept}).get_data() == plain.get_data(), accept
    assert client.get(f"{url}.jwt", headers={"If-None-Match": first.headers["ETag"]}
                      ).status_code == 304
    decoded = decode_jwt(token)
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        key = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                          base_url=ctx.base_url).pair
    assert decoded.header == {"alg": "EdDSA", "kid": key.id, "typ": "JWT"}
    assert verify_jwt_signature(decoded, key.public)
    listing = plain.get_json(force=True)
    listing.pop("proof")
    assert {k: v for k, v in decoded.credential.items()
            if k not in ("iss", "jti", "nbf", "sub")} == listing  # the same list, both forms
    with database.session() as session:
        status.revoke(session, issued.id, reason=None, public=False, actor="a", now=NOW)
    changed = client.get(f"{url}.jwt", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    bits = status_list.decode_list(
        decode_jwt(changed.get_data(as_text=True)).credential["credentialSubject"]["encodedList"])
    assert bits.get(int(json.loads(issued.document)["credentialStatus"]["statusListIndex"]))
    assert client.get("/issuers/lakeside/status/revocation/9.jwt").status_code == 404
