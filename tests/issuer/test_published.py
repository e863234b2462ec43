"""The service's own documents, read from its database: own revocations are seen at once.

Unit tests of :class:`PublishedDocuments` on both engines, then the case the
issue names: two separate web processes on one database; a credential is
verified through the second (so its caches are warm), revoked through the
first, and verified through the second again at once.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from badges.did import ResolutionError
from issuer.db import Database
from issuer.models import ApiToken
from issuer.services import issuance
from issuer.services import status
from issuer.services.context import IssuerContext
from issuer.services.published import PublishedDocuments
from issuer.web.api import token_hash
from tests.issuer import seed
from tests.issuer.conftest import KEK
from tests.issuer.conftest import NOW
from verifier.clock import running_from

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://badges.test"
TOKEN = "published-token"


@pytest.fixture
def published(database: Database, ctx: IssuerContext) -> PublishedDocuments:
    with database.session() as session:
        seed.district(session, ctx)
    return PublishedDocuments(database, ctx, running_from(NOW))


def _award(database: Database, ctx: IssuerContext, n: int = 0) -> Any:
    with database.session() as session:
        return issuance.award(session, ctx, issuer="lakeside",
                              achievement="blended-learning-design",
                              email=f"t{n}@lakeside.example.org", name=f"Teacher {n}",
                              actor="test", now=NOW)


def test_answers_its_own_documents_and_nothing_else(published: PublishedDocuments,
                                                    database: Database,
                                                    ctx: IssuerContext) -> None:
    issued = _award(database, ctx)
    credential = json.loads(issued.document)
    did_doc = published("did:web:badges.test:issuers:lakeside")
    assert did_doc is not None and did_doc["id"] == "did:web:badges.test:issuers:lakeside"
    entry = seed.status_entries(credential)[0]
    listing = published(entry["statusListCredential"])
    assert listing is not None
    assert listing["credentialSubject"]["statusPurpose"] == "revocation"
    details = published(entry["id"])
    assert details is not None and details["status"] == "active"
    # not ours: another host, another scheme, a query, a route we do not serve
    for target in ("did:web:elsewhere.test:issuers:lakeside",
                   "http://badges.test/issuers/lakeside/did.json",
                   f"{entry['statusListCredential']}?x=1",
                   f"{BASE}/issuers/lakeside", "https://badges.test.evil/issuers/lakeside/did.json"):
        assert published(target) is None, target
    # ours, but nothing is published there: what the route answers with a 404
    for target in (f"{BASE}/issuers/nobody/did.json",
                   f"{BASE}/issuers/lakeside/status/revocation/9",
                   f"{BASE}/issuers/lakeside/status/colour/1"):
        with pytest.raises(ResolutionError) as caught:
            published(target)
        assert caught.value.code == "fetch_failed", target


def test_a_list_is_reread_only_when_it_changed(published: PublishedDocuments,
                                               database: Database, ctx: IssuerContext) -> None:
    issued = _award(database, ctx)
    url = seed.status_entries(issued.document)[0]["statusListCredential"]
    first = published(url)
    assert published(url) is first  # unchanged: the same object, so its check is remembered
    with database.session() as session:
        status.revoke(session, issued.credential_id, reason="test", public=False, actor="test",
                      now=NOW)
    changed = published(url)
    assert changed is not first
    assert changed is not None and changed["credentialSubject"]["encodedList"] != \
        first["credentialSubject"]["encodedList"]  # type: ignore[index]
    report = seed.verify(issued.document, database, ctx)
    assert report.check("status").code == "revoked"


# --------------------------------------------------------------------------- two processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture
def two_servers(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two ``badges serve`` processes on one database; both publish under the first's URL."""
    ports = (_free_port(), _free_port())
    base = f"http://127.0.0.1:{ports[0]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    env.update({"BADGES_ENV": "testing", "BADGES_DATABASE_URL": db_url,
                "BADGES_BASE_URL": base, "BADGES_INSTANCE_PATH": str(tmp_path),
                "BADGES_KEY_ENCRYPTION_KEY": KEK_B64, "BADGES_SECRET_KEY": "test-secret",
                "PYTHONPATH": str(ROOT)})
    database = Database(db_url)
    ctx = IssuerContext(base_url=base, kek=KEK)
    with database.session() as session:
        org = seed.district(session, ctx)
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
    database.dispose()
    logs = [tmp_path / f"server-{port}.log" for port in ports]
    procs = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:
            procs.append(subprocess.Popen(
                [sys.executable, "-c", "from issuer.cli import main; main()", "serve", "--port",
                 str(port)], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT))
    try:
        for port, proc, log in zip(ports, procs, logs, strict=True):
            _wait_until_up(f"http://127.0.0.1:{port}/verify", proc, log)
        yield base, f"http://127.0.0.1:{ports[1]}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


KEK_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


def _call(url: str, body: dict[str, Any] | str, *, token: bool = False) -> Any:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json" if isinstance(body, dict) else "text/plain"}
    if token:
        headers["Authorization"] = f"Bearer {TOKEN}"
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def _status_of(report: dict[str, Any]) -> str:
    return str(next(c for c in report["checks"] if c["id"] == "status")["code"])


def test_a_revocation_through_one_process_is_seen_by_the_other_at_once(
        two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    awarded = _call(f"{first}/api/v1/issuers/lakeside/awards",
                    {"achievement": "blended-learning-design", "email": "t@lakeside.example.org",
                     "name": "Taylor Teacher"}, token=True)
    credential = awarded["credential"]
    before = _call(f"{second}/api/v1/verify", credential)
    assert before["verdict"] == "verified" and _status_of(before) == "not_revoked"
    _call(f"{first}/api/v1/credentials/{credential['id']}/revoke",
          {"reason": "Evidence was not the teacher's own"}, token=True)
    after = _call(f"{second}/api/v1/verify", credential)
    assert after["verdict"] == "revoked" and _status_of(after) == "revoked"
    # the link form of the same check, as a hiring school's e-mail would use it
    share = awarded["shareUrl"]
    with urllib.request.urlopen(f"{second}/verify?url={share}",  # noqa: S310 - loopback
                                timeout=60) as response:
        page = response.read().decode()
    assert 'data-verdict="revoked"' in page
