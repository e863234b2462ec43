"""Pathway progress, locks and stacking: the capstone that names its components (issue #20).

Progress is read from the credentials a teacher holds (not revoked): a step
is done once they hold ``choose`` of its achievements, at the time of the
last one needed; it is unlocked when the steps in its ``after`` are done.

Stacking: when a teacher's last step is done (on a reviewer's approval),
the pathway's capstone is issued through the normal issuance path (signed,
with a status entry) naming each component credential as an ``evidence``
entry (OB 3.0 §B.1.9: ``id`` the component's URL, ``name`` its achievement,
a ``narrative``): evidence is per-credential data about how this person
earned it, whereas an Achievement's ``related`` (§B.1.1) links versions of
one achievement. ``completion: review`` pathways open a capstone submission
for a final review instead; approving it issues the capstone the same way.
A :class:`PathwayCompletion` per teacher and pathway (unique) makes
completing twice issue nothing more. Revoking a component flags the
capstone (audited) until the district decides to keep or revoke it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import model
from badges.clr import Association
from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_workflow import Pathway
from issuer.models_workflow import PathwayCompletion
from issuer.models_workflow import PathwayComponent
from issuer.models_workflow import PathwayStage
from issuer.models_workflow import PathwayStep
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.services import achievements as achievement_service
from issuer.services import audit
from issuer.services import issuance
from issuer.services import pathways as definitions
from issuer.services import status as status_service
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.workflow import notifications


@dataclass(frozen=True)
class StepProgress:
    """One step of a teacher's pathway."""

    number: int
    title: str
    choose: int
    options: tuple[Achievement, ...]
    held: tuple[IssuedCredential, ...]
    after: tuple[int, ...]
    done_at: datetime | None
    unlocked: bool

    @property
    def done(self) -> bool:
        """Whether the step is complete."""
        return self.done_at is not None


@dataclass(frozen=True)
class Progress:
    """A teacher's progress on one pathway."""

    pathway: Pathway
    capstone: Achievement | None
    steps: tuple[StepProgress, ...]
    completion: PathwayCompletion | None
    next_steps: tuple[StepProgress, ...] = field(default=())

    @property
    def done(self) -> int:
        """How many steps are done."""
        return sum(1 for s in self.steps if s.done)

    @property
    def complete(self) -> bool:
        """Every step done."""
        return bool(self.steps) and all(s.done for s in self.steps)


def _held(session: so.Session, person_id: int, achievement_ids: list[str]
          ) -> dict[str, IssuedCredential]:
    """The earliest unrevoked credential the person holds for each achievement."""
    found: dict[str, IssuedCredential] = {}
    for cred in session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.person_id == person_id,
            IssuedCredential.achievement_id.in_(achievement_ids),
            IssuedCredential.revoked_at.is_(None)).order_by(IssuedCredential.issued_at)):
        found.setdefault(cred.achievement_id, cred)
    return found


def progress(session: so.Session, person_id: int, pathway: Pathway) -> Progress:
    """Where the person is on ``pathway``: each step done or not, unlocked or not."""
    stages = definitions.stages_of(pathway)
    held = _held(session, person_id, [a.id for _s, opts in stages for a in opts])
    numbers = {stage.position: n for n, (stage, _o) in enumerate(stages, start=1)}
    done_at: dict[int, datetime | None] = {}
    steps: list[StepProgress] = []
    for number, (stage, options) in enumerate(stages, start=1):
        mine = sorted((held[a.id] for a in options if a.id in held), key=lambda c: c.issued_at)
        when = mine[stage.choose - 1].issued_at if len(mine) >= stage.choose else None
        after = tuple(numbers[p] for p in stage.after if p in numbers)
        done_at[number] = when
        steps.append(StepProgress(
            number=number, title=stage.title, choose=stage.choose, options=tuple(options),
            held=tuple(mine), after=after, done_at=when,
            unlocked=all(done_at.get(n) is not None for n in after)))
    completion = session.scalar(sa.select(PathwayCompletion).where(
        PathwayCompletion.pathway_id == pathway.id, PathwayCompletion.person_id == person_id))
    return Progress(pathway=pathway, capstone=definitions.capstone_of(pathway),
                    steps=tuple(steps), completion=completion,
                    next_steps=tuple(s for s in steps if s.unlocked and not s.done))


def _active_in(session: so.Session, org_ids: frozenset[int] | set[int]) -> list[Pathway]:
    return list(session.scalars(sa.select(Pathway).where(
        Pathway.organization_id.in_(org_ids), Pathway.archived_at.is_(None))
        .order_by(Pathway.name)))


def for_person(session: so.Session, person_id: int, org_ids: frozenset[int]) -> list[Progress]:
    """The pathways (of ``org_ids``) the person is on: holding or working on a step, or done."""
    started = set(session.scalars(sa.select(Submission.achievement_id).where(
        Submission.person_id == person_id)))
    out = []
    for pathway in _active_in(session, org_ids):
        found = progress(session, person_id, pathway)
        options = {a.id for s in found.steps for a in s.options}
        if found.completion is not None or found.done or options & started:
            out.append(found)
    return out


def lock_reason(session: so.Session, person_id: int, achievement: Achievement) -> str | None:
    """Why the person may not start a submission for ``achievement`` yet, or None.

    An achievement that is a step of active pathways is locked only when it is
    locked on every one of them; a capstone is earned by completing its
    pathway, never submitted for directly.
    """
    rows = list(session.scalars(sa.select(PathwayStep).join(Pathway).where(
        PathwayStep.achievement_id == achievement.id, Pathway.archived_at.is_(None))))
    if not rows:
        return None
    capstones = [r.pathway for r in rows if r.capstone]
    if capstones:
        return (f"“{achievement.name}” is the capstone of the pathway "
                f"“{capstones[0].name}”: it is awarded when you complete the pathway's steps")
    reasons = []
    for row in rows:
        found = progress(session, person_id, row.pathway)
        step = next(s for s in found.steps if any(a.id == achievement.id for a in s.options))
        if step.unlocked:
            return None
        waiting = [s for s in found.steps if s.number in step.after and not s.done]
        reasons.append(f"“{achievement.name}” is step {step.number} of the pathway "
                       f"“{row.pathway.name}” and unlocks when you complete "
                       + " and ".join(f"step {s.number} ({s.title})" for s in waiting))
    return "; ".join(reasons)


def clr_structure(session: so.Session, person_id: int, org_ids: frozenset[int], *,
                  base_url: str) -> tuple[list[Achievement], list[Association]]:
    """The achievements and CLR 2.0 associations of the pathways a teacher is on.

    For a CLR builder (CLR 2.0 §Association, ``ClrSubject.association``): each
    step achievement ``isPartOf`` its pathway's capstone (and the capstone
    ``isParentOf`` it); the achievements of a step that unlocks another
    ``precedes`` those of the later step. Ids are the achievements' public
    URLs, as embedded in the credentials; a CLR keeps only the associations
    whose two ends are achievements of credentials it embeds.
    """
    found: dict[str, Achievement] = {}
    links: list[Association] = []
    for journey in for_person(session, person_id, org_ids):
        capstone = journey.capstone
        for step in journey.steps:
            for option in step.options:
                found.setdefault(option.id, option)
                if capstone is not None:
                    found.setdefault(capstone.id, capstone)
                    part = achievement_service.achievement_url(base_url, option)
                    whole = achievement_service.achievement_url(base_url, capstone)
                    links.append(Association("isPartOf", part, whole))
                    links.append(Association("isParentOf", whole, part))
            for earlier in journey.steps:
                if earlier.number not in step.after:
                    continue
                for before in earlier.options:
                    for after in step.options:
                        links.append(Association(
                            "precedes", achievement_service.achievement_url(base_url, before),
                            achievement_service.achievement_url(base_url, after)))
    return list(found.values()), list(dict.fromkeys(links))


def record_associations(session: so.Session, person_id: int, org_id: int, *,
                        base_url: str) -> list[Association]:
    """The associations of ``org_id``'s pathways the person is on, for their CLR.

    :func:`clr_structure`'s associations, in the shape
    :data:`issuer.services.clr.StructureSource` takes (bind ``base_url``).
    """
    return clr_structure(session, person_id, frozenset({org_id}), base_url=base_url)[1]


# --------------------------------------------------------------------------- stacking

def _components(found: Progress) -> list[IssuedCredential]:
    return [cred for step in found.steps for cred in step.held[:step.choose]]


def _in_step_order(pathway: Pathway, completion: PathwayCompletion) -> list[IssuedCredential]:
    """A completion's component credentials in the order of the pathway's steps.

    The stored rows have no order of their own (their key is a random id), so
    a capstone reviewed later names its components as one issued at once does.
    """
    rank = {a.id: n for n, (_stage, options) in enumerate(definitions.stages_of(pathway))
            for a in options}
    return sorted((c.credential for c in completion.components),
                  key=lambda cred: (rank.get(cred.achievement_id, len(rank)), cred.issued_at,
                                    cred.id))


def _evidence(base_url: str, pathway: Pathway, credentials: list[IssuedCredential]
              ) -> tuple[model.Evidence, ...]:
    """One evidence entry per component credential (OB 3.0 §B.1.9)."""
    return tuple(model.Evidence(
        id=issuance.share_url(base_url, cred), name=cred.achievement.name, genre="Credential",
        narrative=f"Component of the pathway “{pathway.name}”: “{cred.achievement.name}”, "
                  f"awarded {model.format_datetime(cred.issued_at)} "
                  f"(credential {cred.credential_id}).")
        for cred in credentials)


def final_review(session: so.Session, submission: Submission) -> PathwayCompletion | None:
    """The completion a capstone submission is the final review of (None for others)."""
    return session.scalar(sa.select(PathwayCompletion).where(
        PathwayCompletion.submission_id == submission.id))


def capstone_evidence(session: so.Session, submission: Submission, *, base_url: str
                      ) -> tuple[model.Evidence, ...]:
    """The components a final-review capstone submission names (empty for other submissions)."""
    completion = final_review(session, submission)
    if completion is None:
        return ()
    return _evidence(base_url, completion.pathway,
                     _in_step_order(completion.pathway, completion))


def _issue_capstone(session: so.Session, ctx: IssuerContext, completion: PathwayCompletion,
                    *, actor: str, now: datetime) -> IssuedCredential:
    capstone = definitions.capstone_of(completion.pathway)
    assert capstone is not None
    person = completion.person
    email = next((e.address for e in person.emails if e.primary), person.emails[0].address)
    issued = issuance.award(
        session, ctx, issuer=capstone.organization, achievement=capstone.id, email=email,
        name=person.display_name, actor=actor, now=now,
        narrative=f"Completed every step of the pathway “{completion.pathway.name}”.",
        evidence=_evidence(ctx.base_url, completion.pathway,
                           _in_step_order(completion.pathway, completion)))
    completion.credential_id = issued.id
    completion.status = "issued"
    notifications.queue(
        session, kind="badge_awarded", to=email, now=now,
        subject=f"Pathway complete: {capstone.name}",
        body=f"Hello {person.display_name},\n\nYou completed every step of the pathway "
             f"\"{completion.pathway.name}\", and its capstone \"{capstone.name}\" has been "
             f"awarded. It is in your wallet:\n\n{ctx.base_url}/wallet\n")
    audit.record(session, actor=actor, action="pathway.capstone_issued",
                 organization_id=completion.pathway.organization_id,
                 subject_type="pathway", subject_id=str(completion.pathway_id), at=now,
                 detail={"pathway": completion.pathway.slug, "credential": issued.credential_id,
                         "components": [c.credential.credential_id
                                        for c in completion.components]})
    return issued


def _complete(session: so.Session, ctx: IssuerContext, found: Progress, *,
              school_id: int, actor: str, now: datetime) -> PathwayCompletion | None:
    pathway = found.pathway
    if found.capstone is None or found.completion is not None:
        return None
    completion = PathwayCompletion(pathway_id=pathway.id, person_id=found.steps[0].held[0]
                                   .person_id, status="review" if pathway.completion ==
                                   "review" else "issuing", completed_at=now)
    completion.components = [PathwayComponent(credential_id=c.id) for c in _components(found)]
    try:
        with session.begin_nested():
            session.add(completion)
            session.flush()
    except sa.exc.IntegrityError:
        return None  # completed at the same moment elsewhere: that one issues the capstone
    audit.record(session, actor=actor, action="pathway.completed",
                 organization_id=pathway.organization_id, subject_type="pathway",
                 subject_id=str(pathway.id), at=now,
                 detail={"pathway": pathway.slug, "person": completion.person_id,
                         "completion": pathway.completion})
    if pathway.completion == "review":
        submission = Submission(
            person_id=completion.person_id, organization_id=school_id,
            achievement_id=found.capstone.id, status=SubmissionStatus.SUBMITTED, round=1,
            created_at=now, updated_at=now, first_submitted_at=now, submitted_at=now,
            achievement_version=int(found.capstone.version or 1))
        session.add(submission)
        session.flush()
        session.add(SubmissionEvent(submission_id=submission.id, at=now, action="submitted",
                                    round=1, detail={"pathway": pathway.slug}))
        completion.submission_id = submission.id
    else:
        _issue_capstone(session, ctx, completion, actor=actor, now=now)
    session.flush()
    return completion


def after_approval(session: so.Session, ctx: IssuerContext, submission: Submission,
                   issued: IssuedCredential, *, actor: str, now: datetime
                   ) -> list[PathwayCompletion]:
    """Stack after a reviewer's approval: complete the pathways this credential finishes.

    A final-review capstone submission that was approved records its capstone.
    Completing a pathway twice (or two approvals at once) does nothing more:
    the completion is unique per teacher and pathway.
    """
    done = session.scalar(sa.select(PathwayCompletion).where(
        PathwayCompletion.submission_id == submission.id))
    if done is not None:
        done.credential_id = issued.id
        done.status = "issued"
        audit.record(session, actor=actor, action="pathway.capstone_issued",
                     organization_id=done.pathway.organization_id, subject_type="pathway",
                     subject_id=str(done.pathway_id), at=now,
                     detail={"pathway": done.pathway.slug, "credential": issued.credential_id})
        session.flush()
        return [done]
    out = []
    for pathway in session.scalars(sa.select(Pathway).join(PathwayStep).where(
            PathwayStep.achievement_id == issued.achievement_id,
            PathwayStep.capstone.is_(False), Pathway.archived_at.is_(None))).unique():
        found = progress(session, issued.person_id, pathway)
        if found.complete:
            made = _complete(session, ctx, found, school_id=submission.organization_id,
                             actor=actor, now=now)
            if made is not None:
                out.append(made)
    return out


# --------------------------------------------------------------------------- editing

@dataclass(frozen=True)
class Edit:
    """What an edit of a pathway did.

    Attributes:
        pathway: the pathway, with its new definition.
        changes: each changed field, ``{"from": ..., "to": ...}`` (as audited).
        completed: the teachers' completions the new definition brought about
            (capstone issued, or a final review opened), in person order.
    """

    pathway: Pathway
    changes: dict[str, Any]
    completed: tuple[PathwayCompletion, ...]


def _school_of(session: so.Session, person_id: int, pathway: Pathway) -> int:
    """The school a final review goes through: the teacher's latest submission on the pathway."""
    ids = [a.id for _s, options in definitions.stages_of(pathway) for a in options]
    found = session.scalar(sa.select(Submission.organization_id).where(
        Submission.person_id == person_id, Submission.achievement_id.in_(ids))
        .order_by(Submission.updated_at.desc()).limit(1))
    return int(found) if found is not None else pathway.organization_id


def reevaluate(session: so.Session, ctx: IssuerContext, pathway: Pathway, *, actor: str,
               now: datetime) -> list[PathwayCompletion]:
    """Complete the pathway for every teacher whose credentials now finish it.

    Teachers in progress are those holding an unrevoked credential of a step
    without a completion of this pathway; each one the (new) definition
    finishes goes through the normal completion path (:func:`_complete`: the
    capstone issued at once, or a final review opened). Teachers who already
    completed it are left alone: their completion and capstone stay.
    """
    if pathway.archived_at is not None or definitions.capstone_of(pathway) is None:
        return []
    ids = [a.id for _s, options in definitions.stages_of(pathway) for a in options]
    finished = sa.select(PathwayCompletion.person_id).where(
        PathwayCompletion.pathway_id == pathway.id)
    people = session.scalars(sa.select(IssuedCredential.person_id).where(
        IssuedCredential.achievement_id.in_(ids), IssuedCredential.revoked_at.is_(None),
        IssuedCredential.person_id.not_in(finished)).distinct().order_by(
        IssuedCredential.person_id))
    out = []
    for person_id in list(people):
        found = progress(session, person_id, pathway)
        if not found.complete:
            continue
        made = _complete(session, ctx, found, school_id=_school_of(session, person_id, pathway),
                         actor=actor, now=now)
        if made is not None:
            out.append(made)
    return out


def update(session: so.Session, ctx: IssuerContext, org: Organization, ref: str, data: Any, *,
           actor: str, now: datetime) -> Edit:
    """Edit a pathway (admin page, JSON API and CLI all call this), then re-evaluate teachers.

    The definition rules are :func:`issuer.services.pathways.revise`'s (slug
    fixed, capstone fixed once one was issued, archived pathways refused,
    audited); then every teacher in progress is measured against the new
    steps at once (:func:`reevaluate`).

    Raises:
        ServiceError: as :func:`issuer.services.pathways.revise`, and any
            issuance error of a capstone (nothing is committed by this function).
    """
    pathway, changes = definitions.revise(session, org, ref, data, actor=actor, now=now)
    completed = reevaluate(session, ctx, pathway, actor=actor, now=now)
    return Edit(pathway=pathway, changes=changes, completed=tuple(completed))


def flagged(session: so.Session, org_ids: frozenset[int]) -> list[PathwayCompletion]:
    """Capstones waiting for the district's decision after a component was revoked."""
    return list(session.scalars(sa.select(PathwayCompletion).join(Pathway).where(
        Pathway.organization_id.in_(org_ids), PathwayCompletion.flagged_at.is_not(None),
        PathwayCompletion.decision.is_(None)).order_by(PathwayCompletion.flagged_at)))


def flag_of(session: so.Session, credential: IssuedCredential) -> PathwayCompletion | None:
    """The completion of a capstone credential, when it is flagged and undecided."""
    return session.scalar(sa.select(PathwayCompletion).where(
        PathwayCompletion.credential_id == credential.id,
        PathwayCompletion.flagged_at.is_not(None), PathwayCompletion.decision.is_(None)))


def decide_flag(session: so.Session, completion: PathwayCompletion, *, keep: bool,
                reason: str | None, actor: str, now: datetime) -> PathwayCompletion:
    """The district's decision on a flagged capstone: keep it, or revoke it (audited).

    Raises:
        ServiceError: ``not_flagged`` (409), and any revocation error.
    """
    if completion.flagged_at is None or completion.decision is not None:
        raise ServiceError("this capstone is not waiting for a decision", code="not_flagged",
                           status=409)
    if not keep and completion.credential is not None:
        status_service.revoke(session, completion.credential.credential_id,
                              reason=reason or completion.flag_reason, public=False,
                              actor=actor, now=now)
    completion.decision = "kept" if keep else "revoked"
    completion.decided_at = now
    audit.record(session, actor=actor, action=f"pathway.capstone_{completion.decision}",
                 organization_id=completion.pathway.organization_id,
                 subject_type="pathway", subject_id=str(completion.pathway_id), at=now,
                 detail={"pathway": completion.pathway.slug, "reason": reason,
                         "flag": completion.flag_reason})
    session.flush()
    return completion


# --------------------------------------------------------------------------- cohort

@dataclass(frozen=True)
class StepFigure:
    """Cohort figures for one step: teachers done, median days since their previous step."""

    number: int
    title: str
    teachers: int
    median_days: float | None


def _seconds(session: so.Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    return sa.extract("epoch", later - earlier)


def cohort(session: so.Session, pathway: Pathway) -> list[StepFigure]:
    """How many teachers completed each step, and the median time from their previous step.

    Computed in SQL (window functions on both engines): each person's first
    unrevoked credential per achievement, ranked within the step; the step is
    done at the ``choose``-th; the gap is from the person's previous step done.
    """
    first = sa.select(
        IssuedCredential.person_id.label("person_id"), PathwayStep.position.label("position"),
        sa.func.min(IssuedCredential.issued_at).label("at")
    ).join(PathwayStep, PathwayStep.achievement_id == IssuedCredential.achievement_id).where(
        PathwayStep.pathway_id == pathway.id, PathwayStep.capstone.is_(False),
        IssuedCredential.revoked_at.is_(None)
    ).group_by(IssuedCredential.person_id, PathwayStep.position,
               IssuedCredential.achievement_id).subquery()
    ranked = sa.select(
        first.c.person_id, first.c.position, first.c.at,
        sa.func.row_number().over(partition_by=(first.c.person_id, first.c.position),
                                  order_by=first.c.at).label("rn")).subquery()
    done = sa.select(ranked.c.person_id, ranked.c.position, ranked.c.at.label("at")).outerjoin(
        PathwayStage, sa.and_(PathwayStage.pathway_id == pathway.id,
                              PathwayStage.position == ranked.c.position)).where(
        ranked.c.rn == sa.func.coalesce(PathwayStage.choose, 1)).subquery()
    gaps = sa.select(done.c.position, _seconds(session, done.c.at, sa.func.lag(done.c.at).over(
        partition_by=done.c.person_id, order_by=(done.c.at, done.c.position))).label("gap")
    ).subquery()
    ordered = sa.select(
        gaps.c.position, gaps.c.gap,
        sa.func.row_number().over(partition_by=gaps.c.position, order_by=gaps.c.gap)
        .label("rn"),
        sa.func.count().over(partition_by=gaps.c.position).label("n")
    ).where(gaps.c.gap.is_not(None)).subquery()
    middle = sa.select(ordered.c.position, sa.func.avg(ordered.c.gap)).where(
        ordered.c.rn.in_([(ordered.c.n + 1) // 2, (ordered.c.n + 2) // 2])
    ).group_by(ordered.c.position)
    medians: dict[int, Any] = {int(p): m for p, m in session.execute(middle)}
    counts = {int(p): int(n) for p, n in session.execute(
        sa.select(done.c.position, sa.func.count()).group_by(done.c.position))}
    return [StepFigure(number=n, title=stage.title, teachers=int(counts.get(stage.position, 0)),
                       median_days=round(float(medians[stage.position]) / 86400, 1)
                       if medians.get(stage.position) is not None else None)
            for n, (stage, _o) in enumerate(definitions.stages_of(pathway), start=1)]


def completed_count(session: so.Session, pathway: Pathway) -> int:
    """Teachers who completed the pathway (capstone issued or in final review)."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(PathwayCompletion).where(
        PathwayCompletion.pathway_id == pathway.id)) or 0)


def cohort_csv(session: so.Session, pathway: Pathway) -> str:
    """The cohort figures as CSV: one row per step, then the completions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["step", "title", "teachers_done", "median_days_since_previous_step"])
    for fig in cohort(session, pathway):
        writer.writerow([fig.number, fig.title, fig.teachers,
                         "" if fig.median_days is None else f"{fig.median_days:.1f}"])
    writer.writerow(["completed", "", completed_count(session, pathway), ""])
    return out.getvalue()
