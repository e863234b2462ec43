"""One clock: the service runs at whatever date its configured clock says (issue #13)."""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.cli.context import CliContext
from tests.conftest import load_json
from tests.issuer import seed
from tests.issuer.conftest import NOW
from verifier.clock import FixedClock
from verifier.clock import RunningClock
from verifier.clock import fixed_clock
from verifier.clock import running_from
from verifier.clock import system_clock

FAR = datetime(2031, 6, 15, 9, 30, tzinfo=UTC)


def test_clocks_are_aware_and_travel_to_other_processes() -> None:
    fixed = fixed_clock(FAR)
    assert fixed() == FAR and fixed() is fixed()
    running = running_from(FAR)
    first = running()
    time.sleep(0.01)
    later = running()
    assert FAR <= first < later < FAR + timedelta(seconds=5)
    copy = pickle.loads(pickle.dumps(running))  # what the job pool's workers receive
    assert isinstance(copy, RunningClock) and abs(copy() - running()) < timedelta(seconds=1)
    assert pickle.loads(pickle.dumps(fixed)) == FixedClock(FAR)
    for make in (fixed_clock, running_from):
        with pytest.raises(ValueError, match="timezone-aware"):
            make(datetime(2031, 1, 1))  # noqa: DTZ001 - the point of the test
    assert abs(system_clock() - datetime.now(UTC)) < timedelta(seconds=5)


def test_pages_and_apis_take_the_apps_clock(make_app: Callable[..., Flask]) -> None:
    app = make_app(clock=fixed_clock(FAR))
    token = "clock-token"
    seed.districts_with_tokens(app, token, "other-token")
    client = app.test_client()
    made = client.post("/api/v1/issuers/lakeside/awards", headers={
        "Authorization": f"Bearer {token}"}, json={
        "achievement": "data-informed-instruction", "email": "t@lakeside.example.org",
        "name": "Taylor"})
    assert made.status_code == 201, made.get_json()
    credential = made.get_json()["credential"]
    assert credential["validFrom"] == "2031-06-15T09:30:00Z"
    assert credential["validUntil"].startswith("2032-06-")  # the achievement's 365 days
    # the same app's verifier reads the same clock: current at its own date
    report = client.post("/api/v1/verify", json=credential).get_json()
    assert report["verdict"] == "verified", report


def test_commands_take_the_invocations_clock(db_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    at = CliContext(clock=fixed_clock(FAR))
    assert runner.invoke(main, ["seed-demo"], obj=at).exit_code == 0
    awarded = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement",
                                   "blended-learning-design", "--email", "c@teacher.org",
                                   "--name", "Casey"], obj=at)
    assert awarded.exit_code == 0, awarded.output
    credential = json.loads(awarded.stdout)
    assert credential["validFrom"] == "2031-06-15T09:30:00Z"
    assert credential["proof"][0]["created"] == "2031-06-15T09:30:00Z"


def test_signing_and_verifying_commands_take_the_clock(tmp_path: Path) -> None:
    runner = CliRunner()
    key = tmp_path / "key.json"
    controller = runner.invoke(main, ["keys", "generate", "--out", str(key)]).stdout.strip()
    unsigned = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    unsigned["issuer"] = {"id": controller, "type": ["Profile"], "name": "Lakeside"}
    unsigned["validFrom"] = "2031-06-01T00:00:00Z"
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(unsigned))
    signed = runner.invoke(main, ["sign", "--key", str(key), str(path)],
                           obj=CliContext(clock=fixed_clock(FAR)))
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["proof"][0]["created"] == "2031-06-15T09:30:00Z"
    path.write_text(signed.stdout)
    for at, verdict in ((NOW, "not_yet_valid"), (FAR, "within_validity")):
        checked = runner.invoke(main, ["verify", "--json", "--offline", str(path)],
                                obj=CliContext(clock=fixed_clock(at)))
        validity = next(c for c in json.loads(checked.stdout)["checks"]
                        if c["id"] == "validity_period")
        assert validity["code"] == verdict, (at, validity)


def test_tests_run_on_the_fixed_clock(make_app: Callable[..., Flask]) -> None:
    """make_app's default clock starts at NOW, whatever the calendar says."""
    app = make_app()
    assert abs(app.extensions["badges"]["settings"].clock() - NOW) < timedelta(minutes=5)
