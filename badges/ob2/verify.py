"""Verifying an Open Badges 2.0 assertion, as the same report OB 3.0 gets.

Implements OB 2.0 "Verification"
(https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Verification)
with the checks of :data:`badges.report.CHECK_IDS`:

* ``format``: the input is an OB 2.0 assertion (JSON, compact JWS, baked PNG/SVG);
* ``schema``: the Assertion has the properties OB 2.0 requires (``id``, ``type``,
  ``recipient``, ``badge``, ``verification``, ``issuedOn``);
* ``context``: its ``@context`` is the OB 2.0 context;
* ``proof``: *hosted* ("HostedBadge"): the assertion is fetched from its
  ``id``, that document's ``id`` is the URL it came from, and the copy handed
  over says the same; *signed* ("SignedBadge"): the JWS verifies (RS256 or
  ES256) with the ``publicKeyPem`` of the ``verification.creator`` key (or of
  the issuer profile's ``publicKey`` when no creator is named);
* ``key_binding``: ``badge`` is a BadgeClass at its own ``id``, whose ``issuer``
  is a Profile at its own ``id``; for hosted badges the assertion's ``id`` is
  on an origin the issuer allows (Profile ``verification.allowedOrigins`` /
  ``startsWith``, by default the issuer id's host); for signed badges the key's
  ``owner`` is the issuer (and the issuer lists the key, when it lists keys);
* ``validity_period``: ``issuedOn`` and ``expires``;
* ``status``: ``revoked: true`` in the hosted assertion, and the issuer's
  ``revocationList`` (``revokedAssertions`` by id or uid);
* ``issuer_trust``: the issuer profile URL, judged by :mod:`badges.trust`
  (a registry vouches for it by URL or by domain);
* ``endorsements``: not checked for OB 2.0;
* ``recipient`` (only when the caller names the expected recipient): the
  ``IdentityObject`` matches, hashed (``sha256$``/``md5$`` with ``salt``) or not.

Nothing here does I/O: documents come from ``load`` (the verifier's SSRF-safe
fetcher); without it everything that needs the network is ``indeterminate``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from badges import did
from badges import trust
from badges.errors import BadgesError
from badges.model import parse_datetime
from badges.ob2 import jws as ob2_jws
from badges.ob2.model import Ob2Input
from badges.ob2.model import dump
from badges.ob2.model import has_ob2_context
from badges.ob2.model import node_id
from badges.ob2.model import types
from badges.report import CHECK_IDS
from badges.report import CheckResult
from badges.report import Outcome
from badges.report import VerificationReport
from badges.trust import RegistryLike

#: Fetches a JSON document by URL; raises :class:`badges.did.ResolutionError`.
Load = Callable[[str], Mapping[str, Any]]

#: What the report calls the standard, in every message that names it.
STANDARD = "Open Badges 2.0"
_HOSTED = frozenset({"hosted", "HostedBadge"})
_SIGNED = frozenset({"signed", "SignedBadge"})
_HOW = {"json": "JSON", "jws": "a signed assertion (JWS)", "png": "a baked PNG badge",
        "svg": "a baked SVG badge", "url": "a link"}
#: What a hosted assertion's server answers once the badge is revoked (OB 2.0 "Assertion",
#: ``revoked``; the OB 1.x "Revoking Issued Badges" convention every platform kept).
_GONE = 410
#: The recipient properties a hosted copy and the issuer's original must agree on.
_RECIPIENT = ("type", "identity", "hashed", "salt")


@dataclass(frozen=True, slots=True)
class _Run:
    now: datetime
    load: Load | None
    registry: RegistryLike | None
    skew: timedelta


@dataclass(frozen=True, slots=True)
class _Graph:
    """The badge class and issuer profile an assertion leads to, or why they could not be read."""

    badge: Mapping[str, Any] | None
    issuer: Mapping[str, Any] | None
    problem: CheckResult | None


def verify_assertion(found: Ob2Input, *, now: datetime, load: Load | None,
                     registry: RegistryLike | None = None, recipient: str | None = None,
                     max_clock_skew: timedelta = timedelta(minutes=5)) -> VerificationReport:
    """Verify an Open Badges 2.0 assertion (OB 2.0 "Verification") and report every check.

    Args:
        found: the assertion as :func:`badges.ob2.detect` read it.
        now: the time to judge ``issuedOn`` and ``expires`` against (timezone-aware).
        load: fetches a JSON document by URL (the hosted assertion, badge class,
            issuer profile, key, revocation list); None means offline.
        registry: the lists of known issuers; None skips the issuer-trust check.
        recipient: the e-mail address (or other identity) the badge should
            belong to; None skips the recipient check.
        max_clock_skew: tolerance for ``issuedOn`` in the near future.

    Returns:
        A :class:`~badges.report.VerificationReport` whose ``format`` is
        ``ob2_hosted`` or ``ob2_signed``; it never raises for bad input.
    """
    run = _Run(now, load, registry, max_clock_skew)
    try:
        return _verify(found, run, recipient)
    except (RecursionError, MemoryError):  # pragma: no cover - inputs are bounded first
        first = CheckResult("format", Outcome.FAILED, "input_too_complex",
                            "The badge is too complex to check.")
        return VerificationReport((first, *_skips("format", "input_unreadable")))


def _skips(after: str, code: str) -> tuple[CheckResult, ...]:
    later = CHECK_IDS[CHECK_IDS.index(after) + 1:]
    message = ("Not checked, because the badge could not be confirmed." if after == "proof"
               else f"Not checked, because the {STANDARD} assertion could not be read.")
    return tuple(CheckResult(c, Outcome.SKIPPED, code, message) for c in later)


def _kind(assertion: Mapping[str, Any] | None, found: Ob2Input) -> str:
    verification = assertion.get("verification") if assertion is not None else None
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind in _SIGNED or (kind is None and found.jws is not None):
        return "signed"
    if kind in _HOSTED or (found.url is not None and assertion is None):
        return "hosted"
    return "unknown"


def _format(found: Ob2Input, kind: str) -> CheckResult:
    what = {"hosted": "a hosted", "signed": "a signed"}.get(kind, "an")
    return CheckResult("format", Outcome.PASSED, f"ob2_{found.source}",
                       f"Read {what} {STANDARD} assertion from {_HOW[found.source]}.",
                       {"source": found.source, "standard": STANDARD, "verification": kind})


def _verify(found: Ob2Input, run: _Run, recipient: str | None) -> VerificationReport:
    assertion = found.assertion
    kind = _kind(assertion, found)
    checks: list[CheckResult] = [_format(found, kind)]
    hosted: Mapping[str, Any] | None = None
    if assertion is None:  # a baked badge that carries only the hosted assertion's URL
        url = found.url or ""
        hosted, problem = _fetch_hosted(url, run)
        if hosted is None:
            assert problem is not None
            checks += [CheckResult(c, Outcome.SKIPPED, "ob2_hosted_not_read",
                                   "Not checked, because the hosted assertion could not be "
                                   "read.") for c in ("schema", "context")]
            checks += [problem, *_after_proof(problem)]
            return VerificationReport(tuple(checks), None, "ob2_hosted")
        assertion = dict(hosted)
        kind = _kind(assertion, found)
        checks[0] = _format(found, kind)
    checks.append(_check_schema(assertion))
    checks.append(_check_context(assertion))
    graph = _Graph(None, None, None)
    key_doc: Mapping[str, Any] | None = None
    if kind == "hosted":
        proof, hosted = _check_hosted(found, assertion, hosted, run)
        if hosted is not None:
            assertion = dict(hosted)
        if proof.outcome == Outcome.PASSED:
            graph = _load_graph(assertion, run)
    elif kind == "signed":
        graph = _load_graph(assertion, run)
        proof, key_doc = _check_signature(found, assertion, graph, run)
    else:
        proof = CheckResult("proof", Outcome.FAILED, "ob2_verification_invalid",
                            f"The {STANDARD} assertion does not say how to verify it "
                            "(verification.type must be hosted or signed).")
    checks.append(proof)
    fmt = f"ob2_{kind}" if kind != "unknown" else "ob2"
    if proof.outcome != Outcome.PASSED:
        return VerificationReport(tuple(checks + _after_proof(proof)), assertion, fmt,
                                  _linked(graph))
    checks.append(_check_binding(assertion, graph, kind, key_doc))
    checks.append(_check_validity(assertion, run))
    checks.append(_check_status(assertion, graph, kind, run))
    checks.append(_check_trust(graph, kind, run))
    checks.append(CheckResult("endorsements", Outcome.SKIPPED, "ob2_endorsements_unchecked",
                              f"Endorsements are not checked for {STANDARD} badges."))
    if recipient is not None:
        checks.append(check_recipient(assertion, recipient))
    return VerificationReport(tuple(checks), assertion, fmt, _linked(graph))


def _after_proof(proof: CheckResult) -> list[CheckResult]:
    """The checks after a proof that did not pass: skipped, but a 410 Gone is a revocation."""
    rest = list(_skips("proof", "proof_not_verified"))
    if proof.detail.get("httpStatus") == _GONE:
        rest = [_revoked(None, "its server answers 410 Gone") if c.id == "status" else c
                for c in rest]
    return rest


def _linked(graph: _Graph) -> dict[str, Any] | None:
    linked = {name: dict(doc) for name, doc in (("badge", graph.badge), ("issuer", graph.issuer))
              if doc is not None}
    return linked or None


# --------------------------------------------------------------------------- schema, context


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def _check_schema(assertion: Mapping[str, Any]) -> CheckResult:
    """OB 2.0 "Assertion": the required properties and their shapes."""
    problems: list[str] = []
    if not isinstance(assertion.get("id"), str) or not assertion["id"]:
        problems.append("id is missing")
    if "Assertion" not in types(assertion.get("type")):
        problems.append("type must be Assertion")
    person = assertion.get("recipient")
    if not isinstance(person, Mapping) or not isinstance(person.get("identity"), str) \
            or not isinstance(person.get("type"), str):
        problems.append("recipient must be an IdentityObject with type and identity")
    if node_id(assertion.get("badge")) is None and not isinstance(assertion.get("badge"),
                                                                     Mapping):
        problems.append("badge must name a BadgeClass")
    verification = assertion.get("verification")
    if not isinstance(verification, Mapping) or not isinstance(verification.get("type"), str):
        problems.append("verification must be a VerificationObject with a type")
    if not isinstance(assertion.get("issuedOn"), str | int):
        problems.append("issuedOn is missing")
    if problems:
        return CheckResult("schema", Outcome.FAILED, "ob2_assertion_invalid",
                           f"The {STANDARD} assertion is incomplete: {'; '.join(problems)}.",
                           {"problems": problems})
    return CheckResult("schema", Outcome.PASSED, "ob2_assertion_valid",
                       f"The assertion has every property {STANDARD} requires.")


def _check_context(assertion: Mapping[str, Any]) -> CheckResult:
    if has_ob2_context(assertion):
        return CheckResult("context", Outcome.PASSED, "ob2_context_valid",
                           f"The assertion uses the {STANDARD} vocabulary.")
    return CheckResult("context", Outcome.FAILED, "ob2_context_invalid",
                       f"The assertion's @context is not the {STANDARD} context "
                       "(https://w3id.org/openbadges/v2).", {"@context": assertion.get("@context")})


# --------------------------------------------------------------------------- proof


def _fetch_hosted(url: str, run: _Run) -> tuple[Mapping[str, Any] | None, CheckResult | None]:
    """The issuer's hosted copy of an assertion, or the proof check that says why not."""
    if not _is_url(url):
        return None, CheckResult("proof", Outcome.FAILED, "ob2_verification_invalid",
                                 "A hosted badge's id must be the web address of the "
                                 "assertion.", {"id": url[:300]})
    if run.load is None:
        return None, CheckResult("proof", Outcome.INDETERMINATE, "ob2_hosted_unchecked_offline",
                                 "A hosted badge is confirmed by asking the issuer's server, "
                                 "which this offline check cannot do.", {"id": url})
    try:
        document = run.load(url)
    except did.ResolutionError as exc:
        if exc.status == _GONE:
            return None, CheckResult(
                "proof", Outcome.INDETERMINATE, "ob2_hosted_unreachable",
                "The issuer's server no longer publishes this badge: it answers that the badge "
                "is gone (HTTP 410), which is how Open Badges 2.0 marks a revoked hosted "
                "badge.", {"id": url, "cause": exc.code, "httpStatus": _GONE})
        return None, CheckResult("proof", Outcome.INDETERMINATE, "ob2_hosted_unreachable",
                                 f"The issuer's server could not be asked about this badge: "
                                 f"{exc.message}.", {"id": url, "cause": exc.code})
    if document.get("id") != url:
        return None, CheckResult(
            "proof", Outcome.FAILED, "ob2_hosted_id_mismatch",
            "The address the badge names does not publish this badge: the document there "
            "has another id.", {"id": url, "found": str(document.get("id"))[:300]})
    return document, None


def _check_hosted(found: Ob2Input, assertion: Mapping[str, Any],
                  hosted: Mapping[str, Any] | None,
                  run: _Run) -> tuple[CheckResult, Mapping[str, Any] | None]:
    # A hosted assertion may come wrapped in a JWS (some issuers bake one): the copy the
    # issuer's server publishes at its id is still what vouches for it, not that signature.
    url = str(assertion.get("id", ""))
    if hosted is None:
        hosted, problem = _fetch_hosted(url, run)
        if problem is not None:
            return problem, None
        assert hosted is not None
    differ = _differences(assertion, hosted)
    if differ:
        return CheckResult(
            "proof", Outcome.FAILED, "ob2_hosted_mismatch",
            f"This copy of the badge differs from the one the issuer's server publishes "
            f"({', '.join(differ)}): it was changed.", {"id": url, "differ": differ}), hosted
    return CheckResult(
        "proof", Outcome.PASSED, "ob2_hosted_confirmed",
        f"The issuer's server publishes this badge at its own address right now. A hosted "
        f"{STANDARD} badge has no digital signature: it is genuine while that server "
        "says so.", {"id": url}), hosted


def _same_time(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return parse_ob2_datetime(a) == parse_ob2_datetime(b)
    except (ValueError, OverflowError, OSError):
        return dump(a) == dump(b)


def _differences(copy: Mapping[str, Any], hosted: Mapping[str, Any]) -> list[str]:
    """What a copy of a hosted assertion says differently from the issuer's original.

    Compared by meaning, not spelling, so that a platform's own serialization
    (an embedded BadgeClass or its URL, ``hosted`` or ``HostedBadge``, ``Z`` or
    ``+00:00``) is not taken for tampering: the ``id``, the badge class it
    names, the recipient, the dates and the verification kind.
    """
    differ = []
    if copy.get("id") != hosted.get("id"):
        differ.append("id")
    if node_id(copy.get("badge")) != node_id(hosted.get("badge")):
        differ.append("badge")
    mine, theirs = copy.get("recipient"), hosted.get("recipient")
    if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
        if any(dump(mine.get(k)) != dump(theirs.get(k)) for k in _RECIPIENT):
            differ.append("recipient")
    elif dump(mine) != dump(theirs):
        differ.append("recipient")
    for name in ("issuedOn", "expires"):
        if not _same_time(copy.get(name), hosted.get(name)):
            differ.append(name)
    kinds = [v.get("type") if isinstance(v, Mapping) else None
             for v in (copy.get("verification"), hosted.get("verification"))]
    if (kinds[0] in _HOSTED) != (kinds[1] in _HOSTED):
        differ.append("verification")
    return differ


def _key_candidates(assertion: Mapping[str, Any], graph: _Graph) -> list[Any]:
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if creator is not None:
        return [creator]
    listed = graph.issuer.get("publicKey") if graph.issuer is not None else None
    return list(listed) if isinstance(listed, list) else [listed] if listed else []


def _check_signature(found: Ob2Input, assertion: Mapping[str, Any], graph: _Graph,
                     run: _Run) -> tuple[CheckResult, Mapping[str, Any] | None]:
    if found.jws is None:
        return CheckResult("proof", Outcome.FAILED, "ob2_signature_missing",
                           "The assertion says it is a signed badge, but it came without its "
                           "signature (the JWS): hand over the signed badge itself."), None
    try:
        token = ob2_jws.split(found.jws)
    except BadgesError as exc:
        return CheckResult("proof", Outcome.FAILED, exc.code, exc.message), None
    if token.header.get("alg") not in ob2_jws.ALGORITHMS:
        return CheckResult("proof", Outcome.FAILED, "alg_not_allowed",
                           f"The signed assertion uses the algorithm "
                           f"{str(token.header.get('alg'))[:20]!r}; this verifier accepts "
                           f"{', '.join(ob2_jws.ALGORITHMS)}."), None
    candidates = _key_candidates(assertion, graph)
    if not candidates:
        if graph.problem is not None and graph.problem.outcome == Outcome.INDETERMINATE:
            return CheckResult("proof", Outcome.INDETERMINATE, "ob2_key_unreachable",
                               f"The issuer's keys could not be read: {graph.problem.message}",
                               {"cause": graph.problem.code}), None
        return CheckResult("proof", Outcome.FAILED, "ob2_key_invalid",
                           "Neither the assertion (verification.creator) nor the issuer's "
                           "profile (publicKey) names the key it was signed with."), None
    if run.load is None:
        return CheckResult("proof", Outcome.INDETERMINATE, "key_unresolved_offline",
                           "The issuer's key must be fetched to check the signature, which "
                           "this offline check cannot do."), None
    problems: list[CheckResult] = []
    for candidate in candidates[:4]:
        result = _try_key(token, candidate, run.load)
        if result[0].outcome == Outcome.PASSED:
            return result
        problems.append(result[0])
    worst = next((p for p in problems if p.code == "ob2_signature_invalid"), problems[0])
    return worst, None


def _try_key(token: ob2_jws.CompactJws, candidate: Any,
             load: Load) -> tuple[CheckResult, Mapping[str, Any] | None]:
    key_id = node_id(candidate)
    document: Mapping[str, Any] | None = candidate if isinstance(candidate, Mapping) \
        and "publicKeyPem" in candidate else None
    if document is None:
        if key_id is None or not _is_url(key_id):
            return CheckResult("proof", Outcome.FAILED, "ob2_key_invalid",
                               "The key the badge names is not a web address."), None
        try:
            document = load(key_id)
        except did.ResolutionError as exc:
            return CheckResult("proof", Outcome.INDETERMINATE, "ob2_key_unreachable",
                               f"The issuer's key could not be read: {exc.message}.",
                               {"key": key_id, "cause": exc.code}), None
        if document.get("id") != key_id:
            return CheckResult("proof", Outcome.FAILED, "ob2_key_invalid",
                               "The document at the key's address is another key.",
                               {"key": key_id}), None
    try:
        public = ob2_jws.load_pem(document.get("publicKeyPem"))
        ok = ob2_jws.verify(token, public)
    except BadgesError as exc:
        return CheckResult("proof", Outcome.FAILED, exc.code, exc.message, {"key": key_id}), None
    if not ok:
        return CheckResult("proof", Outcome.FAILED, "ob2_signature_invalid",
                           "The digital signature does not match the badge: it was changed "
                           "after it was signed, or signed with another key.",
                           {"key": key_id, "alg": token.header.get("alg")}), None
    return CheckResult("proof", Outcome.PASSED, "ob2_signature_valid",
                       "The badge is intact: its digital signature matches its content.",
                       {"key": key_id, "alg": token.header.get("alg")}), document


# --------------------------------------------------------------------------- key binding


def _fetch_node(ref: Any, run: _Run, what: str, kinds: frozenset[str],
                code: str) -> tuple[Mapping[str, Any] | None, CheckResult | None]:
    """Load the BadgeClass or Profile ``ref`` names and check it is that node at that id."""
    iri = node_id(ref)
    if iri is None or not _is_url(iri):
        if isinstance(ref, Mapping) and kinds.intersection(types(ref.get("type"))):
            return ref, None  # embedded without a web address: it stands as given
        return None, CheckResult("key_binding", Outcome.FAILED, code,
                                 f"The {what} is not named by a web address.")
    if run.load is None:
        return None, CheckResult("key_binding", Outcome.INDETERMINATE,
                                 "binding_unchecked_offline",
                                 f"The {what} could not be read (offline check).", {"id": iri})
    try:
        document = run.load(iri)
    except did.ResolutionError as exc:
        unreachable = code.replace("_mismatch", "_unreachable")
        return None, CheckResult("key_binding", Outcome.INDETERMINATE, unreachable,
                                 f"The {what} could not be read: {exc.message}.",
                                 {"id": iri, "cause": exc.code})
    if document.get("id") != iri or not kinds.intersection(types(document.get("type"))):
        return None, CheckResult(
            "key_binding", Outcome.FAILED, code,
            f"The {what} the badge names is not at its address: the document there is "
            f"not that {what}.", {"id": iri, "found": str(document.get("id"))[:300],
                                  "type": types(document.get("type"))})
    return document, None


def _load_graph(assertion: Mapping[str, Any], run: _Run) -> _Graph:
    badge, problem = _fetch_node(assertion.get("badge"), run, "badge class",
                                 frozenset({"BadgeClass"}), "ob2_badge_mismatch")
    if badge is None:
        return _Graph(None, None, problem)
    issuer, problem = _fetch_node(badge.get("issuer"), run, "issuer profile",
                                  frozenset({"Issuer", "Profile"}), "ob2_issuer_mismatch")
    return _Graph(badge, issuer, problem)


def _host(url: Any) -> str:
    return (urlsplit(url).hostname or "").lower() if isinstance(url, str) else ""


def _listed(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str) and v]


def _origin_allowed(assertion_id: str, issuer: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """OB 2.0 Profile ``verification`` (VerificationObject): where hosted assertions may live.

    ``startsWith`` (IRI prefixes) or ``allowedOrigins`` (host names) when the
    issuer declares them; otherwise the assertion must be on the host of the
    issuer profile's own ``id``.
    """
    policy = issuer.get("verification")
    policy = policy if isinstance(policy, Mapping) else {}
    prefixes = _listed(policy.get("startsWith"))
    if prefixes:
        return any(assertion_id.startswith(p) for p in prefixes), {"startsWith": prefixes}
    origins = [o.lower() for o in _listed(policy.get("allowedOrigins"))]
    host = _host(assertion_id)
    if origins:
        netloc = urlsplit(assertion_id).netloc.lower()
        return host in origins or netloc in origins, {"allowedOrigins": origins}
    own = _host(issuer.get("id"))
    return bool(host) and host == own, {"issuerHost": own}


def _check_binding(assertion: Mapping[str, Any], graph: _Graph, kind: str,
                   key_doc: Mapping[str, Any] | None) -> CheckResult:
    if graph.problem is not None or graph.issuer is None:
        return graph.problem or CheckResult("key_binding", Outcome.FAILED, "ob2_issuer_mismatch",
                                            "The badge class names no issuer profile.")
    issuer_id = str(graph.issuer.get("id", ""))
    detail: dict[str, Any] = {"badge": node_id(graph.badge), "issuer": issuer_id}
    if kind == "hosted":
        assertion_id = str(assertion.get("id", ""))
        allowed, policy = _origin_allowed(assertion_id, graph.issuer)
        if not allowed:
            return CheckResult(
                "key_binding", Outcome.FAILED, "ob2_hosted_origin_mismatch",
                f"The badge is hosted at {_host(assertion_id) or assertion_id[:100]}, which "
                f"the issuer it names ({issuer_id}) does not allow: someone other than that "
                "issuer published it.", {**detail, "id": assertion_id, **policy})
        return CheckResult(
            "key_binding", Outcome.PASSED, "ob2_issuer_confirmed",
            "The badge is published where its issuer allows, and its badge class and issuer "
            "profile are at their own addresses.", {**detail, **policy})
    key_id = node_id(key_doc) if key_doc is not None else None
    owner = key_doc.get("owner") if key_doc is not None else None
    listed = [node_id(k) for k in _listed_nodes(graph.issuer.get("publicKey"))]
    if owner != issuer_id or (listed and key_id is not None and key_id not in listed):
        return CheckResult(
            "key_binding", Outcome.FAILED, "ob2_key_not_issuers",
            "The badge was signed with a key that does not belong to the issuer it names.",
            {**detail, "key": key_id, "owner": owner})
    return CheckResult("key_binding", Outcome.PASSED, "ob2_key_owned",
                       "The signing key belongs to the issuer, and the badge class and issuer "
                       "profile are at their own addresses.", {**detail, "key": key_id})


def _listed_nodes(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- dates


def parse_ob2_datetime(value: Any) -> datetime:
    """An OB 2.0 DateTime (OB 2.0 "Data Types": ISO 8601), or Unix seconds (OB 1.x).

    A missing time zone is read as UTC, as the OB 2.0 validator does.

    Raises:
        ValueError: not a date and time.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise ValueError("not a date")
    text = value.strip()
    if text.isdigit() and len(text) <= 12:
        return datetime.fromtimestamp(int(text), tz=UTC)
    try:
        return parse_datetime(text)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y").lstrip("0")


def _check_validity(assertion: Mapping[str, Any], run: _Run) -> CheckResult:
    issued, expires = assertion.get("issuedOn"), assertion.get("expires")
    detail = {"issuedOn": issued, "expires": expires}
    if issued is None:
        return CheckResult("validity_period", Outcome.FAILED, "valid_from_missing",
                           "The badge does not say when it was issued (issuedOn).")
    try:
        start = parse_ob2_datetime(issued)
        end = parse_ob2_datetime(expires) if expires is not None else None
    except (ValueError, OverflowError, OSError):
        return CheckResult("validity_period", Outcome.FAILED, "invalid_date",
                           "The badge's issuedOn or expires is not a date and time.", detail)
    detail = {"issuedOn": start.isoformat(), "expires": end.isoformat() if end else None}
    if start - run.skew > run.now:
        return CheckResult("validity_period", Outcome.FAILED, "not_yet_valid",
                           f"The badge says it was issued on {_day(start)}, in the future.",
                           detail)
    if end is not None and end < run.now:
        return CheckResult("validity_period", Outcome.FAILED, "expired",
                           f"The badge was valid from {_day(start)} until {_day(end)}; it has "
                           "expired. It is still a genuine record of the achievement.", detail)
    until = f" until {_day(end)}" if end is not None else ", with no expiry date"
    return CheckResult("validity_period", Outcome.PASSED, "within_validity",
                       f"The badge is valid from {_day(start)}{until}.", detail)


# --------------------------------------------------------------------------- status


def _revoked_entry(listing: Mapping[str, Any], assertion: Mapping[str, Any]) -> Any:
    """The ``revokedAssertions`` item naming ``assertion`` (by id or uid), or None."""
    names = {v for v in (assertion.get("id"), assertion.get("uid")) if isinstance(v, str) and v}
    entries = listing.get("revokedAssertions")
    if not isinstance(entries, list):
        raise ValueError("revokedAssertions is not a list")
    for entry in entries[:100_000]:
        ident = entry if isinstance(entry, str) else (
            entry.get("id") or entry.get("uid") if isinstance(entry, Mapping) else None)
        if isinstance(ident, str) and ident in names:
            return entry
    return None


def _revoked(reason: Any, how: str) -> CheckResult:
    detail: dict[str, Any] = {"how": how}
    text = ""
    if isinstance(reason, str) and reason.strip():
        detail["statusReason"] = reason.strip()[:500]
        text = f" Reason given: {detail['statusReason']}"
    return CheckResult("status", Outcome.FAILED, "ob2_revoked",
                       f"The issuer has revoked this badge ({how}).{text}", detail)


def _check_status(assertion: Mapping[str, Any], graph: _Graph, kind: str,
                  run: _Run) -> CheckResult:
    if assertion.get("revoked") is True:
        return _revoked(assertion.get("revocationReason"), "the hosted badge says so")
    listing_url = graph.issuer.get("revocationList") if graph.issuer is not None else None
    listing_url = node_id(listing_url)
    if listing_url is None:
        if kind == "hosted":
            return CheckResult("status", Outcome.PASSED, "ob2_not_revoked",
                               "The issuer's server publishes the badge as not revoked.")
        return CheckResult("status", Outcome.SKIPPED, "no_status",
                           "The issuer publishes no revocation list for its signed badges.")
    if run.load is None:
        return CheckResult("status", Outcome.INDETERMINATE, "status_unchecked_offline",
                           "Whether the badge was revoked could not be checked (offline).")
    try:
        listing = run.load(listing_url)
        entry = _revoked_entry(listing, assertion)
    except did.ResolutionError as exc:
        return CheckResult("status", Outcome.INDETERMINATE, "ob2_revocation_list_unreachable",
                           f"The issuer's revocation list could not be read: {exc.message}.",
                           {"revocationList": listing_url, "cause": exc.code})
    except ValueError:
        return CheckResult("status", Outcome.INDETERMINATE, "ob2_revocation_list_invalid",
                           "The issuer's revocation list is malformed, so whether the badge "
                           "was revoked cannot be known.", {"revocationList": listing_url})
    if entry is not None:
        reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
        return _revoked(reason, "on its revocation list")
    return CheckResult("status", Outcome.PASSED, "ob2_not_revoked",
                       "The badge is not on the issuer's revocation list.",
                       {"revocationList": listing_url})


# --------------------------------------------------------------------------- trust


def _no_keys(vm: str) -> did.ResolvedKey:
    raise did.ResolutionError("Open Badges 2.0 issuers have no DIDs", code="fetch_failed")


def _check_trust(graph: _Graph, kind: str, run: _Run) -> CheckResult:
    issuer = graph.issuer or {}
    issuer_id = str(issuer.get("id", ""))
    name = issuer.get("name")
    # Only the name is compared: an OB 2.0 profile's ``url`` cannot be linked to the issuer
    # the way a DID can (DID Configuration), so a registry vouches by the profile's URL or
    # domain, and a listed name under another profile is impersonation.
    result = trust.check_trust({"issuer": {"name": name}}, issuer_id, registry=run.registry,
                               fetch=None, resolve=_no_keys, now=run.now)
    detail = {**result.detail, "standard": STANDARD, "verification": kind}
    message = result.message
    if kind == "hosted":
        message = message.replace("The signature is genuine, but", "The issuer's server "
                                  "vouches for this badge, but").replace(
            "but was signed by", "but was published by")
    return CheckResult(result.id, result.outcome, result.code, message, detail)


# --------------------------------------------------------------------------- recipient


def check_recipient(assertion: Mapping[str, Any], identity: str) -> CheckResult:
    """OB 2.0 "IdentityObject": does the badge belong to ``identity``?

    A hashed identity is ``sha256$<hex>`` (or ``md5$<hex>``) of the identity
    followed by the ``salt``; e-mail addresses are compared as given and in
    lower case (issuers hash either).

    Args:
        assertion: the assertion.
        identity: the expected recipient (an e-mail address, usually).

    Returns:
        The ``recipient`` check.
    """
    person = assertion.get("recipient")
    if not isinstance(person, Mapping) or not isinstance(person.get("identity"), str):
        return CheckResult("recipient", Outcome.FAILED, "ob2_recipient_unreadable",
                           "The badge does not say whom it was awarded to.")
    given = identity.strip()
    tries = {given, given.lower()}
    stored = str(person["identity"])
    salt = person.get("salt") if isinstance(person.get("salt"), str) else ""
    detail = {"type": person.get("type"), "hashed": bool(person.get("hashed"))}
    if person.get("hashed"):
        algorithm, _, digest = stored.partition("$")
        if algorithm.lower() not in ("sha256", "md5") or not digest:
            return CheckResult("recipient", Outcome.FAILED, "ob2_recipient_unreadable",
                               "The badge's recipient is hashed in a way this verifier does "
                               "not read (sha256$ or md5$ are).", detail)
        matched = any(hmac.compare_digest(
            hashlib.new(algorithm.lower(), (t + str(salt)).encode("utf-8"),
                        usedforsecurity=False).hexdigest(), digest.lower()) for t in tries)
    else:
        matched = stored.strip().lower() in {t.lower() for t in tries}
    if matched:
        return CheckResult("recipient", Outcome.PASSED, "ob2_recipient_match",
                           "The badge was awarded to the person you named.", detail)
    return CheckResult("recipient", Outcome.FAILED, "ob2_recipient_mismatch",
                       "The badge was not awarded to the person you named (the recipient it "
                       "names is someone else).", detail)
