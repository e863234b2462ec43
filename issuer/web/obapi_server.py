"""The OAuth 2.0 authorization server of the 1EdTech OB 3.0 API, built on Authlib.

OB 3.0 §6 (API security): hosts register by RFC 7591 dynamic client
registration, use the authorization code grant (RFC 6749 §4.1) with PKCE
``S256`` (RFC 7636, required), refresh tokens (§6) and revocation (RFC 7009).
Authlib (``authlib.integrations.flask_oauth2``) parses the requests, checks the
grants and answers with RFC 6749 §5.2 error bodies; this module supplies its
storage callbacks, which keep every client secret, code and token only as a
SHA-256 digest:

* codes live :data:`CODE_SECONDS`, are used once (claimed by one conditional
  ``UPDATE``), and a replayed code revokes the tokens it bought (RFC 6749
  §4.1.2);
* access tokens live :data:`ACCESS_SECONDS`; refresh tokens
  :data:`REFRESH_DAYS` and rotate on use; a rotated refresh token used again
  revokes every token of that client for that teacher (RFC 9700 §4.14.2);
* redirect URIs match exactly, and only registered ones (RFC 9700 §4.1.3).

The server lives in ``app.extensions["obapi"]``; the database session and the
clock are the request's (:mod:`issuer.web.common`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591 import InvalidClientMetadataError
from authlib.oauth2.rfc7591 import InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask
from flask import current_app

from issuer.models import Person
from issuer.models_obapi import OAuthClient
from issuer.models_obapi import OAuthCode
from issuer.models_obapi import OAuthToken
from issuer.services import audit
from issuer.services import obapi
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings

#: The four scopes of OB 3.0 §6 and what the consent screen says about each.
SCOPES: dict[str, str] = {
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly":
        "Read your badges (the credentials you earned here and those stored for you)",
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert":
        "Add or update badges in your wallet",
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly":
        "Read your profile (your name and e-mail address)",
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update":
        "Change the name on your profile",
}
#: Client metadata OB 3.0 §6 requires in a registration request.
REQUIRED_METADATA = ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri",
                     "software_id", "software_version", "redirect_uris", "scope")
CODE_SECONDS = 600
ACCESS_SECONDS = 3600
REFRESH_DAYS = 30
_MAX_TEXT = 500


def digest(value: str) -> str:
    """The SHA-256 hex digest under which a secret, code or token is stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def actor_of(client: OAuthClient) -> str:
    """How the audit log names an API client."""
    return f"oauth-client:{client.client_id}"


# ------------------------------------------------------------------------------ model adapters


@dataclass(frozen=True, slots=True)
class Client:
    """A registered client as Authlib's ``ClientMixin`` sees it (RFC 6749 §2)."""

    row: OAuthClient

    @property
    def meta(self) -> dict[str, Any]:
        """The registered metadata."""
        return self.row.client_metadata

    def get_client_id(self) -> str:
        """The client's id."""
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        """None: OB 3.0 requires ``redirect_uri`` on every authorization request."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes if all were registered (the registered ones if none asked)."""
        registered = scope_to_list(self.meta.get("scope", "")) or []
        if not scope:
            return " ".join(registered)
        asked = scope_to_list(scope) or []
        return " ".join(asked) if set(asked) <= set(registered) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match with a registered URI (RFC 9700 §4.1.3)."""
        return redirect_uri in self.meta.get("redirect_uris", [])

    def check_client_secret(self, client_secret: str) -> bool:
        """The secret's digest matches the stored one (constant time)."""
        return hmac.compare_digest(digest(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Only HTTP Basic (``client_secret_basic``), as OB 3.0 §6 registers."""
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        """Only ``code``."""
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """The grant types the client registered."""
        return grant_type in self.meta.get("grant_types", ["authorization_code"])


@dataclass(frozen=True, slots=True)
class Code:
    """A stored authorization code as Authlib's ``AuthorizationCodeMixin`` sees it."""

    row: OAuthCode

    @property
    def code_challenge(self) -> str:
        """The PKCE challenge the client sent."""
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str:
        """Always ``S256``."""
        return self.row.code_challenge_method

    def get_redirect_uri(self) -> str:
        """The redirect URI the code was sent to."""
        return self.row.redirect_uri

    def get_scope(self) -> str:
        """The scopes the teacher granted."""
        return self.row.scope


@dataclass(frozen=True, slots=True)
class Token:
    """A stored token pair as Authlib's ``TokenMixin`` sees it."""

    row: OAuthToken

    def check_client(self, client: Client) -> bool:
        """The token belongs to ``client``."""
        return self.row.client_pk == client.row.id

    def get_scope(self) -> str:
        """The granted scopes."""
        return self.row.scope

    def get_expires_in(self) -> int:
        """Seconds the access token lived for."""
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        """The access token's time is up (on the service's clock)."""
        return self.row.expires_at <= now()

    def is_revoked(self) -> bool:
        """The access token was revoked (or rotated away)."""
        return self.row.access_revoked_at is not None

    def get_user(self) -> Person:
        """The teacher who consented."""
        return self.row.person

    def get_client(self) -> Client:
        """The client the token was issued to."""
        return Client(self.row.client)


# ------------------------------------------------------------------------------ storage


def _query_client(client_id: str) -> Client | None:
    if not isinstance(client_id, str) or len(client_id) > 64:
        return None
    row = session().scalar(sa.select(OAuthClient).where(OAuthClient.client_id == client_id))
    return None if row is None else Client(row)


def _save_token(token: dict[str, Any], request: OAuth2Request) -> None:
    current = now()
    client: Client = request.client
    code: Code | None = getattr(request, "authorization_code", None)
    refresh = token.get("refresh_token")
    row = OAuthToken(
        client_pk=client.row.id, person_id=request.user.id,
        code_id=code.row.id if code is not None else None,
        access_hash=digest(token["access_token"]),
        refresh_hash=digest(refresh) if refresh else None, scope=token.get("scope", ""),
        issued_at=current, expires_at=current + timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=current + timedelta(days=REFRESH_DAYS) if refresh else None)
    db = session()
    db.add(row)
    audit.record(db, actor=actor_of(client.row), action="obapi.token_issued",
                 organization_id=obapi.home_organization(db, request.user.id),
                 subject_type="person", subject_id=str(request.user.id),
                 at=current, detail={"grant_type": request.payload.grant_type,
                                     "scope": row.scope})


# ------------------------------------------------------------------------------ grants


class S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE as OB 3.0 §6 requires it: a ``code_challenge`` with method ``S256``, always."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's class attribute

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        """Refuse an authorization request without a ``S256`` challenge (RFC 7636 §4.4.1)."""
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' "
                                      "with 'code_challenge_method=S256'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Unsupported 'code_challenge_method': only S256.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """The authorization code grant (RFC 6749 §4.1) with hashed, single-use codes."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012

    def validate_authorization_request(self) -> str:
        """As RFC 6749 §4.1.1, plus OB 3.0's required ``redirect_uri`` and ``state``."""
        payload = self.request.payload
        if not payload.redirect_uri:
            raise InvalidRequestError("Missing 'redirect_uri' in request.")
        redirect_uri: str = super().validate_authorization_request()
        if not payload.state:
            raise InvalidRequestError("Missing 'state' in request.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        """Store the code's digest, bound to client, teacher, redirect URI and challenge."""
        data = request.payload.data
        session().add(OAuthCode(
            code_hash=digest(code), client_pk=request.client.row.id,
            person_id=request.user.id, redirect_uri=request.payload.redirect_uri,
            scope=request.scope or "", code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"], created_at=now(),
            expires_at=now() + timedelta(seconds=CODE_SECONDS)))

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        """Claim the code once; a replay revokes what it bought (RFC 6749 §4.1.2)."""
        db = session()
        row = db.scalar(sa.select(OAuthCode).where(OAuthCode.code_hash == digest(code)))
        if row is None or row.client_pk != client.row.id:
            return None
        current = now()
        if row.used_at is not None:
            db.execute(sa.update(OAuthToken).where(
                OAuthToken.code_id == row.id).values(access_revoked_at=current,
                                                     refresh_revoked_at=current))
            audit.record(db, actor=actor_of(client.row), action="obapi.code_replayed",
                         organization_id=obapi.home_organization(db, row.person_id),
                         subject_type="person", subject_id=str(row.person_id), at=current)
            return None
        if row.expires_at <= current:
            return None
        claimed = db.execute(sa.update(OAuthCode).where(
            OAuthCode.id == row.id, OAuthCode.used_at.is_(None)).values(used_at=current))
        if getattr(claimed, "rowcount", 0) != 1:
            return None  # another request claimed it first
        return Code(row)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Nothing left to do: the code was marked used when it was claimed."""

    def authenticate_user(self, authorization_code: Code) -> Person | None:
        """The teacher who consented."""
        return session().get(Person, authorization_code.row.person_id)


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """Refresh with rotation (RFC 6749 §6; RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        """The live token pair of ``refresh_token``; a rotated one revokes the family."""
        if not isinstance(refresh_token, str):
            return None
        db = session()
        row = db.scalar(sa.select(OAuthToken).where(
            OAuthToken.refresh_hash == digest(refresh_token)))
        if row is None:
            return None
        current = now()
        if row.refresh_revoked_at is not None:
            obapi.revoke_all(db, row.client_pk, row.person_id, at=current)
            audit.record(db, actor=actor_of(row.client), action="obapi.refresh_replayed",
                         organization_id=obapi.home_organization(db, row.person_id),
                         subject_type="person", subject_id=str(row.person_id), at=current)
            return None
        if row.refresh_expires_at is None or row.refresh_expires_at <= current:
            return None
        return Token(row)

    def authenticate_user(self, refresh_token: Token) -> Person:
        """The teacher who consented."""
        return refresh_token.row.person

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """The old pair stops working once the new one is issued."""
        current = now()
        refresh_token.row.refresh_revoked_at = current
        refresh_token.row.access_revoked_at = refresh_token.row.access_revoked_at or current


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """Token revocation (RFC 7009), with HTTP Basic client authentication."""

    CLIENT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        """The token pair ``token_string`` is the access or refresh token of."""
        hashed = digest(token_string)
        column = {"access_token": OAuthToken.access_hash,
                  "refresh_token": OAuthToken.refresh_hash}
        for name in ([token_type_hint] if token_type_hint else []) + list(column):
            row = session().scalar(sa.select(OAuthToken).where(column[name] == hashed))
            if row is not None:
                return Token(row)
        return None

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        """Revoke the access token; revoking the refresh token revokes both."""
        current = now()
        token.row.access_revoked_at = token.row.access_revoked_at or current
        if request.form.get("token_type_hint") != "access_token":
            token.row.refresh_revoked_at = token.row.refresh_revoked_at or current
        audit.record(session(), actor=actor_of(token.row.client), action="obapi.token_revoked",
                     organization_id=obapi.home_organization(session(), token.row.person_id),
                     subject_type="person", subject_id=str(token.row.person_id), at=current)


# ------------------------------------------------------------------------------ registration


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_url(value: Any, name: str, *, development: bool) -> None:
    """An absolute HTTPS URL without fragment (plain HTTP to loopback in development).

    Raises:
        InvalidClientMetadataError: otherwise (InvalidRedirectURIError for redirect URIs).
    """
    error = InvalidRedirectURIError if name == "redirect_uris" else InvalidClientMetadataError
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise error(f"'{name}' must hold absolute URLs of at most {_MAX_TEXT} characters.")
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (
        development and parts.scheme == "http" and _loopback(parts.hostname))
    if not secure or not parts.hostname or parts.fragment or parts.username:
        raise error(f"'{name}' must be an https URL without a fragment: {value!r}.")


class ObClientMetadata(ClientMetadataClaims):  # type: ignore[misc]
    """RFC 7591 §2 metadata with OB 3.0 §6's required fields and HTTPS URLs."""

    def validate(self, now: Any = None, leeway: int = 0) -> None:
        """Check the required fields and every URL, then RFC 7591's own rules."""
        missing = [name for name in REQUIRED_METADATA if not self.get(name)]
        if missing:
            raise InvalidClientMetadataError(f"Missing {', '.join(missing)}.")
        development = settings().development
        uris = self.get("redirect_uris")
        if not isinstance(uris, list) or not 1 <= len(uris) <= 10:
            raise InvalidRedirectURIError("'redirect_uris' must list 1 to 10 URLs.")
        for uri in uris:
            check_url(uri, "redirect_uris", development=development)
        for name in ("client_uri", "logo_uri", "tos_uri", "policy_uri"):
            check_url(self.get(name), name, development=development)
        for name in ("client_name", "software_id", "software_version", "scope"):
            value = self.get(name)
            if not isinstance(value, str) or len(value) > _MAX_TEXT:
                raise InvalidClientMetadataError(f"'{name}' must be text.")
        super().validate(now, leeway)


class Registration(ClientRegistrationEndpoint):  # type: ignore[misc]
    """Open dynamic client registration (RFC 7591 §3; OB 3.0 §6: no initial token)."""

    def authenticate_token(self, request: Any) -> str:
        """OB 3.0 registration needs no initial access token."""
        return "anonymous"

    def get_server_metadata(self) -> dict[str, Any]:
        """What clients may register (RFC 8414 names)."""
        return {"scopes_supported": list(SCOPES), "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"]}

    def generate_client_info(self, request: Any) -> dict[str, Any]:
        """A random id and secret (256 bits), issued on the service's clock."""
        return {"client_id": secrets.token_urlsafe(24),
                "client_secret": secrets.token_urlsafe(32),
                "client_id_issued_at": int(now().timestamp()), "client_secret_expires_at": 0}

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        """The validated metadata with RFC 7591 §2's defaults filled in (and answered)."""
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        return {"token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code"], "response_types": ["code"],
                **{name: value for name, value in metadata.items() if value is not None}}

    def save_client(self, client_info: dict[str, Any], client_metadata: dict[str, Any],
                    request: Any) -> OAuthClient:
        """Store the client with its secret's digest only."""
        metadata = client_metadata
        row = OAuthClient(client_id=client_info["client_id"],
                          secret_hash=digest(client_info["client_secret"]),
                          client_metadata=metadata, issued_at=now())
        db = session()
        db.add(row)
        audit.record(db, actor=actor_of(row), action="obapi.client_registered",
                     organization_id=None, subject_type="oauth_client",
                     subject_id=row.client_id, at=now(),
                     detail={"client_name": metadata["client_name"],
                             "redirect_uris": metadata["redirect_uris"]})
        return row


# ------------------------------------------------------------------------------ resources


class Bearer(BearerTokenValidator):  # type: ignore[misc]
    """Access tokens for the resource endpoints (RFC 6750), found by digest."""

    def authenticate_token(self, token_string: str) -> Token | None:
        """The stored token pair of ``token_string``."""
        row = session().scalar(sa.select(OAuthToken).where(
            OAuthToken.access_hash == digest(token_string)))
        return None if row is None else Token(row)


def _expires_in(client: Client, grant_type: str) -> int:
    return ACCESS_SECONDS


def init_app(app: Flask) -> None:
    """Build the authorization server and resource protector into ``app.extensions``."""
    server = AuthorizationServer(query_client=_query_client, save_token=_save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        lambda *_a, **_k: secrets.token_urlsafe(32),
        lambda *_a, **_k: secrets.token_urlsafe(48), _expires_in))
    server.scopes_supported = list(SCOPES)
    server.register_grant(CodeGrant, [S256Challenge(required=True)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Registration(claims_classes=[ObClientMetadata]))
    protector = ResourceProtector()
    protector.register_token_validator(Bearer())
    app.extensions["obapi"] = {"server": server, "protector": protector}


def server() -> AuthorizationServer:
    """The running app's authorization server."""
    found: AuthorizationServer = current_app.extensions["obapi"]["server"]
    return found


def protector() -> ResourceProtector:
    """The running app's resource protector."""
    found: ResourceProtector = current_app.extensions["obapi"]["protector"]
    return found
