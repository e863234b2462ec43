"""Achievement authoring (issue #17): problems by field, life cycle, versions, API and CLI.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.db import Database
from issuer.models import Achievement
from issuer.models import AchievementVersion
from issuer.models import AuditEvent
from issuer.services import authoring
from issuer.services import definition
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "achievement.yaml"
README = Path(__file__).parents[2] / "README.md"


def example() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def _count(session: Any, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture
def district(database: Database, ctx: IssuerContext) -> None:
    with database.session() as session:
        org = organizations.create(session, slug="lakeside", name="Lakeside Unified")
        signing_keys.ensure_keys(session, org, kek=ctx.kek, base_url=ctx.base_url, now=NOW,
                                 actor="test")


def _create(database: Database, data: Any) -> str:
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        return authoring.create(session, org, data, actor="test", now=NOW).id


def test_readme_shows_the_example_file_whole() -> None:
    assert EXAMPLE.read_text().strip() in README.read_text()
    assert definition.check(example())[1] == []


@pytest.mark.usefixtures("district")
def test_every_problem_is_listed_by_field_and_nothing_is_stored(database: Database) -> None:
    bad = example()
    del bad["criteria"]
    bad["rubric"]["criteria"][1]["levels"][2].pop("description")
    bad["rubric"]["criteria"][2]["levels"][0]["points"] = -1
    bad["rubric"]["criteria"][2]["id"] = "design"
    bad["alignments"][1]["targetUrl"] = "ftp://iste.org/x"
    bad["alignments"][0]["targetType"] = "Standard"
    bad["validityDays"] = 0
    bad["reviewers"] = {"required": 9, "mentorConflict": "sometimes"}
    bad["achievementType"] = "Trophy"
    bad["tags"] = ["edtech", "edtech"]
    bad["colour"] = "green"
    with database.session() as session:
        before = (_count(session, Achievement), _count(session, AuditEvent))
    with pytest.raises(ServiceError) as caught:
        _create(database, bad)
    error = caught.value
    assert error.code == "invalid_achievement" and error.status == 422
    fields = {p["field"] for p in error.problems}
    assert fields == {
        "criteria", "rubric.criteria[1].levels[2].description",
        "rubric.criteria[2].levels[0].points", "rubric.criteria[2].id",
        "alignments[1].targetUrl", "alignments[0].targetType", "validityDays",
        "reviewers.required", "reviewers.mentorConflict", "achievementType", "tags[1]",
        "colour"}
    assert all(p["problem"] for p in error.problems)
    with database.session() as session:
        assert (_count(session, Achievement), _count(session, AuditEvent)) == before
        assert _count(session, AchievementVersion) == 0


@pytest.mark.usefixtures("district")
def test_duplicate_slug_is_a_slug_problem(database: Database) -> None:
    _create(database, example())
    again = example()
    again["name"] = ""
    with pytest.raises(ServiceError) as caught:
        _create(database, again)
    assert {p["field"] for p in caught.value.problems} == {"slug", "name"}
    assert "already has" in next(p["problem"] for p in caught.value.problems
                                 if p["field"] == "slug")


@pytest.mark.parametrize("document", [b"- a\n- b\n", b"a: &x [1]\nb: *x\n", b"\xff\xfe",
                                      b"name: [unclosed\n", b"[" * 20000 + b"]" * 20000,
                                      b"a: " + b"{b: " * 30 + b"1" + b"}" * 30,
                                      b"name: !!python/object/apply:os.system [ls]\n"])
def test_unreadable_documents_are_refused_with_a_problem(document: bytes) -> None:
    try:
        value = definition.load(document)
    except ServiceError as exc:
        assert exc.code == "invalid_document" and exc.problems
        return
    assert definition.check(value)[1] == [
        {"field": "(document)", "problem": "must be an object (a mapping of field names "
                                           "to values)"}]


@pytest.mark.usefixtures("district")
def test_draft_published_archived(database: Database, ctx: IssuerContext) -> None:
    made = _create(database, example())

    def award() -> Any:
        with database.session() as session:
            return issuance.award(session, ctx, issuer="lakeside", achievement=made,
                                  email="maria@lakeside.test", name="María López",
                                  actor="test", now=NOW)

    with pytest.raises(ServiceError) as caught:
        award()
    assert caught.value.code == "achievement_draft"
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        authoring.publish(session, org, "classroom-technology-integration", actor="t", now=NOW)
    issued = award()
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        with pytest.raises(ServiceError) as again:
            authoring.publish(session, org, made, actor="t", now=NOW)
        assert again.value.code == "already_published"
        archived = authoring.archive(session, org, made, actor="t", now=NOW)
        assert archived.status == "archived" and not archived.active
    with pytest.raises(ServiceError) as retired:
        award()
    assert retired.value.code == "achievement_retired"
    report = seed.verify(issued.document, database, ctx)
    assert report.verified, report.to_json()
    with database.session() as session:
        actions = list(session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.subject_type == "achievement").order_by(AuditEvent.id)))
    assert actions == ["achievement.created", "achievement.published", "achievement.archived"]


@pytest.mark.usefixtures("district")
def test_editing_an_awarded_achievement_makes_a_new_version(database: Database,
                                                            ctx: IssuerContext) -> None:
    made = _create(database, example())
    edited = example()
    edited["name"] = "Classroom Technology Integration (draft edit)"
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        found, new = authoring.update(session, org, made, edited, actor="t", now=NOW)
        assert not new and found.version == "1"  # a draft changes in place
        authoring.publish(session, org, made, actor="t", now=NOW)
        first = issuance.award(session, ctx, issuer=org, achievement=made,
                               email="maria@lakeside.test", name="María López",
                               actor="t", now=NOW)
        first_document = first.document
    second = copy.deepcopy(edited)
    second["criteria"] = "Submit two lesson plans and a reflection."
    second["rubric"]["criteria"].pop()
    with database.session() as session:
        org = organizations.get(session, "lakeside")
        found, new = authoring.update(session, org, made, second, actor="t", now=NOW)
        assert new and found.version == "2"
        # the same definition again changes nothing
        assert authoring.update(session, org, made, second, actor="t", now=NOW)[1] is False
        with pytest.raises(ServiceError) as renamed:
            authoring.update(session, org, made, {**second, "slug": "other"}, actor="t",
                             now=NOW)
        assert renamed.value.problems == [{"field": "slug", "problem": (
            "is 'classroom-technology-integration' for this achievement and cannot be "
            "changed")}]
        later = issuance.award(session, ctx, issuer=org, achievement=made,
                               email="tom@lakeside.test", name="Tom Nakamura",
                               actor="t", now=NOW)
        assert [v.number for v in authoring.versions(session, found)] == [1, 2]
        assert (first.achievement_version, later.achievement_version) == (1, 2)
        later_document = later.document
    old = json.loads(first_document)["credentialSubject"]["achievement"]
    new_ = json.loads(later_document)["credentialSubject"]["achievement"]
    assert old["version"] == "1" and new_["version"] == "2"
    assert old["criteria"]["narrative"].startswith("Submit a lesson plan")
    assert new_["criteria"]["narrative"] == "Submit two lesson plans and a reflection."
    assert len(old["resultDescription"]) == 3 and len(new_["resultDescription"]) == 2
    for document in (first_document, later_document):
        report = seed.verify(document, database, ctx)
        assert report.verified, report.to_json()


TOKEN = "authoring-token"


def _api_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    from issuer.models import ApiToken
    from issuer.web.api import token_hash

    ctx = seed.app_context(app)
    with app.extensions["badges"]["db"].session() as session:
        org = organizations.create(session, slug="lakeside", name="Lakeside Unified")
        signing_keys.ensure_keys(session, org, kek=ctx.kek, base_url=ctx.base_url, now=NOW,
                                 actor="test")
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
    return app


def _definition_row(app: Flask, slug: str) -> dict[str, Any]:
    with app.extensions["badges"]["db"].session() as session:
        org = organizations.get(session, "lakeside")
        found = session.scalar(sa.select(Achievement).where(
            Achievement.organization_id == org.id, Achievement.slug == slug))
        assert found is not None
        return definition.to_document(authoring.definition_of(found))


def test_api_and_cli_create_the_same_achievement_from_the_same_yaml(
        make_app: Callable[..., Flask], db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = _api_app(make_app)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = EXAMPLE.read_text()
    made = client.post("/api/v1/issuers/lakeside/achievements", data=text.encode(),
                       headers={**auth, "Content-Type": "application/yaml"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()["achievement"]
    assert body["status"] == "draft" and body["version"] == 1
    via_api = _definition_row(app, "classroom-technology-integration")

    # The CLI, on the same database, from the same file under another slug.
    other = text.replace("slug: classroom-technology-integration", "slug: cti-from-cli")
    path = tmp_path / "achievement.yaml"
    path.write_text(other)
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    created = runner.invoke(main, ["achievements", "create", "--issuer", "lakeside",
                                   str(path)])
    assert created.exit_code == 0, created.output
    assert "cti-from-cli  draft  version 1" in created.output
    via_cli = _definition_row(app, "cti-from-cli")
    assert {**via_cli, "slug": None} == {**via_api, "slug": None}
    # JSON with the same names is the same achievement too.
    as_json = {**yaml.safe_load(text), "slug": "cti-from-json"}
    made_json = client.post("/api/v1/issuers/lakeside/achievements", json=as_json,
                            headers=auth)
    assert made_json.status_code == 201
    assert {**_definition_row(app, "cti-from-json"), "slug": None} == {**via_api, "slug": None}

    published = runner.invoke(main, ["achievements", "publish", "--issuer", "lakeside",
                                     "cti-from-cli"])
    assert published.exit_code == 0 and "published" in published.output
    edited = other.replace("effortHours: 12", "effortHours: 14")
    path.write_text(edited)
    updated = runner.invoke(main, ["achievements", "update", "--issuer", "lakeside", "--json",
                                   str(path)])
    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.output)["effortHours"] == 14
    exported = runner.invoke(main, ["achievements", "export", "--issuer", "lakeside",
                                    "cti-from-cli"])
    assert exported.exit_code == 0, exported.output
    round_trip = yaml.safe_load(exported.output)
    assert round_trip["effortHours"] == 14 and round_trip["slug"] == "cti-from-cli"
    assert definition.check(round_trip)[1] == []
    path.write_text(exported.output)
    unchanged = runner.invoke(main, ["achievements", "update", "--issuer", "lakeside",
                                     str(path)])
    assert unchanged.exit_code == 0 and "(updated)" in unchanged.output
    archived = runner.invoke(main, ["achievements", "archive", "--issuer", "lakeside",
                                    "cti-from-cli"])
    assert archived.exit_code == 0 and "archived" in archived.output

    # A bad file: every problem by field, from both, and nothing stored.
    broken = yaml.safe_load(text)
    broken["slug"] = "broken"
    del broken["criteria"]
    broken["rubric"]["criteria"][0]["levels"][0]["description"] = ""
    path.write_text(yaml.safe_dump(broken))
    refused = runner.invoke(main, ["achievements", "create", "--issuer", "lakeside",
                                   str(path)])
    assert refused.exit_code == 2
    assert "invalid_achievement: 2 problems" in refused.output
    assert "  criteria: is required" in refused.output
    assert "  rubric.criteria[0].levels[0].description: is required" in refused.output
    answer = client.post("/api/v1/issuers/lakeside/achievements",
                         data=yaml.safe_dump(broken), headers={
                             **auth, "Content-Type": "application/yaml"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_achievement"
    assert error["problems"] == [
        {"field": "criteria", "problem": "is required"},
        {"field": "rubric.criteria[0].levels[0].description", "problem": "is required"}]
    listed = client.get("/api/v1/issuers/lakeside/achievements", headers=auth).get_json()
    assert sorted(a["slug"] for a in listed["achievements"]) == [
        "classroom-technology-integration", "cti-from-cli", "cti-from-json"]


def test_api_lifecycle_errors_and_public_history(make_app: Callable[..., Flask]) -> None:
    app = _api_app(make_app)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    base = "/api/v1/issuers/lakeside/achievements"
    assert client.post(base, json=example()).status_code == 401
    assert client.post(base, data="x", headers={**auth, "Content-Type": "text/plain"}
                       ).status_code == 415
    deep = client.post(base, data=b"[" * 100_000 + b"]" * 100_000,
                       headers={**auth, "Content-Type": "application/json"})
    assert deep.status_code == 400 and deep.get_json()["error"]["code"] == "invalid_json"
    bomb = b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    refused = client.post(base, data=bomb, headers={**auth, "Content-Type": "application/yaml"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == \
        "invalid_document"
    made = client.post(base, json=example(), headers=auth).get_json()["achievement"]
    ref = made["id"]
    assert client.get(f"/achievements/{ref}").status_code == 404  # a draft is not public
    assert client.post(f"{base}/{ref}/publish", headers=auth).status_code == 200
    assert client.post(f"{base}/{ref}/publish", headers=auth).get_json()["error"]["code"] == \
        "already_published"
    assert client.get(f"{base}/nothing", headers=auth).status_code == 404
    ctx = seed.app_context(app)
    with app.extensions["badges"]["db"].session() as session:
        token = issuance.award(session, ctx, issuer="lakeside", achievement=ref,
                               email="maria@lakeside.test", name="María López", actor="t",
                               now=NOW).share_token
    edited = {**example(), "description": "Second wording of the description.",
              "alignments": example()["alignments"][:1]}
    put = client.put(f"{base}/{ref}", json=edited, headers=auth)
    # the share page shows the achievement as the credential holds it: version 1
    share = client.get(f"/c/{token}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Plans and teaches lessons" in share and "Second wording" not in share
    assert f"/achievements/{ref}?version=1" in share
    assert "2.5 Designer" in share and "2.6 Facilitator" in share
    assert put.status_code == 200 and put.get_json()["newVersion"] is True
    assert [v["number"] for v in put.get_json()["achievement"]["versions"]] == [1, 2]
    page = client.get(f"/achievements/{ref}").get_data(as_text=True)
    assert "Second wording" in page and "History" in page
    assert f"/achievements/{ref}?version=1" in page
    old = client.get(f"/achievements/{ref}?version=1").get_data(as_text=True)
    assert "Plans and teaches lessons" in old and "You are reading version 1" in old
    assert "(3 points)" in old and "2.5 Designer" in old
    ld = client.get(f"/achievements/{ref}?version=1", headers={"Accept": "application/ld+json"})
    assert ld.get_json()["version"] == "1"
    assert client.get(f"/achievements/{ref}?version=7").status_code == 404
    assert client.get(f"/achievements/{ref}?version=x").status_code == 400
    archived = client.post(f"{base}/{ref}/archive", headers=auth)
    assert archived.get_json()["achievement"]["status"] == "archived"
    assert "no longer offered" in client.get(f"/achievements/{ref}").get_data(as_text=True)
    assert client.put(f"{base}/{ref}", json=edited, headers=auth).get_json()["error"][
        "code"] == "achievement_archived"


def test_authoring_answers_match_the_openapi_document(make_app: Callable[..., Flask]) -> None:
    from tests.issuer.test_openapi import assert_documented

    app = _api_app(make_app)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    base, path = "/api/v1/issuers/lakeside/achievements", "/api/v1/issuers/{slug}/achievements"
    one = path + "/{ref}"
    calls = [
        (client.post(base, json=example(), headers=auth), path, "post", 201),
        (client.post(base, json=example(), headers=auth), path, "post", 422),
        (client.post(base, json=[1], headers=auth), path, "post", 400),
        (client.post(base, data="a", headers={**auth, "Content-Type": "text/csv"}), path,
         "post", 415),
        (client.post(base, json=example()), path, "post", 401),
        (client.post("/api/v1/issuers/nowhere/achievements", json=example(), headers=auth),
         path, "post", 404),
        (client.get(base, headers=auth), path, "get", 200),
        (client.get(f"{base}/classroom-technology-integration", headers=auth), one, "get",
         200),
        (client.get(f"{base}/nothing", headers=auth), one, "get", 404),
        (client.put(f"{base}/classroom-technology-integration", json={
            **example(), "tags": ["x"]}, headers=auth), one, "put", 200),
        (client.put(f"{base}/classroom-technology-integration", json={"name": 3},
                    headers=auth), one, "put", 422),
        (client.post(f"{base}/classroom-technology-integration/publish", headers=auth),
         one + "/publish", "post", 200),
        (client.post(f"{base}/classroom-technology-integration/publish", headers=auth),
         one + "/publish", "post", 409),
        (client.post(f"{base}/classroom-technology-integration/archive", headers=auth),
         one + "/archive", "post", 200),
        (client.put(f"{base}/classroom-technology-integration", json=example(),
                    headers=auth), one, "put", 409),
    ]
    for response, documented, method, status in calls:
        assert response.status_code == status, (documented, method, response.get_json())
        assert_documented(response, documented, method)
