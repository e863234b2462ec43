"""Passwords, sessions, CSRF and invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from issuer.models import Person
from issuer.models import Role
from issuer.services import organizations
from issuer.services.errors import ServiceError
from issuer.workflow import accounts
from issuer.workflow import passwords
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World


def test_scrypt_hashes_are_salted_and_carry_their_parameters() -> None:
    first = passwords.hash_password("a long pass phrase", n=2**10)
    second = passwords.hash_password("a long pass phrase", n=2**10)
    assert first != second and first.startswith("scrypt$1024$8$1$")
    assert passwords.check_password(first, "a long pass phrase", n=2**14)
    assert not passwords.check_password(first, "a long pass phrasE", n=2**10)
    assert not passwords.check_password(None, "anything", n=2**10)
    assert not passwords.check_password("md5$abc", "anything", n=2**10)
    assert passwords.needs_rehash(first, n=2**14) and not passwords.needs_rehash(first, n=2**10)


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaa", "x" * 201])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ServiceError) as caught:
        accounts.check_new_password(password)
    assert caught.value.code == "weak_password"


def test_sign_in_wrong_password_and_sign_out(app: Flask, world: World) -> None:
    del world
    browser = Browser(app.test_client())
    assert browser.get("/review").status_code == 302
    wrong = browser.sign_in(PEOPLE["reviewer"][1], "not the password")
    assert wrong.status_code == 401
    assert "not right" in wrong.get_data(as_text=True)
    unknown = browser.sign_in("nobody@lakeside.test")
    assert unknown.status_code == 401
    assert browser.sign_in(PEOPLE["reviewer"][1]).status_code == 303
    assert browser.get("/review").status_code == 200
    assert browser.post("/sign-out").status_code == 303
    assert browser.get("/review").status_code == 302


def test_sign_in_redirects_only_to_local_pages(app: Flask, world: World) -> None:
    del world
    for target, expected in (("/wallet", "/wallet"), ("//evil.example/x", "/start"),
                             ("https://evil.example/", "/start"), ("/\\evil", "/start")):
        browser = Browser(app.test_client())
        browser.get("/sign-in")
        response = browser.post("/sign-in", {"email": PEOPLE["teacher"][1],
                                             "password": PASSWORD, "next": target})
        assert response.headers["Location"] == expected


def test_forms_need_the_session_csrf_token(app: Flask, world: World,
                                           as_user: Callable[[str], Browser]) -> None:
    teacher = as_user("teacher")
    forged = teacher.client.post("/submissions", data={
        "achievement_id": world.achievements["blended"]})
    assert forged.status_code == 400 and "expired" in forged.get_data(as_text=True)
    other = as_user("teacher2")
    stolen = teacher.client.post("/submissions", data={
        "achievement_id": world.achievements["blended"], "csrf_token": other.csrf})
    assert stolen.status_code == 400
    assert teacher.post("/submissions", {
        "achievement_id": world.achievements["blended"]}).status_code == 303
    login_csrf = Browser(app.test_client()).client.post(
        "/sign-in", data={"email": PEOPLE["teacher"][1], "password": PASSWORD})
    assert login_csrf.status_code == 400


def test_a_password_change_ends_older_sessions(app: Flask, world: World,
                                               as_user: Callable[[str], Browser]) -> None:
    teacher = as_user("teacher")
    assert teacher.get("/wallet").status_code == 200
    with app.extensions["badges"]["db"].session() as session:
        person = session.get(Person, world.people["teacher"])
        assert person is not None
        accounts.set_password(person, "a brand new pass phrase", n=2**10)
    assert teacher.get("/wallet").status_code == 302
    cookie = teacher.client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_sign_in_upgrades_an_old_hash(make_app: Callable[..., Flask]) -> None:
    app = make_app(scrypt_n=2**11)
    from tests.issuer.workflow.conftest import build_world

    world = build_world(app)
    with app.extensions["badges"]["db"].session() as session:
        person = session.get(Person, world.people["teacher"])
        assert person is not None
        person.password_hash = passwords.hash_password(PASSWORD, n=2**10)
    assert Browser(app.test_client()).sign_in(PEOPLE["teacher"][1]).status_code == 303
    with app.extensions["badges"]["db"].session() as session:
        person = session.get(Person, world.people["teacher"])
        assert person is not None and person.password_hash is not None
        assert person.password_hash.startswith("scrypt$2048$")


def test_invitations_for_existing_accounts_need_their_owner(app: Flask, world: World,
                                                            as_user: Callable[[str], Browser]
                                                            ) -> None:
    with app.extensions["badges"]["db"].session() as session:
        maple = organizations.get(session, "maple")
        _, token = accounts.invite(session, org=maple, email=PEOPLE["teacher"][1],
                                   roles=[Role.REVIEWER], invited_by=None, now=NOW, days=14)
        _, expired = accounts.invite(session, org=maple, email="late@lakeside.test",
                                     roles=[Role.EARNER], invited_by=None,
                                     now=NOW - timedelta(days=30), days=14)
    stranger = Browser(app.test_client())
    page = stranger.get(f"/invite/{token}").get_data(as_text=True)
    assert "already has an account" in page
    refused = stranger.post(f"/invite/{token}", {"name": "Mallory", "password": "take over now"})
    assert refused.status_code == 409
    wrong = as_user("teacher2").post(f"/invite/{token}", {})
    assert wrong.status_code == 403
    teacher = as_user("teacher")
    assert teacher.post(f"/invite/{token}", {}).status_code == 303
    assert teacher.get("/review").status_code == 200  # now a reviewer at Maple too
    assert stranger.get(f"/invite/{expired}").status_code == 404
    assert stranger.get("/invite/not-a-token").status_code == 404
