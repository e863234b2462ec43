"""Evidence submissions: start, add evidence, save drafts, submit and resubmit.

Every change is its own small transaction, so evidence a teacher has saved
stays saved whatever happens to the rest of the page (a closed tab, a failed
upload, a lost connection). Items that were part of a submitted round are
withdrawn rather than deleted, so each round's history stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Membership
from issuer.models import Person
from issuer.models import Role
from issuer.models_workflow import EvidenceFile
from issuer.models_workflow import EvidenceItem
from issuer.models_workflow import EvidenceKind
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionEvent
from issuer.models_workflow import SubmissionStatus
from issuer.services import validation
from issuer.services.authoring import version_number
from issuer.services.errors import ServiceError
from issuer.workflow import evidence
from issuer.workflow import notifications
from issuer.workflow import pathways
from issuer.workflow.access import Forbidden
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer
from issuer.workflow.accounts import primary_email
from verifier.i18n import Translator

OPEN = (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED)
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
MAX_TEXT = 10_000
STATUS_LABELS = {
    SubmissionStatus.DRAFT: "Draft",
    SubmissionStatus.SUBMITTED: "Waiting for review",
    SubmissionStatus.RETURNED: "Returned for revision",
    SubmissionStatus.APPROVED: "Approved",
    SubmissionStatus.DECLINED: "Declined",
}


def criteria(achievement: Achievement) -> list[dict[str, Any]]:
    """The rubric's criteria (empty without a rubric)."""
    rubric = achievement.rubric or {}
    found: list[dict[str, Any]] = rubric.get("criteria", [])
    return found


def reflection_criteria(achievement: Achievement) -> list[dict[str, Any]]:
    """Criteria that ask for a written reflection of their own.

    A rubric asks with ``"reflection": true`` on a criterion, or
    ``"reflectionPerCriterion": true`` for all of them.
    """
    rubric = achievement.rubric or {}
    every = bool(rubric.get("reflectionPerCriterion"))
    return [c for c in criteria(achievement) if every or c.get("reflection")]


def visible(session: so.Session, viewer: Viewer, submission_id: str) -> Submission:
    """A submission the viewer may see (theirs, or in their review or admin scope).

    Raises:
        NotVisible: unknown, or outside the viewer's scope (404).
    """
    found = session.get(Submission, submission_id)
    if found is None or not viewer.can_view_submission(found):
        raise NotVisible("submission")
    return found


def own(session: so.Session, viewer: Viewer, submission_id: str) -> Submission:
    """One of the viewer's own submissions.

    Raises:
        NotVisible: unknown or someone else's (404).
    """
    found = session.get(Submission, submission_id)
    if found is None or found.person_id != viewer.person_id:
        raise NotVisible("submission")
    return found


def mine(session: so.Session, viewer: Viewer) -> list[Submission]:
    """The viewer's submissions, most recently changed first."""
    return list(session.scalars(sa.select(Submission).where(
        Submission.person_id == viewer.person_id).order_by(Submission.updated_at.desc())))


def current_items(submission: Submission) -> list[EvidenceItem]:
    """The evidence as it stands (withdrawn items left out)."""
    return [item for item in submission.items if item.withdrawn_at is None]


def _event(session: so.Session, submission: Submission, action: str, *, actor_id: int | None,
           now: datetime, detail: dict[str, Any] | None = None) -> None:
    session.add(SubmissionEvent(submission_id=submission.id, at=now, actor_id=actor_id,
                                action=action, round=submission.round, detail=detail or {}))


def start(session: so.Session, viewer: Viewer, *, achievement_id: str,
          organization_id: int | None, now: datetime) -> Submission:
    """Start (or reopen) the viewer's submission for an achievement.

    Args:
        session: the transaction.
        viewer: the teacher.
        achievement_id: the achievement.
        organization_id: the school the teacher submits through (needed only
            when they teach in more than one that offers the achievement).
        now: the time.

    Raises:
        Forbidden: the viewer is not a teacher.
        NotVisible: the achievement is not in the viewer's catalogue.
        ServiceError: ``choose_school``, ``achievement_retired``, ``already_earned``,
            ``step_locked`` (a pathway step whose earlier steps are not done, issue #20).
    """
    if not viewer.teacher_orgs():
        raise Forbidden("only teachers submit evidence")
    achievement = session.get(Achievement, achievement_id)
    if achievement is None or achievement.organization_id not in viewer.achievement_orgs() \
            or achievement.status == "draft":
        raise NotVisible("micro-credential")
    school = choose_school(viewer, achievement, organization_id)
    locked = pathways.lock_reason(session, viewer.person_id, achievement)
    existing = session.scalars(sa.select(Submission).where(
        Submission.person_id == viewer.person_id, Submission.achievement_id == achievement.id,
        Submission.status.in_([*OPEN, SubmissionStatus.APPROVED]))).all()
    for found in existing:
        if found.status == SubmissionStatus.APPROVED:
            raise ServiceError("you have already earned this micro-credential: it is in your "
                               "wallet (renew it there when it is about to expire)",
                               code="already_earned", status=409)
        return found
    if locked is not None:
        raise ServiceError(f"this step is locked: {locked}", code="step_locked", status=409)
    return create(session, viewer, achievement=achievement, organization_id=school, now=now)


def eligible_schools(viewer: Viewer, achievement: Achievement) -> list[int]:
    """The schools the viewer teaches in that offer ``achievement`` (theirs or their district's)."""
    return sorted(o for o in viewer.teacher_orgs()
                  if achievement.organization_id in viewer.tree.ancestors_or_self(o))


def choose_school(viewer: Viewer, achievement: Achievement, organization_id: int | None) -> int:
    """The school a new submission goes through: the one asked for, or the only one.

    Raises:
        Forbidden: the achievement is not offered to any of the viewer's schools.
        NotVisible: ``organization_id`` is not one of them.
        ServiceError: ``choose_school`` (several and none chosen), ``achievement_retired``.
    """
    eligible = eligible_schools(viewer, achievement)
    if not eligible:
        raise Forbidden("this micro-credential is not offered to your school")
    if organization_id is None:
        if len(eligible) > 1:
            raise ServiceError("choose the school you are submitting for", code="choose_school")
        organization_id = eligible[0]
    elif organization_id not in eligible:
        raise NotVisible("school")
    if not achievement.active:
        raise ServiceError("this micro-credential is retired", code="achievement_retired",
                           status=409)
    return organization_id


def create(session: so.Session, viewer: Viewer, *, achievement: Achievement,
           organization_id: int, now: datetime,
           renews: IssuedCredential | None = None) -> Submission:
    """A new draft submission (checked by the caller), with its "created" event.

    Args:
        session: the transaction.
        viewer: the teacher.
        achievement: the achievement.
        organization_id: the school it goes through (:func:`choose_school`).
        now: the time.
        renews: the credential a renewal submission renews (issue #6).

    Raises:
        sqlalchemy.exc.IntegrityError: ``renews`` already has a renewal that is not declined.
    """
    submission = Submission(person_id=viewer.person_id, organization_id=organization_id,
                            achievement_id=achievement.id, status=SubmissionStatus.DRAFT,
                            created_at=now, updated_at=now,
                            renews_credential_id=renews.id if renews is not None else None,
                            achievement_version=version_number(achievement))
    session.add(submission)
    session.flush()
    _event(session, submission, "created", actor_id=viewer.person_id, now=now,
           detail={"renews": renews.credential_id} if renews is not None else None)
    return submission


def _editable(submission: Submission) -> None:
    if submission.status not in EDITABLE:
        raise ServiceError("this submission is with the reviewers and cannot be changed now",
                           code="not_editable", status=409)


def _flags(contains_student_data: bool, share: bool) -> None:
    if contains_student_data and share:
        raise ServiceError("evidence that contains student data is never shared in the "
                           "credential: untick one of the two boxes",
                           code="student_data_shared")


def _add(session: so.Session, submission: Submission, item: EvidenceItem,
         now: datetime) -> EvidenceItem:
    item.created_at = item.updated_at = now
    submission.items.append(item)
    submission.updated_at = now
    session.flush()
    return item


def add_link(session: so.Session, submission: Submission, *, title: str, url: str,
             note: str | None, contains_student_data: bool, share: bool,
             now: datetime) -> EvidenceItem:
    """Add a link (to a recording, a site, a shared document).

    Raises:
        ServiceError: ``not_editable``, ``invalid_url``, text checks.
    """
    _editable(submission)
    _flags(contains_student_data, share)
    address = validation.text(url, field="link", max_length=2000) or ""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise ServiceError("the link must be a web address starting with https:// or http://",
                           code="invalid_url")
    return _add(session, submission, EvidenceItem(
        kind=EvidenceKind.LINK, title=validation.text(title, field="title", max_length=200)
        or "", url=address, body=validation.text(note, field="note", max_length=MAX_TEXT,
                                                 required=False),
        contains_student_data=contains_student_data, share=share), now)


def add_note(session: so.Session, submission: Submission, *, title: str, text: str,
             contains_student_data: bool, share: bool, now: datetime) -> EvidenceItem:
    """Add a written reflection or note.

    Raises:
        ServiceError: ``not_editable``, text checks.
    """
    _editable(submission)
    _flags(contains_student_data, share)
    return _add(session, submission, EvidenceItem(
        kind=EvidenceKind.REFLECTION,
        title=validation.text(title, field="title", max_length=200) or "",
        body=validation.text(text, field="reflection", max_length=MAX_TEXT),
        contains_student_data=contains_student_data, share=share), now)


def add_file(session: so.Session, store: evidence.EvidenceStore, submission: Submission, *,
             title: str | None, filename: str | None, data: bytes, max_bytes: int,
             contains_student_data: bool, share: bool, now: datetime) -> EvidenceItem:
    """Check a file and keep it in the private store.

    Raises:
        ServiceError: ``not_editable``, ``unsafe_filename``, ``empty_file``,
            ``file_too_large``, ``unsupported_type``, ``type_mismatch``.
    """
    _editable(submission)
    _flags(contains_student_data, share)
    name = evidence.check_filename(filename)
    media_type = evidence.check_content(name, data, max_bytes=max_bytes)
    label = validation.text(title, field="title", max_length=200, required=False) or name
    digest = store.put(data)
    if session.get(EvidenceFile, digest) is None:
        session.add(EvidenceFile(sha256=digest, size=len(data), media_type=media_type,
                                 created_at=now))
        session.flush()
    return _add(session, submission, EvidenceItem(
        kind=EvidenceKind.FILE, title=label, filename=name, file_sha256=digest,
        contains_student_data=contains_student_data, share=share), now)


def save_reflections(session: so.Session, submission: Submission, texts: Mapping[str, str],
                     *, now: datetime) -> int:
    """Save the per-criterion reflections (a draft save); returns how many changed.

    Raises:
        ServiceError: ``not_editable``, ``unknown_criterion``, text checks.
    """
    _editable(submission)
    wanted = {c["id"]: c for c in reflection_criteria(submission.achievement)}
    current = {item.criterion_id: item for item in current_items(submission)
               if item.criterion_id is not None}
    changed = 0
    for criterion_id, raw in texts.items():
        if criterion_id not in wanted:
            raise ServiceError("that rubric criterion does not ask for a reflection",
                               code="unknown_criterion")
        text = validation.text(raw, field=f"reflection on {wanted[criterion_id]['name']}",
                               max_length=MAX_TEXT, required=False)
        item = current.get(criterion_id)
        if item is not None and item.body == text:
            continue
        if item is not None and item.first_round is None:
            if text is None:
                session.delete(item)
                submission.items.remove(item)
            else:
                item.body = text
                item.updated_at = now
        else:
            if item is not None:
                item.withdrawn_at = now
            if text is not None:
                _add(session, submission, EvidenceItem(
                    kind=EvidenceKind.REFLECTION, criterion_id=criterion_id, body=text,
                    title=f"Reflection: {wanted[criterion_id]['name']}"[:200]), now)
        changed += 1
    submission.updated_at = now
    session.flush()
    return changed


def withdraw_item(session: so.Session, submission: Submission, item_id: int, *,
                  now: datetime) -> None:
    """Remove an item (kept for the history when a reviewer has seen it).

    Raises:
        ServiceError: ``not_editable``; NotVisible for an item of another submission.
    """
    _editable(submission)
    item = next((i for i in current_items(submission) if i.id == item_id), None)
    if item is None:
        raise NotVisible("evidence item")
    if item.first_round is None:
        submission.items.remove(item)
        session.delete(item)
    else:
        item.withdrawn_at = now
    submission.updated_at = now
    session.flush()


def reviewers_for(session: so.Session, submission: Submission, viewer: Viewer) -> list[Person]:
    """People who review for the submission's school (held there or in its district)."""
    orgs = viewer.tree.ancestors_or_self(submission.organization_id)
    return list(session.scalars(sa.select(Person).join(
        Membership, Membership.person_id == Person.id).where(
        Membership.organization_id.in_(orgs), Membership.role == Role.REVIEWER,
        Person.id != submission.person_id).distinct().order_by(Person.id)))


def submit(session: so.Session, viewer: Viewer, submission: Submission, *, base_url: str,
           now: datetime, lang: str = "en") -> Submission:
    """Send the evidence to the reviewers (a first submission or a resubmission).

    The teacher's receipt is written in ``lang`` (the language they submitted
    in); the reviewers' notices stay English, their language being unknown.

    Raises:
        ServiceError: ``not_editable``, ``no_evidence``, ``missing_reflection``.
    """
    _editable(submission)
    items = current_items(submission)
    if not items:
        raise ServiceError("add at least one piece of evidence before submitting",
                           code="no_evidence")
    written = {i.criterion_id for i in items if i.criterion_id and i.body}
    missing = [c["name"] for c in reflection_criteria(submission.achievement)
               if c["id"] not in written]
    if missing:
        raise ServiceError("write the reflection the rubric asks for on: " + ", ".join(missing),
                           code="missing_reflection")
    resubmission = submission.status == SubmissionStatus.RETURNED
    submission.round += 1
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = now
    # Each round is reviewed against the achievement as it reads when submitted.
    submission.achievement_version = version_number(submission.achievement)
    submission.first_submitted_at = submission.first_submitted_at or now
    submission.updated_at = now
    for item in items:
        if item.first_round is None:
            item.first_round = submission.round
    _event(session, submission, "resubmitted" if resubmission else "submitted",
           actor_id=viewer.person_id, now=now, detail={"items": [
               {"id": i.id, "kind": i.kind.value, "title": i.title, "filename": i.filename,
                "criterion": i.criterion_id} for i in items]})
    name = submission.achievement.name
    teacher = submission.person
    words = Translator(lang)
    notifications.queue(
        session, kind="submission_received", to=primary_email(teacher), now=now,
        subject=words("mail_received_subject", name=name),
        body=words("mail_resubmitted_body" if resubmission else "mail_submitted_body",
                   teacher=teacher.display_name, name=name,
                   link=f"{base_url}/submissions/{submission.id}"))
    for reviewer in reviewers_for(session, submission, viewer):
        notifications.queue(
            session, kind="submission_received", to=primary_email(reviewer), now=now,
            subject=f"New evidence to review: {name}",
            body=f"Hello {reviewer.display_name},\n\n{teacher.display_name} "
                 f"({submission.organization.name}) "
                 f"{'resubmitted' if resubmission else 'submitted'} evidence for \"{name}\" "
                 f"(round {submission.round}).\n\nReview it: {base_url}/review/{submission.id}\n")
    session.flush()
    return submission
