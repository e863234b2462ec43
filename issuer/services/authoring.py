"""Achievement authoring: create, update, publish and archive, with versions (issue #17).

A district writes a definition (:mod:`issuer.services.definition`); this
module stores it, all or nothing: every problem is raised at once as one
:class:`ServiceError` (``invalid_achievement``, 422) whose ``problems`` list
them by field, before anything is written.

Life cycle: ``draft`` → ``published`` → ``archived``. Only a published
achievement is awarded and (when ``catalogueVisible``) listed in the
catalogue; an archived one is hidden, and every credential issued from it
keeps verifying (a credential embeds its signed Achievement, OB 3.0 §B.1.1;
the public page stays).

Versions: each version's content is kept in ``achievement_versions``. Editing
a published achievement that has awards or submissions against its current
version makes a new version (``Achievement.version`` counts up, as the OB
``version`` property): credentials already issued hold the old text, and a
submission says which version it is reviewed against. Any other edit
changes the current version in place. Replacing the badge art follows the
same rule (:func:`art_change`): each version keeps its picture.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import AchievementVersion
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_workflow import Submission
from issuer.services import achievements
from issuer.services import audit
from issuer.services.definition import Definition
from issuer.services.definition import Problem
from issuer.services.definition import check
from issuer.services.definition import from_document
from issuer.services.definition import to_document
from issuer.services.errors import ServiceError

DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"


def refused(problems: list[Problem]) -> ServiceError:
    """The one error for a definition with problems."""
    listed = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return ServiceError(f"the achievement has {len(problems)} problem"
                        f"{'s' if len(problems) != 1 else ''}: {listed}{more}",
                        code="invalid_achievement", status=422, problems=problems)


def definition_of(achievement: Achievement) -> Definition:
    """What is stored, as a :class:`Definition` (a deep copy: changing it changes nothing)."""
    return Definition(
        slug=achievement.slug, name=achievement.name, description=achievement.description,
        achievement_type=achievement.achievement_type, criteria=achievement.criteria,
        evidence_expected=achievement.evidence_expected,
        rubric=copy.deepcopy(achievement.rubric),
        alignments=copy.deepcopy(list(achievement.alignments or [])),
        tags=list(achievement.tags or []),
        validity_days=achievement.validity_days, effort_hours=achievement.effort_hours,
        reviewers_required=achievement.reviewers_required or 1,
        mentor_conflict=achievement.mentor_conflict or "district",
        catalogue_visible=achievement.catalogue_visible)


def snapshot(achievement: Achievement) -> dict[str, Any]:
    """The content of the achievement's current version (API field names, and its image)."""
    doc = to_document(definition_of(achievement))
    doc["imageUrl"] = achievement.image_url
    doc["imageAlt"] = achievement.image_alt
    return doc


def _apply(achievement: Achievement, found: Definition) -> None:
    achievement.name = found.name
    achievement.description = found.description
    achievement.achievement_type = found.achievement_type
    achievement.criteria = found.criteria
    achievement.evidence_expected = found.evidence_expected
    achievement.rubric = found.rubric
    achievement.alignments = found.alignments
    achievement.tags = found.tags
    achievement.validity_days = found.validity_days
    achievement.effort_hours = found.effort_hours
    achievement.reviewers_required = found.reviewers_required
    achievement.mentor_conflict = found.mentor_conflict
    achievement.catalogue_visible = found.catalogue_visible


def _transient(org: Organization, found: Definition, *, achievement_id: str,
               version: int) -> Achievement:
    """An unsaved Achievement with ``found``'s content (never added to the session)."""
    made = Achievement(id=achievement_id, organization_id=org.id, slug=found.slug,
                       version=str(version))
    _apply(made, found)
    made.organization = org
    return made


def _check_ob(achievement: Achievement) -> None:
    """Refuse a definition whose OB 3.0 form the core would not build (checked unsaved)."""
    try:
        achievements.to_model(achievement, base_url="https://example.invalid")
    except (ValueError, TypeError, KeyError) as exc:
        raise refused([{"field": "(document)",
                        "problem": f"is not a valid Open Badges 3.0 Achievement: {exc}"}]
                      ) from None


def version_number(achievement: Achievement) -> int:
    """The current version as a number (``version`` is stored as text, OB's type)."""
    try:
        return int(achievement.version)
    except (TypeError, ValueError):
        return 1


def versions(session: so.Session, achievement: Achievement) -> list[AchievementVersion]:
    """Every stored version, oldest first (achievements made before versions have none)."""
    return list(session.scalars(sa.select(AchievementVersion).where(
        AchievementVersion.achievement_id == achievement.id)
        .order_by(AchievementVersion.number)))


def _version_row(session: so.Session, achievement: Achievement, number: int
                 ) -> AchievementVersion | None:
    return session.scalar(sa.select(AchievementVersion).where(
        AchievementVersion.achievement_id == achievement.id,
        AchievementVersion.number == number))


def in_use(session: so.Session, achievement: Achievement) -> bool:
    """True when credentials or submissions depend on the current version's text."""
    number = version_number(achievement)
    awarded = session.scalar(sa.select(IssuedCredential.id).where(
        IssuedCredential.achievement_id == achievement.id,
        sa.or_(IssuedCredential.achievement_version == number,
               IssuedCredential.achievement_version.is_(None))).limit(1))
    if awarded is not None:
        return True
    reviewed = session.scalar(sa.select(Submission.id).where(
        Submission.achievement_id == achievement.id,
        sa.or_(Submission.achievement_version == number,
               Submission.achievement_version.is_(None))).limit(1))
    return reviewed is not None


def _record(session: so.Session, achievement: Achievement, number: int, *, actor: str,
            now: datetime) -> None:
    """Write version ``number`` as the achievement is now, its art kept with it."""
    from issuer.services import artwork

    doc = snapshot(achievement)
    doc["imageSha256"] = artwork.pin(session, achievement, number)
    row = _version_row(session, achievement, number)
    if row is None:
        session.add(AchievementVersion(achievement_id=achievement.id, number=number,
                                       snapshot=doc, created_at=now, created_by=actor))
    else:
        row.snapshot = doc


def _keep_current(session: so.Session, achievement: Achievement) -> None:
    """Make sure the current version's text and art are recorded before a new version."""
    current = version_number(achievement)
    row = _version_row(session, achievement, current)
    if row is None:  # made before versions were kept: record what its credentials hold
        _record(session, achievement, current, actor="(before versions)",
                now=achievement.created_at)
    elif "imageSha256" not in row.snapshot:  # recorded before art was kept per version
        from issuer.services import artwork

        row.snapshot = {**row.snapshot,
                        "imageSha256": artwork.pin(session, achievement, current)}


def art_change(session: so.Session, achievement: Achievement, change: Callable[[], None], *,
               actor: str, now: datetime) -> bool:
    """Apply ``change`` to the achievement's art; True when it made a new version.

    Like a text edit: a published achievement whose current version has
    awards or submissions gets a new version, so earlier credentials keep
    exactly their image; otherwise the current version's art changes.
    """
    current = version_number(achievement)
    new_version = achievement.status == PUBLISHED and in_use(session, achievement)
    if new_version:
        _keep_current(session, achievement)
    change()
    number = current + 1 if new_version else current
    achievement.version = str(number)
    achievement.updated_at = now
    _record(session, achievement, number, actor=actor, now=now)
    if new_version:
        audit.record(session, actor=actor, action="achievement.updated",
                     organization_id=achievement.organization_id, subject_type="achievement",
                     subject_id=achievement.id, at=now,
                     detail={"slug": achievement.slug, "version": number, "newVersion": True,
                             "changed": "image"})
    session.flush()
    return new_version


def create(session: so.Session, org: Organization, data: Mapping[str, Any] | Any, *,
           actor: str, now: datetime) -> Achievement:
    """Store a new achievement as a draft (version 1).

    Raises:
        ServiceError: ``invalid_achievement`` (422) with every problem, including
            a slug the organization already uses.
    """
    found, problems = check(data)
    if found.slug and session.scalar(sa.select(Achievement.id).where(
            Achievement.organization_id == org.id, Achievement.slug == found.slug)):
        problems.append({"field": "slug",
                         "problem": f"{org.slug} already has an achievement {found.slug!r}"})
    if problems:
        raise refused(problems)
    new_id = str(uuid.uuid4())
    _check_ob(_transient(org, found, achievement_id=new_id, version=1))
    achievement = Achievement(id=new_id, organization=org, slug=found.slug, status=DRAFT,
                              active=False, version="1", created_at=now, updated_at=now)
    _apply(achievement, found)
    session.add(achievement)
    session.flush()
    _record(session, achievement, 1, actor=actor, now=now)
    audit.record(session, actor=actor, action="achievement.created",
                 organization_id=org.id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"slug": achievement.slug, "version": 1})
    session.flush()
    return achievement


def update(session: so.Session, org: Organization, ref: str, data: Mapping[str, Any] | Any,
           *, actor: str, now: datetime) -> tuple[Achievement, bool]:
    """Replace an achievement's definition; returns it and whether a new version was made.

    The definition is the whole document (fields left out take their defaults);
    its ``slug``, when given, must be the achievement's own.

    Raises:
        ServiceError: ``unknown_achievement`` (404), ``achievement_archived`` (409),
            ``invalid_achievement`` (422) with every problem.
    """
    achievement = achievements.get(session, org, ref)
    if achievement.status == ARCHIVED:
        raise ServiceError(f"{achievement.slug!r} is archived: publish it again before "
                           "editing it", code="achievement_archived", status=409)
    found, problems = check(data, slug_required=False)
    if found.slug and found.slug != achievement.slug:
        problems.append({"field": "slug", "problem": f"is {achievement.slug!r} for this "
                         "achievement and cannot be changed"})
    if problems:
        raise refused(problems)
    found.slug = achievement.slug
    if to_document(found) == to_document(definition_of(achievement)):
        return achievement, False
    current = version_number(achievement)
    new_version = achievement.status == PUBLISHED and in_use(session, achievement)
    number = current + 1 if new_version else current
    _check_ob(_transient(org, found, achievement_id=achievement.id, version=number))
    if new_version:
        _keep_current(session, achievement)
    _apply(achievement, found)
    achievement.version = str(number)
    achievement.updated_at = now
    _record(session, achievement, number, actor=actor, now=now)
    audit.record(session, actor=actor, action="achievement.updated",
                 organization_id=org.id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"slug": achievement.slug, "version": number,
                         "newVersion": new_version})
    session.flush()
    return achievement, new_version


def _move(session: so.Session, org: Organization, ref: str, *, to: str, allowed: tuple[str, ...],
          actor: str, now: datetime) -> Achievement:
    achievement = achievements.get(session, org, ref)
    if achievement.status == to:
        raise ServiceError(f"{achievement.slug!r} is already {to}", code=f"already_{to}",
                           status=409)
    if achievement.status not in allowed:
        raise ServiceError(f"{achievement.slug!r} is {achievement.status} and cannot be {to}",
                           code="invalid_transition", status=409)
    before = achievement.status
    achievement.status = to
    achievement.active = to == PUBLISHED
    achievement.updated_at = now
    audit.record(session, actor=actor, action=f"achievement.{to}", organization_id=org.id,
                 subject_type="achievement", subject_id=achievement.id, at=now,
                 detail={"slug": achievement.slug, "from": before,
                         "version": version_number(achievement)})
    session.flush()
    return achievement


def publish(session: so.Session, org: Organization, ref: str, *, actor: str,
            now: datetime) -> Achievement:
    """Publish a draft (or an archived achievement again): it can be awarded and listed.

    Raises:
        ServiceError: ``unknown_achievement`` (404), ``already_published`` (409).
    """
    return _move(session, org, ref, to=PUBLISHED, allowed=(DRAFT, ARCHIVED), actor=actor,
                 now=now)


def archive(session: so.Session, org: Organization, ref: str, *, actor: str,
            now: datetime) -> Achievement:
    """Archive: no new awards or submissions, hidden from the catalogue; credentials verify.

    Raises:
        ServiceError: ``unknown_achievement`` (404), ``already_archived`` (409).
    """
    return _move(session, org, ref, to=ARCHIVED, allowed=(DRAFT, PUBLISHED), actor=actor,
                 now=now)


def as_of(session: so.Session, achievement: Achievement, number: int | None) -> Achievement:
    """The achievement as it was in version ``number`` (itself for the current one).

    The result for an older version is a transient copy, never added to the session.

    Raises:
        ServiceError: ``unknown_version`` (404).
    """
    if number is None or number == version_number(achievement):
        return achievement
    row = _version_row(session, achievement, number)
    if row is None:
        raise ServiceError(f"version {number} of this achievement was not found",
                           code="unknown_version", status=404)
    found = from_document(row.snapshot)
    found.slug = achievement.slug
    old = _transient(achievement.organization, found, achievement_id=achievement.id,
                     version=number)
    old.image_url = row.snapshot.get("imageUrl")
    old.image_alt = row.snapshot.get("imageAlt")
    old.status = achievement.status
    old.active = achievement.active
    old.created_at = achievement.created_at
    return old


def document(session: so.Session, achievement: Achievement, *, base_url: str
             ) -> dict[str, Any]:
    """The achievement as the API shows it: its definition, state and versions."""
    doc = to_document(definition_of(achievement))
    doc.update({
        "id": achievement.id, "url": achievements.achievement_url(base_url, achievement),
        "issuer": achievement.organization.slug, "status": achievement.status,
        "version": version_number(achievement),
        "versions": [{"number": v.number, "createdAt": v.created_at.isoformat(),
                      "createdBy": v.created_by} for v in versions(session, achievement)],
    })
    return doc
