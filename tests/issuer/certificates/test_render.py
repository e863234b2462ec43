"""The rendered certificate, read back with real tools: QR code, attachment, text, metadata."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from badges import pdf
from badges.report import Outcome
from badges.verify import verify_credential
from issuer.certificates.render import Renderer
from issuer.certificates.templates import builtin
from tests.issuer.certificates.conftest import NOW
from tests.issuer.certificates.conftest import ROOT
from tests.issuer.certificates.conftest import URL
from tests.issuer.certificates.conftest import Signed
from tests.issuer.certificates.conftest import certificate
from tests.issuer.certificates.conftest import decode_qr
from tests.issuer.certificates.conftest import page_count_and_size
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.certificates.conftest import save_artifact
from tests.issuer.certificates.conftest import text_layer

PAPER_POINTS = {"letter": "792 x 612 pts (letter)", "a4": "841.89 x 595.276 pts (A4)"}


@pytest.fixture(scope="module", params=[("di", "letter"), ("jwt", "a4")],
                ids=["json-letter", "jwt-a4"])
def case(request: pytest.FixtureRequest, renderer: Renderer) -> tuple[Signed, str, bytes]:
    fmt, paper = request.param
    signed = Signed(fmt)
    rendered = renderer.render(certificate(signed), template=builtin(), paper_name=paper)
    assert rendered.warnings == ()
    return signed, paper, rendered.pdf


def test_qr_code_decodes_to_exactly_the_verification_url(case: tuple[Signed, str, bytes]) -> None:
    signed, paper, document = case
    png = rasterize(document)
    path = save_artifact(f"certificate-{signed.format}-{paper}.png", png)
    assert decode_qr(png) == [URL], f"see {path}"
    if signed.format == "di" and os.environ.get("BADGES_WRITE_DOC_IMAGES"):
        (ROOT / "docs" / "images").mkdir(parents=True, exist_ok=True)
        (ROOT / "docs" / "images" / "certificate.png").write_bytes(rasterize(document, dpi=96))


def test_one_landscape_page_of_the_chosen_paper(case: tuple[Signed, str, bytes]) -> None:
    _, paper, document = case
    assert page_count_and_size(document) == (1, PAPER_POINTS[paper])


def test_the_attachment_is_the_credential_exactly_and_it_verifies(
        case: tuple[Signed, str, bytes]) -> None:
    signed, _, document = case
    read = pdf.read_pdf(document)
    (attached,) = read.attachments
    assert attached.data == signed.text.encode("utf-8")
    assert attached.relationship == "Source"
    if signed.format == "di":
        assert (attached.name, attached.media_type) == ("credential.json",
                                                        "application/vc+ld+json")
    else:
        assert (attached.name, attached.media_type) == ("credential.jwt", "application/vc+jwt")
    report = verify_credential(document, now=NOW)
    assert report.verified, report.to_json()
    fmt = report.check("format")
    assert fmt is not None and fmt.code == "pdf"
    assert report.credential is not None and report.credential["id"] == signed.id


def test_the_text_layer_shows_the_teacher_the_achievement_and_the_id(
        case: tuple[Signed, str, bytes]) -> None:
    signed, _, document = case
    text = " ".join(text_layer(document).split())
    for shown in ("María López", "Blended Learning Design", signed.id,
                  "Lakeside Unified School District", "23 November 2026",
                  "23 November 2029", "Dr. Angela Reyes", "ISTE Standards for Educators"):
        assert shown in text


def test_metadata_pdfa3_and_tags(case: tuple[Signed, str, bytes]) -> None:
    signed, _, document = case
    reader = PdfReader(io.BytesIO(document))
    info = reader.metadata
    assert info is not None
    assert info.title == "Blended Learning Design: María López"
    assert info.author == "Lakeside Unified School District"
    assert info.subject is not None and "María López earned Blended Learning Design" in \
        info.subject
    assert signed.id in pdf.declared_ids(str(info["/Keywords"]))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert "/StructTreeRoot" in catalog and "/OutputIntents" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert [f.get_object()["/AFRelationship"] for f in catalog["/AF"]][0] == "/Source"
    figures = _alt_texts(catalog["/StructTreeRoot"].get_object())
    assert "Blended Learning Design badge" in figures
    assert any(alt.startswith("QR code: verification page") and URL in alt for alt in figures)


def _alt_texts(node: object, depth: int = 0) -> list[str]:
    found: list[str] = []
    if depth > 40:
        return found
    get = getattr(node, "get", None)
    if get is not None:
        if get("/S") == "/Figure" and get("/Alt") is not None:
            found.append(str(get("/Alt")))
        kids = get("/K")
    else:
        kids = node
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        target = kid.get_object() if hasattr(kid, "get_object") else kid
        if hasattr(target, "get") or isinstance(target, list):
            found += _alt_texts(target, depth + 1)
    return found


def test_the_same_input_gives_the_same_pdf(renderer: Renderer) -> None:
    signed = Signed("di", number=7)
    first = renderer.render(certificate(signed), template=builtin()).pdf
    again = renderer.render(certificate(signed), template=builtin()).pdf
    assert first == again


def test_long_names_still_make_one_page_that_shows_them(renderer: Renderer) -> None:
    name = "Alexandra Montgomery-Castellanos de la Fuente y Whitfield-Okonkwo-Nakamura " * 2
    name = name.strip()[:200]
    achievement = ("Designing Inclusive, Standards-Aligned Blended Learning Units for "
                   "Multilingual Learners in Grades 6 to 12 Across Every Subject Area")
    signed = Signed("di", number=8, name=name, achievement=achievement)
    document = renderer.render(certificate(signed), template=builtin(), paper_name="a4").pdf
    assert page_count_and_size(document)[0] == 1
    save_artifact("certificate-long-names-a4.png", rasterize(document))
    assert verify_credential(document, now=NOW).verified


def test_readme_image_is_a_rendered_certificate() -> None:
    image = ROOT / "docs" / "images" / "certificate.png"
    assert image.read_bytes().startswith(b"\x89PNG")
    assert decode_qr(image.read_bytes()) == [URL]


def test_paper_and_template_errors_are_clear(renderer: Renderer, tmp_path: Path) -> None:
    from issuer.certificates.errors import CertificateError

    signed = Signed("di", number=9)
    with pytest.raises(CertificateError) as paper:
        renderer.render(certificate(signed), template=builtin(), paper_name="b5")
    assert paper.value.code == "invalid_paper"
    with pytest.raises(CertificateError) as missing:
        renderer.render(certificate(signed), template=tmp_path / "nothing-here")
    assert missing.value.code == "template_not_found"
    assert Outcome.PASSED == "passed"
