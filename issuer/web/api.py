"""The issuer's JSON API (``/api/v1``), for district systems that script awards.

Authentication is a bearer token per organization (``badges tokens create``);
only its SHA-256 is stored. Errors are JSON ``{"error": {"code", "message"}}``
with a 4xx status, and leave the database unchanged.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from issuer.models import ApiToken
from issuer.models import Organization
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from verifier.web import packaged_openapi

bp = Blueprint("api", __name__)


def token_hash(token: str) -> str:
    """How a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _token_and(acting: sa.ColumnElement[bool]) -> sa.Select[ApiToken, Organization | None]:
    return sa.select(ApiToken, Organization).outerjoin(Organization, acting).where(
        ApiToken.token_hash == sa.bindparam("hash"), ApiToken.revoked_at.is_(None))


#: A valid token and the organization it acts for (its own, or the one named by slug),
#: in one query, built once (every API call reads it).
_TOKEN_AND_OWN = _token_and(Organization.id == ApiToken.organization_id)
_TOKEN_AND_ISSUER = _token_and(Organization.slug == sa.bindparam("slug"))


def authorized_organization(slug: str | None) -> Organization:
    """The organization the bearer token acts for (checked against ``slug`` if given).

    Raises:
        ServiceError: ``unauthorized`` (401), ``forbidden`` (403), ``unknown_issuer``.
    """
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ServiceError("send 'Authorization: Bearer <token>'", code="unauthorized",
                           status=401)
    secret = {"hash": token_hash(header[7:].strip())}
    found = session().execute(_TOKEN_AND_OWN, secret).first() if slug is None \
        else session().execute(_TOKEN_AND_ISSUER, {**secret, "slug": slug}).first()
    if found is None:
        raise ServiceError("the token is not valid", code="unauthorized", status=401)
    row, org = found
    if org is None:
        raise not_found(f"issuer {slug!r}", "unknown_issuer")
    if row.organization_id != org.id and org.parent_id != row.organization_id:
        raise ServiceError("the token does not grant access to this issuer",
                           code="forbidden", status=403)
    return org


def json_object(data: bytes) -> dict[str, Any]:
    """A request body that must be one JSON object (every JSON route reads bodies so).

    Raises:
        ServiceError: ``invalid_json`` (400) for text that is not JSON or not an object.
    """
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply to read
        raise ServiceError("the body is not valid JSON", code="invalid_json") from None
    if not isinstance(value, dict):
        raise ServiceError("the body must be a JSON object", code="invalid_json")
    return value


#: The media types a definition body may be sent as YAML with.
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def definition_body(what: str) -> Any:
    """The request body as a definition: JSON, or YAML by its Content-Type.

    Shared by the authoring routes (achievements, pathways): both read one
    bounded JSON reader or :func:`issuer.services.definition.load`, so a bad
    body is answered the same way everywhere.

    Args:
        what: what the body is, for the 415 message ("the definition", "the pathway").

    Raises:
        ServiceError: ``invalid_json`` (415) for another media type, (400) for
            unreadable JSON or YAML.
    """
    from issuer.services import definition

    kind = request.mimetype
    if not (request.is_json or kind in YAML_TYPES):
        raise ServiceError(f"send {what} as JSON (Content-Type: application/json) "
                           "or YAML (application/yaml)", code="invalid_json", status=415)
    data = request.get_data(cache=False)
    if kind not in YAML_TYPES:
        return json_object(data or b"null")
    return definition.load(data, name="the body")


def token_actor(org: Organization) -> str:
    """Who an API change is recorded as, in the audit log: the organization's token."""
    return f"api-token:{org.slug}"


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise ServiceError("send a JSON body with Content-Type: application/json",
                           code="invalid_json", status=415)
    return json_object(request.get_data(cache=False) or b"null")


@bp.get("/issuer-openapi.json")
def openapi() -> Response:
    """This API's OpenAPI 3.1 description (public; the verifier's is ``/api/v1/openapi.json``)."""
    return packaged_openapi("issuer")


@bp.get("/issuers")
def list_issuers() -> Any:
    """Every issuer with its DID and public URL."""
    base = settings().base_url
    return jsonify(issuers=[{
        "slug": o.slug, "name": o.name, "did": organizations.issuer_did(base, o),
        "url": organizations.issuer_url(base, o),
        "parent": o.parent.slug if o.parent else None,
    } for o in organizations.list_all(session())])


@bp.post("/issuers/<slug>/awards")
def award(slug: str) -> Any:
    """Award an achievement: ``{achievement, email, name, format?, narrative?}`` → 201."""
    org = authorized_organization(slug)
    body = _body()
    unknown = set(body) - {"achievement", "email", "name", "format", "narrative"}
    if unknown:
        raise ServiceError(f"unknown fields: {', '.join(sorted(unknown))}",
                           code="unknown_field")
    achievement = validation.text(body.get("achievement"), field="achievement",
                                  max_length=200) or ""
    fmt = body.get("format", "di")
    if fmt not in ("di", "jwt"):
        raise ServiceError("format must be 'di' or 'jwt'", code="invalid_format")
    db = session()
    issued = issuance.award(
        db, issuer_context(), issuer=org, achievement=achievement,
        email=body.get("email"), name=body.get("name"),  # type: ignore[arg-type]
        fmt=fmt, narrative=body.get("narrative"),
        actor=f"api-token:{org.slug}", now=now())
    db.commit()
    base = settings().base_url
    document: Any = json.loads(issued.document) if issued.format == "di" else issued.document
    return jsonify(id=issued.id, credentialId=issued.credential_id, format=issued.format,
                   shareUrl=issuance.share_url(base, issued), credential=document), 201
