"""The catalogue of micro-credentials a signed-in person may earn.

* ``GET /catalogue`` (``?pathway=<id>``): the district's micro-credentials;
* ``GET /catalogue/<achievement id>``: competency, criteria, rubric, evidence
  expected, effort and pathway, with "Start a submission" for teachers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request

from issuer.models import Role
from issuer.web.auth import protect
from issuer.web.auth import viewer
from issuer.web.common import session
from issuer.workflow import catalogue
from issuer.workflow import submissions

bp = Blueprint("catalogue", __name__)
protect(bp)


@bp.get("/catalogue")
def index() -> Any:
    """Every micro-credential the person may browse, optionally one pathway's."""
    found = viewer()
    db = session()
    pathways = catalogue.pathways(db, found)
    chosen = request.args.get("pathway", type=int)
    if chosen is not None and chosen not in {p.id for p in pathways}:
        chosen = None
    return render_template("workflow/catalogue.html", entries=catalogue.entries(
        db, found, pathway_id=chosen), pathways=pathways, chosen=chosen,
        labels=submissions.STATUS_LABELS)


@bp.get("/catalogue/<achievement_id>")
def detail(achievement_id: str) -> Any:
    """One micro-credential with everything a teacher needs to plan their evidence."""
    found = viewer()
    db = session()
    entry = catalogue.achievement(db, found, achievement_id)
    achievement = entry.achievement
    schools = [o for o in found.teacher_orgs()
               if achievement.organization_id in found.tree.ancestors_or_self(o)]
    from issuer.models import Organization

    return render_template(
        "workflow/achievement.html", entry=entry, achievement=achievement,
        criteria=submissions.criteria(achievement),
        reflections={c["id"] for c in submissions.reflection_criteria(achievement)},
        schools=[db.get(Organization, o) for o in sorted(schools)],
        is_teacher=found.has(Role.EARNER), labels=submissions.STATUS_LABELS)
