"""The live service against independent verifiers, over real HTTP.

The real Flask issuer runs on a loopback port (``live_server``, on SQLite and
on PostgreSQL). Credentials it awards are verified by

* Digital Bazaar's ``vc.verifyCredential`` (eddsa-rdfc-2022), whose document
  loader fetches the issuer's ``did:web`` DID document from the live service
  (``fetchOrigins`` in ``tests/interop/js/loader.mjs``; contexts stay bundled);
* panva/jose, with the ES256 key fetched from the service by the JWT's ``kid``
  (through the DID document, and through the single-JWK URL);
* the installed ``badges verify --dev --json`` console script, for the DI
  credential, the JWT and the baked PNG downloaded from the share URL.

Tampered copies must fail, and after a key rotation the old credentials must
keep verifying while new ones are signed by the new keys.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from issuer.db import Database
from issuer.models import IssuedCredential
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services.issuance import IssuerContext
from tests.interop.node import INSTALL_COMMAND
from tests.interop.node import run_batch
from tests.interop.node import unavailable_reason
from tests.issuer import seed
from tests.issuer.conftest import LiveServer

pytestmark = pytest.mark.interop

SKIP_ENV = "BADGES_SKIP_INTEROP"
ISSUER = "lakeside"


@pytest.fixture(autouse=True, scope="module")
def _interop_requirements() -> None:
    # the same policy as tests/interop: a check that did not run must not pass
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"interop checks skipped: {SKIP_ENV}=1 is set")
    reason = unavailable_reason()
    if reason is not None:
        pytest.fail(f"Interop checks cannot run: {reason}.\nRun `{INSTALL_COMMAND}` (Node.js "
                    f">= 20 and npm), or set {SKIP_ENV}=1 to skip them on purpose.",
                    pytrace=False)


# --- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Awarded:
    """What a test needs of an issued credential (usable after its session closed)."""

    fmt: str
    document: str
    share: str


@dataclass
class Service:
    """The live service, its database and the issuer context the app uses."""

    server: LiveServer
    db: Database
    ctx: IssuerContext

    @property
    def base(self) -> str:
        return self.server.base_url

    @property
    def did(self) -> str:
        # did:web §3.1: the port's colon is percent-encoded, path segments joined by ':'
        return f"did:web:127.0.0.1%3A{urlsplit(self.base).port}:issuers:{ISSUER}"

    @property
    def did_url(self) -> str:
        return f"{self.base}/issuers/{ISSUER}/did.json"

    def award(self, fmt: str, achievement: str = "data-informed-instruction") -> Awarded:
        with self.db.session() as s:
            issued: IssuedCredential = issuance.award(
                s, self.ctx, issuer=ISSUER, achievement=achievement,
                email="ana.teacher@lakeside.example.org", name="Ana Teacher",
                actor="test", now=seed.now_of(self.server.app), fmt=fmt)
            return Awarded(fmt, issued.document, issuance.share_url(self.base, issued))

    def rotate(self) -> None:
        with self.db.session() as s:
            org = organizations.get(s, ISSUER)
            signing_keys.rotate(s, org, kek=self.ctx.kek, base_url=self.base,
                                now=seed.now_of(self.server.app), actor="test")


def _get(url: str) -> bytes:
    with urlopen(url, timeout=10) as response:  # noqa: S310 - the loopback test server
        assert response.status == 200, url
        body: bytes = response.read()
        return body


def _b64url_json(part: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def _proof(credential: dict[str, Any]) -> dict[str, Any]:
    proofs = credential["proof"]
    proofs = proofs if isinstance(proofs, list) else [proofs]
    assert len(proofs) == 1, proofs
    proof: dict[str, Any] = proofs[0]
    return proof


def _tampered_di(document: str) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(document)
    credential["credentialSubject"]["achievement"]["name"] = "Forged Achievement"
    return credential


def _tampered_jwt(jwt: str) -> str:
    header, payload, signature = jwt.split(".")
    claims = _b64url_json(payload)
    target = claims["vc"] if "vc" in claims else claims
    target["name"] = "Forged Achievement"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _errors(answer: dict[str, Any]) -> str:
    return " | ".join(answer.get("errors", [])) or str(answer.get("error"))


def _badges_exe() -> str:
    for candidate in (Path(sys.executable).parent / "badges",
                      Path(__file__).resolve().parents[2] / ".venv" / "bin" / "badges"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("badges")
    assert found, "the badges console script is not installed (pip install -e .)"
    return found


class CliRuns:
    """``badges verify --dev --json`` runs in the background; all reaped at teardown."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, path: Path, environ: dict[str, str]) -> subprocess.Popen[str]:
        # the test decides what may be fetched: drop the CLI's environment switches
        env = {k: v for k, v in environ.items()
               if k not in ("BADGES_DEV", "BADGES_FETCH_ALLOW_HOSTS")}
        proc = subprocess.Popen(  # noqa: S603 - the installed console script
            [_badges_exe(), "verify", "--dev", "--json", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


@pytest.fixture
def cli_runs() -> Iterator[CliRuns]:
    runs = CliRuns()
    yield runs
    runs.close()


# --- the test -----------------------------------------------------------------------------


@pytest.fixture
def service(live_server: LiveServer) -> Iterator[Service]:
    app_state = live_server.app.extensions["badges"]
    db: Database = app_state["db"]
    ctx = IssuerContext(base_url=live_server.base_url,
                        kek=app_state["settings"].key_encryption_key)
    with db.session() as s:
        seed.district(s, ctx)
    yield Service(live_server, db, ctx)


def test_live_service_credentials_verify_with_independent_verifiers(
        service: Service, cli_runs: CliRuns, tmp_path: Path) -> None:
    base, did = service.base, service.did
    di = service.award("di")
    jwt = service.award("jwt")

    # the published DID document is the one the verifiers will fetch
    did_doc = json.loads(_get(service.did_url))
    assert did_doc["id"] == did
    assert {m["id"] for m in did_doc["verificationMethod"]} == {f"{did}#ed-1", f"{did}#p256-1"}

    # (e) what the share URL serves is exactly what was signed; download the baked PNG
    served = {"di": _get(f"{di.share}.json"), "jwt": _get(f"{jwt.share}.jwt"),
              "png": _get(f"{di.share}.png")}
    assert served["di"] == di.document.encode("utf-8")
    assert served["jwt"] == jwt.document.encode("ascii")
    assert served["png"].startswith(b"\x89PNG\r\n\x1a\n")
    files = {"di": tmp_path / "credential.json", "jwt": tmp_path / "credential.jwt",
             "png": tmp_path / "badge.png"}
    for name, path in files.items():
        path.write_bytes(served[name])
    # the CLI runs in the background while Node checks the same credentials
    # (as the district's own command line, which knows the district's issuers)
    cli = {name: cli_runs.start(path, service.server.cli_env()) for name, path in files.items()}

    credential = json.loads(di.document)
    assert credential["issuer"]["id"] == did
    assert _proof(credential)["verificationMethod"] == f"{did}#ed-1"
    assert _b64url_json(jwt.document.split(".")[0])["kid"] == f"{did}#p256-1"

    # (a) + (c) Digital Bazaar, its loader fetching the DID document from the live service
    ok, tampered, other_origin, offline = run_batch("verify-di.mjs", [
        {"credential": credential},
        {"credential": _tampered_di(di.document)},
        {"credential": credential, "fetchOrigins": ["http://127.0.0.1:1"]},
        {"credential": credential, "fetchOrigins": None},
    ], fetchOrigins=[base], checkBitstringStatus=True)
    assert ok["verified"] is True, _errors(ok)
    # the DID document, then the revocation list (suspension is off by default), checked
    # by DB's own vc-bitstring-status-list (its proof verified, its bits read)
    assert ok["fetched"][0] == service.did_url
    assert ok["fetched"][1:] == [f"{base}/issuers/{ISSUER}/status/revocation/1"]
    assert tampered["verified"] is False
    assert tampered["fetched"][:1] == [service.did_url]  # it failed on the signature
    assert "refusing" not in _errors(tampered)
    for refused in (other_origin, offline):  # nothing is fetched without an explicit opt-in
        assert refused["verified"] is False
        assert f'refusing to load "{did}#ed-1"' in _errors(refused)

    # (b) + (c) jose, the key fetched by the JWT's kid (DID document, or the single-JWK URL)
    by_kid, by_key_url, forged, not_allowed = run_batch("jwt-verify.mjs", [
        {"jwt": jwt.document},
        {"jwt": jwt.document, "keyUrl": f"{base}/issuers/{ISSUER}/keys/p256-1"},
        {"jwt": _tampered_jwt(jwt.document)},
        {"jwt": jwt.document, "fetchOrigins": ["http://127.0.0.1:1"]},
    ], fetchOrigins=[base], checkBitstringStatus=True)
    for answer in (by_kid, by_key_url):
        assert answer["verified"] is True, answer
        assert answer["header"] == {"alg": "ES256", "kid": f"{did}#p256-1", "typ": "JWT"}
        assert answer["payload"]["iss"] == did
    assert by_kid["key"]["source"] == service.did_url
    assert by_key_url["key"]["jwk"]["kid"] == f"{did}#p256-1"
    assert forged["verified"] is False
    assert forged["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", forged
    assert not_allowed["verified"] is False
    assert not_allowed["code"] == "ERR_KEY_RESOLUTION", not_allowed

    # (e) the installed console script, fetching over plain HTTP from loopback (--dev)
    for name, proc in cli.items():
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, f"badges verify {name}: {stdout}\n{stderr}"
        report = json.loads(stdout)
        assert report["verified"] is True, (name, report)
        assert report["format"] == ("jwt" if name == "jwt" else "json"), (name, report)
        assert "Traceback" not in stderr

    # (d) rotation: old credentials keep verifying; new ones are signed by the new keys
    service.rotate()
    new_di = service.award("di", achievement="blended-learning-design")
    new_jwt = service.award("jwt", achievement="blended-learning-design")
    new_credential = json.loads(new_di.document)
    assert _proof(new_credential)["verificationMethod"] == f"{did}#ed-2"
    assert _b64url_json(new_jwt.document.split(".")[0])["kid"] == f"{did}#p256-2"
    rotated_doc = json.loads(_get(service.did_url))
    assert rotated_doc["assertionMethod"] == [
        f"{did}#ed-1", f"{did}#p256-1", f"{did}#ed-2", f"{did}#p256-2"]

    old_ok, new_ok, new_tampered = run_batch("verify-di.mjs", [
        {"credential": credential},
        {"credential": new_credential},
        {"credential": _tampered_di(new_di.document)},
    ], fetchOrigins=[base], checkBitstringStatus=True)
    assert old_ok["verified"] is True, _errors(old_ok)
    assert new_ok["verified"] is True, _errors(new_ok)
    assert new_tampered["verified"] is False

    old_jwt_ok, new_jwt_ok, new_jwt_key_url, new_jwt_forged, wrong_key = run_batch(
        "jwt-verify.mjs", [
            {"jwt": jwt.document},
            {"jwt": new_jwt.document},
            {"jwt": new_jwt.document, "keyUrl": f"{base}/issuers/{ISSUER}/keys/p256-2"},
            {"jwt": _tampered_jwt(new_jwt.document)},
            # the old key, given directly, does not verify what the new key signed
            {"jwt": new_jwt.document, "jwk": by_kid["key"]["jwk"]},
        ], fetchOrigins=[base], checkBitstringStatus=True)
    assert old_jwt_ok["verified"] is True, old_jwt_ok
    assert old_jwt_ok["header"]["kid"] == f"{did}#p256-1"
    assert new_jwt_ok["verified"] is True, new_jwt_ok
    assert new_jwt_key_url["verified"] is True, new_jwt_key_url
    assert new_jwt_ok["key"]["jwk"] != old_jwt_ok["key"]["jwk"]
    assert new_jwt_forged["verified"] is False
    assert wrong_key["verified"] is False
    assert wrong_key["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", wrong_key
