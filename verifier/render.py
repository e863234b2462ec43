"""Plain-text rendering of a verification report, for the command line."""

from __future__ import annotations

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


def summary(report: VerificationReport) -> dict[str, Any]:
    """Who issued the credential, to whom, for what: the facts a reader wants first."""
    cred = report.credential or {}
    issuer = cred.get("issuer")
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    recipient = None
    for ident in subject.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("identityType") == "name" \
                and ident.get("hashed") is False:
            recipient = ident.get("identityHash")
    return {
        "achievement": achievement.get("name") or cred.get("name"),
        "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
        "issuer_id": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "recipient": recipient or subject.get("id"),
        "issued": cred.get("validFrom") or cred.get("issuanceDate"),
        "expires": cred.get("validUntil") or cred.get("expirationDate"),
    }


def to_text(report: VerificationReport) -> str:
    """A readable multi-line report."""
    facts = summary(report)
    lines = ["VERIFIED" if report.verified else "NOT VERIFIED"]
    labels = (("achievement", "Achievement"), ("issuer", "Issuer"), ("issuer_id", "Issuer id"),
              ("recipient", "Recipient"), ("issued", "Issued"), ("expires", "Expires"))
    for key, label in labels:
        if facts.get(key):
            lines.append(f"  {label + ':':<13}{facts[key]}")
    lines.append("")
    for check in report.checks:
        lines.append(f"  [{_MARKS[check.outcome]}] {check.id:<16}{check.message} ({check.code})")
    return "\n".join(lines) + "\n"
