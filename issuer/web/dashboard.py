"""The district's pages for admins: figures, CSV export, people, invitations, mentoring.

* ``GET /district`` (``?org=<slug>``): submissions by status, time to review,
  badges per school and per achievement, as SVG bar charts with data tables;
* ``GET /district/export.csv``: one row per submission;
* ``GET /district/people``: members, invitations, mentoring and the
  conflict-of-interest rule; ``POST /district/invitations``,
  ``POST /district/mentoring`` and ``POST /district/policy`` change them.

The credentials the district issued (revoke, suspend) are in
:mod:`issuer.web.credentials`.
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

from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Person
from issuer.models import Role
from issuer.models_workflow import Invitation
from issuer.services.errors import ServiceError
from issuer.web.auth import deliver_mail
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.auth import role_names
from issuer.web.auth import workflow_settings
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.language import mail_translator
from issuer.web.language import translator
from issuer.workflow import accounts
from issuer.workflow import dashboard
from issuer.workflow import notifications
from issuer.workflow import pathways
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

bp = Blueprint("dashboard", __name__)
protect(bp)


def admin_orgs(found: Viewer) -> list[Organization]:
    """The organizations the person is an admin of (districts first, then by name)."""
    ids = found.direct.get(Role.ADMIN, frozenset())
    return list(session().scalars(sa.select(Organization).where(
        Organization.id.in_(ids)).order_by(Organization.parent_id.is_not(None),
                                           Organization.name)))


def chosen_org(found: Viewer, value: str | None) -> Organization:
    """The organization the admin looks at (their first one by default).

    Raises:
        NotVisible: an organization they are not an admin of (404).
    """
    orgs = admin_orgs(found)
    if value is None:
        return orgs[0]
    for org in orgs:
        if org.slug == value:
            return org
    raise NotVisible("organization")


@bp.get("/district")
def index() -> Any:
    """Figures and charts for an organization the person administers."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    scope = found.tree.descendants_or_self([org.id])
    return render_template("dashboard/index.html", org=org, orgs=admin_orgs(found),
                           figures=dashboard.figures(session(), scope),
                           pathway_flags=len(pathways.flagged(session(), scope)))


@bp.get("/district/export.csv")
def export() -> Response:
    """Every submission of the organization (and its schools) as CSV."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    rows = dashboard.export_rows(session(), found.tree.descendants_or_self([org.id]))
    response = Response(dashboard.to_csv(rows), mimetype="text/csv")
    stamp = now().strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{org.slug}-submissions-{stamp}.csv"'
    return response


@bp.get("/district/people")
def people() -> Any:
    """Members, open invitations, mentoring pairs and the mentor rule."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    db = session()
    scope = found.tree.descendants_or_self([org.id])
    district = found.tree.district_of(org.id)
    members = accounts.members(db, scope)
    invitations = list(db.scalars(sa.select(Invitation).where(
        Invitation.organization_id.in_(scope), Invitation.accepted_at.is_(None),
        Invitation.expires_at > now()).order_by(Invitation.created_at.desc())))
    orgs = list(db.scalars(sa.select(Organization).where(
        Organization.id.in_(scope)).order_by(Organization.parent_id.is_not(None),
                                             Organization.name)))
    reviewers = [p for p, ms in members if any(m.role == Role.REVIEWER for m in ms)]
    teachers = [p for p, ms in members if any(m.role == Role.EARNER for m in ms)]
    return render_template(
        "dashboard/people.html", org=org, orgs=orgs, admin_orgs=admin_orgs(found),
        members=members, invitations=invitations, reviewers=reviewers, teachers=teachers,
        mentorships=accounts.mentorships(db, district) if district == org.id else [],
        policy=accounts.policy(db, district), is_district=district == org.id,
        role_names=role_names())


def _person_in(scope: frozenset[int], person_id: int | None) -> Person:
    db = session()
    person = db.get(Person, person_id) if person_id is not None else None
    if person is None or db.scalar(sa.select(Membership.id).where(
            Membership.person_id == person.id,
            Membership.organization_id.in_(scope)).limit(1)) is None:
        raise NotVisible("person")
    return person


@bp.post("/district/invitations")
def invite() -> Any:
    """Invite someone by e-mail to a role in the organization or one of its schools."""
    found = require(Role.ADMIN)
    db = session()
    admin_scope = found.scope(Role.ADMIN)
    target = db.get(Organization, request.form.get("organization_id", type=int) or -1)
    if target is None or target.id not in admin_scope:
        raise NotVisible("organization")
    me = db.get(Person, found.person_id)
    back = url_for("dashboard.people", org=request.form.get("org") or None)
    try:
        _, token = accounts.invite(db, org=target, email=request.form.get("email", ""),
                                   roles=accounts.parse_roles(request.form.getlist("role")),
                                   invited_by=me, now=now(),
                                   days=workflow_settings().invitation_days)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(back, code=303)
    link = f"{settings().base_url}/invite/{token}"
    email = request.form.get("email", "").strip().lower()
    words = mail_translator(request.form.get("lang"))
    notifications.queue(
        db, kind="invitation", to=email, now=now(), seal_key=workflow_settings().mail.seal_key,
        subject=words("mail_invite_subject", org=target.name),
        body=words("mail_invite_body", inviter=found.name, org=target.name,
                   days=workflow_settings().invitation_days, link=link))
    db.commit()
    deliver_mail()
    flash(translator()("ppl_invited", email=email, link=link), "success")
    return redirect(back, code=303)


@bp.post("/district/mentoring")
def mentoring() -> Any:
    """Mark or unmark a reviewer as mentoring a teacher."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.form.get("org"))
    district = found.tree.district_of(org.id)
    if district != org.id:
        raise NotVisible("district")
    scope = found.tree.descendants_or_self([district])
    mentor = _person_in(scope, request.form.get("mentor_id", type=int))
    teacher = _person_in(scope, request.form.get("teacher_id", type=int))
    db = session()
    try:
        accounts.set_mentoring(db, district, mentor=mentor, teacher=teacher,
                               on=request.form.get("on") != "off", actor=found.email, now=now())
    except ServiceError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("dashboard.people", org=org.slug), code=303)
    db.commit()
    flash(translator()("ppl_mentoring_updated"), "success")
    return redirect(url_for("dashboard.people", org=org.slug, _anchor="mentoring"), code=303)


@bp.post("/district/policy")
def policy() -> Any:
    """Turn the mentor conflict-of-interest rule on or off."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.form.get("org"))
    if found.tree.district_of(org.id) != org.id:
        raise NotVisible("district")
    db = session()
    on = request.form.get("mentor_conflict") == "on"
    accounts.set_mentor_rule(db, org.id, on=on, actor=found.email, now=now())
    db.commit()
    flash(translator()("ppl_rule_on" if on else "ppl_rule_off"), "success")
    return redirect(url_for("dashboard.people", org=org.slug, _anchor="rules"), code=303)
