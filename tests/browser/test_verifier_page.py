"""The verification page in a real browser: paste, upload a baked PNG or a PDF, scan a QR code.

Each flow ends on the report page with the verdict a person reads, saves a
screenshot to ``artifacts/browser/``, and the pages pass axe-core's WCAG 2.2
A/AA rules and best practices, in English and in Spanish.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from badges import dataintegrity
from tests.browser.conftest import HARBOR
from tests.browser.conftest import HARBOR_NAME
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from tests.conftest import load_json
from tests.verifier.pdfs import pdf_with_attachment
from tests.verifier.test_api import qr_png
from verifier.receipts import check_receipt


def _get(url: str) -> bytes:
    with urlopen(url, timeout=10) as response:  # noqa: S310 - the loopback test server
        body: bytes = response.read()
        return body


def _open_form(page: Any, site: Site, lang: str = "en") -> None:
    page.goto(f"{site.base}/verify?lang={lang}")
    assert page.locator("h1").inner_text() in ("Check a badge", "Verificar una insignia")


def _submit(page: Any) -> str:
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#verdict-box")
    verdict: str = page.locator("#verdict-box").get_attribute("data-verdict")
    return verdict


def _assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


def test_paste_a_credential(page: Any, site: Site) -> None:
    _open_form(page, site)
    _assert_accessible(page)
    screenshot(page, "01-form")
    page.get_by_label("Paste a credential, a JWT or a link").fill(site.di)
    page.get_by_label("Your name and school (optional)").fill("Ana Ruiz, Westfield High")
    assert _submit(page) == "verified"
    assert "Verified: this credential is genuine and current" in page.locator("h2#verdict") \
        .inner_text()
    assert page.locator("#recipient").inner_text() == "Ana Teacher"
    assert "Lakeside Unified School District" in page.locator("#issuer").inner_text()
    assert page.locator("#check-key_binding").get_attribute("data-outcome") == "passed"
    # technical detail is folded away until asked for
    detail = page.locator("#check-proof details")
    assert not detail.evaluate("d => d.open")
    detail.locator("summary").click()
    assert "signature_valid" in detail.inner_text()
    _assert_accessible(page)
    screenshot(page, "02-paste-verified")
    assert page.errors == []


def test_upload_a_baked_png(page: Any, site: Site, tmp_path: Path) -> None:
    badge = tmp_path / "badge.png"
    badge.write_bytes(_get(f"{site.di_share}.png"))
    _open_form(page, site)
    page.get_by_label("Or upload a file").set_input_files(str(badge))
    assert _submit(page) == "verified"
    assert page.locator("#check-format").get_attribute("data-code") == "png"
    screenshot(page, "03-baked-png-verified")


def test_upload_a_pdf_certificate(page: Any, site: Site, tmp_path: Path) -> None:
    # the issuer's own certificate when it serves one, otherwise a PDF/A-3 style
    # certificate carrying the issued credential as an associated file
    try:
        pdf = _get(f"{site.di_share}.pdf")
    except OSError:
        pdf = b""
    if not pdf.startswith(b"%PDF-"):
        pdf = pdf_with_attachment(site.di.encode("utf-8"), compress=True)
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(pdf)
    _open_form(page, site)
    page.get_by_label("Or upload a file").set_input_files(str(certificate))
    assert _submit(page) == "verified"
    assert page.locator("#check-format").get_attribute("data-code") == "pdf"
    screenshot(page, "04-pdf-certificate-verified")


def test_scan_a_qr_code(page: Any, site: Site, tmp_path: Path) -> None:
    photo = tmp_path / "qr.png"
    photo.write_bytes(qr_png(site.jwt_share, scale=8))
    _open_form(page, site)
    page.get_by_label("Or a photo of the QR code on a printed certificate").set_input_files(
        str(photo))
    assert _submit(page) == "verified"
    assert page.locator("#check-format").get_attribute("data-code") == "jwt"
    assert "QR code" in page.locator("dl.facts").inner_text()
    screenshot(page, "05-qr-verified")


def test_spanish_page_and_the_receipt(page: Any, site: Site, tmp_path: Path) -> None:
    _open_form(page, site, "es")
    _assert_accessible(page)
    page.get_by_label("Pegue una credencial, un JWT o un enlace").fill(site.jwt)
    assert _submit(page) == "verified"
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Verificada" in page.locator("h2#verdict").inner_text()
    _assert_accessible(page)
    screenshot(page, "06-spanish-verified")
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el comprobante").click()
    path = tmp_path / "receipt.json"
    download.value.save_as(str(path))
    receipt = json.loads(path.read_text("utf-8"))
    assert check_receipt(receipt).verified
    assert receipt["credentialSubject"]["result"] == "verified"


def _did_key_credential(**changes: Any) -> str:
    """A credential of the neighbouring district the site's verifier knows."""
    key = HARBOR
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": HARBOR_NAME}
    cred.update(changes)
    return json.dumps(dataintegrity.sign_credential(
        cred, key=key, created=datetime(2020, 1, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))


def test_expired_and_forged_read_differently(page: Any, site: Site) -> None:
    expired = _did_key_credential(validFrom="2020-01-01T00:00:00Z",
                                  validUntil="2021-06-30T00:00:00Z")
    _open_form(page, site)
    page.get_by_label("Paste a credential, a JWT or a link").fill(expired)
    assert _submit(page) == "expired"
    text = page.locator("#verdict-box").inner_text()
    assert "A genuine record that has expired" in text and "Not genuine" not in text
    assert page.locator("#check-proof").get_attribute("data-outcome") == "passed"
    _assert_accessible(page)
    screenshot(page, "07-expired")
    forged = json.loads(site.di)
    forged["credentialSubject"]["achievement"]["name"] = "District Superintendent"
    _open_form(page, site)
    page.get_by_label("Paste a credential, a JWT or a link").fill(json.dumps(forged))
    assert _submit(page) == "forged"
    assert page.locator("#check-proof").get_attribute("data-code") == "signature_invalid"
    _assert_accessible(page)
    screenshot(page, "08-forged")


def test_keyboard_only(page: Any, site: Site) -> None:
    _open_form(page, site)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.locator("#credential").focus()
    page.keyboard.insert_text(site.di)
    for _ in range(5):  # file, QR picture, recipient (OB 2.0), name, then the button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector("#verdict-box")
    assert page.locator("#verdict-box").get_attribute("data-verdict") == "verified"
