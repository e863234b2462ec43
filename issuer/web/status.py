"""Status lists over HTTP and revocation through the JSON API.

* ``GET /issuers/<slug>/status/<purpose>/<n>``: the signed
  BitstringStatusListCredential (BSL §2.2), with ``ETag`` (304 on a match)
  and ``Cache-Control`` matching its ``ttl``;
* ``GET /issuers/<slug>/status/<purpose>/<n>/<index>``: one entry's public
  details (what the entry ``id`` in a credential dereferences to);
* ``POST /api/v1/credentials/<id>/revoke|suspend|unsuspend`` and
  ``POST /api/v1/issuers/<slug>/revocations`` (bulk), with the API token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from issuer.models import Organization
from issuer.services import organizations
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.web.api import authorized_organization
from issuer.web.api import json_object
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session

bp = Blueprint("status", __name__)


#: Media types that ask for the VC-JWT form of a status list (VC-JOSE-COSE §6.1; RFC 7519).
JWT_TYPES = ("application/vc+jwt", "application/jwt")
#: Media types of the Data Integrity form: VCDM 2.0 §C.1 (``application/vc``), the
#: ``application/vc+ld+json`` it is served as, and JSON-LD / JSON (JSON-LD 1.1 §C).
JSON_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json",
              "application/json")


def wants_jwt_list(accept: str | None) -> bool:
    """Whether a status list request gets the VC-JWT form rather than Data Integrity JSON.

    Proactive negotiation (RFC 9110 §12.1, §12.5.1) on ``Accept`` alone:

    * ``application/vc+jwt`` or ``application/jwt`` preferred over every JSON
      type: the VC-JWT (VC-JOSE-COSE §6.1);
    * no ``Accept`` at all (or an empty one): the client states no preference
      and accepts any media type, so the service serves the form verifiable
      without a JSON-LD processor, the VC-JWT. JSON-LD processors, which Data
      Integrity verification needs, ask for JSON-LD explicitly (JSON-LD 1.1 API
      §9.4.1: Digital Bazaar and DCC loaders send ``application/ld+json,
      application/json``), so they keep getting the Data Integrity form; a
      plain fetcher that sends none (Python's urllib, as PyPI openbadgeslib
      does, Go, Java's HttpClient) gets a list it can check with JOSE alone;
    * anything else, ``*/*`` (curl, browsers) included: Data Integrity JSON.
    """
    if accept is None or not accept.strip():
        return True
    accepted = parse_accept_header(accept, MIMEAccept)
    best = accepted.best_match([*JSON_TYPES, *JWT_TYPES])
    return best in JWT_TYPES and accepted[best] > max(accepted[t] for t in JSON_TYPES)


@bp.get("/issuers/<slug>/status/<purpose>/<int:number>")
def status_list(slug: str, purpose: str, number: int) -> Response:
    """The signed status list; cheap to serve, re-signed only after a change.

    Data Integrity JSON, or the same list as a VC-JWT (also at ``.jwt``) when
    ``Accept`` prefers ``application/vc+jwt`` or ``application/jwt`` or is
    absent (:func:`wants_jwt_list`).
    """
    response = _list_response(slug, purpose, number,
                              jwt=wants_jwt_list(request.headers.get("Accept")))
    response.vary.add("Accept")
    return response


@bp.get("/issuers/<slug>/status/<purpose>/<int:number>.jwt")
def status_list_jwt(slug: str, purpose: str, number: int) -> Response:
    """The same signed status list as a VC-JWT (ES256), at a URL of its own."""
    return _list_response(slug, purpose, number, jwt=True)


def _list_response(slug: str, purpose: str, number: int, *, jwt: bool) -> Response:
    db = session()
    org = organizations.get(db, slug)
    found = status.get_list(db, org, purpose, number)
    sign = status.signed_list_jwt if jwt else status.signed_list
    document, etag = sign(db, issuer_context(), found, now())
    db.commit()
    max_age = status.TTL_MS // 1000
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(document.encode(),
                            mimetype="application/vc+jwt" if jwt else "application/vc+ld+json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/issuers/<slug>/status/<purpose>/<int:number>/<int:index>")
def status_entry(slug: str, purpose: str, number: int, index: int) -> Response:
    """What a credential's status entry ``id`` dereferences to: its state, since when, why."""
    db = session()
    org = organizations.get(db, slug)
    details = status.entry_details(db, issuer_context().base_url, org, purpose, number, index)
    response = jsonify(details)
    response.headers["Cache-Control"] = f"public, max-age={status.TTL_MS // 1000}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _body() -> dict[str, Any]:
    """The optional JSON body of a status change (none means no options)."""
    data = request.get_data(cache=False)
    return json_object(data) if data else {}


def _public(body: dict[str, Any]) -> bool:
    """The ``public`` flag: a JSON boolean, nothing else (``"false"`` must not publish)."""
    value = body.get("public", False)
    if not isinstance(value, bool):
        raise ServiceError("public must be true or false", code="invalid_field")
    return value


def _change(credential_ref: str, action: str, org: Organization) -> Any:
    body = _body()
    db = session()
    actor = f"api-token:{org.slug}"
    if action == "revoke":
        changed = status.revoke(db, credential_ref, reason=body.get("reason"),
                                public=_public(body), actor=actor,
                                now=now(), organization=org)
    elif action == "suspend":
        changed = status.suspend(db, credential_ref, actor=actor, now=now(), organization=org)
    else:
        changed = status.unsuspend(db, credential_ref, actor=actor, now=now(),
                                   organization=org)
    db.commit()
    status.publish_changes(db, issuer_context(), status.lists_of([changed]), now())
    db.commit()
    return jsonify(credentialId=changed.credential_id, status=state_of(changed))


def state_of(credential: Any) -> dict[str, Any]:
    """The current status of a stored credential, for APIs and pages."""
    return {
        "revoked": credential.revoked_at is not None,
        "revokedAt": credential.revoked_at.isoformat() if credential.revoked_at else None,
        "reason": credential.revocation_reason if credential.reason_public else None,
        "suspended": credential.suspended_at is not None,
        "suspendedAt": credential.suspended_at.isoformat() if credential.suspended_at else None,
    }


@bp.post("/api/v1/credentials/<credential_ref>/<action>")
def change(credential_ref: str, action: str) -> Any:
    """Revoke, suspend or unsuspend one credential."""
    org = authorized_organization(None)  # no token, no answer about anything else
    if action not in ("revoke", "suspend", "unsuspend"):
        raise ServiceError(f"unknown action {action!r}", code="unknown_action", status=404)
    return _change(credential_ref, action, org)


@bp.post("/api/v1/issuers/<slug>/revocations")
def bulk_revoke(slug: str) -> Any:
    """Revoke a list of credentials: ``{ids: [...], reason?, public?}``."""
    org = authorized_organization(slug)
    body = _body()
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
        raise ServiceError("ids must be a non-empty list of credential ids",
                           code="invalid_ids")
    if len(ids) > 10_000:
        raise ServiceError("at most 10,000 ids per request", code="too_many_ids")
    db = session()
    public = _public(body)
    results = status.revoke_many(db, ids, reason=body.get("reason"), public=public,
                                 actor=f"api-token:{org.slug}", now=now(), organization=org)
    db.commit()
    revoked = [r.ref for r in results if r.ok]
    if revoked:
        changed = [status.find_credential(db, ref) for ref in revoked]
        status.publish_changes(db, issuer_context(), status.lists_of(changed), now())
        db.commit()
    return jsonify(results=[{"id": r.ref, "ok": r.ok, "code": r.code, "message": r.message}
                            for r in results],
                   revoked=len(revoked), failed=len(results) - len(revoked))
