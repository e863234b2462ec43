"""Verifying a certificate PDF: the genuine one passes; swaps, edits and bombs are caught.

"Caught" means: the verification report is not verified, and says why.

* **swapped** attachment (another genuine credential): the other credential's
  proof is fine, but it is not the one the certificate declares (keywords) and
  shows (its id, the teacher's name and the achievement on the page), so the
  ``format`` check fails with ``certificate_mismatch`` and nothing else is
  trusted; the same when the keywords are changed along with it, or stripped;
* **edited** attachment: its proof no longer verifies (``proof`` fails).
"""

from __future__ import annotations

import json
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from badges import pdf
from badges.intake import read_credential
from badges.verify import verify_credential
from issuer.certificates.render import Renderer
from issuer.certificates.templates import builtin
from issuer.cli import main
from tests.issuer.certificates.conftest import NOW
from tests.issuer.certificates.conftest import Signed
from tests.issuer.certificates.conftest import certificate
from tests.issuer.certificates.conftest import tamper
from tests.verifier.conftest import registry_file


@pytest.fixture(scope="module")
def genuine(renderer: Renderer) -> tuple[Signed, bytes]:
    signed = Signed("di", number=31)
    return signed, renderer.render(certificate(signed), template=builtin()).pdf


@pytest.fixture(scope="module")
def other() -> Signed:
    """Another genuine credential, for someone else."""
    return Signed("di", number=32, name="Sam Other", achievement="Digital Literacy")


def _failed(document: bytes) -> tuple[str, str]:
    report = verify_credential(document, now=NOW)
    assert report.verified is False
    failure = report.failures[0]
    return failure.id, failure.code


def test_the_genuine_certificate_verifies(genuine: tuple[Signed, bytes]) -> None:
    signed, document = genuine
    report = verify_credential(document, now=NOW)
    assert report.verified, report.to_json()
    assert read_credential(document).source == "pdf"


def test_a_swapped_attachment_is_caught(genuine: tuple[Signed, bytes], other: Signed) -> None:
    signed, document = genuine
    assert verify_credential(other.text, now=NOW).verified  # the other one is genuine
    swapped = tamper(document, data=other.text.encode())
    assert _failed(swapped) == ("format", "certificate_mismatch")
    report = verify_credential(swapped, now=NOW)
    assert signed.id in report.checks[0].message and other.id in report.checks[0].message
    # also rewriting the declared id: the page still shows someone else
    relabelled = tamper(document, data=other.text.encode(),
                        keywords=f"Open Badges 3.0, {other.id}")
    assert _failed(relabelled) == ("format", "certificate_mismatch")
    assert "does not show the credential id" in verify_credential(
        relabelled, now=NOW).checks[0].message


def test_a_swapped_attachment_is_caught_without_keywords(genuine: tuple[Signed, bytes],
                                                          other: Signed) -> None:
    """Stripping the keywords no longer hides a swap: the page still shows its credential."""
    signed, document = genuine
    swapped = tamper(document, data=other.text.encode(), keywords="")
    assert pdf.declared_ids(pdf.read_pdf(swapped).keywords) == []
    assert _failed(swapped) == ("format", "certificate_mismatch")
    report = verify_credential(swapped, now=NOW)
    assert report.verdict == "forged"
    assert signed.id in report.checks[0].message and other.id in report.checks[0].message


def test_a_page_that_shows_someone_else_is_caught_without_keywords(renderer: Renderer) -> None:
    """The page shows the attached credential's id, but not its teacher's name."""
    signed = Signed("di", number=34)
    doctored = renderer.render(certificate(signed, recipient_name="Mallory Doe"),
                               template=builtin()).pdf
    assert _failed(tamper(doctored, keywords="")) == ("format", "certificate_mismatch")
    assert "recipient's name" in verify_credential(tamper(doctored, keywords=""),
                                                    now=NOW).checks[0].message


def test_an_edited_attachment_fails_its_proof(genuine: tuple[Signed, bytes]) -> None:
    signed, document = genuine
    edited = json.loads(signed.text)
    edited["validFrom"] = "2020-01-01T00:00:00Z"
    assert _failed(tamper(document, data=json.dumps(edited).encode())) == (
        "proof", "signature_invalid")
    jwt = Signed("jwt", number=33)
    jwt_pdf = Renderer().render(certificate(jwt), template=builtin()).pdf
    header, payload, signature = jwt.text.split(".")
    flipped = "A" if signature[5] != "A" else "B"
    forged = f"{header}.{payload}.{signature[:5]}{flipped}{signature[6:]}"
    assert _failed(tamper(jwt_pdf, data=forged.encode()))[0] == "proof"


def test_two_credentials_or_none_are_refused(genuine: tuple[Signed, bytes], other: Signed,
                                            renderer: Renderer) -> None:
    _, document = genuine
    assert _failed(tamper(document, extra=other.text.encode())) == (
        "format", "several_credentials_in_pdf")
    assert _failed(tamper(document, data=b"%PDF-1.4 not a credential")) == (
        "format", "no_credential_in_pdf")


def test_a_decompression_bomb_stops_at_the_cap(genuine: tuple[Signed, bytes]) -> None:
    _, document = genuine
    bomb = zlib.compress(b"{" + b" " * (64 * 1024 * 1024), 9)
    assert len(bomb) < 100_000
    started = time.perf_counter()
    assert _failed(tamper(document, compressed=bomb)) == ("format", "input_too_large")
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7\n garbage", "unreadable_pdf"),
    (b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), "input_too_large"),
])
def test_unreadable_pdfs_are_reported(data: bytes, code: str) -> None:
    assert _failed(data) == ("format", code)


def test_an_encrypted_pdf_is_refused(genuine: tuple[Signed, bytes]) -> None:
    _, document = genuine
    assert _failed(tamper(document, password="secret")) == ("format", "encrypted_pdf")


def test_a_pdf_that_declares_nothing_is_read_for_what_it_carries(
        genuine: tuple[Signed, bytes]) -> None:
    signed, document = genuine
    plain = tamper(document, keywords="")
    assert pdf.declared_ids(pdf.read_pdf(plain).keywords) == []
    assert verify_credential(plain, now=NOW).verified


def test_badges_verify_reads_the_pdf(genuine: tuple[Signed, bytes], other: Signed,
                                     tmp_path: Path) -> None:
    signed, document = genuine
    good = tmp_path / "cert.pdf"
    good.write_bytes(document)
    bad = tmp_path / "swapped.pdf"
    bad.write_bytes(tamper(document, data=other.text.encode()))
    runner = CliRunner()
    known = registry_file(tmp_path, {signed.json["issuer"]["id"]: "Lakeside"})
    ok = runner.invoke(main, ["verify", "--offline", "--registry", known, str(good)])
    assert ok.exit_code == 0, ok.output
    assert "Read an Open Badges 3.0 credential from a PDF certificate." in ok.output
    refused = runner.invoke(main, ["verify", "--offline", "--json", str(bad)])
    assert refused.exit_code == 1  # readable, and not genuine (2 is for unreadable input)
    report = json.loads(refused.stdout)
    assert report["verified"] is False
    assert report["verdict"] == "forged"
    assert report["checks"][0]["code"] == "certificate_mismatch"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(document[: len(document) // 3])
    assert runner.invoke(main, ["verify", "--offline", str(broken)]).exit_code == 2
