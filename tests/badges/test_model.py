"""Tests for badges.model: builders emit spec-correct OB 3.0 JSON."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pyld import jsonld

from badges.loader import OB_CONTEXT
from badges.loader import OB_EXTENSIONS
from badges.loader import VC_V2
from badges.loader import document_loader
from badges.model import DEFAULT_CREDENTIAL_SCHEMA
from badges.model import Achievement
from badges.model import AchievementSubject
from badges.model import Address
from badges.model import Alignment
from badges.model import BitstringStatusListEntry
from badges.model import Criteria
from badges.model import EndorsementCredential
from badges.model import Evidence
from badges.model import GeoCoordinates
from badges.model import IdentifierEntry
from badges.model import IdentityObject
from badges.model import Image
from badges.model import OpenBadgeCredential
from badges.model import Profile
from badges.model import Result
from badges.model import ResultDescription
from badges.model import RubricCriterionLevel
from badges.model import format_datetime
from badges.model import identity_matches
from badges.model import normalize_email
from badges.model import parse_datetime
from badges.schema import check_credential
from badges.schema import check_endorsement
from badges.schema import check_profile
from badges.schema import conformance_issues

from .strategies import aware_datetimes

WORKED_EXAMPLE = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
T0 = datetime(2025, 9, 1, 8, 30, tzinfo=UTC)
DISTRICT = "https://badges.springfield.k12.il.us"
#: Classes whose ``type`` the OB JSON Schema pins to one string.
STRING_TYPES = {"Image", "IdentityObject", "IdentifierEntry", "GeoCoordinates",
                "BitstringStatusListEntry", "1EdTechJsonSchemaValidator2019"}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _district() -> Profile:
    return Profile(
        id="did:web:badges.springfield.k12.il.us:issuers:district",
        name="Springfield Public Schools",
        url="https://www.springfield.k12.il.us",
        email="pd@springfield.k12.il.us",
        phone="+1-217-555-0100",
        description="Professional learning for 1,400 educators.",
        image=Image(id=f"{DISTRICT}/logo.png", caption="District logo"),
        address=Address(address_country="United States", address_country_code="US",
                        address_region="IL", address_locality="Springfield",
                        street_address="1900 W Monroe St", postal_code="62704",
                        post_office_box_number="12",
                        geo=GeoCoordinates(latitude=39.8, longitude=-89.65)),
        official="Dr. Jennifer Gill, Superintendent",
        other_identifier=(IdentifierEntry(identifier="1737320",
                                          identifier_type="ext:NCESDistrictId"),),
        parent_org=Profile(id="https://www.isbe.net", name="Illinois State Board of Education"),
    )


def _achievement(creator: Profile | None = None) -> Achievement:
    levels = tuple(
        RubricCriterionLevel(id=f"{DISTRICT}/a/bld/rubric/{n.lower()}", name=n, level=n,
                             description=f"{n} practice", points=str(i + 1),
                             alignment=(Alignment(target_name=f"Level {n}",
                                                  target_url=f"https://example.org/{n}",
                                                  target_type="CFRubricCriterionLevel"),))
        for i, n in enumerate(["Developing", "Proficient", "Exemplary"]))
    return Achievement(
        id=f"{DISTRICT}/achievements/blended-learning-design",
        name="Blended Learning Design",
        description="Designs and teaches blended lessons that personalize learning.",
        criteria=Criteria(id=f"{DISTRICT}/criteria/bld",
                          narrative="Submit a **station-rotation** unit and a reflection."),
        image=Image(id=f"{DISTRICT}/images/bld.png", caption="Blended Learning Design badge"),
        alignment=(Alignment(
            target_name="Designer 2.5.a", target_url="https://casenetwork.imsglobal.org/uri/x",
            target_code="2.5.a", target_description="Personalize learning",
            target_framework="ISTE Standards for Educators", target_type="CFItem"),),
        result_description=(
            ResultDescription(
                id=f"{DISTRICT}/a/bld/rubric", name="Portfolio rubric",
                result_type="RubricCriterionLevel", rubric_criterion_level=levels,
                required_level=levels[1].id,
                alignment=(Alignment(target_name="Rubric", target_url="https://example.org/r"),)),
            ResultDescription(
                id=f"{DISTRICT}/a/bld/score", name="Observation score", result_type="RawScore",
                allowed_value=("1", "2", "3", "4"), required_value="3",
                value_min="1", value_max="4"),
        ),
        tag=("edtech", "blended learning"),
        version="2.0",
        in_language="en-US",
        creator=creator,
        field_of_study="Educational Technology",
        human_code="EDT-204",
        credits_available=15.0,
        specialization="Station rotation",
        other_identifier=(IdentifierEntry(identifier="EDT-204", identifier_type="identifier"),),
    )


def _kitchen_sink(**overrides: Any) -> OpenBadgeCredential:
    """A credential using every builder and every optional field."""
    district = _district()
    achievement = _achievement(creator=district)
    subject = AchievementSubject(
        achievement=achievement,
        id="did:key:z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
        identifier=(IdentityObject.hashed_email("zoe.muller@springfield.k12.il.us", "s4lt"),
                    IdentityObject.plain_name("Zoë Müller")),
        result=(Result(result_description=f"{DISTRICT}/a/bld/rubric",
                       achieved_level=f"{DISTRICT}/a/bld/rubric/exemplary", status="Completed",
                       alignment=(Alignment(target_name="x", target_url="https://example.org/x"),)),
                Result(result_description=f"{DISTRICT}/a/bld/score", value="4")),
        source=Profile(id=f"{DISTRICT}/schools/lincoln", name="Lincoln Elementary",
                       extra_types=("ext:School",)),
        narrative="Portfolio reviewed by two instructional coaches.",
        image=Image(id="data:image/png;base64,iVBORw0KGgo="),
        activity_start_date=T0 - timedelta(days=60),
        activity_end_date=T0 - timedelta(days=3),
        credits_earned=15.0,
        role="Grade 4 Teacher",
        term="Fall 2025",
        license_number="IL-ED-0042",
    )
    fields: dict[str, Any] = dict(
        id="urn:uuid:6a1f7c0e-2b8e-4d0e-9b8a-3d1c2e4f5a6b",
        issuer=district,
        valid_from=T0,
        credential_subject=subject,
        name="Blended Learning Design — Zoë Müller",
        description="Awarded for a station-rotation unit.",
        valid_until=T0 + timedelta(days=3 * 365),
        awarded_date=T0 - timedelta(days=1),
        image=Image(id=f"{DISTRICT}/images/bld.png"),
        evidence=(Evidence(id="urn:uuid:0b5b7c2e-0000-4000-8000-000000000001",
                           name="Unit plan", description="Station rotation unit",
                           narrative="Three stations...", genre="Lesson Plan",
                           audience="Reviewers"),
                  Evidence(narrative="Reflection on student outcomes.")),
        credential_status=(BitstringStatusListEntry(
            id=f"{DISTRICT}/status/1#94567", status_purpose="revocation",
            status_list_index=94567, status_list_credential=f"{DISTRICT}/status/1"),),
    )
    fields.update(overrides)
    return OpenBadgeCredential(**fields)


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_walk(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_walk(value, f"{path}/{index}"))
    return out


def _assert_serialization_rules(doc: dict[str, Any]) -> None:
    """OB 3.0 serialization: no nulls, no empty arrays, ``type`` always an array."""
    for path, value in _walk(doc):
        assert value is not None, f"null at {path}"
        assert value != [], f"empty array at {path}"
        if isinstance(value, dict) and "type" in value and "@context" not in path:
            kind = value["type"]
            if isinstance(kind, str):
                assert kind in STRING_TYPES, f"singular type {kind!r} at {path}"
            else:
                assert isinstance(kind, list) and kind, path


def _undefined_terms(doc: dict[str, Any]) -> set[str]:
    """JSON-LD "safe mode": terms/types the contexts do not define (DIGEST §10.1)."""
    sentinel = "urn:undefined-term:"
    expanded = jsonld.expand(doc, {"documentLoader": document_loader,
                                   "expandContext": {"@vocab": sentinel}})
    found: set[str] = set()
    for _, node in _walk(expanded):
        if isinstance(node, dict):
            found.update(k for k in node if k.startswith(sentinel))
            kinds = node.get("@type", [])
            for kind in kinds if isinstance(kinds, list) else [kinds]:
                if isinstance(kind, str) and kind.startswith(sentinel):
                    found.add(kind)
    return found


# --------------------------------------------------------------------------
# Date-times
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
    ("2010-01-01T19:23:24.5+02:00",
     datetime(2010, 1, 1, 19, 23, 24, 500000, tzinfo=timezone(timedelta(hours=2)))),
    ("2024-02-29T23:59:59.123456789-05:30",
     datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=timezone(-timedelta(hours=5, minutes=30)))),
    ("2010-01-01T00:00:00-00:00", datetime(2010, 1, 1, tzinfo=UTC)),
    ("2010-01-01T00:00:00+00:00", datetime(2010, 1, 1, tzinfo=UTC)),
])
def test_parse_datetime_accepts_datetimez(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", [
    "2010-01-01", "2010-01-01T00:00:00", "2010-01-01 00:00:00Z", "2010-01-01t00:00:00z",
    "2010-01-01T00:00Z", "2010-13-01T00:00:00Z", "2010-02-30T00:00:00Z",
    "2010-01-01T24:00:00Z", "2010-01-01T00:00:60Z", "2010-01-01T00:00:00+24:00",
    "2010-01-01T00:00:00+05:60", "0000-01-01T00:00:00Z", "2010-01-01T00:00:00.Z",
    "2010-01-01T00:00:00+0200", "\u0662\u0660\u0661\u0660-01-01T00:00:00Z",
    " 2010-01-01T00:00:00Z", "2010-01-01T00:00:00Z\n", "",
])
def test_parse_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)


@pytest.mark.parametrize("value", [None, 1262304000, datetime(2010, 1, 1, tzinfo=UTC)])
def test_parse_datetime_rejects_non_strings_with_value_error(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_datetime(value)


def test_format_datetime() -> None:
    assert format_datetime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2025-01-02T03:04:05Z"
    assert (format_datetime(datetime(2025, 1, 2, 3, 4, 5, 250000, tzinfo=UTC))
            == "2025-01-02T03:04:05.250000Z")
    central = timezone(timedelta(hours=-6))
    assert (format_datetime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=central))
            == "2025-01-02T03:04:05-06:00")
    india = timezone(timedelta(hours=5, minutes=30))
    assert format_datetime(datetime(2025, 1, 2, tzinfo=india)) == "2025-01-02T00:00:00+05:30"
    # An LMT-style offset with seconds cannot be written in RFC 3339: converted to UTC.
    lmt = timezone(timedelta(minutes=19, seconds=32))
    assert format_datetime(datetime(1900, 1, 1, 12, tzinfo=lmt)) == "1900-01-01T11:40:28Z"


def test_format_datetime_refuses_naive_and_non_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2025, 1, 1))
    with pytest.raises(TypeError):
        format_datetime("2025-01-01T00:00:00Z")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(aware_datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_datetime_round_trip(value: datetime) -> None:
    text = format_datetime(value)
    back = parse_datetime(text)
    assert back == value
    assert back.utcoffset() == value.utcoffset()
    assert (text.endswith("Z")) == (value.utcoffset() == timedelta(0))


# --------------------------------------------------------------------------
# Small builders
# --------------------------------------------------------------------------


def test_image_type_is_the_string_image() -> None:
    assert Image(id="https://x.org/a.png").to_json() == {"id": "https://x.org/a.png",
                                                         "type": "Image"}
    assert Image(id="https://x.org/a.png", caption="A").to_json()["caption"] == "A"
    with pytest.raises(ValueError):
        Image(id="  ")


def test_profile_json_and_schema() -> None:
    doc = _district().to_json()
    assert doc["type"] == ["Profile"]
    assert doc["parentOrg"]["type"] == ["Profile"]
    assert doc["address"]["type"] == ["Address"]
    assert doc["address"]["geo"] == {"type": "GeoCoordinates", "latitude": 39.8,
                                     "longitude": -89.65}
    assert doc["otherIdentifier"] == [{"type": "IdentifierEntry", "identifier": "1737320",
                                       "identifierType": "ext:NCESDistrictId"}]
    assert check_profile(doc) == []
    _assert_serialization_rules(doc)
    minimal = Profile(id="https://x.org/p").to_json()
    assert minimal == {"id": "https://x.org/p", "type": ["Profile"]}
    assert check_profile(minimal) == []
    typed = Profile(id="https://x.org/p", extra_types=("Profile", "ext:School")).to_json()
    assert typed["type"] == ["Profile", "ext:School"]


def test_profile_rejects_bad_country_code_and_parent() -> None:
    with pytest.raises(ValueError):
        Address(address_country_code="USA")
    with pytest.raises(TypeError):
        Profile(id="https://x.org/p", parent_org={"id": "x"})  # type: ignore[arg-type]


def test_criteria_needs_id_or_narrative() -> None:
    with pytest.raises(ValueError, match="id or a narrative"):
        Criteria()
    assert Criteria(id="https://x.org/c").to_json() == {"id": "https://x.org/c"}
    assert Criteria(narrative="Do it.").to_json() == {"narrative": "Do it."}


def test_alignment_and_vocabularies() -> None:
    doc = Alignment(target_name="n", target_url="https://u", target_type="CFItem").to_json()
    assert doc == {"type": ["Alignment"], "targetName": "n", "targetType": "CFItem",
                   "targetUrl": "https://u"}
    Alignment(target_name="n", target_url="https://u", target_type="ext:ISTE")
    with pytest.raises(ValueError, match="targetType|target_type"):
        Alignment(target_name="n", target_url="https://u", target_type="Standard")
    with pytest.raises(ValueError):
        Result(status="Passed")
    with pytest.raises(ValueError):
        Result(status="ext:Passed")  # ResultStatusType is not extensible
    with pytest.raises(ValueError):
        ResultDescription(id="u", name="n", result_type="Grade")
    with pytest.raises(ValueError):
        IdentifierEntry(identifier="1", identifier_type="email")


def test_result_description_checks() -> None:
    level = RubricCriterionLevel(id="urn:l1", name="One")
    with pytest.raises(ValueError, match="required_level"):
        ResultDescription(id="urn:r", name="r", result_type="RubricCriterionLevel",
                          rubric_criterion_level=(level,), required_level="urn:other")
    with pytest.raises(ValueError, match="distinct"):
        ResultDescription(id="urn:r", name="r", result_type="RubricCriterionLevel",
                          rubric_criterion_level=(level, level))
    with pytest.raises(TypeError):
        RubricCriterionLevel(id="urn:l", name="n", points=3)  # type: ignore[arg-type]


def test_evidence_and_result_json() -> None:
    assert Evidence().to_json() == {"type": ["Evidence"]}
    assert Result(value="A").to_json() == {"type": ["Result"], "value": "A"}


def test_sequences_are_frozen_to_tuples() -> None:
    achievement = Achievement(id="urn:a", name="n", description="d",
                              criteria=Criteria(narrative="c"),
                              tag=["a", "b"])  # type: ignore[arg-type]
    assert achievement.tag == ("a", "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        achievement.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Achievement(id="urn:a", name="n", description="d", criteria=Criteria(narrative="c"),
                    tag="edtech")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Criteria("https://x.org")  # type: ignore[call-arg]  # keyword-only


def test_achievement_checks() -> None:
    base: dict[str, Any] = dict(id="urn:a", name="n", description="d",
                                criteria=Criteria(narrative="c"))
    assert Achievement(**base).to_json()["achievementType"] == "MicroCredential"
    assert "achievementType" not in Achievement(**base, achievement_type=None).to_json()
    Achievement(**base, achievement_type="ext:TeacherLeader")
    with pytest.raises(ValueError):
        Achievement(**base, achievement_type="Microcredential")
    with pytest.raises(ValueError):
        Achievement(**base, in_language="english")
    with pytest.raises(TypeError):
        Achievement(**base, credits_available=True)
    with pytest.raises(ValueError):
        Achievement(**base, credits_available=float("nan"))


# --------------------------------------------------------------------------
# Recipient identity
# --------------------------------------------------------------------------


def test_hashed_email_matches_spec_worked_example() -> None:
    identity = IdentityObject.hashed_email("a@example.com", "Kosher")
    assert identity.to_json() == {
        "type": "IdentityObject", "identityHash": WORKED_EXAMPLE,
        "identityType": "emailAddress", "hashed": True, "salt": "Kosher"}
    # Normalization: strip + lowercase before hashing.
    assert IdentityObject.hashed_email("  A@Example.COM ", "Kosher").identity_hash == WORKED_EXAMPLE
    assert normalize_email(" Jane.Doe@District.ORG\t") == "jane.doe@district.org"


def test_identity_object_checks() -> None:
    with pytest.raises(ValueError, match="IdentityHash"):
        IdentityObject(identity_hash="a@example.com")  # hashed=True needs alg$hex
    with pytest.raises(ValueError):
        IdentityObject(identity_hash="sha256$abc")  # wrong length
    with pytest.raises(ValueError):
        IdentityObject.hashed_email("a@example.com", "")
    with pytest.raises(ValueError):
        IdentityObject(identity_hash="x", identity_type="email", hashed=False)
    plain = IdentityObject.plain_name("Nguyễn Thị Mai").to_json()
    assert plain == {"type": "IdentityObject", "identityHash": "Nguyễn Thị Mai",
                     "identityType": "name", "hashed": False}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize(("identity", "value", "expected"), [
    ({"identityType": "emailAddress", "hashed": True, "salt": "Kosher",
      "identityHash": WORKED_EXAMPLE}, "a@example.com", True),
    ({"identityType": "emailAddress", "hashed": True, "salt": "Kosher",
      "identityHash": WORKED_EXAMPLE.upper().replace("SHA256$", "sha256$")}, "a@example.com", True),
    ({"identityType": "emailAddress", "hashed": True, "salt": "Kosher",
      "identityHash": WORKED_EXAMPLE}, "A@Example.com ", True),
    ({"identityType": "emailAddress", "hashed": True, "salt": "Kosher",
      "identityHash": WORKED_EXAMPLE}, "b@example.com", False),
    ({"identityType": "emailAddress", "hashed": True, "salt": "kosher",
      "identityHash": WORKED_EXAMPLE}, "a@example.com", False),
    ({"identityType": "emailAddress", "hashed": True,
      "identityHash": "md5$" + _md5("a@example.com")}, "a@example.com", True),
    ({"identityType": "emailAddress", "hashed": True,
      "identityHash": "md5$" + _md5("a@example.com").upper()}, "a@example.com", True),
    ({"identityType": "emailAddress", "hashed": True,
      "identityHash": "sha1$" + _md5("a@example.com")}, "a@example.com", False),
    ({"identityType": "emailAddress", "hashed": False, "identityHash": "A@example.com"},
     "a@EXAMPLE.com", True),
    ({"identityType": "name", "hashed": False, "identityHash": "Zoë Müller"}, "Zoë Müller", True),
    ({"identityType": "name", "hashed": False, "identityHash": "Zoë Müller"}, "zoë müller", False),
    ({"identityType": "sisSourcedId", "hashed": True, "salt": "x",
      "identityHash": "sha256$" + hashlib.sha256(b"S-123x").hexdigest()}, "S-123", True),
    ({"identityType": "sisSourcedId", "hashed": True, "salt": "x",
      "identityHash": "sha256$" + hashlib.sha256(b"S-123x").hexdigest()}, "s-123", False),
    ({"identityType": "emailAddress", "hashed": "yes", "identityHash": WORKED_EXAMPLE},
     WORKED_EXAMPLE, False),
    ({"identityType": "emailAddress", "hashed": True}, "a@example.com", False),
    ({}, "a@example.com", False),
])
def test_identity_matches(identity: dict[str, Any], value: str, expected: bool) -> None:
    assert identity_matches(identity, value) is expected


def test_identity_matches_type_filter_and_garbage() -> None:
    identity = IdentityObject.hashed_email("a@example.com", "Kosher").to_json()
    assert identity_matches(identity, "a@example.com", identity_type="emailAddress")
    assert not identity_matches(identity, "a@example.com", identity_type="name")
    assert not identity_matches("not a dict", "x")  # type: ignore[arg-type]
    assert not identity_matches(identity, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Subject, status, credentials
# --------------------------------------------------------------------------


def test_subject_needs_id_or_identifier() -> None:
    achievement = _achievement()
    with pytest.raises(ValueError, match="id or at least one identifier"):
        AchievementSubject(achievement=achievement)
    by_email = AchievementSubject(
        achievement=achievement,
        identifier=(IdentityObject.hashed_email("t@district.org", "pepper"),)).to_json()
    assert "id" not in by_email and by_email["identifier"][0]["identityType"] == "emailAddress"


def test_subject_results_must_match_the_achievement() -> None:
    achievement = _achievement()
    with pytest.raises(ValueError, match="not a resultDescription"):
        AchievementSubject(achievement=achievement, id="urn:s",
                           result=(Result(result_description="urn:nope"),))
    with pytest.raises(ValueError, match="not a level"):
        AchievementSubject(achievement=achievement, id="urn:s", result=(Result(
            result_description=f"{DISTRICT}/a/bld/rubric", achieved_level="urn:nope"),))
    with pytest.raises(ValueError, match="before"):
        AchievementSubject(achievement=achievement, id="urn:s", activity_start_date=T0,
                           activity_end_date=T0 - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        AchievementSubject(achievement=achievement, id="urn:s",
                           activity_start_date=datetime(2025, 1, 1))


def test_bitstring_status_entry() -> None:
    entry = BitstringStatusListEntry(id="https://s.org/1#7", status_purpose="suspension",
                                     status_list_index=7, status_list_credential="https://s.org/1")
    assert entry.to_json() == {"id": "https://s.org/1#7", "type": "BitstringStatusListEntry",
                               "statusPurpose": "suspension", "statusListIndex": "7",
                               "statusListCredential": "https://s.org/1"}
    with pytest.raises(ValueError):
        BitstringStatusListEntry(id="https://s.org/1#x", status_purpose="revoked",
                                 status_list_index=1, status_list_credential="https://s.org/1")
    with pytest.raises(ValueError):
        BitstringStatusListEntry(id="https://s.org/1#x", status_purpose="revocation",
                                 status_list_index=-1, status_list_credential="https://s.org/1")
    with pytest.raises(TypeError):
        BitstringStatusListEntry(id="https://s.org/1#x", status_purpose="revocation",
                                 status_list_index="3",  # type: ignore[arg-type]
                                 status_list_credential="https://s.org/1")
    with pytest.raises(ValueError, match="MUST NOT"):
        BitstringStatusListEntry(id="https://s.org/1", status_purpose="revocation",
                                 status_list_index=1, status_list_credential="https://s.org/1")


def test_kitchen_sink_credential_is_valid_everywhere() -> None:
    doc = _kitchen_sink().to_json()
    assert check_credential(doc) == []
    assert conformance_issues(doc) == []
    _assert_serialization_rules(doc)
    assert _undefined_terms(doc) == set()
    assert doc["@context"] == [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["validFrom"] == "2025-09-01T08:30:00Z"
    assert doc["credentialSchema"] == [dict(s) for s in DEFAULT_CREDENTIAL_SCHEMA]
    assert doc["credentialStatus"]["statusListIndex"] == "94567"
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["achievementType"] == "MicroCredential"
    assert subject["achievement"]["creator"]["type"] == ["Profile"]
    assert subject["source"]["type"] == ["Profile", "ext:School"]
    rubric = subject["achievement"]["resultDescription"][0]
    assert rubric["rubricCriterionLevel"][0]["type"] == ["RubricCriterionLevel"]
    assert subject["achievement"]["resultDescription"][1]["allowedValue"] == ["1", "2", "3", "4"]


def test_minimal_credential_contexts_follow_the_types_used() -> None:
    minimal = OpenBadgeCredential(
        id="urn:uuid:1", issuer=Profile(id="https://d.org", name="D"), valid_from=T0,
        credential_subject=AchievementSubject(achievement=_achievement(), id="urn:s"),
        credential_schema=())
    doc = minimal.to_json()
    assert doc["@context"] == [VC_V2, OB_CONTEXT]
    assert "credentialSchema" not in doc and "evidence" not in doc
    assert check_credential(doc) == [] and conformance_issues(doc) == []
    assert _undefined_terms(doc) == set()
    legacy_status = dataclasses.replace(minimal, credential_status=(
        {"id": "https://d.org/revocations", "type": "1EdTechRevocationList"},))
    assert legacy_status.to_json()["@context"] == [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
    extra = dataclasses.replace(minimal, extra_contexts=(
        OB_CONTEXT, "https://w3id.org/security/data-integrity/v2", {"ext": "urn:x:"}))
    assert extra.to_json()["@context"] == [
        VC_V2, OB_CONTEXT, "https://w3id.org/security/data-integrity/v2", {"ext": "urn:x:"}]


def test_to_json_returns_fresh_objects() -> None:
    status = {"id": "https://d.org/r", "type": "1EdTechRevocationList", "extra": {"a": 1}}
    credential = _kitchen_sink(credential_status=(status,))
    first = credential.to_json()
    first["credentialStatus"]["extra"]["a"] = 2
    first["credentialSchema"][0]["id"] = "changed"
    second = credential.to_json()
    assert second["credentialStatus"]["extra"] == {"a": 1}
    assert second["credentialSchema"][0]["id"] != "changed"
    assert status["extra"] == {"a": 1}


def test_credential_checks() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _kitchen_sink(valid_from=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="after valid_from"):
        _kitchen_sink(valid_until=T0)
    entry = BitstringStatusListEntry(id="https://s.org/1#1", status_purpose="revocation",
                                     status_list_index=1, status_list_credential="https://s.org/1")
    suspension = BitstringStatusListEntry(
        id="https://s.org/2#1", status_purpose="suspension", status_list_index=1,
        status_list_credential="https://s.org/2")
    both = _kitchen_sink(credential_status=(entry, suspension)).to_json()["credentialStatus"]
    assert [e["statusPurpose"] for e in both] == ["revocation", "suspension"]
    assert _kitchen_sink(credential_status=(entry,)).to_json()["credentialStatus"]["id"] == \
        "https://s.org/1#1"
    with pytest.raises(ValueError, match="needs a string 'id'"):
        _kitchen_sink(credential_status=({"type": "BitstringStatusListEntry"},))
    with pytest.raises(ValueError):
        _kitchen_sink(endorsement_jwt=("not a jws",))
    with pytest.raises(TypeError):
        _kitchen_sink(issuer="https://d.org")


def test_embedded_endorsement_is_kept_verbatim() -> None:
    endorsement = EndorsementCredential(
        id="urn:uuid:e1", issuer=Profile(id="https://isbe.net", name="ISBE"), valid_from=T0,
        name="ISBE endorsement", subject_id=_district().id,
        endorsement_comment="Approved PD provider.").to_json()
    doc = _kitchen_sink(endorsement=(endorsement,), endorsement_jwt=("aGVhZA.cGF5bG9hZA.c2ln",),
                        credential_schema=(), credential_status=()).to_json()
    assert doc["endorsement"] == [endorsement]
    assert doc["endorsementJwt"] == ["aGVhZA.cGF5bG9hZA.c2ln"]
    # The endorsement's 1EdTech schema type lives under its own @context.
    assert doc["@context"] == [VC_V2, OB_CONTEXT]
    assert check_credential(doc) == []


def test_endorsement_credential() -> None:
    endorsement = EndorsementCredential(
        id="urn:uuid:e1", issuer=Profile(id="https://isbe.net", name="ISBE"), valid_from=T0,
        name="ISBE endorsement", subject_id="did:web:badges.springfield.k12.il.us",
        endorsement_comment="Approved **PD provider**.", description="State approval",
        valid_until=T0 + timedelta(days=365), awarded_date=T0)
    doc = endorsement.to_json()
    assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert doc["credentialSubject"] == {
        "id": "did:web:badges.springfield.k12.il.us", "type": ["EndorsementSubject"],
        "endorsementComment": "Approved **PD provider**."}
    assert doc["@context"] == [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
    assert check_endorsement(doc) == []
    _assert_serialization_rules(doc)
    assert _undefined_terms(doc) == set()
    with pytest.raises(ValueError):
        EndorsementCredential(id="urn:uuid:e1", issuer=Profile(id="https://isbe.net"),
                              valid_from=T0, name=" ", subject_id="urn:x")


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_generated_credentials_have_no_undefined_terms(data: st.DataObject) -> None:
    from .strategies import credentials

    doc = data.draw(credentials())
    _assert_serialization_rules(doc)
    assert _undefined_terms(doc) == set()
