"""Browser fixtures: the live issuer service (with the verifier mounted) and Debian's Chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by the ``playwright``
package (never ``playwright install``). Screenshots go to
``artifacts/browser/`` (git-ignored). The accessibility check injects
``axe-core`` from ``tests/interop/js/node_modules`` (``npm ci --prefix
tests/interop/js``, which ``scripts/setup --dev`` runs).

As with the interop checks, a browser check that cannot run fails rather than
passing silently; set ``BADGES_SKIP_BROWSER=1`` to skip them on purpose.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from badges import keys

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "tests" / "interop" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SKIP_ENV = "BADGES_SKIP_BROWSER"
KEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#: A neighbouring district's did:key, on the site verifier's list of known issuers.
HARBOR = keys.generate("ed25519")
HARBOR_NAME = "Harbor Charter Schools"
#: The WCAG 2.x A/AA rules and axe's best practices (landmarks, headings...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _requirements() -> None:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"browser checks skipped: {SKIP_ENV}=1 is set")
    missing = []
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing.append("Debian's chromium (apt-get install chromium)")
    if not AXE.exists():
        missing.append("axe-core (npm ci --prefix tests/interop/js)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        pytest.fail("Browser checks cannot run: missing " + ", ".join(missing)
                    + f". Run scripts/setup --dev, or set {SKIP_ENV}=1 to skip them on purpose.",
                    pytrace=False)


@dataclass
class Site:
    """The live issuer service and what it issued for the browser tests."""

    base: str
    di: str
    di_share: str
    jwt: str
    jwt_share: str
    #: the running service (tests that need more credentials issue them through it)
    app: Any = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _requirements()
    from issuer.app import create_app
    from issuer.migrate import upgrade
    from issuer.services import issuance
    from issuer.services.issuance import IssuerContext
    from tests.issuer import seed
    from tests.issuer.conftest import LiveServer

    root = tmp_path_factory.mktemp("browser-site")
    database_url = f"sqlite:///{root / 'badges.db'}"
    upgrade(database_url)

    known = root / "known-issuers.json"
    known.write_text(json.dumps({"name": "Neighbours", "issuers": [
        {"id": HARBOR.controller, "name": HARBOR_NAME}]}))

    def make_app(**overrides: Any) -> Any:
        with pytest.MonkeyPatch.context() as env:  # the verifier reads its list from here
            env.setenv("BADGES_VERIFIER_REGISTRY", str(known))
            return create_app({"env": "testing", "database_url": database_url,
                               "instance_path": str(root), "key_encryption_key": KEK,
                               "secret_key": "browser-test", **overrides})

    server = LiveServer(make_app)
    state = server.app.extensions["badges"]
    ctx = IssuerContext(base_url=server.base_url, kek=state["settings"].key_encryption_key)
    issued: dict[str, tuple[str, str]] = {}
    with state["db"].session() as session:
        seed.district(session, ctx)
    for fmt in ("di", "jwt"):
        with state["db"].session() as session:
            credential = issuance.award(
                session, ctx, issuer="lakeside", achievement="blended-learning-design",
                email="ana.teacher@lakeside.example.org", name="Ana Teacher", actor="test",
                now=datetime.now(UTC), fmt=fmt)
            issued[fmt] = (credential.document, issuance.share_url(server.base_url, credential))
    yield Site(server.base_url, issued["di"][0], issued["di"][1], issued["jwt"][0],
               issued["jwt"][1], server.app)
    server.stop()
    state["db"].dispose()


#: the password of every account the browser tests sign in with
PASSWORD = "correct horse battery"
TEACHER = "ana.teacher@lakeside.example.org"
REVIEWER = "marcus.reviewer@lakeside.example.org"
ADMIN = "dana.admin@lakeside.example.org"


@pytest.fixture(scope="module")
def teacher(site: Site) -> str:
    """Accounts: Ana (teacher, a valid and a revoked badge), a reviewer and an admin.

    Returns Ana's e-mail address; the others are :data:`REVIEWER` and :data:`ADMIN`.
    """
    import sqlalchemy as sa

    from issuer.models import Membership
    from issuer.models import Organization
    from issuer.models import Role
    from issuer.services import issuance
    from issuer.services import recipients
    from issuer.services import status
    from issuer.services.issuance import IssuerContext
    from issuer.workflow import accounts

    state = site.app.extensions["badges"]
    ctx = IssuerContext(base_url=site.base, kek=state["settings"].key_encryption_key)
    with state["db"].session() as session:
        withdrawn = issuance.award(session, ctx, issuer="lakeside",
                                   achievement="blended-learning-design", email=TEACHER,
                                   name="Ana Teacher", actor="test", now=datetime.now(UTC))
    with state["db"].session() as session:
        status.revoke(session, withdrawn.credential_id, reason="awarded in error",
                      public=True, actor="test", now=datetime.now(UTC))
        org = session.scalar(sa.select(Organization).where(Organization.slug == "lakeside"))
        assert org is not None
        n = site.app.extensions["workflow"].scrypt_n
        for email, name, role in ((TEACHER, "Ana Teacher", Role.EARNER),
                                  (REVIEWER, "Marcus Reviewer", Role.REVIEWER),
                                  (ADMIN, "Dana Admin", Role.ADMIN)):
            person = recipients.find_or_create(session, email=email, name=name)
            accounts.set_password(person, PASSWORD, n=n)
            session.add(Membership(person_id=person.id, organization_id=org.id, role=role))
            session.flush()
    return TEACHER


def sign_in(page: Any, site: Site, email: str) -> None:
    """Sign in through the form."""
    page.goto(f"{site.base}/sign-in")
    page.locator("#email").fill(email)  # by id: the form may be in Spanish
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to ``artifacts/browser/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page; the violations, summarised."""
    page.evaluate(AXE.read_text("utf-8"))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map(n => n.target.join(' '))}));
           }""", AXE_TAGS)
    return result
