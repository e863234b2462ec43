"""Endorsements get every check a credential gets (OB 3.0 §9.1 step 6), offline and in memory.

The outcome table (tests/verifier/test_outcomes.py) runs each check's results
as endorsements through the verifier service; this file covers what is
particular to endorsements: where they are found, what they may be about,
several at once, the bound on how many are checked, verify_embedded() as the
function a CLR will call, and (with hypothesis) that an endorsement's dates
decide its outcome and that any change after signing is caught.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import dataintegrity
from badges import keys
from badges.endorsements import MAX_ENDORSEMENTS
from badges.endorsements import find
from badges.jwt import sign_jwt
from badges.report import CHECK_IDS
from badges.report import Outcome
from badges.trust import TrustRegistry
from badges.verdict import Verdict
from badges.verify import verify_credential
from badges.verify import verify_embedded
from tests.badges.strategies import endorsements
from tests.conftest import NOW
from tests.conftest import load_json

pytestmark = pytest.mark.usefixtures("no_network")

CREATED = "2026-01-05T09:00:00Z"
DISTRICT = keys.ed25519_from_seed(bytes(range(32)))
BOARD = keys.ed25519_from_seed(bytes(range(1, 33)))
ENDORSEMENT_JWT = {"endorsementJwt": {
    "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt"}}


def endorsement(about: str = DISTRICT.controller, key: keys.KeyPair = BOARD,
                issuer: str | None = None, name: str = "State Board of Education",
                **changes: Any) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7b0c1c5e-0000-4000-8000-00000000e001",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement of the district's programme",
        "issuer": {"id": issuer or key.controller, "type": ["Profile"], "name": name},
        "validFrom": "2026-01-05T09:00:00Z",
        "credentialSubject": {"id": about, "type": ["EndorsementSubject"],
                              "endorsementComment": "In good standing."}}
    cred.update(changes)
    return cred


def signed(cred: dict[str, Any], key: keys.KeyPair = BOARD) -> dict[str, Any]:
    return dataintegrity.sign_credential(cred, key=key, created=CREATED)


def badge(*, on_credential: list[Any] = (), on_issuer: list[Any] = (),  # type: ignore[assignment]
          on_achievement: list[Any] = (), jwts: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["id"] = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000031"
    cred["issuer"] = {"id": DISTRICT.controller, "type": ["Profile"],
                      "name": "Lakeside Unified School District"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    if on_credential:
        cred["endorsement"] = list(on_credential)
    if on_issuer:
        cred["issuer"]["endorsement"] = list(on_issuer)
    if on_achievement:
        cred["credentialSubject"]["achievement"]["endorsement"] = list(on_achievement)
    if jwts:
        cred["@context"].append(ENDORSEMENT_JWT)
        cred["endorsementJwt"] = list(jwts)
    return signed(cred, DISTRICT)


def check(cred: dict[str, Any], **options: Any) -> Any:
    report = verify_credential(cred, now=NOW, **options)
    result = report.check("endorsements")
    assert result is not None
    return report, result


def test_the_issue_22_forgery_is_a_failed_endorsement_and_the_badge_is_not_verified() -> None:
    """An endorsement naming did:web:isbe.net, signed with a random did:key, in a signed badge."""
    forged = signed(endorsement(issuer="did:web:isbe.net"), keys.generate("ed25519"))
    report, result = check(badge(on_credential=[forged]))
    assert (result.outcome, result.code) == (Outcome.FAILED, "endorsement_forged")
    assert "State Board of Education" in result.message
    assert "does not belong to the issuer it names" in result.message
    worst = result.detail["endorsement"]
    assert (worst["because"]["id"], worst["because"]["code"]) == ("key_binding",
                                                                 "controller_mismatch")
    assert report.verified is False and report.verdict == Verdict.INVALID


def test_endorsements_anywhere_are_found_but_not_inside_endorsements() -> None:
    inner = signed(endorsement())
    outer = signed(endorsement(endorsement=[inner]))
    cred = badge(on_credential=[outer], on_issuer=[outer], on_achievement=[outer])
    places = [(f.path, f.holder) for f in find(cred)]
    assert places == [("credential", cred["id"]), ("issuer", DISTRICT.controller),
                      ("credentialSubject.achievement",
                       cred["credentialSubject"]["achievement"]["id"])]
    report, result = check(cred)
    assert (result.outcome, result.code) == (Outcome.PASSED, "endorsements_valid")
    assert result.message.startswith("All 3 endorsements verified")
    assert [e["verdict"] for e in result.detail["endorsements"]] == ["verified"] * 3


@pytest.mark.parametrize(("about", "ok"), [
    (DISTRICT.controller, True),                                    # its issuer (a did:key)
    ("urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000031", True),       # the credential
    ("https://example.com/achievements/21st-century-skills/teamwork", True),  # its achievement
    ("did:web:shelbyville.example", False),                         # someone else
])
def test_an_endorsement_must_be_about_this_credential_its_issuer_or_achievement(
        about: str, ok: bool) -> None:
    report, result = check(badge(on_credential=[signed(endorsement(about))]))
    if ok:
        assert result.code == "endorsements_valid" and report.verified
    else:
        assert (result.outcome, result.code) == (Outcome.FAILED,
                                                 "endorsement_subject_mismatch")
        assert about in result.message and not report.verified


def test_several_endorsements_report_the_most_serious_and_count_the_rest() -> None:
    expired = signed(endorsement(validUntil="2026-06-01T00:00:00Z"))
    good = signed(endorsement())
    forged = {**good, "credentialSubject": {**good["credentialSubject"],
                                            "endorsementComment": "Outstanding in every way."}}
    report, result = check(badge(on_credential=[expired, good, forged]))
    assert result.code == "endorsement_forged"
    assert "(1 more of the 3 endorsements also have problems.)" in result.message
    assert [e["code"] for e in result.detail["endorsements"]] == [
        "endorsement_expired", None, "endorsement_forged"]
    assert report.verdict == Verdict.INVALID
    # alone, the expired one is a warning: a genuine endorsement that no longer stands
    report, result = check(badge(on_credential=[expired, good]))
    assert (result.outcome, result.code) == (Outcome.WARNING, "endorsement_expired")
    assert report.verified


def test_endorsements_in_jwt_form_are_checked_too() -> None:
    token = sign_jwt(endorsement(), key=BOARD)
    report, result = check(badge(jwts=[token]))
    assert result.code == "endorsements_valid" and report.verified
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    report, result = check(badge(jwts=[tampered]))
    assert result.code == "endorsement_forged" and not report.verified


def test_only_so_many_endorsements_are_checked_and_the_rest_leave_it_unconfirmed() -> None:
    many = [signed(endorsement())] * (MAX_ENDORSEMENTS + 3)
    report, result = check(badge(on_credential=many))
    assert (result.outcome, result.code) == (Outcome.INDETERMINATE, "endorsement_unchecked")
    assert "3 of them could not be checked" in result.message
    assert report.verdict == Verdict.UNCONFIRMED


def test_an_endorser_borrowing_a_known_name_is_impersonation() -> None:
    registry = TrustRegistry(issuers={"did:web:isbe.net": "State Board of Education"})
    report, result = check(badge(on_credential=[signed(endorsement())]), registry=registry)
    assert result.code == "endorsement_impersonation"
    assert report.verdict == Verdict.INVALID


def test_verify_embedded_gives_an_embedded_credential_every_check() -> None:
    """What a CLR calls for each credential it embeds: the same checks as the top level."""
    cred = badge()
    report = verify_embedded(cred, kind="credential", now=NOW)
    assert tuple(c.id for c in report.checks) == CHECK_IDS
    assert report.verified
    # its own endorsements are not followed
    carrying = badge(on_credential=[signed(endorsement())])
    nested = verify_embedded(carrying, kind="credential", now=NOW).check("endorsements")
    assert nested is not None and nested.code == "nested_endorsements"
    # the kind is enforced both ways
    wrong = verify_embedded(signed(endorsement()), kind="credential", now=NOW)
    assert wrong.checks[0].code == "not_open_badge" and wrong.verdict == Verdict.INVALID
    wrong = verify_embedded(cred, kind="endorsement", now=NOW)
    assert wrong.checks[0].code == "not_endorsement" and wrong.verdict == Verdict.INVALID
    for junk in (42, None, ["a", "list"]):
        unread = verify_embedded(junk, kind="credential", now=NOW)
        assert unread.checks[0].code == "not_a_credential"
        assert unread.verdict == Verdict.UNREADABLE


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endorsements(issuer_id=BOARD.controller, subject_id=DISTRICT.controller))
def test_an_endorsements_dates_decide_its_outcome(unsigned: dict[str, Any]) -> None:
    from badges.model import parse_datetime

    report, result = check(badge(on_credential=[signed(unsigned)]))
    start = parse_datetime(unsigned["validFrom"])
    end = parse_datetime(unsigned["validUntil"]) if "validUntil" in unsigned else None
    if start - timedelta(minutes=5) > NOW:
        assert result.code == "endorsement_invalid" and report.verdict == Verdict.INVALID
    elif end is not None and end < NOW:
        assert result.code == "endorsement_expired" and report.verified
    else:
        assert result.code == "endorsements_valid" and report.verified


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(["name", "validFrom", "comment", "endorser", "subject"]),
       text=st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1,
                    max_size=20))
def test_any_change_to_an_endorsement_after_signing_is_caught(field: str, text: str) -> None:
    original = signed(endorsement())
    changed: Any = {**original, "credentialSubject": dict(original["credentialSubject"]),
                    "issuer": dict(original["issuer"])}
    if field == "name":
        changed["name"] = original["name"] + text
    elif field == "validFrom":
        changed["validFrom"] = "2025-12-31T00:00:00Z"
    elif field == "comment":
        changed["credentialSubject"]["endorsementComment"] += text
    elif field == "endorser":
        changed["issuer"]["name"] += text
    else:
        changed["credentialSubject"]["id"] = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000031"
    report, result = check(badge(on_credential=[changed]))
    assert result.code == "endorsement_forged", result.message
    assert report.verified is False
