"""Settings: one set of BADGES_* variables, read by each part with the same rules."""

from __future__ import annotations

import pytest

from issuer.config import ConfigError
from issuer.config import load_settings
from issuer.config import variables
from issuer.jobs.config import load_job_settings
from issuer.mail import load_mail
from issuer.workflow.config import load_workflow_settings

KEK = "A" * 43  # 32 zero bytes, base64url without padding


def test_overrides_win_and_none_means_not_set() -> None:
    values = variables({"BADGES_SMTP_HOST": "mail.example.org", "OTHER": "x"},
                       {"smtp_host": None, "job_queue": "awards"})
    assert values["BADGES_SMTP_HOST"] == "" and values["BADGES_JOB_QUEUE"] == "awards"
    assert values["OTHER"] == "x"
    assert load_mail(values).host is None
    assert load_job_settings({}, {"redis_url": None}).backend == "inprocess"


def test_production_refuses_to_start_without_its_secrets() -> None:
    with pytest.raises(ConfigError, match="BADGES_SECRET_KEY and BADGES_KEY_ENCRYPTION_KEY"):
        load_settings({"BADGES_ENV": "production"})
    with pytest.raises(ConfigError, match="BADGES_ENV"):
        load_settings({"BADGES_ENV": "staging"})


@pytest.mark.parametrize(("name", "value", "message"), [
    ("redis_url", "http://127.0.0.1:6379", "REDIS_URL"),
    ("job_workers", "lots", "JOB_WORKERS"),
    ("job_workers", "65", "JOB_WORKERS"),
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
