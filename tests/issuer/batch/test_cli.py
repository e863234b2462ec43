"""``badges award-batch --preview`` and ``badges batch status / report`` (in this process).

Full runs of the command, killed and resumed, are in test_runs.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.config import Settings
from issuer.db import Database
from tests.issuer.batch.conftest import BASE_URL
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import cli_runner
from tests.issuer.batch.conftest import make_batch

pytestmark = pytest.mark.usefixtures("district")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    return cli_runner(monkeypatch, settings)


def test_preview_lists_errors_by_line_and_issues_nothing(runner: CliRunner, tmp_path: Path,
                                                         database: Database) -> None:
    path = tmp_path / "awards.csv"
    path.write_bytes(award_csv(20, bad_every=10) + b"teacher0@lakeside.example.org,T,"
                     b"blended-learning-design,\n")
    result = runner.invoke(main, ["award-batch", str(path), "--issuer", "lakeside",
                                  "--preview"])
    assert result.exit_code == 1, result.output
    assert "21 rows: 18 to issue, 0 already issued, 1 repeated, 2 with errors" in result.output
    assert "line 11 (email): 'not-an-address' is not a valid e-mail address [invalid_email]" \
        in result.output
    assert "line 21 (name): name is required [missing_field]" in result.output
    clean = tmp_path / "clean.csv"
    clean.write_bytes(award_csv(3))
    ok = runner.invoke(main, ["award-batch", str(clean), "--issuer", "lakeside", "--preview"])
    assert ok.exit_code == 0 and "3 rows: 3 to issue" in ok.output
    unknown = runner.invoke(main, ["award-batch", str(clean), "--issuer", "nowhere"])
    assert unknown.exit_code == 2 and "unknown_issuer" in unknown.output


def test_status_and_report_of_a_run(runner: CliRunner, tmp_path: Path,
                                    database: Database) -> None:
    from issuer.batch import runner as chunk_runner
    from issuer.services.context import IssuerContext

    batch_id = make_batch(database, award_csv(12, bad_every=6), backend="inprocess")
    chunk_runner.run_chunk(database, IssuerContext(BASE_URL, bytes(range(32))),
                           batch_id=batch_id, chunk=0)
    status = runner.invoke(main, ["batch", "status", batch_id])
    assert status.exit_code == 0 and "completed" in status.output
    report_path = tmp_path / "report.csv"
    report = runner.invoke(main, ["batch", "report", batch_id, "--csv", str(report_path)])
    assert report.exit_code == 1  # two rows failed
    assert "issued 10, skipped 0 (already issued), failed 2" in report.output
    with report_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["state"] for r in rows].count("issued") == 10
    assert all(r["share_url"].startswith(f"{BASE_URL}/c/") for r in rows
               if r["state"] == "issued")
    missing = runner.invoke(main, ["batch", "status", "nope"])
    assert missing.exit_code == 2 and "unknown_batch" in missing.output
    no_redis = runner.invoke(main, ["worker", "--burst"])
    assert no_redis.exit_code == 2 and "BADGES_REDIS_URL" in no_redis.output
