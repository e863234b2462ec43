"""Reading a verification report for people: the facts, a verdict, text and JSON forms.

:func:`report_json` is the one JSON shape the API (``POST /api/v1/verify``)
and ``badges verify --json`` both print: the core's report (``verified``,
``format``, ``checks``) plus a ``verdict``, a ``summary`` of who issued what
to whom, and, when known, the ``input`` that was verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badges.report import Outcome
from badges.report import VerificationReport

_MARKS = {
    Outcome.PASSED: "ok  ",
    Outcome.FAILED: "FAIL",
    Outcome.WARNING: "warn",
    Outcome.INDETERMINATE: "??  ",
    Outcome.SKIPPED: "-   ",
}

#: Every verdict, most serious first.
VERDICTS = ("unreadable", "forged", "invalid", "revoked", "suspended", "unconfirmed", "expired",
            "verified")

_FORGERY = {("proof", "signature_invalid"), ("issuer_trust", "issuer_impersonation")}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _image(value: Any) -> dict[str, str] | None:
    if isinstance(value, str) and value:
        return {"id": value}
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        out = {"id": value["id"]}
        if _text(value.get("caption")):
            out["caption"] = value["caption"].strip()
        return out
    return None


def summary(report: VerificationReport) -> dict[str, Any]:
    """Who issued the credential, to whom, for what: the facts a reader wants first.

    The values are what the credential *says*; whether to believe them is
    what the checks tell.
    """
    cred = report.credential or {}
    issuer = cred.get("issuer")
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    recipient = None
    hashed_only = False
    identifiers = subject.get("identifier")
    for ident in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(ident, Mapping):
            continue
        if ident.get("hashed") is False and ident.get("identityType") == "name":
            recipient = _text(ident.get("identityHash"))
        elif ident.get("hashed") is True:
            hashed_only = True
    types = achievement.get("achievementType")
    return {
        "achievement": _text(achievement.get("name")) or _text(cred.get("name")),
        "achievement_id": _text(achievement.get("id")),
        "achievement_type": types if isinstance(types, str) else None,
        "description": _text(achievement.get("description")) or _text(cred.get("description")),
        "criteria": _text(criteria.get("narrative")),
        "criteria_url": _text(criteria.get("id")),
        "image": _image(achievement.get("image")) or _image(cred.get("image")),
        "issuer": _text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        "issuer_id": issuer.get("id") if isinstance(issuer, Mapping) else _text(issuer),
        "recipient": recipient or _text(subject.get("id")),
        "recipient_hashed_only": recipient is None and hashed_only,
        "credential_id": _text(cred.get("id")),
        "issued": cred.get("validFrom") or cred.get("issuanceDate"),
        "expires": cred.get("validUntil") or cred.get("expirationDate"),
    }


def verdict(report: VerificationReport) -> str:
    """One word for the whole report (see :data:`VERDICTS`).

    ``verified``: every check passed (warnings, such as an unknown issuer,
    allowed). ``expired``: a genuine record whose validity period is over, and
    nothing else wrong. ``revoked``/``suspended``: the issuer withdrew it.
    ``unconfirmed``: something could not be checked (an unreachable status
    list, key or document); never reported as passed. ``forged``: the
    signature does not match, the key is not the issuer's, the credential
    borrows a known issuer's name, or a PDF certificate carries another
    credential than the one its page shows. ``invalid``: readable but not a valid Open
    Badge. ``unreadable``: no credential could be read at all.
    """
    fmt = report.check("format")
    if fmt is not None and fmt.outcome == Outcome.FAILED:
        if fmt.code == "certificate_mismatch":  # a PDF whose attachment or page was altered
            return "forged"
        return "invalid" if fmt.code == "not_open_badge" else "unreadable"
    failed = [c for c in report.checks if c.outcome == Outcome.FAILED]
    unsure = [c for c in report.checks if c.outcome == Outcome.INDETERMINATE]
    if any((c.id, c.code) in _FORGERY or c.id == "key_binding" for c in failed):
        return "forged"
    status = [c for c in failed if c.id == "status" and c.code in ("revoked", "suspended")]
    expired = [c for c in failed if c.id == "validity_period" and c.code == "expired"]
    if [c for c in failed if c not in status and c not in expired]:
        return "invalid"
    if status:
        return status[0].code
    if unsure:
        return "unconfirmed"
    return "expired" if expired else "verified"


def report_json(report: VerificationReport, *,
                source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The API's and ``badges verify --json``'s report object.

    Args:
        report: the core's report.
        source: what was verified (``Submission.to_json()``), when known.
    """
    out = report.to_json()
    out["verdict"] = verdict(report)
    out["summary"] = summary(report)
    if source is not None:
        out["input"] = dict(source)
    return out


def to_text(report: VerificationReport) -> str:
    """A readable multi-line report."""
    facts = summary(report)
    word = verdict(report)
    head = "VERIFIED" if report.verified else "NOT VERIFIED"
    lines = [head if word in ("verified", "unreadable", "invalid") or report.verified
             else f"{head} ({word})"]
    labels = (("achievement", "Achievement"), ("issuer", "Issuer"), ("issuer_id", "Issuer id"),
              ("recipient", "Recipient"), ("issued", "Issued"), ("expires", "Expires"))
    for key, label in labels:
        if facts.get(key):
            lines.append(f"  {label + ':':<13}{facts[key]}")
    lines.append("")
    for check in report.checks:
        lines.append(f"  [{_MARKS[check.outcome]}] {check.id:<16}{check.message} ({check.code})")
    return "\n".join(lines) + "\n"
