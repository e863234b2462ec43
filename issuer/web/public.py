"""Public documents and pages: what any verifier, wallet or browser may read.

* ``/issuers/<slug>/did.json``: the issuer's DID document (did:web §3.2);
* ``/issuers/<slug>``: the issuer Profile, HTML or JSON-LD by content negotiation;
* ``/issuers/<slug>/jwks.json`` and ``/issuers/<slug>/keys/<key-id>``: JWK Set and
  single JWKs (the 1EdTech validator dereferences a ``kid`` to one JWK);
* ``/achievements/<id>``: the Achievement, HTML with Open Graph tags or JSON-LD;
* ``/c/<token>`` (+ ``.json``, ``.jwt``, ``.png``, ``.svg``): a credential at its
  unguessable share URL, exactly as signed.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template
from flask import request

from badges.loader import OB_CONTEXT
from badges.loader import VC_V2
from badges_templates import ROOT as TEMPLATES
from issuer import images
from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.services import achievements as achievement_service
from issuer.services import artwork
from issuer.services import authoring
from issuer.services import endorsements as endorsement_service
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.errors import ServiceError
from issuer.services.issuance import share_url
from issuer.web import endorsed as endorsed_pages
from issuer.web.common import content_disposition
from issuer.web.common import download_stem
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.common import wants_json
from issuer.web.status import state_of

bp = Blueprint("public", __name__)


LD_CONTEXT = [VC_V2, OB_CONTEXT]


def _json(document: Any, mimetype: str = "application/ld+json", max_age: int = 300) -> Response:
    response = Response(json.dumps(document, indent=2, ensure_ascii=False),
                        mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _negotiated(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/")
def home() -> Any:
    """The service's front page: its issuers."""
    orgs = organizations.list_all(session())
    return render_template("issuer/home.html", orgs=orgs)


@bp.get("/issuers/<slug>/did.json")
def did_document(slug: str) -> Response:
    """The issuer's DID document, every key it ever signed with that is not revoked."""
    org = organizations.get(session(), slug)
    doc = signing_keys.did_document(session(), org, settings().base_url)
    return _json(doc, "application/did+ld+json", max_age=300)


@bp.get("/issuers/<slug>")
def issuer_profile(slug: str) -> Response:
    """The issuer Profile (OB 3.0 §B.1.14), HTML or JSON-LD."""
    org = organizations.get(session(), slug)
    base = settings().base_url
    profile = organizations.profile(base, org)
    did = organizations.issuer_did(base, org)
    # partners' endorsements of this issuer (OB 3.0 §B.1.14 Profile.endorsement)
    endorsed = endorsement_service.documents(endorsement_service.current(session(),
                                                                         subject_id=did))
    if wants_json():
        body = {"@context": LD_CONTEXT, **profile.to_json()}
        if endorsed:
            body["endorsement"] = endorsed
        return _negotiated(_json(body))
    achievements = [a for a in achievement_service.list_for(session(), org)
                    if a.active and a.catalogue_visible]
    return _negotiated(Response(render_template(
        "issuer/profile.html", org=org, profile=profile.to_json(), achievements=achievements,
        did=did, endorsements=endorsed_pages.about(endorsed, did))))


@bp.get("/issuers/<slug>/jwks.json")
def jwks(slug: str) -> Response:
    """The issuer's JWK Set (RFC 7517 §5)."""
    org = organizations.get(session(), slug)
    return _json(signing_keys.jwks(session(), org, settings().base_url),
                 "application/jwk-set+json")


@bp.get("/issuers/<slug>/keys/<key_id>")
def jwk(slug: str, key_id: str) -> Response:
    """One public key as a JWK (what a VC-JWT ``kid`` URL dereferences to)."""
    org = organizations.get(session(), slug)
    row = signing_keys.find_key(session(), org, key_id.removesuffix(".json"))
    if row is None:
        raise ServiceError(f"key {key_id!r} of {slug} was not found", code="unknown_key",
                           status=404)
    return _json(signing_keys.public_jwk(row, settings().base_url), "application/jwk+json")


def _achievement(achievement_id: str) -> Achievement:
    found = session().get(Achievement, achievement_id)
    if found is None or found.status == authoring.DRAFT:
        raise ServiceError("achievement was not found", code="unknown_achievement", status=404)
    return found


@bp.get("/achievements/<achievement_id>")
def achievement_page(achievement_id: str) -> Response:
    """The Achievement (OB 3.0 §B.1.1), HTML with Open Graph tags or JSON-LD.

    ``?version=N`` shows version N as it was issued (the OB ``version``
    property); the page lists every version. Drafts are not published (404).
    """
    current = _achievement(achievement_id)
    asked = request.args.get("version")
    if asked is not None and not (asked.isascii() and asked.isdigit() and len(asked) < 9):
        raise ServiceError("version must be a whole number", code="invalid_version")
    found = authoring.as_of(session(), current, int(asked) if asked is not None else None)
    base = settings().base_url
    ob = achievement_service.to_model(found, base_url=base).to_json()
    # partners' endorsements of the achievement (OB 3.0 §B.1.1 Achievement.endorsement)
    endorsed = endorsement_service.documents(endorsement_service.current(
        session(), subject_id=ob["id"]))
    if wants_json():
        if endorsed:
            ob["endorsement"] = endorsed
        return _negotiated(_json({"@context": LD_CONTEXT, **ob}))
    return _negotiated(Response(render_template(
        "issuer/achievement.html", achievement=found, ob=ob, org=found.organization,
        page_url=achievement_service.achievement_url(base, found),
        versions=authoring.versions(session(), current),
        version=authoring.version_number(found),
        current_version=authoring.version_number(current),
        endorsements=endorsed_pages.about(endorsed, ob["id"]))))


@bp.get("/achievements/<achievement_id>/image.<ext>")
@bp.get("/achievements/<achievement_id>/versions/<int:number>/image.<ext>")
def achievement_image(achievement_id: str, ext: str, number: int | None = None) -> Response:
    """The achievement's badge art, unbaked: its upload or the generated default.

    The same picture every other output shows (:mod:`issuer.services.artwork`);
    revalidated by its digest, since an admin may replace it. With a version
    number, the art that version showed (what its credentials name).
    """
    found = _achievement(achievement_id)
    if ext not in ("svg", "png"):
        abort(404)
    if number is not None and not 1 <= number <= authoring.version_number(found):
        raise ServiceError(f"version {number} of this achievement was not found",
                           code="unknown_version", status=404)
    art = artwork.art_for(session(), found, number)
    body, mimetype = (art.svg, "image/svg+xml") if ext == "svg" else (art.png, "image/png")
    response = Response(body, mimetype=mimetype)
    response.set_etag(f"{art.digest[:32]}-{ext}")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


def _shared(token: str) -> IssuedCredential:
    from sqlalchemy import select

    issued = session().scalar(select(IssuedCredential).where(
        IssuedCredential.share_token == token))
    if issued is None:
        raise ServiceError("this credential link does not exist", code="unknown_credential",
                           status=404)
    if not issued.share_enabled:
        # the token is unguessable, so saying that it existed tells a stranger nothing
        raise ServiceError("the owner of this credential turned its share link off",
                           code="share_link_off", status=410)
    return issued


def shared_evidence(issued: IssuedCredential) -> list[dict[str, str]]:
    """The evidence the credential carries (OB 3.0 §B.1.9 ``Evidence``), for its share page.

    Only what the teacher chose to share is ever put in a badge (never an
    item marked as containing student data, never an evidence file itself),
    so the page shows exactly what any verifier reading the credential sees:
    each item's name, kind, narrative or description, and its link when it
    is a web address (``https:``, or ``http:`` as given).
    """
    from badges.errors import BadgesError
    from badges.jwt import decode_jwt

    try:
        document = json.loads(issued.document) if issued.format == "di" \
            else decode_jwt(issued.document, check_header=False).credential
    except (ValueError, BadgesError):
        return []
    found = document.get("evidence") if isinstance(document, dict) else None
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    shown = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("id")
        text = {key: str(item[key])[:2000] for key in ("name", "genre", "narrative",
                                                        "description")
                if isinstance(item.get(key), str) and item[key].strip()}
        if isinstance(link, str) and link.startswith(("https://", "http://")):
            text["url"] = link
        if text:
            shown.append(text)
    return shown


def _stem(issued: IssuedCredential) -> str:
    return download_stem(issued.achievement.name, issued.recipient_name)


def private(response: Response) -> Response:
    """Headers for what a share token opens: not cached by others, not indexed, no referrer."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/c/<token>")
def credential_page(token: str) -> Response:
    """The credential's share page, or the credential itself for a JSON client."""
    issued = _shared(token)
    if wants_json():
        return _negotiated(credential_document(token, "json" if issued.format == "di"
                                               else "jwt"))
    base = settings().base_url
    # The achievement as this credential holds it: the version it was issued with.
    held = authoring.as_of(session(), issued.achievement, issued.achievement_version) \
        if issued.achievement_version is not None else issued.achievement
    page = achievement_service.achievement_url(base, issued.achievement)
    if authoring.version_number(held) != authoring.version_number(issued.achievement):
        page += f"?version={authoring.version_number(held)}"
    response = private(_negotiated(Response(render_template(
        "issuer/credential.html", issued=issued, achievement=held,
        state=state_of(issued), now=now(),
        org=issued.organization, share=share_url(base, issued),
        download_stem=_stem(issued), evidence=shared_evidence(issued),
        endorsements=endorsed_pages.carried(issued.document, issued.format),
        achievement_url=page))))
    return response


@bp.get("/c/<token>.<ext>")
def credential_document(token: str, ext: str) -> Response:
    """The stored credential byte for byte (.json / .jwt), or baked (.png / .svg)."""
    issued = _shared(token)
    text = issued.document
    if ext == "json" and issued.format == "di":
        return private(Response(text.encode("utf-8"), mimetype="application/vc+ld+json"))
    if ext == "jwt" and issued.format == "jwt":
        return private(Response(text.encode("ascii"), mimetype="text/plain"))
    if ext in ("json", "jwt"):
        other = "jwt" if ext == "json" else "json"
        raise ServiceError(f"this credential was issued as a {issued.format.upper()} "
                           f"credential: download the .{other} file",
                           code="wrong_format", status=404)
    baked = images.baked_badge(issued, ext)
    if baked is None:
        abort(404)
    response = Response(baked[0], mimetype=baked[1])
    response.headers["Content-Disposition"] = content_disposition("inline",
                                                                  f"{_stem(issued)}.{ext}")
    return private(response)


@bp.get("/assets/copy-link.js")
def copy_link_script() -> Response:
    """The share page's copy-link button (a file, so the page's CSP needs no inline script)."""
    script = (TEMPLATES / "assets" / "copy-link.js").read_text("utf-8")
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/assets/badge-designer.js")
def badge_designer_script() -> Response:
    """The badge designer's live preview (a file, so the page's CSP needs no inline script)."""
    script = (TEMPLATES / "assets" / "badge-designer.js").read_text("utf-8")
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'")
    if request.path.endswith(".svg"):  # badge art may embed its PNG as a data: image
        response.headers["Content-Security-Policy"] = \
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
