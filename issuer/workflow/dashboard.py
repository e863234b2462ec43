"""District figures: submissions by status, time to review, badges per school and achievement.

The same numbers feed the dashboard's charts (server-side SVG with a data
table for each) and the CSV export. Everything is limited to the
organizations the admin's role covers.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_workflow import Review
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.workflow.submissions import STATUS_LABELS

DIRECT = "Awarded directly (no evidence review)"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a label and its value."""

    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    """A titled bar chart with the unit of its values."""

    title: str
    unit: str
    bars: tuple[Bar, ...]

    @property
    def maximum(self) -> float:
        """The largest value (at least 1, so empty charts scale)."""
        return max([b.value for b in self.bars] + [1.0])


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows."""

    submissions: int
    #: badges in force: issued and not revoked (a revoked badge was withdrawn, not awarded)
    awarded: int
    #: badges issued and later revoked, counted apart
    revoked: int
    waiting: int
    median_review_hours: float | None
    mean_review_hours: float | None
    by_status: Chart
    review_hours_by_school: Chart
    awarded_by_school: Chart
    awarded_by_achievement: Chart


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def _sorted(counter: Counter[str] | dict[str, float]) -> tuple[Bar, ...]:
    return tuple(Bar(k, float(v)) for k, v in sorted(counter.items(), key=lambda kv: (-kv[1],
                                                                                       kv[0])))


def figures(session: so.Session, org_ids: frozenset[int]) -> Figures:
    """The dashboard's figures for the given organizations."""
    subs = session.scalars(sa.select(Submission).where(
        Submission.organization_id.in_(org_ids))).all()
    counts = Counter(s.status for s in subs)
    by_status = tuple(Bar(STATUS_LABELS[st], float(counts.get(st, 0))) for st in SubmissionStatus)
    reviews = session.execute(sa.select(Review, Organization.name).join(
        Submission, Review.submission_id == Submission.id).join(
        Organization, Submission.organization_id == Organization.id).where(
        Submission.organization_id.in_(org_ids))).all()
    hours = [_hours(r.submitted_at, r.decided_at) for r, _ in reviews]
    per_school: dict[str, list[float]] = {}
    for review, school in reviews:
        per_school.setdefault(school, []).append(_hours(review.submitted_at, review.decided_at))
    medians = {k: round(statistics.median(v), 1) for k, v in per_school.items()}
    revoked = frozenset(session.scalars(sa.select(IssuedCredential.id).where(
        IssuedCredential.organization_id.in_(org_ids),
        IssuedCredential.revoked_at.is_not(None))))
    awarded_school: Counter[str] = Counter()
    awarded_achievement: Counter[str] = Counter()
    for sub in subs:
        if sub.credential_id and sub.status == SubmissionStatus.APPROVED \
                and sub.credential_id not in revoked:
            awarded_school[sub.organization.name] += 1
            awarded_achievement[sub.achievement.name] += 1
    direct = session.execute(sa.select(Achievement.name).join(
        IssuedCredential, IssuedCredential.achievement_id == Achievement.id).where(
        IssuedCredential.organization_id.in_(org_ids),
        IssuedCredential.revoked_at.is_(None),
        IssuedCredential.id.not_in(sa.select(Submission.credential_id).where(
            Submission.credential_id.is_not(None))))).scalars().all()
    if direct:
        awarded_school[DIRECT] += len(direct)
        awarded_achievement.update(direct)
    return Figures(
        submissions=sum(n for st, n in counts.items() if st != SubmissionStatus.DRAFT),
        awarded=sum(awarded_school.values()), revoked=len(revoked),
        waiting=counts.get(SubmissionStatus.SUBMITTED, 0),
        median_review_hours=round(statistics.median(hours), 1) if hours else None,
        mean_review_hours=round(statistics.fmean(hours), 1) if hours else None,
        by_status=Chart("Submissions by status", "submissions", by_status),
        review_hours_by_school=Chart("Median time to review by school", "hours",
                                     _sorted(medians)),
        awarded_by_school=Chart("Badges awarded by school", "badges", _sorted(awarded_school)),
        awarded_by_achievement=Chart("Badges awarded by micro-credential", "badges",
                                     _sorted(awarded_achievement)))


HEADER = ["submission_id", "school", "teacher", "micro_credential", "status", "rounds",
          "first_submitted", "last_submitted", "decided", "hours_to_last_decision",
          "credential_id"]


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def export_rows(session: so.Session, org_ids: frozenset[int]) -> list[list[str]]:
    """One row per submission (drafts included), oldest first."""
    rows = []
    for sub in session.scalars(sa.select(Submission).where(
            Submission.organization_id.in_(org_ids)).order_by(Submission.created_at,
                                                                 Submission.id)):
        hours = (f"{_hours(sub.submitted_at, sub.decided_at):.1f}"
                 if sub.submitted_at and sub.decided_at and sub.decided_at >= sub.submitted_at
                 else "")
        rows.append([sub.id, sub.organization.name, sub.person.display_name,
                     sub.achievement.name, sub.status.value, str(sub.round),
                     _iso(sub.first_submitted_at), _iso(sub.submitted_at), _iso(sub.decided_at),
                     hours, sub.credential.credential_id if sub.credential else ""])
    return rows


def _cell(value: str) -> str:
    """Neutralize spreadsheet formulas (OWASP CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: Iterable[list[str]]) -> str:
    """The export as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
