"""Certificates of stored credentials and districts' templates, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from badges import pdf
from badges.verify import verify_credential
from issuer.certificates import service
from issuer.certificates import store
from issuer.certificates.errors import CertificateError
from issuer.certificates.templates import builtin
from issuer.db import Database
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import organizations
from issuer.services.issuance import IssuerContext
from issuer.services.issuance import share_url
from issuer.storage.local import LocalStorage
from tests.issuer import seed
from tests.issuer.certificates.conftest import decode_qr
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.certificates.conftest import text_layer
from tests.issuer.conftest import NOW


@pytest.fixture
def district(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        seed.district(session, ctx)


def _award(database: Database, ctx: IssuerContext, fmt: str = "di",
           name: str = "María López") -> IssuedCredential:
    with database.session() as session:
        issued = issuance.award(session, ctx, issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria.lopez@lakeside.example.org", name=name,
                                actor="test", now=NOW, fmt=fmt)  # type: ignore[arg-type]
        return issued


@pytest.mark.usefixtures("district")
@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_the_certificate_of_a_stored_credential(database: Database, ctx: IssuerContext,
                                                tmp_path: Path, fmt: str) -> None:
    issued = _award(database, ctx, fmt)
    with database.session() as session:
        row = service.find_issued(session, issued.credential_id)
        assert service.find_issued(session, share_url(ctx.base_url, row)).id == row.id
        assert service.find_issued(session, row.share_token).id == row.id
        rendered = service.render_issued(row, base_url=ctx.base_url, storage=LocalStorage(tmp_path))
    assert decode_qr(rasterize(rendered.pdf)) == [share_url(ctx.base_url, issued)]
    (attached,) = pdf.read_pdf(rendered.pdf).attachments
    assert attached.data.decode("utf-8") == issued.document
    report = seed.verify(rendered.pdf, database, ctx, now=NOW + timedelta(minutes=1))
    assert report.verified, report.to_json()
    assert report.check("key_binding").code == "key_published"  # type: ignore[union-attr]
    text = " ".join(text_layer(rendered.pdf).split())
    assert "María López" in text and "Blended Learning Design" in text
    assert "ISTE Standards for Educators" in text and issued.credential_id in text


@pytest.mark.usefixtures("district")
def test_unknown_credentials_are_not_found(database: Database) -> None:
    with database.session() as session, pytest.raises(Exception) as missing:
        service.find_issued(session, "urn:uuid:00000000-0000-4000-8000-000000000000")
    assert getattr(missing.value, "code", None) == "unknown_credential"


def _district_files(**changes: bytes) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in builtin().iterdir()}
    files["template.json"] = json.dumps({
        "title": "Lakeside classic", "colour": "#6a1b9a", "logo": "logo.svg",
        "logo_alt": "Lakeside Unified School District seal",
        "signatory": {"name": "Dr. Angela Reyes", "title": "Superintendent"}}).encode()
    files["logo.svg"] = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
                         b'<rect width="100" height="40" rx="6" fill="#fff"/>'
                         b'<circle cx="20" cy="20" r="12" fill="#6a1b9a"/></svg>')
    files.update(changes)
    return files


@pytest.mark.usefixtures("district")
def test_a_district_template_is_checked_installed_and_used_by_its_schools(
        database: Database, ctx: IssuerContext, tmp_path: Path) -> None:
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        school = organizations.create(session, slug="lakeside-high", name="Lakeside High",
                                      parent=org)
        result = service.upload_template(session, org, storage=LocalStorage(tmp_path),
                                         base_url=ctx.base_url, name="default",
                                         files=_district_files(), actor="test", now=NOW)
        assert result.title == "Lakeside classic" and "logo.svg" in result.files
        assert store.list_names(LocalStorage(tmp_path), "lakeside") == ["default"]
        assert service.template_for(school, storage=LocalStorage(tmp_path)).parent == \
            tmp_path / "certificate-templates" / "lakeside" / "default"  # a version of it
        events = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "certificate_template.uploaded")).all()
        assert [e.subject_id for e in events] == ["default"]
    issued = _award(database, ctx)
    with database.session() as session:
        row = service.find_issued(session, issued.id)
        rendered = service.render_issued(row, base_url=ctx.base_url, storage=LocalStorage(tmp_path),
                                         paper="a4")
    text = " ".join(text_layer(rendered.pdf).split())
    assert "Superintendent" in text and "María López" in text
    assert decode_qr(rasterize(rendered.pdf)) == [share_url(ctx.base_url, issued)]


@pytest.mark.usefixtures("district")
def test_a_broken_upload_changes_nothing(database: Database, ctx: IssuerContext,
                                         tmp_path: Path) -> None:
    hides_the_id = _district_files()["certificate.html"].replace(
        b"Credential ID {{ cert.credential_id }}", b"Verified credential")
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        for files, needle in (
                (_district_files(**{"certificate.html": hides_the_id}), "credential id"),
                (_district_files(**{"certificate.css": b"body { background: url(http://x/y) }"}),
                 "http://x/y")):
            with pytest.raises(CertificateError) as refused:
                service.upload_template(session, org, storage=LocalStorage(tmp_path),
                                        base_url=ctx.base_url, name="classic", files=files,
                                        actor="test", now=NOW)
            assert needle in refused.value.message
        assert store.list_names(LocalStorage(tmp_path), "lakeside") == []
        folder = tmp_path / "certificate-templates" / "lakeside"
        assert not folder.exists() or [p.name for p in folder.iterdir()] == []
        with pytest.raises(CertificateError) as unknown:
            service.template_for(org, storage=LocalStorage(tmp_path), name="classic")
        assert unknown.value.code == "template_not_found"


def test_a_template_folder_can_be_previewed_without_a_database(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(builtin(), folder)
    checked = service.check_template(folder, None, base_url="https://badges.example.org")
    assert checked.pdf.startswith(b"%PDF-")
    text = " ".join(text_layer(checked.pdf).split())
    assert "Jordan Avery Sample" in text and service.SAMPLE_ID in text
    assert verify_credential(checked.pdf, now=NOW).verified is False  # a sample never verifies
