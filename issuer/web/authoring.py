"""Admin pages to author micro-credentials (issue #17): list, create, edit, publish, archive.

* ``GET /district/achievements`` (``?org=<slug>``): the organization's
  achievements with their status and version;
* ``GET /district/achievements/new``, ``POST /district/achievements``: a
  draft from the form;
* ``GET /district/achievements/<id>/edit``, ``POST /district/achievements/<id>``;
* ``POST /district/achievements/<id>/publish`` and ``…/archive``.

The form's field names are the definition's own paths
(``rubric.criteria[1].levels[2].description``), so each problem the service
reports (:mod:`issuer.services.authoring`) is shown beside its field and in
the summary at the top. District admins author for the district and its
schools; a school admin for their school.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from badges.model import ACHIEVEMENT_TYPES
from issuer.models import Achievement
from issuer.models import Organization
from issuer.models import Role
from issuer.services import achievements as achievement_service
from issuer.services import authoring
from issuer.services import definition
from issuer.services import frameworks
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import form_problems
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.language import translator
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

bp = Blueprint("authoring", __name__)
protect(bp)

CRITERIA_SLOTS = 5
LEVEL_SLOTS = 4


def authoring_orgs(found: Viewer) -> list[Organization]:
    """Where the person may author: where they are an admin, and those orgs' schools."""
    return list(session().scalars(sa.select(Organization).where(
        Organization.id.in_(found.scope(Role.ADMIN))).order_by(
        Organization.parent_id.is_not(None), Organization.name)))


def chosen_org(found: Viewer, value: str | None) -> Organization:
    """The organization asked for (the first one by default).

    Raises:
        NotVisible: one the person may not author for (404).
    """
    orgs = authoring_orgs(found)
    if not orgs:
        raise NotVisible("organization")
    if value is None:
        return orgs[0]
    for org in orgs:
        if org.slug == value:
            return org
    raise NotVisible("organization")


def _mine(found: Viewer, achievement_id: str) -> Achievement:
    row = session().get(Achievement, achievement_id)
    if row is None or row.organization_id not in found.scope(Role.ADMIN):
        raise NotVisible("micro-credential")
    return row


def _field(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _number(value: str) -> Any:
    """A number typed in a form: int or float, else the text (the checks name it)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def from_form(form: Any) -> dict[str, Any]:
    """The definition the form describes (blank trailing rubric rows left out)."""
    doc: dict[str, Any] = {}
    for key in ("slug", "name", "description", "criteria", "evidenceRequirements"):
        if _field(form, key):
            doc[key] = _field(form, key)
    doc["achievementType"] = _field(form, "achievementType") or "MicroCredential"
    tags = [t.strip() for t in _field(form, "tags").split(",") if t.strip()]
    doc["tags"] = tags
    for key in ("validityDays", "effortHours"):
        value = _number(_field(form, key))
        if value is not None:
            doc[key] = value
    doc["reviewers"] = {"required": _number(_field(form, "reviewers.required")) or 1,
                        "mentorConflict": _field(form, "reviewers.mentorConflict")
                        or "district"}
    doc["catalogueVisible"] = form.get("catalogueVisible") == "on"
    criteria: list[dict[str, Any]] = []
    for i in range(CRITERIA_SLOTS):
        at = f"rubric.criteria[{i}]"
        levels: list[dict[str, Any]] = []
        for j in range(LEVEL_SLOTS):
            lat = f"{at}.levels[{j}]"
            level = {k: _field(form, f"{lat}.{k}") for k in ("name", "description", "points")}
            levels.append({"name": level["name"] or None,
                           "description": level["description"] or None,
                           "points": _number(level["points"])})
        while levels and not any(levels[-1].values()):
            levels.pop()
        criterion: dict[str, Any] = {"name": _field(form, f"{at}.name") or None,
                                     "levels": levels}
        criteria.append(criterion)
    while criteria and not criteria[-1]["name"] and not criteria[-1]["levels"]:
        criteria.pop()
    if criteria:
        doc["rubric"] = {"criteria": criteria}
        if _field(form, "rubric.name"):
            doc["rubric"]["name"] = _field(form, "rubric.name")
    alignments = []
    for raw in form.getlist("alignment"):
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, dict):
            alignments.append(value)
    doc["alignments"] = alignments
    return doc


def to_form(doc: Mapping[str, Any]) -> dict[str, str]:
    """The form's values for a stored definition."""
    out: dict[str, str] = {}
    for key in ("slug", "name", "description", "criteria", "evidenceRequirements",
                "achievementType"):
        if doc.get(key):
            out[key] = str(doc[key])
    out["tags"] = ", ".join(doc.get("tags") or [])
    for key in ("validityDays", "effortHours"):
        if doc.get(key) is not None:
            value = doc[key]
            out[key] = str(int(value)) if float(value).is_integer() else str(value)
    reviewers = doc.get("reviewers") or {}
    out["reviewers.required"] = str(reviewers.get("required", 1))
    out["reviewers.mentorConflict"] = reviewers.get("mentorConflict", "district")
    if doc.get("catalogueVisible", True):
        out["catalogueVisible"] = "on"
    rubric = doc.get("rubric") or {}
    if rubric.get("name"):
        out["rubric.name"] = rubric["name"]
    for i, criterion in enumerate(rubric.get("criteria") or []):
        at = f"rubric.criteria[{i}]"
        out[f"{at}.name"] = criterion.get("name") or ""
        for j, level in enumerate(criterion.get("levels") or []):
            for key in ("name", "description", "points"):
                if level.get(key) is not None:
                    out[f"{at}.levels[{j}].{key}"] = str(level[key])
    return out


def _choices(org: Organization, chosen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alignment checkboxes: every framework item, and any chosen one outside them."""
    groups = []
    known: set[str] = set()
    for framework in frameworks.available(session(), org):
        items = []
        for choice in framework.choices:
            known.add(choice.alignment["targetUrl"])
            items.append({"code": choice.code, "label": choice.label,
                          "value": json.dumps(choice.alignment, sort_keys=True),
                          "checked": any(a.get("targetUrl") == choice.alignment["targetUrl"]
                                         for a in chosen)})
        groups.append({"title": framework.title, "attribution": framework.attribution,
                       "items": items})
    others = [a for a in chosen if a.get("targetUrl") not in known]
    if others:
        groups.append({"title": translator()("ae_other"), "attribution": None, "items": [
            {"code": a.get("targetCode") or "", "label": a.get("targetName") or "",
             "value": json.dumps(a, sort_keys=True), "checked": True} for a in others]})
    return groups


def _form_page(org: Organization, values: Mapping[str, str], chosen: list[dict[str, Any]], *,
               achievement: Achievement | None = None, error: ServiceError | None = None,
               status: int = 200) -> Any:
    return render_template(
        "dashboard/achievement_form.html", org=org, values=values, achievement=achievement,
        **form_problems(error),
        criteria_slots=CRITERIA_SLOTS, level_slots=LEVEL_SLOTS, choices=_choices(org, chosen),
        types=sorted(ACHIEVEMENT_TYPES), new_version=achievement is not None
        and achievement.status == authoring.PUBLISHED
        and authoring.in_use(session(), achievement)), status


@bp.get("/district/achievements")
def index() -> Any:
    """The organization's micro-credentials, with status and version."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    rows = achievement_service.list_for(session(), org)
    return render_template("dashboard/achievements.html", org=org, rows=rows,
                           admin_orgs=authoring_orgs(found), version=authoring.version_number)


@bp.get("/district/achievements/new")
def new() -> Any:
    """An empty form (three rubric levels suggested)."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    return _form_page(org, {"catalogueVisible": "on", "reviewers.required": "1",
                            "reviewers.mentorConflict": "district"}, [])


@bp.post("/district/achievements")
def create() -> Any:
    """Save a new draft; on problems, the form again with each one beside its field."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.form.get("org"))
    doc = from_form(request.form)
    db = session()
    try:
        made = authoring.create(db, org, doc, actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        return _form_page(org, request.form, doc.get("alignments", []), error=exc,
                          status=exc.status if exc.status < 500 else 400)
    db.commit()
    flash(translator()("ae_draft_saved", name=made.name), "success")
    return redirect(url_for("authoring.index", org=org.slug), code=303)


@bp.get("/district/achievements/<achievement_id>/edit")
def edit(achievement_id: str) -> Any:
    """The form, filled in with the current version."""
    found = require(Role.ADMIN)
    row = _mine(found, achievement_id)
    doc = definition.to_document(authoring.definition_of(row))
    return _form_page(row.organization, to_form(doc), doc["alignments"], achievement=row)


@bp.post("/district/achievements/<achievement_id>")
def update(achievement_id: str) -> Any:
    """Save the edit (a new version when credentials or submissions depend on this one)."""
    found = require(Role.ADMIN)
    row = _mine(found, achievement_id)
    doc = from_form(request.form)
    doc["slug"] = row.slug
    db = session()
    try:
        _, new_version = authoring.update(db, row.organization, row.id, doc, actor=found.email,
                                          now=now())
    except ServiceError as exc:
        db.rollback()
        row = _mine(found, achievement_id)
        return _form_page(row.organization, request.form, doc.get("alignments", []),
                          achievement=row, error=exc,
                          status=exc.status if exc.status < 500 else 400)
    db.commit()
    texts = translator()
    flash(texts("ae_saved_version", version=authoring.version_number(row)) if new_version
          else texts("ae_saved"), "success")
    return redirect(url_for("authoring.index", org=row.organization.slug), code=303)


def _move(achievement_id: str, action: str) -> Any:
    found = require(Role.ADMIN)
    row = _mine(found, achievement_id)
    step = authoring.publish if action == "publish" else authoring.archive
    db = session()
    try:
        step(db, row.organization, row.id, actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        db.commit()
        flash(translator()(f"ae_moved_{row.status}", name=row.name), "success")
    return redirect(url_for("authoring.index", org=row.organization.slug), code=303)


@bp.post("/district/achievements/<achievement_id>/publish")
def publish(achievement_id: str) -> Any:
    """Publish: teachers can earn it (and see it, when listed in the catalogue)."""
    return _move(achievement_id, "publish")


@bp.post("/district/achievements/<achievement_id>/archive")
def archive(achievement_id: str) -> Any:
    """Archive: no new submissions or awards; badges already earned keep verifying."""
    return _move(achievement_id, "archive")
