"""A real S3-compatible server on loopback for the tests: s3rver (npm, pinned in
tests/servers/s3/package-lock.json, installed by ``scripts/setup --dev``).

s3rver is a standalone Node.js server that keeps objects on disk and speaks the
S3 REST API that boto3 uses (path-style addressing, Signature V4 headers,
multipart uploads, ListObjectsV2, DeleteObjects). It was chosen over
``moto[server]``, a mocking library whose server keeps objects in Python
memory. Its credentials are fixed: ``S3RVER`` / ``S3RVER``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "tests" / "servers" / "s3" / "node_modules" / ".bin" / "s3rver"
BUCKET = "badges-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}
#: s3rver's log line for one completed PutObject (or multipart completion).
_STORED = re.compile(r'Stored object "([^"]+)" in bucket')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class S3Server:
    """A running s3rver with one bucket."""

    endpoint: str
    proc: subprocess.Popen[bytes]
    root: Path
    log: Path

    def stored(self) -> list[str]:
        """Every key written so far, once per write (only with ``start(verbose=True)``)."""
        return _STORED.findall(self.log.read_text("utf-8", errors="replace"))

    def url(self) -> str:
        """A ``BADGES_STORAGE_URL`` with a prefix of its own (tests never share objects)."""
        return f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}"

    def env(self, url: str) -> dict[str, str]:
        """The variables a ``badges`` process needs to use ``url``."""
        return {"BADGES_STORAGE_URL": url, "BADGES_S3_ENDPOINT_URL": self.endpoint,
                **CREDENTIALS}

    def client(self) -> object:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
                            config=Config(signature_version="s3v4",
                                          s3={"addressing_style": "path"}))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start(root: Path, *, verbose: bool = False) -> S3Server:
    """Start s3rver on a free loopback port, storing under ``root``; wait until it answers.

    ``verbose``: log every request, so :meth:`S3Server.stored` can count writes.

    Raises:
        RuntimeError: s3rver is not installed (run ``scripts/setup --dev``) or did not start.
    """
    if not BIN.exists():
        raise RuntimeError(f"{BIN} is missing: run scripts/setup --dev (npm ci --prefix "
                           "tests/servers/s3)")
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    log = root.parent / f"s3rver-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN), "-d", str(root), "-a", "127.0.0.1", "-p", str(port),
                                 "--no-vhost-buckets", *(() if verbose else ("--silent",)),
                                 "--configure-bucket", BUCKET],
                                stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
    server = S3Server(f"http://127.0.0.1:{port}", proc, root, log)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"s3rver stopped: {log.read_text(errors='replace')}")
        try:
            server.client().head_bucket(Bucket=BUCKET)  # type: ignore[attr-defined]
            return server
        except Exception:  # noqa: BLE001 - not up yet
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
