"""Open Badges 2.0 through the verifier: the API and the page, against a local OB 2.0 issuer.

The issuer (:class:`tests.badges.ob2.issuer.Ob2Issuer`) publishes its profile,
badge class, key, revocation list and hosted assertions on a loopback
:class:`~tests.verifier.conftest.Documents` server; the verifier reaches it
with its real fetcher under the tests' loopback policy.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from badges.trust import TrustRegistry
from tests.badges.ob2.issuer import EMAIL
from tests.badges.ob2.issuer import Ob2Issuer
from tests.badges.ob2.issuer import bake_png
from tests.badges.ob2.issuer import bake_svg
from tests.conftest import NOW
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import Documents
from tests.verifier.conftest import multipart
from tests.verifier.test_api import assert_report
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.i18n import Translator
from verifier.service import Verifier


@pytest.fixture
def lakeside(documents: Documents) -> Ob2Issuer:
    return Ob2Issuer(documents.base)


@pytest.fixture
def app(verifier_app: Callable[..., Flask], lakeside: Ob2Issuer) -> Flask:
    built = verifier_app(rate_limit="0", link_rate_limit="0")
    built.extensions["verifier"].verifier = Verifier(
        fetcher=Fetcher(FetchPolicy(**LOOPBACK)), clock=lambda: NOW,
        registry=TrustRegistry(issuers={lakeside.issuer_id: lakeside.name}, name="Districts"))
    return built


def api(app: Flask, subject: Any, query: str = "") -> dict[str, Any]:
    client = app.test_client()
    url = "/api/v1/verify" + query
    if isinstance(subject, bytes):
        response = client.post(url, **multipart({"file": (io.BytesIO(subject), "badge.bin")}))
    elif isinstance(subject, str):
        response = client.post(url, data=subject, content_type="text/plain")
    else:
        response = client.post(url, data=json.dumps(subject), content_type="application/json")
    assert response.status_code in (200, 422), response.status_code
    payload: dict[str, Any] = response.get_json()
    assert_report(payload)  # the OpenAPI description covers OB 2.0 reports too
    return payload


def codes(payload: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["id"]: (c["outcome"], c["code"]) for c in payload["checks"]}


def page(app: Flask, fields: dict[str, Any], lang: str) -> str:
    response = app.test_client().post("/verify", **multipart({**fields, "lang": lang}))
    assert response.status_code < 500
    return html.unescape(response.get_data(as_text=True))


def test_hosted_json_and_link_verify(app: Flask, lakeside: Ob2Issuer,
                                     documents: Documents) -> None:
    assertion = lakeside.assertion()
    lakeside.publish(documents)
    for subject in (assertion, assertion["id"]):
        payload = api(app, subject)
        assert payload["verdict"] == "verified", codes(payload)
        assert payload["format"] == "ob2_hosted"
        assert codes(payload)["proof"] == ("passed", "ob2_hosted_confirmed")
        facts = payload["summary"]
        assert facts["standard"] == "Open Badges 2.0"
        assert facts["achievement"] == "Classroom Technology Integration"
        assert facts["issuer"] == lakeside.name and facts["issuer_id"] == lakeside.issuer_id
        assert facts["recipient_hashed_only"] is True


def test_signed_jws_and_baked_badges_verify(app: Flask, lakeside: Ob2Issuer,
                                            documents: Documents) -> None:
    token = lakeside.sign(lakeside.assertion("2", signed=True))
    hosted = lakeside.assertion("3")
    lakeside.publish(documents)
    for subject, fmt in ((token, "ob2_signed"), (bake_png(token), "ob2_signed"),
                         (bake_svg(verify=token), "ob2_signed"),
                         (bake_png(hosted["id"]), "ob2_hosted"),
                         (bake_svg(verify=hosted["id"], body=json.dumps(hosted)), "ob2_hosted")):
        payload = api(app, subject)
        assert (payload["verdict"], payload["format"]) == ("verified", fmt), codes(payload)


def test_revoked_hosted_flag_and_revocation_list(app: Flask, lakeside: Ob2Issuer,
                                                 documents: Documents) -> None:
    flagged = lakeside.assertion("4")
    lakeside.documents[flagged["id"]].update(revoked=True, revocationReason="Awarded in error")
    signed = lakeside.assertion("5", signed=True)
    lakeside.revoke(signed["id"], "Duplicate award")
    lakeside.publish(documents)
    first = api(app, flagged)
    assert first["verdict"] == "revoked" and codes(first)["status"] == ("failed", "ob2_revoked")
    second = api(app, lakeside.sign(signed))
    assert second["verdict"] == "revoked"
    shown = page(app, {"credential": lakeside.sign(signed)}, "es")
    assert "Motivo indicado: Duplicate award" in shown or "Duplicate award" in shown


def test_tampered_and_mismatched_are_refused(app: Flask, lakeside: Ob2Issuer,
                                             documents: Documents) -> None:
    token = lakeside.sign(lakeside.assertion("6", signed=True))
    other = lakeside.sign(lakeside.assertion("6", signed=True, issuedOn="2020-01-01T00:00:00Z"))
    tampered = ".".join((token.split(".")[0], other.split(".")[1], token.split(".")[2]))
    changed = lakeside.assertion("7")
    changed["badge"] = f"{lakeside.base}/badges/other.json"
    lakeside.publish(documents)
    forged = api(app, tampered)
    assert forged["verdict"] == "forged"
    assert codes(forged)["proof"] == ("failed", "ob2_signature_invalid")
    copy = api(app, changed)
    assert copy["verdict"] == "forged" and codes(copy)["proof"][1] == "ob2_hosted_mismatch"


def test_origin_the_issuer_does_not_allow_is_forged(app: Flask, lakeside: Ob2Issuer,
                                                    documents: Documents) -> None:
    lakeside.profile["verification"] = {"allowedOrigins": ["badges.lakeside.example.org"]}
    assertion = lakeside.assertion("8")
    lakeside.publish(documents)
    payload = api(app, assertion)
    assert payload["verdict"] == "forged"
    assert codes(payload)["key_binding"] == ("failed", "ob2_hosted_origin_mismatch")


def test_expired_badge(app: Flask, lakeside: Ob2Issuer, documents: Documents) -> None:
    assertion = lakeside.assertion("9", expires="2026-06-30T00:00:00Z")
    lakeside.publish(documents)
    payload = api(app, assertion)
    assert payload["verdict"] == "expired"
    assert payload["summary"]["expires"].startswith("2026-06-30")


def test_recipient_from_the_query_and_the_form(app: Flask, lakeside: Ob2Issuer,
                                               documents: Documents) -> None:
    assertion = lakeside.assertion("10")
    lakeside.publish(documents)
    match = api(app, assertion, f"?recipient={EMAIL}")
    assert codes(match)["recipient"] == ("passed", "ob2_recipient_match")
    assert match["verdict"] == "verified"
    other = api(app, assertion, "?recipient=someone@else.example")
    assert codes(other)["recipient"] == ("failed", "ob2_recipient_mismatch")
    assert other["verdict"] == "invalid"
    shown = page(app, {"credential": json.dumps(assertion), "recipient": "x@y.example"}, "en")
    assert 'data-code="ob2_recipient_mismatch"' in shown
    assert "was not awarded to the person you named" in shown


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_says_open_badges_2_and_what_it_cannot_prove(
        app: Flask, lakeside: Ob2Issuer, documents: Documents, lang: str) -> None:
    assertion = lakeside.assertion("11")
    token = lakeside.sign(lakeside.assertion("12", signed=True))
    lakeside.publish(documents)
    t = Translator(lang)
    hosted = page(app, {"credential": json.dumps(assertion)}, lang)
    assert 'data-verdict="verified"' in hosted and 'data-kind="hosted"' in hosted
    for key in ("ob2_title", "ob2_hosted_what", "ob2_hosted_checked", "ob2_hosted_limits",
                "explain_verified_ob2_hosted", "ob2_recipient_unchecked"):
        assert t(key) in hosted, key
    assert "Open Badges 2.0" in hosted
    signed = page(app, {"file": (io.BytesIO(bake_png(token)), "badge.png")}, lang)
    assert 'data-kind="signed"' in signed
    for key in ("ob2_signed_what", "ob2_signed_checked", "ob2_signed_limits",
                "explain_verified"):
        assert t(key) in signed, key
    form = html.unescape(app.test_client().get(f"/verify?lang={lang}").get_data(as_text=True))
    assert 'name="recipient"' in form and t("recipient_label") in form


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_unknown_hosted_issuer_is_not_said_to_have_signed(
        app: Flask, documents: Documents, lang: str) -> None:
    stranger = Ob2Issuer(documents.base, name="Shelbyville Academy", prefix="/shelby")
    assertion = stranger.assertion("1")
    stranger.publish(documents)
    shown = page(app, {"credential": json.dumps(assertion)}, lang)
    t = Translator(lang)
    assert 'data-verdict="unknown_issuer"' in shown
    assert t("verdict_unknown_issuer_ob2_hosted") in shown
    assert t("explain_unknown_issuer_ob2_hosted") in shown
    assert t("verdict_unknown_issuer") not in shown


@pytest.mark.parametrize("subject", [
    {"type": "Assertion"},
    {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "http://10.0.0.1/a",
     "verification": {"type": "hosted"}},
    "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2ln",
    bake_png("not a badge"),
    bake_png("{}", compressed=True),
    bake_svg(verify="https://169.254.169.254/latest/meta-data"),
])
def test_bad_ob2_inputs_get_a_clear_answer(app: Flask, subject: Any,
                                           network_guard: list[Any]) -> None:
    payload = api(app, subject)
    assert payload["verified"] is False
    assert all(c["message"] for c in payload["checks"])
    assert network_guard == []


def test_the_cli_checks_an_ob2_badge_and_its_recipient(lakeside: Ob2Issuer, documents: Documents,
                                                       tmp_path: Any) -> None:
    """``badges verify --recipient`` reads an OB 2.0 badge as the API does."""
    from click.testing import CliRunner

    from issuer.cli import main

    assertion = lakeside.assertion("cli")
    lakeside.publish(documents)
    path = tmp_path / "badge.png"
    path.write_bytes(bake_png(assertion["id"]))
    registry = tmp_path / "known.json"
    registry.write_text(json.dumps({"issuers": [{"id": lakeside.issuer_id,
                                                 "name": lakeside.name}]}))
    result = CliRunner().invoke(main, ["verify", "--json", "--dev", "--registry", str(registry),
                                       "--recipient", EMAIL, str(path)])
    printed = json.loads(result.stdout)
    assert printed["format"] == "ob2_hosted" and printed["summary"]["standard"] == \
        "Open Badges 2.0"
    assert ("recipient", "ob2_recipient_match") in [(c["id"], c["code"])
                                                    for c in printed["checks"]]
    assert result.exit_code == 0, printed["verdict"]
    text = CliRunner().invoke(main, ["verify", "--dev", "--registry", str(registry), str(path)])
    assert "Open Badges 2.0, hosted: no signature" in text.stdout


def test_a_hosted_badge_answering_410_gone_reads_revoked(app: Flask, lakeside: Ob2Issuer,
                                                         documents: Documents) -> None:
    from urllib.parse import urlsplit

    from tests.verifier.conftest import Route

    assertion = lakeside.assertion("gone")
    lakeside.publish(documents)
    documents.routes[urlsplit(assertion["id"]).path] = Route(
        status=410, body=b'{"revoked": true}', headers={"Content-Type": "application/json"})
    payload = api(app, assertion)
    assert payload["verdict"] == "revoked", codes(payload)
    for lang in ("en", "es"):
        shown = page(app, {"credential": json.dumps(assertion)}, lang)
        assert 'data-verdict="revoked"' in shown
        assert Translator(lang)("verdict_revoked") in shown


def test_a_registry_file_vouches_for_an_ob2_issuer_by_its_profile_url(
        verifier_app: Callable[..., Flask], lakeside: Ob2Issuer, documents: Documents,
        tmp_path: Any) -> None:
    """``BADGES_VERIFIER_REGISTRY`` names OB 2.0 issuers by profile URL, as any issuer."""
    from tests.verifier.conftest import registry_file

    assertion = lakeside.assertion("listed")
    lakeside.publish(documents)
    known = registry_file(tmp_path, {lakeside.issuer_id: "Lakeside (OB 2.0 profile)"})
    built = verifier_app(registry=known, rate_limit="0", link_rate_limit="0")
    payload = api(built, assertion)
    assert payload["verdict"] == "verified", codes(payload)
    trust = next(c for c in payload["checks"] if c["id"] == "issuer_trust")
    assert trust["detail"]["name"] == "Lakeside (OB 2.0 profile)"


def test_a_pasted_link_that_answers_410_says_it_was_withdrawn(app: Flask,
                                                             documents: Documents) -> None:
    from tests.verifier.conftest import Route

    documents.routes["/ob2/assertions/revoked.json"] = Route(
        status=410, body=b'{"revoked": true}', headers={"Content-Type": "application/json"})
    payload = api(app, f"{documents.base}/ob2/assertions/revoked.json")
    assert payload["verdict"] == "unreadable"
    assert "410" in payload["checks"][0]["message"]
    assert "withdrew" in payload["checks"][0]["message"]
