"""Database models of the district service (SQLAlchemy 2.0, typed).

The models hold data and nothing else: no web, queue or signing code. Business
rules live in :mod:`issuer.services`. Every schema change goes through an
Alembic migration in ``issuer/migrations`` (a test compares the migrated
database with these models on SQLite and PostgreSQL).
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.types import TypeDecorator

from verifier.clock import system_clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    """Declarative base with a predictable constraint naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite stores naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Store as UTC; refuse naive datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None,
                             dialect: sa.Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """A row's default time stamp: the wall clock (services set times from their clock)."""
    return system_clock()


class Role(enum.StrEnum):
    """What a person may do in an organization."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    EARNER = "earner"


class KeyStatus(enum.StrEnum):
    """A signing key's life: current → retired (still verifies) or revoked (no longer)."""

    CURRENT = "current"
    RETIRED = "retired"
    REVOKED = "revoked"


class Organization(Base):
    """A district or a school: each is an issuer with its own ``did:web`` and keys."""

    __tablename__ = "organizations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(320))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    image_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: Give new credentials a ``suspension`` status entry as well as the revocation
    #: one. Off by default: two entries make ``credentialStatus`` an array, which the
    #: OB 3.0 JSON Schema (one object) and validators built on it reject.
    suspension_enabled: so.Mapped[bool] = so.mapped_column(default=False,
                                                           server_default=sa.false())
    #: Wallet claims (OpenID4VCI) need a transaction code sent by e-mail (issue #19).
    claim_tx_code: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    parent: so.Mapped[Organization | None] = so.relationship(remote_side=[id])


class Person(Base):
    """A human: a teacher, mentor or administrator, with one or more e-mail addresses."""

    __tablename__ = "people"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    emails: so.Mapped[list[PersonEmail]] = so.relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonEmail.id")


class PersonEmail(Base):
    """One e-mail address of a person (stored lower-cased; unique across the service)."""

    __tablename__ = "person_emails"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    address: so.Mapped[str] = so.mapped_column(sa.String(320), unique=True)
    primary: so.Mapped[bool] = so.mapped_column(default=False)

    person: so.Mapped[Person] = so.relationship(back_populates="emails")


class Membership(Base):
    """A person's role in an organization (a person may hold several)."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("person_id", "organization_id", "role",
                                          name="uq_memberships_person_org_role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[Role] = so.mapped_column(sa.Enum(Role, native_enum=False, length=20))

    person: so.Mapped[Person] = so.relationship()
    organization: so.Mapped[Organization] = so.relationship()


class SigningKey(Base):
    """An issuer's key; the private half is encrypted with the key-encryption key."""

    __tablename__ = "signing_keys"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    key_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    key_type: so.Mapped[str] = so.mapped_column(sa.String(16))
    public_jwk: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    public_multibase: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    encrypted_private: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    status: so.Mapped[KeyStatus] = so.mapped_column(
        sa.Enum(KeyStatus, native_enum=False, length=16), default=KeyStatus.CURRENT)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organization: so.Mapped[Organization] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("organization_id", "key_id",
                                          name="uq_signing_keys_org_key_id"),)


class Achievement(Base):
    """A micro-credential a district offers (OB 3.0 Achievement, type MicroCredential)."""

    __tablename__ = "achievements"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    criteria: so.Mapped[str] = so.mapped_column(sa.Text)
    image_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    image_alt: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    achievement_type: so.Mapped[str] = so.mapped_column(sa.String(50), default="MicroCredential")
    alignments: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    rubric: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    evidence_expected: so.Mapped[str | None] = so.mapped_column(sa.Text)
    effort_hours: so.Mapped[float | None] = so.mapped_column(sa.Float)
    validity_days: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    tags: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    version: so.Mapped[str] = so.mapped_column(sa.String(20), default="1")
    #: Awardable (and listed): true exactly when ``status`` is ``published``.
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: ``draft`` → ``published`` → ``archived`` (issue #17); see
    #: :mod:`issuer.services.authoring`.
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="published",
                                              server_default="published")
    #: Listed in the teachers' catalogue (a published, unlisted one is awarded directly).
    catalogue_visible: so.Mapped[bool] = so.mapped_column(default=True,
                                                          server_default=sa.true())
    #: Distinct reviewers who must approve a submission before the badge is awarded.
    reviewers_required: so.Mapped[int] = so.mapped_column(sa.Integer, default=1,
                                                          server_default="1")
    #: ``district`` (the district's rule), ``block`` (mentors never decide for
    #: mentees) or ``allow``.
    mentor_conflict: so.Mapped[str] = so.mapped_column(sa.String(16), default="district",
                                                       server_default="district")
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organization: so.Mapped[Organization] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("organization_id", "slug",
                                          name="uq_achievements_org_slug"),)


class AchievementVersion(Base):
    """What an achievement said in one of its versions (issue #17).

    ``snapshot`` holds every authored field in the API's names
    (:func:`issuer.services.authoring.snapshot`); a version with awards is
    never changed again: editing the achievement then makes the next version.
    """

    __tablename__ = "achievement_versions"
    __table_args__ = (sa.UniqueConstraint("achievement_id", "number",
                                          name="uq_achievement_versions_achievement_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column(sa.Integer)
    snapshot: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(320))


class CompetencyFramework(Base):
    """A competency framework imported from a 1EdTech CASE 1.0 ``CFPackage`` (issue #17).

    ``items`` keeps, per ``CFItem``, what an alignment needs (identifier, URI,
    human coding scheme, statement); re-importing the same ``CFDocument``
    replaces them.
    """

    __tablename__ = "competency_frameworks"
    __table_args__ = (sa.UniqueConstraint("organization_id", "identifier",
                                          name="uq_competency_frameworks_org_identifier"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    identifier: so.Mapped[str] = so.mapped_column(sa.String(100))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    creator: so.Mapped[str] = so.mapped_column(sa.String(300))
    uri: so.Mapped[str] = so.mapped_column(sa.String(1000))
    source: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    items: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    imported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    imported_by: so.Mapped[str] = so.mapped_column(sa.String(320))


class IssuedCredential(Base):
    """A signed credential, stored exactly as it was signed and served."""

    __tablename__ = "issued_credentials"
    #: the credentials list pages newest first by (issued_at, id) keys (migration 0010)
    __table_args__ = (sa.Index("ix_issued_credentials_org_issued", "organization_id",
                               "issued_at", "id"),
                      sa.Index("ix_issued_credentials_issued", "issued_at", "id"),
                      sa.Index("ix_issued_credentials_recipient_email", "recipient_email"),
                      # the dashboard's awards per achievement, counted from the index alone
                      sa.Index("ix_issued_credentials_org_achievement", "organization_id",
                               "achievement_id"))

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    credential_id: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="RESTRICT"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    recipient_email: so.Mapped[str] = so.mapped_column(sa.String(320))
    recipient_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    format: so.Mapped[str] = so.mapped_column(sa.String(8))
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    signing_key_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("signing_keys.id", ondelete="RESTRICT"))
    share_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    share_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    valid_from: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    valid_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    reason_public: so.Mapped[bool] = so.mapped_column(default=False)
    suspended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    renews_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), index=True)
    #: The achievement version the credential embeds (None: issued before versions).
    achievement_version: so.Mapped[int | None] = so.mapped_column(sa.Integer)

    achievement: so.Mapped[Achievement] = so.relationship()
    organization: so.Mapped[Organization] = so.relationship()
    person: so.Mapped[Person] = so.relationship()
    signing_key: so.Mapped[SigningKey] = so.relationship()
    status_entries: so.Mapped[list[StatusEntry]] = so.relationship(
        back_populates="credential", order_by="StatusEntry.id")


class StatusPurpose(enum.StrEnum):
    """Bitstring Status List purposes this service publishes (BSL §2.1)."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class StatusList(Base):
    """One of an issuer's Bitstring Status Lists (BSL §2.2).

    The bits are not stored: they are derived from :class:`StatusEntry` rows
    whenever the list is signed, so concurrent revocations never overwrite
    each other. ``version`` goes up with every change; ``signed_version`` says
    which version ``signed_document`` reflects.
    """

    __tablename__ = "status_lists"
    __table_args__ = (sa.UniqueConstraint("organization_id", "purpose", "number",
                                          name="uq_status_lists_org_purpose_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    purpose: so.Mapped[StatusPurpose] = so.mapped_column(
        sa.Enum(StatusPurpose, native_enum=False, length=16))
    number: so.Mapped[int] = so.mapped_column(sa.Integer)
    length: so.Mapped[int] = so.mapped_column(sa.Integer)
    full: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
    signed_version: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    signed_document: so.Mapped[str | None] = so.mapped_column(sa.Text)
    etag: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: The same list credential as a VC-JWT (ES256), signed with ``signed_document``.
    signed_jwt: so.Mapped[str | None] = so.mapped_column(sa.Text)
    jwt_etag: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    signed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    organization: so.Mapped[Organization] = so.relationship()


class StatusEntry(Base):
    """A credential's place in a status list; ``(list, index)`` is never handed out twice."""

    __tablename__ = "status_entries"
    __table_args__ = (sa.UniqueConstraint("status_list_id", "index",
                                          name="uq_status_entries_list_index"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    status_list_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("status_lists.id", ondelete="RESTRICT"), index=True)
    index: so.Mapped[int] = so.mapped_column(sa.Integer)
    credential_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), index=True)
    set: so.Mapped[bool] = so.mapped_column(default=False)

    status_list: so.Mapped[StatusList] = so.relationship()
    credential: so.Mapped[IssuedCredential] = so.relationship(back_populates="status_entries")


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organization: so.Mapped[Organization] = so.relationship()


class AuditEvent(Base):
    """Who did what, when: append-only (updates and deletes are refused)."""

    __tablename__ = "audit_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: so.Mapped[str] = so.mapped_column(sa.String(320))
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    organization_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    subject_id: so.Mapped[str] = so.mapped_column(sa.String(100))
    detail: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)


class AppendOnlyError(RuntimeError):
    """Raised on an attempt to change or delete an audit event."""


@sa.event.listens_for(AuditEvent, "before_update")
def _no_audit_update(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError("audit events cannot be changed")


@sa.event.listens_for(AuditEvent, "before_delete")
def _no_audit_delete(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError("audit events cannot be deleted")


class AchievementImage(Base):
    """An achievement's uploaded badge art, as both renditions (see :mod:`issuer.badge_art`).

    One row per achievement at most; without one the generated default is used.
    """

    __tablename__ = "achievement_images"

    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(32))
    svg: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    png: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    alt: so.Mapped[str] = so.mapped_column(sa.String(300))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(320))


class AchievementVersionImage(Base):
    """The uploaded art an achievement version showed, kept when the art is replaced.

    A version whose snapshot has ``imageSha256`` null showed the generated
    art of its own name; with a digest, this row holds that picture. So a
    credential keeps exactly the image it was issued with (issue #17).
    """

    __tablename__ = "achievement_version_images"

    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True)
    number: so.Mapped[int] = so.mapped_column(sa.Integer, primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(32))
    svg: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    png: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    alt: so.Mapped[str] = so.mapped_column(sa.String(300))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))


from issuer import models_batch as _models_batch  # noqa: E402,F401 - batch award tables
from issuer import models_endorsements as _models_endorsements  # noqa: E402,F401 - partners
from issuer import models_obapi as _models_obapi  # noqa: E402,F401 - OB 3.0 API (OAuth)
from issuer import models_oid4vci as _models_oid4vci  # noqa: E402,F401 - OpenID4VCI offers
from issuer import models_workflow as _models_workflow  # noqa: E402,F401 - workflow tables
