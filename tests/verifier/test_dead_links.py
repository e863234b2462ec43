"""A dead link is explained by its real cause, in English and Spanish (issue #18)."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Route
from verifier.i18n import TEXT
from verifier.i18n import explanation_key
from verifier.intake import IntakeError
from verifier.service import unreadable_report


@pytest.mark.parametrize(("status", "key", "code"), [
    (410, "explain_unreadable_link_gone", "link_gone"),
    (404, "explain_unreadable_link_not_found", "link_not_found"),
    (500, "explain_unreadable_link_http_error", "link_http_error"),
])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_says_what_the_link_answered(client: Any, issuer: DidWebIssuer, status: int,
                                              key: str, code: str, lang: str) -> None:
    path = f"/dead/{status}.json"
    issuer.docs.routes[path] = Route(status=status)
    page = client.get("/verify", query_string={"url": issuer.docs.base + path, "lang": lang})
    html = page.data.decode()
    assert page.status_code == 422
    assert str(escape(TEXT[lang][key])) in html
    assert str(escape(TEXT[lang]["explain_unreadable"])) not in html
    api = client.post("/api/v1/verify", data=issuer.docs.base + path,
                      content_type="text/plain")
    assert api.get_json()["checks"][0]["code"] == code


def test_a_link_refused_by_policy_says_so(client: Any) -> None:
    page = client.get("/verify", query_string={"url": "https://10.1.2.3/c/1.json"})
    assert str(escape(TEXT["en"]["explain_unreadable_address_not_allowed"])) in \
        page.data.decode()


def test_the_owner_turned_it_off_is_said_plainly() -> None:
    assert "turned it off" in TEXT["en"]["explain_unreadable_link_gone"]
    assert "desactivó" in TEXT["es"]["explain_unreadable_link_gone"]


@pytest.mark.parametrize("code", ["link_gone", "link_not_found", "link_http_error",
                                  "fetch_timeout", "fetch_failed", "address_not_allowed",
                                  "scheme_not_allowed", "link_not_credential"])
def test_every_link_failure_has_its_own_explanation(code: str) -> None:
    report = unreadable_report(IntakeError("the link could not be read", code=code))
    key = explanation_key(report.decision)
    assert key == f"explain_unreadable_{code}"
    assert key in TEXT["en"] and key in TEXT["es"] and TEXT["es"][key] != TEXT["en"][key]


def test_other_unreadable_inputs_keep_the_general_explanation() -> None:
    report = unreadable_report(IntakeError("not JSON", code="invalid_json"))
    assert explanation_key(report.decision) == "explain_unreadable"
