"""``badges serve`` under load: award and verify throughput and p99 for 1, 2 and 4 workers.

Usage::

    .venv/bin/python bench/serve_load.py [--seconds 8] [--connections 16]
                                         [--workers 1,2,4] [--threads 4]

On a scratch PostgreSQL database (next to ``BADGES_TEST_POSTGRES``), migrated
and given the demo district with an API token, the real ``badges serve``
process (gunicorn, ``--workers`` of ``--threads`` threads) is started for each
worker count, and ``wrk`` (Debian's package) drives, for ``--seconds`` each:

* ``POST /api/v1/issuers/lakeside/awards``: every request a new teacher
  address (so each award also creates a person), Data Integrity format;
* ``POST /api/v1/verify``: one credential the district issued (its own
  issuer: keys and status list read from the database).

It prints requests/s, p50/p99, the server's CPU per request (gunicorn master and
workers, from ``/proc``; PostgreSQL and wrk not counted, so a busy shared host
shows in the latencies but hardly in this figure), non-2xx answers for each, and
the ratio of each worker count's throughput to one worker's. The issue's goal for awards:
p99 under 250 ms at 16 connections on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from verify_load import _ms  # noqa: E402

from issuer import demo  # noqa: E402
from issuer.db import Database  # noqa: E402
from issuer.migrate import upgrade  # noqa: E402
from issuer.models import ApiToken  # noqa: E402
from issuer.models import IssuedCredential  # noqa: E402
from issuer.models import Organization  # noqa: E402
from issuer.web.api import token_hash  # noqa: E402

PG_ADMIN = os.environ.get("BADGES_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
KEK_B64 = "q0Jm3z8T1c5XvY7w2R9pL4kH6nB0sD3fG5hJ8kL1mN0"
SECRET = "Vq3xR7pL9mT2wK8nB5cY4hJ6dF1sG0aZeUiOoPl-_Xy"
TOKEN = secrets.token_urlsafe(24)


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, Any]:
    """Run wrk and read its throughput, percentiles and non-2xx count."""
    out = subprocess.run(  # noqa: S603 - Debian's wrk
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",  # noqa: S607
         "--timeout", "10s", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    for line in out.splitlines():
        if line.startswith("first non-2xx answer"):
            print(line, file=sys.stderr)
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in percentiles:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50_ms": _ms(percentiles["50"]), "p99_ms": _ms(percentiles["99"]),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its live children, from ``/proc`` (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the ")": state(0) ppid(1) ... utime(11) stime(12)
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pid: int, url: str, script: Path, seconds: int,
             connections: int) -> dict[str, Any]:
    """:func:`run_wrk` plus the server's CPU milliseconds per request."""
    before = server_cpu_seconds(pid)
    result = run_wrk(url, script, seconds, connections)
    requests = result["rps"] * seconds
    result["cpu_ms"] = 1000 * (server_cpu_seconds(pid) - before) / max(requests, 1)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _award_script(path: Path) -> None:
    path.write_text(f"""
local n = 0
local tag = "x"
local shown = false
init = function(args)
  -- each wrk thread has its own Lua state: a tag of its own, so addresses never repeat
  tag = string.gsub(tostring({{}}), "%W", "") .. tostring(os.time())
end
response = function(status, headers, body)
  if status >= 300 and not shown then
    shown = true
    print("first non-2xx answer: " .. status .. " " .. string.sub(body, 1, 300))
  end
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {TOKEN}"
request = function()
  n = n + 1
  local body = '{{"achievement": "blended-learning-design", "name": "Load Teacher", ' ..
    '"email": "load-' .. tag .. '-' .. n .. '@lakeside.example.org"}}'
  return wrk.format(nil, "/api/v1/issuers/lakeside/awards", nil, body)
end
""", "utf-8")


def _verify_script(path: Path, document: str) -> None:
    body = document.replace("\\", "\\\\").replace("]]", "] ]")
    path.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
""", "utf-8")


def _serve(url: str, base: str, port: int, workers: int, threads: int, log: Path,
           instance: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    env.update({"BADGES_DATABASE_URL": url, "BADGES_BASE_URL": base,
                "BADGES_INSTANCE_PATH": str(instance), "BADGES_KEY_ENCRYPTION_KEY": KEK_B64,
                "BADGES_SECRET_KEY": SECRET, "BADGES_VERIFIER_RATE_LIMIT": "0",
                "PYTHONPATH": str(ROOT)})
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
            [sys.executable, "-c", "from issuer.cli import main; main()", "serve", "--port",
             str(port), "--workers", str(workers), "--threads", str(threads)],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"badges serve stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2):  # noqa: S310
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit(f"badges serve did not come up: {log.read_text()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    name = f"badges_serve_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    scratch = Path(tempfile.mkdtemp(prefix="badges-serve-load-"))
    results: dict[int, dict[str, Any]] = {}
    try:
        upgrade(url)
        database = Database(url)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        import base64

        kek = base64.urlsafe_b64decode(KEK_B64 + "=")
        with database.session() as session:
            demo.seed(session, base_url=base, kek=kek, now=demo_now())
            org = session.scalars(sa.select(Organization).where(
                Organization.slug == "lakeside")).one()
            session.add(ApiToken(organization_id=org.id, name="load",
                                 token_hash=token_hash(TOKEN)))
            document = session.scalars(sa.select(IssuedCredential.document).where(
                IssuedCredential.format == "di", IssuedCredential.revoked_at.is_(None),
                IssuedCredential.organization_id == org.id)).first()
        database.dispose()
        assert document is not None
        award_lua, verify_lua = scratch / "award.lua", scratch / "verify.lua"
        _award_script(award_lua)
        _verify_script(verify_lua, document)
        for workers in counts:
            proc = _serve(url, base, port, workers, args.threads,
                          scratch / f"serve-{workers}.log", scratch)
            try:
                probe = subprocess.run(["wrk", "-t", "1", "-c", "2", "-d", "2s", "--latency",
                                        "-s", str(award_lua), base], capture_output=True,
                                       text=True, timeout=60, check=False)
                if "90%" not in probe.stdout:
                    sys.exit(f"wrk could not run the award script: {probe.stdout}"
                             f"{probe.stderr}\n{(scratch / f'serve-{workers}.log').read_text()}")
                results[workers] = {
                    "award": measured(proc.pid, base, award_lua, args.seconds,
                                      args.connections),
                    "verify": measured(proc.pid, f"{base}/api/v1/verify", verify_lua,
                                       args.seconds, args.connections)}
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    load = os.getloadavg()[0]
    print(f"badges serve (gunicorn, {args.threads} threads per worker) on PostgreSQL, wrk "
          f"{args.connections} connections, {args.seconds} s each, 2 cores, "
          f"load average {load:.1f} at the end")
    for kind in ("award", "verify"):
        one = results[counts[0]][kind]["rps"]
        for workers in counts:
            r = results[workers][kind]
            print(f"  {kind:<6} {workers} worker(s): {r['rps']:>8.1f}/s  p50 {r['p50_ms']:>7.1f} ms"
                  f"  p99 {r['p99_ms']:>7.1f} ms  CPU {r['cpu_ms']:>5.2f} ms each"
                  f"  non-2xx {r['non_2xx']}"
                  f"  x{r['rps'] / one:.2f} of {counts[0]} worker(s)")


def demo_now() -> Any:
    """The demo's clock: the real time (the server runs on the real clock)."""
    from verifier.clock import system_clock

    return system_clock()


if __name__ == "__main__":
    main()
