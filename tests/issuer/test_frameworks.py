"""Frameworks (issue #17): ISTE bundled, CASE 1.0 packages imported as alignment choices.

Every database test runs on SQLite and PostgreSQL. The CASE package is a fixture
written for these tests (``tests/fixtures/case/README.md``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.db import Database
from issuer.models import CompetencyFramework
from issuer.services import authoring
from issuer.services import definition
from issuer.services import frameworks
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.test_authoring import TOKEN
from tests.issuer.test_authoring import _api_app
from tests.issuer.test_authoring import example

PACKAGE = Path(__file__).parents[1] / "fixtures" / "case" / "lakeside-edtech-cfpackage.json"
SOURCES = Path(__file__).parents[2] / "SOURCES.md"


def test_iste_is_bundled_with_codes_short_names_and_attribution() -> None:
    found = frameworks.iste()
    assert found.bundled and found.title == "ISTE Standards for Educators"
    assert [(c.code, c.label) for c in found.choices] == [
        ("2.1", "Learner"), ("2.2", "Leader"), ("2.3", "Citizen"), ("2.4", "Collaborator"),
        ("2.5", "Designer"), ("2.6", "Facilitator"), ("2.7", "Analyst")]
    assert found.attribution and "ISTE" in found.attribution
    assert "issuer/frameworks/iste-educators.json" in SOURCES.read_text()
    # every choice is an alignment the authoring checks accept as it is
    doc = {**example(), "alignments": [c.alignment for c in found.choices]}
    assert definition.check(doc)[1] == []


def test_a_case_package_parses_into_alignment_items() -> None:
    parsed = frameworks.parse_package(PACKAGE.read_bytes())
    assert parsed["title"] == "Lakeside EdTech Competencies for Teachers"
    assert [i["code"] for i in parsed["items"]] == ["LEC.1", "LEC.1.a", "LEC.2", "LEC.2.a",
                                                    "LEC.3"]


def _broken(change: Callable[[dict[str, Any]], None]) -> bytes:
    package = json.loads(PACKAGE.read_text())
    change(package)
    return json.dumps(package).encode()


@pytest.mark.parametrize(("data", "field"), [
    (b"not json", "(document)"),
    (b"[]", "CFDocument"),
    (_broken(lambda p: p["CFDocument"].pop("title")), "CFDocument.title"),
    (_broken(lambda p: p["CFItems"][2].pop("fullStatement")), "CFItems[2].fullStatement"),
    (_broken(lambda p: p["CFItems"][1].update(uri="javascript:alert(1)")), "CFItems[1].uri"),
    (_broken(lambda p: p["CFItems"][3].update(identifier=p["CFItems"][0]["identifier"])),
     "CFItems[3].identifier"),
    (_broken(lambda p: p.update(CFItems=[])), "CFItems"),
])
def test_bad_packages_name_the_field(data: bytes, field: str) -> None:
    with pytest.raises(ServiceError) as caught:
        frameworks.parse_package(data)
    assert caught.value.code == "invalid_case_package" and caught.value.status == 422
    assert [p["field"] for p in caught.value.problems] == [field]


def test_imported_items_align_an_awarded_credential(database: Database,
                                                    ctx: IssuerContext) -> None:
    with database.session() as session:
        org = organizations.create(session, slug="lakeside", name="Lakeside Unified")
        signing_keys.ensure_keys(session, org, kek=ctx.kek, base_url=ctx.base_url, now=NOW,
                                 actor="test")
        school = organizations.create(session, slug="lakeside-high", name="Lakeside High",
                                      parent=org)
        frameworks.import_package(session, org, PACKAGE.read_bytes(), source=None,
                                  actor="test", now=NOW)
        # a second import of the same CFDocument replaces it
        frameworks.import_package(session, org, PACKAGE.read_bytes(), source=None,
                                  actor="test", now=NOW)
        assert session.scalar(sa.select(sa.func.count()).select_from(CompetencyFramework)) == 1
        # a school sees its district's frameworks
        offered = frameworks.available(session, school)
        assert [f.title for f in offered] == ["ISTE Standards for Educators",
                                              "Lakeside EdTech Competencies for Teachers"]
        case = offered[1]
        chosen = [c for c in case.choices if c.code in ("LEC.2", "LEC.2.a")]
        iste = [c for c in offered[0].choices if c.code == "2.5"]
        assert chosen[0].alignment["targetType"] == "CFItem"
        assert chosen[0].alignment["targetCode"] == json.loads(PACKAGE.read_text())[
            "CFItems"][2]["identifier"]
        doc = {**example(), "alignments": [c.alignment for c in [*chosen, *iste]]}
        made = authoring.create(session, org, doc, actor="test", now=NOW)
        authoring.publish(session, org, made.id, actor="test", now=NOW)
        issued = issuance.award(session, ctx, issuer=org, achievement=made.id,
                                email="maria@lakeside.test", name="María López", actor="t",
                                now=NOW)
        document = issued.document
    alignment = json.loads(document)["credentialSubject"]["achievement"]["alignment"]
    assert [(a.get("targetType"), a["targetFramework"]) for a in alignment] == [
        ("CFItem", "Lakeside EdTech Competencies for Teachers"),
        ("CFItem", "Lakeside EdTech Competencies for Teachers"),
        (None, "ISTE Standards for Educators")]
    report = seed.verify(document, database, ctx)
    assert report.verified, report.to_json()


class _Served:
    """The fixture package on a loopback HTTP server."""

    def __init__(self) -> None:
        body = PACKAGE.read_bytes()
        self.requests = 0
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                served.requests += 1
                self.send_response(200 if self.path == "/case.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served() -> Iterator[_Served]:
    made = _Served()
    yield made
    made.close()


def test_api_imports_by_url_through_the_safe_fetcher(make_app: Callable[..., Flask],
                                                     served: _Served) -> None:
    from tests.issuer.test_openapi import assert_documented

    path = "/api/v1/issuers/{slug}/frameworks"
    url = "/api/v1/issuers/lakeside/frameworks"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Without the allow-list the same loopback server is refused, before any request.
    for scheme, reason in (("http", "scheme_not_allowed"), ("https", "address_not_allowed")):
        with pytest.raises(ServiceError) as caught:
            frameworks.fetch_package(f"{scheme}://{served.host}/case.json",
                                     allow_hosts=frozenset(), development=True,
                                     own_url="https://badges.test")
        assert caught.value.code == "case_fetch_failed" and f"({reason})" in str(caught.value)
    assert served.requests == 0

    app = _api_app_allowing(make_app, served.host)
    client = app.test_client()
    refused = client.post(url, json={"url": "http://10.0.0.1/case.json"}, headers=auth)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "case_fetch_failed"
    assert_documented(refused, path, "post")
    listed = client.get(url, headers=auth)
    assert [f["identifier"] for f in listed.get_json()["frameworks"]] == ["iste-educators"]
    assert_documented(listed, path, "get")
    made = client.post(url, json={"url": f"http://{served.host}/case.json"}, headers=auth)
    assert made.status_code == 201, made.get_json()
    assert_documented(made, path, "post")
    items = made.get_json()["framework"]["items"]
    assert [i["code"] for i in items][:2] == ["LEC.1", "LEC.1.a"]
    assert items[0]["alignment"]["targetType"] == "CFItem"
    missing = client.post(url, json={"url": f"http://{served.host}/nothing.json"},
                          headers=auth)
    assert missing.status_code == 422 and missing.get_json()["error"]["problems"][0][
        "field"] == "url"
    bad = client.post(url, json={"CFDocument": {}}, headers=auth)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["problems"][0]["field"] == "CFDocument.identifier"
    assert_documented(bad, path, "post")
    assert client.post(url, json={"url": "x"}).status_code == 401


def _api_app_allowing(make_app: Callable[..., Flask], host: str) -> Flask:
    original = make_app

    def with_allow(**overrides: Any) -> Flask:
        return original(fetch_allow_hosts=host, **overrides)

    return _api_app(with_allow)


def test_cli_imports_a_file_and_lists_the_choices(db_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  ctx: IssuerContext) -> None:
    database = Database(db_url)
    try:
        with database.session() as session:
            organizations.create(session, slug="lakeside", name="Lakeside Unified")
    finally:
        database.dispose()
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    imported = runner.invoke(main, ["frameworks", "import", "--issuer", "lakeside",
                                    str(PACKAGE)])
    assert imported.exit_code == 0, imported.output
    assert "Lakeside EdTech Competencies for Teachers' (5 items)" in imported.output
    listed = runner.invoke(main, ["frameworks", "list", "--issuer", "lakeside", "--items"])
    assert listed.exit_code == 0
    assert "iste-educators  ISTE Standards for Educators  (bundled, 7 items)" in listed.output
    assert "  2.5           Designer" in listed.output
    assert "  LEC.2.a       Station rotation" in listed.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": {"identifier": "x"}}')
    refused = runner.invoke(main, ["frameworks", "import", "--issuer", "lakeside", str(bad)])
    assert refused.exit_code == 2 and "CFDocument.title: is required" in refused.output
    fetched = runner.invoke(main, ["frameworks", "import", "--issuer", "lakeside",
                                   "https://127.0.0.1:1/case.json"])
    assert fetched.exit_code == 2 and "url:" in fetched.output
