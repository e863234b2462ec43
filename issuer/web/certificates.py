"""Certificate downloads and districts' certificate templates.

* ``GET /c/<token>.pdf?paper=a4|letter``: the PDF certificate of a shared
  credential (behind the same unguessable link as the credential itself);
* ``GET /api/v1/issuers/<slug>/certificate-templates``: the issuer's templates;
* ``PUT /api/v1/issuers/<slug>/certificate-templates/<name>``: upload a template
  (multipart ``files``: the HTML, CSS, ``template.json``, images, fonts); it is
  checked by rendering sample certificates before it is put in place;
* ``GET /api/v1/issuers/<slug>/certificate-templates/<name>/preview.pdf``: the
  template with sample data (``name`` may also be a built-in template);
* ``DELETE /api/v1/issuers/<slug>/certificate-templates/<name>``.

The API routes use the JSON API's bearer tokens (:mod:`issuer.web.api`).
Rendering is imported on first use, so the app starts without WeasyPrint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from issuer.services.errors import ServiceError
from issuer.storage import storage_for
from issuer.web import endorsed as endorsed_pages
from issuer.web.api import authorized_organization
from issuer.web.common import content_disposition
from issuer.web.common import download_stem
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.public import private

bp = Blueprint("certificates", __name__)

#: Largest template upload accepted (all files together).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def _paper() -> str:
    from issuer.certificates.render import DEFAULT_PAPER
    from issuer.certificates.render import paper

    return paper(request.args.get("paper", DEFAULT_PAPER)).name


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition("inline", filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return private(response)


@bp.get("/c/<token>.pdf")
def certificate(token: str) -> Response:
    """The PDF certificate of a shared credential (PDF/A-3b, credential attached)."""
    from issuer.certificates import service
    from issuer.web.public import _shared

    issued = _shared(token)
    s = settings()
    rendered = service.render_issued(issued, base_url=s.base_url,
                                     storage=storage_for(s), paper=_paper(),
                                     endorsed_by=endorsed_pages.verified_endorsers(issued))
    stem = download_stem(issued.achievement.name, issued.recipient_name)
    return _pdf(rendered.pdf, f"{stem} - certificate.pdf")


@bp.get("/api/v1/issuers/<slug>/certificate-templates")
def list_templates(slug: str) -> Any:
    """The issuer's own templates, and the built-in ones."""
    from issuer.certificates import store
    from issuer.certificates import templates

    org = authorized_organization(slug)
    builtin = sorted(p.name for p in templates.BUILTIN_ROOT.iterdir() if p.is_dir())
    return jsonify(templates=store.list_names(storage_for(settings()), org.slug),
                   builtin=builtin)


@bp.put("/api/v1/issuers/<slug>/certificate-templates/<name>")
def upload_template(slug: str, name: str) -> Any:
    """Upload a template: multipart ``files`` (flat file names) → 201, or 422 saying why."""
    from issuer.certificates import service

    org = authorized_organization(slug)
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        raise ServiceError(f"a template upload is at most {MAX_UPLOAD_BYTES:,} bytes",
                           code="upload_too_large", status=413)
    uploads = request.files.getlist("files")
    if not uploads:
        raise ServiceError("send the template's files as multipart/form-data fields named "
                           "'files'", code="missing_files", status=400)
    files: dict[str, bytes] = {}
    for upload in uploads:
        filename = upload.filename or ""
        if filename in files:
            raise ServiceError(f"{filename} was sent twice", code="duplicate_file")
        files[filename] = upload.read(MAX_UPLOAD_BYTES + 1)
    s = settings()
    db = session()
    result = service.upload_template(db, org, storage=storage_for(s),
                                     base_url=s.base_url, name=name, files=files,
                                     actor=f"api-token:{org.slug}", now=now())
    db.commit()
    return jsonify(name=result.name, title=result.title, files=list(result.files),
                   warnings=list(result.warnings),
                   preview=f"/api/v1/issuers/{org.slug}/certificate-templates/"
                           f"{result.name}/preview.pdf"), 201


@bp.get("/api/v1/issuers/<slug>/certificate-templates/<name>/preview.pdf")
def preview_template(slug: str, name: str) -> Response:
    """The template rendered with sample data (the attachment is an unsigned sample)."""
    from issuer.certificates import service

    org = authorized_organization(slug)
    s = settings()
    folder = service.template_for(org, storage=storage_for(s), name=name)
    rendered = service.preview(org, base_url=s.base_url, folder=folder, paper=_paper())
    response = _pdf(rendered.pdf, f"{name}-preview.pdf")
    if rendered.warnings:
        response.headers["X-Template-Warnings"] = str(len(rendered.warnings))
    return response


@bp.delete("/api/v1/issuers/<slug>/certificate-templates/<name>")
def delete_template(slug: str, name: str) -> Any:
    """Remove an issuer's template (its certificates fall back to the built-in one)."""
    from issuer.certificates import store
    from issuer.services import audit

    org = authorized_organization(slug)
    if not store.delete(storage_for(settings()), org.slug, name):
        raise ServiceError(f"{org.slug} has no certificate template {name!r}",
                           code="template_not_found", status=404)
    db = session()
    audit.record(db, actor=f"api-token:{org.slug}", action="certificate_template.deleted",
                 organization_id=org.id, subject_type="certificate_template",
                 subject_id=name, at=now())
    db.commit()
    return Response(status=204)
