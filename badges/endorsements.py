"""The endorsements check: every embedded endorsement verified like a credential.

OB 3.0 §9.1 step 6: "verify each embedded EndorsementCredential with the same
steps"; only if all pass "may the credential be treated as verified". Each
``endorsement`` (JSON) and ``endorsementJwt`` (compact JWS) anywhere in the
credential (on the credential, its issuer, its achievement, the achievement's
creator...; the 1EdTech validator reads ``$..endorsement`` too) gets a full
report of its own from :func:`badges.verify.verify_embedded`: format, schema,
context, proof, key binding, validity period, status and issuer trust. Its
verdict (:mod:`badges.verdict`) is what it contributes here:

* forged, impersonation, not verified, revoked or suspended: the check
  *fails*, saying which endorsement and which of its checks;
* an endorsement about something else than this credential, its issuer or its
  achievement (an endorsement copied from another badge) *fails* too;
* could not be fully checked: *indeterminate* (never "intact");
* expired: a *warning*: the endorsement was genuine, and no longer stands;
* genuine, but its endorser is on no list of known issuers: a *warning*
  naming the signer (the badge itself may still be verified).

Work is bounded: at most :data:`MAX_ENDORSEMENTS` are verified; more leave the
check indeterminate.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges.report import CheckResult
from badges.report import Outcome
from badges.report import VerificationReport
from badges.verdict import Verdict

#: Most endorsements verified in one credential.
MAX_ENDORSEMENTS = 20

#: Verifies one embedded endorsement (JSON object or compact JWS).
VerifyEndorsement = Callable[[Any], VerificationReport]

_KEYS = ("endorsement", "endorsementJwt")
#: Where an endorsement sits, for people (the detail keeps the path).
PLACES = {
    "credential": "on the credential",
    "issuer": "on the issuer's profile",
    "credentialSubject.achievement": "on the achievement",
    "credentialSubject.achievement.creator": "on the achievement's creator",
    "subject": "beside what it endorses",
}

#: Each problem's code and outcome, most serious first.
_PROBLEMS: tuple[tuple[str, Outcome], ...] = (
    ("endorsement_forged", Outcome.FAILED),
    ("endorsement_impersonation", Outcome.FAILED),
    ("endorsement_subject_mismatch", Outcome.FAILED),
    ("endorsement_invalid", Outcome.FAILED),
    ("endorsement_revoked", Outcome.FAILED),
    ("endorsement_suspended", Outcome.FAILED),
    ("endorsement_unchecked", Outcome.INDETERMINATE),
    ("endorsement_unknown_endorser", Outcome.WARNING),
    ("endorsement_expired", Outcome.WARNING),
)
_BY_VERDICT = {
    Verdict.FORGED: "endorsement_forged",
    Verdict.IMPERSONATION: "endorsement_impersonation",
    Verdict.INVALID: "endorsement_invalid",
    Verdict.UNREADABLE: "endorsement_invalid",
    Verdict.REVOKED: "endorsement_revoked",
    Verdict.SUSPENDED: "endorsement_suspended",
    Verdict.UNCONFIRMED: "endorsement_unchecked",
    Verdict.UNKNOWN_ISSUER: "endorsement_unknown_endorser",
    Verdict.EXPIRED: "endorsement_expired",
}


@dataclass(frozen=True, slots=True)
class Found:
    """One endorsement in a credential.

    Attributes:
        path: where it sits (``credential``, ``issuer``,
            ``credentialSubject.achievement``...).
        holder: the ``id`` of the object carrying it, if any.
        item: the endorsement as found (an object or a compact JWS).
    """

    path: str
    holder: str | None
    item: Any


def find(credential: Mapping[str, Any]) -> list[Found]:
    """Every endorsement in ``credential``, breadth first (credential, then issuer...).

    Endorsements inside endorsements are not looked into (they are the
    endorsement's own, and are not checked).
    """
    found: list[Found] = []
    # a path is "credential" or (parent path, key), spelled out only for what is found:
    # building every dotted path would cost the square of a deep document's depth
    level: list[tuple[Any, Any]] = [("credential", credential)]
    while level:
        deeper: list[tuple[Any, Any]] = []
        for path, node in level:
            if type(node) is not dict:  # JSON objects are dicts: the rest is the rare case
                if isinstance(node, list):
                    deeper.extend((path, value) for value in node)
                    continue
                if not isinstance(node, Mapping):
                    continue
            holder = node.get("id") if isinstance(node.get("id"), str) else None
            for key in _KEYS:
                value = node.get(key)
                for item in value if isinstance(value, list) else [] if value is None \
                        else [value]:
                    found.append(Found(_dotted(path), holder, item))
            for key, value in node.items():
                kind = type(value)
                if kind in _LEAVES or key in _NOT_SEARCHED:
                    continue
                if kind is dict or kind is list or isinstance(value, Mapping | list):
                    deeper.append((key if path == "credential" else (path, key), value))
        level = deeper
    return found


def _dotted(path: Any) -> str:
    """``credential``, ``issuer``, or ``credentialSubject.achievement``: a path spelled out."""
    keys: list[str] = []
    while isinstance(path, tuple):
        path, key = path
        keys.append(key)
    keys.append(path)
    return ".".join(reversed(keys))


#: JSON leaf types (checked by ``type``, cheaper than ``isinstance`` on every value).
_LEAVES = frozenset({str, int, float, bool, type(None)})
#: Keys whose values :func:`find` does not look into.
_NOT_SEARCHED = frozenset({*_KEYS, "proof", "@context"})


def _id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _related(credential: Mapping[str, Any]) -> set[str]:
    """What an endorsement in ``credential`` may be about: it, its issuer, its achievement."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    creator = achievement.get("creator") if isinstance(achievement, Mapping) else None
    ids = (_id(credential.get("id")), _id(credential.get("issuer")), _id(achievement),
           _id(creator))
    return {i for i in ids if i}


def _place(path: str) -> str:
    return PLACES.get(path, f"at {path}")


def _outcome_of(found: Found, report: VerificationReport,
                related: set[str]) -> dict[str, Any]:
    """One endorsement's result: its problem code (or None), endorser and reason."""
    endorsement = report.credential or {}
    issuer = endorsement.get("issuer")
    endorser_id = _id(issuer)
    name = issuer.get("name") if isinstance(issuer, Mapping) else None
    entry: dict[str, Any] = {
        "on": found.path,
        "endorser": endorser_id,
        "endorserName": name if isinstance(name, str) else None,
        "verdict": report.verdict.value,
    }
    decision = report.decision
    code = _BY_VERDICT.get(decision.verdict)
    proof = report.check("proof")
    trusted = proof is not None and proof.outcome == Outcome.PASSED
    subject = endorsement.get("credentialSubject")
    about = _id(subject)
    holder_ok = found.holder is not None and about == found.holder
    if trusted and (about is None or not (holder_ok or about in related)) and \
            decision.verdict in (Verdict.VERIFIED, Verdict.EXPIRED, Verdict.UNCONFIRMED,
                                 Verdict.UNKNOWN_ISSUER):
        code = "endorsement_subject_mismatch"
        entry["subject"] = about
    entry["code"] = code
    if decision.because and code not in (None, "endorsement_subject_mismatch"):
        entry["because"] = decision.because[0].to_json()
    return entry


def _endorser(entry: Mapping[str, Any]) -> str:
    return str(entry.get("endorserName") or entry.get("endorser") or "an unnamed endorser")[:200]


def _sentence(entry: Mapping[str, Any]) -> str:
    if "overflow" in entry:
        return (f"The credential carries more endorsements than are checked: "
                f"{entry['overflow']} of them could not be checked.")
    who, where = _endorser(entry), _place(entry["on"])
    reason = entry.get("because", {}).get("message", "")
    return {
        "endorsement_forged": f"The endorsement in the name of {who} ({where}) is not genuine: "
                              f"{reason}",
        "endorsement_impersonation": f"The endorsement in the name of {who} ({where}) borrows "
                                     f"a known issuer's name: {reason}",
        "endorsement_subject_mismatch": f"The endorsement in the name of {who} ({where}) is "
                                        f"about {str(entry.get('subject'))[:200]}, which is "
                                        "not this credential, its issuer or its achievement.",
        "endorsement_invalid": f"The endorsement in the name of {who} ({where}) did not "
                               f"verify: {reason}",
        "endorsement_revoked": f"{who} has revoked its endorsement ({where}).",
        "endorsement_suspended": f"{who} has suspended its endorsement ({where}).",
        "endorsement_unchecked": f"The endorsement in the name of {who} ({where}) could not be "
                                 f"fully checked: {reason}",
        "endorsement_expired": f"The endorsement by {who} ({where}) was genuine, but its "
                               "validity period has ended; it no longer stands.",
        "endorsement_unknown_endorser": f"The endorsement in the name of {who} ({where}) is "
                                        "genuine, but its signer is not on this verifier's "
                                        f"lists of known issuers: {reason}",
    }[entry["code"]]


def check_endorsements(credential: Mapping[str, Any], *, nested: bool,
                       verify: VerifyEndorsement) -> CheckResult:
    """The ``endorsements`` check of ``credential`` (OB 3.0 §9.1 step 6).

    Args:
        credential: the credential, whose proof has passed.
        nested: True when ``credential`` is itself embedded (an endorsement or
            a CLR's credential): its endorsements are not followed.
        verify: verifies one endorsement with every check a credential gets
            (:func:`badges.verify.verify_embedded`).

    Returns:
        The check result; its detail lists every endorsement's verdict.
    """
    found = find(credential)
    if not found:
        return CheckResult("endorsements", Outcome.SKIPPED, "no_endorsements",
                           "The credential carries no endorsements.")
    if nested:
        return CheckResult("endorsements", Outcome.SKIPPED, "nested_endorsements",
                           "Endorsements of endorsements are not checked.")
    related = _related(credential)
    entries = [_outcome_of(f, verify(f.item), related) for f in found[:MAX_ENDORSEMENTS]]
    total = len(found)
    if total > MAX_ENDORSEMENTS:
        entries.append({"on": "credential", "endorser": None, "endorserName": None,
                        "verdict": Verdict.UNCONFIRMED.value, "code": "endorsement_unchecked",
                        "overflow": total - MAX_ENDORSEMENTS})
    problems = [e for e in entries if e["code"] is not None]
    detail: dict[str, Any] = {"endorsements": entries}
    if not problems:
        return CheckResult("endorsements", Outcome.PASSED, "endorsements_valid",
                           f"All {total} endorsements verified: each is signed by the "
                           "endorser it names, current and not withdrawn.", detail)
    order = [code for code, _ in _PROBLEMS]
    worst = min(problems, key=lambda e: order.index(e["code"]))
    outcome = dict(_PROBLEMS)[worst["code"]]
    detail["endorsement"] = worst
    message = _sentence(worst)
    if len(problems) > 1:
        message += f" ({len(problems) - 1} more of the {total} endorsements also have problems.)"
    return CheckResult("endorsements", outcome, worst["code"], message, detail)


@dataclass(frozen=True, slots=True)
class Shown:
    """One endorsement as a page shows it: "endorsed by …" only when ``verified``.

    Attributes:
        endorser: the endorser's name as the endorsement gives it (or its id).
        endorser_id: the endorser's id (a DID or URL), if any.
        comment: the ``endorsementComment`` (None unless verified: an
            endorsement that did not verify says nothing worth repeating).
        on: where it sits (a key of :data:`PLACES`).
        verified: signed by the endorser it names, about this very thing,
            current and not withdrawn (verdict ``verified``).
        code: the problem code when not verified (``endorsement_forged``...).
    """

    endorser: str
    endorser_id: str | None
    comment: str | None
    on: str
    verified: bool
    code: str | None


def _shown(found: Found, report: VerificationReport, entry: Mapping[str, Any]) -> Shown:
    verified = entry["code"] is None and report.verdict == Verdict.VERIFIED
    comment = None
    if verified and report.credential is not None:
        subject = report.credential.get("credentialSubject")
        text = subject.get("endorsementComment") if isinstance(subject, Mapping) else None
        comment = text if isinstance(text, str) else None
    return Shown(endorser=_endorser(entry), endorser_id=entry.get("endorser"),
                 comment=comment, on=found.path, verified=verified,
                 code=None if verified else entry["code"] or "endorsement_unchecked")


def shown_in(credential: Mapping[str, Any], *, verify: VerifyEndorsement) -> list[Shown]:
    """The endorsements ``credential`` carries, each verified (OB 3.0 §9.1 step 6).

    The same rules as :func:`check_endorsements` (an endorsement must be
    signed by its endorser and about this credential, its issuer or its
    achievement); at most :data:`MAX_ENDORSEMENTS` are looked at.
    """
    related = _related(credential)
    shown = []
    for found in find(credential)[:MAX_ENDORSEMENTS]:
        report = verify(found.item)
        shown.append(_shown(found, report, _outcome_of(found, report, related)))
    return shown


def shown_about(item: Any, *, subject_id: str, verify: VerifyEndorsement) -> Shown:
    """One endorsement published beside what it endorses (an achievement, a profile).

    Verified only when its signature, key, dates and status pass and its
    ``credentialSubject.id`` is ``subject_id``.
    """
    found = Found("subject", subject_id, item)
    report = verify(item)
    return _shown(found, report, _outcome_of(found, report, {subject_id}))
