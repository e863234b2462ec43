"""Error answers: pages in the site's layout and language for browsers, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import TooManyRequests

from issuer.models import IssuedCredential
from issuer.services import issuance
from tests.issuer import seed
from tests.issuer.conftest import NOW
from verifier.i18n import TEXT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as in production

    @app.get("/test-crash")
    def crash() -> str:
        raise RuntimeError("boom")

    @app.get("/test-busy")
    def busy() -> str:
        raise TooManyRequests(retry_after=42)

    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _issue(app: Flask) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        return issuance.award(session, seed.app_context(app), issuer="lakeside",
                              achievement="blended-learning-design",
                              email="maria@lakeside.example.org", name="María López",
                              actor="test", now=NOW)


def _page(client: FlaskClient, path: str, lang: str = "en") -> tuple[int, str]:
    response = client.get(path, headers={"Accept": BROWSER, "Accept-Language": lang})
    assert response.mimetype == "text/html", path
    assert response.headers["Content-Language"] == lang
    html = response.data.decode()
    assert f'<html lang="{lang}">' in html and "{" not in html.split("<main")[1][:40]
    return response.status_code, html


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", ["/no-such-page", "/issuers", "/c/not-a-real-token",
                                  "/c/not-a-real-token.pdf", "/achievements/nope"])
def test_a_browser_gets_a_page_with_a_next_step_never_raw_json(client: FlaskClient,
                                                               path: str, lang: str) -> None:
    status, html = _page(client, path, lang)
    assert status == 404
    assert '"error"' not in html
    assert 'href="/verify' in html  # the next step: the verifier, and the home page
    assert TEXT[lang]["error_home"] in html


def test_a_turned_off_share_link_says_so_and_what_to_do(app: Flask,
                                                        client: FlaskClient) -> None:
    issued = _issue(app)
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, issued.id)
        assert row is not None
        row.share_enabled = False
    for lang in ("en", "es"):
        status, html = _page(client, f"/c/{issued.share_token}", lang)
        assert status == 410
        assert TEXT[lang]["error_link_off_title"] in html
        assert TEXT[lang]["error_link_off_next"] in html
    assert "Ask the teacher for a new link" in _page(client, f"/c/{issued.share_token}")[1]
    api = client.get(f"/c/{issued.share_token}", headers={"Accept": "application/json"})
    assert api.status_code == 410 and api.get_json()["error"]["code"] == "share_link_off"


def test_programs_get_json_and_api_paths_always_do(client: FlaskClient) -> None:
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = client.get("/no-such-page", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == \
            "not_found"
    api = client.get("/api/v1/nothing-here", headers={"Accept": BROWSER})
    assert api.status_code == 404 and api.mimetype == "application/json"
    assert json.loads(api.data)["error"]["code"] == "not_found"


def test_method_not_allowed_keeps_its_allow_header(client: FlaskClient) -> None:
    response = client.post("/healthz", headers={"Accept": BROWSER})
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_too_many_requests_says_how_long_to_wait(client: FlaskClient, lang: str) -> None:
    response = client.get("/test-busy", headers={"Accept": BROWSER, "Accept-Language": lang})
    assert response.status_code == 429 and response.headers["Retry-After"] == "42"
    assert TEXT[lang]["error_rate_next"].format(seconds=42) in response.data.decode()
    api = client.get("/test-busy")
    assert api.status_code == 429 and api.headers["Retry-After"] == "42"
    assert api.get_json()["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_crash_is_a_page_that_reveals_nothing(client: FlaskClient, lang: str) -> None:
    status, html = _page(client, "/test-crash", lang)
    assert status == 500
    assert TEXT[lang]["error_server_title"] in html and "boom" not in html
    api = client.get("/test-crash")
    assert api.status_code == 500 and "boom" not in api.data.decode()


def test_the_language_can_be_chosen_in_the_address(client: FlaskClient) -> None:
    response = client.get("/no-such-page?lang=es", headers={"Accept": BROWSER})
    assert TEXT["es"]["error_not_found_title"] in response.data.decode()


def test_the_home_page_and_the_header_lead_to_the_verifier(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept": BROWSER}).data.decode()
    assert html.count('href="/verify"') >= 2  # header and the home page's own card
    assert "Check a badge" in html


def test_when_the_layout_fails_the_error_page_still_answers(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("the database is down")

    monkeypatch.setattr("issuer.web.errors.render_template", broken)
    response = client.get("/no-such-page?lang=es", headers={"Accept": BROWSER})
    html = response.data.decode()
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert TEXT["es"]["error_not_found_title"] in html and '<html lang="es">' in html
    assert "database" not in html
