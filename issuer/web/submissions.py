"""A teacher's evidence: start, add files, links and reflections, save, submit, resubmit.

* ``GET /submissions``: the teacher's submissions;
* ``POST /submissions``: start one for an achievement (or reopen the open one);
* ``GET /submissions/<id>``: the evidence, the rubric, feedback and history;
* ``POST /submissions/<id>/reflections``: save the per-criterion reflections
  (``action=save``) or save and submit (``action=submit``);
* ``POST /submissions/<id>/items``: add a file, link or note (each saved at once);
* ``POST /submissions/<id>/items/<item>/remove``: remove an item;
* ``GET /submissions/<id>/items/<item>/file``: download a file, for the teacher
  and the reviewers and admins of their school or district (attachment, no-store).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from issuer.models_workflow import EvidenceKind
from issuer.models_workflow import Submission
from issuer.services import authoring
from issuer.services.errors import ServiceError
from issuer.storage import storage_for
from issuer.web.auth import deliver_mail
from issuer.web.auth import protect
from issuer.web.auth import viewer
from issuer.web.auth import workflow_settings
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.language import page_language
from issuer.web.language import translator
from issuer.workflow import evidence
from issuer.workflow import submissions
from issuer.workflow.access import NotVisible

bp = Blueprint("submissions", __name__)
protect(bp)


def store() -> evidence.EvidenceStore:
    """The private evidence store of this app."""
    return evidence.EvidenceStore(storage_for(settings()))


def _page(sub: Submission, *, error: str | None = None, status: int = 200) -> Any:
    editable = sub.status in submissions.EDITABLE
    # A submitted round is judged on the version it was submitted against; a draft
    # is written against the current text (submitting records that version).
    definition = sub.achievement if editable else authoring.as_of(
        session(), sub.achievement, sub.achievement_version)
    criteria = submissions.criteria(definition)
    items = submissions.current_items(sub)
    reflections = {i.criterion_id: i.body for i in items if i.criterion_id}
    other = [i for i in items if not i.criterion_id]
    limit = workflow_settings().evidence_max_bytes
    return render_template(
        "workflow/submission.html", sub=sub, achievement=definition, criteria=criteria,
        version=authoring.version_number(definition),
        reflection_criteria=submissions.reflection_criteria(definition),
        reflections={**reflections, **{k[len("reflection-"):]: v for k, v in request.form.items()
                                       if k.startswith("reflection-")}},
        items=other, editable=editable, error=error,
        form=request.form if request.method == "POST" else {},
        labels=submissions.STATUS_LABELS, max_size=evidence.describe_size(limit),
        accepted=evidence.ACCEPTED, accept_attr=",".join(evidence.MEDIA_TYPES)), status


@bp.get("/submissions")
def index() -> Any:
    """The teacher's submissions."""
    found = viewer()
    return render_template("workflow/submissions.html",
                           subs=submissions.mine(session(), found),
                           labels=submissions.STATUS_LABELS)


@bp.post("/submissions")
def start() -> Any:
    """Start a submission for the chosen achievement."""
    found = viewer()
    db = session()
    org = request.form.get("organization_id", type=int)
    try:
        sub = submissions.start(db, found, achievement_id=request.form.get("achievement_id", ""),
                                organization_id=org, now=now())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("catalogue.detail",
                                achievement_id=request.form.get("achievement_id", "")),
                        code=303)
    db.commit()
    return redirect(url_for("submissions.show", submission_id=sub.id), code=303)


@bp.get("/submissions/<submission_id>")
def show(submission_id: str) -> Any:
    """The submission page: evidence forms while editable, feedback and history always."""
    return _page(submissions.own(session(), viewer(), submission_id))


@bp.post("/submissions/<submission_id>/reflections")
def reflections(submission_id: str) -> Any:
    """Save the reflections; with ``action=submit`` also send the evidence for review."""
    found = viewer()
    db = session()
    sub = submissions.own(db, found, submission_id)
    texts = {key[len("reflection-"):]: value for key, value in request.form.items()
             if key.startswith("reflection-")}
    try:
        if texts:
            submissions.save_reflections(db, sub, texts, now=now())
            db.commit()
        if request.form.get("action") == "submit":
            submissions.submit(db, found, sub, base_url=settings().base_url, now=now(),
                               lang=page_language())
            db.commit()
            deliver_mail()
            flash(translator()("sub_sent_msg"), "success")
        else:
            flash(translator()("sub_draft_saved_msg"), "success")
    except ServiceError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _page(submissions.own(db, found, submission_id), error=exc.message,
                     status=exc.status)
    return redirect(url_for("submissions.show", submission_id=sub.id), code=303)


def _flag(name: str) -> bool:
    return request.form.get(name) in ("on", "1", "true", "yes")


@bp.post("/submissions/<submission_id>/items")
def add_item(submission_id: str) -> Any:
    """Add one piece of evidence (saved at once, whatever happens next)."""
    found = viewer()
    db = session()
    sub = submissions.own(db, found, submission_id)
    kind = request.form.get("kind", "")
    student, share = _flag("contains_student_data"), _flag("share")
    try:
        if kind == EvidenceKind.LINK.value:
            submissions.add_link(db, sub, title=request.form.get("title", ""),
                                 url=request.form.get("url", ""), note=request.form.get("note"),
                                 contains_student_data=student, share=share, now=now())
        elif kind == EvidenceKind.REFLECTION.value:
            submissions.add_note(db, sub, title=request.form.get("title", ""),
                                 text=request.form.get("text", ""),
                                 contains_student_data=student, share=share, now=now())
        elif kind == EvidenceKind.FILE.value:
            upload = request.files.get("file")
            limit = workflow_settings().evidence_max_bytes
            data = evidence.read_limited(upload.stream, limit) if upload else b""
            submissions.add_file(db, store(), sub, title=request.form.get("title"),
                                 filename=upload.filename if upload else None, data=data,
                                 max_bytes=limit, contains_student_data=student, share=share,
                                 now=now())
        else:
            raise ServiceError("choose what kind of evidence to add", code="invalid_kind")
    except ServiceError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _page(submissions.own(db, found, submission_id), error=exc.message,
                     status=exc.status)
    db.commit()
    flash(translator()("sub_evidence_saved_msg"), "success")
    return redirect(url_for("submissions.show", submission_id=sub.id, _anchor="evidence"),
                    code=303)


@bp.post("/submissions/<submission_id>/items/<int:item_id>/remove")
def remove_item(submission_id: str, item_id: int) -> Any:
    """Remove an item from the evidence."""
    found = viewer()
    db = session()
    sub = submissions.own(db, found, submission_id)
    submissions.withdraw_item(db, sub, item_id, now=now())
    db.commit()
    flash(translator()("sub_evidence_removed_msg"), "success")
    return redirect(url_for("submissions.show", submission_id=sub.id, _anchor="evidence"),
                    code=303)


@bp.get("/submissions/<submission_id>/items/<int:item_id>/file")
def download(submission_id: str, item_id: int) -> Response:
    """An evidence file, as an attachment, to the people who may see it."""
    found = viewer()
    sub = submissions.visible(session(), found, submission_id)
    item = next((i for i in sub.items if i.id == item_id and i.kind == EvidenceKind.FILE), None)
    if item is None or item.file_sha256 is None or item.file is None:
        raise NotVisible("file")
    chunks = store().open(item.file_sha256)
    name = item.filename or "evidence"
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                         for c in name)
    response = Response(chunks, mimetype=item.file.media_type)
    response.headers["Content-Length"] = str(item.file.size)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
