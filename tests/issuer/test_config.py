"""Settings: one set of BADGES_* variables, read by each part with the same rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.cli.context import describe_database
from issuer.config import ConfigError
from issuer.config import load_settings
from issuer.config import remember_base_url
from issuer.config import variables
from issuer.jobs.config import load_job_settings
from issuer.mail import load_mail
from issuer.workflow.config import load_workflow_settings
from verifier.config import default_instance_path

KEK = "A" * 43  # 32 zero bytes, base64url without padding


def test_overrides_win_and_none_means_not_set() -> None:
    values = variables({"BADGES_SMTP_HOST": "mail.example.org", "OTHER": "x"},
                       {"smtp_host": None, "job_queue": "awards"})
    assert values["BADGES_SMTP_HOST"] == "" and values["BADGES_JOB_QUEUE"] == "awards"
    assert values["OTHER"] == "x"
    assert load_mail(values).host is None
    assert load_job_settings({}, {"redis_url": None}).backend == "inprocess"
    jobs = load_job_settings({}, {"job_timeout": "600", "certificate_stall_seconds": "30"})
    assert (jobs.job_timeout, jobs.stall_seconds) == (600, 30)
    defaults = load_job_settings({})
    assert (defaults.job_timeout, defaults.stall_seconds) == (1800, 300)


def test_production_refuses_to_start_without_its_secrets() -> None:
    with pytest.raises(ConfigError, match="BADGES_SECRET_KEY and BADGES_KEY_ENCRYPTION_KEY"):
        load_settings({"BADGES_ENV": "production"})
    with pytest.raises(ConfigError, match="BADGES_ENV"):
        load_settings({"BADGES_ENV": "staging"})


GOOD_SECRET = "q3Vh0x-Lr9TzK2mWcJ8yPbN4sE7uAfGd1oRiZ6tXe5M"
GOOD_KEK = "Pz2vUMfQ0m4k1cX9a7h3bR6tJwYsNe8LgdCqVoTiHKE"


def _production(secret: str, kek: str) -> dict[str, str]:
    return {"BADGES_ENV": "production", "BADGES_SECRET_KEY": secret,
            "BADGES_KEY_ENCRYPTION_KEY": kek, "BADGES_BASE_URL": "https://badges.example.org"}


def test_production_accepts_generated_secrets(tmp_path: Path) -> None:
    environ = _production(GOOD_SECRET, GOOD_KEK) | {"BADGES_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ).secret_key == GOOD_SECRET


@pytest.mark.parametrize("secret", [
    "x", "changeme", "s" * 64, "ab" * 32, "password1234password1234password1234",
])
def test_production_refuses_a_weak_secret_key(secret: str, tmp_path: Path) -> None:
    environ = _production(secret, GOOD_KEK) | {"BADGES_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match="BADGES_SECRET_KEY is too weak") as caught:
        load_settings(environ)
    assert "secrets.token_urlsafe(32)" in str(caught.value)


@pytest.mark.parametrize("kek", [
    KEK,  # all zero
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",  # 0, 1, 2, ... 31
    "__________________________________________8",  # all 0xff
])
def test_production_refuses_a_patterned_key_encryption_key(kek: str, tmp_path: Path) -> None:
    environ = _production(GOOD_SECRET, kek) | {"BADGES_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match="BADGES_KEY_ENCRYPTION_KEY is not a random key") \
            as caught:
        load_settings(environ)
    assert "secrets.token_bytes(32)" in str(caught.value)


def test_development_keeps_its_generated_and_simple_secrets(tmp_path: Path) -> None:
    generated = load_settings({"BADGES_INSTANCE_PATH": str(tmp_path)})
    assert len(generated.secret_key) >= 32
    simple = load_settings({"BADGES_INSTANCE_PATH": str(tmp_path), "BADGES_SECRET_KEY": "x",
                            "BADGES_KEY_ENCRYPTION_KEY": KEK})
    assert simple.secret_key == "x" and simple.key_encryption_key == bytes(32)


def test_a_weak_secret_is_a_clear_message_from_the_command_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runner = CliRunner()
    for name, value in _production("x", GOOD_KEK).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    result = runner.invoke(main, ["issuers", "list"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "BADGES_SECRET_KEY is too weak" in result.output


@pytest.mark.parametrize(("name", "value", "message"), [
    ("redis_url", "http://127.0.0.1:6379", "REDIS_URL"),
    ("job_workers", "lots", "JOB_WORKERS"),
    ("job_workers", "65", "JOB_WORKERS"),
    ("job_timeout", "soon", "JOB_TIMEOUT must be a whole number"),
    ("job_timeout", "5", "JOB_TIMEOUT must be between 10 and 604800"),
    ("certificate_stall_seconds", "1", "CERTIFICATE_STALL_SECONDS must be between 2"),
    ("certificate_stall_seconds", "90000", "CERTIFICATE_STALL_SECONDS"),
])
def test_malformed_job_settings_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_job_settings({}, {name: value})


def test_workflow_and_mail_settings_read_the_same_variables(tmp_path: object) -> None:
    settings = load_settings({}, {"env": "testing", "instance_path": str(tmp_path),
                                  "secret_key": "s", "key_encryption_key": KEK})
    found = load_workflow_settings(settings, environ={}, overrides={
        "smtp_host": "relay.example.org", "smtp_port": "2525", "mail_from": "hr@example.org",
        "evidence_max_bytes": "4096"})
    assert (found.mail.host, found.mail.port, found.mail.sender) == (
        "relay.example.org", 2525, "hr@example.org")
    assert found.evidence_max_bytes == 4096
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_workflow_settings(settings, environ={}, overrides={"smtp_port": "70000"})
    with pytest.raises(ConfigError, match="SCRYPT_N"):
        load_workflow_settings(settings, environ={}, overrides={"scrypt_n": "3000"})


def test_one_instance_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without BADGES_INSTANCE_PATH, every command finds the per-user data folder (issue #13)."""
    data = tmp_path / "data"
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        settings = load_settings({"XDG_DATA_HOME": str(data)})
        assert settings.instance_path == data / "badges"
        assert settings.database_url == f"sqlite:///{data / 'badges' / 'badges.db'}"
    assert default_instance_path({"XDG_DATA_HOME": str(data)}) == data / "badges"
    assert default_instance_path({"XDG_DATA_HOME": "relative/ignored"}) != Path(
        "relative/ignored/badges")
    given = load_settings({"XDG_DATA_HOME": str(data), "BADGES_INSTANCE_PATH": str(tmp_path)})
    assert given.instance_path == tmp_path


def test_a_development_instance_remembers_its_base_url(tmp_path: Path) -> None:
    env = {"BADGES_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(env).base_url == "http://127.0.0.1:5000"
    remember_base_url(load_settings({**env, "BADGES_BASE_URL": "http://127.0.0.1:5301/"}))
    assert load_settings(env).base_url == "http://127.0.0.1:5301"  # a later shell, no export
    assert load_settings({**env, "BADGES_BASE_URL": "http://10.0.0.2:8000"}).base_url == \
        "http://10.0.0.2:8000"  # the variable still wins
    testing = load_settings({**env, "BADGES_ENV": "testing"})
    assert testing.base_url == "http://127.0.0.1:5000"  # only development remembers
    (tmp_path / "instance.json").write_text("not json")
    assert load_settings(env).base_url == "http://127.0.0.1:5000"


def test_commands_name_the_database_when_they_find_nothing(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("BADGES_ENV", raising=False)
    runner = CliRunner()
    shown = describe_database(db_url)
    empty = runner.invoke(main, ["issuers", "list"])
    assert empty.exit_code == 0 and f"No issuers (in {shown})" in empty.output
    missing = runner.invoke(main, ["award", "--issuer", "lakeside", "--achievement", "x",
                                   "--email", "a@b.org", "--name", "A"])
    assert missing.exit_code == 2
    assert f"(in {shown}); set BADGES_INSTANCE_PATH or BADGES_DATABASE_URL" in missing.output


def test_a_printed_database_url_hides_its_password() -> None:
    shown = describe_database("postgresql://badges:s3cret@db.example.org:5432/badges")
    assert "s3cret" not in shown and "db.example.org" in shown
    assert describe_database("sqlite:////srv/badges/badges.db") == \
        "the SQLite database /srv/badges/badges.db"


@pytest.mark.parametrize("value", ["-1", "11", "two"])
def test_trusted_proxies_is_a_small_whole_number(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BADGES_TRUSTED_PROXIES"):
        load_settings({"BADGES_INSTANCE_PATH": str(tmp_path), "BADGES_TRUSTED_PROXIES": value})
    assert load_settings({"BADGES_INSTANCE_PATH": str(tmp_path),
                          "BADGES_TRUSTED_PROXIES": "2"}).trusted_proxies == 2


def test_processes_starting_together_share_the_first_ones_dev_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions and wrapped keys must agree across processes on one development instance:
    a process that loses the race to create the secrets file uses the winner's."""
    import secrets

    from issuer import config

    theirs = {"secret_key": "made-by-the-other-process", "key_encryption_key": "k"}
    real = secrets.token_urlsafe

    def other_process_wins(n: int) -> str:
        # between our "is there a file?" and our write, another process writes its own
        (tmp_path / "dev-secrets.json").write_text(json.dumps(theirs), "utf-8")
        return real(n)

    monkeypatch.setattr(config.secrets, "token_urlsafe", other_process_wins)
    assert config._dev_secrets(tmp_path) == theirs
    assert config._dev_secrets(tmp_path) == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev-secrets.json"]  # no drafts left
