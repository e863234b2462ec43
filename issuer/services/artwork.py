"""Each achievement's badge art: stored uploads, the generated default, alt text.

Every output that shows an achievement's image (catalogue, wallet, share
page, baked PNG and SVG, certificate, verifier, the Achievement's ``image``)
gets it from :func:`art_for`, so they all show one picture with one
alternative text (OB 3.0 §B.1.1 ``Image.caption``). Uploads are checked by
:mod:`issuer.badge_art`; replacing the art is audited.

The art is part of an achievement version: replacing the art of a published
achievement with awards makes a new version (:func:`issuer.services.authoring.
art_change`), and each version's picture is kept (:func:`pin`), so a
credential shows exactly the image it was issued with.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer import badge_art
from issuer.badge_art import Art
from issuer.models import Achievement
from issuer.models import AchievementImage
from issuer.models import AchievementVersion
from issuer.models import AchievementVersionImage
from issuer.models import Organization
from issuer.services import audit
from issuer.services.errors import ServiceError


def default_for(achievement: Achievement) -> Art:
    """The generated art: a medallion in the issuer's colour with the achievement's name."""
    return badge_art.default_art(achievement.name, achievement.organization.slug)


def _session(achievement: Achievement) -> so.Session | None:
    """The session of ``achievement``, or of its organization for a transient old version."""
    return so.object_session(achievement) or so.object_session(achievement.organization)


def _number(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _version_art(session: so.Session, achievement: Achievement, number: int) -> Art | None:
    """The art version ``number`` showed, if it is recorded and not the current version."""
    if so.object_session(achievement) is not None and number == _number(achievement.version):
        return None  # the stored achievement itself, at its current version: no query
    current = session.scalar(sa.select(Achievement.version).where(
        Achievement.id == achievement.id))
    if current is None or _number(current) == number:
        return None
    row = session.scalar(sa.select(AchievementVersion).where(
        AchievementVersion.achievement_id == achievement.id,
        AchievementVersion.number == number))
    if row is None or "imageSha256" not in row.snapshot:
        return None  # recorded before art was kept per version: the current art
    if row.snapshot["imageSha256"] is None:
        return badge_art.default_art(str(row.snapshot.get("name") or achievement.name),
                                     achievement.organization.slug)
    pinned = session.get(AchievementVersionImage, (achievement.id, number))
    if pinned is None:
        return None
    return Art(svg=pinned.svg, png=pinned.png, alt=pinned.alt, source=pinned.source)


def art_for(session: so.Session | None, achievement: Achievement,
            version: int | None = None) -> Art:
    """The achievement's art in ``version`` (default: the version ``achievement`` is).

    A version's upload, or the generated default drawn from that version's name.
    """
    if session is None:
        session = _session(achievement)
    if session is None:
        return default_for(achievement)
    number = version if version is not None else _number(achievement.version)
    kept = _version_art(session, achievement, number)
    if kept is not None:
        return kept
    stored = session.get(AchievementImage, achievement.id)
    if stored is None:
        return default_for(achievement)
    return Art(svg=stored.svg, png=stored.png, alt=stored.alt, source=stored.source)


def alt_for(achievement: Achievement) -> str:
    """The alternative text of the achievement's image, as every page and credential gives it.

    An achievement whose image is a URL elsewhere (``image_url``) keeps the
    text given with that URL; an older version (:func:`issuer.services.
    authoring.as_of`) the text of its own art.
    """
    if achievement.image_url and achievement.image_alt:
        return achievement.image_alt
    session = _session(achievement)
    if session is None:
        return default_for(achievement).alt
    kept = _version_art(session, achievement, _number(achievement.version))
    if kept is not None:
        return kept.alt
    return current_alt(achievement, session.scalar(uploaded_alt(achievement.id)))


def uploaded_alt(achievement_id: str | so.QueryableAttribute[str]) -> sa.Select[str]:
    """The query for the alternative text of the uploaded art of ``achievement_id``.

    No row (NULL as a subquery) without an upload. Also a column of a query
    that loads achievements (``uploaded_alt(Achievement.id).scalar_subquery()``),
    so a caller reads both in one round trip.
    """
    return sa.select(AchievementImage.alt).where(
        AchievementImage.achievement_id == achievement_id)


def current_alt(achievement: Achievement, uploaded: str | None) -> str:
    """:func:`alt_for` of a stored achievement at its current version, given its upload's text.

    ``uploaded`` is what :func:`uploaded_alt` read (None without an upload).
    """
    if achievement.image_url and achievement.image_alt:
        return achievement.image_alt
    return uploaded if uploaded is not None else \
        badge_art.default_alt(achievement.name, achievement.organization.slug)


def image_path(achievement: Achievement, version: int | None, ext: str) -> str:
    """The path of the art of ``version`` (``/achievements/<id>/versions/<n>/image.<ext>``).

    A credential names its version's picture, so the URL keeps showing what it
    was issued with after the art is replaced; without a version, the current art.
    """
    if version is None:
        return f"/achievements/{achievement.id}/image.{ext}"
    return f"/achievements/{achievement.id}/versions/{version}/image.{ext}"


def pin(session: so.Session, achievement: Achievement, number: int) -> str | None:
    """Keep the current art as version ``number``'s; its digest, or None for the generated art."""
    session.flush()
    stored = session.get(AchievementImage, achievement.id)
    kept = session.get(AchievementVersionImage, (achievement.id, number))
    if stored is None:
        if kept is not None:
            session.delete(kept)
        return None
    if kept is None:
        kept = AchievementVersionImage(achievement_id=achievement.id, number=number)
        session.add(kept)
    kept.source, kept.svg, kept.png = stored.source, stored.svg, stored.png
    kept.alt, kept.sha256 = stored.alt, stored.sha256
    return stored.sha256


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
    from issuer.services import authoring

    art = badge_art.from_upload(data, alt)
    stored = session.get(AchievementImage, achievement.id)
    previous = stored.sha256 if stored is not None else None

    def change() -> None:
        row = session.get(AchievementImage, achievement.id)
        if row is None:
            row = AchievementImage(achievement_id=achievement.id)
            session.add(row)
        row.source, row.svg, row.png, row.alt = art.source, art.svg, art.png, art.alt
        row.sha256, row.uploaded_at, row.uploaded_by = art.digest, now, actor
        achievement.image_alt = art.alt

    new_version = authoring.art_change(session, achievement, change, actor=actor, now=now)
    audit.record(session, actor=actor, action="achievement.image_set",
                 organization_id=achievement.organization_id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"achievement": achievement.slug, "source": art.source,
                         "sha256": art.digest, "previous": previous, "bytes": len(data),
                         "version": authoring.version_number(achievement),
                         "newVersion": new_version})
    session.flush()
    return art


def remove_image(session: so.Session, achievement: Achievement, *, actor: str,
                 now: datetime) -> bool:
    """Go back to the generated default art (audited); False when there was no upload."""
    from issuer.services import authoring

    stored = session.get(AchievementImage, achievement.id)
    if stored is None:
        return False
    previous = stored.sha256

    def change() -> None:
        session.delete(stored)
        achievement.image_alt = None

    new_version = authoring.art_change(session, achievement, change, actor=actor, now=now)
    audit.record(session, actor=actor, action="achievement.image_removed",
                 organization_id=achievement.organization_id, subject_type="achievement",
                 subject_id=achievement.id, at=now,
                 detail={"achievement": achievement.slug, "previous": previous,
                         "version": authoring.version_number(achievement),
                         "newVersion": new_version})
    session.flush()
    return True
