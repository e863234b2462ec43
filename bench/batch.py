"""A district-scale batch: 10,000 awards from one CSV file, on SQLite and on PostgreSQL.

Usage::

    .venv/bin/python bench/batch.py [--awards 10000] [--engines sqlite,postgresql]
                                    [--backend inprocess|rq] [--workers 2]
                                    [--chunk-size 250] [--no-bake] [--json]

For each engine a fresh database is made and migrated (as ``bench/award.py``
does: an SQLite file in a temporary directory, or a scratch PostgreSQL
database next to ``BADGES_TEST_POSTGRES``), with one district, its keys and
a rubric-scored achievement. A CSV file of ``--awards`` rows (e-mail, name,
achievement, evidence link) is then run exactly as ``badges award-batch``
runs it: read and check every row, store the run and its rows, queue one job
per chunk, and let the workers sign, store, allocate status list indexes and
bake each credential into the achievement's PNG (written to a temporary
directory), until the run is complete. The clock runs from reading the file
to the last commit, worker start-up included.

``--backend rq`` uses RQ on ``BADGES_TEST_REDIS`` (default
``redis://127.0.0.1:6379/0``) with ``--workers`` ``badges worker`` processes
instead of the in-process pool. Scratch databases, queues and files are
removed on the way out, also after an error, Ctrl-C or SIGTERM.

The host may be shared: the load average before and after each run is
printed, so a slow figure can be told from a busy machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from award import ACHIEVEMENT  # noqa: E402
from award import CTX  # noqa: E402
from award import SLUG  # noqa: E402
from award import scratch_database  # noqa: E402
from award import seed  # noqa: E402

from issuer.batch import intake  # noqa: E402
from issuer.batch import service  # noqa: E402
from issuer.config import load_settings  # noqa: E402
from issuer.db import Database  # noqa: E402
from issuer.services import organizations  # noqa: E402

ENGINES = ("sqlite", "postgresql")
KEK_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # bytes(range(32)), as bench/award.py
REDIS_URL = os.environ.get("BADGES_TEST_REDIS", "redis://127.0.0.1:6379/0")


def award_file(count: int) -> bytes:
    """A district's file: one row per teacher, with an evidence link each."""
    out = io.StringIO()
    out.write("email,name,achievement,evidence_url\n")
    for n in range(count):
        out.write(f"teacher{n:05d}@lakeside.example.org,Teacher Number {n},{ACHIEVEMENT},"
                  f"https://lms.lakeside.example.org/portfolio/{n}\n")
    return out.getvalue().encode()


def _load() -> float:
    return os.getloadavg()[0]


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _pg_backend_cpu(db: Database) -> float | None:
    """CPU seconds of this database's PostgreSQL backends so far (same host, via /proc)."""
    if db.engine.dialect.name != "postgresql":
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    with db.engine.connect() as conn:
        pids = conn.execute(sa.text("SELECT pid FROM pg_stat_activity "
                                    "WHERE datname = current_database()")).scalars().all()
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {table: int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)
                for table in ("issued_credentials", "status_entries", "award_keys", "people")}


def _worker_env(url: str, queue: str, tmp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGES_")}
    env.update({"BADGES_ENV": "testing", "BADGES_DATABASE_URL": url,
                "BADGES_BASE_URL": CTX.base_url, "BADGES_KEY_ENCRYPTION_KEY": KEK_B64,
                "BADGES_SECRET_KEY": "bench", "BADGES_INSTANCE_PATH": tmp,
                "BADGES_REDIS_URL": REDIS_URL, "BADGES_JOB_QUEUE": queue,
                "PYTHONPATH": str(ROOT)})
    return env


def _drop_queue(name: str) -> None:
    """Remove the bench's queue from Redis: its lists and registries, and its jobs."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        jobs = {key.decode().rsplit(":", 1)[1]
                for key in client.scan_iter("rq:job:*", count=1000)
                if client.type(key) == b"hash" and client.hget(key, "origin") == name.encode()}
        for key in client.scan_iter("rq:*", count=1000):
            text = key.decode()
            if name in text or any(job in text for job in jobs):
                client.delete(key)
        client.srem("rq:queues", f"rq:queue:{name}")
    finally:
        client.close()


def run_engine(engine: str, *, awards: int, backend: str, workers: int, chunk_size: int,
               bake: bool) -> dict[str, Any]:
    data = award_file(awards)
    result: dict[str, Any] = {"engine": engine, "backend": backend, "workers": workers,
                              "awards": awards, "chunk_size": chunk_size, "bake": bake}
    with scratch_database(engine) as url, tempfile.TemporaryDirectory(prefix="bake-") as tmp:
        db = Database(url)
        procs: list[subprocess.Popen[bytes]] = []
        queue: Any = None
        try:
            seed(db)
            settings = load_settings(environ={}, overrides={
                "env": "testing", "database_url": url, "base_url": CTX.base_url,
                "key_encryption_key": KEK_B64, "secret_key": "bench", "instance_path": tmp})
            queue_name = f"badges-bench-{uuid.uuid4().hex[:8]}"
            if backend == "rq":
                from issuer.jobs.redis_queue import RedisQueue

                queue = RedisQueue(REDIS_URL, name=queue_name)
            else:
                from issuer.jobs.inprocess import InProcessQueue

                queue = InProcessQueue(settings, workers=workers)
            result["load_before"] = _load()
            cpu_self, cpu_children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            rows = intake.read_file(data, "district.csv")
            with db.session() as session:
                org = organizations.get(session, SLUG)
                batch = service.create(
                    session, org, rows, actor="bench", now=datetime.now(UTC), backend=backend,
                    chunk_size=chunk_size, bake_dir=str(Path(tmp) / "png") if bake else None)
                batch_id = batch.id
            if bake:
                (Path(tmp) / "png").mkdir()
            stored = time.perf_counter()
            with db.sessions() as session:
                service.start(session, queue, service.get(session, batch_id))
            if backend == "rq":
                env = _worker_env(url, queue_name, tmp)
                procs = [subprocess.Popen(
                    [sys.executable, "-c", "from issuer.cli import main; main()", "worker",
                     "--burst"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL) for _ in range(workers)]
            while True:
                with db.sessions() as session:
                    state = service.progress(session, service.get(session, batch_id),
                                             now=datetime.now(UTC))
                if state.finished:
                    break
                if procs and all(p.poll() is not None for p in procs):
                    raise RuntimeError("the RQ workers stopped before the batch completed")
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            result["load_after"] = _load()
            result["cpu_postgres_s"] = _pg_backend_cpu(db)
            result.update(
                seconds=elapsed, per_s=awards / elapsed, store_rows_s=stored - start,
                status=state.status, issued=state.issued, failed=state.failed,
                counts=_counts(db),
                baked=len(list((Path(tmp) / "png").iterdir())) if bake else 0)
            with db.engine.connect() as conn:
                result["version"] = str(conn.exec_driver_sql(
                    "SELECT sqlite_version()" if engine == "sqlite"
                    else "SHOW server_version").scalar())
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
            if queue is not None:
                queue.close()
                if "seconds" in result:
                    result["cpu_service_s"] = (_cpu(resource.RUSAGE_SELF) - cpu_self
                                               + _cpu(resource.RUSAGE_CHILDREN) - cpu_children)
                if backend == "rq":
                    _drop_queue(queue.name)
            db.dispose()
    return result


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--awards", type=int, default=10_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--backend", choices=("inprocess", "rq"), default="inprocess")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--no-bake", action="store_true", help="skip baking the PNGs")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - set(ENGINES):
        parser.error("engines: sqlite, postgresql")
    signal.signal(signal.SIGTERM, _terminate)
    results = [run_engine(engine, awards=args.awards, backend=args.backend,
                          workers=args.workers, chunk_size=args.chunk_size,
                          bake=not args.no_bake) for engine in engines]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    steps = "sign, store, allocate status indexes" + ("" if args.no_bake else ", bake PNG")
    print(f"batch of {args.awards:,} awards from one CSV file ({steps}); "
          f"{args.backend} backend, {args.workers} workers, chunks of {args.chunk_size}, "
          f"{os.cpu_count()} cores\n")
    print(f"{'engine':<18}{'seconds':>8}{'awards/s':>10}{'rows stored':>13}"
          f"{'CPU ms/award':>14}{'load before/after':>19}")
    for r in results:
        name = ("SQLite " if r["engine"] == "sqlite" else "PostgreSQL ") + \
            r["version"].split()[0]
        cpu = r.get("cpu_service_s", 0.0) + (r.get("cpu_postgres_s") or 0.0)
        print(f"{name:<18}{r['seconds']:8.1f}{r['per_s']:10.0f}{r['store_rows_s']:12.1f}s"
              f"{1000 * cpu / r['awards']:14.2f}"
              f"{r['load_before']:11.1f} / {r['load_after']:.1f}")
        counts = r["counts"]
        ok = (r["status"] == "completed" and counts["issued_credentials"] == r["awards"]
              and counts["status_entries"] == 2 * r["awards"]
              and counts["award_keys"] == r["awards"]
              and (not r["bake"] or r["baked"] == r["awards"]))
        print(f"{'':<18}check: {counts['issued_credentials']:,} credentials, "
              f"{counts['status_entries']:,} status entries, {counts['award_keys']:,} keys, "
              f"{r['baked']:,} baked PNGs: {'ok' if ok else 'MISMATCH'}")
    print("\nCPU ms/award: CPU time of this process, its workers and (PostgreSQL) the "
          "server's backends,\nper award: what a run costs whatever else the machine is "
          "doing; the load average tells\nhow busy it was.")


if __name__ == "__main__":
    main()
