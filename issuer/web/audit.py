"""The audit log viewer for admins (read-only: the log is append-only).

* ``GET /district/audit`` (``?org=&actor=&action=&type=&subject=&from=&to=&page=``):
  the events of an organization the person administers and of its schools,
  newest first, 50 to a page, each linking to what it concerns;
* ``GET /district/audit.csv``: the same filters, every matching event as CSV.

A district admin sees the district's and its schools' events; a school admin
only their school's. There is no route that changes or deletes an event.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask import url_for

from issuer.models import Role
from issuer.services import audit
from issuer.services.errors import ServiceError
from issuer.web.auth import protect
from issuer.web.auth import require
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.dashboard import admin_orgs
from issuer.web.dashboard import chosen_org
from issuer.web.language import translator

bp = Blueprint("audit", __name__)
protect(bp)

#: The kinds of subject the page names (each is worded by the catalogue key ``aud_kind_<kind>``).
SUBJECT_KINDS = ("credential", "submission", "batch", "signing_key", "organization", "person",
                 "invitation", "certificate_template", "achievement", "endorsement")


def subject_labels() -> dict[str, str]:
    """What each kind of subject is called on the page, in the page's language."""
    texts = translator()
    return {kind: texts(f"aud_kind_{kind}") for kind in SUBJECT_KINDS}


def subject_link(entry: audit.Entry) -> str | None:
    """Where the event's subject can be seen, when the service has a page for it."""
    event, slug = entry.event, entry.organization_slug
    kind, ref = event.subject_type, event.subject_id
    if kind == "credential":
        return url_for("credentials.show", credential_id=ref)
    if kind == "submission":
        return url_for("reviews.show", submission_id=ref)
    if kind == "batch":
        return url_for("batches.page", batch_id=ref)
    if kind == "signing_key" and slug:
        return url_for("public.jwk", slug=slug, key_id=ref)
    if kind == "organization":
        return url_for("public.issuer_profile", slug=ref)
    if kind in ("person", "invitation") and slug:
        return url_for("dashboard.people", org=slug)
    if kind == "achievement":
        return url_for("public.achievement_page", achievement_id=ref)
    return None


@bp.get("/district/audit")
def index() -> Any:
    """One page of the organization's audit log, filtered."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    scope = found.tree.descendants_or_self([org.id])
    db = session()
    actions, types = audit.choices(db, scope)
    error = None
    try:
        filters = audit.parse_filters(request.args)
    except ServiceError as exc:
        error = exc.message[:1].upper() + exc.message[1:] + "."
        filters = audit.Filters()
    page = audit.search(db, scope, filters, page=request.args.get("page", type=int) or 1) \
        if error is None else audit.Page((), 0, 1, audit.PER_PAGE)
    return render_template(
        "dashboard/audit.html", org=org, orgs=admin_orgs(found), filters=filters,
        raw=request.args, page=page, error=error, actions=actions, types=types,
        labels=subject_labels(), link=subject_link), 400 if error else 200


@bp.get("/district/audit.csv")
def export() -> Response:
    """Every event matching the filters, as CSV (newest first)."""
    found = require(Role.ADMIN)
    org = chosen_org(found, request.args.get("org"))
    filters = audit.parse_filters(request.args)
    body = "".join(audit.export_csv(session(), found.tree.descendants_or_self([org.id]),
                                    filters))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{org.slug}-audit-{now().strftime("%Y-%m-%d")}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
