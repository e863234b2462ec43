"""Partners and their endorsements (issue #20): one row per partnership, one per endorsement.

A partner (a university, a state agency) is an organization of its own, with
its own ``did:web`` and keys, invited by a district; what it signs is an OB
3.0 ``EndorsementCredential`` (OB 3.0 §B.1.7) about one of the district's
achievements or about the district's issuer profile. The models hold data
only; the rules live in :mod:`issuer.services.endorsements`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import Base
from issuer.models import Organization
from issuer.models import SigningKey
from issuer.models import StatusList
from issuer.models import UTCDateTime
from issuer.models import _uuid
from issuer.models import utcnow

__all__ = ["Endorsement", "Partnership"]


class Partnership(Base):
    """A partner organization a district invited to endorse its programme."""

    __tablename__ = "partnerships"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    district_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    #: a partner endorses for one district (its own organization, not a school)
    partner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(320))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    district: so.Mapped[Organization] = so.relationship(foreign_keys=[district_id])
    partner: so.Mapped[Organization] = so.relationship(foreign_keys=[partner_id])


class Endorsement(Base):
    """One signed EndorsementCredential, stored exactly as signed.

    ``achievement_id`` is the endorsed achievement, or None for an
    endorsement of the district's issuer profile. Its revocation entry is
    ``(status_list_id, status_index)`` in the partner's revocation list; the
    bit is set when ``revoked_at`` is.
    """

    __tablename__ = "endorsements"
    __table_args__ = (sa.UniqueConstraint("status_list_id", "status_index",
                                          name="uq_endorsements_list_index"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    credential_id: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    partner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    district_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    achievement_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="RESTRICT"), index=True)
    subject_id: so.Mapped[str] = so.mapped_column(sa.String(500))
    comment: so.Mapped[str] = so.mapped_column(sa.Text)
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    signing_key_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("signing_keys.id", ondelete="RESTRICT"))
    status_list_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("status_lists.id", ondelete="RESTRICT"), index=True)
    status_index: so.Mapped[int] = so.mapped_column(sa.Integer)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    issued_by: so.Mapped[str] = so.mapped_column(sa.String(320))
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    partner: so.Mapped[Organization] = so.relationship(foreign_keys=[partner_id])
    district: so.Mapped[Organization] = so.relationship(foreign_keys=[district_id])
    achievement: so.Mapped[Achievement | None] = so.relationship()
    signing_key: so.Mapped[SigningKey] = so.relationship()
    status_list: so.Mapped[StatusList] = so.relationship()
