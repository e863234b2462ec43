"""Achievements: the micro-credentials a district offers, and their OB 3.0 form."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import model
from issuer.models import Achievement
from issuer.models import Organization
from issuer.services import artwork
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found
from issuer.services.organizations import profile


def achievement_url(base_url: str, achievement: Achievement) -> str:
    """The achievement's public id: a page (HTML or JSON-LD by content negotiation)."""
    return f"{base_url}/achievements/{achievement.id}"


#: An achievement of an organization by id or slug, alone and with its image's alt text
#: (built once: they are read by every award).
_MATCHING = (Achievement.organization_id == sa.bindparam("org"),
             sa.or_(Achievement.id == sa.bindparam("ref"), Achievement.slug == sa.bindparam("ref")))
_BY_REF = sa.select(Achievement).where(*_MATCHING)
_WITH_ALT = sa.select(Achievement, artwork.uploaded_alt(Achievement.id).scalar_subquery()).where(
    *_MATCHING)


def get(session: so.Session, org: Organization, ref: str) -> Achievement:
    """An achievement of ``org`` by id or slug.

    Raises:
        ServiceError: ``unknown_achievement`` (404).
    """
    found = session.scalar(_BY_REF, {"org": org.id, "ref": ref})
    if found is None:
        raise not_found(f"achievement {ref!r} of {org.slug}", "unknown_achievement")
    return found


def get_with_alt(session: so.Session, org: Organization, ref: str) -> tuple[Achievement, str]:
    """:func:`get`, and its image's alternative text (:func:`artwork.alt_for`) in the same query.

    Raises:
        ServiceError: ``unknown_achievement`` (404).
    """
    found = session.execute(_WITH_ALT, {"org": org.id, "ref": ref}).first()
    if found is None:
        raise not_found(f"achievement {ref!r} of {org.slug}", "unknown_achievement")
    achievement, uploaded = found
    return achievement, artwork.current_alt(achievement, uploaded)


def list_for(session: so.Session, org: Organization) -> list[Achievement]:
    """The organization's achievements, by name."""
    return list(session.scalars(sa.select(Achievement).where(
        Achievement.organization_id == org.id).order_by(Achievement.name)))


def create(session: so.Session, org: Organization, *, slug: str, name: str, description: str,
           criteria: str, image_url: str | None = None, image_alt: str | None = None,
           alignments: list[dict[str, Any]] | None = None,
           rubric: dict[str, Any] | None = None, evidence_expected: str | None = None,
           effort_hours: float | None = None, validity_days: int | None = None,
           tags: list[str] | None = None) -> Achievement:
    """Define an achievement; its OB form is checked before anything is stored.

    ``rubric`` is ``{"name": ..., "criteria": [{"id", "name", "levels":
    [{"id", "name", "description", "points"}]}]}``; each criterion becomes a
    ResultDescription of type RubricCriterionLevel.

    Raises:
        ServiceError: ``invalid_achievement``, ``slug_taken``, text checks.
    """
    slug = validation.slug(slug)
    if session.scalar(sa.select(Achievement.id).where(
            Achievement.organization_id == org.id, Achievement.slug == slug)):
        raise ServiceError(f"{org.slug} already has an achievement {slug!r}",
                           code="slug_taken", status=409)
    if image_url and not (image_alt and image_alt.strip()):
        raise ServiceError("a badge image needs alternative text", code="missing_alt_text")
    if validity_days is not None and (not isinstance(validity_days, int) or validity_days < 1):
        raise ServiceError("validity_days must be a positive whole number",
                           code="invalid_achievement")
    achievement = Achievement(
        organization=org, slug=slug,
        name=validation.text(name, field="name", max_length=200) or "",
        description=validation.text(description, field="description", max_length=5000) or "",
        criteria=validation.text(criteria, field="criteria", max_length=10000) or "",
        image_url=image_url, image_alt=image_alt, alignments=alignments or [],
        rubric=rubric, evidence_expected=evidence_expected, effort_hours=effort_hours,
        validity_days=validity_days, tags=tags or [])
    session.add(achievement)
    session.flush()
    try:
        to_model(achievement, base_url="https://example.invalid")
    except (ValueError, TypeError, KeyError) as exc:
        raise ServiceError(f"the achievement is not valid Open Badges 3.0: {exc}",
                           code="invalid_achievement") from None
    return achievement


def rubric_descriptions(base: str, rubric: dict[str, Any] | None
                        ) -> tuple[model.ResultDescription, ...]:
    """The rubric as OB ResultDescriptions (one per criterion, levels low to high)."""
    if not rubric:
        return ()
    out = []
    for criterion in rubric.get("criteria", []):
        cid = f"{base}/rubric/{criterion['id']}"
        levels = tuple(
            model.RubricCriterionLevel(
                id=f"{cid}/levels/{level['id']}", name=level["name"],
                description=level.get("description"),
                points=str(level["points"]) if level.get("points") is not None else None)
            for level in criterion.get("levels", []))
        out.append(model.ResultDescription(
            id=cid, name=criterion["name"], result_type="RubricCriterionLevel",
            rubric_criterion_level=levels))
    return tuple(out)


def to_model(achievement: Achievement, *, base_url: str,
             alt: str | None = None) -> model.Achievement:
    """The OB 3.0 Achievement (OB 3.0 §B.1.1) for this definition.

    ``alt`` is its image's alternative text when the caller has read it
    (:func:`get_with_alt`); otherwise :func:`artwork.alt_for` reads it.
    """
    url = achievement_url(base_url, achievement)
    version = int(achievement.version) if str(achievement.version).isdigit() else None
    image = model.Image(id=achievement.image_url or f"{url}/versions/{version}/image.png"
                        if version is not None else f"{url}/image.png",
                        caption=alt if alt is not None else artwork.alt_for(achievement))
    alignments = tuple(
        model.Alignment(target_name=a["targetName"], target_url=a["targetUrl"],
                        target_code=a.get("targetCode"),
                        target_description=a.get("targetDescription"),
                        target_framework=a.get("targetFramework"),
                        target_type=a.get("targetType"))
        for a in achievement.alignments)
    return model.Achievement(
        id=url, name=achievement.name, description=achievement.description,
        criteria=model.Criteria(id=url + "#criteria", narrative=achievement.criteria),
        achievement_type=achievement.achievement_type, image=image, alignment=alignments,
        result_description=rubric_descriptions(url, achievement.rubric),
        tag=tuple(achievement.tags), version=achievement.version,
        creator=profile(base_url, achievement.organization),
        credits_available=achievement.effort_hours)
