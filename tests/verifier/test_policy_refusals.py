"""A fetch the verifier's policy refuses never makes a genuine badge read as invalid (issue #13).

A production verifier refuses private and loopback addresses and plain HTTP.
When the document a check needs sits behind such an address, nothing has been
learnt about the credential: the verdict is "could not be fully checked"
(``unconfirmed``), the check says why, and the message names the setting that
lifts the refusal. The same credentials verify once the setting allows them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from badges import dataintegrity
from badges import keys
from badges.report import Outcome
from badges.trust import TrustRegistry
from tests.conftest import NOW
from tests.conftest import load_json
from tests.verifier.conftest import CREATED
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.service import Verifier

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = FetchPolicy()  # HTTPS only, public addresses only


def _verify(credential: Any, policy: FetchPolicy = PRODUCTION) -> Any:
    # every issuer in these tests is on the list: what is at stake is the fetch, not trust
    issuer = credential["issuer"]["id"] if isinstance(credential.get("issuer"), dict) else ""
    known = TrustRegistry(issuers={issuer: "Lakeside Unified School District"})
    return Verifier(fetcher=Fetcher(policy), registry=known, clock=lambda: NOW).verify(
        credential)


def _did_key_credential(**changes: Any) -> dict[str, Any]:
    key = keys.generate("ed25519")
    cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Lakeside"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    cred.update(changes)
    return dataintegrity.sign_credential(cred, key=key, created=CREATED)


def _did_web_credential(did: str) -> dict[str, Any]:
    key = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
    cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": did, "type": ["Profile"], "name": "Lakeside"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    return dataintegrity.sign_credential(cred, key=key, created=CREATED)


def _url_issuer_credential(issuer: str) -> dict[str, Any]:
    """An issuer identified by an HTTPS URL whose page publishes its key."""
    key = keys.generate("ed25519").with_controller(issuer, f"{issuer}#key-1")
    cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Lakeside"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    return dataintegrity.sign_credential(cred, key=key, created=CREATED)


def _status_entry(url: str) -> dict[str, Any]:
    return {"id": f"{url}#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": "7", "statusListCredential": url}


CASES: list[tuple[str, Callable[[Documents], dict[str, Any]], str, str, str]] = [
    # (case, credential, check that needs the fetch, refusal, words of the way to lift it)
    ("the key of a did:web on a loopback address (HTTPS)",
     lambda docs: _did_web_credential(f"did:web:127.0.0.1%3A{docs.port}:issuers:lakeside"),
     "proof", "address_not_allowed", "BADGES_FETCH_ALLOW_HOSTS=127.0.0.1"),
    ("the key of a did:web on a private address",
     lambda docs: _did_web_credential("did:web:10.20.30.40:issuers:lakeside"),
     "proof", "address_not_allowed", "--allow-host 10.20.30.40"),
    ("the key in the issuer's own controller document, on a private address",
     lambda docs: _url_issuer_credential("https://192.168.1.20/issuers/lakeside"),
     "proof", "address_not_allowed", "BADGES_FETCH_ALLOW_HOSTS"),
    ("a status list over plain HTTP",
     lambda docs: _did_key_credential(credentialStatus=_status_entry(
         f"http://127.0.0.1:{docs.port}/status/revocation/1")),
     "status", "scheme_not_allowed", "BADGES_ENV=development"),
    ("a status list on a loopback address (HTTPS)",
     lambda docs: _did_key_credential(credentialStatus=_status_entry(
         f"https://127.0.0.1:{docs.port}/status/revocation/1")),
     "status", "address_not_allowed", "BADGES_FETCH_ALLOW_HOSTS"),
]


@pytest.mark.parametrize(("case", "make", "check", "refusal", "lift"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_refused_fetch_is_could_not_be_fully_checked(
        documents: Documents, case: str, make: Callable[[Documents], dict[str, Any]],
        check: str, refusal: str, lift: str) -> None:
    report = _verify(make(documents))
    assert report.verdict == "unconfirmed", (case, report.to_json())
    assert not report.verified
    found = report.check(check)
    assert found.outcome == Outcome.INDETERMINATE, (case, found)
    assert not any(c.outcome == Outcome.FAILED for c in report.checks), report.to_json()
    text = json.dumps(found.to_json())
    assert refusal in text and lift in text, (case, text)


def test_the_same_badge_verifies_once_the_host_is_allowed(documents: Documents,
                                                          issuer: DidWebIssuer) -> None:
    url = issuer.status_list("revocation")
    credential = issuer.sign(issuer.credential(credentialStatus=_status_entry(url)))
    refused = _verify(credential)
    assert refused.verdict == "unconfirmed"
    allowed = _verify(credential, FetchPolicy(**LOOPBACK))
    assert allowed.verdict == "verified", allowed.to_json()


def test_the_command_line_says_unconfirmed_and_exits_1(documents: Documents,
                                                        issuer: DidWebIssuer,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(issuer.sign(issuer.credential())))
    proc = subprocess.run([sys.executable, "-c", "from issuer.cli import main; main()",
                           "verify", "--json", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "unconfirmed"
    proof = next(c for c in report["checks"] if c["id"] == "proof")
    assert proof["outcome"] == "indeterminate" and proof["code"] == "address_not_allowed"
