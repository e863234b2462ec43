"""OpenID for Verifiable Credential Issuance 1.0: offers, tokens, nonces, key proofs, claims.

The pre-authorized code flow (OpenID4VCI 1.0 §3.5): a teacher asks for an
offer of one of their awards (§4.1.1); the wallet trades the offer's
pre-authorized code (and the transaction code, when the offer has one,
§4.1.1 ``tx_code``) for an access token at the token endpoint (§6), gets a
``c_nonce`` from the nonce endpoint (§7), and asks the credential endpoint
(§8) for the credential with a key proof (Appendix F.1, ``jwt``). The answer
is the award re-signed with ``credentialSubject.id`` set to the holder's
DID: the district's stored award stays the record, the claimed copy carries
the same id and the same status list entries (revoking the award revokes the
copy), and the claim is audited.

Codes and tokens are random (256 bits), stored only as SHA-256 hashes,
single use and expiring. Nonces are stateless: an expiry time and random
bytes MACed with a key derived from the service's secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import did as did_methods
from badges import keys
from badges.errors import BadgesError
from badges.jwt import JWT_REGISTERED_CLAIMS
from badges.jwt import decode_jwt
from badges.loader import OB_CONTEXT
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_oid4vci import CredentialOffer
from issuer.services import audit
from issuer.services import signing_keys
from issuer.services.context import IssuerContext
from issuer.services.errors import ProtocolError
from issuer.services.errors import ServiceError
from issuer.services.issuance import sign_document

__all__ = ["ALGORITHMS", "AUTHORIZATION_CODE_GRANT", "CONFIGURATIONS", "OAuthError", "Claimed",
           "PRE_AUTHORIZED_GRANT", "audit_claim_refused", "audit_refusal",
           "authorization_server_metadata", "bind",
           "claim",
           "create_offer", "hash_secret", "issue_token", "issuer_metadata", "new_nonce",
           "offer_by_reference", "offer_link", "offer_object", "redeem_code", "set_tx_code_rule",
           "tx_code_required"]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
PROOF_TYP = "openid4vci-proof+jwt"
#: Key proof algorithms accepted (Appendix F.1): the JOSE names of the key types we verify.
ALGORITHMS: dict[str, keys.KeyType] = {"EdDSA": "ed25519", "ES256": "p256"}
VC_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
VC_V2 = "https://www.w3.org/ns/credentials/v2"
#: credential_configuration_id -> our stored format.
CONFIGURATIONS: dict[str, str] = {"OpenBadgeCredential_ldp_vc": "di",
                                  "OpenBadgeCredential_jwt_vc_json": "jwt"}
OFFER_LIFETIME = timedelta(minutes=30)
TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
#: Wrong transaction codes an offer survives (a 6-digit code must not be guessable).
TX_CODE_TRIES = 5
#: How far a proof's ``iat`` may be from our clock.
PROOF_SKEW = timedelta(minutes=5)
_MAX_PROOF = 16_384


class OAuthError(ProtocolError):
    """An error answered with an OAuth 2.0 / OpenID4VCI error body (RFC 6749 §5.2, §8.3.1.2).

    Attributes:
        error: the ``error`` code (``invalid_grant``, ``invalid_proof``...).
        description: ``error_description`` for people.
        status: the HTTP status.
    """

    def body(self) -> dict[str, str]:
        """The JSON error body."""
        return {"error": self.error, "error_description": self.description}


def hash_secret(value: str) -> str:
    """The SHA-256 hex digest under which codes, tokens and exchange ids are stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- metadata --------------------------------------------------------------------------------


def issuer_metadata(base_url: str) -> dict[str, Any]:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4), one configuration per format.

    The credential issuer identifier is the service's base URL, which is also
    its authorization server (no ``authorization_servers``, §12.2.4).
    """
    proof_types = {"jwt": {"proof_signing_alg_values_supported": sorted(ALGORITHMS)}}
    binding = ["did:key", "did:jwk", "jwk"]
    display = {"credential_metadata": {"display": [
        {"name": "Open Badge (Open Badges 3.0)", "locale": "en"},
        {"name": "Insignia Open Badge (Open Badges 3.0)", "locale": "es"}]}}
    return {
        "credential_issuer": base_url,
        "credential_endpoint": f"{base_url}/oid4vci/credential",
        "nonce_endpoint": f"{base_url}/oid4vci/nonce",
        "display": [{"name": "Open Badges micro-credentials", "locale": "en"}],
        "credential_configurations_supported": {
            "OpenBadgeCredential_ldp_vc": {
                "format": "ldp_vc", "scope": "OpenBadgeCredential_ldp_vc",
                "credential_definition": {"@context": [VC_V2, OB_CONTEXT], "type": VC_TYPES},
                "cryptographic_binding_methods_supported": binding,
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": proof_types, **display},
            "OpenBadgeCredential_jwt_vc_json": {
                "format": "jwt_vc_json", "scope": "OpenBadgeCredential_jwt_vc_json",
                "credential_definition": {"type": VC_TYPES},
                "cryptographic_binding_methods_supported": binding,
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": proof_types, **display},
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414 §2; OpenID4VCI 1.0 §12.3).

    Both grants: the pre-authorized code (§3.5) and the authorization code with
    PKCE S256 (§3.4, RFC 7636) for a teacher who signs in; public clients
    (``none``), scopes named after the credential configurations (§5.1.2).
    """
    return {
        "issuer": base_url,
        "authorization_endpoint": f"{base_url}/oid4vci/authorize",
        "token_endpoint": f"{base_url}/oid4vci/token",
        "grant_types_supported": [AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_details_types_supported": ["openid_credential"],
        "scopes_supported": sorted(CONFIGURATIONS),
        "authorization_response_iss_parameter_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


# --- offers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A new offer: the Credential Offer object (§4.1.1) and its secrets, shown once."""

    row: CredentialOffer
    offer: dict[str, Any]
    tx_code: str | None
    uri: str
    #: The offer's VC-API exchange URL (see :mod:`issuer.services.vcapi`), whose last
    #: segment is a secret like the code; None when the offer needs a transaction code,
    #: which the exchange has no way to ask for.
    exchange_url: str | None

    @property
    def link(self) -> str:
        """The ``openid-credential-offer://`` link by reference (§4.1.3), short enough for a QR."""
        return "openid-credential-offer://?credential_offer_uri=" + quote(self.uri, safe="")

    @property
    def link_by_value(self) -> str:
        """The same offer by value (§4.1.2)."""
        return offer_link(self.offer)


def offer_link(offer: dict[str, Any]) -> str:
    """``openid-credential-offer://?credential_offer=...`` (OpenID4VCI 1.0 §4.1.2)."""
    text = json.dumps(offer, separators=(",", ":"))
    return "openid-credential-offer://?credential_offer=" + quote(text, safe="")


def create_offer(session: so.Session, issued: IssuedCredential, *, base_url: str, actor: str,
                 now: datetime, configurations: tuple[str, ...] = tuple(CONFIGURATIONS),
                 with_tx_code: bool = False) -> Offer:
    """Offer one award to a wallet with the pre-authorized code flow (OpenID4VCI 1.0 §4.1.1).

    Raises:
        ServiceError: ``not_claimable`` for a revoked or suspended award;
            ``unknown_configuration`` for a configuration id we do not offer.
    """
    if issued.revoked_at is not None or issued.suspended_at is not None:
        raise ServiceError("a revoked or suspended badge cannot be claimed into a wallet",
                           code="not_claimable", status=409)
    unknown = [c for c in configurations if c not in CONFIGURATIONS]
    if unknown or not configurations:
        raise ServiceError(f"unknown credential configuration(s): {unknown}",
                           code="unknown_configuration")
    code = secrets.token_urlsafe(32)
    exchange = None if with_tx_code else secrets.token_urlsafe(32)
    tx_code = f"{secrets.randbelow(10**6):06d}" if with_tx_code else None
    row = CredentialOffer(credential_pk=issued.id, code_hash=hash_secret(code),
                          exchange_hash=hash_secret(exchange) if exchange else None,
                          configurations=" ".join(configurations),
                          tx_code_hash=hash_secret(tx_code) if tx_code else None,
                          created_by=actor,
                          created_at=now, expires_at=now + OFFER_LIFETIME)
    session.add(row)
    session.flush()
    offer = offer_object(row, code, base_url=base_url)
    audit.record(session, actor=actor, action="credential.offer_created",
                 organization_id=issued.organization_id, subject_type="credential",
                 subject_id=issued.credential_id, at=now,
                 detail={"offer": row.id, "expires": row.expires_at.isoformat(),
                         "tx_code": tx_code is not None})
    return Offer(row, offer, tx_code, f"{base_url}/oid4vci/offers/{code}",
                 f"{base_url}/exchanges/{exchange}" if exchange else None)


def offer_object(row: CredentialOffer, code: str, *, base_url: str) -> dict[str, Any]:
    """The Credential Offer object (OpenID4VCI 1.0 §4.1.1) of ``row``, whose code is ``code``."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if row.tx_code_hash is not None:
        grant["tx_code"] = {"length": 6, "input_mode": "numeric",
                            "description": "The code sent to you by e-mail"}
    return {"credential_issuer": base_url,
            "credential_configuration_ids": row.configurations.split(),
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def offer_by_reference(session: so.Session, code: str, *, base_url: str,
                       now: datetime) -> dict[str, Any]:
    """The offer a ``credential_offer_uri`` names (§4.1.3): its URL holds the code itself.

    Only the code's hash is stored, so the URL is as secret as the code, and it
    answers only while the offer is unused and unexpired.

    Raises:
        ServiceError: ``offer_not_found`` (404) otherwise.
    """
    row = session.scalar(sa.select(CredentialOffer).where(
        CredentialOffer.code_hash == hash_secret(code)))
    if row is None or row.code_used_at is not None or now >= row.expires_at:
        raise ServiceError("no such credential offer, or it was used or has expired",
                           code="offer_not_found", status=404)
    return offer_object(row, code, base_url=base_url)


def tx_code_required(org: Organization) -> bool:
    """Whether claims of ``org``'s badges need a transaction code (its rule or its district's)."""
    return org.claim_tx_code or (org.parent is not None and org.parent.claim_tx_code)


def set_tx_code_rule(session: so.Session, org: Organization, *, enabled: bool, actor: str,
                     now: datetime) -> Organization:
    """Require (or stop requiring) an e-mailed transaction code on wallet claims (§4.1.1)."""
    if org.claim_tx_code != enabled:
        org.claim_tx_code = enabled
        audit.record(session, actor=actor, action="issuer.claim_tx_code_set",
                     organization_id=org.id, subject_type="organization", subject_id=org.slug,
                     at=now, detail={"enabled": enabled})
    return org


# --- token endpoint --------------------------------------------------------------------------


def redeem_code(session: so.Session, form: dict[str, str], *, now: datetime) -> dict[str, Any]:
    """The token endpoint (OpenID4VCI 1.0 §6; RFC 6749 §4.1.3, §5.1).

    Raises:
        OAuthError: ``unsupported_grant_type``, ``invalid_request`` (no code),
            ``invalid_grant`` (unknown, used or expired code, wrong or missing
            transaction code).
    """
    grant = form.get("grant_type")
    if grant != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type",
                         f"grant_type must be {PRE_AUTHORIZED_GRANT}")
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    row = session.scalar(sa.select(CredentialOffer).where(
        CredentialOffer.code_hash == hash_secret(code)).with_for_update())
    if row is None or row.code_challenge is not None:  # not an authorization code either
        raise OAuthError("invalid_grant", "the pre-authorized code is not known")
    if row.code_used_at is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    if now >= row.expires_at:
        raise OAuthError("invalid_grant", "the credential offer has expired")
    if row.tx_code_hash is not None:
        given = form.get("tx_code")
        if not given:
            raise OAuthError("invalid_request", "this offer needs its transaction code (tx_code)")
        if not hmac.compare_digest(hash_secret(given), row.tx_code_hash):
            row.tx_code_failures += 1
            if row.tx_code_failures >= TX_CODE_TRIES:
                row.code_used_at = now  # spent: ask for a new offer
            session.flush()
            raise OAuthError("invalid_grant", "the transaction code is wrong")
    return issue_token(session, row, now=now)


def issue_token(session: so.Session, row: CredentialOffer, *, now: datetime) -> dict[str, Any]:
    """Spend ``row``'s code and answer a new access token (RFC 6749 §5.1), stored hashed."""
    token = secrets.token_urlsafe(32)
    row.code_used_at = now
    row.token_hash = hash_secret(token)
    row.token_expires_at = now + TOKEN_LIFETIME
    session.flush()
    return {"access_token": token, "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds())}


# --- nonces ----------------------------------------------------------------------------------


def _nonce_mac(secret: str, body: str) -> str:
    key = hashlib.sha256(b"badges/oid4vci-nonce\0" + secret.encode("utf-8")).digest()
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_nonce(secret: str, *, now: datetime) -> dict[str, Any]:
    """A fresh ``c_nonce`` (OpenID4VCI 1.0 §7.2): expiry and randomness, MACed."""
    body = f"{int((now + NONCE_LIFETIME).timestamp())}.{secrets.token_urlsafe(16)}"
    return {"c_nonce": f"{body}.{_nonce_mac(secret, body)}",
            "c_nonce_expires_in": int(NONCE_LIFETIME.total_seconds())}


def _nonce_ok(secret: str, nonce: Any, *, now: datetime) -> bool:
    if not isinstance(nonce, str) or nonce.count(".") != 2 or len(nonce) > 200:
        return False
    expiry, random, mac = nonce.split(".")
    if not hmac.compare_digest(mac, _nonce_mac(secret, f"{expiry}.{random}")):
        return False
    return expiry.isdigit() and now.timestamp() < int(expiry)


# --- credential endpoint ---------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """The answer of the credential endpoint: the credential and its format."""

    credential: Any
    holder: str

    def body(self) -> dict[str, Any]:
        """The Credential Response (OpenID4VCI 1.0 §8.3)."""
        return {"credentials": [{"credential": self.credential}]}


def _bearer(session: so.Session, authorization: str | None, *, now: datetime) -> CredentialOffer:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError("invalid_token", "an access token (Bearer) is required", status=401)
    row = session.scalar(sa.select(CredentialOffer).where(
        CredentialOffer.token_hash == hash_secret(token.strip())).with_for_update())
    if row is None or row.token_expires_at is None or now >= row.token_expires_at:
        raise OAuthError("invalid_token", "the access token is unknown or expired", status=401)
    if row.claimed_at is not None:
        raise OAuthError("invalid_token", "the access token was already used", status=401)
    return row


def _proof_jwt(body: dict[str, Any]) -> str:
    proofs = body.get("proofs")
    if proofs is not None:
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"} \
                or not isinstance(proofs["jwt"], list) or len(proofs["jwt"]) != 1:
            raise OAuthError("invalid_proof", "proofs must be {\"jwt\": [one key proof]}")
        value = proofs["jwt"][0]
    else:
        proof = body.get("proof")
        if not isinstance(proof, dict):
            raise OAuthError("invalid_proof", "a key proof (proofs.jwt) is required")
        if proof.get("proof_type") != "jwt":
            raise OAuthError("invalid_proof", "proof_type must be 'jwt'")
        value = proof.get("jwt")
    if not isinstance(value, str) or not value or len(value) > _MAX_PROOF:
        raise OAuthError("invalid_proof", "the key proof is not a compact JWT")
    return value


def _holder_key(header: dict[str, Any]) -> tuple[str, keys.PublicKey]:
    """The holder's DID and key from the proof's ``kid`` (a DID URL) or ``jwk`` (F.1)."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise OAuthError("invalid_proof", "the proof header needs exactly one of kid or jwk")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict) or {"d", "p", "q", "k"} & jwk.keys():
                raise OAuthError("invalid_proof", "jwk must be a public JWK")
            public = keys.public_from_jwk(jwk)
            return did_methods.did_jwk_for(public), public
        if not isinstance(kid, str):
            raise OAuthError("invalid_proof", "kid must be a DID URL")
        if kid.startswith("did:key:"):
            resolved = did_methods.resolve_did_key(kid)
        elif kid.startswith("did:jwk:"):
            resolved = did_methods.resolve_did_jwk(kid)
        else:
            raise OAuthError("invalid_proof", "kid must be a did:key or did:jwk URL")
    except BadgesError as exc:
        raise OAuthError("invalid_proof", f"the holder key is not usable: {exc}") from None
    return resolved.controller, resolved.public_key


def check_proof(jwt: str, *, audience: str, secret: str, now: datetime) -> str:
    """Check a ``jwt`` key proof (OpenID4VCI 1.0 Appendix F.1, F.4); return the holder's DID.

    Raises:
        OAuthError: ``invalid_proof`` (malformed, wrong ``typ``/``alg``/``aud``/``iat``,
            unusable key, bad signature) or ``invalid_nonce`` (missing, forged or
            expired ``nonce``).
    """
    try:
        decoded = decode_jwt(jwt, max_length=_MAX_PROOF, check_header=False)
    except BadgesError as exc:
        raise OAuthError("invalid_proof", f"the key proof is not a JWT: {exc}") from None
    header, claims = decoded.header, decoded.payload
    if header.get("typ") != PROOF_TYP:
        raise OAuthError("invalid_proof", f"the proof's typ must be {PROOF_TYP}")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise OAuthError("invalid_proof", f"alg must be one of {sorted(ALGORITHMS)}")
    holder, public = _holder_key(header)
    if public.type != ALGORITHMS[alg]:
        raise OAuthError("invalid_proof", "alg does not match the holder's key")
    if not public.verify(decoded.signature, decoded.signing_input):
        raise OAuthError("invalid_proof", "the key proof's signature does not verify")
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise OAuthError("invalid_proof", f"aud must be the credential issuer {audience}")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool) \
            or abs(iat - now.timestamp()) > PROOF_SKEW.total_seconds():
        raise OAuthError("invalid_proof", "iat is missing or not close to the issuer's time")
    if not _nonce_ok(secret, claims.get("nonce"), now=now):
        raise OAuthError("invalid_nonce", "the nonce is missing, unknown or expired; "
                                          "ask the nonce endpoint for a fresh one")
    return holder


def _unsigned(issued: IssuedCredential) -> dict[str, Any]:
    """The stored award without its securing: the DI proof or the JWT's registered claims."""
    if issued.format == "di":
        credential: dict[str, Any] = json.loads(issued.document)
        credential.pop("proof", None)
        return credential
    decoded = decode_jwt(issued.document)
    if decoded.form == "vc_claim":
        return dict(decoded.credential)
    return {k: v for k, v in decoded.credential.items() if k not in JWT_REGISTERED_CLAIMS}


def _restatus(status: Any, fmt: str) -> Any:
    """The same status entries, naming the list in the copy's own securing (BSL §3.2)."""
    def one(entry: Any) -> Any:
        if not isinstance(entry, dict) or not isinstance(entry.get("statusListCredential"), str):
            return entry
        url = entry["statusListCredential"].removesuffix(".jwt")
        return {**entry, "statusListCredential": f"{url}.jwt" if fmt == "jwt" else url}
    return [one(e) for e in status] if isinstance(status, list) else one(status)


def claim(session: so.Session, ctx: IssuerContext, body: Any, *, authorization: str | None,
          secret: str, now: datetime) -> Claimed:
    """The credential endpoint (OpenID4VCI 1.0 §8): the award, bound to the holder's key.

    Raises:
        OAuthError: ``invalid_token`` (401), ``invalid_credential_request``,
            ``unknown_credential_configuration``, ``unknown_credential_identifier``,
            ``invalid_proof``, ``invalid_nonce``,
            ``credential_request_denied`` (the award was revoked or suspended meanwhile).
    """
    row = _bearer(session, authorization, now=now)
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "the request body must be a JSON object")
    if row.by_details:  # the token named credential identifiers (§6.2): use them (§8.2)
        configuration = body.get("credential_identifier")
        if "credential_configuration_id" in body or not isinstance(configuration, str):
            raise OAuthError("invalid_credential_request",
                             "this token names credential identifiers: send "
                             "credential_identifier, not credential_configuration_id")
        if configuration not in row.configurations.split():
            raise OAuthError("unknown_credential_identifier",
                             f"{configuration!r} is not an identifier of this token")
    else:
        configuration = body.get("credential_configuration_id")
        if "credential_identifier" in body or not isinstance(configuration, str):
            raise OAuthError("invalid_credential_request",
                             "credential_configuration_id is required")
    if configuration not in CONFIGURATIONS:
        raise OAuthError("unknown_credential_configuration",
                         f"{configuration!r} is not offered here")
    if configuration not in row.configurations.split():
        raise OAuthError("invalid_credential_request",
                         f"the offer did not include {configuration!r}")
    holder = check_proof(_proof_jwt(body), audience=ctx.base_url, secret=secret, now=now)
    return Claimed(bind(session, ctx, row, holder, configuration, now=now, via="oid4vci"),
                   holder)


def bind(session: so.Session, ctx: IssuerContext, row: CredentialOffer, holder: str,
         configuration: str, *, now: datetime, via: str) -> Any:
    """Re-sign ``row``'s award with ``credentialSubject.id`` = ``holder``; spend the offer.

    The copy keeps the award's id and its status entries (BSL §3.2), so revoking
    the award revokes every copy; the claim is audited (``via`` says which
    protocol: ``oid4vci`` or ``vc-api``). Returns the credential (a JSON object
    for ``ldp_vc``, a compact JWT for ``jwt_vc_json``).

    Raises:
        OAuthError: ``credential_request_denied`` when the award was revoked or
            suspended meanwhile, or cannot be bound.
    """
    fmt = CONFIGURATIONS[configuration]
    issued = row.credential
    if issued.revoked_at is not None or issued.suspended_at is not None:
        raise OAuthError("credential_request_denied", "this badge was revoked or suspended")
    credential = _unsigned(issued)
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        raise OAuthError("credential_request_denied", "this badge cannot be re-bound")
    credential["credentialSubject"] = {"id": holder, **{k: v for k, v in subject.items()
                                                         if k != "id"}}
    if "credentialStatus" in credential:
        credential["credentialStatus"] = _restatus(credential["credentialStatus"], fmt)
    org = issued.organization
    key_type: keys.KeyType = "ed25519" if fmt == "di" else "p256"
    try:
        signer = signing_keys.current_signer(session, org, key_type, kek=ctx.kek,
                                             base_url=ctx.base_url)
    except LookupError:
        raise OAuthError("credential_request_denied", "the issuer has no signing key",
                         status=400) from None
    try:
        signed = sign_document(credential, key=signer.pair, fmt=fmt,  # type: ignore[arg-type]
                               created=now.replace(microsecond=0),
                               status_array=isinstance(credential.get("credentialStatus"), list))
    except ServiceError as exc:  # the holder's DID made the copy fail the schema
        raise OAuthError("credential_request_denied",
                         f"this badge cannot be bound to that key: {exc.message}") from None
    row.claimed_at = now
    row.code_used_at = row.code_used_at or now  # one claim per offer, by either protocol
    row.holder = holder
    row.configuration = configuration
    audit.record(session, actor=holder, action="credential.claimed",
                 organization_id=issued.organization_id, subject_type="credential",
                 subject_id=issued.credential_id, at=now,
                 detail={"offer": row.id, "holder": holder, "configuration": configuration,
                         "key": signer.row.key_id, "via": via})
    session.flush()
    return json.loads(signed) if fmt == "di" else signed


def audit_refusal(session: so.Session, error: OAuthError, *, endpoint: str,
                  code: str | None = None, token: str | None = None, client: str,
                  now: datetime) -> None:
    """Audit a refused token or credential request (issue #19: "all flows audited").

    The offer the request named (by its code or access token, looked up by hash)
    gives the event its organization and badge, so district admins see refused
    claims of their badges; a request naming nothing known is logged without an
    organization. Nothing secret is recorded: only the error code and endpoint.

    Args:
        session: the database session (the caller commits).
        error: the refusal answered.
        endpoint: ``token`` or ``credential``.
        code: the pre-authorized or authorization code sent, if any.
        token: the Bearer access token sent, if any.
        client: the client address (:func:`issuer.workflow.throttle.address_key`).
        now: the time.
    """
    row = None
    if code:
        row = session.scalar(sa.select(CredentialOffer).where(
            CredentialOffer.code_hash == hash_secret(code)))
    elif token:
        row = session.scalar(sa.select(CredentialOffer).where(
            CredentialOffer.token_hash == hash_secret(token)))
    audit_claim_refused(session, row, now=now, detail={
        "via": "openid4vci", "endpoint": endpoint, "reason": error.error, "client": client})


def audit_claim_refused(session: so.Session, row: CredentialOffer | None, *, now: datetime,
                        detail: dict[str, Any]) -> None:
    """Record ``credential.claim_refused`` for a refused claim step, by either protocol.

    The offer (when the request named a known one) gives the event its
    organization and badge; without one the badge is ``unknown``.

    Args:
        session: the database session (the caller commits).
        row: the offer the request named, if it is known.
        now: the time.
        detail: what was refused and how (``via``, ``reason``...), after the offer's id.
    """
    issued = row.credential if row is not None else None
    audit.record(session, actor="wallet", action="credential.claim_refused",
                 organization_id=issued.organization_id if issued is not None else None,
                 subject_type="credential",
                 subject_id=issued.credential_id if issued is not None else "unknown",
                 at=now, detail={"offer": row.id if row is not None else None, **detail})
