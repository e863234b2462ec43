"""The report page through the test client: languages, verdicts, headers, receipts."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import pytest

from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import multipart
from verifier.i18n import _ES_CODES
from verifier.receipts import check_receipt


def _submit(client: Any, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    return client.post("/verify", data=fields, content_type="multipart/form-data",
                       headers=headers or {})


def test_form_in_english_and_spanish(client: Any) -> None:
    english = client.get("/verify")
    assert english.status_code == 200 and english.headers["Content-Language"] == "en"
    html = english.get_data(as_text=True)
    assert '<html lang="en">' in html and "Check a badge" in html
    for field_id in ("credential", "file", "qr", "requested_by"):
        assert f'<label for="{field_id}">' in html and f'id="{field_id}"' in html
    spanish = client.get("/verify", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert "Verificar una insignia" in spanish.get_data(as_text=True)
    forced = client.get("/verify?lang=en", headers={"Accept-Language": "es"})
    assert forced.headers["Content-Language"] == "en"
    csp = english.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert "script-src" not in csp  # the page runs no script at all


def test_verified_report_page(client: Any, issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    page = _submit(client, credential=json.dumps(signed), requested_by="Ana Ruiz, Westfield HS")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'data-verdict="verified"' in html
    assert "Lakeside Unified School District" in html
    assert "<details>" in html and "Technical detail" in html
    assert issuer.did in html
    href = re.search(r'id="receipt" href="data:application/json;base64,([^"]+)"', html)
    assert href is not None
    receipt = json.loads(base64.b64decode(href.group(1)))
    assert check_receipt(receipt).verified
    assert receipt["credentialSubject"]["requestedBy"] == "Ana Ruiz, Westfield HS"


def test_spanish_report_explains_every_check_in_spanish(client: Any,
                                                        issuer: DidWebIssuer) -> None:
    url = issuer.status_list("revocation", set_bits=(4,))
    cred = issuer.sign(issuer.credential(credentialStatus=issuer.status_entry(
        url, "revocation", 4)))
    html = _submit(client, credential=json.dumps(cred), lang="es").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Revocada por el emisor" in html
    assert "El emisor ha revocado esta credencial." in html
    assert "La credencial está íntegra" in html
    assert '<p lang="en">' in html  # the core's English sentence, in the folded detail


def test_forged_and_unreadable_pages(client: Any, issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    signed["credentialSubject"]["achievement"]["name"] = "Superintendent of Everything"
    html = _submit(client, credential=json.dumps(signed)).get_data(as_text=True)
    assert 'data-verdict="forged"' in html and "Not genuine" in html
    junk = _submit(client, file=(io.BytesIO(b"\x00\x01junk"), "x.bin"))
    assert junk.status_code == 422
    assert 'data-verdict="unreadable"' in junk.get_data(as_text=True)


def test_a_large_pasted_credential_is_read(client: Any, issuer: DidWebIssuer) -> None:
    cred = issuer.credential()
    cred["credentialSubject"]["achievement"]["image"] = {
        "id": "data:image/png;base64," + "A" * 800_000, "type": "Image"}
    page = client.post("/verify", **multipart({"credential": json.dumps(issuer.sign(cred))}))
    html = page.get_data(as_text=True)
    assert 'data-verdict="verified"' in html
    assert 'src="data:image/png;base64,AAAA' in html


def test_empty_form_asks_again(client: Any) -> None:
    page = _submit(client, credential="   ")
    assert page.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True)


def test_untrusted_links_and_images_are_not_rendered(client: Any,
                                                     issuer: DidWebIssuer) -> None:
    cred = issuer.credential()
    achievement = cred["credentialSubject"]["achievement"]
    achievement["image"] = {"id": "javascript:alert(1)", "type": "Image"}
    achievement["criteria"] = {"id": "javascript:alert(2)",
                               "narrative": "<script>alert(3)</script>"}
    html = _submit(client, credential=json.dumps(issuer.sign(cred))).get_data(as_text=True)
    assert "javascript:" not in html.split("<pre>")[0]
    assert "<script>alert(3)</script>" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html


@pytest.mark.parametrize("code", sorted(_ES_CODES))
def test_every_spanish_sentence_formats(code: str) -> None:
    from badges.report import CheckResult
    from badges.report import Outcome
    from verifier.i18n import Translator

    detail = {"validFrom": "2026-01-05T09:00:00Z", "validUntil": "2027-01-05T09:00:00Z",
              "name": "Lakeside"}
    text = Translator("es").check_message(CheckResult("x", Outcome.PASSED, code, "m", detail))
    assert text and "{" not in text


def test_every_code_the_verifier_can_report_has_a_spanish_sentence() -> None:
    """Scan the core and the verifier for result codes: none may fall back to the generic text."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    codes: set[str] = set()
    for package in ("badges", "verifier"):
        for path in (root / package).glob("*.py"):
            text = path.read_text("utf-8")
            codes |= set(re.findall(r'code="([a-z_0-9]+)"', text))
            codes |= set(re.findall(r'Outcome\.\w+, "([a-z_0-9]+)"', text))
    assert len(codes) > 100  # the scan finds the codes at all
    assert sorted(codes - set(_ES_CODES)) == []


def test_a_link_to_the_page_verifies_a_badge_at_once(client: Any, issuer: DidWebIssuer) -> None:
    """``/verify?url=LINK``: what a share page or an e-mail links to."""
    from urllib.parse import quote

    url = issuer.docs.json("/c/ann.json", issuer.sign(issuer.credential()))
    page = client.get(f"/verify?url={quote(url, safe='')}&lang=es")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-verdict="verified"' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert url in html  # where it came from is shown
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "not a link"):
        refused = client.get(f"/verify?url={quote(bad, safe='')}")
        assert refused.status_code == 400
        assert "must be an http(s) link" in refused.get_data(as_text=True)
    private = issuer.docs.redirect("/c/moved", "https://10.1.2.3/c.json")
    blocked = client.get(f"/verify?url={quote(private, safe='')}")
    assert blocked.status_code == 422
    assert 'data-code="address_not_allowed"' in blocked.get_data(as_text=True)
