"""``badges clr``: a signed CLR of a teacher's credentials, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from badges.clr_schema import check_clr
from badges.dataintegrity import proofs_of
from issuer.cli import main

TEACHER = "clr.teacher@lakeside.example.org"


@pytest.fixture
def runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    return CliRunner()


def _award(runner: CliRunner, achievement: str, *extra: str) -> str:
    done = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement", achievement,
                                "--email", TEACHER, "--name", "Clr Teacher", *extra])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_clr_prints_a_signed_record_and_names_what_it_left_out(runner: CliRunner,
                                                              tmp_path: Path) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    first = json.loads(_award(runner, "blended-learning-design"))
    second = json.loads(_award(runner, "digital-literacy"))
    _award(runner, "peer-mentoring", "--format", "jwt")
    done = runner.invoke(main, ["clr", "--issuer", "lakeside", "--email", TEACHER.upper()])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    assert check_clr(record) == []
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert proofs_of(record)[0]["verificationMethod"] == \
        "did:web:badges.test:issuers:lakeside#ed-1"
    embedded = record["credentialSubject"]["verifiableCredential"]
    assert sorted(c["id"] for c in embedded) == sorted([first["id"], second["id"]])
    assert record["partial"] is True
    assert "left out: Mentoring Colleagues in EdTech" in done.stderr and "VC-JWT" in done.stderr
    assert "CLR with 2 credentials (partial)." in done.stderr
    # one chosen credential, written to a file
    out = tmp_path / "record.json"
    chosen = runner.invoke(main, ["clr", "--issuer", "lakeside", "--email", TEACHER,
                                  "--credential", first["id"], "-o", str(out)])
    assert chosen.exit_code == 0, chosen.output
    written = json.loads(out.read_text("utf-8"))
    assert [c["id"] for c in written["credentialSubject"]["verifiableCredential"]] == \
        [first["id"]]


def test_clr_refuses_clearly(runner: CliRunner) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    for args, words in (
            (["--issuer", "lakeside", "--email", "nobody@example.org"], "nobody with the address"),
            (["--issuer", "nowhere", "--email", TEACHER], "nowhere"),
            (["--issuer", "lakeside", "--email", "bad"], "invalid_email"),
            (["--issuer", "lakeside"], "Missing option '--email'")):
        done = runner.invoke(main, ["clr", *args])
        assert done.exit_code == 2, (args, done.output)
        assert words in done.output, (args, done.output)
        assert "Traceback" not in done.output


def test_verify_reads_a_record_and_lists_each_credential(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    _award(runner, "blended-learning-design")
    out = tmp_path / "record.json"
    assert runner.invoke(main, ["clr", "--issuer", "lakeside", "--email", TEACHER,
                                "-o", str(out)]).exit_code == 0
    # offline: the district's did:web cannot be read, so nothing reads "verified"
    done = runner.invoke(main, ["verify", "--offline", str(out)])
    assert done.exit_code == 1, done.output
    assert "The record itself: unconfirmed" in done.output
    assert "1. Blended Learning Design: unconfirmed" in done.output
    as_json = runner.invoke(main, ["verify", "--offline", "--json", str(out)])
    payload = json.loads(as_json.stdout)
    assert payload["kind"] == "clr" and payload["verdict"] == "unconfirmed"
    assert [c["name"] for c in payload["credentials"]] == ["Blended Learning Design"]
