"""Batch rendering on a process pool: order kept, one bad item does not stop the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

from badges import pdf
from issuer.certificates.batch import BatchItem
from issuer.certificates.batch import render_batch
from issuer.certificates.templates import builtin
from tests.issuer.certificates.conftest import Signed
from tests.issuer.certificates.conftest import certificate


def test_two_workers_render_every_certificate_in_order(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(builtin(), broken)
    (broken / "certificate.css").write_text("body { background: url(https://cdn.example/b.png) }")
    signed = [Signed("di", number=40 + n, name=f"Teacher Number {n}") for n in range(5)]
    items = [BatchItem(certificate(s), builtin(), "a4" if n % 2 else "letter")
             for n, s in enumerate(signed)]
    items.insert(2, BatchItem(certificate(Signed("di", number=49)), broken))
    results = render_batch(items, workers=2)
    assert [r.credential_id for r in results] == [i.certificate.credential_id for i in items]
    failed = results.pop(2)
    assert failed.pdf is None and failed.error is not None
    assert failed.error.code == "template_asset_refused"
    assert "https://cdn.example/b.png" in failed.error.message
    for result, source in zip(results, signed, strict=True):
        assert result.error is None and result.pdf is not None
        assert pdf.read_pdf(result.pdf, with_text=False).attachments[0].data == \
            source.text.encode()


def test_one_worker_renders_in_this_process() -> None:
    signed = Signed("jwt", number=50)
    (result,) = render_batch([BatchItem(certificate(signed), builtin())], workers=1)
    assert result.pdf is not None and result.pdf.startswith(b"%PDF-1.7")
