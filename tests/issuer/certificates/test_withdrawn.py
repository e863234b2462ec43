"""A revoked or suspended badge has no certificate: no path gives a clean printable copy.

The decision: refuse (410 revoked, 409 suspended) rather than print a mark,
because a district's own certificate template could hide or crop a mark,
and batch certificate runs already withhold these credentials.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from issuer.certificates import service
from issuer.certificates.errors import CertificateError
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import status
from issuer.storage import storage_for
from tests.issuer import seed
from tests.issuer.certificates.conftest import text_layer
from tests.issuer.conftest import NOW

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    seed.suspension_on(app, "lakeside")  # off by default; these tests suspend too
    return app


def _issue(app: Flask) -> IssuedCredential:
    with app.extensions["badges"]["db"].session() as session:
        return issuance.award(session, seed.app_context(app), issuer="lakeside",
                              achievement="blended-learning-design",
                              email="maria@lakeside.example.org", name="María López",
                              actor="test", now=NOW)


def _withdraw(app: Flask, issued: IssuedCredential, action: str) -> None:
    with app.extensions["badges"]["db"].session() as session:
        if action == "revoke":
            status.revoke(session, issued.credential_id, reason="awarded in error",
                          public=True, actor="test", now=NOW)
        else:
            status.suspend(session, issued.credential_id, actor="test", now=NOW)


def _no_clean_pdf(body: bytes, mark: str) -> None:
    """Whatever came back is either not a PDF, or a PDF whose text carries the mark."""
    if body.startswith(b"%PDF"):
        assert mark in text_layer(body).upper()


@pytest.mark.parametrize(("action", "mark", "code", "http"),
                         [("revoke", "REVOKED", "certificate_withheld_revoked", 410),
                          ("suspend", "SUSPENDED", "certificate_withheld_suspended", 409)])
def test_a_withdrawn_badge_has_no_clean_certificate(app: Flask, action: str, mark: str,
                                                    code: str, http: int) -> None:
    client: FlaskClient = app.test_client()
    issued = _issue(app)
    path = f"/c/{issued.share_token}"
    before = client.get(f"{path}.pdf")
    assert before.status_code == 200 and "María López" in text_layer(before.data)
    _withdraw(app, issued, action)
    for url in (f"{path}.pdf", f"{path}.pdf?paper=a4"):
        answer = client.get(url)
        _no_clean_pdf(answer.data, mark)
        assert answer.status_code == http and answer.get_json()["error"]["code"] == code
        assert "on 23 November 2026" in answer.get_json()["error"]["message"]
    page = client.get(f"{path}.pdf", headers={"Accept": BROWSER})
    assert page.status_code == http and page.mimetype == "text/html"
    assert "no certificate" in page.data.decode().lower()
    # the wallet and the CLI render through the same service, which refuses too
    with app.extensions["badges"]["db"].session() as session:
        row = session.get(IssuedCredential, issued.id)
        assert row is not None
        with pytest.raises(CertificateError) as refused:
            service.render_issued(row, base_url="https://x.example",
                                  storage=storage_for(app.extensions["badges"]["settings"]))
        assert refused.value.code == code


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_the_share_page_shows_the_state_and_offers_no_printable_copy(app: Flask,
                                                                     action: str) -> None:
    client = app.test_client()
    issued = _issue(app)
    path = f"/c/{issued.share_token}"
    clean = client.get(path, headers={"Accept": BROWSER}).data.decode()
    assert f'{path}.pdf"' in clean and f'{path}.png"' in clean and 'id="share-link"' in clean
    _withdraw(app, issued, action)
    html = client.get(path, headers={"Accept": BROWSER}).data.decode()
    assert ("Revoked" if action == "revoke" else "Suspended") in html
    assert "23 November 2026" in html
    assert ".pdf" not in html and f"{path}.png" not in html and f"{path}.svg" not in html
    assert "Verify this badge now" in html
    # the preview a link shows in LinkedIn or a chat, and the browser tab, say it too
    word = "Revoked" if action == "revoke" else "Suspended"
    assert f'<meta property="og:title" content="{word}: Blended Learning Design' in html
    assert "this badge on 23 November 2026" in html and f"<title>{word}: " in html
    if action == "revoke":
        assert "awarded in error" in html


@pytest.mark.parametrize(("action", "code", "http"),
                         [("revoke", "image_withheld_revoked", 410),
                          ("suspend", "image_withheld_suspended", 409)])
def test_a_withdrawn_badge_has_no_baked_image(app: Flask, action: str, code: str,
                                             http: int) -> None:
    client = app.test_client()
    issued = _issue(app)
    path = f"/c/{issued.share_token}"
    assert client.get(f"{path}.png").data.startswith(b"\x89PNG")
    _withdraw(app, issued, action)
    for ext in ("png", "svg"):
        answer = client.get(f"{path}.{ext}")
        assert answer.status_code == http and answer.get_json()["error"]["code"] == code
        assert "on 23 November 2026" in answer.get_json()["error"]["message"]
        page = client.get(f"{path}.{ext}", headers={"Accept": BROWSER})
        assert page.status_code == http and page.mimetype == "text/html"
        assert "its image is not offered" in page.get_data(as_text=True)
    # the credential itself stays readable: a verifier sees its status there
    assert client.get(f"{path}.json").status_code == 200
