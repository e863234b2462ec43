"""Tests for badges.schema: OB 3.0 JSON Schema and conformance checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges.errors import SchemaError
from badges.loader import VC_V1
from badges.loader import VC_V2
from badges.schema import CredentialSchemaError
from badges.schema import SchemaIssue
from badges.schema import _fast
from badges.schema import _pointer
from badges.schema import _validator
from badges.schema import assert_valid_credential
from badges.schema import check_credential
from badges.schema import check_endorsement
from badges.schema import check_issuable
from badges.schema import check_profile
from badges.schema import conformance_issues

from .strategies import credentials
from .strategies import endorsements

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"
SPEC = EXAMPLES / "spec"
VALIDATOR = EXAMPLES / "validator"
NEGATIVE = VALIDATOR / "negative"

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def _basic() -> dict[str, Any]:
    doc: dict[str, Any] = _load(SPEC / "basic-openbadgecredential.unsigned.json")
    return doc


def _paths(issues: list[SchemaIssue]) -> set[str]:
    return {issue.path for issue in issues}


def _rules(issues: list[SchemaIssue]) -> set[str]:
    return {issue.rule for issue in issues}


def _check(doc: dict[str, Any]) -> list[SchemaIssue]:
    kind = doc.get("type", [])
    return check_endorsement(doc) if "EndorsementCredential" in kind else check_credential(doc)


# --------------------------------------------------------------------------
# Spec examples and validator fixtures
# --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SPEC.glob("*.unsigned.json")), ids=lambda p: p.name)
def test_spec_examples_pass(path: Path) -> None:
    doc = _load(path)
    assert _check(doc) == []
    if "EndorsementCredential" not in doc["type"]:
        assert conformance_issues(doc) == []


def test_impl_guide_vector_fails_only_on_its_singular_proof() -> None:
    # The impl-guide signed vector writes "proof": {...}; the canonical schema wants an
    # array (DIGEST §10.5), so it passes only the JSON-LD-compaction schema variant.
    doc = _load(SPEC / "ob-impl-guide-test-vector.signed.eddsa-rdfc-2022.json")
    assert [(i.path, i.message) for i in check_credential(doc)] == [
        ("/proof", "must be of type 'array', not object")]
    assert conformance_issues(doc) == []


#: Known schema failures of the validator's *positive* fixtures, all genuine.
POSITIVE_KNOWN = {
    # singular "proof": {...} (compacted JSON-LD form; DIGEST §10.5)
    "ob30-simple-did-web-subject.json": {"/proof"},
    "ob30-status-bitstring-revoked.json": {"/proof"},
    "ob30-status-bitstring-revoked-blank-nodes.json": {"/proof"},
    # VCDM 1.1 fixture with compacted singular types and proof
    "ob30-status-1edtechrevocationlist-revoked.json": {
        "/credentialSubject/type", "/credentialSubject/achievement/type",
        "/credentialSubject/source/type", "/credentialSubject/source/address/type",
        "/issuer/type", "/issuer/address/type", "/proof"},
    # VCDM 1.1 "complete" fixture: endorsements without the required id/name
    # (EndorsementCredentialv1p1 requires both) and identityType "email", which is not
    # an IdentifierTypeEnum term ("emailAddress" is).
    "ob30-complete-vcdm1.1.json": {
        "/endorsement/0/id", "/issuer/endorsement/0/id",
        "/credentialSubject/achievement/endorsement/0/id",
        "/credentialSubject/achievement/creator/endorsement/0/id",
        "/credentialSubject/achievement/creator/endorsement/1/id",
        "/credentialSubject/achievement/creator/endorsement/1/name",
        "/credentialSubject/identifier/0/identityType",
        "/credentialSubject/identifier/1/identityType"},
    # no achievement in the credentialSubject (a proof-only test fixture)
    "ob30-simple-noproof.json": {"/credentialSubject/achievement"},
    # endorsement with compacted singular types
    "ob30-endorsement-err-schema-status-refresh.json": {"/credentialSubject/type", "/issuer/type"},
}


@pytest.mark.parametrize(
    "path", sorted(p for p in VALIDATOR.glob("ob30-*.json")), ids=lambda p: p.name)
def test_validator_positive_fixtures(path: Path) -> None:
    doc = _load(path)
    assert _paths(_check(doc)) == POSITIVE_KNOWN.get(path.name, set())
    if "EndorsementCredential" not in doc["type"]:
        assert conformance_issues(doc) == []


def test_vcdm11_fixtures_validate_through_the_mapped_view() -> None:
    for name in ("ob30-simple-vcdm1.1.ed25519signature2020.json",
                 "ob30-simple-vcdm1.1.eddsa-2022.json"):
        doc = _load(VALIDATOR / name)
        before = copy.deepcopy(doc)
        assert doc["@context"][0] == VC_V1 and "issuanceDate" in doc
        assert check_credential(doc) == []
        assert conformance_issues(doc) == []
        assert doc == before  # the view is a copy


#: Each negative fixture -> (schema issue paths, conformance rules); the intended defect first.
NEGATIVE_EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "simple-err-context.json": (
        # intended: @context lacks the VCDM context; incidental: no validFrom, no achievement
        {"/@context", "/@context/0", "/validFrom", "/credentialSubject/achievement"},
        {"context"}),
    "simple-err-type.json": (
        {"/type", "/credentialSubject/achievement", "/proof"}, {"type"}),
    "simple-err-issuer.json": (
        {"/issuer", "/credentialSubject/achievement", "/proof"}, {"issuer_profile"}),
    "simple-err-issuer-type.json": ({"/issuer/type", "/proof"}, {"issuer_profile"}),
    "simple-err-issuer-parentorg-type.json": ({"/issuer/parentOrg/type", "/proof"}, set()),
    "simple-err-issuer-otheridentifier-type.json": (
        {"/issuer/otherIdentifier/1/type", "/proof"}, set()),
    "simple-err-credential-subject-type.json": ({"/credentialSubject/type", "/proof"}, set()),
    "simple-err-credential-subject-identifier-type.json": (
        {"/credentialSubject/identifier/0/type", "/proof"}, set()),
    "simple-err-credential-subject-profile-type.json": (
        {"/credentialSubject/source/type", "/proof"}, set()),
    "simple-err-credential-subject-result-type.json": (
        {"/credentialSubject/result/1/type",
         "/credentialSubject/result/0/alignment/0/type",
         "/credentialSubject/result/1/alignment/0/type", "/proof"}, set()),
    "simple-err-credential-subject-achievement-result-description-type.json": (
        {"/credentialSubject/achievement/resultDescription/2/type",
         "/credentialSubject/achievement/resultDescription/0/type",
         "/credentialSubject/achievement/resultDescription/1/type",
         "/credentialSubject/achievement/resultDescription/0/alignment/0/type",
         "/credentialSubject/achievement/resultDescription/1/alignment/0/type",
         "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/0/type",
         "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/1/type",
         "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/0/alignment/0/type",
         "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/1/alignment/0/type",
         "/credentialSubject/result/0/alignment/0/type",
         "/credentialSubject/result/1/alignment/0/type", "/proof"}, set()),
    "simple-err-evidence-type.json": ({"/evidence/0/type", "/evidence/1/type", "/proof"}, set()),
    # Not schema/conformance defects (validity period, proof): only incidental findings.
    "simple-err-expired.json": (set(), set()),
    "simple-err-issued.json": ({"/credentialSubject/achievement", "/proof"}, set()),
    "simple-err-proof-method.json": ({"/proof"}, set()),
    "simple-err-proof-method-no-scheme.json": (set(), set()),
    "simple-err-proof-method-unknown-did-method.json": (set(), set()),
    "simple-err-proof-method-unknown-scheme.json": (set(), set()),
    "simple-err-proof-value.json": (set(), set()),
}


def test_every_negative_fixture_is_listed() -> None:
    assert {p.name for p in NEGATIVE.glob("*.json")} == set(NEGATIVE_EXPECTED)


@pytest.mark.parametrize("name", sorted(NEGATIVE_EXPECTED))
def test_negative_fixtures(name: str) -> None:
    doc = _load(NEGATIVE / name)
    schema_paths, rules = NEGATIVE_EXPECTED[name]
    assert _paths(check_credential(doc)) == schema_paths
    assert _rules(conformance_issues(doc)) == rules


def test_negative_fixture_messages_name_the_defect() -> None:
    issues = check_credential(_load(NEGATIVE / "simple-err-issuer-type.json"))
    assert SchemaIssue("/issuer/type", "must contain 'Profile'") in issues
    issues = check_credential(
        _load(NEGATIVE / "simple-err-credential-subject-identifier-type.json"))
    assert SchemaIssue("/credentialSubject/identifier/0/type",
                       "'InvalidIdentityObject' is not one of ['IdentityObject']") in issues


# --------------------------------------------------------------------------
# Schema details
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "2010-01-01", "2010-01-01T00:00:00", "2010-01-01T00:00:00z", "2010-02-30T00:00:00Z",
    "yesterday", 1262304000,
])
def test_date_time_format_is_enforced(value: Any) -> None:
    doc = _basic()
    doc["validFrom"] = value
    assert _paths(check_credential(doc)) == {"/validFrom"}


def test_date_format_is_enforced() -> None:
    profile = {"id": "https://x.org", "type": ["Profile"], "dateOfBirth": "1980-02-30"}
    assert _paths(check_profile(profile)) == {"/dateOfBirth"}
    profile["dateOfBirth"] = "1980-02-28"
    assert check_profile(profile) == []


def test_missing_required_member_is_named_in_the_path() -> None:
    doc = _basic()
    del doc["credentialSubject"]["achievement"]["criteria"]
    assert SchemaIssue("/credentialSubject/achievement/criteria", "is required") in \
        check_credential(doc)


def test_one_of_reports_the_matching_branch() -> None:
    doc = _basic()
    doc["issuer"]["image"] = "https://example.com/logo.png"  # bare string image
    assert [(i.path, i.message) for i in check_credential(doc)] == [
        ("/issuer/image", "must be of type 'object', not string")]


def test_json_pointer_escaping() -> None:
    assert _pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert _pointer([]) == ""


@pytest.mark.parametrize("garbage", [None, [], "credential", 5, {"@context": 3},
                                     {"credentialSubject": [1, 2]}])
def test_checks_never_raise(garbage: Any) -> None:
    assert check_credential(garbage)
    assert check_endorsement(garbage)
    assert isinstance(conformance_issues(garbage), list)


def test_deep_nesting_is_reported_not_raised() -> None:
    doc = _basic()
    node = doc["issuer"]
    for _ in range(5000):
        node["parentOrg"] = {"id": "x", "type": ["Profile"]}
        node = node["parentOrg"]
    issues = check_credential(doc)
    assert issues and issues[0].path == ""


def test_validators_are_built_once_and_the_fast_path_is_active() -> None:
    for kind in ("credential", "endorsement", "profile"):
        assert _validator(kind) is _validator(kind)
        assert _fast(kind) is not None


def test_profile_schema() -> None:
    assert check_profile({"id": "https://d.org", "type": ["Profile"], "name": "D"}) == []
    assert _paths(check_profile({"id": "https://d.org", "type": "Profile"})) == {"/type"}
    assert _paths(check_profile({"type": ["Profile"]})) == {"/id"}


# --------------------------------------------------------------------------
# VCDM 1.1 view
# --------------------------------------------------------------------------


def _v1() -> dict[str, Any]:
    doc: dict[str, Any] = _load(VALIDATOR / "ob30-simple-vcdm1.1.eddsa-2022.json")
    return doc


def test_vcdm11_issues_use_the_vcdm11_names() -> None:
    doc = _v1()
    del doc["issuanceDate"]
    doc["expirationDate"] = "2030-01-01"
    del doc["name"]
    issues = check_credential(doc)
    assert _paths(issues) == {"/issuanceDate", "/expirationDate", "/name"}
    assert all("validFrom" not in i.message and "validUntil" not in i.message for i in issues)


def test_vcdm_date_terms_must_match_the_context() -> None:
    v1 = _v1()
    v1["validFrom"] = v1["issuanceDate"]
    assert [(i.path, i.rule) for i in conformance_issues(v1)] == [("/validFrom", "vcdm_dates")]
    v2 = _basic()
    v2["issuanceDate"] = v2["validFrom"]
    assert [(i.path, i.rule) for i in conformance_issues(v2)] == [("/issuanceDate", "vcdm_dates")]


# --------------------------------------------------------------------------
# Conformance rules
# --------------------------------------------------------------------------


def _mutated(path: list[Any], value: Any = KeyError) -> dict[str, Any]:
    doc = _basic()
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["@context"], [VC_V2], [("/@context/1", "context")]),
    (["@context"], ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", VC_V2],
     [("/@context/0", "context"), ("/@context/1", "context")]),
    (["@context"], VC_V2, [("/@context", "context")]),
    (["@context", 1], "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld", []),
    (["@context", 1], "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", []),
    (["type"], ["VerifiableCredential"], [("/type", "type")]),
    (["type"], ["OpenBadgeCredential"], [("/type", "type")]),
    (["type"], ["VerifiableCredential", "AchievementCredential"], []),
    (["issuer"], "https://example.com/issuers/876543", [("/issuer", "issuer_profile")]),
    (["issuer", "type"], ["Organization"], [("/issuer/type", "issuer_profile")]),
    (["issuer"], KeyError, [("/issuer", "issuer_profile")]),
    (["credentialSubject", "id"], KeyError, [("/credentialSubject", "subject_identity")]),
    (["credentialSubject", "id"], " ", [("/credentialSubject", "subject_identity")]),
    (["credentialSubject", "identifier"], [], []),  # id still present
    (["credentialSubject"], KeyError, [("/credentialSubject", "subject_identity")]),
    (["credentialSubject", "achievement", "criteria"], {},
     [("/credentialSubject/achievement/criteria", "criteria")]),
    (["credentialSubject", "achievement", "criteria"], KeyError,
     [("/credentialSubject/achievement/criteria", "criteria")]),
    (["credentialSubject", "achievement", "criteria"], {"id": "https://x.org/c"}, []),
])
def test_conformance_rules(path: list[Any], value: Any, expected: list[tuple[str, str]]) -> None:
    doc = _mutated(path, value)
    assert [(i.path, i.rule) for i in conformance_issues(doc)] == expected


def test_subject_identified_only_by_identifier_conforms() -> None:
    doc = _mutated(["credentialSubject", "id"])
    doc["credentialSubject"]["identifier"] = [{
        "type": "IdentityObject", "hashed": False, "identityHash": "Zoë", "identityType": "name"}]
    assert conformance_issues(doc) == []
    assert check_credential(doc) == []


def test_schema_accepts_issuer_uri_but_conformance_does_not() -> None:
    doc = _mutated(["issuer"], "https://example.com/issuers/876543")
    assert check_credential(doc) == []
    assert _rules(conformance_issues(doc)) == {"issuer_profile"}


def test_assert_valid_credential() -> None:
    assert_valid_credential(_basic())
    doc = _mutated(["credentialSubject", "achievement", "criteria"], {})
    doc["validFrom"] = "2010-01-01"
    with pytest.raises(SchemaError) as info:
        assert_valid_credential(doc)
    assert info.value.code == "schema_invalid"
    assert isinstance(info.value, CredentialSchemaError)
    assert "/validFrom" in info.value.message
    assert "/credentialSubject/achievement/criteria" in info.value.message
    assert [i.rule for i in info.value.issues] == ["schema", "criteria"]


def test_assert_valid_credential_truncates_long_lists() -> None:
    doc = _load(NEGATIVE / "simple-err-credential-subject-achievement-result-description-type.json")
    with pytest.raises(CredentialSchemaError) as info:
        assert_valid_credential(doc)
    assert len(info.value.issues) == 12
    assert info.value.message.endswith("(and 7 more)")


# --------------------------------------------------------------------------
# Properties over generated credentials
# --------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(credentials(issuer_id="did:key:z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x"))
def test_generated_credentials_are_valid(doc: dict[str, Any]) -> None:
    assert check_credential(doc) == []
    assert conformance_issues(doc) == []
    assert doc["issuer"]["id"] == "did:key:z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x"
    assert_valid_credential(doc)


@settings(max_examples=40, deadline=None)
@given(endorsements())
def test_generated_endorsements_are_valid(doc: dict[str, Any]) -> None:
    assert check_endorsement(doc) == []


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials(), st.sampled_from(
    ["@context", "id", "type", "credentialSubject", "issuer", "validFrom"]))
def test_dropping_a_required_member_is_reported_there(doc: dict[str, Any], key: str) -> None:
    del doc[key]
    assert f"/{key}" in _paths(check_credential(doc))


_ODD_VALUES: st.SearchStrategy[Any] = st.sampled_from([
    None, 0, 1.5, True, "", "x", "2010-01-01", "2010-01-01T00:00:00Z", [], {}, ["x"], [{}],
    {"type": "Image"}, {"id": "x", "type": ["Profile"]}, ["VerifiableCredential"],
])


@st.composite
def _mutations(draw: st.DrawFn) -> dict[str, Any]:
    """A generated credential with one random edit somewhere in the tree."""
    doc = draw(credentials())
    spots: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                spots.append((node, key))
                collect(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                spots.append((node, index))
                collect(value)

    collect(doc)
    parent, key = draw(st.sampled_from(spots))
    action = draw(st.sampled_from(["delete", "replace", "wrap", "unwrap", "extra"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[key]
    elif action == "wrap":
        parent[key] = [parent[key]]
    elif action == "unwrap" and isinstance(parent[key], list) and parent[key]:
        parent[key] = parent[key][0]
    elif action == "extra" and isinstance(parent[key], dict):
        parent[key][draw(st.sampled_from(["extra", "type", "id", "salt"]))] = draw(_ODD_VALUES)
    else:
        parent[key] = draw(_ODD_VALUES)
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_fast_path_agrees_with_jsonschema(doc: dict[str, Any]) -> None:
    for kind in ("credential", "endorsement", "profile"):
        fast = _fast(kind)
        assert fast is not None
        assert fast(doc) == _validator(kind).is_valid(doc)
    if not isinstance(doc.get("credentialStatus"), list):
        # An array is the one place check_credential knowingly differs from the schema
        # (VCDM 2.0 allows it; entries are checked one by one: the tests below).
        assert (check_credential(doc) == []) == _validator("credential").is_valid(doc)


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.json")), ids=lambda p: p.name)
def test_fast_path_agrees_with_jsonschema_on_fixtures(path: Path) -> None:
    doc = _load(path)
    for kind in ("credential", "endorsement", "profile"):
        fast = _fast(kind)
        assert fast is not None
        assert fast(doc) == _validator(kind).is_valid(doc)


def _status_entry(purpose: str, index: int = 7) -> dict[str, Any]:
    url = f"https://district.example/status/{purpose}/1"
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": purpose, "statusListIndex": str(index),
            "statusListCredential": url}


def test_status_array_is_checked_entry_by_entry() -> None:
    """VCDM 2.0 allows an array (revocation + suspension); each entry meets the schema's own."""
    doc = _basic()
    doc["credentialStatus"] = [_status_entry("revocation"), _status_entry("suspension")]
    assert check_credential(doc) == []
    for position in (0, 1):
        bad = copy.deepcopy(doc)
        del bad["credentialStatus"][position]["type"]
        assert f"/credentialStatus/{position}/type" in _paths(check_credential(bad))
        worse = copy.deepcopy(doc)
        worse["credentialStatus"][position] = "not an object"
        assert any(p.startswith(f"/credentialStatus/{position}")
                   for p in _paths(check_credential(worse)))
    doc["credentialStatus"] = []
    assert _paths(check_credential(doc)) == {"/credentialStatus"}


def test_issuable_means_one_status_object_unless_the_issuer_chose_an_array() -> None:
    """Issuing is held to the 1EdTech schema as written: credentialStatus is one object."""
    one = _basic()
    one["credentialStatus"] = _status_entry("revocation")
    assert check_issuable(one) == []
    two = _basic()
    two["credentialStatus"] = [_status_entry("revocation"), _status_entry("suspension")]
    assert [(i.path, i.rule) for i in check_issuable(two)] == [
        ("/credentialStatus", "status_object")]
    assert check_issuable(two, status_array=True) == []
    with pytest.raises(CredentialSchemaError):
        assert_valid_credential(two)
    assert_valid_credential(two, status_array=True)
    broken = copy.deepcopy(one)
    del broken["credentialStatus"]["type"]
    assert "/credentialStatus/type" in _paths(check_issuable(broken))


def test_a_document_of_hundreds_of_errors_costs_a_bounded_number_of_them() -> None:
    from badges.schema import MAX_SCHEMA_ERRORS

    doc = json.loads(json.dumps(_load(SPEC / "basic-openbadgecredential.unsigned.json")))
    doc["evidence"] = [{"type": ["Evidence"], "narrative": {"x": i}} for i in range(250)]
    issues = check_credential(doc)
    assert issues[0].path == "" and f"more than {MAX_SCHEMA_ERRORS} problems" in issues[0].message
    assert len(issues) <= MAX_SCHEMA_ERRORS * 2
    few = json.loads(json.dumps(_load(SPEC / "basic-openbadgecredential.unsigned.json")))
    few["evidence"] = [{"type": ["Evidence"], "narrative": {"x": i}} for i in range(3)]
    assert [i.path for i in check_credential(few)] == [
        "/evidence/0/narrative", "/evidence/1/narrative", "/evidence/2/narrative"]
