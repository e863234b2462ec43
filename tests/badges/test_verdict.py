"""badges.verdict: the one classifier, its catalogue, and how it fails closed.

The outcome table (tests/verifier/test_outcomes.py) shows each result on real
credentials; this file pins the classifier itself: the severity order, the
meaning of every catalogued result, what an unknown result counts as, and
(with hypothesis) that no mix of results can read as verified while
something failed or stayed unchecked.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges.report import CHECK_IDS
from badges.report import OPTIONAL_CHECK_IDS
from badges.report import CheckResult
from badges.report import Outcome
from badges.report import VerificationReport
from badges.trust import TrustRegistry
from badges.verdict import CODES
from badges.verdict import SEVERITY
from badges.verdict import Verdict
from badges.verdict import decide_checks
from badges.verdict import meaning
from badges.verify import _safely

PASS = {c: CheckResult(c, Outcome.PASSED, code, "ok") for c, code in (
    ("format", "json"), ("schema", "schema_valid"), ("context", "context_valid"),
    ("proof", "signature_valid"), ("key_binding", "key_published"),
    ("validity_period", "within_validity"), ("status", "not_revoked"),
    ("issuer_trust", "known_issuer"), ("endorsements", "endorsements_valid"))}


def report(*changes: CheckResult) -> VerificationReport:
    """A report where every check passed, except the given ones."""
    replaced = {c.id: c for c in changes}
    return VerificationReport(tuple(replaced.get(c, PASS[c]) for c in CHECK_IDS))


def result(check: str, outcome: Outcome, code: str) -> CheckResult:
    return CheckResult(check, outcome, code, "m")


def test_severity_is_most_serious_first() -> None:
    assert SEVERITY == (Verdict.UNREADABLE, Verdict.FORGED, Verdict.IMPERSONATION,
                        Verdict.INVALID, Verdict.REVOKED, Verdict.SUSPENDED,
                        Verdict.UNCONFIRMED, Verdict.UNKNOWN_ISSUER, Verdict.EXPIRED,
                        Verdict.VERIFIED)


# (check, outcome, code) -> verdict of an otherwise perfect report
MEANINGS = {
    ("format", Outcome.FAILED, "invalid_json"): Verdict.UNREADABLE,
    ("format", Outcome.FAILED, "certificate_mismatch"): Verdict.FORGED,
    ("format", Outcome.FAILED, "not_open_badge"): Verdict.INVALID,
    ("proof", Outcome.FAILED, "signature_invalid"): Verdict.FORGED,
    ("proof", Outcome.FAILED, "no_proof"): Verdict.INVALID,
    ("proof", Outcome.INDETERMINATE, "fetch_failed"): Verdict.UNCONFIRMED,
    ("key_binding", Outcome.FAILED, "controller_mismatch"): Verdict.FORGED,
    ("key_binding", Outcome.FAILED, "key_not_published"): Verdict.FORGED,
    ("key_binding", Outcome.FAILED, "issuer_missing"): Verdict.INVALID,
    ("key_binding", Outcome.INDETERMINATE, "binding_unchecked_offline"): Verdict.UNCONFIRMED,
    ("issuer_trust", Outcome.FAILED, "issuer_impersonation"): Verdict.IMPERSONATION,
    # a genuine signature from an issuer no list names is never "verified" (issue #14)
    ("issuer_trust", Outcome.WARNING, "unknown_issuer"): Verdict.UNKNOWN_ISSUER,
    ("issuer_trust", Outcome.INDETERMINATE, "issuer_link_unchecked"): Verdict.UNCONFIRMED,
    ("endorsements", Outcome.WARNING, "endorsement_unknown_endorser"): Verdict.VERIFIED,
    ("validity_period", Outcome.FAILED, "expired"): Verdict.EXPIRED,
    ("validity_period", Outcome.FAILED, "not_yet_valid"): Verdict.INVALID,
    ("status", Outcome.FAILED, "revoked"): Verdict.REVOKED,
    ("status", Outcome.FAILED, "suspended"): Verdict.SUSPENDED,
    ("status", Outcome.FAILED, "status_entry_invalid"): Verdict.INVALID,
    ("status", Outcome.INDETERMINATE, "unsupported_status_type"): Verdict.UNCONFIRMED,
    ("status", Outcome.WARNING, "status_purpose_informational"): Verdict.VERIFIED,
    ("status", Outcome.SKIPPED, "no_status"): Verdict.VERIFIED,
    ("endorsements", Outcome.FAILED, "endorsement_forged"): Verdict.INVALID,
    ("endorsements", Outcome.INDETERMINATE, "endorsement_unchecked"): Verdict.UNCONFIRMED,
    ("endorsements", Outcome.WARNING, "endorsement_expired"): Verdict.VERIFIED,
    ("schema", Outcome.WARNING, "schema_compacted_form"): Verdict.VERIFIED,
    ("context", Outcome.WARNING, "context_outdated"): Verdict.VERIFIED,
}


@pytest.mark.parametrize("key", sorted(MEANINGS, key=str))
def test_what_each_result_means(key: tuple[str, Outcome, str]) -> None:
    decision = report(result(*key)).decision
    assert decision.verdict == MEANINGS[key]
    if decision.verdict != Verdict.VERIFIED:
        assert [(c.id, c.outcome, c.code) for c in decision.because] == [key]


@pytest.mark.parametrize(("outcome", "expected"), [
    (Outcome.FAILED, Verdict.INVALID), (Outcome.INDETERMINATE, Verdict.UNCONFIRMED),
    (Outcome.WARNING, Verdict.UNCONFIRMED), (Outcome.SKIPPED, Verdict.UNCONFIRMED),
    (Outcome.PASSED, Verdict.VERIFIED)])
def test_a_result_nobody_catalogued_fails_closed(outcome: Outcome, expected: Verdict) -> None:
    """A warning or skip nobody listed may hide something unchecked: not verified."""
    unknown = result("status", outcome, "brand_new_code")
    assert meaning(unknown) == expected
    assert report(unknown).verdict == expected
    assert meaning(result("format", Outcome.FAILED, "brand_new_code")) == Verdict.UNREADABLE


def test_nothing_is_verified_without_a_passed_proof() -> None:
    assert decide_checks([]).verdict == Verdict.UNCONFIRMED
    no_proof = [PASS[c] for c in CHECK_IDS if c != "proof"]
    assert decide_checks(no_proof).verdict == Verdict.UNCONFIRMED
    assert decide_checks(list(PASS.values())).verdict == Verdict.VERIFIED


def test_verified_lists_its_warnings() -> None:
    warning = result("endorsements", Outcome.WARNING, "endorsement_unknown_endorser")
    decision = report(warning).decision
    assert decision.verdict == Verdict.VERIFIED and decision.because == (warning,)


def test_the_most_serious_meaning_wins_and_names_its_checks() -> None:
    revoked = result("status", Outcome.FAILED, "revoked")
    expired = result("validity_period", Outcome.FAILED, "expired")
    unsure = result("endorsements", Outcome.INDETERMINATE, "endorsement_unchecked")
    assert report(expired, unsure).verdict == Verdict.UNCONFIRMED
    assert report(revoked, expired, unsure).verdict == Verdict.REVOKED
    impostor = result("issuer_trust", Outcome.FAILED, "issuer_impersonation")
    bad_key = result("key_binding", Outcome.FAILED, "controller_mismatch")
    decision = report(impostor, bad_key, revoked).decision
    assert decision.verdict == Verdict.FORGED and decision.because == (bad_key,)


def test_the_report_and_its_json_read_the_one_classifier() -> None:
    for changes, verdict in (((), Verdict.VERIFIED),
                             ((result("status", Outcome.FAILED, "revoked"),), Verdict.REVOKED)):
        built = report(*changes)
        assert built.verdict == verdict
        assert built.verified is (verdict == Verdict.VERIFIED)
        payload = built.to_json()
        assert payload["verdict"] == verdict.value
        assert payload["verified"] is built.verified


def test_every_check_can_fail_on_an_input_too_complex_to_check() -> None:
    """The guard every check has: a RecursionError becomes a failed check, not a crash."""
    def explode() -> CheckResult:
        raise RecursionError

    for check in CHECK_IDS:
        guarded = _safely(check, explode)
        assert (guarded.id, guarded.outcome, guarded.code) == (
            check, Outcome.FAILED, "input_too_complex")
        assert meaning(guarded) == (Verdict.UNREADABLE if check == "format"
                                    else Verdict.INVALID)


def test_the_catalogue_is_consistent() -> None:
    keys = [(c.check, c.outcome, c.code) for c in CODES]
    assert len(keys) == len(set(keys))
    assert {c.check for c in CODES} == set(CHECK_IDS) | set(OPTIONAL_CHECK_IDS)
    for code in CODES:
        if code.outcome == Outcome.PASSED:
            assert code.verdict == Verdict.VERIFIED, code
        if code.outcome == Outcome.INDETERMINATE:
            assert code.verdict == Verdict.UNCONFIRMED, code
        if code.outcome == Outcome.FAILED:
            assert code.verdict not in (Verdict.VERIFIED, Verdict.UNCONFIRMED), code


_RESULTS = st.sampled_from(CODES).map(lambda c: CheckResult(c.check, c.outcome, c.code, "m"))
_UNKNOWN = st.builds(CheckResult, st.sampled_from(CHECK_IDS), st.sampled_from(list(Outcome)),
                     st.from_regex(r"[a-z_]{3,12}", fullmatch=True), st.just("m"))


@given(st.lists(st.one_of(_RESULTS, _UNKNOWN), max_size=12))
def test_nothing_that_failed_or_stayed_unchecked_reads_as_verified(
        checks: list[CheckResult]) -> None:
    decision = decide_checks(checks)
    meanings = [meaning(c) for c in checks]
    if decision.verdict == Verdict.VERIFIED:
        assert all(c.outcome not in (Outcome.FAILED, Outcome.INDETERMINATE) for c in checks)
        assert all(m == Verdict.VERIFIED for m in meanings)
        assert any(c.id == "proof" and c.outcome == Outcome.PASSED for c in checks)
    else:
        assert decision.because or not checks or all(m == Verdict.VERIFIED for m in meanings)
    # the verdict is the most serious meaning of any check
    if meanings and decision.verdict != Verdict.UNCONFIRMED:
        assert decision.verdict == min(meanings, key=SEVERITY.index)
    assert all(meaning(c) == decision.verdict for c in decision.because) \
        or decision.verdict == Verdict.VERIFIED


# --------------------------------------------------------------------------- any input

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["did:web:x", "urn:uuid:1", "2026-01-01",
                                             "BitstringStatusListEntry", "revocation"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)


def _paths(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*path, index))
    return out


def _world() -> tuple[dict[str, object], object]:
    """A signed badge with a status entry and an endorsement, and its documents (in memory)."""
    from badges import dataintegrity
    from badges import keys
    from badges import status_list
    from badges.did import ResolutionError
    from tests.conftest import load_json

    district = keys.ed25519_from_seed(bytes(range(32)))
    board = keys.ed25519_from_seed(bytes(range(1, 33)))
    url = "https://district.example/status/1"
    listing = dataintegrity.sign_credential({
        "@context": ["https://www.w3.org/ns/credentials/v2"], "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": district.controller, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": status_list.encode_list(status_list.Bitstring())}},
        key=district, created="2026-01-01T00:00:00Z")
    endorsement = dataintegrity.sign_credential({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7b0c1c5e-0000-4000-8000-00000000e001",
        "type": ["VerifiableCredential", "EndorsementCredential"], "name": "Endorsement",
        "issuer": {"id": board.controller, "type": ["Profile"], "name": "State Board"},
        "validFrom": "2026-01-05T09:00:00Z",
        "credentialSubject": {"id": district.controller, "type": ["EndorsementSubject"]}},
        key=board, created="2026-01-05T09:00:00Z")
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": district.controller, "type": ["Profile"], "name": "Lakeside"}
    cred["credentialStatus"] = {"id": f"{url}#7", "type": "BitstringStatusListEntry",
                                "statusPurpose": "revocation", "statusListIndex": "7",
                                "statusListCredential": url}
    cred["endorsement"] = [endorsement]
    signed = dataintegrity.sign_credential(cred, key=district, created="2026-01-05T09:00:00Z")

    def fetch(target: str) -> object:
        if target == url:
            return listing
        raise ResolutionError(f"{target} is unreachable", code="fetch_failed")

    return signed, fetch


_BADGE, _FETCH = _world()
_REGISTRY = TrustRegistry(issuers={  # the district and the board that endorses it
    "did:web:shelbyville.example": "Shelbyville Schools",
    _BADGE["issuer"]["id"]: _BADGE["issuer"]["name"],  # type: ignore[index]
    _BADGE["endorsement"][0]["issuer"]["id"]: "State Board"})  # type: ignore[index]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_whatever_is_changed_verification_answers_with_catalogued_results(
        data: st.DataObject) -> None:
    """Never raises, and every result it reports is in the catalogue (none slips past the table)."""
    import copy
    import json

    from badges.status import make_status_checker
    from badges.verify import verify_credential
    from tests.conftest import NOW

    doc = copy.deepcopy(_BADGE)
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    parent: object = doc
    for part in path[:-1]:
        parent = parent[part]  # type: ignore[index]
    action = data.draw(st.sampled_from(["replace", "delete"]))
    if action == "delete":
        del parent[path[-1]]  # type: ignore[attr-defined]
    else:
        parent[path[-1]] = data.draw(_JSON)  # type: ignore[index]
    fetch = _FETCH
    report = verify_credential(
        json.loads(json.dumps(doc)), now=NOW, fetch_document=fetch,  # type: ignore[arg-type]
        check_status=make_status_checker(fetch_document=fetch, now=NOW),  # type: ignore[arg-type]
        registry=_REGISTRY)
    catalogue = {(c.check, c.outcome, c.code) for c in CODES}
    for check in report.checks:
        assert (check.id, check.outcome, check.code) in catalogue, check
    if report.verified:
        assert report.check("proof").outcome == Outcome.PASSED  # type: ignore[union-attr]


def test_the_badge_the_changes_start_from_verifies() -> None:
    from badges.status import make_status_checker
    from badges.verify import verify_credential
    from tests.conftest import NOW

    report = verify_credential(
        _BADGE, now=NOW, fetch_document=_FETCH,  # type: ignore[arg-type]
        check_status=make_status_checker(fetch_document=_FETCH, now=NOW),  # type: ignore[arg-type]
        registry=_REGISTRY)
    assert report.verified, report.to_json()
    assert [(c.id, c.code) for c in report.checks if c.outcome != Outcome.PASSED] == []
