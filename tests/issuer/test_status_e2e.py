"""Revocation end to end against the running service, checked by us and by Digital Bazaar."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from badges import status_list
from issuer.models import ApiToken
from issuer.services import issuance
from issuer.services import organizations
from issuer.services.issuance import IssuerContext
from issuer.web.api import token_hash
from tests.interop.node import run_batch
from tests.issuer import seed
from tests.issuer.conftest import LiveServer

pytestmark = pytest.mark.interop
TOKEN = "e2e-token"
BADGES = shutil.which("badges") or str(Path(__file__).parents[2] / ".venv" / "bin" / "badges")


def _verify_cli(path: Path, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([BADGES, "verify", "--dev", "--json", str(path)], capture_output=True,
                          text=True, timeout=60, check=False, env=env)
    assert "Traceback" not in proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    assert proc.returncode == (0 if report["verified"] else 1)
    return report


def _status(report: dict[str, Any]) -> tuple[str, str]:
    check = next(c for c in report["checks"] if c["id"] == "status")
    return check["outcome"], check["code"]


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        result: dict[str, Any] = json.loads(response.read())
        return result


def test_award_verify_revoke_suspend_against_the_running_service(live_server: LiveServer,
                                                                  tmp_path: Path) -> None:
    base = live_server.base_url
    settings = live_server.app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=base, kek=settings.key_encryption_key)
    database = live_server.app.extensions["badges"]["db"]
    now = seed.now_of(live_server.app)
    own = live_server.cli_env()  # the district's own command line knows its issuers
    with database.session() as session:  # suspension on: both entries, both lists
        org = seed.district(session, ctx, suspension=True)
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
    issued = []
    for n in range(3):
        with database.session() as session:
            issued.append(issuance.award(
                session, ctx, issuer="lakeside", achievement="blended-learning-design",
                email=f"t{n}@lakeside.example.org", name=f"Teacher {n}", actor="test", now=now))
    files = []
    for n, item in enumerate(issued):
        path = tmp_path / f"c{n}.json"
        path.write_text(item.document)
        files.append(path)
    assert _status(_verify_cli(files[0], own)) == ("passed", "not_withdrawn")

    _post(f"{base}/api/v1/credentials/{issued[0].credential_id}/revoke",
          {"reason": "Evidence was not the teacher's own", "public": True})
    _post(f"{base}/api/v1/credentials/{issued[1].credential_id}/suspend", {})
    reports = [_verify_cli(p, own) for p in files]
    assert [_status(r) for r in reports] == [
        ("failed", "revoked"), ("failed", "suspended"), ("passed", "not_withdrawn")]
    assert [r["verified"] for r in reports] == [False, False, True]
    # the entry's own URL tells since when and, as the district chose, why
    revoked = next(c for c in reports[0]["checks"] if c["id"] == "status")
    assert revoked["detail"]["statusReason"] == "Evidence was not the teacher's own"
    assert revoked["detail"]["statusDate"].startswith(f"{now:%Y-%m-%d}")
    suspended = next(c for c in reports[1]["checks"] if c["id"] == "status")
    assert "statusReason" not in suspended["detail"] and "statusDate" in suspended["detail"]
    client = live_server.app.test_client()
    for lang, words in (("en", ("Revoked on", "Reason given by the issuer")),
                        ("es", ("Revocada el", "Motivo indicado por el emisor"))):
        page = client.post(f"/verify?lang={lang}", data={"credential": issued[0].document},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert 'data-verdict="revoked"' in page
        assert all(word in page for word in words), lang
        assert "Evidence was not the teacher&#39;s own" in page
    # the share page links straight to a verification of itself
    share = issuance.share_url(base, issued[2])
    html = client.get(urlsplit(share).path, headers={"Accept": "text/html"}).get_data(
        as_text=True)
    found = re.search(r'href="(/verify\?url=[^"]+)"', html)
    assert found is not None
    link = html_module.unescape(found.group(1))
    checked = client.get(link).get_data(as_text=True)
    assert 'data-verdict="verified"' in checked and "Teacher 2" in checked

    # Digital Bazaar reads our lists: the same bits, and its verifier agrees
    indexes = {p: [int(json.loads(c.document)["credentialStatus"][i]["statusListIndex"])
                   for c in issued] for i, p in enumerate(("revocation", "suspension"))}
    lists = {}
    for purpose in ("revocation", "suspension"):
        # as a JSON-LD loader asks (with no Accept the service would answer the VC-JWT)
        asked = urllib.request.Request(f"{base}/issuers/lakeside/status/{purpose}/1",
                                       headers={"Accept": "application/ld+json, application/json"})
        with urllib.request.urlopen(asked, timeout=30) as response:  # noqa: S310
            lists[purpose] = json.loads(response.read())["credentialSubject"]["encodedList"]
    js_bits = run_batch("status-bits.mjs", [
        {"encodedList": lists["revocation"], "all": True},
        {"encodedList": lists["suspension"], "all": True}])
    for purpose, answer in zip(("revocation", "suspension"), js_bits, strict=True):
        ours = status_list.decode_list(lists[purpose])
        assert answer["length"] == len(ours) == 131_072
        assert answer["set"] == [i for i in range(len(ours)) if ours.get(i)]
    assert js_bits[0]["set"] == [indexes["revocation"][0]]
    assert js_bits[1]["set"] == [indexes["suspension"][1]]
    db_answers = run_batch("verify-di.mjs", [{"credential": json.loads(c.document)}
                                             for c in issued],
                           fetchOrigins=[base], checkBitstringStatus=True)
    assert [a["verified"] for a in db_answers] == [False, False, True]

    _post(f"{base}/api/v1/credentials/{issued[1].credential_id}/unsuspend", {})
    assert _verify_cli(files[1], own)["verified"] is True
    with database.session() as session:
        assert organizations.get(session, "lakeside").slug == "lakeside"
