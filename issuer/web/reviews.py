"""Review: the queue and the review page (rubric beside the evidence, then a decision).

* ``GET /review`` (``?school=<id>&achievement=<id>``): submissions waiting,
  oldest first, within the reviewer's schools;
* ``GET /review/<id>``: the evidence, the rubric to score, the history, and
  for a renewal (issue #6) which credential it renews;
* ``POST /review/<id>/decision``: approve (issues the badge), return for
  revision, or decline, with scores and feedback.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from issuer.models import Achievement
from issuer.models import Organization
from issuer.models import Role
from issuer.models_workflow import Decision
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import authoring
from issuer.services.errors import ServiceError
from issuer.web.auth import deliver_mail
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.language import translator
from issuer.workflow import pathways
from issuer.workflow import reviews
from issuer.workflow import submissions
from issuer.workflow.access import BLOCKERS
from issuer.workflow.access import Viewer
from issuer.workflow.access import decision_blocker

bp = Blueprint("reviews", __name__)
protect(bp)


@bp.get("/review")
def queue() -> Any:
    """The queue of submissions waiting for a decision."""
    found = require(Role.REVIEWER, Role.ADMIN)
    db = session()
    scope = found.scope(Role.REVIEWER, Role.ADMIN)
    schools = list(db.scalars(sa.select(Organization).where(
        Organization.id.in_(scope)).order_by(Organization.name)))
    achievements = list(db.scalars(sa.select(Achievement).where(
        Achievement.organization_id.in_(found.achievement_orgs())).order_by(Achievement.name)))
    school = request.args.get("school", type=int)
    achievement = request.args.get("achievement") or None
    if school is not None and school not in scope:
        school = None
    if achievement is not None and achievement not in {a.id for a in achievements}:
        achievement = None
    waiting = reviews.queue(db, found, reviews.QueueFilter(school_id=school,
                                                           achievement_id=achievement))
    # say which submissions this reviewer may not decide (their own, a mentee's under the
    # district's rule, or not their school), so nobody opens one only to be refused
    blockers = {sub.id: decision_blocker(db, found, sub, mentor_rule=reviews.mentor_rule(
        db, sub, found.tree.district_of(sub.organization_id))) for sub in waiting}
    blockers = {key: _said(why) for key, why in blockers.items()}
    return render_template("workflow/queue.html", waiting=waiting, schools=schools,
                           achievements=achievements, school=school, achievement=achievement,
                           current=now(), blockers=blockers)


def _said(blocker: str | None) -> str | None:
    """Why the reviewer may not decide, in the page's language."""
    codes = {message: code for code, message in BLOCKERS.items()}
    return translator()(f"blocker_{codes[blocker]}") if blocker in codes else blocker


def _page(found: Viewer, sub: Submission, *, error: str | None = None,
          status: int = 200) -> Any:
    db = session()
    rule = reviews.mentor_rule(db, sub, found.tree.district_of(sub.organization_id))
    blocker = _said(decision_blocker(db, found, sub, mentor_rule=rule))
    form = request.form if request.method == "POST" else {}
    definition = reviews.reviewed_against(db, sub)
    return render_template(
        "workflow/review.html", sub=sub, achievement=definition,
        version=authoring.version_number(definition),
        newer=authoring.version_number(sub.achievement) > authoring.version_number(definition),
        approvals=len(reviews.approvals(db, sub)),
        criteria=submissions.criteria(definition), items=submissions.current_items(sub),
        blocker=blocker, waiting=sub.status == SubmissionStatus.SUBMITTED, error=error,
        form=form, labels=submissions.STATUS_LABELS, current=now(),
        pathway=pathways.final_review(db, sub)), status


@bp.get("/review/<submission_id>")
def show(submission_id: str) -> Any:
    """The review page."""
    found = require(Role.REVIEWER, Role.ADMIN)
    return _page(found, submissions.visible(session(), found, submission_id))


@bp.post("/review/<submission_id>/decision")
def decide(submission_id: str) -> Any:
    """Record the decision; approval issues the credential in the same transaction."""
    found = require(Role.REVIEWER, Role.ADMIN)
    db = session()
    sub = submissions.visible(db, found, submission_id)
    try:
        decision = Decision(request.form.get("decision", ""))
    except ValueError:
        return _page(found, sub, error="Choose approve, return for revision or decline.",
                     status=400)
    scores = {key[len("score-"):]: value for key, value in request.form.items()
              if key.startswith("score-")}
    try:
        reviews.decide(db, issuer_context(), found, sub, decision=decision, scores=scores,
                       feedback=request.form.get("feedback"), now=now())
    except ServiceError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _page(found, submissions.visible(db, found, submission_id), error=exc.message,
                     status=exc.status)
    db.commit()
    deliver_mail()
    if decision == Decision.APPROVE and sub.status == SubmissionStatus.SUBMITTED:
        needed = sub.achievement.reviewers_required - len(reviews.approvals(db, sub))
        flash(f"Your approval is recorded; {needed} more reviewer"
              f"{'s' if needed != 1 else ''} must approve before the badge is issued.",
              "success")
        return redirect(url_for("reviews.queue"), code=303)
    flash({Decision.APPROVE: "Approved: the badge was issued to the teacher.",
           Decision.RETURN: "Returned to the teacher with your feedback.",
           Decision.DECLINE: "Declined; the teacher was told."}[decision], "success")
    return redirect(url_for("reviews.queue"), code=303)
