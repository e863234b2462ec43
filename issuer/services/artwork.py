"""Each achievement's badge art: stored uploads, the generated default, alt text.

Every output that shows an achievement's image (catalogue, wallet, share
page, baked PNG and SVG, certificate, verifier, the Achievement's ``image``)
gets it from :func:`art_for`, so they all show one picture with one
alternative text (OB 3.0 §B.1.1 ``Image.caption``). Uploads are checked by
:mod:`issuer.badge_art`; replacing the art is audited.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer import badge_art
from issuer.badge_art import Art
from issuer.models import Achievement
from issuer.models import AchievementImage
from issuer.models import Organization
from issuer.services import audit
from issuer.services.errors import ServiceError


def default_for(achievement: Achievement) -> Art:
    """The generated art: a medallion in the issuer's colour with the achievement's name."""
    return badge_art.default_art(achievement.name, achievement.organization.slug)


def art_for(session: so.Session | None, achievement: Achievement) -> Art:
    """The achievement's art: its upload, or the generated default."""
    if session is None:
        session = so.object_session(achievement)
    stored = session.get(AchievementImage, achievement.id) if session is not None else None
    if stored is None:
        return default_for(achievement)
    return Art(svg=stored.svg, png=stored.png, alt=stored.alt, source=stored.source)


def alt_for(achievement: Achievement) -> str:
    """The alternative text of the achievement's image, as every page and credential gives it.

    An achievement whose image is a URL elsewhere (``image_url``) keeps the
    text given with that URL.
    """
    if achievement.image_url and achievement.image_alt:
        return achievement.image_alt
    session = so.object_session(achievement)
    stored = session.scalar(sa.select(AchievementImage.alt).where(
        AchievementImage.achievement_id == achievement.id)) if session is not None else None
    if stored is not None:
        return stored
    return badge_art.default_alt(achievement.name, achievement.organization.slug)


def find(session: so.Session, org: Organization, ref: str) -> Achievement:
    """The achievement of ``org`` with slug or id ``ref``.

    Raises:
        ServiceError: ``unknown_achievement`` (404).
    """
    found = session.scalar(sa.select(Achievement).where(
        Achievement.organization_id == org.id,
        sa.or_(Achievement.slug == ref, Achievement.id == ref)))
    if found is None:
        raise ServiceError(f"{org.slug} has no achievement {ref!r}", code="unknown_achievement",
                           status=404)
    return found


def set_image(session: so.Session, achievement: Achievement, data: bytes, *, alt: str,
              actor: str, now: datetime) -> Art:
    """Check an uploaded PNG or SVG and make it the achievement's art (audited).

    Raises:
        badge_art.BadgeArtError: the file or alt text was refused; nothing changed.
    """
    art = badge_art.from_upload(data, alt)
    stored = session.get(AchievementImage, achievement.id)
    previous = stored.sha256 if stored is not None else None
    if stored is None:
        stored = AchievementImage(achievement_id=achievement.id)
        session.add(stored)
    stored.source, stored.svg, stored.png, stored.alt = art.source, art.svg, art.png, art.alt
    stored.sha256, stored.uploaded_at, stored.uploaded_by = art.digest, now, actor
    achievement.image_alt = art.alt
    audit.record(session, actor=actor, action="achievement.image_set",
                 organization_id=achievement.organization_id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"achievement": achievement.slug, "source": art.source,
                         "sha256": art.digest, "previous": previous, "bytes": len(data)})
    session.flush()
    return art


def remove_image(session: so.Session, achievement: Achievement, *, actor: str,
                 now: datetime) -> bool:
    """Go back to the generated default art (audited); False when there was no upload."""
    stored = session.get(AchievementImage, achievement.id)
    if stored is None:
        return False
    previous = stored.sha256
    session.delete(stored)
    achievement.image_alt = None
    audit.record(session, actor=actor, action="achievement.image_removed",
                 organization_id=achievement.organization_id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"achievement": achievement.slug, "previous": previous})
    session.flush()
    return True
