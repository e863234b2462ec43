"""Verifying a CLR 2.0 record: its own proof and every credential it embeds, as one record.

A hiring school checks a Comprehensive Learner Record in one go (issue #20):
:func:`verify_clr` verifies the ``ClrCredential`` itself
(:func:`badges.verify.verify_clr_envelope`: CLR schema, contexts, its proof,
key binding, validity, status, issuer trust) and then each credential in
``credentialSubject.verifiableCredential`` (CLR 2.0 §ClrSubject) with every
check an Open Badge gets (:func:`badges.verify.verify_embedded`: its own
signature, status, expiry...). The answer, :class:`ClrReport`, names each
embedded credential by its achievement's name, so a tampered one reads
"Blended Learning Design: forged" and a revoked one "...: revoked", and its
verdict is the most serious of all of them (:data:`badges.verdict.SEVERITY`).

Pure: fetching and the clock are injected as for :func:`badges.verify.verify_credential`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from badges.clr import achievement_name
from badges.report import VerificationReport
from badges.trust import RegistryLike
from badges.verdict import SEVERITY
from badges.verdict import Verdict
from badges.verify import FetchDocument
from badges.verify import StatusChecker
from badges.verify import verify_clr_envelope
from badges.verify import verify_embedded

__all__ = ["MAX_EMBEDDED", "ClrReport", "EmbeddedResult", "StructureLine", "is_clr",
           "record_structure", "verify_clr"]

#: The most embedded credentials one verification checks; a record with more is
#: reported ``unconfirmed`` (the rest were not checked), never ``verified``.
MAX_EMBEDDED = 100


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def is_clr(data: Any) -> bool:
    """True when ``data`` is a JSON object whose ``type`` includes ``ClrCredential``."""
    return isinstance(data, Mapping) and "ClrCredential" in _types(data.get("type"))


def _why(report: VerificationReport) -> str:
    """The message of the first check that decided a report's verdict ("" when verified)."""
    decision = report.decision
    if decision.verdict == Verdict.VERIFIED or not decision.because:
        return ""
    return decision.because[0].message


@dataclass(frozen=True, slots=True)
class StructureLine:
    """One achievement's relations in a record, by name (CLR 2.0 §Association).

    Attributes:
        name: the source achievement's name.
        relation: the ``associationType`` (CLR 2.0 §AssociationType).
        targets: the names of the target achievements, in the record's order.
    """

    name: str
    relation: str
    targets: tuple[str, ...]


#: The order relations are listed in; ``isParentOf`` repeats ``isPartOf`` from the
#: other end and is listed only for a parent with no ``isPartOf`` pointing at it.
_RELATION_ORDER = ("isPartOf", "precedes", "isParentOf", "isChildOf", "isPeerOf",
                   "exactMatchOf", "isRelatedTo", "replacedBy")


def record_structure(record: Any) -> list[StructureLine]:
    """How the achievements of a ``ClrCredential`` relate, by name, for people to read.

    Reads ``credentialSubject.association`` (CLR 2.0 §Association) and names
    each end by the record's ``achievement`` list; one line per source
    achievement and relation ("Tech: isPartOf Certified EdTech Coach").
    Associations with an unknown end or type are skipped; ``isParentOf`` lines
    that only restate ``isPartOf`` ones are left out. Never raises.
    """
    subject = record.get("credentialSubject") if isinstance(record, Mapping) else None
    if not isinstance(subject, Mapping):
        return []
    achievements = subject.get("achievement")
    names: dict[str, str] = {}
    for item in achievements if isinstance(achievements, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            name = item.get("name")
            names.setdefault(item["id"], name.strip() if isinstance(name, str) and
                             name.strip() else item["id"])
    links = subject.get("association")
    grouped: dict[tuple[str, str], list[str]] = {}
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, Mapping):
            continue
        kind, source, target = (link.get("associationType"), link.get("sourceId"),
                                link.get("targetId"))
        if kind not in _RELATION_ORDER or source not in names or target not in names:
            continue
        targets = grouped.setdefault((source, kind), [])
        if target not in targets:
            targets.append(target)
    part_of = {(t, s) for (s, kind), ts in grouped.items() if kind == "isPartOf" for t in ts}
    lines = []
    for source in names:
        for kind in _RELATION_ORDER:
            targets = grouped.get((source, kind), [])
            if kind == "isParentOf":
                targets = [t for t in targets if (source, t) not in part_of]
            if targets:
                lines.append(StructureLine(names[source], kind,
                                           tuple(names[t] for t in targets)))
    return lines


@dataclass(frozen=True, slots=True)
class EmbeddedResult:
    """One embedded credential's verification.

    Attributes:
        position: its place in ``verifiableCredential`` (1-based).
        name: its achievement's name (what people call it).
        credential_id: its ``id``, when it has one.
        report: its full :class:`VerificationReport`.
    """

    position: int
    name: str
    credential_id: str | None
    report: VerificationReport

    @property
    def verdict(self) -> Verdict:
        """The embedded credential's verdict."""
        return self.report.verdict

    @property
    def reason(self) -> str:
        """Why it is not verified, in one sentence ("" when verified)."""
        return _why(self.report)

    def to_json(self) -> dict[str, Any]:
        """JSON form: name, id, verdict, reason and the full report."""
        return {"position": self.position, "name": self.name, "id": self.credential_id,
                "verdict": self.verdict.value, "verified": self.verdict == Verdict.VERIFIED,
                "reason": self.reason, "report": self.report.to_json()}


@dataclass(frozen=True, slots=True)
class ClrReport:
    """A CLR's verification: the record's own report and one per embedded credential.

    Attributes:
        record: the ``ClrCredential``'s own report.
        credentials: each embedded credential's result, in order.
        unchecked: embedded credentials beyond :data:`MAX_EMBEDDED`, not checked.
    """

    record: VerificationReport
    credentials: tuple[EmbeddedResult, ...]
    unchecked: int = 0

    @property
    def name(self) -> str:
        """The record's name, or a generic one."""
        cred = self.record.credential or {}
        value = cred.get("name")
        return value.strip() if isinstance(value, str) and value.strip() else "Learner record"

    @property
    def verdict(self) -> Verdict:
        """The most serious verdict of the record and of every embedded credential."""
        verdicts = [self.record.verdict, *(c.verdict for c in self.credentials)]
        if self.unchecked or not self.credentials:
            verdicts.append(Verdict.UNCONFIRMED)
        return min(verdicts, key=SEVERITY.index)

    @property
    def verified(self) -> bool:
        """True only when the record and every embedded credential are verified."""
        return self.verdict == Verdict.VERIFIED

    @property
    def structure(self) -> list[StructureLine]:
        """How the record's achievements relate (:func:`record_structure`).

        Empty when the record itself is forged: its issuer's signature does
        not vouch for the associations, so they are not shown as the issuer's.
        """
        if self.record.verdict == Verdict.FORGED:
            return []
        return record_structure(self.record.credential)

    def problems(self) -> list[str]:
        """One readable line per thing that is not verified, naming it.

        ``"The record itself: forged. <why>"``, then ``"<achievement>: revoked.
        <why>"`` for each embedded credential that is not verified.
        """
        lines = []
        if self.record.verdict != Verdict.VERIFIED:
            lines.append(f"The record itself: {self.record.verdict.value}. "
                         f"{_why(self.record)}".strip())
        for item in self.credentials:
            if item.verdict != Verdict.VERIFIED:
                lines.append(f"{item.name}: {item.verdict.value}. {item.reason}".strip())
        if not self.credentials and self.record.credential is not None:
            lines.append("The record holds no credentials to check.")
        if self.unchecked:
            lines.append(f"{self.unchecked} more credentials were not checked "
                         f"(at most {MAX_EMBEDDED} are).")
        return lines

    def to_json(self) -> dict[str, Any]:
        """JSON form, as the verifier's API and ``badges verify --json`` print it."""
        return {"verified": self.verified, "verdict": self.verdict.value, "kind": "clr",
                "name": self.name, "problems": self.problems(),
                "record": self.record.to_json(),
                "credentials": [c.to_json() for c in self.credentials],
                "unchecked": self.unchecked}


def verify_clr(data: Any, *, now: datetime, fetch_document: FetchDocument | None = None,
               check_status: StatusChecker | None = None,
               registry: RegistryLike | None = None,
               max_clock_skew: timedelta = timedelta(minutes=5)) -> ClrReport:
    """Verify a CLR 2.0 ``ClrCredential`` and every credential it embeds.

    Args:
        data: the record as a JSON object or text.
        now: the time to judge validity against (timezone-aware).
        fetch_document: resolves DIDs, keys and status lists; None means offline.
        check_status: checks ``credentialStatus`` entries (each embedded
            credential's own, and the record's if it has one).
        registry: the lists of known issuers.
        max_clock_skew: tolerance for ``validFrom`` in the near future.

    Returns:
        The :class:`ClrReport`; never raises for bad input.
    """
    record = verify_clr_envelope(data, now=now, fetch_document=fetch_document,
                                 check_status=check_status, registry=registry,
                                 max_clock_skew=max_clock_skew)
    cred = record.credential or {}
    subject = cred.get("credentialSubject")
    items = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    items = items if isinstance(items, list) else [items] if isinstance(items, Mapping) else []
    results = []
    for position, item in enumerate(items[:MAX_EMBEDDED], start=1):
        report = verify_embedded(item, kind="credential", now=now,
                                 fetch_document=fetch_document, check_status=check_status,
                                 registry=registry, max_clock_skew=max_clock_skew)
        ident = item.get("id") if isinstance(item, Mapping) else None
        results.append(EmbeddedResult(position, achievement_name(item, f"Credential {position}"),
                                      ident if isinstance(ident, str) else None, report))
    return ClrReport(record, tuple(results), max(0, len(items) - MAX_EMBEDDED))
