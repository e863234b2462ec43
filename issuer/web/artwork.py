"""Badge art for admins: see each achievement's image, upload a PNG or SVG, or go back.

* ``GET /district/badge-art`` (``?org=``): the achievements of an organization
  the person administers (and of its schools), each with its image as every
  output shows it, its alternative text, and an upload form;
* ``POST /district/badge-art/<achievement_id>``: upload (``image`` file and
  ``alt`` text), checked by :mod:`issuer.badge_art`;
* ``POST /district/badge-art/<achievement_id>/generated``: use the generated
  image again;
* ``GET|POST /district/badge-art/<achievement_id>/design``: the designer, a
  district-branded template (shape, palette colour, icon, words) previewed
  live (``…/design/preview.svg``, drawn by :mod:`issuer.badge_design`, the
  page's script only swaps the picture) and saved through the same checks
  as an upload.

Also gives every template ``badge_alt(achievement)``, the image's
alternative text (:func:`issuer.services.artwork.alt_for`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from issuer import badge_art
from issuer import badge_design
from issuer.models import Achievement
from issuer.models import AchievementImage
from issuer.models import Role
from issuer.services import artwork
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.dashboard import admin_orgs
from issuer.web.dashboard import chosen_org
from issuer.web.language import translator
from issuer.workflow.access import NotVisible

bp = Blueprint("artwork", __name__)
protect(bp)


@bp.app_template_global("badge_alt")
def badge_alt(achievement: Achievement, version: int | None = None) -> str:
    """The alternative text of ``achievement``'s image (in ``version``), for ``<img alt>``."""
    if version is not None and str(version) != achievement.version:
        return artwork.art_for(None, achievement, version).alt
    return artwork.alt_for(achievement)


def _managed(achievement_id: str) -> Achievement:
    found = require(Role.ADMIN)
    achievement = session().get(Achievement, achievement_id)
    if achievement is None or achievement.organization_id not in found.scope(Role.ADMIN):
        raise NotVisible("micro-credential")
    return achievement


@bp.get("/district/badge-art")
def index() -> Any:
    """Every achievement of the organization with its image and an upload form."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    db = session()
    scope = found.tree.descendants_or_self([org.id])
    rows = list(db.scalars(sa.select(Achievement).where(
        Achievement.organization_id.in_(scope)).order_by(Achievement.name)))
    uploaded = {row.achievement_id: row for row in db.scalars(sa.select(AchievementImage).where(
        AchievementImage.achievement_id.in_([a.id for a in rows])))} if rows else {}
    return render_template("dashboard/badge_art.html", org=org, orgs=admin_orgs(found),
                           achievements=rows, uploaded=uploaded,
                           max_kib=badge_art.MAX_UPLOAD_BYTES // 1024,
                           min_side=badge_art.MIN_PNG_SIDE, max_side=badge_art.MAX_PNG_SIDE)


def _back(achievement: Achievement) -> str:
    return url_for("artwork.index", org=request.form.get("org") or None,
                   _anchor=f"a-{achievement.id}")


@bp.post("/district/badge-art/<achievement_id>")
def upload(achievement_id: str) -> Any:
    """Check the uploaded PNG or SVG and make it the achievement's art."""
    achievement = _managed(achievement_id)
    found = require(Role.ADMIN)
    file = request.files.get("image")
    data = file.stream.read(badge_art.MAX_UPLOAD_BYTES + 1) if file is not None else b""
    db = session()
    try:
        if not data:
            raise ServiceError(translator()("art_choose_file"), code="missing_file")
        artwork.set_image(db, achievement, data, alt=request.form.get("alt", ""),
                          actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        flash(translator()("art_refused", name=achievement.name,
                           problem=exc.message[:1].upper() + exc.message[1:]), "error")
        return redirect(_back(achievement), code=303)
    db.commit()
    flash(translator()("art_now_uploaded", name=achievement.name), "success")
    return redirect(_back(achievement), code=303)


@bp.post("/district/badge-art/<achievement_id>/generated")
def generated(achievement_id: str) -> Any:
    """Drop the uploaded art: the generated image is used again."""
    achievement = _managed(achievement_id)
    found = require(Role.ADMIN)
    db = session()
    artwork.remove_image(db, achievement, actor=found.email, now=now())
    db.commit()
    flash(translator()("art_generated_again", name=achievement.name), "success")
    return redirect(_back(achievement), code=303)


def _design(values: Any) -> badge_design.Design:
    return badge_design.Design(
        shape=str(values.get("shape") or "medallion")[:20],
        colour=str(values.get("colour") or "")[:20],
        icon=str(values.get("icon") or "")[:20], words=str(values.get("words") or "")[:61])


@bp.get("/district/badge-art/<achievement_id>/design")
def design(achievement_id: str) -> Any:
    """The designer: pick a template, colour, icon and words; the preview follows."""
    achievement = _managed(achievement_id)
    chosen = _design(request.args)
    error = None
    try:
        alt = badge_design.alt_text(achievement.name, achievement.organization.slug, chosen)
    except badge_art.BadgeArtError as exc:
        error, alt = exc.message, ""
        chosen = badge_design.Design()
    district = badge_art.colour_for(achievement.organization.slug)
    return render_template(
        "dashboard/badge_design.html", achievement=achievement, design=chosen, alt=alt,
        error=error, shapes=badge_design.SHAPES, icons=badge_design.ICONS,
        palette=badge_art.PALETTE, district=district, org=request.args.get("org") or "",
        max_line=badge_design.MAX_LINE, max_lines=badge_design.MAX_LINES), 400 if error else 200


@bp.get("/district/badge-art/<achievement_id>/design/preview.svg")
def design_preview(achievement_id: str) -> Any:
    """The drawing the designer's choices make (SVG, titled with its alternative text)."""
    achievement = _managed(achievement_id)
    svg = badge_design.draw(achievement.name, achievement.organization.slug,
                            _design(request.args))  # BadgeArtError: a 400 naming the field
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.post("/district/badge-art/<achievement_id>/design")
def design_save(achievement_id: str) -> Any:
    """Draw the chosen design and store it as the art, checked exactly as an upload is."""
    achievement = _managed(achievement_id)
    found = require(Role.ADMIN)
    chosen = _design(request.form)
    db = session()
    seed = achievement.organization.slug
    try:
        svg = badge_design.draw(achievement.name, seed, chosen)
        artwork.set_image(db, achievement, svg,
                          alt=badge_design.alt_text(achievement.name, seed, chosen),
                          actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        flash(translator()("art_refused", name=achievement.name,
                           problem=exc.message[:1].upper() + exc.message[1:]), "error")
        return redirect(_back(achievement), code=303)
    db.commit()
    flash(translator()("art_now_designed", name=achievement.name), "success")
    return redirect(_back(achievement), code=303)
