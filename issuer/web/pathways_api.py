"""The JSON API for pathways (``/api/v1/issuers/<slug>/pathways``, issue #20).

Same bearer tokens as the rest of the API (:mod:`issuer.web.api`). A
pathway definition (:mod:`issuer.services.pathways`) is the body, as JSON or
YAML (``Content-Type: application/yaml``); a refused one answers 422
``invalid_pathway`` with ``error.problems``, each ``{field, problem}``, and
nothing stored. ``PUT`` on a pathway replaces its definition (not its slug):
see :func:`issuer.workflow.pathways.update`. Cohort figures come as JSON
or, with ``.csv``, as CSV.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from issuer.services import pathways as definitions
from issuer.web.api import authorized_organization
from issuer.web.api import definition_body
from issuer.web.api import token_actor
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.workflow import pathways

bp = Blueprint("pathways_api", __name__)

@bp.get("/issuers/<slug>/pathways")
def list_pathways(slug: str) -> Any:
    """The issuer's pathways (``?archived=1`` includes archived ones)."""
    org = authorized_organization(slug)
    archived = request.args.get("archived") in ("1", "true")
    return jsonify(pathways=[definitions.document(p) for p in
                             definitions.list_for(session(), org, archived=archived)])


@bp.post("/issuers/<slug>/pathways")
def create(slug: str) -> Any:
    """Create a pathway from a definition → 201."""
    org = authorized_organization(slug)
    body = definition_body("the pathway")
    db = session()
    made = definitions.create(db, org, body, actor=token_actor(org), now=now())
    db.commit()
    return jsonify(pathway=definitions.document(made)), 201


@bp.get("/issuers/<slug>/pathways/<ref>")
def show(slug: str, ref: str) -> Any:
    """One pathway (by slug or id) with its cohort figures."""
    org = authorized_organization(slug)
    db = session()
    found = definitions.get(db, org, ref)
    return jsonify(pathway=definitions.document(found),
                   cohort={"completed": pathways.completed_count(db, found),
                           "steps": [{"step": f.number, "title": f.title,
                                      "teachersDone": f.teachers,
                                      "medianDaysSincePreviousStep": f.median_days}
                                     for f in pathways.cohort(db, found)]})


@bp.put("/issuers/<slug>/pathways/<ref>")
def update(slug: str, ref: str) -> Any:
    """Replace a pathway's definition (its slug stays); teachers re-evaluated at once.

    Answers the pathway and ``changes`` (each changed field, from and to) and
    ``completedNow`` (teachers the new definition finished: capstone issued,
    or final review opened). Refusals: 422 ``invalid_pathway`` (problems by
    field, as for create), 409 ``pathway_archived`` or ``capstone_locked``.
    """
    org = authorized_organization(slug)
    body = definition_body("the pathway")
    db = session()
    edit = pathways.update(db, issuer_context(), org, ref, body, actor=token_actor(org),
                           now=now())
    db.commit()
    return jsonify(pathway=definitions.document(edit.pathway), changes=edit.changes,
                   completedNow=[{"person": c.person.display_name, "status": c.status}
                                 for c in edit.completed])


@bp.get("/issuers/<slug>/pathways/<ref>/cohort.csv")
def cohort_csv(slug: str, ref: str) -> Response:
    """The cohort figures as CSV (one row per step, then the completions)."""
    org = authorized_organization(slug)
    db = session()
    return Response(pathways.cohort_csv(db, definitions.get(db, org, ref)), mimetype="text/csv")


@bp.post("/issuers/<slug>/pathways/<ref>/archive")
def archive(slug: str, ref: str) -> Any:
    """Archive: no new progress or capstones; capstones issued keep verifying."""
    org = authorized_organization(slug)
    db = session()
    found = definitions.archive(db, org, ref, actor=token_actor(org), now=now())
    db.commit()
    return jsonify(pathway=definitions.document(found))
