"""The verdict: one word for a whole verification report, decided in one place.

OB 3.0 §9.1 lists the verification steps and leaves the conclusion to the
verifier. This module draws it, for every consumer alike (the report's
``verified`` flag, the CLI's exit status, the JSON API, the report page, the
signed receipt), from a catalogue of every ``(check, outcome, code)`` the
verifier emits and what each one means:

========================  ====================================================
``unreadable``            no credential could be read at all
``forged``                the signature does not match, the key is not the
                          issuer's, or a PDF's page and attachment disagree
``impersonation``         genuine signature, but it borrows the name of an
                          issuer on the verifier's list under another identity
``invalid``               "not verified": readable, and some rule failed
``revoked``/``suspended`` the issuer withdrew it
``unconfirmed``           "could not be fully checked": something stayed
                          indeterminate; never reported as passed
``unknown_issuer``        a genuine signature, but from an issuer no list of
                          known issuers names: never the green "verified"
``expired``               a genuine record whose validity period is over
``verified``              every check passed (listed warnings allowed)
========================  ====================================================

The verdict is the most serious meaning among the checks (:data:`SEVERITY`).
It fails closed: a result missing from the catalogue counts as ``invalid`` when
it failed and ``unconfirmed`` otherwise (a warning or a skip nobody listed may
hide something unchecked), and nothing is ``verified`` without a passed proof.

A new verdict is a new :class:`Verdict` member placed in :data:`SEVERITY`
and catalogue rows that mean it; the classifier itself does not change (that
is how issue #14's ``unknown_issuer`` came in).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from badges.report import CHECK_IDS
from badges.report import CheckResult
from badges.report import Outcome

if TYPE_CHECKING:  # the report asks this module for its verdict
    from badges.report import VerificationReport


class Verdict(StrEnum):
    """One word for a whole report (the API's ``verdict``)."""

    UNREADABLE = "unreadable"
    FORGED = "forged"
    IMPERSONATION = "impersonation"
    INVALID = "invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    UNCONFIRMED = "unconfirmed"
    UNKNOWN_ISSUER = "unknown_issuer"
    EXPIRED = "expired"
    VERIFIED = "verified"


#: Every verdict, most serious first: the report's verdict is the first one
#: any of its checks means.
SEVERITY: tuple[Verdict, ...] = tuple(Verdict)


@dataclass(frozen=True, slots=True)
class Code:
    """One result a check can report, and what it means for the whole report.

    Attributes:
        check: the check id (:data:`badges.report.CHECK_IDS`).
        outcome: the outcome it comes with.
        code: the stable code.
        verdict: what it means for the report (``verified`` for a result that
            does not stand in the way).
    """

    check: str
    outcome: Outcome
    code: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict and the checks that decided it.

    Attributes:
        verdict: the :class:`Verdict`.
        because: the checks whose meaning is the verdict, in report order;
            for ``verified``, its warnings (empty when everything passed).
    """

    verdict: Verdict
    because: tuple[CheckResult, ...]


_P, _F, _W, _I, _S = (Outcome.PASSED, Outcome.FAILED, Outcome.WARNING,
                      Outcome.INDETERMINATE, Outcome.SKIPPED)

#: Codes of a document that could not be read: the network failed, or the verifier's
#: own fetch policy declined it (a private address, plain HTTP, a size, time or fetch
#: limit). Nothing was learnt about the credential: "could not be fully checked" (#13).
_REFUSED_FETCH = ("address_not_allowed", "scheme_not_allowed", "not_json",
                  "response_too_large", "fetch_timeout")
#: Codes of a key or DID that is malformed or of an unsupported kind.
_BAD_KEY = ("verification_method_invalid", "unsupported_did_method", "invalid_did_key",
            "invalid_did_jwk", "invalid_did_web", "key_not_in_controller_document",
            "controller_document_invalid", "key_invalid", "unsupported_key_type", "weak_key",
            "private_key_exposed", "invalid_key", "key_type_mismatch")
#: Skips after an input could not be read or is not an Open Badge (the failure decides).
_UNREAD = ("input_unreadable", "not_open_badge")
#: ... and, for the checks after the proof, after the proof did not pass.
_SKIPS = (*_UNREAD, "proof_not_verified")
#: The verifier's intake: a link, a QR code picture or an image that holds no credential.
_INTAKE = ("offline", "fetch_failed", "address_not_allowed", "scheme_not_allowed",
           "fetch_timeout", "link_gone", "link_not_found", "link_http_error",
           "link_not_credential", "no_qr_code", "qr_not_credential",
           "image_unreadable", "no_credential_in_image")

#: check -> outcome -> codes, every result the verifier reports. The verdict of
#: each is given by :data:`_MEANING` or, failing that, :func:`_default`.
_CATALOGUE: Mapping[str, Mapping[Outcome, tuple[str, ...]]] = {
    "format": {
        _P: ("json", "jwt", "png", "svg", "pdf",
             # an Open Badges 2.0 assertion (badges.ob2), by where it was read from
             "ob2_json", "ob2_jws", "ob2_png", "ob2_svg"),
        _W: ("jwt_vc_claim",),
        _F: ("not_open_badge", "not_endorsement", "not_a_credential", "invalid_json",
             "input_too_large", "json_too_deep", "unreadable_input", "malformed_jwt",
             "malformed_image", "not_baked", "ob2_baked_unreadable",
             "unsafe_image", "unsupported_image", "image_too_large", "image_too_complex",
             "unreadable_pdf",
             "encrypted_pdf", "no_credential_in_pdf", "several_credentials_in_pdf",
             "certificate_mismatch",
             # what the verifier's intake refuses before the core reads anything
             # (links, QR code pictures), and a receipt that is not one
             *_INTAKE, "not_a_receipt", "other_verifier"),
    },
    "schema": {
        _P: ("schema_valid", "ob2_assertion_valid"),
        _W: ("schema_compacted_form",),
        _F: ("schema_invalid", "ob2_assertion_invalid"),
        _S: (*_UNREAD, "ob2_hosted_not_read"),
    },
    "context": {
        _P: ("context_valid", "ob2_context_valid"),
        _W: ("context_outdated",),
        _F: ("context_missing", "context_order", "context_not_allowed", "undefined_term",
             "undefined_type", "invalid_jsonld", "too_deep", "too_large",
             "ob2_context_invalid"),
        _S: (*_UNREAD, "ob2_hosted_not_read"),
    },
    "proof": {
        _P: ("signature_valid", "ob2_signature_valid", "ob2_hosted_confirmed"),
        _F: ("signature_invalid", "no_proof", "proof_invalid", "unsupported_cryptosuite",
             "proof_purpose_invalid", "proof_value_invalid", "canonicalization_limit",
             "invalid_unicode", "invalid_jsonld", "context_not_allowed", "alg_not_allowed",
             "jwt_header_not_allowed", "jwt_typ_invalid", "jwt_key_missing",
             "jwt_claim_mismatch", "jwt_form_mismatch", "too_deep", "too_large",
             "content_not_signed",
             *_BAD_KEY,
             # Open Badges 2.0: how to verify it, the hosted original, the signature
             "ob2_verification_invalid", "ob2_hosted_id_mismatch", "ob2_hosted_mismatch",
             "ob2_signature_missing", "ob2_jws_malformed", "ob2_key_invalid",
             "ob2_signature_invalid"),
        _I: ("fetch_failed", "key_unresolved_offline", *_REFUSED_FETCH,
             "ob2_hosted_unchecked_offline", "ob2_hosted_unreachable", "ob2_key_unreachable"),
        _S: _UNREAD,
    },
    "key_binding": {
        _P: ("key_published", "ob2_issuer_confirmed", "ob2_key_owned"),
        _F: ("controller_mismatch", "key_not_published", "issuer_missing",
             "ob2_badge_mismatch", "ob2_issuer_mismatch", "ob2_hosted_origin_mismatch",
             "ob2_key_not_issuers"),
        _I: ("binding_unchecked_offline", "controller_unreachable", "ob2_badge_unreachable",
             "ob2_issuer_unreachable"),
        _S: _SKIPS,
    },
    "validity_period": {
        _P: ("within_validity",),
        _F: ("expired", "not_yet_valid", "valid_from_missing", "invalid_date"),
        _S: _SKIPS,
    },
    "status": {
        _P: ("not_revoked", "not_suspended", "not_withdrawn", "ob2_not_revoked"),
        _F: ("revoked", "suspended", "status_entry_invalid", "ob2_revoked"),
        _I: ("status_unchecked_offline", "status_list_unreachable", "status_list_invalid",
             "status_list_signature_invalid", "status_list_issuer_mismatch",
             "status_purpose_mismatch", "status_list_expired", "status_index_out_of_range",
             "unsupported_status_type", "unsupported_status_purpose",
             "ob2_revocation_list_unreachable", "ob2_revocation_list_invalid"),
        _W: ("status_purpose_informational",),
        _S: ("no_status", *_SKIPS),
    },
    "issuer_trust": {
        _P: ("known_issuer",),
        _W: ("unknown_issuer",),
        _F: ("issuer_impersonation",),
        _I: ("issuer_link_unchecked",),
        _S: ("no_registry", *_SKIPS),
    },
    "endorsements": {
        _P: ("endorsements_valid",),
        _F: ("endorsement_forged", "endorsement_impersonation", "endorsement_invalid",
             "endorsement_revoked", "endorsement_suspended", "endorsement_subject_mismatch"),
        _W: ("endorsement_expired", "endorsement_unknown_endorser"),
        _I: ("endorsement_unchecked",),
        _S: ("no_endorsements", "nested_endorsements", "ob2_endorsements_unchecked", *_SKIPS),
    },
    # optional (badges.report.OPTIONAL_CHECK_IDS): an OB 2.0 badge's recipient, when named
    "recipient": {
        _P: ("ob2_recipient_match",),
        _F: ("ob2_recipient_mismatch", "ob2_recipient_unreadable"),
    },
}

#: A check of any id may fail this way when its input is too complex to check
#: (a guard; inputs are bounded before any check runs).
_ANY_CHECK_FAILS = ("input_too_complex",)

#: Results that mean something else than their outcome's default.
_MEANING: Mapping[tuple[str, str], Verdict] = {
    ("format", "certificate_mismatch"): Verdict.FORGED,
    ("format", "not_open_badge"): Verdict.INVALID,
    ("format", "not_endorsement"): Verdict.INVALID,
    ("proof", "signature_invalid"): Verdict.FORGED,
    ("proof", "ob2_signature_invalid"): Verdict.FORGED,
    ("proof", "ob2_hosted_id_mismatch"): Verdict.FORGED,
    ("proof", "ob2_hosted_mismatch"): Verdict.FORGED,
    ("key_binding", "ob2_hosted_origin_mismatch"): Verdict.FORGED,
    ("key_binding", "ob2_key_not_issuers"): Verdict.FORGED,
    ("status", "ob2_revoked"): Verdict.REVOKED,
    ("key_binding", "controller_mismatch"): Verdict.FORGED,
    ("key_binding", "key_not_published"): Verdict.FORGED,
    ("issuer_trust", "issuer_impersonation"): Verdict.IMPERSONATION,
    ("issuer_trust", "unknown_issuer"): Verdict.UNKNOWN_ISSUER,
    ("validity_period", "expired"): Verdict.EXPIRED,
    ("status", "revoked"): Verdict.REVOKED,
    ("status", "suspended"): Verdict.SUSPENDED,
}


def _default(check: str, outcome: Outcome) -> Verdict:
    """What a catalogued result means when :data:`_MEANING` says nothing."""
    if outcome == Outcome.FAILED:
        return Verdict.UNREADABLE if check == "format" else Verdict.INVALID
    if outcome == Outcome.INDETERMINATE:
        return Verdict.UNCONFIRMED
    return Verdict.VERIFIED


def _build() -> dict[tuple[str, Outcome, str], Code]:
    codes: dict[tuple[str, Outcome, str], Code] = {}
    for check, by_outcome in _CATALOGUE.items():
        for outcome, names in by_outcome.items():
            for name in names:
                verdict = _MEANING.get((check, name)) or _default(check, outcome)
                codes[check, outcome, name] = Code(check, outcome, name, verdict)
    for check in CHECK_IDS:
        for name in _ANY_CHECK_FAILS:
            codes[check, Outcome.FAILED, name] = Code(check, Outcome.FAILED, name,
                                                      _default(check, Outcome.FAILED))
    return codes


_CODES = _build()

#: Every result the credential core reports, with its meaning.
CODES: tuple[Code, ...] = tuple(_CODES.values())


def meaning(check: CheckResult) -> Verdict:
    """What one check's result means for the whole report.

    A result the catalogue does not list is judged by its outcome, failing
    closed: failed is ``invalid`` (``unreadable`` for the format check),
    anything else but passed is ``unconfirmed``.

    Args:
        check: one check's result.

    Returns:
        Its :class:`Verdict` (``verified`` when it does not stand in the way).
    """
    known = _CODES.get((check.id, check.outcome, check.code))
    if known is not None:
        return known.verdict
    if check.outcome in (Outcome.FAILED, Outcome.PASSED):
        return _default(check.id, check.outcome)
    return Verdict.UNCONFIRMED


def decide_checks(checks: Iterable[CheckResult]) -> Decision:
    """The verdict of a set of check results (see the module notes).

    Args:
        checks: a report's checks.

    Returns:
        The :class:`Decision`: the most serious meaning, and the checks that
        carry it. ``verified`` needs a passed ``proof`` check: a report that
        checked no signature is ``unconfirmed``.
    """
    listed = tuple(checks)
    meanings = [(check, meaning(check)) for check in listed]
    worst = min((m for _, m in meanings), key=SEVERITY.index, default=Verdict.UNCONFIRMED)
    if worst == Verdict.VERIFIED:
        proof = next((c for c in listed if c.id == "proof"), None)
        if proof is None or proof.outcome != Outcome.PASSED:
            return Decision(Verdict.UNCONFIRMED, ())
        return Decision(worst, tuple(c for c in listed if c.outcome == Outcome.WARNING))
    return Decision(worst, tuple(c for c, m in meanings if m == worst))


def decide(report: VerificationReport) -> Decision:
    """The verdict of a report (OB 3.0 §9.1: the conclusion of the verification steps).

    Args:
        report: the report.

    Returns:
        Its :class:`Decision`.
    """
    return decide_checks(report.checks)
