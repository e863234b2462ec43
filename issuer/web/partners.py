"""Partners and their endorsements in the browser (issue #20).

* ``GET /district/partners`` (a district's admin): its partners and what
  they endorsed (a partner's admin is sent to its own page);
  ``POST /district/partners`` adds a partner organization (its own did:web
  and keys) and e-mails its admin an invitation;
* ``GET /partner/endorsements`` (a partner's admin): what the district
  offers to endorse and the partner's endorsements;
  ``POST /partner/endorsements`` signs one (OB 3.0 §B.1.7
  EndorsementCredential), ``POST /partner/endorsements/<id>/withdraw``
  revokes it.

The rules live in :mod:`issuer.services.endorsements`.
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

from issuer.models import Organization
from issuer.models import Person
from issuer.models import Role
from issuer.models_endorsements import Endorsement
from issuer.services import endorsements as endorsement_service
from issuer.services.errors import ServiceError
from issuer.web.auth import deliver_mail
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.auth import workflow_settings
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.dashboard import admin_orgs
from issuer.web.language import mail_translator
from issuer.web.language import translator
from issuer.workflow import accounts
from issuer.workflow import notifications
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

bp = Blueprint("partners", __name__)
protect(bp)


def _actor(found: Viewer) -> str:
    person = session().get(Person, found.person_id)
    return accounts.primary_email(person) if person is not None else "unknown"


def _district(found: Viewer) -> Organization:
    """The district the admin administers (a district, not a school or a partner)."""
    for org in admin_orgs(found):
        if org.parent_id is None and endorsement_service.partner_of(session(), org) is None:
            return org
    raise NotVisible("district")


def _partner(found: Viewer) -> Organization:
    for org in admin_orgs(found):
        if endorsement_service.partner_of(session(), org) is not None:
            return org
    raise NotVisible("partner")


def _endorsements(**where: Any) -> list[Endorsement]:
    query = sa.select(Endorsement).order_by(Endorsement.issued_at.desc())
    for key, value in where.items():
        query = query.where(getattr(Endorsement, key) == value)
    return list(session().scalars(query))


@bp.get("/district/partners")
def partners() -> Any:
    """The district's partners, their endorsements, and the form to invite one."""
    found = require(Role.ADMIN)
    try:
        district = _district(found)
    except NotVisible:
        _partner(found)  # a partner's admin: its own page (else 404)
        return redirect(url_for("partners.endorsements"), code=303)
    return render_template("dashboard/partners.html", org=district,
                           partners=endorsement_service.partners_of(session(), district),
                           endorsements=_endorsements(district_id=district.id))


@bp.post("/district/partners")
def invite_partner() -> Any:
    """Add a partner organization and invite its administrator by e-mail."""
    found = require(Role.ADMIN)
    district = _district(found)
    db = session()
    actor = _actor(found)
    email = request.form.get("email", "").strip().lower()
    try:
        link = endorsement_service.add_partner(
            db, issuer_context(), district=district, slug=request.form.get("slug", ""),
            name=request.form.get("name", ""), url=request.form.get("url") or None,
            actor=actor, now=now())
        _, token = accounts.invite(db, org=link.partner, email=email, roles=[Role.ADMIN],
                                   invited_by=db.get(Person, found.person_id), now=now(),
                                   days=workflow_settings().invitation_days)
    except ServiceError as exc:
        db.rollback()
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("partners.partners"), code=303)
    invite_url = f"{settings().base_url}/invite/{token}"
    words = mail_translator(request.form.get("lang"))
    notifications.queue(
        db, kind="invitation", to=email, now=now(), seal_key=workflow_settings().mail.seal_key,
        subject=words("mail_partner_subject", district=district.name,
                      partner=link.partner.name),
        body=words("mail_partner_body", district=district.name, partner=link.partner.name,
                   days=workflow_settings().invitation_days, link=invite_url))
    db.commit()
    deliver_mail()
    flash(translator()("prt_added", partner=link.partner.name, email=email, link=invite_url),
          "success")
    return redirect(url_for("partners.partners"), code=303)


@bp.get("/partner/endorsements")
def endorsements() -> Any:
    """What the partner may endorse and what it endorsed."""
    found = require(Role.ADMIN)
    partner = _partner(found)
    link = endorsement_service.partner_of(session(), partner)
    assert link is not None
    return render_template(
        "dashboard/endorse.html", org=partner, district=link.district,
        subjects=endorsement_service.subjects_for(session(), issuer_context(), link),
        endorsements=_endorsements(partner_id=partner.id),
        error=request.args.get("error"))


@bp.post("/partner/endorsements")
def endorse() -> Any:
    """Sign an endorsement of the chosen achievement or of the district."""
    found = require(Role.ADMIN)
    partner = _partner(found)
    db = session()
    try:
        row = endorsement_service.endorse(
            db, issuer_context(), partner=partner, subject_id=request.form.get("subject", ""),
            comment=request.form.get("comment", ""), actor=_actor(found), now=now())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        db.rollback()
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("partners.endorsements"), code=303)
    db.commit()
    flash(translator()("prt_signed", subject=row.subject_id), "success")
    return redirect(url_for("partners.endorsements"), code=303)


@bp.post("/partner/endorsements/<endorsement_id>/withdraw")
def withdraw(endorsement_id: str) -> Any:
    """Withdraw (revoke) one of the partner's endorsements."""
    found = require(Role.ADMIN)
    partner = _partner(found)
    db = session()
    try:
        endorsement_service.withdraw(db, issuer_context(), partner=partner,
                                     endorsement_id=endorsement_id, actor=_actor(found),
                                     now=now())
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("partners.endorsements"), code=303)
    db.commit()
    flash(translator()("prt_withdrawn_msg"), "success")
    return redirect(url_for("partners.endorsements"), code=303)
