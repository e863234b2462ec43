"""``badges serve``: the real production server process (gunicorn), on SQLite and PostgreSQL.

Each test starts ``badges serve`` as its own process, as an operator would,
and talks to it over loopback HTTP: several workers answer and their
metrics add up, ``SIGTERM`` lets an in-flight request finish, and
production refuses development settings and the development server.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from issuer.db import Database
from issuer.models import ApiToken
from issuer.services.issuance import IssuerContext
from issuer.web.api import token_hash
from tests.issuer import seed
from tests.issuer.conftest import KEK

ROOT = Path(__file__).resolve().parents[2]
KEK_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
TOKEN = "test-token-serve"
GOOD = {"achievement": "blended-learning-design", "email": "tom@lakeside.example.org",
        "name": "Tom Nakamura"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BADGES_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({"BADGES_INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(ROOT), **values})
    return env


def _badges(*args: str) -> list[str]:
    return [sys.executable, "-c", "from issuer.cli import main; main()", *args]


def _request(url: str, body: Any = None, *, headers: dict[str, str] | None = None,
             timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else body if isinstance(body, bytes) else \
        json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {},  # noqa: S310
                                     method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class Served:
    """A running ``badges serve`` process."""

    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@pytest.fixture
def serve(db_url: str, tmp_path: Path) -> Iterator[Any]:
    """Start ``badges serve`` on the test database (stopped with SIGTERM afterwards)."""
    started: list[Served] = []
    database = Database(db_url)
    with database.session() as session:
        org = seed.district(session, IssuerContext(base_url="http://x", kek=KEK))
        session.add(ApiToken(organization_id=org.id, name="t", token_hash=token_hash(TOKEN)))
    database.dispose()

    def start(*args: str, **env: str) -> Served:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp_path / f"serve-{port}.log"
        variables = _env(tmp_path, BADGES_ENV="testing", BADGES_DATABASE_URL=db_url,
                         BADGES_BASE_URL=base, BADGES_KEY_ENCRYPTION_KEY=KEK_B64,
                         BADGES_SECRET_KEY="test-secret", **env)
        with log.open("wb") as out:
            proc = subprocess.Popen(_badges("serve", "--port", str(port), *args), cwd=tmp_path,
                                    env=variables, stdout=out, stderr=subprocess.STDOUT)
        served = Served(base, proc, log)
        started.append(served)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, served.text()
            try:
                if _request(f"{base}/healthz", timeout=2)[0] == 200:
                    return served
            except OSError:
                pass
            assert time.monotonic() < deadline, served.text()
            time.sleep(0.2)

    yield start
    for served in started:
        if served.proc.poll() is None:
            served.proc.send_signal(signal.SIGTERM)
            try:
                served.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                served.proc.kill()
                served.proc.wait()


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_serve_runs_gunicorn_workers_whose_metrics_add_up(serve: Any) -> None:
    served = serve("--workers", "2", "--threads", "2")
    assert "gunicorn, 2 worker(s) x 2 thread(s)" in served.text()
    assert "Booting worker" in served.text() and "Werkzeug" not in served.text()
    status, _, body = _request(f"{served.base}/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready", body
    awards = 4
    for n in range(awards):
        status, headers, body = _request(
            f"{served.base}/api/v1/issuers/lakeside/awards", GOOD,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
                     "X-Request-Id": f"award-{n}"})
        assert status == 201, body
        assert headers["X-Request-Id"] == f"award-{n}"
    # many scrapes, so both workers answer some: each must report every worker's figures
    seen = set()
    for _ in range(12):
        status, _, body = _request(f"{served.base}/metrics")
        assert status == 200
        text = body.decode()
        seen.add(_sample(text, "badges_awards_total", format="di"))
    assert seen == {float(awards)}, seen
    # the workers' request log: one JSON line per award, with the caller's request id
    lines = [json.loads(line) for line in served.text().splitlines() if line.startswith("{")]
    logged = {line["request_id"] for line in lines if line.get("endpoint") == "api.award"}
    assert logged == {f"award-{n}" for n in range(awards)}


class _Slow(http.server.BaseHTTPRequestHandler):
    """Answers after a pause, so a request to the service that fetches it stays in flight."""

    arrived = threading.Event()
    pause = 2.0

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).arrived.set()
        time.sleep(self.pause)
        body = b'{"not": "a credential"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def test_sigterm_lets_in_flight_requests_finish(serve: Any) -> None:
    slow = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    served = serve("--workers", "1", "--threads", "2", "--graceful-timeout", "20",
                   BADGES_FETCH_ALLOW_HOSTS=f"127.0.0.1:{slow.server_port}")
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    _Slow.arrived.clear()
    answer: dict[str, Any] = {}

    def verify_link() -> None:
        link = f"http://127.0.0.1:{slow.server_port}/credential.json"
        answer["result"] = _request(f"{served.base}/api/v1/verify", link.encode(),
                                    headers={"Content-Type": "text/plain"})

    client = threading.Thread(target=verify_link)
    client.start()
    try:
        assert _Slow.arrived.wait(20), served.text()  # the request is now in flight
        served.proc.send_signal(signal.SIGTERM)
        client.join(30)
        status, _, body = answer["result"]
        # the verifier fetched the link after the signal and answered in full: the link
        # holds JSON that is no credential
        report = json.loads(body)
        assert status == 200 and report["verdict"] == "invalid", body
        assert "/credential.json" in body.decode()
        assert served.proc.wait(timeout=30) == 0, served.text()
    finally:
        slow.shutdown()
        slow.server_close()
    assert "Handling signal: term" in served.text()
    with pytest.raises(OSError):  # stopped: no new connections
        _request(f"{served.base}/healthz", timeout=2)


def test_production_refuses_development_settings(db_url: str, tmp_path: Path) -> None:
    base = _env(tmp_path, BADGES_ENV="production", BADGES_DATABASE_URL=db_url,
                BADGES_BASE_URL="https://badges.example.org")
    # no secrets: the dev-secrets file a development instance would use is not good enough
    missing = subprocess.run(_badges("serve", "--port", str(_free_port())), env=base,
                             capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode != 0
    assert "BADGES_SECRET_KEY and BADGES_KEY_ENCRYPTION_KEY" in missing.stderr, missing.stderr
    weak = subprocess.run(_badges("serve", "--port", str(_free_port())),
                          env={**base, "BADGES_SECRET_KEY": "changeme",
                               "BADGES_KEY_ENCRYPTION_KEY": KEK_B64},
                          capture_output=True, text=True, timeout=120, check=False)
    assert weak.returncode != 0 and "too weak for production" in weak.stderr, weak.stderr
    good = {**base, "BADGES_SECRET_KEY": "Vq3xR7pL9mT2wK8nB5cY4hJ6dF1sG0aZeUiOoPl-_Xy",
            "BADGES_KEY_ENCRYPTION_KEY": "q0Jm3z8T1c5XvY7w2R9pL4kH6nB0sD3fG5hJ8kL1mN0"}
    dev = subprocess.run(_badges("serve", "--dev", "--port", str(_free_port())), env=good,
                         capture_output=True, text=True, timeout=120, check=False)
    assert dev.returncode != 0
    assert "refusing the development server with BADGES_ENV=production" in dev.stderr
    bad = subprocess.run(_badges("serve", "--workers", "0"), env=good, capture_output=True,
                         text=True, timeout=120, check=False)
    assert bad.returncode != 0 and "--workers must be between 1 and 64" in bad.stderr


def test_dev_flag_runs_the_development_server(serve: Any) -> None:
    served = serve("--dev")
    assert "with the development server" in served.text()
    assert "Booting worker" not in served.text()  # no gunicorn master and workers
    status, _, body = _request(f"{served.base}/readyz")
    assert status == 200, body
