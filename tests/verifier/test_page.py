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


def _receipt_of(html: str) -> dict[str, Any]:
    href = re.search(r'id="receipt" href="data:application/json;base64,([^"]+)"', html)
    assert href is not None
    receipt: dict[str, Any] = json.loads(base64.b64decode(href.group(1)))
    return receipt


@pytest.mark.parametrize(("lang", "checked", "result"), [
    ("en", "Checked on {day} at {time} UTC by Ana Ruiz, Westfield HS",
     "Result: Verified: this credential is genuine and current"),
    ("es", "Verificada el {day} a las {time} UTC por Ana Ruiz, Westfield HS",
     "Resultado: Verificada")])
def test_the_receipt_prints_as_a_page(client: Any, issuer: DidWebIssuer, lang: str,
                                      checked: str, result: str) -> None:
    from html import unescape

    from verifier.i18n import format_day

    signed = issuer.sign(issuer.credential())
    report = _submit(client, credential=json.dumps(signed), lang=lang,
                     requested_by="Ana Ruiz, Westfield HS").get_data(as_text=True)
    receipt = _receipt_of(report)
    when = receipt["credentialSubject"]["verifiedAt"]
    from badges.model import parse_datetime
    moment = parse_datetime(when)
    line = checked.format(day=format_day(moment, lang), time=f"{moment:%H:%M}")
    assert line in unescape(report)  # the report page says who checked, and when
    hidden = re.search(r'name="receipt" value="([^"]+)"', report)
    assert hidden is not None and json.loads(unescape(hidden.group(1))) == receipt
    page = client.post(f"/verify/receipt?lang={lang}", data={"receipt": unescape(hidden.group(1)),
                                                             "lang": lang})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = unescape(page.get_data(as_text=True))
    assert 'data-genuine="true"' in html and line in html and result in html
    assert receipt["credentialSubject"]["input"]["sha256"] in html
    assert "@media print" in html
    # a receipt kept in the hiring file can be uploaded later
    upload = client.post("/verify/receipt", data={"file": (io.BytesIO(json.dumps(receipt)
                                                                     .encode()), "r.json")},
                         content_type="multipart/form-data")
    assert 'data-genuine="true"' in upload.get_data(as_text=True)


def test_an_altered_receipt_is_not_presented_as_genuine(client: Any,
                                                        issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    receipt = _receipt_of(_submit(client, credential=json.dumps(signed)).get_data(as_text=True))
    receipt["credentialSubject"]["result"] = "verified"
    receipt["credentialSubject"]["credential"]["recipient"] = "Somebody Else"
    page = client.post("/verify/receipt", data={"receipt": json.dumps(receipt)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-genuine="false"' in html
    assert "changed after it was signed" in html
    assert "What the receipt says (not verified)" in html
    assert '<h2 id="receipt-result">' not in html  # the claimed result is no heading


@pytest.mark.parametrize("body", ["", "not json", '{"type": ["VerifiableCredential"]}',
                                  '{"credentialSubject": {}, "type": ["Other"]}', "[1, 2]"])
def test_what_is_not_a_receipt_gets_a_sentence(client: Any, body: str) -> None:
    page = client.post("/verify/receipt", data={"receipt": body})
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "This is not a verification receipt" in page.get_data(as_text=True)
    form = client.get("/verify/receipt")
    assert form.status_code == 200 and 'name="file"' in form.get_data(as_text=True)


def test_the_service_s_own_list_is_named_in_the_reader_s_language() -> None:
    from badges.report import CheckResult
    from badges.report import Outcome
    from verifier.i18n import Translator

    own = "this service's own issuers (badges.lakeside.org)"
    check = CheckResult("issuer_trust", Outcome.PASSED, "known_issuer", "The issuer is known.",
                        {"name": "Lakeside", "registry": own, "by": "id"})
    spanish = Translator("es").check_message(check)
    assert "este servicio de insignias (badges.lakeside.org)" in spanish
    assert "this service" not in spanish
    assert Translator("en").registry(own) == \
        "this badge service (badges.lakeside.org), which hosts the issuer"
    assert Translator("es").registry("Harbor list") == "Harbor list"  # other lists keep names
