"""The teacher's wallet: every badge earned, downloads, sharing, LinkedIn.

* ``GET /wallet``: the pathways the teacher is on (steps done, what unlocks
  next, issue #20), then the badges, each with downloads, its share link and
  an "Add to LinkedIn profile" link;
* ``GET /wallet/<id>.<json|jwt|png|svg>``: downloads for the owner (they work
  whether or not the public share link is on);
* ``POST /wallet/clr``: download a signed CLR 2.0 learner record of the
  chosen badges from one issuer, with the pathway structure (issue #20);
* ``POST /wallet/<id>/share``: turn the public share link on or off;
* ``POST /wallet/connections/<client_id>/disconnect``: end a badge host's
  access (the 1EdTech OB 3.0 API, :mod:`issuer.web.obapi`);
* ``GET /wallet/<id>/renew``: renewing a badge that expires soon or has
  expired (the page expiry reminders link to), and ``POST`` to start the
  renewal: a new submission for the same achievement (issue #6).
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from issuer import images
from issuer.models import IssuedCredential
from issuer.services import audit
from issuer.services import clr as clr_service
from issuer.services import obapi
from issuer.services.errors import ServiceError
from issuer.services.issuance import share_url
from issuer.storage import storage_for
from issuer.web import endorsed as endorsed_pages
from issuer.web.auth import protect
from issuer.web.auth import viewer
from issuer.web.common import content_disposition
from issuer.web.common import download_stem
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.language import translator
from issuer.web.status import state_of
from issuer.workflow import pathways
from issuer.workflow import renewals
from issuer.workflow.access import NotVisible

bp = Blueprint("wallet", __name__)
protect(bp)


def linkedin_url(issued: IssuedCredential, base_url: str) -> str:
    """LinkedIn's "Add license or certification" link, filled in.

    The fields are LinkedIn's documented ``profile/add`` parameters: name,
    organization, issue year and month, expiry, credential id and URL.
    """
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME", "name": issued.achievement.name,
        "organizationName": issued.organization.name,
        "issueYear": issued.issued_at.year, "issueMonth": issued.issued_at.month,
        "certUrl": share_url(base_url, issued), "certId": issued.credential_id}
    if issued.valid_until is not None:
        params["expirationYear"] = issued.valid_until.year
        params["expirationMonth"] = issued.valid_until.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def _mine(credential_id: str) -> IssuedCredential:
    found = session().get(IssuedCredential, credential_id)
    if found is None or found.person_id != viewer().person_id:
        raise NotVisible("badge")
    return found


def _records(earned: list[IssuedCredential], current: Any) -> list[dict[str, Any]]:
    """Per issuer, the badges that can go in a learner record (CLR), oldest first."""
    by_issuer: dict[int, dict[str, Any]] = {}
    for issued in sorted(earned, key=lambda c: (c.issued_at, c.id)):
        if clr_service.reason_left_out(issued, current) is None:
            by_issuer.setdefault(issued.organization_id, {
                "org": issued.organization, "badges": []})["badges"].append(issued)
    return list(by_issuer.values())


@bp.get("/wallet")
def index() -> Any:
    """Every badge the person has earned, newest first."""
    found = viewer()
    base = settings().base_url
    db = session()
    current = now()
    earned = list(db.scalars(sa.select(IssuedCredential).where(
        IssuedCredential.person_id == found.person_id).order_by(
        IssuedCredential.issued_at.desc(), IssuedCredential.id)))
    renewal = renewals.overview(db, earned, now=current)
    return render_template("wallet/index.html", earned=[
        {"issued": c, "state": state_of(c), "share": share_url(base, c),
         "linkedin": linkedin_url(c, base), "renewal": renewal[c.id]} for c in earned],
        current=current, renew_days=renewals.RENEWAL_WINDOW_DAYS,
        records=_records(earned, current),
        journeys=pathways.for_person(db, found.person_id, found.achievement_orgs()),
        elsewhere=obapi.held_credentials(db, found.person_id),
        connections=obapi.connections(db, found.person_id, now=current))


@bp.get("/wallet/<credential_id>.<ext>")
def download(credential_id: str, ext: str) -> Response:
    """The credential as stored (.json or .jwt) or baked into the badge image (.png, .svg)."""
    issued = _mine(credential_id)
    stem = download_stem(issued.achievement.name, issued.recipient_name)
    name = f"{stem}.{ext}"
    if ext == "json" and issued.format == "di":
        response = Response(issued.document.encode(), mimetype="application/vc+ld+json")
    elif ext == "jwt" and issued.format == "jwt":
        response = Response(issued.document.encode(), mimetype="text/plain")
    elif ext in ("png", "svg"):
        baked = images.baked_badge(issued, ext)
        assert baked is not None
        response = Response(baked[0], mimetype=baked[1])
        if ext == "svg":
            response.headers["Content-Security-Policy"] = \
                "default-src 'none'; style-src 'unsafe-inline'"
    elif ext == "pdf":
        from issuer.certificates import service as certificates

        s = settings()
        rendered = certificates.render_issued(issued, base_url=s.base_url,
                                              storage=storage_for(s),
                                              endorsed_by=endorsed_pages.verified_endorsers(
                                                  issued))
        name = f"{stem} - certificate.pdf"
        response = Response(rendered.pdf, mimetype="application/pdf")
    else:
        raise NotVisible("download")
    response.headers["Content-Disposition"] = content_disposition("attachment", name)
    return response


@bp.post("/wallet/clr")
def learner_record() -> Any:
    """The teacher's signed CLR 2.0 of the chosen badges from one issuer, as a download.

    Form fields: ``issuer`` (the issuer's slug) and ``credential`` (repeated,
    ``urn:uuid:`` ids of the teacher's own badges). Built by
    :func:`issuer.services.clr.teacher_clr` with the issuer's pathway
    structure and audited (``clr.issued``); a badge that is not the
    teacher's is refused as not found.
    """
    found = viewer()
    chosen = [ref for ref in request.form.getlist("credential") if ref]
    texts = translator()
    if not chosen:
        flash(texts("wallet_clr_none_chosen"), "error")
        return redirect(url_for("wallet.index", _anchor="learner-record"), code=303)
    db = session()
    base = settings().base_url
    result = clr_service.teacher_clr(
        db, issuer_context(), issuer=request.form.get("issuer", ""), email=found.email,
        now=now(), actor=found.email, credential_ids=chosen,
        structure=functools.partial(pathways.record_associations, base_url=base))
    db.commit()
    issuer = result.included[0].organization.name
    name = download_stem(texts("wallet_clr_file", issuer=issuer), found.name) + ".json"
    response = Response(json.dumps(result.document, indent=2, ensure_ascii=False).encode(),
                        mimetype="application/vc+ld+json")
    response.headers["Content-Disposition"] = content_disposition("attachment", name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/wallet/<credential_id>/share")
def share(credential_id: str) -> Any:
    """Turn the public share link on (``share=on``) or off."""
    issued = _mine(credential_id)
    issued.share_enabled = request.form.get("share") == "on"
    db = session()
    audit.record(db, actor=viewer().email, action="credential.share_link",
                 organization_id=issued.organization_id, subject_type="credential",
                 subject_id=issued.credential_id, at=now(),
                 detail={"enabled": issued.share_enabled})
    db.commit()
    flash(translator()("ren_share_on" if issued.share_enabled else "ren_share_off",
                       name=issued.achievement.name), "success")
    return redirect(url_for("wallet.index", _anchor=f"badge-{issued.id}"), code=303)


@bp.post("/wallet/connections/<client_id>/disconnect")
def disconnect(client_id: str) -> Any:
    """End a badge host's access to the teacher's badges (every token it holds is revoked)."""
    found = viewer()
    db = session()
    client = obapi.disconnect(db, found.person_id, client_id, actor=found.email, now=now())
    db.commit()
    texts = translator()
    flash(texts("ren_disconnected", app=client.client_metadata.get("client_name")
                or texts("ren_the_app")), "success")
    return redirect(url_for("wallet.index", _anchor="connections"), code=303)


def _renew_page(issued: IssuedCredential, *, error: str | None = None,
                status: int = 200) -> Any:
    db = session()
    current = now()
    schools = renewals.school_choices(db, viewer(), issued)
    return render_template(
        "wallet/renew.html", c=issued, renewal=renewals.overview(db, [issued], now=current)[
            issued.id], state=state_of(issued), schools=schools, error=error,
        current=current), status


@bp.get("/wallet/<credential_id>/renew")
def renew_page(credential_id: str) -> Any:
    """Renewing one badge: when it expires, what renewal means, and the button."""
    return _renew_page(renewals.own_credential(session(), viewer(), credential_id))


@bp.post("/wallet/<credential_id>/renew")
def renew(credential_id: str) -> Any:
    """Start a renewal: a new submission for the same achievement, marked as renewing it."""
    found = viewer()
    db = session()
    issued = renewals.own_credential(db, found, credential_id)
    try:
        sub = renewals.start(db, found, issued.id,
                             organization_id=request.form.get("organization_id", type=int),
                             now=now())
    except ServiceError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        existing = renewals.open_renewal(db, issued)
        if exc.code == "renewal_in_progress" and existing is not None:
            flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
            return redirect(url_for("submissions.show", submission_id=existing.id), code=303)
        return _renew_page(issued, error=exc.message, status=exc.status)
    db.commit()
    flash(translator()("ren_started", name=issued.achievement.name), "success")
    return redirect(url_for("submissions.show", submission_id=sub.id), code=303)
