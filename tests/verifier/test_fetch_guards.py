"""A verifier strangers cannot exhaust or turn against its own network (issue #14).

* the document cache is bounded in bytes (total and per document) and drops
  what expired;
* 200 verifications naming distinct hosts that serve near-limit documents
  keep a real verifier process's memory growth under 100 MB;
* a server that trickles one byte at a time is cut at the fetch's deadline;
* one verification makes a bounded number of fetches;
* in development mode too, no spelling of a loopback address, no user-info
  URL, no redirect to another port and no JWT ``kid`` URL reaches anything
  the allow-list does not name;
* per-client rate limits answer 429 with Retry-After;
* a credential's image is embedded by the verifier, never loaded by the
  reader's browser from the credential's host.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from badges import keys
from badges.did import ResolutionError
from badges.jwt import sign_jwt
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from verifier.fetch import Budget
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.fetch import _Cache
from verifier.fetch import _Entry
from verifier.fetch import is_public_address
from verifier.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the cache


def test_the_cache_is_bounded_in_bytes_and_drops_what_expired() -> None:
    cache = _Cache(max_bytes=1000, entry_max_bytes=400)
    for n in range(5):
        cache.put(f"u{n}", _Entry(100.0, 300, {"n": n}), now=0.0)
    assert cache.size <= 1000
    assert cache.get("u0", 1.0) is None and cache.get("u4", 1.0) == {"n": 4}
    cache.put("big", _Entry(100.0, 401, {"big": True}), now=0.0)
    assert cache.get("big", 1.0) is None  # too large for one entry: used, not kept
    cache.put("short", _Entry(5.0, 100, {"short": True}), now=0.0)
    assert cache.get("short", 6.0) is None  # expired: gone, and its bytes with it
    before = cache.size
    cache.put("soon", _Entry(2.0, 300, {}), now=1.0)
    cache.put("later", _Entry(500.0, 300, {}), now=3.0)  # "soon" expired: dropped first
    assert cache.get("soon", 3.0) is None and cache.size <= max(before, 1000)


def test_addresses_that_carry_a_private_address_are_not_public() -> None:
    for address in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::1",
                    "::ffff:127.0.0.1", "2002:7f00:1::1", "2002:a00:1::1", "64:ff9b::7f00:1",
                    "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "0.0.0.0",
                    "224.0.0.1", "fe80::1%eth0"):
        assert not is_public_address(address), address
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "2002:5db8:d822::1"):
        assert is_public_address(address), address


# --------------------------------------------------------------------------- memory


class _BigDocuments:
    """Answers any /hN/did.json with a JSON document of many small objects, about 1 MB."""

    def __init__(self) -> None:
        rows = ",".join("[1,2,3,4,5,6,7,8,9,0]" for _ in range(45_000))
        self.body = ('{"id":"x","padding":[' + rows + "]}").encode()
        body = self.body

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def verifier_process(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """The standalone verifier in its own process (testing mode, loopback allow-listed)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    env.update({"BADGES_VERIFIER_ENV": "testing", "BADGES_VERIFIER_FETCH_ALLOW_HOSTS": "127.0.0.1",
                "BADGES_VERIFIER_INSTANCE_PATH": str(tmp_path), "BADGES_VERIFIER_RATE_LIMIT": "0",
                "PYTHONPATH": str(ROOT)})
    code = ("from werkzeug.serving import run_simple; from verifier import create_app; "
            f"run_simple('127.0.0.1', {port}, create_app(), threaded=True)")
    log = tmp_path / "verifier.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _did_web_credential(did: str) -> dict[str, Any]:
    from badges import dataintegrity
    from tests.conftest import load_json

    key = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
    cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["issuer"] = {"id": did, "type": ["Profile"], "name": "Lakeside"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    return dataintegrity.sign_credential(cred, key=key, created="2026-01-05T09:00:00Z")


def test_two_hundred_hosts_of_big_documents_do_not_grow_memory(
        verifier_process: tuple[str, int]) -> None:
    base, pid = verifier_process
    big = _BigDocuments()
    assert 900_000 < len(big.body) < 1024 * 1024  # just under the document limit

    def verify(n: int) -> dict[str, Any]:
        did = f"did:web:127.0.0.1%3A{big.port}:h{n}"
        request = urllib.request.Request(f"{base}/api/v1/verify", method="POST",
                                         data=json.dumps(_did_web_credential(did)).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result

    for n in range(10):  # warm up: imports, first allocations
        verify(10_000 + n)
    before = _rss_kib(pid)
    for n in range(200):
        report = verify(n)
        assert report["verified"] is False  # the documents hold no key: never "verified"
    grown_mib = (_rss_kib(pid) - before) / 1024
    assert grown_mib < 100, f"the verifier grew by {grown_mib:.0f} MiB"


# --------------------------------------------------------------------------- time


class _Trickle:
    """A server that answers one byte at a time, slowly, forever."""

    def __init__(self, delay: float = 0.3) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 1000:
                    conn.sendall(bytes([byte]))
                    time.sleep(self.delay)
            except OSError:
                return


def test_a_trickling_server_is_cut_at_the_deadline() -> None:
    slow = _Trickle()
    fetcher = Fetcher(FetchPolicy(**LOOPBACK, timeout=1.0, total_timeout=2.0))
    started = time.monotonic()
    with pytest.raises(ResolutionError) as caught:
        fetcher(f"http://127.0.0.1:{slow.port}/did.json")
    assert caught.value.code == "fetch_timeout"
    assert time.monotonic() - started < 4.0


def test_a_trickled_link_ends_the_verification_in_time(
        verifier_app: Callable[..., Flask]) -> None:
    slow = _Trickle()
    client = verifier_app(fetch_timeout="1").test_client()
    started = time.monotonic()
    answer = client.get(f"/verify?url=http://127.0.0.1:{slow.port}/c.json")
    assert time.monotonic() - started < 5.0
    assert answer.status_code == 422 and "fetch_timeout" in answer.get_data(as_text=True)


def test_one_verification_makes_a_bounded_number_of_fetches(documents: Documents) -> None:
    budget = Budget.start(fetches=3, seconds=30)
    fetcher = Fetcher(FetchPolicy(**LOOPBACK, cache_seconds=0))
    for n in range(3):
        with pytest.raises(ResolutionError):  # 404s: each still spends a fetch
            fetcher(f"{documents.base}/missing/{n}", budget)
    with pytest.raises(ResolutionError) as caught:
        fetcher(f"{documents.base}/missing/3", budget)
    assert caught.value.code == "fetch_budget_exceeded"
    assert len(documents.hits) == 3


def test_a_vc_jwt_document_comes_back_enveloped(documents: Documents) -> None:
    """A status list served as a VC-JWT reads as a VCDM 2.0 §4.13 enveloped credential."""
    token = sign_jwt({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x",
                      "type": ["VerifiableCredential"], "issuer": "did:example:1",
                      "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {}},
                     key=keys.generate("p256"))
    url = documents.raw("/list.jwt", token.encode() + b"\n", "application/vc+jwt")
    fetched = Fetcher(FetchPolicy(**LOOPBACK, cache_seconds=0))(url)
    assert fetched == {"@context": ["https://www.w3.org/ns/credentials/v2"],
                       "type": "EnvelopedVerifiableCredential",
                       "id": f"data:application/vc+jwt,{token}"}
    bad = documents.raw("/not.jwt", b"a.b", "application/jwt")
    with pytest.raises(ResolutionError) as caught:
        Fetcher(FetchPolicy(**LOOPBACK, cache_seconds=0))(bad)
    assert caught.value.code == "not_json"


# --------------------------------------------------------------------------- SSRF, development mode


def _spellings(port: int) -> list[str]:
    return [f"http://127.0.0.1:{port}/c.json", f"http://localhost:{port}/c.json",
            f"http://2130706433:{port}/c.json", f"http://0177.0.0.1:{port}/c.json",
            f"http://0x7f000001:{port}/c.json", f"http://127.1:{port}/c.json",
            f"http://[::1]:{port}/c.json", f"http://[::ffff:127.0.0.1]:{port}/c.json",
            f"https://127.0.0.1:{port}/c.json", f"https://2130706433:{port}/c.json",
            f"http://user@127.0.0.1:{port}/c.json", f"http://user:pw@localhost:{port}/c.json"]


@pytest.mark.parametrize("env", ["development", "testing"])
def test_no_spelling_of_loopback_is_fetched_unless_allowed(
        verifier_app: Callable[..., Flask], issuer: DidWebIssuer, env: str) -> None:
    docs = issuer.docs
    docs.json("/c.json", issuer.sign(issuer.credential()))
    client = verifier_app(env=env, fetch_allow_hosts="", link_rate_limit="0").test_client()
    for url in _spellings(docs.port):
        answer = client.get(f"/verify?url={url}")
        assert answer.status_code == 422, url
        page = answer.get_data(as_text=True)
        assert "address_not_allowed" in page or "scheme_not_allowed" in page, url
    assert docs.hits == []  # nothing reached the server


def test_an_allowed_host_cannot_redirect_to_another_port(
        verifier_app: Callable[..., Flask], documents: Documents) -> None:
    other = Documents()
    try:
        other.json("/secret.json", {"secret": True})
        documents.redirect("/c.json", f"{other.base}/secret.json")
        documents.redirect("/c2.json", f"http://2130706433:{other.port}/secret.json")
        client = verifier_app(env="development",
                              fetch_allow_hosts=f"127.0.0.1:{documents.port}").test_client()
        for path in ("/c.json", "/c2.json"):
            answer = client.get(f"/verify?url={documents.base}{path}")
            assert answer.status_code == 422
            assert "secret" not in answer.get_data(as_text=True)
        assert documents.hits == ["/c.json", "/c2.json"] and other.hits == []
    finally:
        other.close()


def test_a_jwt_kid_url_on_loopback_is_not_fetched(verifier_app: Callable[..., Flask],
                                                  documents: Documents) -> None:
    key = keys.generate("p256")
    kid = f"{documents.base}/keys/1"
    documents.json("/keys/1", key.public.jwk() | {"kid": kid})
    credential: dict[str, Any] = json.loads(Path(ROOT / "tests" / "fixtures" / "examples"
                                                  / "spec"
                                                  / "basic-openbadgecredential.unsigned.json")
                                             .read_text())
    credential["issuer"] = {"id": documents.base + "/issuer", "type": ["Profile"],
                            "name": "Lakeside"}
    token = sign_jwt(credential, key=key.with_controller(documents.base + "/issuer", kid))
    client = verifier_app(env="development", fetch_allow_hosts="").test_client()
    payload = client.post("/api/v1/verify", data=token, content_type="text/plain").get_json()
    assert payload["verified"] is False and payload["verdict"] != "verified"
    assert documents.hits == []


# --------------------------------------------------------------------------- rate limits


def test_the_rate_limiter_refills_and_forgets_old_clients() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, max_clients=3, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(1.0)
    now[0] = 1.0
    assert limiter.take("a") == 0
    for client in ("b", "c", "d"):
        limiter.take(client)
    assert "a" not in limiter._buckets and len(limiter._buckets) == 3
    assert RateLimiter(per_minute=0, burst=1).take("x") == 0  # 0: no limit


def test_the_verify_endpoints_answer_429_with_retry_after(
        verifier_app: Callable[..., Flask], issuer: DidWebIssuer) -> None:
    client = verifier_app(rate_limit="10", link_rate_limit="5").test_client()
    credential = issuer.sign(issuer.credential())
    answers = [client.post("/api/v1/verify", json=credential) for _ in range(12)]
    codes = [a.status_code for a in answers]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"]["code"] == "rate_limited"
    page = client.get("/verify?url=https://example.org/c.json&lang=es")
    assert page.status_code == 429 and "Demasiadas verificaciones" in page.get_data(as_text=True)
    other = verifier_app(rate_limit="100", link_rate_limit="5").test_client()
    url = issuer.docs.json("/c.json", credential)
    links = [other.get(f"/verify?url={url}").status_code for _ in range(7)]
    assert links[:5] == [200] * 5 and links[5:] == [429, 429]


# --------------------------------------------------------------------------- images


def test_a_credential_image_is_embedded_never_linked(verifier_app: Callable[..., Flask],
                                                     issuer: DidWebIssuer) -> None:
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                           "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    image = issuer.docs.raw("/badge.png", png, "image/png")
    fake = issuer.docs.raw("/pixel.png", b"<html>not an image</html>", "image/png")
    client = verifier_app().test_client()
    for url, shown in ((image, True), (fake, False)):
        credential = issuer.credential()
        credential["credentialSubject"]["achievement"]["image"] = {"id": url, "type": "Image"}
        page = client.post("/verify", data={"credential": json.dumps(issuer.sign(credential))},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert f'src="{url}"' not in page  # the reader's browser never asks the host
        assert ("data:image/png;base64," in page) is shown
    assert "img-src 'self' data:;" in client.get("/verify").headers["Content-Security-Policy"]
