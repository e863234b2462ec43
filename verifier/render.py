"""Reading a verification report for people: the facts, text and JSON forms.

:func:`report_json` is the one JSON shape the API (``POST /api/v1/verify``)
and ``badges verify --json`` both print: the core's report (``verified``,
``verdict``, ``format``, ``checks``) plus a ``summary`` of who issued what to
whom, and, when known, the ``input`` that was verified. The verdict itself is
decided by :mod:`badges.verdict`, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badges.ob2.verify import parse_ob2_datetime
from badges.report import Outcome
from badges.report import VerificationReport
from badges.verdict import Verdict

_MARKS = {
    Outcome.PASSED: "ok  ",
    Outcome.FAILED: "FAIL",
    Outcome.WARNING: "warn",
    Outcome.INDETERMINATE: "??  ",
    Outcome.SKIPPED: "-   ",
}

def encodable(text: str) -> str:
    r"""``text`` with any lone surrogate written as its escape (``\ud800``), so it encodes as UTF-8.

    JSON may carry a lone surrogate (``"\ud800"``), and a credential that does
    is reported (``invalid_unicode``), not refused: but such text cannot be
    written as UTF-8. In JSON output the escape reads back as the same value.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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


def _alignments(value: Any) -> list[dict[str, str | None]]:
    """The competencies the achievement aligns to (OB 3.0 §B.1.3, OB 2.0 AlignmentObject).

    Each as ``name``, ``code``, ``framework`` and ``url`` (a ``CFItem``'s code
    is an identifier, not shown to readers, so it is left out).
    """
    items = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
    found: list[dict[str, str | None]] = []
    for item in items[:50]:
        if not isinstance(item, Mapping) or not _text(item.get("targetName")):
            continue
        cf_item = item.get("targetType") == "CFItem"
        found.append({"name": _text(item.get("targetName")),
                      "code": None if cf_item else _text(item.get("targetCode")),
                      "framework": _text(item.get("targetFramework")),
                      "url": _text(item.get("targetUrl"))})
    return found


def _ob2_date(value: Any) -> str | None:
    try:
        return parse_ob2_datetime(value).isoformat() if value is not None else None
    except (ValueError, OverflowError, OSError):
        return None


def _ob2_summary(report: VerificationReport) -> dict[str, Any]:
    """The facts of an Open Badges 2.0 assertion, its BadgeClass and issuer Profile.

    OB 2.0 "Assertion", "BadgeClass" and "Profile": the badge class and the
    issuer are documents of their own, read during the verification
    (:attr:`VerificationReport.linked`).
    """
    assertion = report.credential or {}
    linked = report.linked or {}
    found_badge, found_issuer = linked.get("badge"), linked.get("issuer")
    badge: Mapping[str, Any] = found_badge if isinstance(found_badge, Mapping) else {}
    issuer: Mapping[str, Any] = found_issuer if isinstance(found_issuer, Mapping) else {}
    criteria = badge.get("criteria")
    person = assertion.get("recipient")
    person = person if isinstance(person, Mapping) else {}
    hashed = bool(person.get("hashed"))
    return {
        "standard": report.standard,
        "achievement": _text(badge.get("name")),
        "achievement_id": _text(badge.get("id")),
        "achievement_type": None,
        "description": _text(badge.get("description")),
        "criteria": _text(criteria.get("narrative")) if isinstance(criteria, Mapping) else None,
        "criteria_url": _text(criteria.get("id")) if isinstance(criteria, Mapping)
        else _text(criteria),
        "image": _image(badge.get("image")),
        "alignments": _alignments(badge.get("alignment")),
        "issuer": _text(issuer.get("name")),
        "issuer_id": _text(issuer.get("id")),
        "recipient": None if hashed else _text(person.get("identity")),
        "recipient_hashed_only": hashed,
        "credential_id": _text(assertion.get("id")),
        "issued": _ob2_date(assertion.get("issuedOn")),
        "expires": _ob2_date(assertion.get("expires")),
    }


def summary(report: VerificationReport) -> dict[str, Any]:
    """Who issued the credential, to whom, for what: the facts a reader wants first.

    The values are what the credential *says*; whether to believe them is
    what the checks tell. ``standard`` says which: Open Badges 3.0 or 2.0.
    """
    if report.format.startswith("ob2"):
        return _ob2_summary(report)
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
        "standard": report.standard,
        "achievement": _text(achievement.get("name")) or _text(cred.get("name")),
        "achievement_id": _text(achievement.get("id")),
        "achievement_type": types if isinstance(types, str) else None,
        "description": _text(achievement.get("description")) or _text(cred.get("description")),
        "criteria": _text(criteria.get("narrative")),
        "criteria_url": _text(criteria.get("id")),
        "image": _image(achievement.get("image")) or _image(cred.get("image")),
        "alignments": _alignments(achievement.get("alignment")),
        "issuer": _text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        "issuer_id": issuer.get("id") if isinstance(issuer, Mapping) else _text(issuer),
        "recipient": recipient or _text(subject.get("id")),
        "recipient_hashed_only": recipient is None and hashed_only,
        "credential_id": _text(cred.get("id")),
        "issued": cred.get("validFrom") or cred.get("issuanceDate"),
        "expires": cred.get("validUntil") or cred.get("expirationDate"),
    }


def report_json(report: VerificationReport, *,
                source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The API's and ``badges verify --json``'s report object.

    Args:
        report: the core's report.
        source: what was verified (``Submission.to_json()``), when known.
    """
    out = report.to_json()
    out["summary"] = summary(report)
    if source is not None:
        out["input"] = dict(source)
    return out


def to_text(report: VerificationReport) -> str:
    """A readable multi-line report."""
    facts = summary(report)
    word = report.verdict
    head = "VERIFIED" if word == Verdict.VERIFIED else "NOT VERIFIED"
    if word == Verdict.UNKNOWN_ISSUER:
        head = "GENUINE SIGNATURE, BUT THE ISSUER IS ON NONE OF YOUR LISTS"
    elif word == Verdict.IMPERSONATION:
        head = "IMPERSONATION: NOT FROM THE ISSUER IT NAMES"
    lines = [head if word in (Verdict.VERIFIED, Verdict.UNREADABLE, Verdict.INVALID)
             else f"{head} ({word.value})"]
    if report.format == "ob2_hosted":
        lines.append("  Open Badges 2.0, hosted: no signature; the issuer's server vouches "
                     "for it as of this check.")
    elif report.format == "ob2_signed":
        lines.append("  Open Badges 2.0, signed with the issuer's published key.")
    labels = (("achievement", "Achievement"), ("issuer", "Issuer"), ("issuer_id", "Issuer id"),
              ("recipient", "Recipient"), ("issued", "Issued"), ("expires", "Expires"))
    for key, label in labels:
        if facts.get(key):
            lines.append(f"  {label + ':':<13}{facts[key]}")
    lines.append("")
    for check in report.checks:
        lines.append(f"  [{_MARKS[check.outcome]}] {check.id:<16}{check.message} ({check.code})")
    return "\n".join(lines) + "\n"
