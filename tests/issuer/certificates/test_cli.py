"""``badges certificate`` and ``badges certificates ...``, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from badges import pdf
from issuer.certificates.templates import builtin
from issuer.cli import main
from issuer.db import Database
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from issuer.services.issuance import share_url
from tests.issuer import seed
from tests.issuer.certificates.conftest import decode_qr
from tests.issuer.certificates.conftest import page_count_and_size
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.certificates.conftest import text_layer
from tests.issuer.conftest import KEK
from tests.issuer.conftest import NOW

BASE = "https://badges.test"


@pytest.fixture
def runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("BADGES_BASE_URL", BASE)
    monkeypatch.setenv("BADGES_KEY_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
    monkeypatch.setenv("BADGES_SECRET_KEY", "test-secret")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    return CliRunner()


def _issued(db_url: str, count: int = 1) -> list[tuple[str, str, str]]:
    ctx = IssuerContext(base_url=BASE, kek=KEK)
    database = Database(db_url)
    try:
        with database.session() as session:
            seed.district(session, ctx)
        found = []
        for n in range(count):
            with database.session() as session:
                issued = issuance.award(session, ctx, issuer="lakeside",
                                        achievement="blended-learning-design",
                                        email=f"t{n}@lakeside.example.org",
                                        name=f"Teacher Number {n}", actor="test", now=NOW)
                found.append((issued.credential_id, share_url(BASE, issued), issued.document))
        return found
    finally:
        database.dispose()


def test_badges_certificate_writes_a_pdf_that_carries_the_credential(
        runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    ((credential_id, url, document),) = _issued(db_url)
    out = tmp_path / "cert.pdf"
    result = runner.invoke(main, ["certificate", credential_id, "--out", str(out),
                                  "--paper", "a4"])
    assert result.exit_code == 0, result.output
    assert page_count_and_size(out.read_bytes()) == (1, "841.89 x 595.276 pts (A4)")
    assert pdf.read_pdf(out.read_bytes()).attachments[0].data.decode() == document
    assert decode_qr(rasterize(out.read_bytes())) == [url]
    by_url = runner.invoke(main, ["certificate", url, "--out", str(out), "--template",
                                  str(builtin())])
    assert by_url.exit_code == 0, by_url.output
    missing = runner.invoke(main, ["certificate", "urn:uuid:nope", "--out", str(out)])
    assert missing.exit_code == 2 and "unknown_credential" in missing.output


def test_template_upload_preview_list_and_a_batch(runner: CliRunner, db_url: str,
                                                   tmp_path: Path) -> None:
    issued = _issued(db_url, count=3)
    folder = tmp_path / "district-template"
    shutil.copytree(builtin(), folder)
    (folder / "template.json").write_text(json.dumps({"title": "Lakeside gold",
                                                      "colour": "#8a6d1f"}))
    preview = tmp_path / "preview.pdf"
    shown = runner.invoke(main, ["certificates", "template", "preview", str(folder),
                                 "--out", str(preview)])
    assert shown.exit_code == 0, shown.output
    assert "Jordan Avery Sample" in text_layer(preview.read_bytes())
    uploaded = runner.invoke(main, ["certificates", "template", "upload", "--issuer",
                                    "lakeside", str(folder)])
    assert uploaded.exit_code == 0, uploaded.output
    assert "'default' (Lakeside gold) installed" in uploaded.output
    listed = runner.invoke(main, ["certificates", "template", "list", "--issuer", "lakeside"])
    assert listed.output.splitlines() == ["default  (uploaded)", "default  (built-in)"]
    (folder / "certificate.css").write_text("body { background: url(file:///etc/passwd) }")
    refused = runner.invoke(main, ["certificates", "template", "upload", "--issuer",
                                   "lakeside", "--name", "broken", str(folder)])
    assert refused.exit_code == 2 and "file:///etc/passwd" in refused.output
    out_dir = tmp_path / "batch"
    batch = runner.invoke(main, ["certificates", "render", "--issuer", "lakeside",
                                 "--out-dir", str(out_dir), "--workers", "1"])
    assert batch.exit_code == 0, batch.output
    assert "3 certificates written" in batch.output
    for credential_id, _, document in issued:
        rendered = (out_dir / f"{credential_id.rsplit(':', 1)[-1]}.pdf").read_bytes()
        assert pdf.read_pdf(rendered).attachments[0].data.decode() == document
    assert decode_qr(rasterize(rendered)) == [issued[-1][1]]
