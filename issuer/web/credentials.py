"""The district's issued credentials, for admins: find them, revoke, suspend, unsuspend.

* ``GET /district/credentials`` (``?org=&q=&status=&page=``): the credentials
  of an organization the person administers and its schools, searchable,
  filtered by status, 50 to a page;
* ``GET /district/credentials/<id>``: one credential, with its actions;
  ``POST /district/credentials/<id>/revoke|suspend|unsuspend`` change it;
* ``GET/POST /district/credentials/bulk``: revoke pasted or ticked ids, with
  a report of each one.

Every change goes through :mod:`issuer.services.status` (audited, with the
admin's e-mail as actor), then the status lists are re-signed at once, as
the JSON API does. A credential outside the admin's organizations answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import Role
from issuer.services import issuance
from issuer.services import status
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.dashboard import admin_orgs
from issuer.web.dashboard import chosen_org
from issuer.web.language import translator
from issuer.workflow import credentials
from issuer.workflow import pathways
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

bp = Blueprint("credentials", __name__)
protect(bp)

ACTIONS = ("revoke", "suspend", "unsuspend")
#: Service refusals said in the page's language, by the error's code (the English
#: service sentence otherwise).
_REFUSALS = {"already_revoked": "adm_msg_already_revoked",
             "already_suspended": "adm_msg_already_suspended",
             "not_suspended": "adm_msg_not_suspended",
             "not_confirmed": "adm_msg_confirm", "missing_field": "adm_msg_reason"}


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _refusal(exc: ServiceError) -> str:
    """A service refusal as a sentence for the page, translated by its code when known."""
    key = _REFUSALS.get(exc.code or "")
    if key is None or (exc.code == "missing_field" and "reason" not in exc.message):
        return _sentence(exc.message)
    return translator()(key)


def _back(default: str) -> str:
    """Where to go after a change: the page the form came from, if it is one of ours."""
    target = request.form.get("back", "")
    prefix = url_for("credentials.index")
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return default


def _publish(changed: list[IssuedCredential]) -> None:
    """Re-sign the changed status lists now (after the change is committed)."""
    db = session()
    db.commit()
    if changed:
        status.publish_changes(db, issuer_context(), status.lists_of(changed), now())
        db.commit()


@bp.get("/district/credentials")
def index() -> Any:
    """The organization's credentials: search, status filter, pages, actions."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    chosen = request.args.get("status") or None
    query = credentials.Query(text=request.args.get("q", ""),
                              status=chosen if chosen in credentials.STATUSES else None,
                              page=request.args.get("page", type=int) or 1,
                              after=request.args.get("after") or None,
                              before=request.args.get("before") or None)
    page = credentials.search(session(), found.tree.descendants_or_self([org.id]), query,
                              now=now(), per_page=credentials.PER_PAGE)
    return render_template("dashboard/credentials.html", org=org, orgs=admin_orgs(found),
                           query=query, page=page, labels=credentials.STATUS_LABELS,
                           statuses=credentials.STATUSES, back=request.full_path.rstrip("?"))


@bp.get("/district/credentials/<credential_id>")
def show(credential_id: str) -> Any:
    """One credential: its details, status, and the forms that change it."""
    found = require(Role.ADMIN)
    db = session()
    credential = credentials.visible(db, found.scope(Role.ADMIN), credential_id)
    state, since = credentials.status_of(credential, now())
    return render_template(
        "dashboard/credential.html", credential=credential, state=state, since=since,
        labels=credentials.STATUS_LABELS, note=credentials.suspension_note(db, credential),
        suspendable=status.can_suspend(credential),
        pathway_flag=pathways.flag_of(db, credential),
        share=issuance.share_url(settings().base_url, credential)
        if credential.share_enabled else None)


def _apply(action: str, credential: IssuedCredential, actor: str) -> str:
    """Make the change through the status service; the message to show.

    Raises:
        ServiceError: the service refused (nothing was changed).
    """
    db = session()
    t = translator()
    who = {"name": credential.recipient_name, "achievement": credential.achievement.name}
    if action == "revoke":
        if request.form.get("confirm") != "yes":
            raise ServiceError(translator()("adm_msg_confirm"), code="not_confirmed")
        reason = request.form.get("reason", "")
        if not reason.strip():
            raise ServiceError("give a reason for the revocation: nothing was revoked",
                               code="missing_field")
        changed = status.revoke(db, credential.id, reason=reason,
                                public=request.form.get("public") == "yes", actor=actor,
                                now=now(), organization=credential.organization)
        shown = " " + t("adm_msg_reason_shown") if changed.reason_public else ""
        return t("adm_msg_revoked", **who, shown=shown)
    if action == "suspend":
        status.suspend(db, credential.id, actor=actor, now=now(),
                       organization=credential.organization, note=request.form.get("note"))
        return t("adm_msg_suspended", **who)
    status.unsuspend(db, credential.id, actor=actor, now=now(),
                     organization=credential.organization)
    return t("adm_msg_active", **who)


@bp.post("/district/credentials/<credential_id>/<action>")
def change(credential_id: str, action: str) -> Any:
    """Revoke, suspend or unsuspend one credential of the admin's organizations."""
    found = require(Role.ADMIN)
    if action not in ACTIONS:
        raise NotVisible("page")
    db = session()
    credential = credentials.visible(db, found.scope(Role.ADMIN), credential_id)
    page = url_for("credentials.show", credential_id=credential.id)
    try:
        message = _apply(action, credential, found.email)
    except ServiceError as exc:
        db.rollback()
        flash(_refusal(exc), "error")
        return redirect(_back(page + ("#revoke" if action == "revoke" else "")), code=303)
    _publish([credential])
    flash(message, "success")
    return redirect(_back(page), code=303)


def _bulk_page(found: Viewer, org: Organization, status_code: int = 200,
               **context: Any) -> Any:
    values = {"ids": "", "reason": "", "public": False, "error": None, "report": None,
              **context}
    return render_template("dashboard/bulk_revoke.html", org=org, orgs=admin_orgs(found),
                           **values), status_code


@bp.get("/district/credentials/bulk")
def bulk_form() -> Any:
    """Paste credential ids to revoke them together."""
    found = require(Role.ADMIN)
    return _bulk_page(found, chosen_org(found, request.args.get("org")))


@bp.post("/district/credentials/bulk")
def bulk() -> Any:
    """Revoke the pasted or ticked ids with one reason; report what happened to each."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.form.get("org"))
    refs = credentials.parse_ids("\n".join([request.form.get("ids", ""),
                                            *request.form.getlist("id")]))
    reason = request.form.get("reason", "")
    public = request.form.get("public") == "yes"
    form = {"ids": "\n".join(refs), "reason": reason, "public": public}
    t = translator()
    error = None
    if not refs:
        error = t("adm_msg_no_ids")
    elif len(refs) > credentials.MAX_BULK_IDS:
        error = t("adm_msg_too_many", most=f"{credentials.MAX_BULK_IDS:,}")
    elif not reason.strip():
        error = t("adm_msg_reason_bulk")
    elif request.form.get("confirm") != "yes":
        error = t("adm_msg_confirm") + " " + t("adm_msg_nothing_revoked")
    else:
        try:
            validation.text(reason, field="the reason", max_length=1000)
        except ServiceError as exc:
            error = _sentence(exc.message) + " " + t("adm_msg_nothing_revoked")
    if error is not None:
        return _bulk_page(found, org, 400, error=error, **form)
    report, changed = credentials.revoke_many(
        session(), found.tree.descendants_or_self([org.id]), refs, reason=reason,
        public=public, actor=found.email, now=now())
    _publish(changed)
    return _bulk_page(found, org, report=report)
