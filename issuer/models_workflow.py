"""Models of the evidence-and-review workflow (issue #4), typed SQLAlchemy 2.0.

Teachers start a :class:`Submission` for an achievement, add
:class:`EvidenceItem` rows (files in the private store, links, reflections),
and submit; reviewers record a :class:`Review` per round; approval links the
issued credential. :class:`SubmissionEvent` keeps the whole history, and
:class:`MailMessage` is the outbox that e-mail notifications are sent from
(written in the same transaction as the change it reports).

Renewal (issue #6): a submission may renew an expiring credential
(``renews_credential_id``); at most one such submission that is not declined
exists per credential. :class:`ExpiryReminder` records each expiry reminder
sent, once per credential and reminder window.

Account security: :class:`ThrottleEvent` counts failed sign-ins and password
reset requests (by hashed e-mail or client address) so every web worker sees
the same limits; :class:`PasswordReset` is a single-use reset link, stored as
its token's SHA-256 like an invitation.

The models hold data only; rules live in :mod:`issuer.workflow`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import Base
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import Person
from issuer.models import UTCDateTime
from issuer.models import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class SubmissionStatus(enum.StrEnum):
    """Where a submission is in the review cycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    DECLINED = "declined"


class Decision(enum.StrEnum):
    """A reviewer's decision on one round."""

    APPROVE = "approve"
    RETURN = "return"
    DECLINE = "decline"


class EvidenceKind(enum.StrEnum):
    """What an evidence item is."""

    FILE = "file"
    LINK = "link"
    REFLECTION = "reflection"


class DistrictPolicy(Base):
    """A district's workflow rules (one row per district; absent means the defaults)."""

    __tablename__ = "district_policies"

    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    mentor_conflict: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Mentorship(Base):
    """A reviewer marked as mentoring a teacher within a district."""

    __tablename__ = "mentorships"
    __table_args__ = (sa.UniqueConstraint("organization_id", "mentor_id", "teacher_id",
                                          name="uq_mentorships_org_mentor_teacher"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    mentor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    teacher_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    mentor: so.Mapped[Person] = so.relationship(foreign_keys=[mentor_id])
    teacher: so.Mapped[Person] = so.relationship(foreign_keys=[teacher_id])


class Invitation(Base):
    """An invitation by e-mail link; only the token's SHA-256 is stored."""

    __tablename__ = "invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(320), index=True)
    roles: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    accepted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"))

    organization: so.Mapped[Organization] = so.relationship()


class Pathway(Base):
    """A named sequence of micro-credentials (e.g. an EdTech leadership pathway)."""

    __tablename__ = "pathways"
    __table_args__ = (sa.UniqueConstraint("organization_id", "slug",
                                          name="uq_pathways_org_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: ``automatic`` (the capstone is issued when the steps are done) or ``review``
    #: (a final review decides, as a submission of the capstone; issue #20).
    completion: so.Mapped[str] = so.mapped_column(sa.String(16), default="automatic",
                                                  server_default="automatic")
    created_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    archived_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organization: so.Mapped[Organization] = so.relationship()
    steps: so.Mapped[list[PathwayStep]] = so.relationship(
        back_populates="pathway", cascade="all, delete-orphan", order_by="PathwayStep.position")
    stages: so.Mapped[list[PathwayStage]] = so.relationship(
        back_populates="pathway", cascade="all, delete-orphan", order_by="PathwayStage.position")


class PathwayStep(Base):
    """An achievement's place in a pathway: an option of the stage at ``position``.

    Several achievements at one position make an elective stage ("any N of
    these M", :class:`PathwayStage`); the row marked ``capstone`` is the
    achievement awarded when the pathway completes (not a stage of its own).
    """

    __tablename__ = "pathway_steps"

    pathway_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True)
    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    capstone: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    pathway: so.Mapped[Pathway] = so.relationship(back_populates="steps")
    achievement: so.Mapped[Achievement] = so.relationship()


class PathwayStage(Base):
    """A step of a pathway: earn ``choose`` of the achievements at its position.

    ``after`` lists the positions of earlier stages that must be done first
    (the stage is locked until then). A position with achievements but no
    stage row (pathways defined before issue #20) is one required step.
    """

    __tablename__ = "pathway_stages"

    pathway_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True)
    position: so.Mapped[int] = so.mapped_column(sa.Integer, primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    choose: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
    after: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)

    pathway: so.Mapped[Pathway] = so.relationship(back_populates="stages")


class PathwayCompletion(Base):
    """A teacher's completed pathway and its capstone: at most one per person and pathway.

    ``status``: ``review`` (waiting for the final review, ``submission_id``),
    ``issued`` (``credential_id`` is the capstone). ``flagged_at`` is set when a
    component credential is revoked, until the district decides (``decision``).
    """

    __tablename__ = "pathway_completions"
    __table_args__ = (sa.UniqueConstraint("pathway_id", "person_id",
                                          name="uq_pathway_completions_pathway_person"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    pathway_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pathways.id", ondelete="RESTRICT"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    completed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    submission_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("submissions.id", ondelete="SET NULL"), unique=True)
    credential_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), unique=True)
    flagged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    flag_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decision: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    pathway: so.Mapped[Pathway] = so.relationship()
    person: so.Mapped[Person] = so.relationship()
    credential: so.Mapped[IssuedCredential | None] = so.relationship()
    components: so.Mapped[list[PathwayComponent]] = so.relationship(
        back_populates="completion", cascade="all, delete-orphan")


class PathwayComponent(Base):
    """A credential a capstone names as evidence (stacking, issue #20)."""

    __tablename__ = "pathway_components"

    completion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pathway_completions.id", ondelete="CASCADE"), primary_key=True)
    credential_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), primary_key=True,
        index=True)

    completion: so.Mapped[PathwayCompletion] = so.relationship(back_populates="components")
    credential: so.Mapped[IssuedCredential] = so.relationship()


class EvidenceFile(Base):
    """A file in the private evidence store, named by its SHA-256 (content-addressed)."""

    __tablename__ = "evidence_files"

    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    media_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


#: Submissions that still count for a renewal: all but declined ones (stored enum names).
_RENEWAL_COUNTS = sa.text("status != 'DECLINED'")


class Submission(Base):
    """A teacher's evidence for one achievement, through its review rounds.

    ``renews_credential_id`` names the credential a renewal submission renews;
    a partial unique index allows one renewal that is not declined per credential,
    so two renewals started at once cannot both be created.
    """

    __tablename__ = "submissions"
    __table_args__ = (sa.Index("uq_submissions_open_renewal", "renews_credential_id",
                               unique=True, sqlite_where=_RENEWAL_COUNTS,
                               postgresql_where=_RENEWAL_COUNTS),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    achievement_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="RESTRICT"), index=True)
    status: so.Mapped[SubmissionStatus] = so.mapped_column(
        sa.Enum(SubmissionStatus, native_enum=False, length=16),
        default=SubmissionStatus.DRAFT, index=True)
    round: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    first_submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    #: The achievement version this submission is reviewed against (set when
    #: started and on each submit; issue #17).
    achievement_version: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    credential_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), index=True)
    renews_credential_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), index=True)

    person: so.Mapped[Person] = so.relationship()
    organization: so.Mapped[Organization] = so.relationship()
    achievement: so.Mapped[Achievement] = so.relationship()
    credential: so.Mapped[IssuedCredential | None] = so.relationship(
        foreign_keys=[credential_id])
    renews_credential: so.Mapped[IssuedCredential | None] = so.relationship(
        foreign_keys=[renews_credential_id])
    items: so.Mapped[list[EvidenceItem]] = so.relationship(
        back_populates="submission", order_by="EvidenceItem.id", cascade="all, delete-orphan")
    reviews: so.Mapped[list[Review]] = so.relationship(
        back_populates="submission", order_by="Review.id")
    events: so.Mapped[list[SubmissionEvent]] = so.relationship(
        back_populates="submission", order_by="SubmissionEvent.id")


class EvidenceItem(Base):
    """One piece of evidence: a file, a link or a written reflection.

    Items that were part of a submitted round are withdrawn, not deleted, so
    the history of every round stays readable.
    """

    __tablename__ = "evidence_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[EvidenceKind] = so.mapped_column(
        sa.Enum(EvidenceKind, native_enum=False, length=16))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    criterion_id: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    file_sha256: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("evidence_files.sha256", ondelete="RESTRICT"), index=True)
    filename: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    contains_student_data: so.Mapped[bool] = so.mapped_column(default=False)
    share: so.Mapped[bool] = so.mapped_column(default=False)
    first_round: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    submission: so.Mapped[Submission] = so.relationship(back_populates="items")
    file: so.Mapped[EvidenceFile | None] = so.relationship()


class Review(Base):
    """A reviewer's decision on one round, with the rubric scores and feedback."""

    __tablename__ = "reviews"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    round: so.Mapped[int] = so.mapped_column(sa.Integer)
    reviewer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    decision: so.Mapped[Decision] = so.mapped_column(
        sa.Enum(Decision, native_enum=False, length=16))
    scores: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    feedback: so.Mapped[str | None] = so.mapped_column(sa.Text)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    decided_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)

    submission: so.Mapped[Submission] = so.relationship(back_populates="reviews")
    reviewer: so.Mapped[Person] = so.relationship()


class SubmissionEvent(Base):
    """One step in a submission's history (created, submitted, returned, ...)."""

    __tablename__ = "submission_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    round: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    detail: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    submission: so.Mapped[Submission] = so.relationship(back_populates="events")
    actor: so.Mapped[Person | None] = so.relationship()


class MailMessage(Base):
    """An e-mail waiting in (or sent from) the outbox."""

    __tablename__ = "mail_outbox"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    to_address: so.Mapped[str] = so.mapped_column(sa.String(320))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)


class ExpiryReminder(Base):
    """An expiry reminder queued for a credential in one window (e.g. 30 or 7 days before).

    The unique ``(credential, window)`` pair is what makes reminders idempotent:
    a second run, or two at once, cannot record (and so cannot send) one twice.
    """

    __tablename__ = "expiry_reminders"
    __table_args__ = (sa.UniqueConstraint("credential_id", "window_days",
                                          name="uq_expiry_reminders_credential_window"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    credential_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="CASCADE"))
    window_days: so.Mapped[int] = so.mapped_column(sa.Integer)
    valid_until: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    queued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ThrottleEvent(Base):
    """One counted attempt (a failed sign-in, a password reset request).

    ``key_hash`` is the SHA-256 of the normalised e-mail address or client
    address the attempt is counted against, so what people typed (sometimes
    their password, in the wrong field) is never stored in clear. Rows older
    than the throttle window no longer count and are purged opportunistically.
    """

    __tablename__ = "throttle_events"
    __table_args__ = (sa.Index("ix_throttle_events_scope_key_at", "scope", "key_hash", "at"),
                      sa.Index("ix_throttle_events_scope_at", "scope", "at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    scope: so.Mapped[str] = so.mapped_column(sa.String(32))
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)


class PasswordReset(Base):
    """A password reset link sent by e-mail; only the token's SHA-256 is stored.

    Usable once, until ``expires_at``; using one (or any other of the person's
    links) sets ``used_at`` on all of the person's outstanding links.
    """

    __tablename__ = "password_resets"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(320))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    person: so.Mapped[Person] = so.relationship()


#: Reminders look credentials up by expiry date.
sa.Index("ix_issued_credentials_valid_until", IssuedCredential.valid_until)
