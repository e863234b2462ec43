"""Tables of the 1EdTech Open Badges 3.0 API (issue #19): OAuth clients, codes, tokens.

OB 3.0 §6 (Open Badges API) and its security section: hosts register
themselves (RFC 7591), a teacher consents, the host trades the code for
tokens (RFC 6749 §4.1 with PKCE, RFC 7636) and refreshes them (§6).
Client secrets, codes, access and refresh tokens are stored only as SHA-256
hex digests; codes and tokens expire; a code is used once. The models hold
data only: the rules live in :mod:`issuer.services.obapi_oauth`.

:class:`HeldCredential` is a credential a host pushed for a teacher
(``upsertCredential``), kept as received after our verifier checked it, and
listed in the teacher's wallet as "from elsewhere".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Base
from issuer.models import Person
from issuer.models import UTCDateTime
from issuer.models import utcnow

__all__ = ["HeldCredential", "OAuthClient", "OAuthCode", "OAuthToken"]


class OAuthClient(Base):
    """A registered API client (RFC 7591 §3.2.1): its id, hashed secret and metadata."""

    __tablename__ = "oauth_clients"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: The registered client metadata (RFC 7591 §2), as validated.
    client_metadata: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class OAuthCode(Base):
    """An authorization code (RFC 6749 §4.1.2): single use, short-lived, bound to PKCE."""

    __tablename__ = "oauth_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    client_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    redirect_uri: so.Mapped[str] = so.mapped_column(sa.Text)
    scope: so.Mapped[str] = so.mapped_column(sa.Text)
    code_challenge: so.Mapped[str] = so.mapped_column(sa.String(128))
    code_challenge_method: so.Mapped[str] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    client: so.Mapped[OAuthClient] = so.relationship()
    person: so.Mapped[Person] = so.relationship()


class OAuthToken(Base):
    """An access token with its refresh token (RFC 6749 §5.1), both stored hashed.

    A refresh rotates: the new pair replaces this one, which is revoked
    (``refresh_revoked_at``). ``code_id`` names the code it came from, so a
    replayed code revokes what it bought (RFC 6749 §4.1.2).
    """

    __tablename__ = "oauth_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("oauth_codes.id", ondelete="SET NULL"), index=True)
    access_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    refresh_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    scope: so.Mapped[str] = so.mapped_column(sa.Text)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    refresh_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    access_revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    refresh_revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    client: so.Mapped[OAuthClient] = so.relationship()
    person: so.Mapped[Person] = so.relationship()


class HeldCredential(Base):
    """A credential a host pushed for a teacher (OB 3.0 ``upsertCredential``).

    One per teacher, issuer id and credential id (OB 3.0 "equality and
    comparison"); ``document`` is the JSON text or the compact JWS as received.
    """

    __tablename__ = "held_credentials"
    __table_args__ = (sa.UniqueConstraint("person_id", "issuer_ref", "credential_ref"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    issuer_ref: so.Mapped[str] = so.mapped_column(sa.String(500))
    credential_ref: so.Mapped[str] = so.mapped_column(sa.String(500))
    format: so.Mapped[str] = so.mapped_column(sa.String(8))
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    name: so.Mapped[str] = so.mapped_column(sa.String(300))
    issuer_name: so.Mapped[str] = so.mapped_column(sa.String(300))
    valid_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    verdict: so.Mapped[str] = so.mapped_column(sa.String(32))
    received_from: so.Mapped[str] = so.mapped_column(sa.String(200))
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
