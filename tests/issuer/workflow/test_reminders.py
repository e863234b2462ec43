"""Expiry reminders (issue #6): the right credentials, once per window, over real SMTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.cli import main
from issuer.db import Database
from issuer.jobs import runtime
from issuer.models import Achievement
from issuer.models_workflow import ExpiryReminder
from issuer.models_workflow import MailMessage
from issuer.services import issuance
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.services.issuance import IssuerContext
from issuer.workflow import reminders
from tests.issuer import seed
from tests.issuer.conftest import NOW
from tests.issuer.conftest import ClockedRunner
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.smtp import SmtpServer

BASE = "https://badges.test"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _ctx(app: Flask) -> IssuerContext:
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


def _db(app: Flask) -> Database:
    database: Database = app.extensions["badges"]["db"]
    return database


def award(app: Flask, world: World, who: str, *, now: datetime, expires_in: float,
          validity: int = 365) -> str:
    """A Blended Learning Design badge for ``who``, expiring ``expires_in`` days after ``now``."""
    with _db(app).session() as session:
        achievement = session.get(Achievement, world.achievements["blended"])
        assert achievement is not None
        achievement.validity_days = validity
        issued = issuance.award(
            session, _ctx(app), issuer="lakeside", achievement=achievement.id,
            email=PEOPLE[who][1], name=PEOPLE[who][0], actor="test",
            now=now + timedelta(days=expires_in - validity))
        return issued.id


def outbox(app: Flask) -> list[MailMessage]:
    with _db(app).session() as session:
        return list(session.scalars(sa.select(MailMessage).where(
            MailMessage.kind == "expiry_reminder").order_by(MailMessage.id)))


def run(app: Flask, now: datetime, **kwargs: object) -> int:
    with _db(app).session() as session:
        return reminders.send_expiry_reminders(session, _ctx(app), now=now,
                                               **kwargs)  # type: ignore[arg-type]


def test_reminders_go_to_the_right_credentials_once_per_window(app: Flask,
                                                              world: World) -> None:
    seed.suspension_on(app, "lakeside", "elsewhere")
    soon = award(app, world, "teacher", now=NOW, expires_in=20)
    very_soon = award(app, world, "teacher2", now=NOW, expires_in=5)
    award(app, world, "mentor", now=NOW, expires_in=100)  # far from expiry
    award(app, world, "mentor", now=NOW, expires_in=-40)  # expired long ago
    short = award(app, world, "mentor", now=NOW, expires_in=20, validity=21)  # issued in window
    revoked = award(app, world, "mentor", now=NOW, expires_in=10)
    suspended = award(app, world, "mentor", now=NOW, expires_in=10)
    renewed = award(app, world, "mentor", now=NOW, expires_in=10)
    reminded = award(app, world, "mentor", now=NOW, expires_in=10)
    with _db(app).session() as session:
        status.revoke(session, revoked, reason=None, public=False, actor="test", now=NOW)
        status.suspend(session, suspended, actor="test", now=NOW)
        issuance.renew(session, _ctx(app), renewed, actor="test", now=NOW)
        session.add(ExpiryReminder(credential_id=reminded, window_days=30,
                                   valid_until=NOW + timedelta(days=10), queued_at=NOW))
        session.flush()
    # the reminded one had its 30-day reminder; its 7-day one is not due yet

    assert run(app, NOW, dry_run=True) == 2
    assert outbox(app) == []
    assert run(app, NOW) == 2
    sent = outbox(app)
    assert sorted(m.to_address for m in sent) == sorted([PEOPLE["teacher"][1],
                                                         PEOPLE["teacher2"][1]])
    maria = next(m for m in sent if m.to_address == PEOPLE["teacher"][1])
    assert maria.subject == "Your badge expires in 20 days: Blended Learning Design"
    expiry = NOW + timedelta(days=20)
    assert f"expires on {expiry.day} {expiry:%B %Y}" in maria.body
    assert f"{BASE}/wallet/{soon}/renew" in maria.body
    tom = next(m for m in sent if m.to_address == PEOPLE["teacher2"][1])
    assert f"{BASE}/wallet/{very_soon}/renew" in tom.body
    with _db(app).session() as session:
        assert set(session.execute(sa.select(ExpiryReminder.credential_id,
                                             ExpiryReminder.window_days)).all()) == {
            (soon, 30), (very_soon, 7), (reminded, 30)}

    assert run(app, NOW) == 0
    assert run(app, NOW + timedelta(hours=6)) == 0
    assert len(outbox(app)) == 2

    # four days on: the reminded one enters its 7-day window
    assert run(app, NOW + timedelta(days=4)) == 1
    # two weeks on: the 20-day badge enters its 7-day window, and so does the 21-day
    # one (issued before that window began)
    later = NOW + timedelta(days=14)
    assert run(app, later) == 2
    with _db(app).session() as session:
        assert set(session.execute(sa.select(ExpiryReminder.credential_id).where(
            ExpiryReminder.window_days == 7)).scalars()) == {very_soon, soon, short, reminded}
    assert run(app, later) == 0


def test_batches_and_windows(app: Flask, world: World) -> None:
    made = [award(app, world, "teacher", now=NOW, expires_in=3 + i) for i in range(7)]
    assert run(app, NOW, batch_size=2, windows=(5,)) == 3
    assert run(app, NOW, batch_size=2, windows=(30, 7)) == 4
    with _db(app).session() as session:
        windows = dict(session.execute(sa.select(ExpiryReminder.credential_id,
                                                 ExpiryReminder.window_days)).all())
    assert [windows[c] for c in made] == [5, 5, 5, 7, 7, 30, 30]
    assert reminders.parse_windows("7, 30") == (30, 7)
    for bad in ("", "0", "31", "x"):
        with pytest.raises(ServiceError):
            reminders.parse_windows(bad)


def test_two_runs_at_once_send_each_reminder_once(app: Flask, world: World) -> None:
    for i in range(12):
        award(app, world, "teacher" if i % 2 else "teacher2", now=NOW, expires_in=2 + i)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with _db(app).session() as session:
                barrier.wait()
                counts.append(reminders.send_expiry_reminders(
                    session, _ctx(app), now=NOW, batch_size=3))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(counts) == 12
    assert len(outbox(app)) == 12


def test_delivered_over_smtp_by_the_job_task(make_app: Callable[..., Flask],
                                             smtp: SmtpServer) -> None:
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="pd@lakeside.test")
    world = build_world(app)
    now = seed.now_of(app)
    credential = award(app, world, "teacher", now=now, expires_in=6)
    settings = app.extensions["badges"]["settings"]
    overrides = {"smtp_host": "127.0.0.1", "smtp_port": str(smtp.port),
                 "mail_from": "pd@lakeside.test"}
    result = runtime.execute("reminders.expiry", {"days": [30, 7]}, settings,
                             overrides=overrides)
    assert result == {"queued": 1, "sent": 1}
    smtp.inbox.wait_for(1)
    (message,) = smtp.inbox.to(PEOPLE["teacher"][1])
    assert message["Subject"] == "Your badge expires in 6 days: Blended Learning Design"
    body = message.get_content()
    assert f"https://badges.test/wallet/{credential}/renew" in body
    assert "Blended Learning Design" in body and "Lakeside Unified" in body
    assert runtime.execute("reminders.expiry", {}, settings, overrides=overrides) == {
        "queued": 0, "sent": 0}
    assert len(smtp.inbox.messages) == 1


def test_cli_remind_expiring(make_app: Callable[..., Flask], db_url: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    world = build_world(app)
    now = seed.now_of(app)
    award(app, world, "teacher", now=now, expires_in=6)
    award(app, world, "teacher2", now=now, expires_in=25)
    monkeypatch.setenv("BADGES_DATABASE_URL", db_url)
    monkeypatch.setenv("BADGES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("BADGES_BASE_URL", "https://badges.test")
    monkeypatch.delenv("BADGES_ENV", raising=False)
    monkeypatch.delenv("BADGES_SMTP_HOST", raising=False)
    runner = ClockedRunner()

    dry = runner.invoke(main, ["remind-expiring", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert PEOPLE["teacher"][1] in dry.output and "2 reminder(s) due" in dry.output
    assert outbox(app) == []
    narrow = runner.invoke(main, ["remind-expiring", "--days", "7"])
    assert narrow.exit_code == 0, narrow.output
    assert narrow.output.startswith("Queued 1 reminder(s); sent 0 e-mail(s) (no BADGES_SMTP")
    full = runner.invoke(main, ["remind-expiring"])
    assert "Queued 1 reminder(s)" in full.output
    assert runner.invoke(main, ["remind-expiring"]).output.startswith("Queued 0")
    assert len(outbox(app)) == 2
    bad = runner.invoke(main, ["remind-expiring", "--days", "90"])
    assert bad.exit_code == 2 and "from 1 to 30" in bad.output
