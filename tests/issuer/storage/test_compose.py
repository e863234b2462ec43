"""The docker compose file is validated: by ``docker compose config`` where Docker Compose is
installed, and always by starting its services' own commands on loopback (issue #21).

The commands of ``migrate``, ``web`` and ``worker`` are run exactly as the file
gives them, with the file's environment, pointed at the test PostgreSQL, Redis and
S3-compatible server in place of the ``postgres``, ``redis`` and ``objects`` hosts.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import multihost
from tests.issuer.conftest import Templates
from tests.s3server import S3Server
from tests.s3server import free_port

COMPOSE = multihost.ROOT / "docker-compose.yml"
REDIS_URL = os.environ.get("BADGES_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _secrets() -> dict[str, str]:
    return {"BADGES_BASE_URL": "https://badges.district.example",
            "BADGES_SECRET_KEY": secrets.token_urlsafe(32),
            "BADGES_KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(
                secrets.token_bytes(32)).decode(),
            "POSTGRES_PASSWORD": "pw", "S3_ACCESS_KEY": "S3RVER", "S3_SECRET_KEY": "S3RVER"}


def _substitute(value: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", lambda m: values[m.group(1)], value)


def _wait_idle(queue_name: str, worker: multihost.Process, timeout: float = 60) -> None:
    """Wait until the worker waits for jobs, so that what is stopped is a running worker.

    A running worker has subscribed to RQ's command channel; RQ's own listener held
    its stop up to 60 s (the worker was then killed, -9), which our worker's shorter
    wait mends (issuer.jobs.redis_queue.PUBSUB_WAIT). Docker Compose stops a worker
    that is running, so the test does too.
    """
    from redis import Redis
    from rq import Queue
    from rq import Worker

    connection = Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert worker.proc.poll() is None, worker.text()
            workers = Worker.all(queue=Queue(queue_name, connection=connection))
            if any(w.get_state() == "idle" for w in workers):
                return
            time.sleep(0.1)
    finally:
        connection.close()
    raise AssertionError(f"the worker never waited for jobs: {worker.text()}")


@pytest.fixture
def pg_url(templates: Templates) -> Iterator[str]:
    url = templates.fresh("postgresql")
    yield url
    templates.drop(url)


def test_docker_compose_config_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                        check=False).returncode != 0:
        pytest.skip("Docker Compose is not installed here; the services' commands are "
                    "started on loopback by the next test instead")
    checked = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"],
                             env={**os.environ, **_secrets()}, capture_output=True, check=False)
    assert checked.returncode == 0, checked.stderr.decode()


def test_the_compose_services_commands_run_the_service(pg_url: str, s3: S3Server,
                                                       tmp_path: Path) -> None:
    spec: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert set(services) == {"migrate", "web", "worker", "postgres", "redis", "objects"}
    for name in ("web", "worker"):  # they start after the one migration has finished
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["restart"] == "no"
    values = _secrets()
    environment = {k: _substitute(str(v), values)
                   for k, v in services["web"]["environment"].items()}
    assert environment["BADGES_DATABASE_URL"].startswith("postgresql://badges:pw@postgres:")
    assert environment["BADGES_STORAGE_URL"].startswith("s3://")
    # the hosts of the compose network, replaced by the test's loopback services
    storage_url = s3.url()
    environment.update(BADGES_DATABASE_URL=pg_url, BADGES_REDIS_URL=REDIS_URL,
                       BADGES_STORAGE_URL=storage_url, BADGES_S3_ENDPOINT_URL=s3.endpoint,
                       BADGES_JOB_QUEUE=f"compose-{uuid.uuid4().hex[:8]}")
    env = multihost.base_env(tmp_path, **environment)

    def command(name: str) -> list[str]:
        args = [str(a) for a in services[name]["command"]]
        assert args[0] == "badges"
        return multihost.badges(*args[1:])

    migrated = subprocess.run(command("migrate"), env=env, capture_output=True, timeout=120,
                              check=False)
    assert migrated.returncode == 0, migrated.stderr.decode()
    assert b"newest schema" in migrated.stderr
    port = free_port()
    web_args = command("web")
    web_args[web_args.index("--port") + 1] = str(port)
    web_args[web_args.index("--host") + 1] = "127.0.0.1"
    web = multihost.Process(web_args, env, tmp_path / "web.log").start()
    worker = multihost.Process(command("worker"), env, tmp_path / "worker.log").start()
    try:
        base = f"http://127.0.0.1:{port}"
        multihost.wait_healthy(web, base)
        status, _, body = multihost.request(f"{base}/readyz")
        checks = json.loads(body)["checks"]
        assert status == 200, body
        assert checks["storage"] == {"ok": True, "backend": "s3"}
        assert checks["redis"]["ok"] and checks["database"]["ok"]
        assert "gunicorn, 2 worker(s) x 4 thread(s)" in web.text()
        _wait_idle(environment["BADGES_JOB_QUEUE"], worker)
    finally:
        multihost.stop_all([web, worker])
    assert worker.proc.returncode == 0, worker.text()
