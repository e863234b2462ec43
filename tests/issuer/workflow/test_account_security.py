"""Sign-in throttling and password reset by e-mail, through the Flask test client.

The clock is injected by replacing ``now`` in :mod:`issuer.web.auth` (the
views read the time only through it); mail goes through a real SMTP server
(aiosmtpd). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from issuer.models import AuditEvent
from issuer.models import Base
from issuer.models_workflow import MailMessage
from issuer.models_workflow import PasswordReset
from issuer.models_workflow import ThrottleEvent
from issuer.web import auth
from issuer.workflow import accounts
from issuer.workflow import notifications
from issuer.workflow import passwords
from issuer.workflow import throttle
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.smtp import SmtpServer

TEACHER = PEOPLE["teacher"][1]
LOCKED = "Too many attempts; try again in 15 minutes or reset your password"
SENT = "If an account exists for that address, we sent a link"
NEW_PASSWORD = "a brand new pass phrase"


class Clock:
    """The views' clock, moved by the test."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(auth, "now", found)
    return found


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app: Callable[..., Flask], smtp: SmtpServer) -> Flask:
    return make_app(smtp_host="127.0.0.1", smtp_port=smtp.port)


def _attempt(browser: Browser, email: str, password: str, *,
             client: str = "192.0.2.10") -> TestResponse:
    if not browser.csrf:
        browser.get("/sign-in")
    return browser.post("/sign-in", {"email": email, "password": password},
                        environ_base={"REMOTE_ADDR": client})


def _error(response: TestResponse) -> str:
    found = re.search(r'<div class="error-summary".*?<p[^>]*>(.*?)</p></div>',
                      response.get_data(as_text=True), re.S)
    return found.group(1) if found else ""


def _fail(browser: Browser, email: str, times: int, **kwargs: str) -> None:
    for _ in range(times):
        assert _attempt(browser, email, "not the password", **kwargs).status_code == 401


def _rows(app: Flask, scope: str) -> int:
    with app.extensions["badges"]["db"].session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent).where(
            ThrottleEvent.scope == scope)) or 0


def _request_reset(browser: Browser, email: str, *,
                   client: str = "192.0.2.10") -> TestResponse:
    browser.get("/forgot-password")
    response = browser.post("/forgot-password", {"email": email},
                            environ_base={"REMOTE_ADDR": client})
    response.close()  # the outbox is sent once the response is closed, as a server does
    return response


def _link(smtp: SmtpServer, count: int, to: str = TEACHER) -> str:
    smtp.inbox.wait_for(count)
    message = smtp.inbox.to(to)[-1]
    assert message["Subject"] == "Reset your badges password"
    link = next(line for line in message.get_content().splitlines()
                if "/reset-password/" in line).strip()
    assert link.startswith("https://badges.test/reset-password/")
    return link.removeprefix("https://badges.test")


def test_an_account_is_held_back_after_five_failures(app: Flask, world: World,
                                                     clock: Clock) -> None:
    del world, clock
    browser = Browser(app.test_client())
    _fail(browser, TEACHER, 5)
    held = _attempt(browser, TEACHER, PASSWORD)
    assert held.status_code == 429
    assert held.mimetype == "text/html" and held.headers["Retry-After"] == "900"
    assert _error(held) == LOCKED
    page = held.get_data(as_text=True)
    assert "<h1>Sign in</h1>" in page and 'href="/forgot-password"' in page
    assert browser.get("/start").status_code == 302  # not signed in
    # other accounts from other places are not affected
    assert Browser(app.test_client()).sign_in(PEOPLE["reviewer"][1]).status_code == 303


def test_an_unknown_address_gets_the_same_answer(app: Flask, world: World, clock: Clock,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    del world, clock
    derived: list[int] = []
    real = passwords._derive
    monkeypatch.setattr(passwords, "_derive", lambda *a: derived.append(1) or real(*a))
    answers: dict[str, list[tuple[int, str]]] = {}
    for email in (TEACHER, "nobody@lakeside.test"):
        browser = Browser(app.test_client())
        answers[email] = [(r.status_code, _error(r)) for r in
                          (_attempt(browser, email, f"wrong {n}") for n in range(7))]
    assert answers[TEACHER] == answers["nobody@lakeside.test"]
    assert [s for s, _ in answers[TEACHER]] == [401] * 5 + [429] * 2
    assert answers[TEACHER][-1][1] == LOCKED
    assert len(derived) == 14  # one scrypt per attempt, held back or not, known or not


def test_one_address_spraying_many_accounts_is_held_back(make_app: Callable[..., Flask],
                                                         clock: Clock) -> None:
    del clock
    app = make_app(sign_in_max_failures_per_address=4)
    build_world(app)
    browser = Browser(app.test_client())
    for who in ("admin", "reviewer", "mentor", "teacher2"):
        _fail(browser, PEOPLE[who][1], 1)
    held = _attempt(browser, TEACHER, PASSWORD)
    assert held.status_code == 429 and _error(held) == LOCKED
    elsewhere = _attempt(Browser(app.test_client()), TEACHER, PASSWORD, client="198.51.100.7")
    assert elsewhere.status_code == 303
    # IPv6: a whole /64 counts as one client
    v6 = Browser(app.test_client())
    for n in range(4):
        _fail(v6, "nobody@lakeside.test", 1, client=f"2001:db8:1:2::{n + 1}")
    assert _attempt(v6, TEACHER, PASSWORD, client="2001:db8:1:2::99").status_code == 429
    assert _attempt(v6, TEACHER, PASSWORD, client="2001:db8:1:3::1").status_code == 303


def test_a_success_clears_the_accounts_failures(app: Flask, world: World,
                                                clock: Clock) -> None:
    del world, clock
    browser = Browser(app.test_client())
    _fail(browser, TEACHER, 4)
    assert _attempt(browser, TEACHER, PASSWORD).status_code == 303
    assert _rows(app, "sign_in_account") == 0
    assert _rows(app, "sign_in_address") == 4  # the client's count stays
    other = Browser(app.test_client())
    _fail(other, TEACHER, 4)
    assert _attempt(other, TEACHER, PASSWORD).status_code == 303


def test_the_cool_down_passes(app: Flask, world: World, clock: Clock) -> None:
    del world
    browser = Browser(app.test_client())
    _fail(browser, "  Maria@Lakeside.TEST ", 5)  # normalised like the address
    clock.advance(minutes=14, seconds=1)
    held = _attempt(browser, TEACHER, PASSWORD)
    assert held.status_code == 429
    assert _error(held) == ("Too many attempts; try again in 1 minute or reset your password")
    clock.advance(minutes=1)
    assert _attempt(browser, TEACHER, PASSWORD).status_code == 303


def test_old_attempts_are_purged(app: Flask, world: World, clock: Clock,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    del world
    browser = Browser(app.test_client())
    _fail(browser, "nobody@lakeside.test", 3)
    clock.advance(minutes=31)
    monkeypatch.setattr(throttle, "PURGE_CHANCE", 1.0)
    _fail(browser, "someone@lakeside.test", 1)
    assert _rows(app, "sign_in_account") == 1
    assert _rows(app, "sign_in_address") == 1


def test_password_reset_by_e_mail(mail_app: Flask, smtp: SmtpServer, clock: Clock) -> None:
    del clock
    world = build_world(mail_app)
    teacher = Browser(mail_app.test_client())
    assert teacher.sign_in(TEACHER).status_code == 303
    guest = Browser(mail_app.test_client())
    sign_in = guest.get("/sign-in").get_data(as_text=True)
    assert '<a href="/forgot-password">Forgot your password?</a>' in sign_in
    assert "<h1>Forgot your password?</h1>" in guest.get("/forgot-password").get_data(
        as_text=True)
    asked = _request_reset(guest, " Maria@Lakeside.test")
    assert asked.status_code == 200 and SENT in asked.get_data(as_text=True)
    path = _link(smtp, 1)
    form = guest.get(path)
    assert form.status_code == 200 and TEACHER in form.get_data(as_text=True)
    weak = guest.post(path, {"password": "short"})
    assert weak.status_code == 400 and "at least 10" in _error(weak)
    done = guest.post(path, {"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/sign-in"
    assert "Your password was changed" in guest.get("/sign-in").get_data(as_text=True)
    assert teacher.get("/wallet").status_code == 302  # the old session ended
    assert _attempt(Browser(mail_app.test_client()), TEACHER, PASSWORD).status_code == 401
    assert Browser(mail_app.test_client()).sign_in(TEACHER, NEW_PASSWORD).status_code == 303
    used = guest.get(path)
    assert used.status_code == 404
    assert "not valid any more" in used.get_data(as_text=True)
    assert 'href="/forgot-password"' in used.get_data(as_text=True)
    assert guest.post(path, {"password": "another new pass phrase"}).status_code == 404
    with mail_app.extensions["badges"]["db"].session() as session:
        events = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action.like("password.%")).order_by(AuditEvent.id)).all()
        assert [(e.action, e.subject_id) for e in events] == [
            ("password.reset_requested", str(world.people["teacher"])),
            ("password.reset_completed", str(world.people["teacher"]))]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mail_app: Flask,
                                                             smtp: SmtpServer,
                                                             clock: Clock) -> None:
    del clock
    build_world(mail_app)
    known = _request_reset(Browser(mail_app.test_client()), TEACHER)
    unknown = _request_reset(Browser(mail_app.test_client()), "nobody@lakeside.test")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(TEACHER, "X") == \
        unknown.get_data(as_text=True).replace("nobody@lakeside.test", "X").replace(
            _csrf(unknown), _csrf(known))
    smtp.inbox.wait_for(2, timeout=1.0)
    assert [m["To"] for m in smtp.inbox.messages] == [TEACHER]
    malformed = _request_reset(Browser(mail_app.test_client()), "not an address")
    assert malformed.status_code == 400 and "not a valid e-mail address" in _error(malformed)


def _csrf(response: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else "no csrf"


def test_a_link_works_once_for_an_hour(mail_app: Flask, smtp: SmtpServer,
                                       clock: Clock) -> None:
    build_world(mail_app)
    guest = Browser(mail_app.test_client())
    _request_reset(guest, TEACHER)
    first = _link(smtp, 1)
    clock.advance(minutes=10)
    _request_reset(guest, TEACHER)
    second = _link(smtp, 2)
    assert first != second
    clock.advance(minutes=59)  # the first is 69 minutes old, the second 59
    expired = guest.get(first)
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)
    assert guest.post(first, {"password": NEW_PASSWORD}).status_code == 404
    assert guest.get(second).status_code == 200
    clock.advance(minutes=1, seconds=1)
    assert guest.get(second).status_code == 404
    assert guest.get("/reset-password/not-a-token").status_code == 404


def test_using_one_link_ends_the_others(mail_app: Flask, smtp: SmtpServer,
                                        clock: Clock) -> None:
    del clock
    build_world(mail_app)
    guest = Browser(mail_app.test_client())
    _request_reset(guest, TEACHER)
    first = _link(smtp, 1)
    _request_reset(guest, TEACHER)
    second = _link(smtp, 2)
    assert guest.post(second, {"password": NEW_PASSWORD}).status_code == 303
    assert guest.get(first).status_code == 404
    with mail_app.extensions["badges"]["db"].session() as session:
        assert all(r.used_at is not None for r in session.scalars(sa.select(PasswordReset)))


def test_a_reset_unlocks_a_held_back_account(mail_app: Flask, smtp: SmtpServer,
                                             clock: Clock) -> None:
    del clock
    build_world(mail_app)
    attacker = Browser(mail_app.test_client())
    _fail(attacker, TEACHER, 5, client="203.0.113.5")
    owner = Browser(mail_app.test_client())
    held = _attempt(owner, TEACHER, PASSWORD)
    assert held.status_code == 429
    _request_reset(owner, TEACHER)
    assert owner.post(_link(smtp, 1), {"password": NEW_PASSWORD}).status_code == 303
    owner.csrf = ""  # the reset ended the browser's session
    assert _attempt(owner, TEACHER, NEW_PASSWORD).status_code == 303


def test_reset_requests_are_limited(make_app: Callable[..., Flask], smtp: SmtpServer,
                                    clock: Clock) -> None:
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp.port,
                   reset_max_requests_per_address=5)
    build_world(app)
    for email in (TEACHER, "nobody@lakeside.test"):  # the same for an unknown address
        browser = Browser(app.test_client())
        for n in range(3):
            assert _request_reset(browser, email, client=f"192.0.2.{n}").status_code == 200
        held = _request_reset(browser, email, client="192.0.2.99")
        assert held.status_code == 429 and held.headers["Retry-After"] == "900"
        assert _error(held).startswith("Too many attempts; try again in 15 minutes. If an "
                                       "account exists for that address")
    smtp.inbox.wait_for(3)
    assert len(smtp.inbox.to(TEACHER)) == 3
    spray = Browser(app.test_client())
    for who in ("admin", "reviewer", "mentor", "teacher2", "school_admin"):
        assert _request_reset(spray, PEOPLE[who][1], client="198.51.100.1").status_code == 200
    assert _request_reset(spray, PEOPLE["other_admin"][1],
                          client="198.51.100.1").status_code == 429
    clock.advance(minutes=15)
    assert _request_reset(spray, PEOPLE["other_admin"][1],
                          client="198.51.100.1").status_code == 200


def test_no_token_in_the_database_in_clear(mail_app: Flask, smtp: SmtpServer,
                                           clock: Clock) -> None:
    del clock
    build_world(mail_app)
    guest = Browser(mail_app.test_client())
    _request_reset(guest, TEACHER)
    path = _link(smtp, 1)
    token = path.rsplit("/", 1)[1]
    database = mail_app.extensions["badges"]["db"]

    def everything() -> str:
        with database.session() as session:
            return "\n".join(repr(tuple(row)) for table in Base.metadata.sorted_tables
                             for row in session.execute(sa.select(table)))

    dump = everything()
    assert token not in dump
    with database.session() as session:
        (reset,) = session.scalars(sa.select(PasswordReset)).all()
        assert reset.token_hash == accounts._token_hash(token)
        (sent,) = session.scalars(sa.select(MailMessage)).all()
        assert sent.sent_at is not None and sent.body == notifications.SENT_NOTE
    assert guest.post(path, {"password": NEW_PASSWORD}).status_code == 303
    assert token not in everything()


@pytest.mark.parametrize(("raw", "key"), [
    ("192.0.2.1", "192.0.2.1"), ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.1", "192.0.2.1"), (None, "unknown"), ("not-an-ip", "not-an-ip")])
def test_client_addresses_are_keyed_by_network(raw: str | None, key: str) -> None:
    assert throttle.address_key(raw) == key


def test_a_password_set_by_an_administrator_ends_the_hold(
        app: Flask, world: World, clock: Clock, db_url: str, tmp_path: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from issuer.cli import main

    del world, clock
    browser = Browser(app.test_client())
    _fail(browser, TEACHER, 5)
    assert _attempt(browser, TEACHER, PASSWORD).status_code == 429
    for name, value in {"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path),
                        "BASE_URL": "https://badges.test", "SCRYPT_N": "1024"}.items():
        monkeypatch.setenv(f"BADGES_{name}", value)
    monkeypatch.delenv("BADGES_ENV", raising=False)
    done = CliRunner().invoke(main, ["users", "set-password", "--email", TEACHER,
                                     "--password", NEW_PASSWORD])
    assert done.exit_code == 0, done.output
    assert _attempt(Browser(app.test_client()), TEACHER, NEW_PASSWORD).status_code == 303


def test_one_account_held_back_leaves_the_others_behind_the_same_address(
        app: Flask, world: World, clock: Clock) -> None:
    del world, clock
    school = "203.0.113.1"  # one proxy for a whole school
    _fail(Browser(app.test_client()), TEACHER, 5, client=school)
    assert _attempt(Browser(app.test_client()), TEACHER, PASSWORD,
                    client=school).status_code == 429
    # held-back attempts are not counted, so the school's address is not nearing its limit
    for _ in range(20):
        assert _attempt(Browser(app.test_client()), TEACHER, "guess",
                        client=school).status_code == 429
    for who in ("admin", "reviewer", "mentor", "teacher2"):
        browser = Browser(app.test_client())
        _fail(browser, PEOPLE[who][1], 2, client=school)  # typos
        assert _attempt(browser, PEOPLE[who][1], PASSWORD, client=school).status_code == 303
    assert _rows(app, "sign_in_address") == 5 + 4 * 2
    assert app.extensions["workflow"].throttle.sign_in_address.attempts == 200


def test_behind_trusted_proxies_each_client_is_counted_by_its_own_address(
        make_app: Callable[..., Flask], clock: Clock) -> None:
    del clock
    app = make_app(sign_in_max_failures_per_address=3, trusted_proxies=1)
    build_world(app)
    proxy = "10.0.0.2"

    def attempt(forwarded: str, email: str, password: str) -> TestResponse:
        browser = Browser(app.test_client())
        browser.get("/sign-in")
        return browser.post("/sign-in", {"email": email, "password": password},
                            environ_base={"REMOTE_ADDR": proxy},
                            headers={"X-Forwarded-For": forwarded})

    for n in range(3):
        assert attempt("198.51.100.9", f"nobody{n}@lakeside.test", "x").status_code == 401
    assert attempt("198.51.100.9", TEACHER, PASSWORD).status_code == 429
    # another client behind the same proxy is not held back ...
    assert attempt("198.51.100.10", TEACHER, PASSWORD).status_code == 303
    # ... and a client cannot choose its address: only the hop our proxy added counts
    assert attempt("198.51.100.10, 198.51.100.9", TEACHER, PASSWORD).status_code == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(
        make_app: Callable[..., Flask], clock: Clock) -> None:
    del clock
    app = make_app(sign_in_max_failures_per_address=2)
    build_world(app)
    for n, forwarded in enumerate(("198.51.100.1", "198.51.100.2")):
        browser = Browser(app.test_client())
        browser.get("/sign-in")
        assert browser.post("/sign-in", {"email": f"x{n}@lakeside.test", "password": "x"},
                            environ_base={"REMOTE_ADDR": "192.0.2.50"},
                            headers={"X-Forwarded-For": forwarded}).status_code == 401
    assert _attempt(Browser(app.test_client()), TEACHER, PASSWORD,
                    client="192.0.2.50").status_code == 429


def test_a_waiting_reset_link_is_sealed_in_the_outbox(make_app: Callable[..., Flask],
                                                      smtp: SmtpServer, clock: Clock) -> None:
    del clock
    closed = SmtpServer()
    closed.stop()  # the relay is down: the message waits in the outbox
    app = make_app(smtp_host="127.0.0.1", smtp_port=closed.port)
    build_world(app)
    guest = Browser(app.test_client())
    assert _request_reset(guest, TEACHER).status_code == 200
    database = app.extensions["badges"]["db"]
    with database.session() as session:
        (waiting,) = session.scalars(sa.select(MailMessage)).all()
        assert waiting.sent_at is None and waiting.last_error is not None
        assert waiting.body.startswith(notifications.SEALED)
        assert "reset-password" not in waiting.body and "Hello" not in waiting.body
        # a sender without the key (a job not given it) leaves it waiting, untouched
        mail = app.extensions["workflow"].mail
        keyless = replace(mail, port=smtp.port, seal_key=None)
        tried = waiting.attempts
        assert notifications.deliver_pending(session, keyless, now=NOW) == 0
        assert waiting.sent_at is None and waiting.attempts == tried
        # the relay is back: the link goes out, and its sealed body is dropped
        assert notifications.deliver_pending(session, replace(mail, port=smtp.port),
                                             now=NOW) == 1
        assert waiting.body == notifications.SENT_NOTE
    path = _link(smtp, 1)
    assert guest.post(path, {"password": NEW_PASSWORD}).status_code == 303


def test_a_sealed_message_opens_only_under_its_own_key_and_recipient() -> None:
    key = notifications.outbox_key(bytes(range(32)))
    body = notifications.seal("the link", key, kind="password_reset", to="a@b.org")
    row = MailMessage(kind="password_reset", to_address="a@b.org", subject="s", body=body)
    assert notifications.unseal(row, key) == "the link"
    assert notifications.unseal(row, notifications.outbox_key(bytes(32))) is None
    moved = MailMessage(kind="password_reset", to_address="c@b.org", subject="s", body=body)
    assert notifications.unseal(moved, key) is None
