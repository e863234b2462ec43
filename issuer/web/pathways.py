"""District pages for pathways (issue #20): author, archive, cohort progress, capstone flags.

* ``GET /district/pathways`` (``?org=<slug>``): the pathways with their
  completions, and capstones flagged because a component was revoked;
* ``GET /district/pathways/new``, ``POST /district/pathways``: the form (each
  problem the service reports shown beside its field; nothing half-saved);
* ``GET /district/pathways/<id>``: steps and cohort progress (teachers per
  step, median days between steps) as charts with tables;
  ``GET /district/pathways/<id>/cohort.csv`` the same as CSV;
* ``POST /district/pathways/<id>/archive``;
* ``POST /district/pathways/flags/<completion id>``: keep or revoke a flagged capstone.

Admins author and decide; reviewers see the pathways and cohort figures of
their scope.
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

from issuer.models import Achievement
from issuer.models import Organization
from issuer.models import Role
from issuer.models_workflow import Pathway
from issuer.models_workflow import PathwayCompletion
from issuer.services import pathways as definitions
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import now
from issuer.web.common import session
from issuer.workflow import dashboard
from issuer.workflow import pathways
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

bp = Blueprint("pathways", __name__)
protect(bp)

STEP_SLOTS = 6


def _orgs(found: Viewer, *roles: Role) -> list[Organization]:
    ids = set().union(*(found.direct.get(r, frozenset()) for r in roles))
    return list(session().scalars(sa.select(Organization).where(
        Organization.id.in_(ids)).order_by(Organization.parent_id.is_not(None),
                                           Organization.name)))


def _chosen(found: Viewer, value: str | None, *roles: Role) -> Organization:
    orgs = _orgs(found, *roles)
    for org in orgs:
        if value is None or org.slug == value:
            return org
    raise NotVisible("organization")


def _visible(found: Viewer, pathway_id: int) -> Pathway:
    pathway = session().get(Pathway, pathway_id)
    if pathway is None or pathway.organization_id not in found.scope(Role.ADMIN, Role.REVIEWER):
        raise NotVisible("pathway")
    return pathway


def _managed(found: Viewer, pathway_id: int) -> Pathway:
    pathway = _visible(found, pathway_id)
    if pathway.organization_id not in found.scope(Role.ADMIN):
        raise NotVisible("pathway")
    return pathway


def from_form(form: Any) -> dict[str, Any]:
    """The definition the form describes (blank step rows left out)."""
    doc: dict[str, Any] = {k: (form.get(k) or "").strip() or None
                           for k in ("slug", "name", "description", "capstone")}
    doc["completion"] = form.get("completion") or "automatic"
    steps = []
    for i in range(STEP_SLOTS):
        at = f"steps[{i}]"
        title = (form.get(f"{at}.title") or "").strip()
        chosen = form.getlist(f"{at}.achievements")
        if not title and not chosen:
            continue
        step: dict[str, Any] = {"title": title, "achievements": chosen}
        choose = (form.get(f"{at}.choose") or "").strip()
        if choose:
            step["choose"] = int(choose) if choose.isdigit() else choose
        after = [a.strip() for a in (form.get(f"{at}.after") or "").split(",") if a.strip()]
        if after:
            step["after"] = [int(a) if a.isdigit() else a for a in after]
        steps.append(step)
    doc["steps"] = steps
    return doc


def _form_page(org: Organization, form: Any, *, error: ServiceError | None = None,
               status: int = 200) -> Any:
    problems = error.problems if error is not None else []
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p["field"], []).append(p["problem"])
    published = list(session().scalars(sa.select(Achievement).where(
        Achievement.organization_id == org.id, Achievement.status == "published",
        Achievement.active.is_(True)).order_by(Achievement.name)))
    return render_template("dashboard/pathway_form.html", org=org, form=form,
                           problems=problems, errors=errors, achievements=published,
                           slots=STEP_SLOTS,
                           message=error.message if error is not None and not problems
                           else None), status


@bp.get("/district/pathways")
def index() -> Any:
    """Pathways of an organization, and capstones waiting for a decision."""
    found = require(Role.ADMIN, Role.REVIEWER)
    org = _chosen(found, request.args.get("org"), Role.ADMIN, Role.REVIEWER)
    db = session()
    rows = [(p, pathways.completed_count(db, p))
            for p in definitions.list_for(db, org, archived=True)]
    flags = pathways.flagged(db, found.tree.descendants_or_self([org.id]) &
                             found.scope(Role.ADMIN))
    return render_template("dashboard/pathways.html", org=org, rows=rows, flags=flags,
                           orgs=_orgs(found, Role.ADMIN, Role.REVIEWER),
                           admin=org.id in found.scope(Role.ADMIN))


@bp.get("/district/pathways/new")
def new() -> Any:
    """An empty pathway form."""
    found = require(Role.ADMIN)
    return _form_page(_chosen(found, request.args.get("org"), Role.ADMIN), {})


@bp.post("/district/pathways")
def create() -> Any:
    """Save a pathway; on problems, the form again with each one beside its field."""
    found = require(Role.ADMIN)
    org = _chosen(found, request.form.get("org"), Role.ADMIN)
    db = session()
    try:
        made = definitions.create(db, org, from_form(request.form), actor=found.email,
                                  now=now())
    except ServiceError as exc:
        db.rollback()
        return _form_page(org, request.form, error=exc,
                          status=exc.status if exc.status < 500 else 400)
    db.commit()
    flash(f"Pathway saved: {made.name}.", "success")
    return redirect(url_for("pathways.show", pathway_id=made.id), code=303)


@bp.get("/district/pathways/<int:pathway_id>")
def show(pathway_id: int) -> Any:
    """A pathway's steps and its cohort's progress, with charts."""
    found = require(Role.ADMIN, Role.REVIEWER)
    pathway = _visible(found, pathway_id)
    db = session()
    figures = pathways.cohort(db, pathway)
    done = dashboard.Chart(
        title="Teachers who completed each step", unit="teachers",
        bars=tuple(dashboard.Bar(f"Step {f.number}: {f.title}", f.teachers) for f in figures))
    gaps = dashboard.Chart(
        title="Median days since the previous step", unit="days",
        bars=tuple(dashboard.Bar(f"Step {f.number}: {f.title}", f.median_days)
                   for f in figures if f.median_days is not None))
    return render_template("dashboard/pathway.html", pathway=pathway,
                           doc=definitions.document(pathway), figures=figures, done=done,
                           stages=definitions.stages_of(pathway),
                           capstone=definitions.capstone_of(pathway),
                           gaps=gaps, completed=pathways.completed_count(db, pathway),
                           admin=pathway.organization_id in found.scope(Role.ADMIN))


@bp.get("/district/pathways/<int:pathway_id>/cohort.csv")
def cohort_csv(pathway_id: int) -> Response:
    """The cohort figures as CSV."""
    found = require(Role.ADMIN, Role.REVIEWER)
    pathway = _visible(found, pathway_id)
    response = Response(pathways.cohort_csv(session(), pathway), mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{pathway.slug}-cohort-{now().strftime("%Y-%m-%d")}.csv"'
    return response


@bp.post("/district/pathways/<int:pathway_id>/archive")
def archive(pathway_id: int) -> Any:
    """Archive a pathway (capstones already issued stay valid)."""
    found = require(Role.ADMIN)
    pathway = _managed(found, pathway_id)
    db = session()
    definitions.archive(db, pathway.organization, pathway.slug, actor=found.email, now=now())
    db.commit()
    flash(f"Archived: {pathway.name}.", "success")
    return redirect(url_for("pathways.show", pathway_id=pathway.id), code=303)


@bp.post("/district/pathways/flags/<int:completion_id>")
def decide(completion_id: int) -> Any:
    """Keep or revoke a capstone whose component was revoked."""
    found = require(Role.ADMIN)
    db = session()
    completion = db.get(PathwayCompletion, completion_id)
    if completion is None or completion.pathway.organization_id not in found.scope(Role.ADMIN):
        raise NotVisible("capstone")
    keep = request.form.get("decision") == "keep"
    if not keep and request.form.get("decision") != "revoke":
        raise ServiceError("choose keep or revoke", code="invalid_decision")
    pathways.decide_flag(db, completion, keep=keep, reason=request.form.get("reason") or None,
                         actor=found.email, now=now())
    db.commit()
    flash("Capstone kept." if keep else "Capstone revoked.", "success")
    return redirect(url_for("pathways.index", org=completion.pathway.organization.slug),
                    code=303)
