"""The share page shows the evidence the teacher shared and a current-status line (issue #18)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from badges import model
from issuer.services import issuance
from tests.issuer import seed
from tests.issuer.conftest import NOW

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
EVIDENCE = (
    model.Evidence(id="https://portfolio.example.org/fractions", name="Fractions unit",
                   narrative="Two weeks of blended lessons.", genre="Link"),
    model.Evidence(name="Reflection on facilitation", narrative="What I changed & why.",
                   genre="Reflection"),
    model.Evidence(name="Unit plan", genre="Document",
                   description="plan.pdf: reviewed by the district; the file itself is kept "
                               "private."),
)


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_the_share_page_shows_shared_evidence_and_the_status(
        make_app: Callable[..., Flask], fmt: str) -> None:
    app = make_app()
    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, seed.app_context(app), issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria@lakeside.example.org", name="María López",
                                actor="test", now=NOW, fmt=fmt, evidence=EVIDENCE)
    html = app.test_client().get(f"/c/{issued.share_token}",
                                 headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "Evidence shared by María López" in html
    assert '<a href="https://portfolio.example.org/fractions" rel="noopener noreferrer nofollow">' \
        'Fractions unit</a>' in html
    assert "What I changed &amp; why." in html and "the file itself is kept private" in html
    assert 'id="current-status"' in html and "Current status: active." in html
    assert "has not revoked or suspended it (as of 23 November 2026" in html


def test_no_evidence_no_section_and_no_unsafe_link(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    with app.extensions["badges"]["db"].session() as session:
        plain = issuance.award(session, seed.app_context(app), issuer="lakeside",
                               achievement="blended-learning-design",
                               email="maria@lakeside.example.org", name="María López",
                               actor="test", now=NOW)
        odd = issuance.award(session, seed.app_context(app), issuer="lakeside",
                             achievement="blended-learning-design",
                             email="maria@lakeside.example.org", name="María López",
                             actor="test", now=NOW,
                             evidence=(model.Evidence(id="urn:uuid:1b4e28ba-2fa1-11d2-883f-"
                                                      "0016d3cca427", name="Lesson video"),))
    client = app.test_client()
    assert 'id="evidence"' not in client.get(f"/c/{plain.share_token}",
                                             headers={"Accept": BROWSER}).get_data(as_text=True)
    html = client.get(f"/c/{odd.share_token}", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "Lesson video" in html and 'href="urn:' not in html


def test_the_share_page_speaks_the_reader_s_language(make_app: Callable[..., Flask]) -> None:
    from issuer.services import status

    app = make_app()
    seed.districts_with_tokens(app, "t-lakeside", "t-elsewhere")
    with app.extensions["badges"]["db"].session() as session:
        issued = issuance.award(session, seed.app_context(app), issuer="lakeside",
                                achievement="blended-learning-design",
                                email="maria@lakeside.example.org", name="María López",
                                actor="test", now=NOW, evidence=EVIDENCE[:1])
    client = app.test_client()
    path = f"/c/{issued.share_token}"
    spanish = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "es-MX,es;q=0.9"})
    html = spanish.get_data(as_text=True)
    assert spanish.headers["Content-Language"] == "es"
    assert "Accept-Language" in spanish.headers["Vary"] and "Accept" in spanish.headers["Vary"]
    assert '<html lang="es">' in html and "Obtenida por" in html
    assert "Estado actual: vigente." in html and "23 de noviembre de 2026" in html
    assert "Evidencias que compartió María López" in html and "Copiar el enlace" in html
    assert 'aria-current="page"' in html and ">Español</a>" in html
    assert "Comprobar una insignia" in html  # the header's way to the verifier
    assert "Iniciar sesión" in html and "Sign in" not in html
    english = client.get(f"{path}?lang=en", headers={"Accept": BROWSER,
                                                     "Accept-Language": "es"})
    assert "Earned by" in english.get_data(as_text=True)
    with app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued.credential_id, reason="otorgada por error", public=True,
                      actor="test", now=NOW)
    revoked = client.get(f"{path}?lang=es", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<h2" in revoked and "Revocada</h2>" in revoked
    assert "revocó esta credencial el 23 de noviembre de 2026" in revoked
    assert "Motivo indicado: otorgada por error" in revoked
    assert 'content="Revocada: Blended Learning Design, obtenida por María López"' in revoked
