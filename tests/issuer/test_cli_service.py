"""The service commands of the ``badges`` CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from issuer.cli import main
from issuer.db import Database
from issuer.models import AuditEvent
from issuer.models import IssuedCredential


@pytest.fixture
def runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    return CliRunner()


def _count(db_url: str, model: type) -> int:
    database = Database(db_url)
    try:
        with database.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def test_seed_list_award_rotate(runner: CliRunner, db_url: str) -> None:
    seeded = runner.invoke(main, ["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "API token for lakeside: demo-" in seeded.output
    again = runner.invoke(main, ["seed-demo"])
    assert again.exit_code == 0 and "already exists" in again.output
    listed = runner.invoke(main, ["issuers", "list"])
    assert "did:web:badges.test:issuers:lakeside" in listed.output
    assert "lakeside-high" in listed.output
    helped = runner.invoke(main, ["issuers", "suspension", "--help"])
    assert "Trade-off:" in helped.output and "JSON Schema" in helped.output
    switched = runner.invoke(main, ["issuers", "suspension", "--issuer", "lakeside", "--on"])
    assert switched.exit_code == 0, switched.output
    assert "suspension entry" in switched.output and "Trade-off:" in switched.output
    switched = runner.invoke(main, ["issuers", "suspension", "--issuer", "lakeside", "--off"])
    assert switched.exit_code == 0 and "schema-valid" in switched.output
    unknown = runner.invoke(main, ["issuers", "suspension", "--issuer", "nobody", "--on"])
    assert unknown.exit_code != 0
    achievements = runner.invoke(main, ["achievements", "list", "--issuer", "lakeside"])
    assert "blended-learning-design" in achievements.output
    awarded = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement",
                                   "blended-learning-design", "--email", "new@teacher.org",
                                   "--name", "New Teacher"])
    assert awarded.exit_code == 0, awarded.output
    credential = json.loads(awarded.stdout)
    assert credential["proof"][0]["verificationMethod"].endswith("#ed-1")
    rotated = runner.invoke(main, ["keys", "rotate", "--issuer", "lakeside"])
    assert rotated.exit_code == 0 and "ed-2" in rotated.output
    jwt = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement",
                               "peer-mentoring", "--email", "new@teacher.org", "--name",
                               "New Teacher", "--format", "jwt"])
    assert jwt.exit_code == 0 and jwt.stdout.strip().count(".") == 2
    awarded_after = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement",
                                         "digital-literacy", "--email", "new@teacher.org",
                                         "--name", "New Teacher"])
    assert json.loads(awarded_after.stdout)["proof"][0]["verificationMethod"].endswith("#ed-2")
    actions = {a for a, in _rows(db_url)}
    assert {"credential.awarded", "key.created", "key.retired"} <= actions


def _rows(db_url: str) -> list[tuple[str]]:
    database = Database(db_url)
    try:
        with database.session() as session:
            return [(a,) for a in session.scalars(sa.select(AuditEvent.action))]
    finally:
        database.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["award", "--issuer", "nowhere", "--achievement", "x", "--email", "a@b.org",
      "--name", "A"], "unknown_issuer"),
    (["award", "--issuer", "lakeside", "--achievement", "nope", "--email", "a@b.org",
      "--name", "A"], "unknown_achievement"),
    (["award", "--issuer", "lakeside", "--achievement", "digital-literacy", "--email",
      "not-an-email", "--name", "A"], "invalid_email"),
    (["award", "--issuer", "lakeside", "--achievement", "digital-literacy", "--email",
      "a@b.org", "--name", "A" * 300], "field_too_long"),
    (["achievements", "list", "--issuer", "nowhere"], "unknown_issuer"),
    (["keys", "rotate", "--issuer", "nowhere"], "unknown_issuer"),
])
def test_bad_input_exits_2_and_changes_nothing(runner: CliRunner, db_url: str,
                                               args: list[str], message: str) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    before = (_count(db_url, IssuedCredential), _count(db_url, AuditEvent))
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert (_count(db_url, IssuedCredential), _count(db_url, AuditEvent)) == before


def test_missing_configuration_is_a_clear_error(runner: CliRunner,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGES_ENV", "production")
    monkeypatch.delenv("BADGES_SECRET_KEY", raising=False)
    result = runner.invoke(main, ["issuers", "list"])
    assert result.exit_code == 2
    assert "BADGES_SECRET_KEY" in result.output and "BADGES_KEY_ENCRYPTION_KEY" in result.output
    monkeypatch.setenv("BADGES_ENV", "development")
    monkeypatch.setenv("BADGES_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(main, ["issuers", "list"])
    assert result.exit_code == 2 and "cannot open the database" in result.output
