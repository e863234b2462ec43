"""``badges issuers claim-code``: a district requires e-mailed codes on wallet claims."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from issuer.cli import main
from issuer.db import Database
from issuer.models import AuditEvent
from issuer.models import Organization
from issuer.services import oid4vci


def test_switching_the_rule(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    on = runner.invoke(main, ["issuers", "claim-code", "--issuer", "lakeside", "--on"])
    assert on.exit_code == 0, on.output
    assert "need a code" in on.output
    unknown = runner.invoke(main, ["issuers", "claim-code", "--issuer", "nobody", "--on"])
    assert unknown.exit_code != 0
    database = Database(db_url)
    try:
        with database.session() as session:
            school = session.scalars(sa.select(Organization).where(
                Organization.slug == "lakeside-high")).one()
            assert oid4vci.tx_code_required(school)  # a district's schools follow it
            assert session.scalars(sa.select(AuditEvent).where(
                AuditEvent.action == "issuer.claim_tx_code_set")).one()
    finally:
        database.dispose()
    off = runner.invoke(main, ["issuers", "claim-code", "--issuer", "lakeside", "--off"])
    assert off.exit_code == 0 and "do not need" in off.output
