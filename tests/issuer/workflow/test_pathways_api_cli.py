"""Pathways through the JSON API and ``badges pathways`` (issue #20), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.models import ApiToken
from issuer.models import Organization
from issuer.services import achievements
from issuer.web.api import token_hash
from tests.issuer.workflow.conftest import World

TOKEN = "pathway-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def lakeside(app: Flask, world: World) -> None:
    with app.extensions["badges"]["db"].session() as session:
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
        achievements.create(session, org, slug="coach", name="EdTech Coach",
                            description="The capstone.", criteria="Every step.")


YAML = b"""slug: coach
name: EdTech Coach
completion: review
capstone: coach
steps:
  - title: Blended
    achievements: [blended-learning-design]
  - title: Data
    achievements: [data-informed-instruction]
    after: [1]
"""


@pytest.mark.usefixtures("lakeside")
def test_api_and_cli_create_list_show_archive_with_problems_by_field(
        app: Flask, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    url = "/api/v1/issuers/lakeside/pathways"
    assert client.get(url).status_code == 401
    bad = client.post(url, headers=AUTH, json={"slug": "coach", "name": "x", "capstone": "nope",
                                               "steps": [{"title": "", "achievements": []}]})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_pathway"
    assert {p["field"] for p in error["problems"]} == {
        "capstone", "steps[0].title", "steps[0].achievements"}
    listed = client.get(url, headers=AUTH).get_json()["pathways"]
    assert [p["slug"] for p in listed] == ["edtech"]  # the world's own; nothing half-saved
    made = client.post(url, headers={**AUTH, "Content-Type": "application/yaml"}, data=YAML)
    assert made.status_code == 201, made.get_json()
    pathway = made.get_json()["pathway"]
    assert (pathway["completion"], pathway["capstone"], pathway["steps"][1]["after"]) == (
        "review", "coach", [1])
    shown = client.get(f"{url}/coach", headers=AUTH).get_json()
    assert shown["cohort"] == {"completed": 0, "steps": [
        {"step": 1, "title": "Blended", "teachersDone": 0, "medianDaysSincePreviousStep": None},
        {"step": 2, "title": "Data", "teachersDone": 0, "medianDaysSincePreviousStep": None}]}
    csv = client.get(f"{url}/coach/cohort.csv", headers=AUTH)
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).splitlines()[1] == \
        "1,Blended,0,"
    assert client.post(f"{url}/coach/archive", headers=AUTH).status_code == 200
    again = client.post(f"{url}/coach/archive", headers=AUTH)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_archived"
    assert client.get(f"{url}/nope", headers=AUTH).status_code == 404

    # the same through ``badges pathways`` (a second pathway in the same database)
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(YAML.replace(b"after: [1]", b"after: [2]").replace(
        b"capstone: coach", b"capstone: nope").replace(b"slug: coach", b"slug: coach-2"))
    refused = runner.invoke(main, ["pathways", "create", "--issuer", "lakeside", str(bad)])
    assert refused.exit_code == 2
    assert "invalid_pathway: 2 problems" in refused.output
    assert "steps[1].after: list earlier step numbers (1 to 1)" in refused.output
    good = tmp_path / "coach.yaml"
    good.write_bytes(YAML.replace(b"slug: coach", b"slug: coach-2"))
    done = runner.invoke(main, ["pathways", "create", "--issuer", "lakeside", str(good)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("coach-2  EdTech Coach  2 steps  capstone coach  (review)")
    listed = runner.invoke(main, ["pathways", "list", "--issuer", "lakeside"])
    assert "coach-2  EdTech Coach" in listed.output and "edtech" in listed.output
    archived = runner.invoke(main, ["pathways", "archive", "--issuer", "lakeside", "coach-2"])
    assert archived.exit_code == 0 and "(archived)" in archived.output
    assert "coach-2" not in runner.invoke(
        main, ["pathways", "list", "--issuer", "lakeside"]).output.split()
