"""The demo's ready-to-use accounts and the workflow commands (users, mail)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask

from issuer.cli import main
from issuer.demo import DEMO_ACCOUNTS
from tests.issuer.conftest import cli_at_now
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.smtp import SmtpServer


@pytest.fixture
def runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.setenv("BADGES_SCRYPT_N", "1024")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    return CliRunner()


def test_seed_demo_prints_accounts_that_work(runner: CliRunner,
                                            make_app: Callable[..., Flask]) -> None:
    seeded = runner.invoke(main, ["seed-demo"], obj=cli_at_now())  # the app's date
    assert seeded.exit_code == 0, seeded.output
    assert "Demo accounts: sign in at https://badges.test/sign-in" in seeded.output
    for _role, email, password in DEMO_ACCOUNTS:
        assert email in seeded.output and password in seeded.output
    again = runner.invoke(main, ["seed-demo"])
    assert "already exists" in again.output and DEMO_ACCOUNTS[0][2] in again.output
    app = make_app()
    expected = {"district admin": "/district", "reviewer / mentor": "/review",
                "teacher": "/wallet"}
    for role, email, password in DEMO_ACCOUNTS:
        browser = Browser(app.test_client())
        assert browser.sign_in(email, password).status_code == 303
        assert browser.get(expected[role]).status_code == 200
    teacher = Browser(app.test_client())
    teacher.sign_in(DEMO_ACCOUNTS[2][1], DEMO_ACCOUNTS[2][2])
    catalogue = teacher.get("/catalogue").get_data(as_text=True)
    assert "EdTech Leadership" in catalogue and "Blended Learning Design" in catalogue
    wallet = teacher.get("/wallet").get_data(as_text=True)
    assert "Classroom Technology Integration" in wallet
    # María is part-way through the pathway to certification (steps 1 and 2 of 4)
    card = wallet[wallet.index('id="pathway-edtech-coach"'):]
    card = card[:card.index("</article>")]
    assert "Certified EdTech Coach" in card and "2 of 4 steps done" in card
    assert "step 3, Design" in card and "Mentoring" in card
    admin = Browser(app.test_client())
    admin.sign_in(DEMO_ACCOUNTS[0][1], DEMO_ACCOUNTS[0][2])
    listing = admin.get("/district/pathways").get_data(as_text=True)
    link = re.search(r'href="(/district/pathways/\d+)">Certified EdTech Coach</a>', listing)
    assert link is not None
    cohort = admin.get(link.group(1)).get_data(as_text=True)
    assert "any 1 of Data-Informed Instruction, Digital Literacy and Citizenship" in cohort
    assert "Step 1: Technology: 1 teachers" in cohort  # María
    assert "Step 2: Literacy or data: 2 teachers" in cohort  # María and Tom
    # María has a badge to renew; a hiring school can meet a revoked one
    assert "Data-Informed Instruction" in wallet and "Renew" in wallet
    samples = dict(line.split("): ", 1) for line in seeded.output.splitlines()
                   if line.startswith("Sample credential ("))
    assert len(samples) == 4
    revoked = next(url for label, url in samples.items() if "revoked" in label)
    page = app.test_client().get(urlsplit(revoked).path, headers={"Accept": "text/html"})
    assert "The evidence submitted was not the teacher&#39;s own work." in page.get_data(
        as_text=True)


def test_seed_demo_sets_no_passwords_in_production(runner: CliRunner,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from issuer.demo import ensure_demo_passwords  # noqa: F401 - the function exists

    monkeypatch.setenv("BADGES_ENV", "production")
    monkeypatch.setenv("BADGES_SECRET_KEY", "q3Vh0x-Lr9TzK2mWcJ8yPbN4sE7uAfGd1oRiZ6tXe5M")
    monkeypatch.setenv("BADGES_KEY_ENCRYPTION_KEY", "Pz2vUMfQ0m4k1cX9a7h3bR6tJwYsNe8LgdCqVoTiHKE")
    monkeypatch.setenv("BADGES_SCRYPT_N", str(2**17))
    seeded = runner.invoke(main, ["seed-demo"], obj=cli_at_now())  # the app's date
    assert seeded.exit_code == 0, seeded.output
    assert "Demo accounts" not in seeded.output and DEMO_ACCOUNTS[0][2] not in seeded.output


def test_users_invite_set_password_and_mail_send(runner: CliRunner,
                                                 make_app: Callable[..., Flask],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    invited = runner.invoke(main, ["users", "invite", "--org", "maple-elementary", "--email",
                                   "new@lakeside.example.org", "--role", "earner"])
    assert invited.exit_code == 0, invited.output
    link = invited.output.strip().splitlines()[-1]
    assert link.startswith("https://badges.test/invite/")
    app = make_app()
    guest = Browser(app.test_client())
    path = link.removeprefix("https://badges.test")
    assert guest.get(path).status_code == 200
    assert guest.post(path, {"name": "New Teacher",
                             "password": "first pass phrase"}).status_code == 303
    unknown = runner.invoke(main, ["users", "invite", "--org", "nowhere", "--email", "a@b.org",
                                   "--role", "earner"])
    assert unknown.exit_code == 2 and "unknown_issuer" in unknown.output
    changed = runner.invoke(main, ["users", "set-password", "--email",
                                   "new@lakeside.example.org"],
                            input="second pass phrase\nsecond pass phrase\n")
    assert changed.exit_code == 0, changed.output
    assert Browser(app.test_client()).sign_in("new@lakeside.example.org",
                                              "second pass phrase").status_code == 303
    weak = runner.invoke(main, ["users", "set-password", "--email", "new@lakeside.example.org"],
                         input="short\nshort\n")
    assert weak.exit_code == 2 and "at least 10" in weak.output
    assert runner.invoke(main, ["mail", "send"]).exit_code == 2  # no relay configured
    server = SmtpServer()
    try:
        monkeypatch.setenv("BADGES_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BADGES_SMTP_PORT", str(server.port))
        sent = runner.invoke(main, ["mail", "send"])
        assert sent.exit_code == 0 and "Sent 1 message(s); 0 waiting." in sent.output
        server.inbox.wait_for(1)
        assert server.inbox.messages[0]["To"] == "new@lakeside.example.org"
    finally:
        server.stop()
