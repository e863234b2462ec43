"""District pages for pathways (issue #20): author, archive, cohort progress, capstone flags.

* ``GET /district/pathways`` (``?org=<slug>``): the pathways with their
  completions, and capstones flagged because a component was revoked;
* ``GET /district/pathways/new``, ``POST /district/pathways``: the form (each
  problem the service reports shown beside its field; nothing half-saved);
* ``GET /district/pathways/<id>``: steps and cohort progress (teachers per
  step, median days between steps) as charts with tables;
  ``GET /district/pathways/<id>/cohort.csv`` the same as CSV;
* ``GET /district/pathways/<id>/edit``, ``POST /district/pathways/<id>``: the
  same form filled in from the stored definition (the slug fixed); saving
  re-evaluates teachers in progress (:func:`issuer.workflow.pathways.update`);
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
from werkzeug.datastructures import MultiDict

from issuer.models import Achievement
from issuer.models import Organization
from issuer.models import Role
from issuer.models_workflow import Pathway
from issuer.models_workflow import PathwayCompletion
from issuer.services import pathways as definitions
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import form_problems
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.language import translator
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
    for i in range(definitions.MAX_STEPS):
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


def to_form(doc: dict[str, Any]) -> MultiDict[str, Any]:
    """A stored pathway (:func:`issuer.services.pathways.document`) as the form's fields."""
    form: MultiDict[str, Any] = MultiDict(
        {k: doc.get(k) or "" for k in ("slug", "name", "description", "capstone",
                                       "completion")})
    for i, step in enumerate(doc["steps"]):
        at = f"steps[{i}]"
        form[f"{at}.title"] = step["title"]
        for slug in step["achievements"]:
            form.add(f"{at}.achievements", slug)
        if len(step["achievements"]) > 1:
            form[f"{at}.choose"] = str(step["choose"])
        form[f"{at}.after"] = ", ".join(str(n) for n in step["after"])
    return form


def _filled(form: Any) -> int:
    """How many step rows of ``form`` hold something (the form shows them all)."""
    return max((i + 1 for i in range(definitions.MAX_STEPS)
                if (form.get(f"steps[{i}].title") or "").strip()
                or form.getlist(f"steps[{i}].achievements")), default=0)


def _form_page(org: Organization, form: Any, *, pathway: Pathway | None = None,
               error: ServiceError | None = None, status: int = 200) -> Any:
    published = list(session().scalars(sa.select(Achievement).where(
        Achievement.organization_id == org.id, Achievement.status == "published",
        Achievement.active.is_(True)).order_by(Achievement.name)))
    slots = min(max(STEP_SLOTS, _filled(form) + 1), definitions.MAX_STEPS)
    return render_template("dashboard/pathway_form.html", org=org, form=form,
                           pathway=pathway, achievements=published, slots=slots,
                           capstones_issued=definitions.capstone_counts(session(), pathway)[0]
                           if pathway is not None else 0,
                           **form_problems(error)), status


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
    return _form_page(_chosen(found, request.args.get("org"), Role.ADMIN), MultiDict())


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
    flash(translator()("pa_saved", name=made.name), "success")
    return redirect(url_for("pathways.show", pathway_id=made.id), code=303)


@bp.get("/district/pathways/<int:pathway_id>/edit")
def edit(pathway_id: int) -> Any:
    """The form, filled in with the stored definition (an archived pathway says why not)."""
    found = require(Role.ADMIN)
    pathway = _managed(found, pathway_id)
    form = to_form(definitions.document(pathway))
    if pathway.archived_at is not None:
        refusal = ServiceError(translator()("pa_archived_no_edit", name=pathway.name),
                               code="pathway_archived", status=409)
        return _form_page(pathway.organization, form, pathway=pathway, error=refusal,
                          status=409)
    return _form_page(pathway.organization, form, pathway=pathway)


@bp.post("/district/pathways/<int:pathway_id>")
def update(pathway_id: int) -> Any:
    """Save the edit; teachers in progress are re-evaluated against the new steps at once."""
    found = require(Role.ADMIN)
    pathway = _managed(found, pathway_id)
    org = pathway.organization
    db = session()
    try:
        result = pathways.update(db, issuer_context(), org, str(pathway.id),
                                 from_form(request.form), actor=found.email, now=now())
    except ServiceError as exc:
        db.rollback()
        return _form_page(org, request.form, pathway=_managed(found, pathway_id), error=exc,
                          status=exc.status if exc.status < 500 else 400)
    db.commit()
    t = translator()
    flash(t("pa_saved_edit", name=result.pathway.name)
          + (" " + t("pa_completed_now_one" if len(result.completed) == 1
                     else "pa_completed_now", count=len(result.completed)) if result.completed
             else ""), "success")
    return redirect(url_for("pathways.show", pathway_id=pathway_id), code=303)


@bp.get("/district/pathways/<int:pathway_id>")
def show(pathway_id: int) -> Any:
    """A pathway's steps and its cohort's progress, with charts."""
    found = require(Role.ADMIN, Role.REVIEWER)
    pathway = _visible(found, pathway_id)
    db = session()
    figures = pathways.cohort(db, pathway)
    t = translator()
    done = dashboard.Chart(
        title="Teachers who completed each step", unit="teachers",
        bars=tuple(dashboard.Bar(t("pa_step_label", number=f.number, title=f.title), f.teachers)
                   for f in figures))
    gaps = dashboard.Chart(
        title="Median days since the previous step", unit="days",
        bars=tuple(dashboard.Bar(t("pa_step_label", number=f.number, title=f.title), f.median_days)
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
    flash(translator()("pa_archived_msg", name=pathway.name), "success")
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
    flash(translator()("pa_kept_msg" if keep else "pa_revoked_msg"), "success")
    return redirect(url_for("pathways.index", org=completion.pathway.organization.slug),
                    code=303)
