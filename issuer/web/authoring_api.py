"""The JSON API for achievement authoring (``/api/v1/issuers/<slug>/achievements``).

Same bearer tokens as the rest of the API (:mod:`issuer.web.api`). A
definition is the body, as JSON or as YAML (``Content-Type: application/yaml``),
with the field names the README documents; a refused one answers 422
``invalid_achievement`` with ``error.problems``, each ``{field, problem}``, and
nothing stored. The achievement is OB 3.0 §B.1.1; see
:mod:`issuer.services.authoring` for the life cycle and versions.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from issuer.services import achievements
from issuer.services import authoring
from issuer.services import frameworks
from issuer.services.errors import ServiceError
from issuer.web.api import authorized_organization
from issuer.web.api import definition_body
from issuer.web.api import json_object
from issuer.web.api import token_actor
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings

bp = Blueprint("authoring_api", __name__)

def _answer(achievement: Any, status: int = 200, **extra: Any) -> Any:
    doc = authoring.document(session(), achievement, base_url=settings().base_url)
    return jsonify(achievement=doc, **extra), status


@bp.get("/issuers/<slug>/achievements")
def list_achievements(slug: str) -> Any:
    """The issuer's achievements, every status."""
    org = authorized_organization(slug)
    db = session()
    return jsonify(achievements=[authoring.document(db, a, base_url=settings().base_url)
                                 for a in achievements.list_for(db, org)])


@bp.post("/issuers/<slug>/achievements")
def create(slug: str) -> Any:
    """Create a draft achievement from a definition → 201."""
    org = authorized_organization(slug)
    body = definition_body("the definition")
    db = session()
    made = authoring.create(db, org, body, actor=token_actor(org), now=now())
    db.commit()
    return _answer(made, 201)


@bp.get("/issuers/<slug>/achievements/<ref>")
def show(slug: str, ref: str) -> Any:
    """One achievement (by id or slug), with its versions."""
    org = authorized_organization(slug)
    return _answer(achievements.get(session(), org, ref))


@bp.put("/issuers/<slug>/achievements/<ref>")
def update(slug: str, ref: str) -> Any:
    """Replace the definition; ``newVersion`` says whether a version was added."""
    org = authorized_organization(slug)
    body = definition_body("the definition")
    db = session()
    found, new_version = authoring.update(db, org, ref, body, actor=token_actor(org),
                                          now=now())
    db.commit()
    return _answer(found, newVersion=new_version)


@bp.post("/issuers/<slug>/achievements/<ref>/publish")
def publish(slug: str, ref: str) -> Any:
    """Publish a draft (or an archived achievement again)."""
    org = authorized_organization(slug)
    db = session()
    found = authoring.publish(db, org, ref, actor=token_actor(org), now=now())
    db.commit()
    return _answer(found)


@bp.post("/issuers/<slug>/achievements/<ref>/archive")
def archive(slug: str, ref: str) -> Any:
    """Archive: hidden from the catalogue, no new awards; credentials keep verifying."""
    org = authorized_organization(slug)
    db = session()
    found = authoring.archive(db, org, ref, actor=token_actor(org), now=now())
    db.commit()
    return _answer(found)


@bp.get("/issuers/<slug>/frameworks")
def list_frameworks(slug: str) -> Any:
    """Frameworks to align with (ISTE bundled, CASE packages imported), items as alignments."""
    org = authorized_organization(slug)
    return jsonify(frameworks=[f.to_json() for f in frameworks.available(session(), org)])


@bp.post("/issuers/<slug>/frameworks")
def import_framework(slug: str) -> Any:
    """Import a CASE 1.0 CFPackage: the package as the body, or ``{"url": ...}`` → 201."""
    org = authorized_organization(slug)
    if not request.is_json:
        raise ServiceError("send the CFPackage JSON, or {\"url\": ...}, as application/json",
                           code="invalid_json", status=415)
    data = request.get_data(cache=False)
    body = json_object(data or b"null")
    source = None
    if set(body) == {"url"}:
        s = settings()
        data, source = frameworks.fetch_package(
            body["url"], allow_hosts=s.fetch_allow_hosts, development=s.development,
            own_url=s.base_url)
    db = session()
    row = frameworks.import_package(db, org, data, source=source, actor=token_actor(org),
                                    now=now())
    db.commit()
    found = next(f for f in frameworks.available(db, org) if f.identifier == row.identifier)
    return jsonify(framework=found.to_json()), 201
