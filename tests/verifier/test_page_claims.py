"""A forged result is never headed by what the forged credential claims (issue #18)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from tests.verifier.conftest import DidWebIssuer
from verifier.i18n import TEXT


def _page(client: Any, credential: dict[str, Any], lang: str = "en") -> str:
    response = client.post("/verify", data={"credential": json.dumps(credential), "lang": lang},
                           content_type="multipart/form-data")
    html: str = response.get_data(as_text=True)
    return html


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip()
            for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_tampered_credential_shows_its_claims_as_unverified(client: Any,
                                                              issuer: DidWebIssuer,
                                                              lang: str) -> None:
    signed = issuer.sign(issuer.credential())
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["achievement"]["name"] = "Superintendent of Everything"
    html = _page(client, forged, lang)
    assert 'data-verdict="forged"' in html
    headings = _headings(html)
    assert "Superintendent of Everything" in html
    assert not any("Superintendent" in h for h in headings), headings
    assert TEXT[lang]["claims_heading"] in headings
    assert TEXT[lang]["verdict_forged"] in headings


def test_a_genuine_credential_is_headed_by_its_achievement(client: Any,
                                                           issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    html = _page(client, signed)
    name = signed["credentialSubject"]["achievement"]["name"]
    assert name in _headings(html)
    assert TEXT["en"]["claims_heading"] not in html


def test_no_empty_issuer_tag(client: Any, issuer: DidWebIssuer) -> None:
    forged = issuer.sign(issuer.credential())
    forged["issuer"]["name"] = "Someone Else"
    html = _page(client, forged)
    assert not re.search(r'<span class="tag[^"]*">\s*</span>', html)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_standalone_verifier_answers_a_browser_with_a_page(client: Any, lang: str) -> None:
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": lang}
    page = client.get("/no-such-page", headers=browser)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert TEXT[lang]["page_not_found"] in page.get_data(as_text=True)
    assert 'id="credential"' in page.get_data(as_text=True)  # the form: the next step
    program = client.get("/no-such-page")
    assert program.status_code == 404 and program.get_json()["error"]["code"] == "not_found"
    api = client.get("/api/v1/nothing", headers=browser)
    assert api.mimetype == "application/json"
