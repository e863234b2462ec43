"""VC-API exchange of a credential offer, for the Learner Credential Wallet (issue #19).

Every credential offer (:mod:`issuer.services.oid4vci`) also has an exchange
at ``/exchanges/<id>`` (VC-API "Workflows and Exchanges": participate in an
exchange):

1. the wallet POSTs ``{}`` (or nothing) and gets a Verifiable Presentation
   Request (VP Request Spec §3) with a ``DIDAuthentication`` query (§4),
   this exchange's ``challenge`` and the service's ``domain``;
2. the wallet POSTs ``{"verifiablePresentation": <VP>}``, a presentation
   signed by its ``did:key`` with ``proofPurpose: authentication``, that
   challenge and that domain (checked by :func:`badges.didauth.verify_didauth`);
   the answer is ``{"verifiablePresentation": ...}`` holding the award
   re-signed for that DID (``ldp_vc``, eddsa-rdfc-2022), exactly as the
   OpenID4VCI credential endpoint binds it.

The older LCW deep link (``request.html?issuer=...&challenge=...&vc_request_url=...``)
makes the wallet POST its presentation directly, without asking for the
request first; such a bare presentation is accepted without a ``domain`` (the
link carried none) but with the same challenge, and is answered with the
credential itself.

The exchange id is a 256-bit secret stored only as its hash; the challenge is
derived from it with a MAC under the service's secret key, so nothing else is
stored. The exchange shares the offer's expiry and single use: an offer claimed
by either protocol is spent for both, and so is one whose exchange refused
:data:`EXCHANGE_TRIES` presentations.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges.didauth import DidAuthError
from badges.didauth import verify_didauth
from issuer.models_oid4vci import CredentialOffer
from issuer.services.context import IssuerContext
from issuer.services.errors import ProtocolError
from issuer.services.oid4vci import VC_V2
from issuer.services.oid4vci import OAuthError
from issuer.services.oid4vci import audit_claim_refused
from issuer.services.oid4vci import bind
from issuer.services.oid4vci import hash_secret

__all__ = ["EXCHANGE_TRIES", "LDP", "ExchangeError", "audit_refusal", "challenge_for",
           "chapi_offer", "check_live", "lcw_links", "participate", "protocols"]

LDP = "OpenBadgeCredential_ldp_vc"
#: Refused presentations an exchange survives; then the offer is spent (ask for a new one).
EXCHANGE_TRIES = 5
LCW_REQUEST = "https://lcw.app/request.html"


class ExchangeError(ProtocolError):
    """A refused exchange step, answered as JSON ``{"error": {"code", "message"}}``.

    Attributes:
        error: a stable code (``exchange_not_found``, ``invalid_challenge``,
            ``invalid_domain``, ``invalid_signature``...).
        description: for people.
        status: the HTTP status.
    """

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(error, description, status=status)
        #: Whether the refusal is already in the audit log (a refused presentation).
        self.audited = False

    def body(self) -> dict[str, dict[str, str]]:
        """The JSON error body, in the service's API error shape (``issuer/openapi.json``)."""
        return {"error": {"code": self.error, "message": self.description}}


def challenge_for(secret: str, exchange_id: str) -> str:
    """The exchange's challenge: a MAC of its id under a key derived from ``secret``."""
    key = hashlib.sha256(b"badges/vc-api-challenge\0" + secret.encode("utf-8")).digest()
    mac = hmac.new(key, exchange_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def domain_of(base_url: str) -> str:
    """The ``domain`` wallets must put in their proofs: the service's host (and port)."""
    return urlsplit(base_url).netloc


def exchange_url(base_url: str, exchange_id: str) -> str:
    """``<base>/exchanges/<id>``."""
    return f"{base_url}/exchanges/{exchange_id}"


def _row(session: so.Session, exchange_id: str, *, now: datetime,
         lock: bool = False) -> CredentialOffer:
    query = sa.select(CredentialOffer).where(
        CredentialOffer.exchange_hash == hash_secret(exchange_id))
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise ExchangeError("exchange_not_found", "no such exchange", status=404)
    if row.claimed_at is not None or row.code_used_at is not None:
        raise ExchangeError("exchange_complete",
                            "this offer was already claimed; ask for a new one", status=409)
    if now >= row.expires_at:
        raise ExchangeError("exchange_expired", "this offer has expired; ask for a new one",
                            status=410)
    if LDP not in row.configurations.split():
        raise ExchangeError("exchange_not_found", "this offer has no VC-API exchange",
                            status=404)
    return row


def audit_refusal(session: so.Session, exchange_id: str, error: ExchangeError, *,
                  client: str, now: datetime) -> None:
    """Audit a refused exchange step not audited where it was refused (issue #19).

    An unknown, spent or expired exchange, a body that is not a presentation, a
    badge revoked meanwhile: the offer the exchange id names (looked up by hash)
    gives the event its organization and badge; the id itself is never recorded.

    Args:
        session: the database session (the caller commits).
        exchange_id: the exchange id from the URL.
        error: the refusal answered.
        client: the client address (:func:`issuer.workflow.throttle.address_key`).
        now: the time.
    """
    row = session.scalar(sa.select(CredentialOffer).where(
        CredentialOffer.exchange_hash == hash_secret(exchange_id)))
    audit_claim_refused(session, row, now=now,
                        detail={"via": "vc-api", "reason": error.error, "client": client})


def check_live(session: so.Session, exchange_id: str, *, now: datetime) -> None:
    """Raise :class:`ExchangeError` unless the exchange exists, is unspent and unexpired."""
    _row(session, exchange_id, now=now)


def protocols(base_url: str, exchange_id: str,
              oid4vci_link: str | None = None) -> dict[str, Any]:
    """The interaction's ``protocols`` object (VC-API "Interactions"; CHAPI)."""
    found: dict[str, Any] = {"vcapi": exchange_url(base_url, exchange_id)}
    if oid4vci_link is not None:
        found["OID4VCI"] = oid4vci_link
    return {"protocols": found}


def lcw_links(base_url: str, exchange_id: str, secret: str) -> dict[str, str]:
    """The Learner Credential Wallet deep links to this exchange.

    ``request``: ``request.html?request=<JSON {credentialRequestOrigin, protocols}>``,
    with which LCW runs the VC-API exchange (VPR with challenge and domain);
    ``legacy``: the older ``issuer``/``auth_type``/``challenge``/``vc_request_url``
    form (the wallet posts its DIDAuth presentation to ``vc_request_url``).
    """
    url = exchange_url(base_url, exchange_id)
    request = json.dumps({"credentialRequestOrigin": base_url,
                          "protocols": {"vcapi": url}}, separators=(",", ":"))
    legacy = urlencode({"issuer": domain_of(base_url), "auth_type": "bearer",
                        "challenge": challenge_for(secret, exchange_id),
                        "vc_request_url": url})
    return {"request": f"{LCW_REQUEST}?request={quote(request, safe='')}",
            "legacy": f"{LCW_REQUEST}?{legacy}"}


def chapi_offer(base_url: str, exchange_id: str,
                oid4vci_link: str | None = None) -> dict[str, Any]:
    """What a page hands to CHAPI: ``new WebCredential(dataType, data, options)``.

    ``data`` is an empty presentation and ``options.protocols`` the exchange
    (chapi.io "Handling a VC API Exchange": the wallet takes ``protocols.vcapi``).
    """
    return {"dataType": "VerifiablePresentation",
            "data": {"@context": [VC_V2], "type": ["VerifiablePresentation"]},
            "options": protocols(base_url, exchange_id, oid4vci_link)}


def _request(base_url: str, exchange_id: str, secret: str) -> dict[str, Any]:
    """The Verifiable Presentation Request (VP Request Spec §3, §4 DIDAuthentication)."""
    return {"verifiablePresentationRequest": {
        "query": [{"type": "DIDAuthentication",
                   "acceptedMethods": [{"method": "key"}],
                   "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"},
                                            {"cryptosuite": "Ed25519Signature2020"}]}],
        "challenge": challenge_for(secret, exchange_id),
        "domain": domain_of(base_url),
        "interact": {"service": [{"type": "UnmediatedPresentationService2021",
                                  "serviceEndpoint": exchange_url(base_url, exchange_id)}]}}}


def participate(session: so.Session, ctx: IssuerContext, exchange_id: str, body: Any, *,
                secret: str, now: datetime) -> dict[str, Any]:
    """One step of the exchange (VC-API "participate in an exchange").

    Returns:
        the VPR for an empty body; for a DIDAuth presentation, the answer holding
        the holder-bound credential (see the module docstring).

    Raises:
        ExchangeError: unknown, spent or expired exchange; a body that is neither;
            a presentation refused (challenge, domain, proof, signature: the
            :class:`badges.didauth.DidAuthError` codes); an award revoked meanwhile
            (``credential_request_denied``). A refused presentation is audited.
    """
    if body is None or body == {}:
        _row(session, exchange_id, now=now)
        return _request(ctx.base_url, exchange_id, secret)
    if not isinstance(body, dict):
        raise ExchangeError("invalid_request", "the body must be a JSON object")
    wrapped = "verifiablePresentation" in body
    presentation = body["verifiablePresentation"] if wrapped else body
    if not wrapped and "proof" not in body:
        raise ExchangeError("invalid_request",
                            "POST {} to start, then {\"verifiablePresentation\": ...}")
    row = _row(session, exchange_id, now=now, lock=True)
    try:
        holder = verify_didauth(presentation, challenge=challenge_for(secret, exchange_id),
                                domain=domain_of(ctx.base_url), require_domain=wrapped)
    except DidAuthError as exc:
        row.exchange_failures += 1
        if row.exchange_failures >= EXCHANGE_TRIES:
            row.code_used_at = row.code_used_at or now  # spent, for OpenID4VCI too
        audit_claim_refused(session, row, now=now, detail={
            "via": "vc-api", "reason": exc.code, "failures": row.exchange_failures})
        session.flush()
        refusal = ExchangeError(exc.code, exc.message)
        refusal.audited = True
        raise refusal from None
    try:
        credential = bind(session, ctx, row, holder, LDP, now=now, via="vc-api")
    except OAuthError as exc:
        raise ExchangeError(exc.error, exc.description, status=409) from None
    if not wrapped:
        return dict(credential)
    return {"verifiablePresentation": {"@context": [VC_V2], "type": ["VerifiablePresentation"],
                                       "verifiableCredential": [credential]}}
