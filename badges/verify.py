"""``verify_credential()``: every check OB 3.0 asks for, as a report that never raises.

Follows OB 3.0 §9.1 (Verification): conformance (schema, contexts, JSON-LD
safe mode), proof (§8.2 VC-JWT or §8.3 Data Integrity), status, validity
period, and embedded endorsements; plus two checks a hiring school needs
that the spec leaves to the verifier: *key binding* (is the signing key
published by the issuer itself?) and *issuer trust* (is the issuer known?).

Nothing here touches the network or the clock: ``now`` is a parameter, and
``fetch_document`` (DIDs, controller documents, JWKs, status lists) is
injected by the service. Without it the verification is *offline*: whatever
needs a fetch is reported ``indeterminate``, never assumed fine.

A credential embedded in another (an endorsement, a CLR's achievements) gets
the same checks through :func:`verify_embedded`. What the checks add up to,
the verdict, is decided in one place: :mod:`badges.verdict`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import Any
from typing import Literal
from typing import Protocol
from typing import TypeVar

from badges import clr_schema
from badges import dataintegrity
from badges import did
from badges import endorsements
from badges import jsonld
from badges import keys
from badges import ob2
from badges import schema
from badges import trust
from badges.errors import BadgesError
from badges.errors import JsonLdError
from badges.intake import Intake
from badges.intake import read_credential
from badges.jwt import JWT_REGISTERED_CLAIMS
from badges.jwt import check_jwt_claims
from badges.jwt import decode_jwt
from badges.jwt import header_problem
from badges.jwt import vcdm2_in_vc_claim
from badges.jwt import verify_jwt_signature
from badges.loader import OB_CONTEXT
from badges.loader import VC_V1
from badges.loader import VC_V2
from badges.loader import bundled_urls
from badges.model import parse_datetime
from badges.report import CheckResult
from badges.report import Outcome
from badges.report import VerificationReport
from badges.trust import RegistryLike

#: Fetches a JSON document for a DID (``did:web``) or an HTTPS URL; raises
#: :class:`badges.did.ResolutionError` when it cannot.
FetchDocument = Callable[[str], Mapping[str, Any]]

#: What an embedded credential must be: an ``EndorsementCredential`` (OB 3.0
#: data model, EndorsementCredential; verified per §9.1 step 6) or an Open
#: Badge (the credentials a CLR embeds).
EmbeddedKind = Literal["endorsement", "credential"]
#: What :func:`_verify` accepts: anything (top level), one embedded kind, or a
#: CLR 2.0 ``ClrCredential`` (:func:`verify_clr_envelope`).
_Kind = Literal["any", "endorsement", "credential", "clr"]

_OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context"


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What a status checker found for one ``credentialStatus`` entry.

    Attributes:
        outcome: ``passed`` (not revoked/suspended), ``failed`` (revoked or
            suspended), ``indeterminate`` (the list could not be read or trusted).
        code: ``not_revoked``, ``revoked``, ``suspended``, ``status_list_unreachable``...
        message: one plain-language sentence.
    """

    outcome: Outcome
    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


class StatusChecker(Protocol):
    """Checks one ``credentialStatus`` entry of a credential whose proof passed."""

    def __call__(self, entry: Mapping[str, Any], credential: Mapping[str, Any]) -> StatusResult:
        """Return the status of ``credential`` according to ``entry``."""
        ...


@dataclass(frozen=True, slots=True)
class _Ctx:
    now: datetime
    fetch: FetchDocument | None
    check_status: StatusChecker | None
    registry: RegistryLike | None
    skew: timedelta
    depth: int


def verify_credential(
    data: bytes | str | Mapping[str, Any],
    *,
    now: datetime,
    fetch_document: FetchDocument | None = None,
    check_status: StatusChecker | None = None,
    registry: RegistryLike | None = None,
    max_clock_skew: timedelta = timedelta(minutes=5),
    recipient: str | None = None,
) -> VerificationReport:
    """Verify an Open Badges 3.0 credential (OB 3.0 §9.1) and report every check.

    An Open Badges 2.0 assertion (hosted or signed, as JSON, a JWS, or baked;
    :func:`badges.ob2.detect`) is verified the OB 2.0 way instead
    (:func:`badges.ob2.verify_assertion`, OB 2.0 "Verification"), into the same
    report; ``fetch_document`` is then its loader.

    Args:
        data: the credential as JSON object, text (JSON or compact JWS), or
            bytes (JSON, JWS, baked PNG or SVG).
        now: the time to judge validity against (timezone-aware).
        fetch_document: resolves ``did:web`` DIDs and HTTPS URLs to JSON
            documents; None means offline.
        check_status: checks ``credentialStatus`` entries; None means status is
            not checked (``indeterminate`` when the credential has a status).
        registry: the lists of known issuers (:mod:`badges.trust`); None skips the
            issuer-trust check (the verifier service always passes one).
        max_clock_skew: tolerance for ``validFrom`` in the near future.
        recipient: for an Open Badges 2.0 badge, the identity (e-mail address)
            it should belong to: adds the ``recipient`` check.

    Returns:
        A :class:`VerificationReport`. It never raises for bad input.
    """
    try:
        found = ob2.detect(data)
    except BadgesError as exc:
        unreadable = CheckResult("format", Outcome.FAILED, exc.code, _unreadable(exc))
        return VerificationReport((unreadable, *_skip_rest("format", "input_unreadable")))
    if found is not None:
        return ob2.verify_assertion(found, now=now, load=fetch_document, registry=registry,
                                    recipient=recipient, max_clock_skew=max_clock_skew)
    ctx = _Ctx(now, fetch_document, check_status, registry, max_clock_skew, 0)
    return _verify(data, ctx, "any")


def verify_embedded(
    item: Any,
    *,
    kind: EmbeddedKind,
    now: datetime,
    fetch_document: FetchDocument | None = None,
    check_status: StatusChecker | None = None,
    registry: RegistryLike | None = None,
    max_clock_skew: timedelta = timedelta(minutes=5),
) -> VerificationReport:
    """Verify a credential embedded in another, with every check a credential gets.

    OB 3.0 §9.1 step 6 verifies each embedded endorsement "with the same
    steps" as the credential; a CLR (issue #20) embeds Open Badges that need
    the same. The report has the same checks as :func:`verify_credential`
    (format, schema, context, proof, key binding, validity period, status,
    issuer trust), and its verdict (:mod:`badges.verdict`) reads the same way;
    the embedded credential's own endorsements are not followed.

    Args:
        item: the embedded credential: a JSON object, or a compact JWS
            (``endorsementJwt``).
        kind: ``endorsement`` (must be an ``EndorsementCredential``) or
            ``credential`` (must be an Open Badge).
        now: the time to judge validity against (timezone-aware).
        fetch_document: as for :func:`verify_credential`.
        check_status: as for :func:`verify_credential`.
        registry: as for :func:`verify_credential`.
        max_clock_skew: as for :func:`verify_credential`.

    Returns:
        The embedded credential's :class:`VerificationReport`; never raises.
    """
    ctx = _Ctx(now, fetch_document, check_status, registry, max_clock_skew, 1)
    return _verify(item, ctx, kind)


def verify_clr_envelope(
    data: Any,
    *,
    now: datetime,
    fetch_document: FetchDocument | None = None,
    check_status: StatusChecker | None = None,
    registry: RegistryLike | None = None,
    max_clock_skew: timedelta = timedelta(minutes=5),
) -> VerificationReport:
    """Verify a CLR 2.0 ``ClrCredential`` itself, with every check a credential gets.

    The record's format (``type`` includes ``ClrCredential``), the CLR JSON
    Schema (:mod:`badges.clr_schema`), contexts and safe mode, its own proof,
    key binding, validity period, status and issuer trust. The credentials
    it embeds are verified one by one by :func:`badges.clr_verify.verify_clr`.

    Args:
        data: the record as a JSON object or text.
        now: as for :func:`verify_credential`.
        fetch_document: as for :func:`verify_credential`.
        check_status: as for :func:`verify_credential`.
        registry: as for :func:`verify_credential`.
        max_clock_skew: as for :func:`verify_credential`.

    Returns:
        The record's own :class:`VerificationReport`; never raises.
    """
    ctx = _Ctx(now, fetch_document, check_status, registry, max_clock_skew, 0)
    return _verify(data, ctx, "clr")


def verify_signature(document: Mapping[str, Any], *,
                     fetch_document: FetchDocument | None) -> VerificationReport:
    """Check only the proof and key binding of any verifiable credential.

    Used for documents that support a credential rather than being one: a
    status list credential (Bitstring Status List §3.2 step 4) or a
    verification receipt. The report has ``format``, ``proof`` and
    ``key_binding`` checks.
    """
    ctx = _Ctx(datetime.max, fetch_document, None, None, timedelta(0), 1)
    token = enveloped_jwt(document)
    if token is not None:
        try:
            decoded = decode_jwt(token, check_header=False)
        except BadgesError as exc:
            return VerificationReport((CheckResult("format", Outcome.FAILED, exc.code,
                                                   _unreadable(exc)),))
        document = decoded.credential
        intake = Intake(dict(document), "jwt", "jwt", decoded)
    else:
        intake = Intake(dict(document), "json", "json")
    if "VerifiableCredential" not in _types(document.get("type")):
        return VerificationReport((CheckResult("format", Outcome.FAILED, "not_a_credential",
                                               "The document is not a verifiable credential."),))
    fmt = CheckResult("format", Outcome.PASSED, intake.format, "Read a verifiable credential.")
    proof, key = _safely_proof(intake, ctx)
    if proof.outcome != Outcome.PASSED:
        return VerificationReport((fmt, proof), intake.credential, intake.format)
    binding = _safely("key_binding", lambda: _check_key_binding(intake, key, ctx))
    return VerificationReport((fmt, proof, binding), intake.credential, intake.format)


#: The ``id`` prefix of a VC-JWT enveloped in JSON (VCDM 2.0 §4.13; VC-JOSE-COSE §3.1.1).
ENVELOPED_JWT_PREFIX = "data:application/vc+jwt,"


def envelope_jwt(token: str) -> dict[str, Any]:
    """A VC-JWT carried in JSON as an ``EnvelopedVerifiableCredential`` (VCDM 2.0 §4.13)."""
    return {"@context": [VC_V2], "type": "EnvelopedVerifiableCredential",
            "id": ENVELOPED_JWT_PREFIX + token}


def enveloped_jwt(document: Mapping[str, Any]) -> str | None:
    """The compact JWS of an ``EnvelopedVerifiableCredential``, or None if not one.

    VCDM 2.0 §4.13 carries a secured credential in another format as
    ``{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,<JWS>"}``;
    the verifier's fetcher represents a status list served as a VC-JWT that way.
    """
    if "EnvelopedVerifiableCredential" not in _types(document.get("type")):
        return None
    ident = document.get("id")
    if isinstance(ident, str) and ident.startswith(ENVELOPED_JWT_PREFIX):
        return ident[len(ENVELOPED_JWT_PREFIX):]
    return None


def _verify(data: Any, ctx: _Ctx, kind: _Kind) -> VerificationReport:
    try:
        if not isinstance(data, bytes | str | Mapping):
            raise BadgesError("an embedded credential is neither an object nor a JWT",
                              code="not_a_credential")
        intake = read_credential(data)
    except BadgesError as exc:
        unreadable = CheckResult("format", Outcome.FAILED, exc.code, _unreadable(exc))
        return VerificationReport((unreadable, *_skip_rest("format", "input_unreadable")))
    checks: list[CheckResult] = []
    fmt = _check_format(intake, kind)
    checks.append(fmt)
    if fmt.outcome == Outcome.FAILED:
        return VerificationReport(tuple(checks + _skip_rest("format", "not_open_badge")),
                                  intake.credential, intake.format)
    ld_doc = _json_ld_view(intake)
    prepared = _prepared(ld_doc)
    checks.append(_safely("schema", lambda: _check_schema(ld_doc)))
    checks.append(_safely("context", lambda: _check_context(ld_doc, prepared)))
    # the proof covers the same document when it is embedded (not a JWT's)
    same = prepared if ld_doc is intake.credential else None
    proof, key = _safely_proof(intake, ctx, same)
    checks.append(proof)
    if proof.outcome != Outcome.PASSED:
        code = "proof_not_verified"
        return VerificationReport(
            tuple(checks + _skip_rest("proof", code)), intake.credential, intake.format)
    checks.append(_safely("key_binding", lambda: _check_key_binding(intake, key, ctx)))
    checks.append(_safely("validity_period", lambda: _check_validity(intake, ctx)))
    checks.append(_safely("status", lambda: _check_status(intake.credential, ctx)))
    checks.append(_safely("issuer_trust", lambda: _check_trust(intake.credential, ctx)))
    checks.append(_safely("endorsements", lambda: _check_endorsements(intake.credential, ctx)))
    return VerificationReport(tuple(checks), intake.credential, intake.format)


def _check_endorsements(cred: Mapping[str, Any], ctx: _Ctx) -> CheckResult:
    inner = _Ctx(ctx.now, ctx.fetch, ctx.check_status, ctx.registry, ctx.skew, ctx.depth + 1)
    return endorsements.check_endorsements(
        cred, nested=ctx.depth >= 1, verify=lambda item: _verify(item, inner, "endorsement"))


def _unreadable(exc: BadgesError) -> str:
    return f"The file or text could not be read as a credential: {exc.message}."


def _skip_rest(after: str, code: str) -> list[CheckResult]:
    from badges.report import CHECK_IDS

    later = CHECK_IDS[CHECK_IDS.index(after) + 1:]
    if after == "proof":
        message = "Not checked, because the signature could not be verified."
    else:
        message = "Not checked, because the input is not a readable Open Badge."
    return [CheckResult(c, Outcome.SKIPPED, code, message) for c in later]


def _safely(check_id: str, fn: Callable[[], CheckResult]) -> CheckResult:
    try:
        return fn()
    except BadgesError as exc:
        return CheckResult(check_id, Outcome.FAILED, exc.code, exc.message)
    except (RecursionError, MemoryError):  # pragma: no cover - hostile inputs are bounded earlier
        return CheckResult(check_id, Outcome.FAILED, "input_too_complex",
                           "The credential is too complex to check.")


# --------------------------------------------------------------------------- format


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def _check_format(intake: Intake, kind: _Kind) -> CheckResult:
    cred = intake.credential
    types = _types(cred.get("type"))
    detail = {"source": intake.source}
    is_vc = "VerifiableCredential" in types
    badge = is_vc and bool(_OB_TYPES.intersection(types))
    endorsement = is_vc and "EndorsementCredential" in types
    if kind == "clr":
        if not (is_vc and "ClrCredential" in types):
            return CheckResult("format", Outcome.FAILED, "not_open_badge",
                               "This is not a CLR 2.0 record (its type must include "
                               "VerifiableCredential and ClrCredential).", detail)
        return CheckResult("format", Outcome.PASSED, intake.source,
                           "Read a Comprehensive Learner Record (CLR 2.0).", detail)
    if kind == "endorsement" and not endorsement:
        return CheckResult("format", Outcome.FAILED, "not_endorsement",
                           "This endorsement is not an Open Badges 3.0 endorsement (its type "
                           "must include VerifiableCredential and EndorsementCredential).",
                           detail)
    if not (badge or (endorsement and kind != "credential")):
        return CheckResult("format", Outcome.FAILED, "not_open_badge",
                           "This is not an Open Badges 3.0 credential (its type must include "
                           "VerifiableCredential and OpenBadgeCredential).", detail)
    how = {"json": "a JSON credential", "jwt": "a VC-JWT", "png": "a baked PNG badge",
           "svg": "a baked SVG badge", "pdf": "a PDF certificate"}[intake.source]
    what = "endorsement" if kind == "endorsement" else "credential"
    if intake.jwt is not None and vcdm2_in_vc_claim(intake.jwt):
        # OB 3.0 §8.2.3 wants the VCDM 2.0 credential as the whole payload; the 1EdTech
        # validator takes a 'vc' claim when present (DIGEST §3.1), and so do we.
        return CheckResult(
            "format", Outcome.WARNING, "jwt_vc_claim",
            f"Read an Open Badges 3.0 {what} from {how}, but from its 'vc' claim: "
            "Open Badges 3.0 puts a VC Data Model 2.0 credential in the whole JWT "
            "payload. Accepted, as the 1EdTech validator does.", detail)
    return CheckResult("format", Outcome.PASSED, intake.source,
                       f"Read an Open Badges 3.0 {what} from {how}.", detail)


def _json_ld_view(intake: Intake) -> dict[str, Any]:
    """The credential as JSON-LD: a VCDM 2.0 JWT payload minus the JWT claims."""
    if intake.jwt is not None and intake.jwt.form == "vcdm2":
        return {k: v for k, v in intake.credential.items() if k not in JWT_REGISTERED_CLAIMS}
    return intake.credential


# --------------------------------------------------------------------------- schema


def _schema_issues(doc: Mapping[str, Any]) -> list[schema.SchemaIssue]:
    types = _types(doc.get("type"))
    if "ClrCredential" in types:
        return clr_schema.check_clr(dict(doc))
    if "EndorsementCredential" in types and not _OB_TYPES.intersection(types):
        return schema.check_endorsement(dict(doc))
    return schema.check_credential(dict(doc)) + schema.conformance_issues(dict(doc))


def _as_arrays(doc: Any, issues: list[schema.SchemaIssue]) -> Any:
    """``doc`` with the single values the schema wanted as arrays wrapped in arrays.

    OB 3.0 §5.1.1 allows a JSON-LD "compacted" form where ``type``, ``proof``,
    ``credentialSchema`` and ``termsOfUse`` hold a single value.
    """
    copy = json.loads(json.dumps(doc))
    for issue in issues:
        if "must be of type 'array'" not in issue.message or not issue.path:
            continue
        *parents, last = [p.replace("~1", "/").replace("~0", "~")
                          for p in issue.path.split("/")[1:]]
        node: Any = copy
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.get(part)
        key: Any = int(last) if isinstance(node, list) else last
        node[key] = [node[key]]
    return copy


def _compacted_only(doc: Mapping[str, Any], issues: list[schema.SchemaIssue]) -> bool:
    """True when ``doc`` passes once its compacted single values are arrays."""
    view: Any = doc
    for _ in range(4):
        if not any("must be of type 'array'" in i.message for i in issues):
            return False
        view = _as_arrays(view, issues)
        issues = _schema_issues(view)
        if not issues:
            return True
    return False


def _check_schema(doc: Mapping[str, Any]) -> CheckResult:
    issues = _schema_issues(doc)
    standard = "CLR 2.0" if "ClrCredential" in _types(doc.get("type")) else "Open Badges 3.0"
    if issues and _compacted_only(doc, issues):
        # The 1EdTech validator's rule: a document that only passes the JSON-LD
        # (compacted) variant of the schema gets warnings, not errors.
        return CheckResult(
            "schema", Outcome.WARNING, "schema_compacted_form",
            "The credential is valid, but gives some lists as single values "
            f"({issues[0].path}); some wallets may not read it.",
            {"issues": [{"path": i.path, "message": i.message} for i in issues[:20]]})
    if issues:
        first = issues[0]
        return CheckResult(
            "schema", Outcome.FAILED, "schema_invalid",
            f"The credential is not shaped as {standard} requires: {first.message}"
            + (f" (at {first.path})" if first.path else "") + ".",
            {"issues": [{"path": i.path, "message": i.message} for i in issues[:20]]})
    return CheckResult("schema", Outcome.PASSED, "schema_valid",
                       f"The credential has every field {standard} requires.")


# --------------------------------------------------------------------------- context


_T = TypeVar("_T")


def _jsonld(step: Callable[[], _T]) -> _T:
    """Run a JSON-LD step; PyLD's IRI resolver raises a plain ValueError on some inputs.

    (``"@context": "0"`` is a relative IRI with no base.) That is bad input, so it
    becomes an ``invalid_jsonld`` error the checks report, never an exception out
    of :func:`verify_credential`.
    """
    try:
        return step()
    except ValueError as exc:
        raise JsonLdError(f"JSON-LD processing failed: {exc}", code="invalid_jsonld") from None


def _prepared(doc: Mapping[str, Any]) -> jsonld.Prepared | BadgesError:
    """``doc`` without its proof, read once for safe mode and the proof, or why it can't be.

    The error is kept, not raised: the context and proof checks each report it
    (a document refused as too large is not walked again for each of them).
    """
    try:
        return _jsonld(lambda: jsonld.prepare({k: v for k, v in doc.items() if k != "proof"}))
    except BadgesError as exc:
        return exc


def _check_context(doc: Mapping[str, Any],
                   prepared: jsonld.Prepared | BadgesError | None = None) -> CheckResult:
    ctx = doc.get("@context")
    urls = [ctx] if isinstance(ctx, str) else ctx if isinstance(ctx, list) else None
    if not urls:
        return CheckResult("context", Outcome.FAILED, "context_missing",
                           "The credential has no @context.")
    if urls[0] not in (VC_V2, VC_V1):
        return CheckResult("context", Outcome.FAILED, "context_order",
                           "The first @context must be the W3C Verifiable Credentials context.",
                           {"context": urls})
    # CLR 2.0 §ClrCredential: the CLR context comes second (the OB context after it)
    clr = "ClrCredential" in _types(doc.get("type"))
    second, standard = (_CLR_CONTEXT, "CLR 2.0") if clr else (_OB_CONTEXT_PREFIX,
                                                                "Open Badges 3.0")
    if len(urls) < 2 or not (isinstance(urls[1], str) and urls[1].startswith(second)):
        return CheckResult("context", Outcome.FAILED, "context_order",
                           f"The second @context must be the {standard} context.",
                           {"context": urls})
    remote = [u for u in urls if isinstance(u, str) and u not in bundled_urls()]
    if remote:
        return CheckResult("context", Outcome.FAILED, "context_not_allowed",
                           f"The credential uses a context this verifier does not know "
                           f"({remote[0]}); contexts are never fetched from the network.",
                           {"contexts": remote})
    # Proofs are checked by their own suites; safe mode covers the signed content.
    if isinstance(prepared, BadgesError):
        raise prepared
    terms, types = prepared.undefined if prepared is not None else _jsonld(
        lambda: jsonld.undefined_terms({k: v for k, v in doc.items() if k != "proof"}))
    if terms or types:
        code = "undefined_term" if terms else "undefined_type"
        names = ", ".join([*terms, *types][:5])
        return CheckResult("context", Outcome.FAILED, code,
                           f"The credential uses terms its contexts do not define ({names}); "
                           "a signature would not cover them.",
                           {"undefined_terms": list(terms), "undefined_types": list(types)})
    if urls[0] == VC_V1 or (urls[1] != OB_CONTEXT and not clr):
        return CheckResult("context", Outcome.WARNING, "context_outdated",
                           "The credential uses an older version of the contexts; it is still "
                           "readable.", {"context": urls})
    return CheckResult("context", Outcome.PASSED, "context_valid",
                       "Every term in the credential is defined by the standard contexts.")


# --------------------------------------------------------------------------- proof


@dataclass(frozen=True, slots=True)
class _KeyUse:
    """The key a proof verified with, and how it was found."""

    vm_id: str
    resolved: did.ResolvedKey
    embedded_jwk: bool = False


def _safely_proof(intake: Intake, ctx: _Ctx,
                  prepared: jsonld.Prepared | BadgesError | None = None,
                  ) -> tuple[CheckResult, _KeyUse | None]:
    try:
        if intake.jwt is not None:
            return _check_jwt_proof(intake, ctx)
        return _check_embedded_proof(intake.credential, ctx, prepared)
    except BadgesError as exc:
        return CheckResult("proof", Outcome.FAILED, exc.code, exc.message), None


def _resolve_key(vm_id: str, ctx: _Ctx) -> did.ResolvedKey:
    """Find the key named by a proof's verificationMethod or a JWT ``kid``."""
    if not isinstance(vm_id, str) or not vm_id:
        raise did.ResolutionError("the proof names no verification method",
                                  code="verification_method_invalid")
    if vm_id.startswith("did:key:"):
        return did.resolve_did_key(vm_id)
    if vm_id.startswith("did:jwk:"):
        return did.resolve_did_jwk(vm_id)
    local = did.key_from_fragment(vm_id)
    if local is not None:
        return local
    scheme = vm_id.split(":", 1)[0] if ":" in vm_id else ""
    if scheme not in ("did", "https", "http"):
        raise did.ResolutionError(
            f"verification method {vm_id!r} is not a DID or URL",
            code="verification_method_invalid")
    if scheme == "did" and not vm_id.startswith("did:web:"):
        raise did.ResolutionError(
            f"DID method of {vm_id!r} is not supported (did:key, did:jwk and did:web are)",
            code="unsupported_did_method")
    if ctx.fetch is None:
        raise did.ResolutionError(
            f"the key {vm_id} must be fetched from the issuer, and this check is offline",
            code="key_unresolved_offline")
    base, fragment = did.split_fragment(vm_id)
    document = ctx.fetch(base)
    if not fragment and ("kty" in document or "publicKeyMultibase" in document):
        # A kid or VM URL that dereferences to a single JWK or Multikey document.
        public = did.public_key_of(document)
        controller = document.get("controller")
        return did.ResolvedKey(vm_id, str(controller or base), public, None)
    return did.find_in_controller_document(document, vm_id, controller=base)


def _check_embedded_proof(cred: Mapping[str, Any], ctx: _Ctx,
                          prepared: jsonld.Prepared | BadgesError | None = None,
                          ) -> tuple[CheckResult, _KeyUse | None]:
    proofs = dataintegrity.proofs_of(cred)
    if not proofs:
        return CheckResult("proof", Outcome.FAILED, "no_proof",
                           "The credential is not signed (it has no proof)."), None
    problems: list[BadgesError] = []
    unresolved: list[BadgesError] = []
    for proof in proofs:
        if not isinstance(proof, Mapping):
            problems.append(BadgesError("a proof is not an object", code="proof_invalid"))
            continue
        try:
            dataintegrity.find_suite(proof)
            resolved = _resolve_key(proof.get("verificationMethod", ""), ctx)
            ok = _jsonld(partial(dataintegrity.verify_proof, cred, proof, resolved.public_key,
                                 prepared=prepared))
        except did.ResolutionError as exc:
            (unresolved if exc.code in _TRANSIENT else problems).append(exc)
            continue
        except BadgesError as exc:
            problems.append(exc)
            continue
        if ok:
            name = proof.get("cryptosuite") or proof.get("type")
            return CheckResult(
                "proof", Outcome.PASSED, "signature_valid",
                "The credential is intact: its digital signature matches its content.",
                {"type": proof.get("type"), "cryptosuite": name,
                 "verificationMethod": resolved.id}), _KeyUse(resolved.id, resolved)
        problems.append(BadgesError(
            "The digital signature does not match the content: the credential was changed "
            "after it was signed, or signed with another key.", code="signature_invalid"))
    return _proof_failure(problems, unresolved), None


_TRANSIENT = did.UNREACHABLE


def _proof_failure(problems: list[BadgesError], unresolved: list[BadgesError]) -> CheckResult:
    real = [p for p in problems if p.code != "unsupported_cryptosuite"]
    if real:
        first = real[0]
        return CheckResult("proof", Outcome.FAILED, first.code, first.message,
                           {"problems": [{"code": p.code, "message": p.message} for p in problems]})
    if unresolved:
        first = unresolved[0]
        return CheckResult("proof", Outcome.INDETERMINATE, first.code,
                           f"The signature could not be checked: {first.message}.")
    first = problems[0]
    return CheckResult("proof", Outcome.FAILED, first.code,
                       f"{first.message}; no proof on this credential could be checked.")


def _check_jwt_proof(intake: Intake, ctx: _Ctx) -> tuple[CheckResult, _KeyUse | None]:
    decoded = intake.jwt
    assert decoded is not None
    problem = header_problem(decoded)
    if problem is not None:
        return CheckResult("proof", Outcome.FAILED, problem.code, problem.message), None
    header = decoded.header
    embedded = False
    if isinstance(header.get("kid"), str) and header["kid"]:
        try:
            resolved = _resolve_key(header["kid"], ctx)
        except did.ResolutionError as exc:
            if exc.code in _TRANSIENT and "jwk" not in header:
                return CheckResult("proof", Outcome.INDETERMINATE, exc.code,
                                   f"The signature could not be checked: {exc.message}."), None
            if "jwk" not in header:
                raise
            resolved = did.ResolvedKey("", "", keys.public_from_jwk(header["jwk"]), None)
            embedded = True
    else:
        resolved = did.ResolvedKey("", "", keys.public_from_jwk(header.get("jwk")), None)
        embedded = True
    if not verify_jwt_signature(decoded, resolved.public_key):
        return CheckResult(
            "proof", Outcome.FAILED, "signature_invalid",
            "The digital signature does not match the content: the credential was changed "
            "after it was signed, or signed with another key.", {"alg": header.get("alg")}), None
    # A claim that disagrees with the credential fails; a missing one does not
    # (OB 3.0 §8.2.4.3 compares claims that are present; 1EdTech's own samples omit sub).
    problems = [p for p in check_jwt_claims(decoded) if p[0] != "jwt_claim_missing"]
    if problems:
        code, message = problems[0]
        return CheckResult("proof", Outcome.FAILED, code, message,
                           {"problems": [{"code": c, "message": m} for c, m in problems]}), None
    return CheckResult("proof", Outcome.PASSED, "signature_valid",
                       "The credential is intact: its digital signature matches its content.",
                       {"alg": header.get("alg"), "kid": header.get("kid")}), \
        _KeyUse(resolved.id, resolved, embedded)


# --------------------------------------------------------------------------- key binding


def _issuer_id(cred: Mapping[str, Any]) -> str | None:
    issuer = cred.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _check_key_binding(intake: Intake, key: _KeyUse | None, ctx: _Ctx) -> CheckResult:
    issuer = _issuer_id(intake.credential)
    if key is None or issuer is None:
        return CheckResult("key_binding", Outcome.FAILED, "issuer_missing",
                           "The credential does not name its issuer.")
    resolved = key.resolved
    if key.embedded_jwk:
        return _binding_for_embedded_jwk(resolved.public_key, issuer, ctx)
    if resolved.controller != issuer:
        return CheckResult(
            "key_binding", Outcome.FAILED, "controller_mismatch",
            "The credential was signed with a key that does not belong to the issuer it names.",
            {"issuer": issuer, "controller": resolved.controller})
    if resolved.bound:
        how = "its own identifier" if issuer.startswith(("did:key:", "did:jwk:")) \
            else "the issuer's own document"
        return CheckResult("key_binding", Outcome.PASSED, "key_published",
                           f"The signing key is published by the issuer ({how}).",
                           {"verificationMethod": resolved.id})
    if resolved.bound is False:
        return CheckResult("key_binding", Outcome.FAILED, "key_not_published",
                           "The issuer does not list the signing key as one it issues with.",
                           {"verificationMethod": resolved.id})
    return _binding_from_controller(resolved, issuer, ctx)


def _binding_from_controller(resolved: did.ResolvedKey, issuer: str, ctx: _Ctx) -> CheckResult:
    if ctx.fetch is None:
        return CheckResult(
            "key_binding", Outcome.INDETERMINATE, "binding_unchecked_offline",
            "The signing key could not be matched with the issuer's published keys "
            "(offline check).", {"verificationMethod": resolved.id})
    try:
        document = ctx.fetch(issuer)
        found = did.find_in_controller_document(document, resolved.id, controller=issuer)
    except did.ResolutionError as exc:
        if exc.code in _TRANSIENT:
            return CheckResult("key_binding", Outcome.INDETERMINATE, "controller_unreachable",
                               f"The issuer's published keys could not be read, so the signing "
                               f"key could not be matched with them: {exc.message}.",
                               {"verificationMethod": resolved.id, "cause": exc.code})
        return CheckResult("key_binding", Outcome.FAILED, "key_not_published",
                           f"The issuer's published keys could not confirm the signing key: "
                           f"{exc.message}.", {"verificationMethod": resolved.id})
    if found.bound and found.public_key.jwk() == resolved.public_key.jwk():
        return CheckResult("key_binding", Outcome.PASSED, "key_published",
                           "The signing key is published by the issuer.",
                           {"verificationMethod": resolved.id})
    return CheckResult("key_binding", Outcome.FAILED, "key_not_published",
                       "The issuer does not list the signing key as one it issues with.",
                       {"verificationMethod": resolved.id})


def _binding_for_embedded_jwk(public: keys.PublicKey, issuer: str, ctx: _Ctx) -> CheckResult:
    if ctx.fetch is None:
        return CheckResult("key_binding", Outcome.INDETERMINATE, "binding_unchecked_offline",
                           "The token carries its own key, which could not be matched with the "
                           "issuer's published keys (offline check).")
    try:
        document = ctx.fetch(issuer)
    except did.ResolutionError as exc:
        return CheckResult("key_binding", Outcome.INDETERMINATE, "controller_unreachable",
                           f"The issuer's published keys could not be read: {exc.message}.",
                           {"cause": exc.code})
    for vm_id in _assertion_methods(document, issuer):
        try:
            found = did.find_in_controller_document(document, vm_id, controller=issuer)
        except did.ResolutionError:
            continue
        if found.bound and found.public_key.jwk() == public.jwk():
            return CheckResult("key_binding", Outcome.PASSED, "key_published",
                               "The signing key is published by the issuer.",
                               {"verificationMethod": vm_id})
    return CheckResult("key_binding", Outcome.FAILED, "key_not_published",
                       "The token's key is not one the issuer publishes.")


def _assertion_methods(document: Mapping[str, Any], issuer: str) -> Iterator[str]:
    refs = document.get("assertionMethod", [])
    for ref in refs if isinstance(refs, list) else [refs]:
        ref_id = ref if isinstance(ref, str) else \
            ref.get("id") if isinstance(ref, Mapping) else None
        if isinstance(ref_id, str):
            yield issuer + ref_id if ref_id.startswith("#") else ref_id


# --------------------------------------------------------------------------- validity


def _date_fields(cred: Mapping[str, Any]) -> tuple[str, str]:
    ctx = cred.get("@context")
    first = ctx[0] if isinstance(ctx, list) and ctx else ctx
    return ("issuanceDate", "expirationDate") if first == VC_V1 else ("validFrom", "validUntil")


def _check_validity(intake: Intake, ctx: _Ctx) -> CheckResult:
    cred = intake.credential
    start_name, end_name = _date_fields(cred)
    try:
        start = parse_datetime(cred[start_name]) if cred.get(start_name) is not None else None
        end = parse_datetime(cred[end_name]) if cred.get(end_name) is not None else None
    except (ValueError, TypeError):
        return CheckResult("validity_period", Outcome.FAILED, "invalid_date",
                           f"The credential's {start_name} or {end_name} is not a date and time "
                           "with a time zone.")
    detail = {start_name: cred.get(start_name), end_name: cred.get(end_name)}
    if intake.jwt is not None:
        # VC-JOSE-COSE §3.1.1 / OB 3.0 §8.2.4.3: a VC-JWT's nbf and exp bound its validity
        # too; the credential's own dates take precedence where both exist (and must agree,
        # see badges.jwt.check_jwt_claims).
        claims = intake.jwt.payload
        if start is None and (nbf := _claim_time(claims.get("nbf"))) is not None:
            start, detail["nbf"] = nbf, claims["nbf"]
        if end is None and (exp := _claim_time(claims.get("exp"))) is not None:
            end, detail["exp"] = exp, claims["exp"]
    if start is None:
        return CheckResult("validity_period", Outcome.FAILED, "valid_from_missing",
                           f"The credential does not say when it was issued ({start_name}).")
    if start - ctx.skew > ctx.now:
        return CheckResult("validity_period", Outcome.FAILED, "not_yet_valid",
                           f"The credential is not valid until {_day(start)}.", detail)
    if end is not None and end < ctx.now:
        return CheckResult("validity_period", Outcome.FAILED, "expired",
                           f"The credential was valid from {_day(start)} until {_day(end)}; "
                           "it has expired. It is still a genuine record of the achievement.",
                           detail)
    until = f" until {_day(end)}" if end is not None else ", with no expiry date"
    return CheckResult("validity_period", Outcome.PASSED, "within_validity",
                       f"The credential is valid from {_day(start)}{until}.", detail)


def _claim_time(value: Any) -> datetime | None:
    """A JWT NumericDate claim (RFC 7519 §2) as an aware datetime, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y").lstrip("0")


# --------------------------------------------------------------------------- status


def _status_entries(cred: Mapping[str, Any]) -> list[Any]:
    status = cred.get("credentialStatus")
    if status is None:
        return []
    return list(status) if isinstance(status, list) else [status]


def _check_status(cred: Mapping[str, Any], ctx: _Ctx) -> CheckResult:
    entries = _status_entries(cred)
    if not entries:
        return CheckResult("status", Outcome.SKIPPED, "no_status",
                           "The issuer did not publish a revocation list for this credential.")
    if ctx.check_status is None:
        return CheckResult("status", Outcome.INDETERMINATE, "status_unchecked_offline",
                           "Whether the credential was revoked could not be checked (offline).")
    results = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            return CheckResult("status", Outcome.FAILED, "status_entry_invalid",
                               "The credential's status entry is malformed.")
        results.append(ctx.check_status(entry, cred))
    for outcome in (Outcome.FAILED, Outcome.INDETERMINATE):
        bad = [r for r in results if r.outcome == outcome]
        if bad:
            return CheckResult("status", outcome, bad[0].code, bad[0].message, bad[0].detail)
    passed = [r for r in results if r.outcome == Outcome.PASSED]
    unread = [r.detail for r in results if r.outcome != Outcome.PASSED]
    if not passed:  # only entries that withdraw nothing (refresh, message)
        first = results[0]
        return CheckResult("status", first.outcome, first.code, first.message, first.detail)
    first = passed[0]
    detail = dict(first.detail) | ({"notRead": unread} if unread else {})
    if {"not_revoked", "not_suspended"} <= {r.code for r in passed}:
        return CheckResult("status", Outcome.PASSED, "not_withdrawn",
                           "The issuer has neither revoked nor suspended this credential.",
                           detail)
    return CheckResult("status", Outcome.PASSED, first.code, first.message, detail)


# --------------------------------------------------------------------------- trust


def _check_trust(cred: Mapping[str, Any], ctx: _Ctx) -> CheckResult:
    return trust.check_trust(cred, _issuer_id(cred) or "", registry=ctx.registry,
                             fetch=ctx.fetch, resolve=lambda vm: _resolve_key(vm, ctx),
                             now=ctx.now)


