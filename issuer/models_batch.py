"""Models of batch awards (issue #8): runs, their rows, and the idempotency keys.

A :class:`BatchRun` is one CSV/XLSX file or API push; each of its lines is a
:class:`BatchRow` whose state moves from ``pending`` to ``issued``,
``skipped`` (already issued) or ``failed`` (with a reason), in the same
transaction as the credential it produced. :class:`AwardKey` holds one
stable key per award: its unique ``(organization_id, key)`` is what makes
issuing a credential twice impossible, whichever worker, file or retry tries.

The models hold data only; rules live in :mod:`issuer.batch`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Base
from issuer.models import UTCDateTime
from issuer.models import utcnow

__all__ = ["AwardKey", "BatchRow", "BatchRun", "BatchStatus", "RowState"]


def _uuid() -> str:
    return str(uuid.uuid4())


class BatchStatus(enum.StrEnum):
    """A run's life: queued → running → completed, or failed / cancelled (resumable).

    ``interrupted``: the process that ran it in-process stopped (killed, a
    crash, a restart) with rows still pending; found on recovery
    (:func:`issuer.batch.service.mark_interrupted`), resumable like the others.
    """

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class RowState(enum.StrEnum):
    """What became of one line of a batch."""

    PENDING = "pending"
    ISSUED = "issued"
    SKIPPED = "skipped"
    FAILED = "failed"


class BatchRun(Base):
    """One batch of awards, with counters kept in step with its rows."""

    __tablename__ = "batch_runs"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(8))
    filename: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    format: so.Mapped[str] = so.mapped_column(sa.String(8))
    run_key: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    actor: so.Mapped[str] = so.mapped_column(sa.String(320))
    status: so.Mapped[BatchStatus] = so.mapped_column(
        sa.Enum(BatchStatus, native_enum=False, length=16), default=BatchStatus.QUEUED,
        index=True)
    backend: so.Mapped[str] = so.mapped_column(sa.String(16))
    chunk_size: so.Mapped[int] = so.mapped_column(sa.Integer)
    chunks: so.Mapped[int] = so.mapped_column(sa.Integer)
    total: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    issued: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    skipped: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    failed: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    notify: so.Mapped[bool] = so.mapped_column(default=False)
    notified: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    bake_dir: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class BatchRow(Base):
    """One line of a batch: what it asked for, and what became of it.

    The credential of an ``issued`` or ``skipped`` row is the one under its
    ``key`` in :class:`AwardKey` (written in the same transaction as the state).
    """

    __tablename__ = "batch_rows"
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "line", name="uq_batch_rows_batch_line"),
        sa.Index("ix_batch_rows_batch_chunk_state", "batch_id", "chunk", "state"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    batch_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("batch_runs.id", ondelete="CASCADE"))
    line: so.Mapped[int] = so.mapped_column(sa.Integer)
    chunk: so.Mapped[int] = so.mapped_column(sa.Integer)
    key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    state: so.Mapped[RowState] = so.mapped_column(
        sa.Enum(RowState, native_enum=False, length=16), default=RowState.PENDING)
    email: so.Mapped[str] = so.mapped_column(sa.String(320))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    achievement_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("achievements.id", ondelete="RESTRICT"))
    evidence_url: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    evidence_narrative: so.Mapped[str | None] = so.mapped_column(sa.Text)
    issued_on: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    expires_on: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    error_code: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    error_field: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    error_message: so.Mapped[str | None] = so.mapped_column(sa.Text)
    notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class AwardKey(Base):
    """The stable key of one award; unique per organization, so nothing is issued twice."""

    __tablename__ = "award_keys"
    __table_args__ = (sa.UniqueConstraint("organization_id", "key",
                                          name="uq_award_keys_org_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    credential_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("issued_credentials.id", ondelete="RESTRICT"), unique=True)
    batch_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("batch_runs.id", ondelete="SET NULL"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
