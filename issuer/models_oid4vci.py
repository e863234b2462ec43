"""Credential offers of the OpenID4VCI issuer (issue #19): one row per offer.

An offer (OpenID4VCI 1.0 §4.1) lets a wallet claim one award with the
pre-authorized code flow (§3.5), the authorization code flow of a signed-in
teacher (§3.4), or the offer's VC-API exchange (Learner Credential Wallet).
Its codes, transaction code, exchange id and the access token the token
endpoint trades a code for are stored only as SHA-256 hashes; the offer
expires and is claimed once, its access token buys one credential. The models
hold data only; the rules live in :mod:`issuer.services.oid4vci`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Base
from issuer.models import IssuedCredential
from issuer.models import UTCDateTime
from issuer.models import utcnow

__all__ = ["CredentialOffer"]


class CredentialOffer(Base):
    """One credential offer for one award (OpenID4VCI 1.0 §4.1.1)."""

    __tablename__ = "credential_offers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    credential_pk: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    configurations: so.Mapped[str] = so.mapped_column(sa.String(200))
    tx_code_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_by: so.Mapped[str] = so.mapped_column(sa.String(320))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: Wrong transaction codes so far; at :data:`issuer.services.oid4vci.TX_CODE_TRIES` the
    #: offer is spent, so a 6-digit code cannot be guessed.
    tx_code_failures: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    code_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    token_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    holder: so.Mapped[str | None] = so.mapped_column(sa.Text)
    configuration: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: The VC-API exchange of this offer (``/exchanges/<id>``, issue #19), its id hashed: a
    #: wallet claims the award either here or with OpenID4VCI, once.
    exchange_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True,
                                                             unique=True)
    #: Presentations the exchange refused so far; at
    #: :data:`issuer.services.vcapi.EXCHANGE_TRIES` the offer is spent.
    exchange_failures: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: Authorization code flow (OpenID4VCI 1.0 §3.4): the wallet's ``client_id``, its exact
    #: ``redirect_uri`` and its PKCE S256 ``code_challenge`` (RFC 7636 §4.2). Null for
    #: pre-authorized offers.
    client_id: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    redirect_uri: so.Mapped[str | None] = so.mapped_column(sa.Text)
    code_challenge: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    #: Whether the wallet asked with ``authorization_details`` (§5.1.1) rather than ``scope``:
    #: its token then names credential identifiers, which its credential requests use (§8.2).
    by_details: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    credential: so.Mapped[IssuedCredential] = so.relationship()
