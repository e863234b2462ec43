"""Credential status: Bitstring Status List and the older 1EdTech Revocation List.

Implements the verifier side of W3C Bitstring Status List v1.0 §3.2
(Validate Algorithm) for ``revocation`` and ``suspension`` purposes, and the
1EdTech Revocation List (``1EdTechRevocationList``, OB 3.0 1.0–1.2, DIGEST §6).

The rule this module keeps above all: a list that cannot be fetched, is not
signed by the credential's issuer, or fails its own signature gives
``indeterminate``, never "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from badges import status_list
from badges.did import ResolutionError
from badges.errors import BadgesError
from badges.model import parse_datetime
from badges.report import Outcome
from badges.report import VerificationReport
from badges.verify import FetchDocument
from badges.verify import StatusChecker
from badges.verify import StatusResult
from badges.verify import enveloped_jwt
from badges.verify import verify_signature

_PURPOSES = {"revocation": "revoked", "suspension": "suspended"}
#: Purposes that withdraw nothing (BSL §2.1 ``refresh`` and ``message``): an
#: entry with one of them is not read, and says nothing about revocation.
_INFORMATIONAL = frozenset({"refresh", "message"})


#: Checks a status list credential's own proof and key binding (BSL §3.2 step 4).
VerifyList = Callable[[Mapping[str, Any]], VerificationReport]


def make_status_checker(*, fetch_document: FetchDocument, now: datetime,
                        verify_list: VerifyList | None = None) -> StatusChecker:
    """A :class:`~badges.verify.StatusChecker` that fetches and checks status lists.

    Args:
        fetch_document: fetches the list credential by URL (the service's
            bounded, SSRF-safe fetcher, usually with a cache).
        now: the time to judge the list's own validity against.
        verify_list: checks a list credential's signature; defaults to
            :func:`badges.verify.verify_signature` over ``fetch_document``. A
            service may pass a cached version (keyed by the list's content).
    """

    def default_verify_list(listing: Mapping[str, Any]) -> VerificationReport:
        return verify_signature(listing, fetch_document=fetch_document)

    verify = verify_list or default_verify_list

    def check(entry: Mapping[str, Any], credential: Mapping[str, Any]) -> StatusResult:
        kind = entry.get("type")
        if kind == "BitstringStatusListEntry":
            return _check_bitstring(entry, credential, fetch_document, now, verify)
        if kind == "1EdTechRevocationList":
            return _check_revocation_list(entry, credential, fetch_document)
        return _unsupported_method(entry)

    return check


def _unsupported_method(entry: Mapping[str, Any]) -> StatusResult:
    """An entry of a status method this verifier cannot read.

    Fail closed: unless the entry says it only refreshes or carries messages,
    it may be how the issuer revokes or suspends the credential, so whether it
    was withdrawn is *unknown* (``indeterminate``), never "not revoked".
    """
    kind, purpose = entry.get("type"), entry.get("statusPurpose")
    detail = {"type": kind, "purpose": purpose}
    if isinstance(purpose, str) and purpose in _INFORMATIONAL:
        return _informational(purpose, detail)
    return StatusResult(Outcome.INDETERMINATE, "unsupported_status_type",
                        f"Whether the credential was revoked or suspended could not be checked: "
                        f"it uses a status method this verifier does not support "
                        f"({str(kind)[:80]}).", detail)


def _informational(purpose: Any, detail: dict[str, Any]) -> StatusResult:
    return StatusResult(Outcome.WARNING, "status_purpose_informational",
                        f"The credential has a {purpose} status entry, which does not revoke "
                        "or suspend it; it was not read.", detail)


def _unreachable(url: Any, exc: BadgesError) -> StatusResult:
    return StatusResult(Outcome.INDETERMINATE, "status_list_unreachable",
                        "Whether the credential was revoked could not be checked: the issuer's "
                        "status list could not be read.",
                        {"url": url, "reason": exc.message, "cause": exc.code})


def _check_bitstring(entry: Mapping[str, Any], credential: Mapping[str, Any],
                     fetch: FetchDocument, now: datetime, verify: VerifyList) -> StatusResult:
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    raw_index = entry.get("statusListIndex")
    detail: dict[str, Any] = {"purpose": purpose, "url": url, "index": raw_index}
    try:
        index = int(str(raw_index), 10)
        size = int(entry.get("statusSize", 1))
    except (TypeError, ValueError):
        index = size = -1
    if isinstance(purpose, str) and purpose in _INFORMATIONAL:
        return _informational(purpose, detail)
    if not isinstance(url, str) or index < 0 or size != 1 or not isinstance(purpose, str):
        return StatusResult(Outcome.FAILED, "status_entry_invalid",
                            "The credential's status entry is malformed.", detail)
    if purpose not in _PURPOSES:
        # an extension's purpose: it may withdraw the credential, and nothing here can tell
        return StatusResult(Outcome.INDETERMINATE, "unsupported_status_purpose",
                            f"Whether the credential was withdrawn could not be checked: its "
                            f"status purpose {purpose[:60]!r} is not one this verifier knows.",
                            detail)
    try:
        listing = fetch(url)
    except ResolutionError as exc:
        return _unreachable(url, exc)
    listing, problem = _list_problem(listing, credential, purpose, now, verify)
    if problem is not None:
        code, message = problem
        return StatusResult(Outcome.INDETERMINATE, code, message, detail)
    try:
        encoded = listing["credentialSubject"]["encodedList"]
        if not isinstance(encoded, str):
            raise TypeError
        bits = _decoded(encoded)
        if index >= len(bits):
            return StatusResult(Outcome.INDETERMINATE, "status_index_out_of_range",
                                "The status list is shorter than the credential's index.", detail)
        set_ = bits.get(index)
    except (BadgesError, KeyError, TypeError) as exc:
        message = exc.message if isinstance(exc, BadgesError) \
            else "encodedList is missing or not text"
        return StatusResult(Outcome.INDETERMINATE, "status_list_invalid",
                            f"The issuer's status list is malformed: {message}.", detail)
    published = listing.get("validFrom")
    if isinstance(published, str):
        detail["listDate"] = published  # the bit is known to hold as of this date
    word = _PURPOSES[purpose]
    if set_:
        more = _published_details(entry, url, index, purpose, fetch)
        detail.update(more)
        when = f" on {parse_datetime(more['statusDate']).date().isoformat()}" \
            if "statusDate" in more else ""
        why = f" Reason given: {more['statusReason']}" if "statusReason" in more else ""
        return StatusResult(Outcome.FAILED, word,
                            f"The issuer has {word} this credential{when}.{why}", detail)
    return StatusResult(Outcome.PASSED, f"not_{word}",
                        f"The issuer has not {word} this credential.", detail)


#: Longest published reason shown.
MAX_REASON = 500


def _published_details(entry: Mapping[str, Any], list_url: str, index: int, purpose: str,
                       fetch: FetchDocument) -> dict[str, str]:
    """Since when, and why, an issuer withdrew a credential, if it publishes that.

    A bitstring carries one bit. An issuer may give each entry an ``id`` of
    its own (BSL §2.1: optional, not the list's URL); when that ``id`` is a
    URL on the list's own origin, it is fetched and, if it describes this
    very entry as set, its ``statusDate`` and ``statusReason`` are shown. They
    are informational: the verdict rests on the signed list alone, and
    nothing here can turn a set bit into a pass. Any problem means no details.
    """
    entry_id = entry.get("id")
    if not isinstance(entry_id, str) or "#" in entry_id or entry_id == list_url:
        return {}
    mine, theirs = urlsplit(entry_id), urlsplit(list_url)
    if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc) \
            or mine.scheme not in ("https", "http"):
        return {}
    try:
        doc = fetch(entry_id)
    except BadgesError:
        return {}
    if not isinstance(doc, Mapping) or doc.get("statusListCredential") != list_url \
            or str(doc.get("statusListIndex")) != str(index) \
            or doc.get("statusPurpose") != purpose or doc.get("status") != _PURPOSES[purpose]:
        return {}
    out: dict[str, str] = {}
    date = doc.get("statusDate")
    try:
        if isinstance(date, str) and len(date) <= 40:
            parse_datetime(date)
            out["statusDate"] = date
    except ValueError:
        pass
    reason = doc.get("statusReason")
    if isinstance(reason, str) and reason.strip():
        text = " ".join(reason.split())
        out["statusReason"] = text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"
    return out


@lru_cache(maxsize=64)
def _decoded(encoded: str) -> status_list.Bitstring:
    """A decoded ``encodedList``, remembered: a busy verifier sees the same few lists.

    Only read here (never changed), so sharing one decoded list is safe; a
    republished list has a new ``encodedList`` and is decoded afresh.
    """
    return status_list.decode_list(encoded)


def _list_shape(listing: Any) -> tuple[str, str] | None:
    """Whether a (verified or not) document is a status list credential at all."""
    if not isinstance(listing, Mapping) or "BitstringStatusListCredential" not in \
            _as_list(listing.get("type")):
        return "status_list_invalid", "The status list is not a BitstringStatusListCredential."
    return None


def _verified_list(listing: Mapping[str, Any], verify: VerifyList,
                   ) -> tuple[Mapping[str, Any], tuple[str, str] | None]:
    """The list credential once its proof holds (BSL §3.2 step 4), in either form.

    A list served as a VC-JWT comes as an ``EnvelopedVerifiableCredential``
    (VCDM 2.0 §4.13, :func:`badges.verify.enveloped_jwt`): the JWT is verified
    and its credential is the list; otherwise the Data Integrity proof is.
    """
    enveloped = isinstance(listing, Mapping) and enveloped_jwt(listing) is not None
    if not enveloped:
        shape = _list_shape(listing)
        if shape is not None:
            return listing, shape
    report = verify(listing)
    if not report.verified:
        because = report.decision.because
        reason = because[0].message if because else "its signature was not checked."
        return listing, ("status_list_signature_invalid",
                         f"The issuer's status list could not be trusted: {reason}")
    inner = report.credential if enveloped and report.credential is not None else listing
    return inner, _list_shape(inner)


def _list_problem(fetched: Mapping[str, Any], credential: Mapping[str, Any], purpose: str,
                  now: datetime, verify: VerifyList,
                  ) -> tuple[Mapping[str, Any], tuple[str, str] | None]:
    """The list credential, and why it can't be trusted or None (BSL §3.2 steps 4-9)."""
    listing, problem = _verified_list(fetched, verify)
    return listing, problem or _list_claims_problem(listing, credential, purpose, now)


def _list_claims_problem(listing: Mapping[str, Any], credential: Mapping[str, Any],
                         purpose: str, now: datetime) -> tuple[str, str] | None:
    if _issuer(listing) != _issuer(credential):
        return ("status_list_issuer_mismatch",
                "The status list was not issued by the credential's issuer.")
    subject = listing.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose:
        return "status_purpose_mismatch", "The status list is for another purpose."
    until = listing.get("validUntil")
    try:
        if isinstance(until, str) and parse_datetime(until) < now:
            return "status_list_expired", "The issuer's status list has expired."
    except ValueError:
        return "status_list_invalid", "The status list's validUntil is not a date."
    return None


def _check_revocation_list(entry: Mapping[str, Any], credential: Mapping[str, Any],
                           fetch: FetchDocument) -> StatusResult:
    url = entry.get("id")
    if not isinstance(url, str):
        return StatusResult(Outcome.FAILED, "status_entry_invalid",
                            "The credential's revocation list entry has no id.")
    try:
        listing = fetch(url)
    except ResolutionError as exc:
        return _unreachable(url, exc)
    revoked = listing.get("revokedCredential") if isinstance(listing, Mapping) else None
    if not isinstance(revoked, list):
        return StatusResult(Outcome.INDETERMINATE, "status_list_invalid",
                            "The issuer's revocation list is malformed.", {"url": url})
    for item in revoked:
        if isinstance(item, Mapping) and item.get("id") == credential.get("id") \
                and item.get("revoked", True) is not False:
            reason = item.get("revocationReason")
            return StatusResult(Outcome.FAILED, "revoked", "The issuer has revoked this credential"
                                + (f": {reason}." if isinstance(reason, str) else "."),
                                {"url": url, "reason": reason})
    return StatusResult(Outcome.PASSED, "not_revoked",
                        "The issuer has not revoked this credential.", {"url": url})


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _issuer(doc: Mapping[str, Any]) -> Any:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer
