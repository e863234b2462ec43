"""Batch awards over HTTP: the JSON API for systems that push awards, and the progress page.

API (bearer token, as the rest of ``/api/v1``):

* ``POST /api/v1/issuers/<slug>/batches``: rows as JSON (``{"rows": [...]}``),
  or a CSV/XLSX file (``multipart/form-data`` field ``file``, or a
  ``text/csv`` body); options ``achievement``, ``format``, ``runKey``,
  ``notify``, ``preview``. With ``preview`` every row is checked and nothing
  is stored (200); otherwise the run is queued (202, ``Location`` header);
* ``GET /api/v1/batches/<id>``: the run's state and counts;
* ``GET /api/v1/batches/<id>/rows?state=failed&offset=0&limit=500``: row outcomes;
* ``POST /api/v1/batches/<id>/resume`` and ``/cancel``;
* ``POST /api/v1/batches/<id>/certificates`` (``paper``, ``template``,
  ``force`` as query parameters or JSON): render every certificate of a
  completed run in a job (202, ``Location`` of the status); asking again
  returns the same rendering unless ``force=1``;
* ``GET /api/v1/batches/<id>/certificates``: its state and counts, failed
  certificates and skipped (revoked or suspended) credentials;
* ``GET /api/v1/batches/<id>/certificates.zip``: the PDFs, once done (409 before).

Page: ``/batches/<id>``, the run's progress for the admins of its issuer (or
its district), signed in; anyone else is sent to sign in, or gets 404 once
signed in (an id alone, even an unguessable UUID copied from a terminal or a
chat, shows nothing). There they can start its certificates
(``POST /batches/<id>/certificates``) and download the ZIP
(``/batches/<id>/certificates.zip``). Systems that push awards follow a run
through the JSON API with their token instead.
"""

from __future__ import annotations

import hmac
import threading
from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie
from flask import url_for

from issuer.batch import intake
from issuer.batch import service
from issuer.jobs import JobQueue
from issuer.models import Organization
from issuer.models import Role
from issuer.models_batch import BatchRun
from issuer.models_batch import RowState
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found
from issuer.storage import MissingObject
from issuer.storage import storage_for
from issuer.storage import stream_once
from issuer.web.api import authorized_organization
from issuer.web.api import json_object
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings

if TYPE_CHECKING:
    from issuer.certificates.runfiles import Manifest

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
        body = json_object(request.get_data(cache=False) or b"null")
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


def _run_options(options: dict[str, Any]) -> tuple[str, int]:
    """``format`` and ``chunkSize``, checked (also for a preview, which would run with them)."""
    fmt = options.get("format") or "di"
    if fmt not in ("di", "jwt"):
        raise ServiceError("format must be 'di' or 'jwt'", code="invalid_format")
    raw = options.get("chunkSize")
    if raw is None or raw == "":
        return fmt, service.DEFAULT_CHUNK_SIZE
    if isinstance(raw, bool) or not (isinstance(raw, int) or (
            isinstance(raw, str) and raw.strip().isdigit())):
        raise ServiceError("chunkSize must be a whole number", code="invalid_chunk_size")
    chunk_size = int(raw)
    if not 10 <= chunk_size <= 5000:
        raise ServiceError("chunkSize must be between 10 and 5000", code="invalid_chunk_size")
    return fmt, chunk_size


@bp.post("/api/v1/issuers/<slug>/batches")
def create(slug: str) -> Any:
    """Check rows (``preview``), or store and queue a batch run (202)."""
    org = authorized_organization(slug)
    source, options, filename = _submission()
    achievement = options.get("achievement") or None
    run_key = options.get("runKey") or None
    fmt, chunk_size = _run_options(options)  # the request's own options before its rows
    db = session()
    checked = service.preview(db, org, source, now=now(), achievement=achievement,
                              run_key=run_key)
    if _flag(options.get("preview")):
        return jsonify(preview=checked.to_json())
    queue = job_queue()
    batch = service.create(
        db, org, source, actor=f"api-token:{org.slug}", now=now(), backend=queue.backend,
        fmt=fmt, achievement=achievement, run_key=run_key,
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


def _certificate_links(batch_id: str) -> dict[str, str]:
    base = f"{settings().base_url}/api/v1/batches/{batch_id}"
    return {"self": f"{base}/certificates", "zip": f"{base}/certificates.zip",
            "batch": base}


def _certificate_options() -> dict[str, Any]:
    """``paper``, ``template`` and ``force`` from the query string and a JSON body."""
    options: dict[str, Any] = request.args.to_dict()
    data = request.get_data() if request.is_json else b""
    if data:
        options.update(json_object(data))
    unknown = set(options) - {"paper", "template", "force"}
    if unknown:
        raise ServiceError(f"unknown fields: {', '.join(sorted(unknown))}",
                           code="unknown_field")
    for name in ("paper", "template"):
        if options.get(name) is not None and not isinstance(options[name], str):
            raise ServiceError(f"{name} must be a string", code="invalid_field")
    return options


def _start_certificates(batch: BatchRun, *, paper: str | None, template: str | None,
                        force: bool) -> tuple[Manifest, bool]:
    from issuer.certificates import runs
    from issuer.jobs.config import load_job_settings

    return runs.start(session(), job_queue(), batch, storage=storage_for(settings()),
                      now=now(), paper=paper or None, template=template or None, force=force,
                      stall_seconds=load_job_settings().stall_seconds)


@bp.post("/api/v1/batches/<batch_id>/certificates")
def start_certificates(batch_id: str) -> Any:
    """Render the run's certificates in a job (202); the same rendering when asked again."""
    batch = _owned(batch_id)
    options = _certificate_options()
    manifest, queued = _start_certificates(batch, paper=options.get("paper"),
                                           template=options.get("template"),
                                           force=_flag(options.get("force")))
    links = _certificate_links(batch.id)
    response = jsonify(certificates=manifest.summary(), links=links)
    response.status_code = 200 if manifest.state == "done" and not queued else 202
    response.headers["Location"] = links["self"]
    return response


@bp.get("/api/v1/batches/<batch_id>/certificates")
def certificates_state(batch_id: str) -> Any:
    """The rendering's state, counts, failed certificates and skipped credentials."""
    from issuer.certificates import runs

    batch = _owned(batch_id)
    manifest = runs.status(storage_for(settings()), batch.id)
    return jsonify(certificates=manifest.summary(), links=_certificate_links(batch.id))


def _zip(batch: BatchRun) -> Response:
    from issuer.certificates import runs

    files = storage_for(settings())
    key = runs.zip_key(files, batch.id)
    try:
        size = files.size(key)
        chunks = stream_once(files, key)
    except MissingObject:  # replaced by a forced start since the manifest was read
        raise ServiceError("the certificates are being made again; try later",
                           code="certificates_not_ready", status=409) from None
    response = Response(chunks, mimetype="application/zip")
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="certificates-{batch.id}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/api/v1/batches/<batch_id>/certificates.zip")
def certificates_zip(batch_id: str) -> Response:
    """Every certificate of the run as PDFs in one ZIP (409 until they are done)."""
    return _zip(_owned(batch_id))


def _manager(batch: BatchRun) -> bool:
    """Whether the signed-in person is an admin of the run's issuer (or its district)."""
    from issuer.web.auth import current_viewer

    viewer = current_viewer()
    return viewer is not None and batch.organization_id in viewer.scope(Role.ADMIN)


def _managed(batch_id: str) -> BatchRun:
    """The run, for a signed-in admin of its issuer; anyone else gets 404."""
    batch = service.get(session(), batch_id)
    if not _manager(batch):
        raise not_found(f"batch {batch_id!r}", "unknown_batch")
    return batch


@bp.post("/batches/<batch_id>/certificates")
def page_certificates(batch_id: str) -> Any:
    """The progress page's button: start the run's certificates, then back to the page."""
    batch = _managed(batch_id)
    expected = cookie.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(
            request.form.get("csrf_token", ""), expected):
        raise ServiceError("the form expired; reload the page and try again",
                           code="csrf_failed", status=400)
    try:
        _start_certificates(batch, paper=request.form.get("paper"), template=None,
                            force=_flag(request.form.get("force")))
    except ServiceError as exc:
        flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
    return redirect(url_for("batches.page", batch_id=batch.id), code=303)


@bp.get("/batches/<batch_id>/certificates.zip")
def page_certificates_zip(batch_id: str) -> Response:
    """The ZIP, for a signed-in admin of the run's issuer."""
    return _zip(_managed(batch_id))


@bp.get("/batches/<batch_id>")
def page(batch_id: str) -> Any:
    """The run's progress page; it reloads itself until the run ends (``?refresh=0`` stops).

    For a signed-in admin of the run's issuer or its district (others: sign
    in first, then 404, as for a run that does not exist).
    """
    from issuer.web.auth import current_viewer

    if current_viewer() is None:
        response = redirect(url_for("auth.sign_in", next=request.path), code=302)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    batch = _managed(batch_id)
    progress = service.progress(session(), batch, now=now())
    failed = service.report_rows(session(), batch, states=[RowState.FAILED], limit=500)
    org = session().get(Organization, batch.organization_id)
    manager = progress.status == "completed"
    certificates = None
    if manager:
        from issuer.certificates import runfiles

        found = runfiles.read(runfiles.folder(storage_for(settings()), batch.id))
        certificates = found.summary() if found is not None else None
    working = certificates is not None and certificates["state"] in ("queued", "running")
    refresh = (not progress.finished or working) and request.args.get("refresh") != "0"
    response = Response(render_template(
        "batches/progress.html", batch=batch, progress=progress, failed=failed, org=org,
        refresh=refresh, manager=manager, certificates=certificates))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = \
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
        "form-action 'self'"
    return response
