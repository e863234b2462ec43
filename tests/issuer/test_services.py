"""Issuance, recipients, keys and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from badges import schema
from badges.jwt import decode_jwt
from badges.report import Outcome
from issuer import keystore
from issuer.db import Database
from issuer.models import AppendOnlyError
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.models import Person
from issuer.models import PersonEmail
from issuer.models import SigningKey
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import recipients
from issuer.services import signing_keys
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW


def _award(database: Database, ctx: IssuerContext, **kwargs: Any) -> IssuedCredential:
    args = {"issuer": "lakeside", "achievement": "blended-learning-design",
            "email": "Maria.Lopez@Lakeside.example.org", "name": "María López",
            "actor": "test", "now": NOW, **kwargs}
    with database.session() as session:
        return issuance.award(session, ctx, **args)


@pytest.fixture
def district(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        seed.district(session, ctx)


@pytest.mark.usefixtures("district")
@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_award_signs_stores_and_verifies(database: Database, ctx: IssuerContext,
                                         fmt: str) -> None:
    issued = _award(database, ctx, fmt=fmt)
    report = seed.verify(issued.document, database, ctx, NOW + timedelta(minutes=1))
    assert report.verified, report.to_json()
    assert report.check("key_binding").code == "key_published"  # type: ignore[union-attr]
    cred = report.credential
    assert cred is not None
    assert cred["issuer"]["id"] == "did:web:badges.test:issuers:lakeside"
    subject = cred["credentialSubject"]
    kinds = {i["identityType"]: i for i in subject["identifier"]}
    assert kinds["emailAddress"]["hashed"] is True
    assert kinds["emailAddress"]["identityHash"].startswith("sha256$")
    assert kinds["name"]["identityHash"] == "María López"
    assert subject["achievement"]["achievementType"] == "MicroCredential"
    assert subject["achievement"]["id"].startswith("https://badges.test/achievements/")
    assert "maria.lopez" not in json.dumps(cred).lower()
    with database.session() as session:
        stored = session.get(IssuedCredential, issued.id)
        assert stored is not None and stored.document == issued.document
        assert stored.recipient_email == "maria.lopez@lakeside.example.org"
        events = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "credential.awarded")).all()
        assert [e.subject_id for e in events] == [issued.credential_id]


@pytest.mark.usefixtures("district")
@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_issued_credentials_pass_the_1edtech_schema_and_nothing_else_is_signed(
        database: Database, ctx: IssuerContext, fmt: str) -> None:
    """OB 3.0 JSON Schema with zero issues (one credentialStatus object), in both formats."""
    issued = _award(database, ctx, fmt=fmt)
    body = json.loads(issued.document) if fmt == "di" else decode_jwt(issued.document).credential
    body.pop("proof", None)
    assert schema.check_issuable(body) == []
    assert isinstance(body["credentialStatus"], dict)
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        key = signing_keys.current_signer(session, org, "ed25519" if fmt == "di" else "p256",
                                          kek=ctx.kek, base_url=ctx.base_url).pair
    unsigned = {k: v for k, v in body.items()
                if k not in ("iss", "jti", "nbf", "sub", "exp")}
    two = {**unsigned, "credentialStatus": [unsigned["credentialStatus"],
                                            {**unsigned["credentialStatus"],
                                             "statusPurpose": "suspension"}]}
    with pytest.raises(ServiceError) as refused:
        issuance.sign_document(two, key=key, fmt=fmt, created=NOW)  # type: ignore[arg-type]
    assert refused.value.code == "schema_invalid"
    assert "/credentialStatus: must be one object" in refused.value.message
    assert issuance.sign_document(two, key=key, fmt=fmt, created=NOW,  # type: ignore[arg-type]
                                  status_array=True)
    no_criteria = json.loads(json.dumps(unsigned))
    del no_criteria["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(ServiceError) as refused:
        issuance.sign_document(no_criteria, key=key, fmt=fmt, created=NOW)  # type: ignore[arg-type]
    assert refused.value.code == "schema_invalid"


@pytest.mark.usefixtures("district")
def test_validity_period_from_the_achievement(database: Database, ctx: IssuerContext) -> None:
    issued = _award(database, ctx, achievement="data-informed-instruction")
    assert issued.valid_until == NOW + timedelta(days=365)
    report = seed.verify(issued.document, database, ctx, NOW + timedelta(days=400))
    assert report.check("validity_period").code == "expired"  # type: ignore[union-attr]


@pytest.mark.usefixtures("district")
def test_one_person_many_addresses(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        person = recipients.find_or_create(session, email="tom@lakeside.example.org",
                                           name="Tom Nakamura")
        recipients.add_email(session, person, "t.nakamura@home.example.net")
    first = _award(database, ctx, email="tom@lakeside.example.org", name="Tom Nakamura")
    second = _award(database, ctx, email="T.Nakamura@home.example.net", name="Tom Nakamura",
                    achievement="data-informed-instruction")
    assert first.person_id == second.person_id
    with database.session() as session:
        other = recipients.find_or_create(session, email="grace@lakeside.example.org",
                                          name="Grace")
        with pytest.raises(ServiceError) as err:
            recipients.add_email(session, other, "tom@lakeside.example.org")
        assert err.value.code == "email_taken"


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {model.__tablename__: session.scalar(
            sa.select(sa.func.count()).select_from(model)) or 0
            for model in (IssuedCredential, Person, PersonEmail, AuditEvent, SigningKey)}


BAD_AWARDS = [
    ({"issuer": "nowhere"}, "unknown_issuer"),
    ({"achievement": "underwater-basket-weaving"}, "unknown_achievement"),
    ({"email": "not-an-email"}, "invalid_email"),
    ({"email": "a@b"}, "invalid_email"),
    ({"email": ""}, "invalid_email"),
    ({"name": ""}, "missing_field"),
    ({"name": "x" * 201}, "field_too_long"),
    ({"name": "Bad\x00Name"}, "invalid_text"),
    ({"narrative": "n" * 10_001}, "field_too_long"),
    ({"fmt": "pdf"}, "invalid_format"),
]


@pytest.mark.usefixtures("district")
@pytest.mark.parametrize(("change", "code"), BAD_AWARDS, ids=[c for _, c in BAD_AWARDS])
def test_bad_award_input_is_refused_and_changes_nothing(database: Database, ctx: IssuerContext,
                                                        change: dict[str, Any],
                                                        code: str) -> None:
    before = _counts(database)
    with pytest.raises(ServiceError) as err:
        _award(database, ctx, **change)
    assert err.value.code == code
    assert 400 <= err.value.status < 500
    assert _counts(database) == before


@pytest.mark.usefixtures("district")
def test_rotation_keeps_old_credentials_verifying(database: Database,
                                                  ctx: IssuerContext) -> None:
    old_di = _award(database, ctx)
    old_jwt = _award(database, ctx, fmt="jwt")
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        rows = signing_keys.rotate(session, org, kek=ctx.kek, base_url=ctx.base_url,
                                   now=NOW, actor="admin@lakeside")
        assert sorted(r.key_id for r in rows) == ["ed-2", "p256-2"]
    new_di = _award(database, ctx)
    for issued in (old_di, old_jwt, new_di):
        report = seed.verify(issued.document, database, ctx)
        assert report.verified, report.to_json()
    assert json.loads(old_di.document)["proof"][0]["verificationMethod"].endswith("#ed-1")
    assert json.loads(new_di.document)["proof"][0]["verificationMethod"].endswith("#ed-2")
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        doc = signing_keys.did_document(session, org, ctx.base_url)
        assert [m["id"].rsplit("#", 1)[1] for m in doc["verificationMethod"]] == \
            ["ed-1", "p256-1", "ed-2", "p256-2"]
        assert doc["assertionMethod"] == [m["id"] for m in doc["verificationMethod"]]
        actions = [e.action for e in session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.id))]
        assert actions.count("key.retired") == 2
        assert actions.count("key.created") == 4
        assert actions.count("credential.awarded") == 3


@pytest.mark.usefixtures("district")
def test_a_key_not_in_the_did_document_is_not_trusted(database: Database,
                                                      ctx: IssuerContext) -> None:
    issued = _award(database, ctx)
    with database.session() as session:
        row = session.scalar(sa.select(SigningKey).where(SigningKey.key_id == "ed-1"))
        assert row is not None
        row.status = signing_keys.KeyStatus.REVOKED  # type: ignore[attr-defined]
    report = seed.verify(issued.document, database, ctx)
    assert not report.verified
    assert report.check("proof").outcome == Outcome.FAILED  # type: ignore[union-attr]
    assert report.check("proof").code == "key_not_in_controller_document"  # type: ignore[union-attr]


@pytest.mark.usefixtures("district")
def test_private_keys_are_encrypted_at_rest(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        signer = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                             base_url=ctx.base_url)
        secret = signer.pair.to_json()["secretKeyMultibase"]
        row = signer.row
        assert secret.encode() not in row.encrypted_private
        with pytest.raises(keystore.KeystoreError):
            keystore.unseal(row.encrypted_private, kek=bytes(32), organization_id=org.id,
                            key_id=row.key_id)
        with pytest.raises(keystore.KeystoreError):  # a blob moved to another row
            keystore.unseal(row.encrypted_private, kek=ctx.kek, organization_id=org.id,
                            key_id="p256-1")


@pytest.mark.usefixtures("district")
def test_a_decrypted_key_is_kept_for_a_bounded_time_and_only_while_its_row_is_current(
        database: Database, ctx: IssuerContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        first = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                            base_url=ctx.base_url)
        again = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                            base_url=ctx.base_url)
        assert again.pair is first.pair  # not decrypted a second time
        with pytest.raises(keystore.KeystoreError):  # the cache never skips the KEK check
            signing_keys.current_signer(session, org, "ed25519", kek=bytes(32),
                                        base_url=ctx.base_url)
        monkeypatch.setattr(signing_keys, "UNSEALED_SECONDS", 0.0)
        later = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                            base_url=ctx.base_url)
        assert later.pair is not first.pair and later.pair.to_json() == first.pair.to_json()
        first.row.status = signing_keys.KeyStatus.REVOKED  # type: ignore[attr-defined]
        session.flush()
        with pytest.raises(LookupError):  # the row is read every time
            signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                        base_url=ctx.base_url)


@pytest.mark.usefixtures("district")
def test_audit_log_is_append_only(database: Database, ctx: IssuerContext) -> None:
    _award(database, ctx)
    session = database.sessions()
    try:
        event = session.scalars(sa.select(AuditEvent)).first()
        assert event is not None
        event.actor = "someone else"
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        event = session.scalars(sa.select(AuditEvent)).first()
        session.delete(event)
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
    finally:
        session.close()
    with database.session() as check:
        assert check.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3
        assert {e.actor for e in check.scalars(sa.select(AuditEvent))} == {"test"}
