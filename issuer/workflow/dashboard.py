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


def _review_hours(session: so.Session, in_scope: sa.ColumnElement[bool]
                  ) -> tuple[float | None, float | None, dict[str, float]]:
    """Median and mean hours from submission to decision, and the median per school.

    PostgreSQL computes them (``percentile_cont``); elsewhere each review's
    duration comes back as one number (no datetime objects) and Python takes
    the median. A decision recorded before its submission counts as 0 hours.
    """
    joined = (sa.select().select_from(Review)
              .join(Submission, Review.submission_id == Submission.id)
              .join(Organization, Submission.organization_id == Organization.id)
              .where(in_scope))
    if session.get_bind().dialect.name == "postgresql":
        hours = sa.func.greatest(0.0, sa.extract(
            "epoch", Review.decided_at - Review.submitted_at) / 3600.0)
        median = sa.func.percentile_cont(0.5).within_group(hours)
        schools: dict[str, float] = {}
        overall: tuple[float | None, float | None] = (None, None)
        # one pass: per school, and (the empty grouping set) over every review
        for name, middle, mean in session.execute(
                joined.add_columns(Organization.name, median, sa.func.avg(hours))
                .group_by(sa.func.grouping_sets(sa.tuple_(Organization.name), sa.tuple_()))):
            if name is None:
                overall = (round(float(middle), 1) if middle is not None else None,
                           round(float(mean), 1) if mean is not None else None)
            else:
                schools[name] = round(float(middle), 1)
        return overall[0], overall[1], schools
    seconds = (sa.func.julianday(Review.decided_at)
               - sa.func.julianday(Review.submitted_at)) * 86400.0
    per_school: dict[str, list[float]] = {}
    every: list[float] = []
    for value, school in session.execute(joined.add_columns(seconds, Organization.name)):
        hour = max(0.0, float(value) / 3600)
        every.append(hour)
        per_school.setdefault(school, []).append(hour)
    if not every:
        return None, None, {}
    return (round(statistics.median(every), 1), round(statistics.fmean(every), 1),
            {k: round(statistics.median(v), 1) for k, v in per_school.items()})


def figures(session: so.Session, org_ids: frozenset[int]) -> Figures:
    """The dashboard's figures for the given organizations.

    Counts are SQL aggregates (``GROUP BY``), so the cost does not grow with
    rows loaded into Python: one pass over the submissions (by status,
    school and achievement), one count of the credentials per achievement
    from an index, and the review times (:func:`_review_hours`). A revoked
    credential is not counted as awarded (its submission still counts as
    approved); revoked credentials are counted apart.
    """
    in_scope = Submission.organization_id.in_(org_ids)
    counts: Counter[SubmissionStatus] = Counter()
    approved_by_org: Counter[int] = Counter()
    approved_by_achievement: Counter[str] = Counter()
    reviewed: Counter[str] = Counter()  # credentials in force a submission led to
    in_force = sa.and_(IssuedCredential.id == Submission.credential_id,
                       IssuedCredential.revoked_at.is_(None))
    for state, org_id, achievement_id, number, with_credential in session.execute(
            sa.select(Submission.status, Submission.organization_id, Submission.achievement_id,
                      sa.func.count(), sa.func.count(IssuedCredential.id))
            .outerjoin(IssuedCredential, in_force)
            .where(in_scope)
            .group_by(Submission.status, Submission.organization_id,
                      Submission.achievement_id)):
        counts[state] += number
        reviewed[achievement_id] += with_credential
        if state == SubmissionStatus.APPROVED:
            approved_by_org[org_id] += with_credential
            approved_by_achievement[achievement_id] += with_credential
    by_status = tuple(Bar(STATUS_LABELS[st], float(counts.get(st, 0))) for st in SubmissionStatus)
    median_hours, mean_hours, medians = _review_hours(session, in_scope)
    # direct awards: every credential in scope (counted from an index), less those an
    # evidence submission led to (each names its credential once, for its achievement)
    direct: Counter[str] = Counter()
    for achievement_id, number in session.execute(
            sa.select(IssuedCredential.achievement_id, sa.func.count())
            .where(IssuedCredential.organization_id.in_(org_ids),
                   IssuedCredential.revoked_at.is_(None))
            .group_by(IssuedCredential.achievement_id)):
        direct[achievement_id] += number - reviewed[achievement_id]
    revoked = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential).where(
        IssuedCredential.organization_id.in_(org_ids),
        IssuedCredential.revoked_at.is_not(None))) or 0
    org_names = {org_id: name for org_id, name in session.execute(
        sa.select(Organization.id, Organization.name).where(
            Organization.id.in_(list(approved_by_org))))}
    achievement_names = {achievement_id: name for achievement_id, name in session.execute(
        sa.select(Achievement.id, Achievement.name).where(
            Achievement.id.in_(list(direct | approved_by_achievement))))}
    awarded_school: Counter[str] = Counter()
    awarded_achievement: Counter[str] = Counter()
    for org_id, number in approved_by_org.items():
        if number:
            awarded_school[org_names[org_id]] += number
    for achievement_id, number in approved_by_achievement.items():
        if number:
            awarded_achievement[achievement_names[achievement_id]] += number
    for achievement_id, number in direct.items():
        if number > 0:
            awarded_school[DIRECT] += number
            awarded_achievement[achievement_names[achievement_id]] += number
    return Figures(
        submissions=sum(n for st, n in counts.items() if st != SubmissionStatus.DRAFT),
        awarded=sum(awarded_school.values()), revoked=revoked,
        waiting=counts.get(SubmissionStatus.SUBMITTED, 0),
        median_review_hours=median_hours, mean_review_hours=mean_hours,
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
