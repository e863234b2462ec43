"""Editing a pathway through the JSON API, ``badges pathways update`` and the admin page.

Each surface calls :func:`issuer.workflow.pathways.update`, so each answers
the same refusals (422 problems by field, 409 archived / capstone fixed);
then the pathway pages in Spanish (``?lang=es``). SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.models import AuditEvent
from issuer.models import Organization
from issuer.models import Person
from issuer.models_workflow import Pathway
from issuer.services import achievements
from issuer.services import issuance
from issuer.services import pathways as definitions
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_pathways_api_cli import AUTH
from tests.issuer.workflow.test_pathways_api_cli import YAML
from tests.issuer.workflow.test_pathways_api_cli import lakeside  # noqa: F401 - the fixture

URL = "/api/v1/issuers/lakeside/pathways"


def _create(app: Flask) -> None:
    client = app.test_client()
    made = client.post(URL, headers={**AUTH, "Content-Type": "application/yaml"}, data=YAML)
    assert made.status_code == 201, made.get_json()


def _award(app: Flask, email: str, name: str, *slugs: str) -> None:
    with app.extensions["badges"]["db"].session() as session:
        settings = app.extensions["badges"]["settings"]
        ctx = issuance.IssuerContext(base_url=settings.base_url,
                                     kek=settings.key_encryption_key)
        for slug in slugs:
            issuance.award(session, ctx, issuer="lakeside", achievement=slug, email=email,
                           name=name, actor="t", now=NOW)


@pytest.mark.usefixtures("lakeside")
def test_api_put_edits_with_the_same_answers_as_create(app: Flask) -> None:
    _create(app)
    client = app.test_client()
    # María holds the first step; the edit makes it the only step: she completes at once
    _award(app, "maria@lakeside.test", "María López", "blended-learning-design")
    assert client.put(f"{URL}/coach", json={}).status_code == 401
    assert client.put(f"{URL}/coach", headers=AUTH, data="x",
                      content_type="text/plain").status_code == 415
    bad = client.put(f"{URL}/coach", headers=AUTH, json={
        "slug": "other", "name": "x", "capstone": "nope", "steps": [{"title": "",
                                                                    "achievements": []}]})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_pathway"
    assert {p["field"] for p in error["problems"]} == {
        "slug", "capstone", "steps[0].title", "steps[0].achievements"}
    one_step = YAML.split(b"  - title: Data")[0].replace(b"completion: review",
                                                         b"completion: automatic")
    done = client.put(f"{URL}/coach", headers={**AUTH, "Content-Type": "application/yaml"},
                      data=one_step)
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert answer["pathway"]["slug"] == "coach" and len(answer["pathway"]["steps"]) == 1
    assert set(answer["changes"]) == {"completion", "steps"}
    assert answer["completedNow"] == [{"person": "María López", "status": "issued"}]
    shown = client.get(f"{URL}/coach", headers=AUTH).get_json()
    assert shown["cohort"]["completed"] == 1
    with app.extensions["badges"]["db"].session() as session:
        audit = session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "pathway.updated"))
        assert audit is not None and audit.actor == "api-token:lakeside"
    # the capstone is fixed now; the count is in the message
    with app.extensions["badges"]["db"].session() as session:
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        achievements.create(session, org, slug="coach-2", name="Coach Two",
                            description="d", criteria="c")
    locked = client.put(f"{URL}/coach", headers={**AUTH, "Content-Type": "application/yaml"},
                        data=one_step.replace(b"capstone: coach", b"capstone: coach-2"))
    assert locked.status_code == 409
    assert locked.get_json()["error"]["code"] == "capstone_locked"
    assert "1 capstone was already issued" in locked.get_json()["error"]["message"]
    assert client.put(f"{URL}/nope", headers=AUTH, json={}).status_code == 404
    assert client.post(f"{URL}/coach/archive", headers=AUTH).status_code == 200
    archived = client.put(f"{URL}/coach", headers={**AUTH, "Content-Type": "application/yaml"},
                          data=one_step)
    assert archived.status_code == 409
    assert archived.get_json()["error"]["code"] == "pathway_archived"


@pytest.mark.usefixtures("lakeside")
def test_cli_update_from_a_file(app: Flask, db_url: str, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    _create(app)
    _award(app, "maria@lakeside.test", "María López", "blended-learning-design",
           "data-informed-instruction")
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(YAML.replace(b"slug: coach", b"slug: renamed").replace(
        b"after: [1]", b"after: [3]"))
    refused = runner.invoke(main, ["pathways", "update", "--issuer", "lakeside", "coach",
                                   "--file", str(bad)])
    assert refused.exit_code == 2
    assert "invalid_pathway: 2 problems" in refused.output
    assert "slug: the slug is the pathway's identity and cannot change" in refused.output
    good = tmp_path / "good.yaml"
    good.write_bytes(YAML.replace(b"name: EdTech Coach", b"name: Coach, renamed"))
    done = runner.invoke(main, ["pathways", "update", "--issuer", "lakeside", "coach",
                                "--file", str(good)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "coach  Coach, renamed  2 steps  capstone coach  (review)"
    assert lines[1:] == ["changed: name", "completed now: María López (final review)"]
    again = runner.invoke(main, ["pathways", "update", "--issuer", "lakeside", "coach",
                                 "--file", str(good), "--json"])
    assert again.exit_code == 0, again.output
    doc = json.loads(again.output)
    assert (doc["name"], doc["changes"], doc["completedNow"]) == ("Coach, renamed", {}, [])
    missing = runner.invoke(main, ["pathways", "update", "--issuer", "lakeside", "coach"])
    assert missing.exit_code == 2 and "--file" in missing.output
    assert runner.invoke(main, ["pathways", "archive", "--issuer", "lakeside",
                                "coach"]).exit_code == 0
    archived = runner.invoke(main, ["pathways", "update", "--issuer", "lakeside", "coach",
                                    "--file", str(good)])
    assert archived.exit_code == 2
    assert "archived pathway cannot be edited (pathway_archived)" in archived.output


def _pathway_id(app: Flask, slug: str = "coach") -> int:
    with app.extensions["badges"]["db"].session() as session:
        found = session.scalar(sa.select(Pathway.id).where(Pathway.slug == slug))
        assert found is not None
        return int(found)


@pytest.mark.usefixtures("lakeside")
def test_admin_page_edits_prefilled_with_errors_by_field(
        app: Flask, as_user: Callable[[str], Browser]) -> None:
    _create(app)
    pid = _pathway_id(app)
    admin = as_user("admin")
    page = admin.get(f"/district/pathways/{pid}/edit").get_data(as_text=True)
    assert 'name="name" type="text" value="EdTech Coach"' in page
    assert re.search(r'id="f-slug" name="slug" type="text" value="coach" readonly', page)
    assert re.search(r'name="steps\[1\]\.achievements" value="data-informed-instruction" '
                     r'checked', page)
    assert 'name="steps[1].after" type="text" value="1"' in page
    assert '<option value="review" selected>' in page
    form = {"name": "", "slug": "coach", "capstone": "coach", "completion": "review",
            "steps[0].title": "Blended", "steps[0].achievements": "blended-learning-design",
            "steps[1].title": "Data", "steps[1].achievements": "data-informed-instruction",
            "steps[1].after": "1"}
    refused = admin.post(f"/district/pathways/{pid}", form)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "1 problem to fix: nothing was saved" in text
    assert 'id="f-name-error"' in text and 'aria-invalid="true"' in text
    saved = admin.post(f"/district/pathways/{pid}", {**form, "name": "Coach, edited"})
    assert saved.status_code == 303
    shown = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Changes saved: Coach, edited." in shown and "Edit this pathway" in shown
    assert as_user("reviewer").get(f"/district/pathways/{pid}/edit").status_code == 403
    assert as_user("other_admin").post(f"/district/pathways/{pid}", form).status_code == 404
    assert admin.post(f"/district/pathways/{pid}/archive").status_code == 303
    archived = admin.get(f"/district/pathways/{pid}/edit")
    assert archived.status_code == 409
    assert "archived pathway cannot be edited" in archived.get_data(as_text=True)
    assert admin.post(f"/district/pathways/{pid}", form).status_code == 409


ENGLISH = ("New pathway", "Capstone awarded by", "Completed", "Download the cohort figures",
           "Edit this pathway", "Archive this pathway", "Save changes", "The goal",
           "How the capstone is awarded", "Step 1 title", "unlocked after", "Show the numbers",
           "teachers completed the pathway", "Teachers who completed each step",
           "Save pathway", "(required)", "problem to fix", "Final review of the pathway")


@pytest.mark.usefixtures("lakeside")
def test_pathway_pages_in_spanish(app: Flask, world: World,
                                  as_user: Callable[[str], Browser]) -> None:
    _create(app)
    pid = _pathway_id(app)
    admin = as_user("admin")
    spanish = {
        "/district/pathways?org=lakeside&lang=es": (
            "Itinerarios", "Nuevo itinerario", "Credencial final otorgada por",
            "revisión final", "Completado"),
        "/district/pathways/new?org=lakeside&lang=es": (
            "Nuevo itinerario", "El objetivo", "Nombre corto para los enlaces",
            "Cómo se otorga la credencial final", "Título de la etapa 1",
            "Microcredenciales de la etapa 2", "Etapa 3: se desbloquea tras las etapas",
            "Guardar el itinerario", "(obligatorio)"),
        f"/district/pathways/{pid}/edit?lang=es": (
            "Editar «EdTech Coach»", "El nombre corto identifica el itinerario",
            "Los docentes en curso se miden con las nuevas etapas", "Guardar los cambios"),
        f"/district/pathways/{pid}?lang=es": (
            "Credencial final:", "otorgada tras una revisión final",
            "(se desbloquea tras la etapa 1)", "docentes completaron el itinerario",
            "Descargar las cifras de la cohorte (CSV)", "Docentes que completaron cada etapa",
            "Etapa 1: Blended", "Editar este itinerario", "Archivar este itinerario"),
    }
    for path, words in spanish.items():
        response = admin.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Language"] == "es"
        text = response.get_data(as_text=True)
        for word in words:
            assert word in text, (path, word)
        for english in ENGLISH:
            assert english not in text, (path, english)
    form = {"name": "", "slug": "coach", "capstone": "coach", "completion": "review",
            "steps[0].title": "Blended", "steps[0].achievements": "blended-learning-design"}
    refused = admin.post(f"/district/pathways/{pid}?lang=es", form).get_data(as_text=True)
    assert "1 problema por corregir: no se guardó nada" in refused
    saved = admin.post(f"/district/pathways/{pid}?lang=es", {**form, "name": "Coach"})
    shown = admin.get(saved.headers["Location"] + "?lang=es").get_data(as_text=True)
    assert "Cambios guardados: Coach." in shown
    # the final review page a reviewer meets when a teacher completes a review pathway
    _award(app, "maria@lakeside.test", "María López", "blended-learning-design")
    with app.extensions["badges"]["db"].session() as session:
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        settings = app.extensions["badges"]["settings"]
        ctx = issuance.IssuerContext(base_url=settings.base_url,
                                     kek=settings.key_encryption_key)
        from issuer.workflow import pathways

        pathways.reevaluate(session, ctx, definitions.get(session, org, "coach"), actor="t",
                            now=NOW)
        maria = session.scalar(sa.select(Person).where(Person.display_name == "María López"))
        assert maria is not None
        from issuer.models_workflow import PathwayCompletion

        completion = session.scalar(sa.select(PathwayCompletion))
        assert completion is not None and completion.submission_id is not None
        submission = completion.submission_id
    review = as_user("reviewer").get(f"/review/{submission}?lang=es").get_data(as_text=True)
    assert "Revisión final del itinerario «Coach»" in review
    assert "María López completó todas las etapas" in review
    assert "Final review of the pathway" not in review
    # and the teacher's wallet
    wallet = as_user("teacher").get("/wallet?lang=es").get_data(as_text=True)
    card = wallet[wallet.index('id="pathway-coach"'):]
    card = card[:card.index("</article>")]
    assert "Revisión final" in card and "«EdTech Coach»" in card
    assert "Final review" not in card and "“" not in card
