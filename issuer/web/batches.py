"""Batch awards over HTTP: the JSON API for systems that push awards, and the progress page.

API (bearer token, as the rest of ``/api/v1``):

* ``POST /api/v1/issuers/<slug>/batches``: rows as JSON (``{"rows": [...]}``),
  or a CSV/XLSX file (``multipart/form-data`` field ``file``, or a
  ``text/csv`` body); options ``achievement``, ``format``, ``runKey``,
  ``notify``, ``preview``. With ``preview`` every row is checked and nothing
  is stored (200); otherwise the run is queued (202, ``Location`` header);
* ``GET /api/v1/batches/<id>``: the run's state and counts;
* ``GET /api/v1/batches/<id>/rows?state=failed&offset=0&limit=500``: row outcomes;
* ``POST /api/v1/batches/<id>/resume`` and ``/cancel``.

Page: ``/batches/<id>``, the run's progress for people (the id is an
unguessable UUID, and the page shows counts and failure reasons, not recipients).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for

from issuer.batch import intake
from issuer.batch import service
from issuer.jobs import JobQueue
from issuer.models import Organization
from issuer.models_batch import RowState
from issuer.services.errors import ServiceError
from issuer.web.api import authorized_organization
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings

bp = Blueprint("batches", __name__)

_QUEUE_LOCK = threading.Lock()
_MAX_LIMIT = 5000
_TRUE = ("1", "true", "yes", "on")


def job_queue() -> JobQueue:
    """The app's job queue (``app.extensions["badges"]["jobs"]``), made on first use."""
    from issuer.jobs.config import make_queue

    extensions = current_app.extensions["badges"]
    with _QUEUE_LOCK:
        queue: JobQueue | None = extensions.get("jobs")
        if queue is None:
            queue = extensions["jobs"] = make_queue(settings())
    return queue


def _flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in _TRUE)


def _submission() -> tuple[intake.Intake, dict[str, Any], str | None]:
    """The rows and options of a create request, whichever way they were sent."""
    if request.is_json:
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            raise ServiceError("the body is not valid JSON", code="invalid_json") from None
        if not isinstance(body, dict):
            raise ServiceError("the body must be a JSON object", code="invalid_json")
        unknown = set(body) - {"rows", "achievement", "format", "runKey", "notify", "preview",
                               "chunkSize"}
        if unknown:
            raise ServiceError(f"unknown fields: {', '.join(sorted(unknown))}",
                               code="unknown_field")
        return intake.from_json(body.get("rows")), body, None
    options: dict[str, Any] = {**request.args.to_dict(), **request.form.to_dict()}
    upload = request.files.get("file")
    if upload is not None:
        return intake.read_file(upload.read(), upload.filename), options, upload.filename
    if request.mimetype in ("text/csv", "application/csv"):
        return intake.read_csv(request.get_data(cache=False)), options, None
    raise ServiceError("send JSON rows, a text/csv body, or a file field 'file'",
                       code="invalid_body", status=415)


def _links(batch_id: str) -> dict[str, str]:
    base = settings().base_url
    return {"self": f"{base}/api/v1/batches/{batch_id}",
            "rows": f"{base}/api/v1/batches/{batch_id}/rows",
            "page": f"{base}{url_for('batches.page', batch_id=batch_id)}"}


@bp.post("/api/v1/issuers/<slug>/batches")
def create(slug: str) -> Any:
    """Check rows (``preview``), or store and queue a batch run (202)."""
    org = authorized_organization(slug)
    source, options, filename = _submission()
    achievement = options.get("achievement") or None
    run_key = options.get("runKey") or None
    db = session()
    checked = service.preview(db, org, source, now=now(), achievement=achievement,
                              run_key=run_key)
    if _flag(options.get("preview")):
        return jsonify(preview=checked.to_json())
    try:
        chunk_size = int(options.get("chunkSize") or service.DEFAULT_CHUNK_SIZE)
    except (TypeError, ValueError):
        raise ServiceError("chunkSize must be a whole number",
                           code="invalid_chunk_size") from None
    queue = job_queue()
    batch = service.create(
        db, org, source, actor=f"api-token:{org.slug}", now=now(), backend=queue.backend,
        fmt=str(options.get("format") or "di"), achievement=achievement, run_key=run_key,
        filename=filename, notify=_flag(options.get("notify")), chunk_size=chunk_size,
        checked=checked.checked)
    db.commit()
    service.start(db, queue, batch)
    state = service.progress(db, batch, now=now())
    response = jsonify(batch=state.to_json(), preview=checked.to_json(),
                       links=_links(batch.id))
    response.status_code = 202
    response.headers["Location"] = _links(batch.id)["self"]
    return response


def _owned(batch_id: str) -> Any:
    org = authorized_organization(None)
    return service.get(session(), batch_id, org)


@bp.get("/api/v1/batches/<batch_id>")
def state(batch_id: str) -> Any:
    """The run's state, counts and links."""
    batch = _owned(batch_id)
    progress = service.progress(session(), batch, now=now())
    return jsonify(batch=progress.to_json(), links=_links(batch.id))


@bp.get("/api/v1/batches/<batch_id>/rows")
def rows(batch_id: str) -> Any:
    """Row outcomes by line: ``state`` (comma-separated), ``offset``, ``limit`` (≤ 5000)."""
    batch = _owned(batch_id)
    states = []
    for name in filter(None, request.args.get("state", "").split(",")):
        try:
            states.append(RowState(name.strip()))
        except ValueError:
            raise ServiceError(f"unknown state {name!r}", code="invalid_state") from None
    try:
        offset = max(0, int(request.args.get("offset", 0)))
        limit = min(_MAX_LIMIT, max(1, int(request.args.get("limit", 500))))
    except ValueError:
        raise ServiceError("offset and limit must be whole numbers",
                           code="invalid_paging") from None
    found = service.report_rows(session(), batch, states=states, offset=offset, limit=limit)
    base = settings().base_url
    return jsonify(rows=[r.to_json(base) for r in found], offset=offset, limit=limit)


@bp.post("/api/v1/batches/<batch_id>/resume")
def resume(batch_id: str) -> Any:
    """Queue what is still pending (202); nothing already issued is issued again."""
    batch = _owned(batch_id)
    db = session()
    if service.mark_resumed(db, batch, actor="api", now=now()):
        db.commit()
        service.start(db, job_queue(), batch)
    progress = service.progress(db, batch, now=now())
    return jsonify(batch=progress.to_json(), links=_links(batch.id)), 202


@bp.post("/api/v1/batches/<batch_id>/cancel")
def cancel(batch_id: str) -> Any:
    """Stop the run; pending rows stay pending (resume continues it)."""
    batch = _owned(batch_id)
    db = session()
    service.cancel(db, batch, actor="api", now=now())
    db.commit()
    return jsonify(batch=service.progress(db, batch, now=now()).to_json())


@bp.get("/batches/<batch_id>")
def page(batch_id: str) -> Response:
    """The run's progress page; it reloads itself until the run ends (``?refresh=0`` stops)."""
    batch = service.get(session(), batch_id)
    progress = service.progress(session(), batch, now=now())
    failed = service.report_rows(session(), batch, states=[RowState.FAILED], limit=500)
    org = session().get(Organization, batch.organization_id)
    refresh = not progress.finished and request.args.get("refresh") != "0"
    response = Response(render_template(
        "batches/progress.html", batch=batch, progress=progress, failed=failed, org=org,
        refresh=refresh))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = \
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
    return response
