"""Review: the queue, rubric scoring, and decisions (approve, return, decline).

Approval issues the credential in the same transaction as the decision: the
reviewer is the assessing ``source``, the rubric scores become ``result``
entries that reference the achievement's ResultDescriptions (OB 3.0 §B.1.16),
and the evidence the teacher chose to share goes in as ``evidence`` (items
marked as containing student data never do). Approving a renewal (issue #6)
issues a credential whose evidence names the one it renews, unless that one
was revoked, suspended or renewed in the meantime.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import model
from issuer.models import Achievement
from issuer.models import Role
from issuer.models_workflow import Decision
from issuer.models_workflow import EvidenceKind
from issuer.models_workflow import Review
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.services import achievements as achievement_service
from issuer.services import audit
from issuer.services import authoring
from issuer.services import issuance
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.workflow import accounts
from issuer.workflow import notifications
from issuer.workflow import pathways
from issuer.workflow import renewals
from issuer.workflow import submissions
from issuer.workflow.access import Forbidden
from issuer.workflow.access import Viewer
from issuer.workflow.access import decision_blocker


@dataclass(frozen=True)
class QueueFilter:
    """Queue filters: a school and an achievement (None for all)."""

    school_id: int | None = None
    achievement_id: str | None = None


def queue(session: so.Session, viewer: Viewer, filters: QueueFilter) -> list[Submission]:
    """Submissions waiting for a decision in the viewer's scope, oldest first.

    Raises:
        Forbidden: the viewer is neither a reviewer nor an admin.
    """
    if not viewer.has(Role.REVIEWER, Role.ADMIN):
        raise Forbidden("the review queue is for reviewers")
    scope = viewer.scope(Role.REVIEWER, Role.ADMIN)
    # A reviewer who already approved a round that needs more approvals waits for others.
    approved = sa.select(Review.id).where(
        Review.submission_id == Submission.id, Review.round == Submission.round,
        Review.reviewer_id == viewer.person_id, Review.decision == Decision.APPROVE).exists()
    query = sa.select(Submission).where(
        Submission.status == SubmissionStatus.SUBMITTED, ~approved,
        Submission.organization_id.in_(scope)).order_by(Submission.submitted_at, Submission.id)
    if filters.school_id is not None:
        query = query.where(Submission.organization_id.in_(
            viewer.tree.descendants_or_self([filters.school_id]) & scope))
    if filters.achievement_id:
        query = query.where(Submission.achievement_id == filters.achievement_id)
    return list(session.scalars(query))


def reviewed_against(session: so.Session, submission: Submission) -> Achievement:
    """The achievement as it read in the version the submission is reviewed against."""
    return authoring.as_of(session, submission.achievement, submission.achievement_version)


def check_scores(submission: Submission, scores: Mapping[str, str], *,
                 achievement: Achievement | None = None) -> dict[str, str]:
    """Scores as ``{criterion id: level id}``, each checked against the rubric.

    Args:
        submission: the submission scored.
        scores: the scores given.
        achievement: the version reviewed against (default: the current one).

    Raises:
        ServiceError: ``invalid_score``.
    """
    rubric = {c["id"]: {lv["id"] for lv in c.get("levels", [])}
              for c in submissions.criteria(achievement or submission.achievement)}
    out: dict[str, str] = {}
    for criterion_id, level_id in scores.items():
        if not level_id:
            continue
        if criterion_id not in rubric or level_id not in rubric[criterion_id]:
            raise ServiceError("a score does not match the rubric", code="invalid_score")
        out[criterion_id] = level_id
    return out


def reviewer_profile(base_url: str, viewer: Viewer, org_name: str) -> model.Profile:
    """The reviewer as the credential's assessing ``source`` (OB 3.0 §B.1.3).

    The id is a stable ``urn:uuid`` for this person on this service, not their e-mail.
    """
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}/people/{viewer.person_id}")
    return model.Profile(id=f"urn:uuid:{stable}", name=viewer.name,
                         description=f"Reviewer for {org_name}")


def credential_parts(submission: Submission, scores: Mapping[str, str], *, base_url: str
                     ) -> tuple[tuple[model.Result, ...], tuple[model.Evidence, ...]]:
    """Rubric results and shared evidence for the credential."""
    url = achievement_service.achievement_url(base_url, submission.achievement)
    results = tuple(
        model.Result(result_description=f"{url}/rubric/{criterion_id}",
                     achieved_level=f"{url}/rubric/{criterion_id}/levels/{level_id}")
        for criterion_id, level_id in scores.items())
    shared: list[model.Evidence] = []
    for item in submissions.current_items(submission):
        if not item.share or item.contains_student_data:
            continue
        if item.kind == EvidenceKind.LINK:
            shared.append(model.Evidence(id=item.url, name=item.title, narrative=item.body,
                                         genre="Link"))
        elif item.kind == EvidenceKind.REFLECTION:
            shared.append(model.Evidence(name=item.title, narrative=item.body,
                                         genre="Reflection"))
        else:
            shared.append(model.Evidence(
                name=item.title, genre="Document",
                description=f"{item.filename}: reviewed by the district; the file itself "
                            "is kept private."))
    return results, tuple(shared)


def decide(session: so.Session, ctx: IssuerContext, viewer: Viewer, submission: Submission, *,
           decision: Decision, scores: Mapping[str, str], feedback: str | None,
           now: datetime) -> Review:
    """Record a decision; approval awards the credential in the same transaction.

    Args:
        session: the transaction (the caller commits once, after this returns).
        ctx: base URL and key-encryption key for signing.
        viewer: the reviewer.
        submission: a submission waiting for a decision.
        decision: approve, return for revision, or decline.
        scores: ``{criterion id: level id}``; approval needs every criterion.
        feedback: required to return or decline.
        now: the time.

    Raises:
        Forbidden: the viewer may not decide (not their scope, their own, a mentee).
        ServiceError: ``not_waiting``, ``invalid_score``, ``missing_scores``,
            ``missing_feedback``; approving a renewal whose prior credential was
            revoked, suspended or renewed since (``already_revoked``, ``suspended``,
            ``already_renewed``); and any award error (nothing is then written).
    """
    district = viewer.tree.district_of(submission.organization_id)
    blocker = decision_blocker(session, viewer, submission,
                               mentor_rule=mentor_rule(session, submission, district))
    if blocker is not None:
        raise Forbidden(blocker)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ServiceError("this submission is not waiting for a decision", code="not_waiting",
                           status=409)
    earlier = approvals(session, submission)
    if viewer.person_id in earlier:
        raise ServiceError("you have already approved this round; another reviewer decides "
                           "next", code="already_reviewed", status=409)
    definition = reviewed_against(session, submission)
    checked = check_scores(submission, scores, achievement=definition)
    note = validation.text(feedback, field="feedback", max_length=10_000, required=False)
    unscored = [c["name"] for c in submissions.criteria(definition)
                if c["id"] not in checked]
    if decision == Decision.APPROVE and unscored:
        raise ServiceError("score every rubric criterion before approving (missing: "
                           + ", ".join(unscored) + ")", code="missing_scores")
    if decision != Decision.APPROVE and not note:
        raise ServiceError("write feedback for the teacher: it is what they revise from",
                           code="missing_feedback")
    assert submission.submitted_at is not None
    review = Review(submission_id=submission.id, round=submission.round,
                    reviewer_id=viewer.person_id, decision=decision, scores=checked,
                    feedback=note, submitted_at=submission.submitted_at, decided_at=now)
    session.add(review)
    teacher = submission.person
    achievement = submission.achievement
    detail: dict[str, Any] = {"review": None, "decision": decision.value,
                              "version": authoring.version_number(definition)}
    needed = achievement.reviewers_required or 1
    if decision == Decision.APPROVE and len(earlier) + 1 < needed:
        # The achievement's reviewer rule: one more approval recorded, no badge yet.
        session.flush()
        detail.update(review=review.id, approvals=len(earlier) + 1, required=needed)
        session.add(SubmissionEvent(submission_id=submission.id, at=now,
                                    actor_id=viewer.person_id, action="approval_recorded",
                                    round=submission.round, detail=detail))
        audit.record(session, actor=viewer.email, action="submission.approval_recorded",
                     organization_id=submission.organization_id, subject_type="submission",
                     subject_id=submission.id, at=now, detail=detail)
        submission.updated_at = now
        session.flush()
        return review
    if decision == Decision.APPROVE:
        prior = submission.renews_credential
        if prior is not None:
            renewals.check_renewable(session, prior, now=now, starting=False)
        results, shared = credential_parts(submission, checked, base_url=ctx.base_url)
        shared += pathways.capstone_evidence(session, submission, base_url=ctx.base_url)
        issued = issuance.award(
            session, ctx, issuer=achievement.organization.slug, achievement=achievement.id,
            email=accounts.primary_email(teacher), name=teacher.display_name,
            actor=viewer.email, now=now,
            source=reviewer_profile(ctx.base_url, viewer, submission.organization.name),
            results=results, evidence=shared, renews=prior,
            version=submission.achievement_version)
        submission.credential_id = issued.id
        submission.status = SubmissionStatus.APPROVED
        pathways.after_approval(session, ctx, submission, issued, actor=viewer.email, now=now)
        detail["credential"] = issued.credential_id
        if prior is not None:
            detail["renews"] = prior.credential_id
    else:
        submission.status = (SubmissionStatus.RETURNED if decision == Decision.RETURN
                             else SubmissionStatus.DECLINED)
    submission.decided_at = now
    submission.updated_at = now
    session.flush()
    detail["review"] = review.id
    session.add(SubmissionEvent(submission_id=submission.id, at=now, actor_id=viewer.person_id,
                                action={"approve": "approved", "return": "returned",
                                        "decline": "declined"}[decision.value],
                                round=submission.round, detail=detail))
    audit.record(session, actor=viewer.email, action=f"submission.{decision.value}",
                 organization_id=submission.organization_id, subject_type="submission",
                 subject_id=submission.id, at=now, detail=detail)
    _notify(session, submission, decision, note, base_url=ctx.base_url, now=now)
    session.flush()
    return review


def mentor_rule(session: so.Session, submission: Submission, district: int) -> bool:
    """Whether mentors are kept from deciding for their mentees on this submission.

    The achievement's reviewer rule decides (``block``, ``allow``); ``district``
    (the default) follows the district's policy.
    """
    rule = submission.achievement.mentor_conflict or "district"
    if rule != "district":
        return rule == "block"
    return accounts.policy(session, district).mentor_conflict


def approvals(session: so.Session, submission: Submission) -> set[int]:
    """The reviewers who approved the submission's current round so far."""
    return set(session.scalars(sa.select(Review.reviewer_id).where(
        Review.submission_id == submission.id, Review.round == submission.round,
        Review.decision == Decision.APPROVE)))


def _notify(session: so.Session, submission: Submission, decision: Decision,
            feedback: str | None, *, base_url: str, now: datetime) -> None:
    teacher = submission.person
    name = submission.achievement.name
    link = f"{base_url}/submissions/{submission.id}"
    if decision == Decision.APPROVE:
        renewal = submission.renews_credential_id is not None
        subject = f"Badge {'renewed' if renewal else 'awarded'}: {name}"
        opening = "Your evidence for renewing" if renewal else "Congratulations: your evidence for"
        badge = "the renewed badge" if renewal else "the badge"
        body = (f"Hello {teacher.display_name},\n\n{opening} \"{name}\" was approved and "
                f"{badge} has been awarded. It is in your wallet, with downloads and a share "
                f"link:\n\n{base_url}/wallet\n")
        kind = "badge_awarded"
    elif decision == Decision.RETURN:
        subject = f"Returned for revision: {name}"
        body = (f"Hello {teacher.display_name},\n\nA reviewer returned your evidence for "
                f"\"{name}\" with feedback. Revise it and submit again:\n\n{link}\n\n"
                f"Feedback:\n{feedback}\n")
        kind = "decision"
    else:
        subject = f"Decision on your evidence: {name}"
        body = (f"Hello {teacher.display_name},\n\nA reviewer declined your evidence for "
                f"\"{name}\".\n\n{link}\n\nFeedback:\n{feedback}\n")
        kind = "decision"
    notifications.queue(session, kind=kind, to=accounts.primary_email(teacher),
                        subject=subject, body=body, now=now)

