"""A teacher's CLR 2.0 from the district, verified with the district's own published documents.

Issue #20's acceptance for the CLR slice, on SQLite and PostgreSQL: a record
of 5 embedded Open Badges verifies (the record's proof and each badge's
signature, key, status, expiry, issuer); tampering any one embedded badge is
reported for that badge, by its achievement's name, as forged; revoking one
is reported for that one as revoked; the issued record passes the 1EdTech
ClrCredential schema. Documents (DID documents, status lists) come from the
service's database through :class:`PublishedDocuments`, as the district's
verifier reads them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from badges import dataintegrity
from badges.clr_schema import CLR_SCHEMA_ID
from badges.clr_schema import check_clr
from badges.clr_verify import ClrReport
from badges.clr_verify import verify_clr
from badges.status import make_status_checker
from badges.verdict import Verdict
from issuer.db import Database
from issuer.services import achievements
from issuer.services import clr as clr_service
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services import status
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.services.published import OwnIssuers
from tests.issuer import seed
from tests.issuer.conftest import NOW

TEACHER = "maria.lopez@lakeside.example.org"
EXTRA = (("technology-integration", "Classroom Technology Integration"),
         ("digital-literacy", "Digital Literacy Instruction"),
         ("peer-mentoring", "Peer Mentoring"))
NAMES = ("Blended Learning Design", "Data-Informed Instruction",
         "Classroom Technology Integration", "Digital Literacy Instruction", "Peer Mentoring")


def _district(database: Database, ctx: IssuerContext) -> list[str]:
    """The seeded district with 5 achievements, each awarded to the teacher: their ids."""
    ids = []
    with database.session() as session:
        org = seed.district(session, ctx)
        for slug, name in EXTRA:
            achievements.create(session, org, slug=slug, name=name,
                                description=f"{name} in the classroom.",
                                criteria="A portfolio reviewed by a mentor.")
        session.flush()
        for slug in ("blended-learning-design", "data-informed-instruction",
                     *(s for s, _ in EXTRA)):
            issued = issuance.award(session, ctx, issuer="lakeside", achievement=slug,
                                    email=TEACHER, name="María López", actor="test", now=NOW)
            ids.append(issued.credential_id)
    return ids


def _clr(database: Database, ctx: IssuerContext, **kwargs: Any) -> clr_service.ClrResult:
    with database.session() as session:
        return clr_service.teacher_clr(session, ctx, issuer="lakeside", email=TEACHER,
                                       now=NOW, actor="test", **kwargs)


def _verify(document: dict[str, Any], database: Database, ctx: IssuerContext) -> ClrReport:
    fetch = seed.fetcher(database, ctx)
    return verify_clr(document, now=NOW, fetch_document=fetch,
                      check_status=make_status_checker(fetch_document=fetch, now=NOW),
                      registry=OwnIssuers(database, ctx.base_url).current())


def _resign(document: dict[str, Any], database: Database, ctx: IssuerContext) -> dict[str, Any]:
    """The record re-signed by the district itself: only what it embeds is at fault."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        signer = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                             base_url=ctx.base_url)
        return dataintegrity.sign_credential(unsigned, key=signer.pair,
                                             created="2026-11-23T12:00:00Z")


def test_a_record_of_five_badges_verifies_and_passes_the_clr_schema(
        database: Database, ctx: IssuerContext) -> None:
    ids = _district(database, ctx)
    result = _clr(database, ctx)
    document = result.document
    assert check_clr(document) == []
    assert document["credentialSchema"] == [{"id": CLR_SCHEMA_ID,
                                             "type": "1EdTechJsonSchemaValidator2019"}]
    assert document["@context"][1] == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    assert document["issuer"]["id"] == "did:web:badges.test:issuers:lakeside"
    assert "partial" not in document
    subject = document["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert sorted(c["id"] for c in subject["verifiableCredential"]) == sorted(ids)
    assert sorted(a["name"] for a in subject["achievement"]) == sorted(NAMES)
    for embedded in subject["verifiableCredential"]:  # each with its own proof, unchanged
        assert embedded["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    report = _verify(document, database, ctx)
    assert report.verdict == Verdict.VERIFIED, report.problems()
    assert report.problems() == []
    assert [c.name for c in report.credentials] == [
        c["credentialSubject"]["achievement"]["name"] for c in subject["verifiableCredential"]]
    assert sorted(c.name for c in report.credentials) == sorted(NAMES)
    assert all(c.report.check("status").code == "not_revoked"  # type: ignore[union-attr]
               for c in report.credentials)
    assert report.record.check("proof").code == "signature_valid"  # type: ignore[union-attr]
    assert report.to_json()["verified"] is True


def test_tampering_any_embedded_badge_is_reported_for_that_badge(
        database: Database, ctx: IssuerContext) -> None:
    _district(database, ctx)
    document = _clr(database, ctx).document
    names = [c["credentialSubject"]["achievement"]["name"]
             for c in document["credentialSubject"]["verifiableCredential"]]
    assert sorted(names) == sorted(NAMES)
    for position, name in enumerate(names):
        changed = copy.deepcopy(document)
        embedded = changed["credentialSubject"]["verifiableCredential"][position]
        embedded["credentialSubject"]["achievement"]["description"] = "Something else."
        # as handed over (the record's own proof breaks too) ...
        report = _verify(changed, database, ctx)
        assert report.verdict == Verdict.FORGED
        assert report.record.verdict == Verdict.FORGED
        bad = [c for c in report.credentials if c.verdict != Verdict.VERIFIED]
        assert [(c.name, c.verdict) for c in bad] == [(name, Verdict.FORGED)]
        assert any(line.startswith(f"{name}: forged.") for line in report.problems())
        # ... and re-signed by the district: the record is intact, the badge is not
        report = _verify(_resign(changed, database, ctx), database, ctx)
        assert report.record.verdict == Verdict.VERIFIED
        assert report.verdict == Verdict.FORGED
        assert report.problems() == [f"{name}: forged. {bad[0].reason}"]


def test_revoking_one_badge_is_reported_for_that_badge(database: Database,
                                                       ctx: IssuerContext) -> None:
    ids = _district(database, ctx)
    document = _clr(database, ctx).document
    with database.session() as session:
        status.revoke(session, ids[2], reason="awarded in error", public=True, actor="test",
                      now=NOW)
    report = _verify(document, database, ctx)
    assert report.record.verdict == Verdict.VERIFIED
    assert report.verdict == Verdict.REVOKED
    verdicts = {c.name: c.verdict for c in report.credentials}
    assert verdicts.pop("Classroom Technology Integration") == Verdict.REVOKED
    assert set(verdicts.values()) == {Verdict.VERIFIED}
    assert report.problems()[0].startswith("Classroom Technology Integration: revoked.")
    # a new record leaves the revoked badge out, says so, and is partial
    again = _clr(database, ctx)
    assert [row.credential_id for row, _ in again.left_out] == [ids[2]]
    assert again.left_out[0][1] == "revoked"
    assert again.document["partial"] is True
    assert len(again.document["credentialSubject"]["verifiableCredential"]) == 4
    assert _verify(again.document, database, ctx).verdict == Verdict.VERIFIED


def test_chosen_credentials_only_and_clear_refusals(database: Database,
                                                   ctx: IssuerContext) -> None:
    ids = _district(database, ctx)
    chosen = _clr(database, ctx, credential_ids=[ids[4], ids[0]])
    assert [c["id"] for c in chosen.document["credentialSubject"]["verifiableCredential"]] == \
        [ids[4], ids[0]]
    assert chosen.document["partial"] is True
    with database.session() as session:
        jwt = issuance.award(session, ctx, issuer="lakeside", achievement="peer-mentoring",
                             email=TEACHER, name="María López", actor="test", now=NOW, fmt="jwt")
        jwt_id = jwt.credential_id
    with_jwt = _clr(database, ctx, credential_ids=[ids[1], jwt_id])
    assert [(row.credential_id, why.split(" ")[1]) for row, why in with_jwt.left_out] == \
        [(jwt_id, "VC-JWT")]
    cases: list[tuple[dict[str, Any], str, int]] = [
        ({"email": "nobody@lakeside.example.org"}, "unknown_recipient", 404),
        ({"email": "not an address"}, "invalid_email", 400),
        ({"credential_ids": ["urn:uuid:00000000-0000-4000-8000-000000000000"]},
         "unknown_credential", 404),
        ({"credential_ids": [jwt_id]}, "no_credentials", 404),
        ({"issuer": "nowhere"}, "unknown_issuer", 404),
    ]
    for changes, code, http in cases:
        args: dict[str, Any] = {"issuer": "lakeside", "email": TEACHER, **changes}
        with database.session() as session, pytest.raises(ServiceError) as caught:
            clr_service.teacher_clr(session, ctx, now=NOW, actor="test", **args)
        assert (caught.value.code, caught.value.status) == (code, http), changes


def test_the_record_is_audited(database: Database, ctx: IssuerContext) -> None:
    from issuer.services import audit

    ids = _district(database, ctx)
    document = _clr(database, ctx).document
    with database.session() as session:
        events = [e for e in audit.events(session) if e.action == "clr.issued"]
    assert len(events) == 1 and events[0].subject_id == document["id"]
    assert sorted(events[0].detail["credentials"]) == sorted(ids)
    assert json.dumps(document)  # plain JSON throughout
