"""Open Badges 2.0 verification in the pure core, against the in-memory test issuer."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from badges.ob2 import detect
from badges.ob2 import verify_assertion
from badges.report import Outcome
from badges.report import VerificationReport
from badges.trust import TrustRegistry
from badges.verdict import Verdict
from badges.verify import verify_credential
from tests.badges.ob2.issuer import EMAIL
from tests.badges.ob2.issuer import Ob2Issuer
from tests.badges.ob2.issuer import bake_png
from tests.badges.ob2.issuer import bake_svg
from tests.badges.ob2.issuer import rsa_key
from tests.conftest import NOW

BASE = "https://badges.lakeside.example.org"


@pytest.fixture
def lakeside() -> Ob2Issuer:
    return Ob2Issuer(BASE)


def known(issuer: Ob2Issuer) -> TrustRegistry:
    return TrustRegistry(issuers={issuer.issuer_id: issuer.name}, name="Test districts")


def run(issuer: Ob2Issuer, data: Any, *, registry: TrustRegistry | None = None,
        recipient: str | None = None, offline: bool = False) -> VerificationReport:
    return verify_credential(data, now=NOW, fetch_document=None if offline else issuer.load,
                             registry=registry or known(issuer), recipient=recipient)


def result(report: VerificationReport, check: str) -> tuple[Outcome, str]:
    found = report.check(check)
    assert found is not None, [c.id for c in report.checks]
    return found.outcome, found.code


def test_hosted_json_verifies(lakeside: Ob2Issuer) -> None:
    report = run(lakeside, lakeside.assertion())
    assert report.verdict == Verdict.VERIFIED, report.to_json()
    assert report.format == "ob2_hosted" and report.standard == "Open Badges 2.0"
    assert result(report, "proof") == (Outcome.PASSED, "ob2_hosted_confirmed")
    assert "has no digital signature" in report.check("proof").message  # type: ignore[union-attr]
    assert report.linked is not None and report.linked["badge"]["id"] == lakeside.badge_id


def test_signed_jws_verifies_rs256_and_es256(lakeside: Ob2Issuer) -> None:
    token = lakeside.sign(lakeside.assertion("2", signed=True))
    report = run(lakeside, token)
    assert report.verdict == Verdict.VERIFIED, report.to_json()
    assert report.format == "ob2_signed"
    assert result(report, "proof") == (Outcome.PASSED, "ob2_signature_valid")
    assert result(report, "key_binding") == (Outcome.PASSED, "ob2_key_owned")
    assert result(report, "status") == (Outcome.PASSED, "ob2_not_revoked")
    ec_issuer = Ob2Issuer(BASE, key=ec.generate_private_key(ec.SECP256R1()))
    es256 = run(ec_issuer, ec_issuer.sign(ec_issuer.assertion("3", signed=True)))
    assert es256.verdict == Verdict.VERIFIED, es256.to_json()


@pytest.mark.parametrize("how", ["png-url", "png-json", "png-text-chunk", "svg-url", "svg-json"])
def test_baked_hosted_badges_verify(lakeside: Ob2Issuer, how: str) -> None:
    assertion = lakeside.assertion()
    image = {
        "png-url": lambda: bake_png(assertion["id"]),
        "png-json": lambda: bake_png(json.dumps(assertion)),
        "png-text-chunk": lambda: bake_png(assertion["id"], kind=b"tEXt"),
        "svg-url": lambda: bake_svg(verify=assertion["id"]),
        "svg-json": lambda: bake_svg(body=json.dumps(assertion)),
    }[how]()
    report = run(lakeside, image)
    assert report.verdict == Verdict.VERIFIED, report.to_json()
    assert result(report, "format") == (Outcome.PASSED, f"ob2_{how[:3]}")


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_baked_signed_badges_verify(lakeside: Ob2Issuer, kind: str) -> None:
    token = lakeside.sign(lakeside.assertion("4", signed=True))
    image = bake_png(token) if kind == "png" else bake_svg(verify=token)
    report = run(lakeside, image)
    assert report.verdict == Verdict.VERIFIED, report.to_json()
    assert report.format == "ob2_signed"


def test_hosted_revoked_flag(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    lakeside.documents[assertion["id"]].update(revoked=True, revocationReason="In error")
    report = run(lakeside, assertion)
    assert report.verdict == Verdict.REVOKED
    check = report.check("status")
    assert check is not None and check.code == "ob2_revoked"
    assert check.detail["statusReason"] == "In error"


def test_revocation_list_revokes_signed_and_hosted(lakeside: Ob2Issuer) -> None:
    signed = lakeside.assertion("5", signed=True)
    hosted = lakeside.assertion("6")
    lakeside.revoke(signed["id"])
    lakeside.revoke(hosted["id"])
    for data in (lakeside.sign(signed), hosted):
        report = run(lakeside, data)
        assert report.verdict == Verdict.REVOKED, report.to_json()
        assert "Awarded in error" in report.check("status").message  # type: ignore[union-attr]


def test_tampered_signature_is_forged(lakeside: Ob2Issuer) -> None:
    token = lakeside.sign(lakeside.assertion("7", signed=True))
    header, _payload, signature = token.split(".")
    other = lakeside.assertion("7", signed=True, issuedOn="2020-01-01T00:00:00+00:00")
    forged = lakeside.sign(other).split(".")[1]
    report = run(lakeside, f"{header}.{forged}.{signature}")
    assert report.verdict == Verdict.FORGED
    assert result(report, "proof") == (Outcome.FAILED, "ob2_signature_invalid")


def test_key_of_another_owner_is_forged(lakeside: Ob2Issuer) -> None:
    lakeside.documents[lakeside.key_id]["owner"] = f"{BASE}/someone-else.json"
    report = run(lakeside, lakeside.sign(lakeside.assertion("8", signed=True)))
    assert report.verdict == Verdict.FORGED
    assert result(report, "key_binding") == (Outcome.FAILED, "ob2_key_not_issuers")


def test_signed_by_a_stranger_key_is_forged(lakeside: Ob2Issuer) -> None:
    token = lakeside.sign(lakeside.assertion("9", signed=True), key=rsa_key("stranger"))
    assert run(lakeside, token).verdict == Verdict.FORGED


def test_algorithm_is_never_taken_from_the_token(lakeside: Ob2Issuer) -> None:
    token = lakeside.sign(lakeside.assertion("10", signed=True))
    _, payload, signature = token.split(".")
    for alg in ("none", "HS256", "ES256"):
        from tests.badges.ob2.issuer import b64

        header = b64(json.dumps({"alg": alg}).encode())
        report = run(lakeside, f"{header}.{payload}.{signature}")
        assert result(report, "proof") == (Outcome.FAILED, "alg_not_allowed"), alg
        assert report.verdict == Verdict.INVALID


def test_signed_assertion_as_plain_json_is_not_verified(lakeside: Ob2Issuer) -> None:
    report = run(lakeside, lakeside.assertion("11", signed=True))
    assert result(report, "proof") == (Outcome.FAILED, "ob2_signature_missing")
    assert report.verdict == Verdict.INVALID


def test_changed_copy_of_a_hosted_badge_is_forged(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    assertion["issuedOn"] = "2019-01-01T00:00:00+00:00"
    report = run(lakeside, assertion)
    assert report.verdict == Verdict.FORGED
    assert result(report, "proof") == (Outcome.FAILED, "ob2_hosted_mismatch")


def test_hosted_document_with_another_id_is_forged(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    lakeside.documents[assertion["id"]]["id"] = f"{BASE}/assertions/other.json"
    assert result(run(lakeside, assertion), "proof") == (Outcome.FAILED,
                                                        "ob2_hosted_id_mismatch")


def test_badge_and_issuer_mismatch(lakeside: Ob2Issuer) -> None:
    lakeside.documents[lakeside.badge_id]["id"] = f"{BASE}/badges/another.json"
    report = run(lakeside, lakeside.assertion())
    assert result(report, "key_binding") == (Outcome.FAILED, "ob2_badge_mismatch")
    assert report.verdict == Verdict.INVALID
    fresh = Ob2Issuer(BASE)
    fresh.documents[fresh.issuer_id]["type"] = "BadgeClass"
    assert result(run(fresh, fresh.assertion()), "key_binding") == (
        Outcome.FAILED, "ob2_issuer_mismatch")


def test_hosted_origin_must_be_allowed_by_the_issuer(lakeside: Ob2Issuer) -> None:
    lakeside.documents[lakeside.issuer_id]["verification"] = {
        "type": "hosted", "allowedOrigins": ["badges.elsewhere.example"]}
    report = run(lakeside, lakeside.assertion())
    assert result(report, "key_binding") == (Outcome.FAILED, "ob2_hosted_origin_mismatch")
    assert report.verdict == Verdict.FORGED
    lakeside.documents[lakeside.issuer_id]["verification"] = {
        "type": "hosted", "startsWith": [f"{lakeside.base}/assertions/"]}
    assert run(lakeside, lakeside.assertion()).verdict == Verdict.VERIFIED


def test_an_assertion_on_another_host_than_its_issuer_is_forged() -> None:
    """A stranger hosts an assertion naming Lakeside's badge class (default origin policy)."""
    lakeside = Ob2Issuer(BASE)
    stranger = Ob2Issuer("https://badges.stranger.example")
    assertion = stranger.assertion("1", badge=lakeside.badge_id)
    lakeside.documents.update(stranger.documents)
    report = run(lakeside, assertion)
    assert result(report, "key_binding") == (Outcome.FAILED, "ob2_hosted_origin_mismatch")


def test_expired_and_not_yet_issued(lakeside: Ob2Issuer) -> None:
    expired = run(lakeside, lakeside.assertion("12", expires="2026-06-01T00:00:00Z"))
    assert expired.verdict == Verdict.EXPIRED
    assert result(expired, "validity_period") == (Outcome.FAILED, "expired")
    future = run(lakeside, lakeside.assertion("13", issuedOn="2027-06-01T00:00:00Z"))
    assert result(future, "validity_period") == (Outcome.FAILED, "not_yet_valid")
    naive = run(lakeside, lakeside.assertion("14", issuedOn="2026-01-01T00:00:00"))
    assert naive.verdict == Verdict.VERIFIED
    garbage = run(lakeside, lakeside.assertion("15", issuedOn="last tuesday"))
    assert result(garbage, "validity_period") == (Outcome.FAILED, "invalid_date")


def test_recipient_check(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    assert result(run(lakeside, assertion, recipient="Maria.Lopez@lakeside.example.org"),
                  "recipient") == (Outcome.PASSED, "ob2_recipient_match")
    other = run(lakeside, assertion, recipient="someone@else.example")
    assert result(other, "recipient") == (Outcome.FAILED, "ob2_recipient_mismatch")
    assert other.verdict == Verdict.INVALID
    assert run(lakeside, assertion).check("recipient") is None
    plain = lakeside.assertion("16", recipient={"type": "email", "hashed": False,
                                               "identity": EMAIL})
    assert run(lakeside, plain, recipient=EMAIL.upper()).verdict == Verdict.VERIFIED
    odd = lakeside.assertion("17", recipient={"type": "email", "hashed": True,
                                             "identity": "sha1$abc"})
    assert result(run(lakeside, odd, recipient=EMAIL), "recipient") == (
        Outcome.FAILED, "ob2_recipient_unreadable")


def test_unknown_issuer_and_impersonation(lakeside: Ob2Issuer) -> None:
    report = run(lakeside, lakeside.assertion(), registry=TrustRegistry())
    assert report.verdict == Verdict.UNKNOWN_ISSUER
    assert "issuer's server vouches" in report.check("issuer_trust").message  # type: ignore
    by_domain = TrustRegistry(domains={"badges.lakeside.example.org": "Lakeside"})
    assert run(lakeside, lakeside.assertion(), registry=by_domain).verdict == Verdict.VERIFIED
    stranger = Ob2Issuer("https://badgr.stranger.example")
    named = run(stranger, stranger.assertion(), registry=known(lakeside))
    assert named.verdict == Verdict.IMPERSONATION


def test_offline_and_unreachable_are_unconfirmed(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    offline = run(lakeside, assertion, offline=True)
    assert offline.verdict == Verdict.UNCONFIRMED
    assert result(offline, "proof") == (Outcome.INDETERMINATE, "ob2_hosted_unchecked_offline")
    signed = run(lakeside, lakeside.sign(lakeside.assertion("18", signed=True)), offline=True)
    assert result(signed, "proof") == (Outcome.INDETERMINATE, "key_unresolved_offline")
    del lakeside.documents[assertion["id"]]
    gone = run(lakeside, assertion)
    assert result(gone, "proof") == (Outcome.INDETERMINATE, "ob2_hosted_unreachable")
    fresh = Ob2Issuer(BASE)
    del fresh.documents[fresh.revocation_id]
    unlisted = run(fresh, fresh.sign(fresh.assertion("19", signed=True)))
    assert result(unlisted, "status") == (Outcome.INDETERMINATE,
                                          "ob2_revocation_list_unreachable")
    assert unlisted.verdict == Verdict.UNCONFIRMED
    baked = run(lakeside, bake_png(assertion["id"]), offline=True)
    assert result(baked, "schema") == (Outcome.SKIPPED, "ob2_hosted_not_read")


@pytest.mark.parametrize(("change", "code"), [
    ({"@context": "https://example.org/other"}, ("context", "ob2_context_invalid")),
    ({"recipient": "maria"}, ("schema", "ob2_assertion_invalid")),
    ({"verification": {"type": "magic"}}, ("proof", "ob2_verification_invalid")),
])
def test_malformed_assertions_say_what_is_wrong(lakeside: Ob2Issuer, change: dict[str, Any],
                                                code: tuple[str, str]) -> None:
    assertion = lakeside.assertion("20", **change)
    report = run(lakeside, assertion)
    assert result(report, code[0]) == (Outcome.FAILED, code[1])
    assert report.verdict == Verdict.INVALID


def test_bad_inputs_never_raise(lakeside: Ob2Issuer) -> None:
    for data in ({"type": "Assertion"}, {"type": "Assertion", "id": 5, "badge": [1]},
                 {"type": "Assertion", "verification": {"type": "hosted"}, "id": "ftp://x"},
                 "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2ln",
                 bake_png("not a badge"), bake_png("{}", compressed=True),
                 bake_svg(verify="just words")):
        report = run(lakeside, data)
        assert not report.verified
        assert report.checks[0].id == "format"


def test_ob3_input_is_not_taken_for_ob2() -> None:
    assert detect({"type": ["VerifiableCredential", "OpenBadgeCredential"]}) is None
    assert detect(b"{not json") is None
    assert detect({"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass"}) is None


def test_the_core_never_mutates_the_input(lakeside: Ob2Issuer) -> None:
    assertion = lakeside.assertion()
    before = copy.deepcopy(assertion)
    found = detect(assertion)
    assert found is not None
    verify_assertion(found, now=NOW, load=lakeside.load, registry=known(lakeside))
    assert assertion == before


def test_a_hosted_badge_whose_server_answers_410_gone_is_revoked(lakeside: Ob2Issuer) -> None:
    """OB 2.0 hosted revocation: the assertion's URL answers 410 Gone."""
    from badges.did import ResolutionError

    assertion = lakeside.assertion()

    def load(url: str) -> Any:
        if url == assertion["id"]:
            raise ResolutionError.http(url, 410)
        return lakeside.load(url)

    for data in (assertion, bake_png(assertion["id"])):
        report = verify_credential(data, now=NOW, fetch_document=load,
                                   registry=known(lakeside))
        assert report.verdict == Verdict.REVOKED, report.to_json()
        assert result(report, "status") == (Outcome.FAILED, "ob2_revoked")
        assert "410" in report.check("proof").message  # type: ignore[union-attr]


def test_a_copy_spelled_differently_from_the_hosted_original_still_matches(
        lakeside: Ob2Issuer) -> None:
    """Platforms serialize the same assertion differently; only a change of meaning is forged."""
    assertion = lakeside.assertion()
    copy_ = {**assertion, "issuedOn": "2026-03-02T10:00:00Z",
             "verification": {"type": "HostedBadge"},
             "badge": lakeside.documents[lakeside.badge_id]}
    assert run(lakeside, copy_).verdict == Verdict.VERIFIED
    other = {**assertion, "recipient": {**assertion["recipient"], "salt": "other"}}
    report = run(lakeside, other)
    assert report.verdict == Verdict.FORGED
    assert report.check("proof").detail["differ"] == ["recipient"]  # type: ignore[union-attr]


def test_a_hosted_assertion_wrapped_in_a_jws_is_verified_as_hosted(lakeside: Ob2Issuer) -> None:
    """Some issuers bake a hosted assertion as a JWS: the issuer's server still vouches."""
    token = lakeside.sign(lakeside.assertion())
    report = run(lakeside, bake_png(token))
    assert report.verdict == Verdict.VERIFIED, report.to_json()
    assert report.format == "ob2_hosted"
