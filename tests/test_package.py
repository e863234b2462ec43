"""The built wheel is the whole service: installed anywhere, run from any folder, it works.

What a new user does: build the wheel from a clean copy of the tracked files,
install it into a fresh virtualenv outside the repository (dependencies from
the package index, as pip resolves them), then ``badges seed-demo`` and
``badges serve`` from an unrelated folder, with nothing configured but where
per-user data goes. Every page a district, a teacher and a hiring school meet
first must answer with real content, and the certificate must be a real PDF.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]


def _tracked_copy(target: Path) -> None:
    """Copy what a fresh clone holds (the tracked files, as they are now) to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{args[:3]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtualenv (outside the repository) with the built wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    source, dist, venv = work / "source", work / "dist", work / "venv"
    _tracked_copy(source)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
          str(dist), str(source)], timeout=600)
    wheels = list(dist.glob("badges-*.whl"))
    assert len(wheels) == 1, wheels
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
          "--disable-pip-version-check", str(wheels[0])], timeout=900)
    yield venv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def test_the_installed_wheel_serves_every_first_page(installed: Path,
                                                     tmp_path: Path) -> None:
    elsewhere = tmp_path / "an unrelated folder"
    elsewhere.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BADGES_", "PYTHON", "VIRTUAL_ENV"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # where the per-user instance goes
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    badges = str(installed / "bin" / "badges")
    # the installed package is what runs, not this checkout
    where = _run([str(installed / "bin" / "python"), "-c",
                  "import issuer, badges_templates; print(issuer.__file__); "
                  "print(badges_templates.ROOT)"], cwd=elsewhere, env=env).stdout
    assert str(ROOT) not in where and str(installed) in where

    seeded = _run([badges, "seed-demo"], cwd=elsewhere, env={
        **env, "BADGES_BASE_URL": f"http://127.0.0.1:{port}"}, timeout=300)
    samples = re.findall(r"Sample credential \(([^)]*)\): (\S+)", seeded.stdout)
    assert samples, seeded.stdout
    share = samples[0][1]
    # a later command in another shell, without the base URL, names the same issuer
    listed = _run([badges, "issuers", "list"], cwd=tmp_path, env=env).stdout
    assert f"did:web:127.0.0.1%3A{port}:issuers:lakeside" in listed

    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([badges, "serve", "--port", str(port)], cwd=elsewhere,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                status, _, _ = _get(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        pages = {
            "/": "Lakeside", "/sign-in": "password", "/verify": "Check a badge",
            share[len(base):]: "Verify this badge now",
        }
        for path, words in pages.items():
            status, kind, body = _get(base + path)
            text = body.decode()
            assert status == 200 and kind == "text/html", (path, status, text[:300])
            assert words in text, (path, text[:500])
        status, kind, pdf = _get(f"{share}.pdf")
        assert status == 200 and kind == "application/pdf" and pdf.startswith(b"%PDF")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Lakeside" in text
        checked = _run([badges, "verify", "--dev", "--json", share], cwd=elsewhere, env=env,
                       timeout=120)
        assert '"verdict": "verified"' in checked.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log.read_text()
