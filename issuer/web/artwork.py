"""Badge art for admins: see each achievement's image, upload a PNG or SVG, or go back.

* ``GET /district/badge-art`` (``?org=``): the achievements of an organization
  the person administers (and of its schools), each with its image as every
  output shows it, its alternative text, and an upload form;
* ``POST /district/badge-art/<achievement_id>``: upload (``image`` file and
  ``alt`` text), checked by :mod:`issuer.badge_art`;
* ``POST /district/badge-art/<achievement_id>/generated``: use the generated
  image again.

Also gives every template ``badge_alt(achievement)``, the image's
alternative text (:func:`issuer.services.artwork.alt_for`).
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

from issuer import badge_art
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
from issuer.workflow.access import NotVisible

bp = Blueprint("artwork", __name__)
protect(bp)


@bp.app_template_global("badge_alt")
def badge_alt(achievement: Achievement) -> str:
    """The alternative text of ``achievement``'s image, for ``<img alt>``."""
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
            raise ServiceError("choose a PNG or SVG file to upload", code="missing_file")
        artwork.set_image(db, achievement, data, alt=request.form.get("alt", ""),
                          actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        flash(f"{achievement.name}: {exc.message[:1].upper()}{exc.message[1:]}. "
              "The image was not changed.", "error")
        return redirect(_back(achievement), code=303)
    db.commit()
    flash(f"{achievement.name} now has the uploaded image everywhere: catalogue, wallets, "
          "share pages, baked badges, certificates and the verifier.", "success")
    return redirect(_back(achievement), code=303)


@bp.post("/district/badge-art/<achievement_id>/generated")
def generated(achievement_id: str) -> Any:
    """Drop the uploaded art: the generated image is used again."""
    achievement = _managed(achievement_id)
    found = require(Role.ADMIN)
    db = session()
    artwork.remove_image(db, achievement, actor=found.email, now=now())
    db.commit()
    flash(f"{achievement.name} uses the generated image again.", "success")
    return redirect(_back(achievement), code=303)
