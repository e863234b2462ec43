"""Status details an issuer publishes at an entry's own URL: shown, never trusted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from badges import dataintegrity
from badges import keys
from badges import status_list
from badges.did import ResolutionError
from badges.jwt import sign_jwt
from badges.report import Outcome
from badges.status import MAX_REASON
from badges.status import make_status_checker
from badges.verify import verify_credential
from tests.conftest import NOW
from tests.conftest import load_json

KEY = keys.generate("ed25519")
LIST = "https://district.example/status/revocation/1"
INDEX = 7


def _listing(*set_bits: int) -> dict[str, Any]:
    bits = status_list.Bitstring()
    for index in set_bits:
        bits.set(index)
    return dataintegrity.sign_credential({
        "@context": ["https://www.w3.org/ns/credentials/v2"], "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": KEY.controller, "validFrom": "2026-11-20T08:00:00Z",
        "credentialSubject": {"id": f"{LIST}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": status_list.encode_list(bits)},
    }, key=KEY, created="2026-11-20T08:00:00Z")


def _credential(entry_id: str) -> dict[str, Any]:
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": KEY.controller, "type": ["Profile"], "name": "Lakeside District"}
    cred["credentialStatus"] = {"id": entry_id, "type": "BitstringStatusListEntry",
                                "statusPurpose": "revocation", "statusListIndex": str(INDEX),
                                "statusListCredential": LIST}
    return dataintegrity.sign_credential(cred, key=KEY, created="2026-01-01T00:00:00Z")


def _details(**changes: Any) -> dict[str, Any]:
    return {"id": f"{LIST}/{INDEX}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(INDEX),
            "statusListCredential": LIST, "status": "revoked",
            "statusDate": "2026-11-19T15:30:00Z", "statusReason": "Awarded in error",
            **changes}


def _run(documents: Mapping[str, Any], entry_id: str = f"{LIST}/{INDEX}",
         ) -> tuple[Any, list[str]]:
    asked: list[str] = []

    def fetch(url: str) -> Mapping[str, Any]:
        asked.append(url)
        if url not in documents:
            raise ResolutionError(f"{url} is unreachable", code="fetch_failed")
        return documents[url]

    report = verify_credential(_credential(entry_id), now=NOW, fetch_document=fetch,
                               check_status=make_status_checker(fetch_document=fetch, now=NOW))
    return report.check("status"), asked


def _jwt_listing(*set_bits: int) -> dict[str, Any]:
    """The same list as a VC-JWT, enveloped as the verifier's fetcher hands it over."""
    listing = _listing(*set_bits)
    listing.pop("proof")
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": "EnvelopedVerifiableCredential",
            "id": "data:application/vc+jwt," + sign_jwt(listing, key=KEY)}


def test_a_status_list_as_a_vc_jwt_is_read_too() -> None:
    """BSL §3.2 step 4 with the list's proof as a VC-JWT (VC-JOSE-COSE) rather than embedded."""
    ok, _ = _run({LIST: _jwt_listing()})
    assert ok is not None and (ok.outcome, ok.code) == (Outcome.PASSED, "not_revoked")
    revoked, _ = _run({LIST: _jwt_listing(INDEX)})
    assert revoked is not None and (revoked.outcome, revoked.code) == (Outcome.FAILED, "revoked")
    forged = _jwt_listing(INDEX)
    head, payload, signature = forged["id"].split(",", 1)[1].split(".")
    other = sign_jwt(_jwt_payload(), key=KEY).split(".")[1]  # a real payload, not the signed one
    forged["id"] = f"data:application/vc+jwt,{head}.{other}.{signature}"
    refused, _ = _run({LIST: forged})
    assert refused is not None and (refused.outcome, refused.code) == (
        Outcome.INDETERMINATE, "status_list_signature_invalid")
    stranger = keys.generate("ed25519")
    foreign = _listing()
    foreign.pop("proof")
    foreign["issuer"] = stranger.controller
    wrong, _ = _run({LIST: {**_jwt_listing(), "id": "data:application/vc+jwt,"
                            + sign_jwt(foreign, key=stranger)}})
    assert wrong is not None and wrong.code == "status_list_issuer_mismatch"


def _jwt_payload() -> dict[str, Any]:
    listing = _listing()
    listing.pop("proof")
    return listing


def test_a_revocation_shows_its_date_and_published_reason() -> None:
    check, _ = _run({LIST: _listing(INDEX), f"{LIST}/{INDEX}": _details()})
    assert (check.outcome, check.code) == (Outcome.FAILED, "revoked")
    assert check.message == ("The issuer has revoked this credential on 2026-11-19. "
                             "Reason given: Awarded in error")
    assert check.detail["statusDate"] == "2026-11-19T15:30:00Z"
    assert check.detail["listDate"] == "2026-11-20T08:00:00Z"


def test_a_pass_says_as_of_when() -> None:
    check, asked = _run({LIST: _listing(), f"{LIST}/{INDEX}": _details(status="active")})
    assert (check.outcome, check.code) == (Outcome.PASSED, "not_revoked")
    assert check.detail["listDate"] == "2026-11-20T08:00:00Z"
    assert asked == [LIST]  # details are only looked up for a set bit


@pytest.mark.parametrize("details", [
    _details(status="active"),  # cannot argue with the signed list
    _details(statusListIndex="8"),
    _details(statusListCredential="https://district.example/status/revocation/2"),
    _details(statusPurpose="suspension"),
    ["not", "an", "object"],
])
def test_details_that_do_not_describe_this_entry_are_ignored(details: Any) -> None:
    check, _ = _run({LIST: _listing(INDEX), f"{LIST}/{INDEX}": details})
    assert (check.outcome, check.code) == (Outcome.FAILED, "revoked")
    assert check.message == "The issuer has revoked this credential."
    assert "statusReason" not in check.detail


def test_details_elsewhere_are_never_fetched() -> None:
    for entry_id in ("https://elsewhere.example/status/revocation/1/7", f"{LIST}#{INDEX}",
                     "urn:uuid:5f1b8a56-2f0c-4a4b-9c3e-2f1e4f7d9a10"):
        check, asked = _run({LIST: _listing(INDEX), entry_id: _details()}, entry_id)
        assert (check.outcome, check.code) == (Outcome.FAILED, "revoked")
        assert asked == [LIST] and "statusDate" not in check.detail


def test_unreachable_details_leave_the_verdict_alone() -> None:
    check, asked = _run({LIST: _listing(INDEX)})
    assert (check.outcome, check.code) == (Outcome.FAILED, "revoked")
    assert asked == [LIST, f"{LIST}/{INDEX}"]


def test_a_long_or_odd_reason_is_tidied_and_a_bad_date_dropped() -> None:
    reason = "line one\n\nline two\t" + "x" * 2000
    check, _ = _run({LIST: _listing(INDEX),
                     f"{LIST}/{INDEX}": _details(statusReason=reason, statusDate="yesterday")})
    assert "statusDate" not in check.detail
    shown = check.detail["statusReason"]
    assert shown.startswith("line one line two x") and len(shown) == MAX_REASON


# --------------------------------------------------------------------------- fail closed

_UNCHECKED = (Outcome.INDETERMINATE, "unsupported_status_type")
_NOT_READ = (Outcome.WARNING, "status_purpose_informational")
_BSL = {"type": "BitstringStatusListEntry", "statusListIndex": "7", "statusListCredential": LIST}

# entry -> what the checker answers, without fetching anything
METHODS = {
    "StatusList2021 revocation": ({"type": "StatusList2021Entry",
                                   "statusPurpose": "revocation"}, _UNCHECKED),
    "StatusList2021 suspension": ({"type": "StatusList2021Entry",
                                   "statusPurpose": "suspension"}, _UNCHECKED),
    "unknown method, no purpose": ({"type": "AcmeStatus"}, _UNCHECKED),
    "unknown method, purpose not text": ({"type": "AcmeStatus",
                                          "statusPurpose": ["revocation"]}, _UNCHECKED),
    "unknown method, no type": ({"statusPurpose": "revocation"}, _UNCHECKED),
    "unknown method, message purpose": ({"type": "AcmeStatus", "statusPurpose": "message"},
                                        _NOT_READ),
    "unknown method, refresh purpose": ({"type": "AcmeStatus", "statusPurpose": "refresh"},
                                        _NOT_READ),
    "bitstring, message purpose": ({**_BSL, "statusPurpose": "message", "statusSize": 2},
                                   _NOT_READ),
    "bitstring, unknown purpose": ({**_BSL, "statusPurpose": "withdrawal"},
                                   (Outcome.INDETERMINATE, "unsupported_status_purpose")),
    "bitstring, no purpose": (dict(_BSL), (Outcome.FAILED, "status_entry_invalid")),
    "bitstring, purpose not text": ({**_BSL, "statusPurpose": ["revocation"]},
                                    (Outcome.FAILED, "status_entry_invalid")),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_what_a_status_entry_the_verifier_cannot_read_gives(name: str) -> None:
    entry, expected = METHODS[name]
    asked: list[str] = []

    def fetch(url: str) -> Mapping[str, Any]:
        asked.append(url)
        raise ResolutionError(f"{url} is unreachable", code="fetch_failed")

    result = make_status_checker(fetch_document=fetch, now=NOW)(entry, {"issuer": "x"})
    assert (result.outcome, result.code) == expected
    assert asked == []  # nothing it cannot read is fetched


def test_an_unsupported_status_method_is_could_not_be_fully_checked() -> None:
    """Issue #22: a credential whose revocation was never checked is not 'verified'."""
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["@context"].append("https://w3id.org/vc/status-list/2021/v1")
    cred["issuer"] = {"id": KEY.controller, "type": ["Profile"], "name": "Lakeside District"}
    cred["credentialStatus"] = {"id": f"{LIST}#7", "type": "StatusList2021Entry",
                                "statusPurpose": "revocation", "statusListIndex": "7",
                                "statusListCredential": LIST}
    signed = dataintegrity.sign_credential(cred, key=KEY, created="2026-01-01T00:00:00Z")

    def fetch(url: str) -> Mapping[str, Any]:
        raise ResolutionError(f"{url} is unreachable", code="fetch_failed")

    report = verify_credential(signed, now=NOW, fetch_document=fetch,
                               check_status=make_status_checker(fetch_document=fetch, now=NOW))
    status = report.check("status")
    assert status is not None
    assert (status.outcome, status.code) == _UNCHECKED
    assert report.verified is False and report.verdict == "unconfirmed"


def test_an_informational_entry_beside_a_checked_one_leaves_the_pass_standing() -> None:
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": KEY.controller, "type": ["Profile"], "name": "Lakeside District"}
    cred["credentialStatus"] = [
        {"id": f"{LIST}/7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
         "statusListIndex": str(INDEX), "statusListCredential": LIST},
        {**_BSL, "id": f"{LIST}/m", "statusPurpose": "message", "statusSize": 2}]
    signed = dataintegrity.sign_credential(cred, key=KEY, created="2026-01-01T00:00:00Z")

    def fetch(url: str) -> Mapping[str, Any]:
        if url != LIST:
            raise ResolutionError(f"{url} is unreachable", code="fetch_failed")
        return _listing()

    report = verify_credential(signed, now=NOW, fetch_document=fetch,
                               check_status=make_status_checker(fetch_document=fetch, now=NOW))
    status = report.check("status")
    assert status is not None and (status.outcome, status.code) == (Outcome.PASSED,
                                                                      "not_revoked")
    assert status.detail["notRead"][0]["purpose"] == "message"
    assert report.verified
