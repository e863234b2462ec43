"""Several ``badges serve`` / ``badges worker`` processes on loopback, as separate hosts run them.

Shared by the two-process storage test and the multi-process load and fault test:
each process is started the way an operator starts it (the ``badges`` command,
its own environment), on the same PostgreSQL database (and S3 bucket, Redis).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KEK_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def badges(*args: str) -> list[str]:
    """The ``badges`` command, run by this interpreter."""
    return [sys.executable, "-c", "from issuer.cli import main; main()", *args]


def base_env(instance: Path, **values: str) -> dict[str, str]:
    """This environment without any ``BADGES_*`` variable, plus ``values``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BADGES_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({"BADGES_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT),
                "BADGES_ENV": "testing", "BADGES_KEY_ENCRYPTION_KEY": KEK_B64,
                "BADGES_SECRET_KEY": "test-secret-shared-by-every-host", **values})
    return env


@dataclass
class Process:
    """A started process and its log."""

    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] = field(init=False)

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def kill9(self) -> None:
        """``kill -9`` the whole process group (a host that loses power)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def stop_all(processes: list[Process]) -> None:
    """SIGTERM every process at once, then wait for each (a graceful stop, in parallel)."""
    for process in processes:
        if process.proc.poll() is None:
            os.killpg(process.proc.pid, signal.SIGTERM)
    for process in processes:
        process.stop()


def request(url: str, body: Any = None, *, headers: dict[str, str] | None = None,
            method: str | None = None, timeout: float = 30,
            opener: urllib.request.OpenerDirector | None = None,
            ) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; any status is returned, not raised."""
    data = None if body is None else body if isinstance(body, bytes) else \
        json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if data is not None and \
        not isinstance(body, bytes) else {}
    req = urllib.request.Request(url, data=data, headers={**sent, **(headers or {})},  # noqa: S310
                                 method=method or ("GET" if data is None else "POST"))
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_healthy(process: Process, base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert process.proc.poll() is None, process.text()
        try:
            if request(f"{base}/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, process.text()
        time.sleep(0.1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A person's browser: one cookie jar, the CSRF token sent with every form, any host."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())
        self.csrf = ""

    def get(self, url: str) -> tuple[int, dict[str, str], bytes]:
        found = request(url, opener=self.opener)
        token = _CSRF.search(found[2].decode("utf-8", errors="replace"))
        if token:
            self.csrf = token.group(1)
        return found

    def post(self, url: str, fields: dict[str, str],
             files: dict[str, tuple[str, bytes]] | None = None,
             ) -> tuple[int, dict[str, str], bytes]:
        fields = {"csrf_token": self.csrf, **fields}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                             f"\r\n\r\n{value}\r\n".encode())
            for name, (filename, data) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                             f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                             "\r\n\r\n".encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return request(url, body, headers={"Content-Type": content_type}, opener=self.opener)

    def sign_in(self, base: str, email: str, password: str) -> None:
        self.get(f"{base}/sign-in")
        status, headers, body = self.post(f"{base}/sign-in", {"email": email,
                                                              "password": password})
        assert status == 303, body[:2000]
        self.get(f"{base}/start")
