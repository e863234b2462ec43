"""OpenID4VCI 1.0 authorization code flow for a signed-in teacher (§3.4, RFC 6749 §4.1).

The wallet sends the teacher's browser to the authorization endpoint (§5.1)
with ``response_type=code``, its ``client_id``, ``redirect_uri``, a PKCE S256
``code_challenge`` (RFC 7636 §4.3) and either a ``scope`` naming the credential
configurations it wants (§5.1.2: the scopes of the issuer metadata) or
``authorization_details`` of type ``openid_credential`` (§5.1.1); then the token
response names one credential identifier per configuration (the configuration
id itself, §6.2), which the credential request uses (§8.2). The
teacher signs in if needed, picks one of their badges and consents; the
endpoint redirects to ``redirect_uri`` with a single-use authorization code,
``state`` and ``iss`` (RFC 9207). The token endpoint trades the code for an
access token (§6.1) when ``redirect_uri`` and ``client_id`` match exactly and
the ``code_verifier`` hashes to the challenge; the credential endpoint then
works as for pre-authorized offers (the grant makes a
:class:`~issuer.models_oid4vci.CredentialOffer` row with no pre-authorized
code). Wallets are public clients without registration (``none``), so the
consent page names the wallet's ``client_id`` and where it will be sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import IssuedCredential
from issuer.models_oid4vci import CredentialOffer
from issuer.services import audit
from issuer.services.oid4vci import AUTHORIZATION_CODE_GRANT
from issuer.services.oid4vci import CONFIGURATIONS
from issuer.services.oid4vci import OAuthError
from issuer.services.oid4vci import hash_secret
from issuer.services.oid4vci import issue_token

__all__ = ["AuthorizationRequest", "CODE_LIFETIME", "DETAILS_TYPE", "RedirectError",
           "authorize", "deny", "parse_request", "redeem_authorization_code"]

DETAILS_TYPE = "openid_credential"
#: An authorization code lives this long (RFC 6749 §4.1.2: short, "10 minutes maximum").
CODE_LIFETIME = timedelta(minutes=5)
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 §4.1
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of 32 bytes, no padding
_MAX = 2000


class RedirectError(Exception):
    """An authorization error sent back to the wallet's redirect URI (RFC 6749 §4.1.2.1)."""

    def __init__(self, request: AuthorizationRequest, error: str, description: str) -> None:
        super().__init__(description)
        self.location = request.redirect_with(
            {"error": error, "error_description": description})


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request (OpenID4VCI 1.0 §5.1; RFC 6749 §4.1.1; RFC 7636 §4.3)."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    configurations: tuple[str, ...]
    state: str | None
    issuer: str
    #: asked with ``authorization_details`` (§5.1.1) rather than ``scope`` (§5.1.2)
    details: bool = False

    def redirect_with(self, params: dict[str, str]) -> str:
        """``redirect_uri`` with the answer, ``state`` and ``iss`` added (RFC 9207 §2)."""
        answer = {**params, "iss": self.issuer}
        if self.state is not None:
            answer["state"] = self.state
        glue = "&" if urlsplit(self.redirect_uri).query else "?"
        return self.redirect_uri + glue + urlencode(answer)

    def hidden_fields(self) -> dict[str, str]:
        """The request again, for the consent form to post back."""
        fields = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": self.redirect_uri, "code_challenge": self.code_challenge,
                  "code_challenge_method": "S256"}
        if self.details:
            fields["authorization_details"] = json.dumps(
                [{"type": DETAILS_TYPE, "credential_configuration_id": c}
                 for c in self.configurations])
        else:
            fields["scope"] = " ".join(self.configurations)
        if self.state is not None:
            fields["state"] = self.state
        return fields

    @property
    def redirect_source(self) -> str:
        """The redirect target as a CSP source: its origin, or its private-use scheme."""
        parts = urlsplit(self.redirect_uri)
        if parts.scheme.lower() in ("https", "http"):
            return f"{parts.scheme.lower()}://{parts.netloc}"
        return f"{parts.scheme.lower()}:"

    @property
    def wallet_host(self) -> str:
        """Where the teacher will be sent, for the consent page."""
        parts = urlsplit(self.redirect_uri)
        return parts.netloc or f"{parts.scheme}:"


def _redirect_uri_ok(uri: str) -> bool:
    """HTTPS, loopback HTTP (RFC 8252 §7.3) or a private-use scheme (RFC 8252 §7.1)."""
    if len(uri) > _MAX or "#" in uri:
        return False
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return bool(parts.netloc)
    if scheme == "http":
        return parts.hostname in ("127.0.0.1", "localhost", "::1")
    # a reverse-domain private-use scheme, never one a browser runs (javascript:, data:...)
    return "." in scheme and re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) is not None


def parse_request(params: dict[str, str], *, issuer: str) -> AuthorizationRequest:
    """Check an authorization request.

    Raises:
        OAuthError: ``invalid_request`` when ``client_id`` or ``redirect_uri`` is
            missing or not acceptable: the error is shown to the teacher, never
            sent to an unchecked URI (RFC 6749 §4.1.2.1).
        RedirectError: any other problem (``unsupported_response_type``,
            ``invalid_request`` for PKCE, ``invalid_scope``), for the wallet.
    """
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    if not client_id or len(client_id) > 200:
        raise OAuthError("invalid_request", "client_id is missing or too long")
    if not _redirect_uri_ok(redirect_uri):
        raise OAuthError("invalid_request", "redirect_uri is missing or not acceptable: "
                         "https, loopback http or a private-use scheme, without a fragment")
    state = params.get("state")
    if state is not None and len(state) > _MAX:
        state = None
    partial = AuthorizationRequest(client_id, redirect_uri, "", (), state, issuer)
    if params.get("response_type") != "code":
        raise RedirectError(partial, "unsupported_response_type", "response_type must be code")
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not _CHALLENGE.fullmatch(challenge):
        raise RedirectError(partial, "invalid_request",
                            "PKCE is required: code_challenge with code_challenge_method S256")
    if "authorization_details" in params:
        wanted = _details(partial, params["authorization_details"])
        return AuthorizationRequest(client_id, redirect_uri, challenge, wanted, state, issuer,
                                    details=True)
    scopes = params.get("scope", "").split()
    wanted = tuple(s for s in scopes if s in CONFIGURATIONS)
    if not wanted:
        raise RedirectError(partial, "invalid_scope", "scope must name a credential "
                            f"configuration: {', '.join(sorted(CONFIGURATIONS))}")
    return AuthorizationRequest(client_id, redirect_uri, challenge, wanted, state, issuer)


def _details(partial: AuthorizationRequest, text: str) -> tuple[str, ...]:
    """The configurations an ``authorization_details`` parameter asks for (§5.1.1, RFC 9396)."""
    try:
        details = json.loads(text) if len(text) <= _MAX else None
    except ValueError:
        details = None
    wanted: list[str] = []
    for item in details if isinstance(details, list) and details else [None]:
        if not isinstance(item, dict) or item.get("type") != DETAILS_TYPE \
                or item.get("credential_configuration_id") not in CONFIGURATIONS:
            raise RedirectError(partial, "invalid_authorization_details",
                                "authorization_details must be a list of openid_credential "
                                "entries naming a credential_configuration_id: "
                                f"{', '.join(sorted(CONFIGURATIONS))}")
        if item["credential_configuration_id"] not in wanted:
            wanted.append(item["credential_configuration_id"])
    return tuple(wanted)


def authorize(session: so.Session, request: AuthorizationRequest, issued: IssuedCredential, *,
              actor: str, now: datetime) -> str:
    """The teacher consents to ``issued`` going to the wallet: the redirect with a new code.

    Raises:
        RedirectError: ``access_denied`` for a revoked or suspended badge.
    """
    if issued.revoked_at is not None or issued.suspended_at is not None:
        raise RedirectError(request, "access_denied",
                            "a revoked or suspended badge cannot be claimed into a wallet")
    code = secrets.token_urlsafe(32)
    row = CredentialOffer(credential_pk=issued.id, code_hash=hash_secret(code),
                          configurations=" ".join(request.configurations),
                          client_id=request.client_id, redirect_uri=request.redirect_uri,
                          code_challenge=request.code_challenge, by_details=request.details,
                          created_by=actor,
                          created_at=now, expires_at=now + CODE_LIFETIME)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="credential.wallet_authorized",
                 organization_id=issued.organization_id, subject_type="credential",
                 subject_id=issued.credential_id, at=now,
                 detail={"offer": row.id, "client_id": request.client_id,
                         "redirect": request.wallet_host,
                         "configurations": list(request.configurations)})
    return request.redirect_with({"code": code})


def deny(request: AuthorizationRequest) -> str:
    """The teacher said no: ``access_denied`` to the wallet (RFC 6749 §4.1.2.1)."""
    return request.redirect_with({"error": "access_denied",
                                  "error_description": "the teacher did not allow it"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redeem_authorization_code(session: so.Session, form: dict[str, str], *,
                              now: datetime) -> dict[str, Any]:
    """The token endpoint for ``grant_type=authorization_code`` (RFC 6749 §4.1.3; RFC 7636 §4.6).

    A code used twice is refused and the token it bought is revoked (RFC 6749 §4.1.2).

    Raises:
        OAuthError: ``invalid_request`` (missing parameters), ``invalid_grant``
            (unknown, used or expired code; redirect_uri or client_id not the
            authorization request's; wrong code_verifier).
    """
    if form.get("grant_type") != AUTHORIZATION_CODE_GRANT:
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code")
    code, verifier = form.get("code"), form.get("code_verifier")
    if not code or not verifier or not form.get("redirect_uri"):
        raise OAuthError("invalid_request", "code, code_verifier and redirect_uri are required")
    row = session.scalar(sa.select(CredentialOffer).where(
        CredentialOffer.code_hash == hash_secret(code)).with_for_update())
    if row is None or row.code_challenge is None:
        raise OAuthError("invalid_grant", "the authorization code is not known")
    if row.code_used_at is not None:
        row.token_expires_at = min(row.token_expires_at or now, now)  # revoke what it bought
        session.flush()
        raise OAuthError("invalid_grant", "the authorization code was already used")
    if now >= row.expires_at:
        raise OAuthError("invalid_grant", "the authorization code has expired")
    if form["redirect_uri"] != row.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri is not the authorization request's")
    if form.get("client_id", row.client_id) != row.client_id:
        raise OAuthError("invalid_grant", "client_id is not the authorization request's")
    if not _VERIFIER.fullmatch(verifier) \
            or not hmac.compare_digest(_s256(verifier), row.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    answer = issue_token(session, row, now=now)
    if row.by_details:  # §6.2: which credentials the token buys, by identifier
        answer["authorization_details"] = [
            {"type": DETAILS_TYPE, "credential_configuration_id": c,
             "credential_identifiers": [c]} for c in row.configurations.split()]
    else:
        answer["scope"] = row.configurations
    return answer
