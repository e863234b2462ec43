"""The cost of one award end to end (build, schema check, sign, store) on SQLite and PostgreSQL.

Usage::

    .venv/bin/python bench/award.py [--seconds 5] [--engines sqlite,postgresql] [--json]
                                    [--cprofile]

For each engine a fresh database is made (an SQLite file in a temporary
directory; a scratch PostgreSQL database next to ``BADGES_TEST_POSTGRES``,
default ``postgresql://postgres@127.0.0.1:5432/test``), migrated with Alembic,
and given one district with its keys and a rubric-scored achievement through the
services. Then ``issuance.award`` runs as the API runs it: one transaction
(``with db.session()``) per award, a distinct recipient every time (so each
award also creates a person), for ``--seconds`` after a warm-up, once with
``fmt="di"`` (eddsa-rdfc-2022) and once with ``fmt="jwt"`` (ES256 VC-JWT).
Latency is the wall time of the whole ``with`` block, commit included.

A second, instrumented pass (same length) times the steps of ``award`` by
wrapping the functions it calls (in this process only; nothing in the service
is changed) and counts the SQL it sends, to show where the time goes. The
wrappers cost about a microsecond per call; the throughput figures come from
the first pass, which has none. ``--cprofile`` also prints the functions with
the most own time over a DI run on the first engine.

Scratch databases are dropped on the way out, also after an error, Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import math
import os
import pstats
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import sqlalchemy.orm as so  # noqa: E402

from badges import dataintegrity  # noqa: E402
from badges import jsonld  # noqa: E402
from badges import model  # noqa: E402
from badges import schema  # noqa: E402
from issuer import keystore  # noqa: E402
from issuer.db import Database  # noqa: E402
from issuer.migrate import upgrade  # noqa: E402
from issuer.services import achievements  # noqa: E402
from issuer.services import issuance  # noqa: E402
from issuer.services import organizations  # noqa: E402
from issuer.services import recipients  # noqa: E402
from issuer.services import signing_keys  # noqa: E402
from issuer.services import status  # noqa: E402
from issuer.services.issuance import IssuerContext  # noqa: E402

PG_ADMIN = os.environ.get("BADGES_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgresql")
FORMATS = ("di", "jwt")
CTX = IssuerContext(base_url="https://badges.bench.example", kek=bytes(range(32)))
SLUG = "lakeside"
ACHIEVEMENT = "blended-learning-design"
RUBRIC: dict[str, Any] = {"name": "Unit rubric", "criteria": [
    {"id": "design", "name": "Unit design", "levels": [
        {"id": "developing", "name": "Developing", "points": 1},
        {"id": "proficient", "name": "Proficient", "points": 2}]}]}

_recipient = itertools.count(1)


# --------------------------------------------------------------------------- databases


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@contextmanager
def scratch_database(engine: str) -> Iterator[str]:
    """A migrated, empty database URL for ``engine``, removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="badges-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'award.db'}"
            upgrade(url)
            yield url
        return
    name = f"badges_bench_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = _pg_url(name)
        upgrade(url)
        yield url
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(db: Database) -> None:
    """One district with current Ed25519 and P-256 keys and a rubric-scored achievement."""
    with db.session() as session:
        org = organizations.create(session, slug=SLUG, name="Lakeside Unified School District",
                                   url="https://lakeside.example.org")
        signing_keys.ensure_keys(session, org, kek=CTX.kek, base_url=CTX.base_url,
                                 now=datetime.now(UTC), actor="bench")
        achievements.create(
            session, org, slug=ACHIEVEMENT, name="Blended Learning Design",
            description="Designs a unit that blends online and face-to-face learning.",
            criteria="Unit plan, two recordings and a reflection.", rubric=RUBRIC,
            alignments=[{"targetName": "ISTE Educator 2.5.a", "targetUrl": "https://iste.org/x",
                         "targetFramework": "ISTE Standards for Educators"}])


# --------------------------------------------------------------------------- measuring


def award_once(db: Database, fmt: str, marks: list[float] | None = None) -> float:
    """One award in its own transaction; its wall time in seconds.

    With ``marks``, also appends the time ``award`` returned (before the commit).
    """
    n = next(_recipient)
    start = time.perf_counter()
    with db.session() as session:
        issuance.award(session, CTX, issuer=SLUG, achievement=ACHIEVEMENT,
                       email=f"teacher{n}@lakeside.example.org", name=f"Teacher Number {n}",
                       actor="bench", now=datetime.now(UTC), fmt=fmt)  # type: ignore[arg-type]
        if marks is not None:
            marks.append(time.perf_counter() - start)
    return time.perf_counter() - start


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def summarize(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"awards": len(ordered), "per_s": len(ordered) / elapsed,
            "mean_ms": 1000 * sum(ordered) / len(ordered),
            "p50_ms": 1000 * _percentile(ordered, 0.50),
            "p99_ms": 1000 * _percentile(ordered, 0.99)}


def timed_loop(fn: Callable[[], float], seconds: float) -> tuple[list[float], float]:
    """Run ``fn`` for ``seconds`` after a warm-up; its results and the elapsed time."""
    warm_end = time.perf_counter() + min(1.0, seconds / 3)
    while time.perf_counter() < warm_end:
        fn()
    out: list[float] = []
    start = time.perf_counter()
    end = start + seconds
    while True:
        out.append(fn())
        now = time.perf_counter()
        if now >= end:
            return out, now - start


def throughput(db: Database, fmt: str, seconds: float) -> dict[str, float]:
    cpu: list[float] = []

    def one() -> float:
        start = time.process_time()
        wall = award_once(db, fmt)
        cpu.append(time.process_time() - start)
        return wall

    latencies, elapsed = timed_loop(one, seconds)
    result = summarize(latencies, elapsed)
    measured = cpu[-len(latencies):]
    result["cpu_ms"] = 1000 * sum(measured) / len(measured)
    return result


def empty_transactions(db: Database, seconds: float) -> dict[str, float]:
    """The floor: ``with db.session()`` around one ``SELECT 1`` (checkout, ping, commit).

    On PostgreSQL the same is timed, interleaved, on an engine without
    ``pool_pre_ping``, to show the ping's share.
    """
    def one(session_scope: Callable[[], Any]) -> float:
        start = time.perf_counter()
        with session_scope() as session:
            session.execute(sa.text("SELECT 1"))
        return time.perf_counter() - start

    bare = sa.create_engine(db.engine.url, pool_pre_ping=False) \
        if db.engine.dialect.name == "postgresql" else None

    @contextmanager
    def bare_session() -> Iterator[so.Session]:
        with so.Session(bare) as session, session.begin():
            yield session

    with_ping: list[float] = []
    without: list[float] = []
    try:
        for _ in range(20):
            one(db.session)
            if bare is not None:
                one(bare_session)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            with_ping.append(one(db.session))
            if bare is not None:
                without.append(one(bare_session))
    finally:
        if bare is not None:
            bare.dispose()
    result = {"mean_ms": 1000 * sum(with_ping) / len(with_ping)}
    if without:
        result["no_pre_ping_mean_ms"] = 1000 * sum(without) / len(without)
    return result


# --------------------------------------------------------------------------- breakdown


class Probe:
    """Times chosen functions by swapping in wrappers (undone by :meth:`restore`)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._undo: list[tuple[Any, str, Any, bool]] = []

    def wrap(self, owner: Any, attr: str, label: str) -> None:
        had = attr in vars(owner)
        original = getattr(owner, attr)
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - start
                calls[label] += 1

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original, had))

    def restore(self) -> None:
        for owner, attr, original, had in reversed(self._undo):
            if had:
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)
        self._undo.clear()


def _sql_label(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper()
    if verb == "SELECT":
        found = re.search(r"\bFROM\s+\"?(\w+)", statement, re.IGNORECASE)
        return f"SELECT {found.group(1) if found else '?'}"
    found = re.match(r"\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", statement,
                     re.IGNORECASE)
    return f"{verb} {found.group(1) if found else '?'}"


# (label, owner, attribute, part of the step above?); owner None is issuance's json.
STEPS: tuple[tuple[str, Any, str, bool], ...] = (
    ("look up issuer (1st query: checkout, BEGIN)", organizations, "get", False),
    ("look up achievement (and its image alt)", achievements, "get_with_alt", False),
    ("find recipient (added, not yet written)", recipients, "find_or_add", False),
    ("draw status positions (open list)", status.Allocation, "__init__", False),
    ("claim status positions (INSERT)", status.Allocation, "claim", False),
    ("achievement -> OB model", achievements, "to_model", False),
    ("credential -> JSON (to_json)", model.OpenBadgeCredential, "to_json", False),
    ("OB JSON Schema", schema, "check_issuable", False),
    ("OB conformance rules", schema, "conformance_issues", False),
    ("JSON-LD safe mode (prepare)", jsonld, "prepare", False),
    ("load signing key (current_signer)", signing_keys, "current_signer", False),
    ("query current key row", signing_keys, "_current_row", True),
    ("decrypt + load key (unseal)", keystore, "unseal", True),
    ("sign eddsa-rdfc-2022", dataintegrity, "sign_credential", False),
    ("canonicalize + hash (RDFC)", dataintegrity, "hash_data", True),
    ("sign VC-JWT ES256", issuance, "sign_jwt", False),
    ("json.dumps(signed)", None, "dumps", False),
)


def breakdown(db: Database, fmt: str, seconds: float) -> dict[str, Any]:
    """Mean milliseconds per award spent in each step, and the SQL sent."""
    probe = Probe()
    shim = SimpleNamespace(dumps=json.dumps, loads=json.loads)
    sql_seconds: defaultdict[str, float] = defaultdict(float)
    sql_calls: Counter[str] = Counter()
    starts: list[float] = []

    def before(*_: Any) -> None:
        starts.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        label = _sql_label(statement)
        sql_seconds[label] += time.perf_counter() - starts.pop()
        sql_calls[label] += 1

    real_json = issuance.json
    marks: list[float] = []
    walls: list[float] = []
    try:
        issuance.json = shim  # type: ignore[assignment]
        for label, owner, attr, _parent in STEPS:
            probe.wrap(shim if owner is None else owner, attr, label)
        # Warm up with the wrappers in place, then count from zero (no warm-up in the loop).
        for _ in range(5):
            award_once(db, fmt)
        probe.seconds.clear()
        probe.calls.clear()
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        try:
            start = time.perf_counter()
            end = start + seconds
            while not walls or time.perf_counter() < end:
                walls.append(award_once(db, fmt, marks))
            elapsed = time.perf_counter() - start
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
            sa.event.remove(db.engine, "after_cursor_execute", after)
    finally:
        probe.restore()
        issuance.json = real_json  # type: ignore[assignment]
    n = len(walls)
    ms = {label: 1000 * probe.seconds[label] / n
          for label, _o, _a, _p in STEPS if probe.calls[label]}
    award_ms = 1000 * sum(marks) / n
    wall_ms = 1000 * sum(walls) / n
    top = sum(ms.get(label, 0.0) for label, _o, _a, child in STEPS if not child)
    return {
        "awards": n,
        "wall_ms": wall_ms,
        "award_ms": award_ms,
        "steps_ms": ms,
        "other_in_award_ms": award_ms - top,
        "commit_ms": wall_ms - award_ms,
        "sql": {label: {"per_award": sql_calls[label] / n,
                        "ms": 1000 * sql_seconds[label] / n} for label in sql_calls},
        "calls_per_award": {label: probe.calls[label] / n for label in probe.calls},
        "elapsed_s": elapsed,
    }


def profile_di(db: Database, seconds: float, limit: int = 25) -> str:
    profiler = cProfile.Profile()
    timed_loop(lambda: award_once(db, "di"), min(1.0, seconds))
    profiler.enable()
    timed_loop(lambda: award_once(db, "di"), seconds)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(limit)
    return out.getvalue()


# --------------------------------------------------------------------------- running


def run_engine(engine: str, seconds: float, with_profile: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with scratch_database(engine) as url:
        db = Database(url)
        try:
            seed(db)
            result["version"] = _server_version(db)
            for fmt in FORMATS:
                result[fmt] = throughput(db, fmt, seconds)
            result["empty_transaction"] = empty_transactions(db, min(2.0, seconds))
            result["breakdown"] = {fmt: breakdown(db, fmt, seconds) for fmt in FORMATS}
            if with_profile:
                result["cprofile_di"] = profile_di(db, seconds)
            with db.session() as session:
                result["rows"] = session.scalar(sa.text("SELECT count(*) FROM issued_credentials"))
        finally:
            db.dispose()
    return result


def _server_version(db: Database) -> str:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())
        return "PostgreSQL " + str(conn.exec_driver_sql("SHOW server_version").scalar())


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def print_report(results: dict[str, dict[str, Any]], seconds: float) -> None:
    print(f"award end to end (build, schema check, sign, store; one transaction each), "
          f"{seconds:g} s per run\n")
    print(f"{'engine':<12}{'format':<8}{'awards/s':>10}{'mean ms':>10}{'p50 ms':>10}"
          f"{'p99 ms':>10}{'CPU ms':>10}{'awards':>9}")
    for engine, res in results.items():
        for fmt in FORMATS:
            r = res[fmt]
            print(f"{engine:<12}{fmt:<8}{r['per_s']:10.1f}{r['mean_ms']:10.2f}"
                  f"{r['p50_ms']:10.2f}{r['p99_ms']:10.2f}{r['cpu_ms']:10.2f}{r['awards']:9d}")
    print("(CPU ms: this process's CPU time per award; the rest of the wall time is waiting "
          "for\n the disk, the database server, or the CPU on a busy host)\n")
    for engine, res in results.items():
        floor = res["empty_transaction"]
        extra = (f"; without pool_pre_ping {floor['no_pre_ping_mean_ms']:.2f} ms"
                 if "no_pre_ping_mean_ms" in floor else "")
        print(f"{engine} ({res['version']}): empty transaction (SELECT 1 + commit) "
              f"{floor['mean_ms']:.2f} ms{extra}")

    columns = [(engine, fmt) for engine in results for fmt in FORMATS]
    print("\nwhere the time goes, mean ms per award (instrumented pass; indented rows are "
          "part of the row above)\n")
    short = {"sqlite": "sqlite", "postgresql": "pg"}
    head = "".join(f"{short[e] + ' ' + f:>13}" for e, f in columns)
    print(f"{'step':<46}{head}")

    def row(label: str, values: list[float | None], indent: bool = False) -> None:
        cells = "".join(f"{v:13.3f}" if v is not None else f"{'-':>13}" for v in values)
        print(f"{('   ' if indent else '') + label:<46}{cells}")

    bds = [results[e]["breakdown"][f] for e, f in columns]
    for label, _o, _a, parent in STEPS:
        values = [bd["steps_ms"].get(label) for bd in bds]
        if any(v is not None for v in values):
            row(label, values, indent=parent)
    row("other inside award() (ORM, models, flush)", [bd["other_in_award_ms"] for bd in bds])
    row("= award() returned", [bd["award_ms"] for bd in bds])
    row("commit (COMMIT, close)", [bd["commit_ms"] for bd in bds])
    row("= whole transaction", [bd["wall_ms"] for bd in bds])
    sql_labels = sorted({label for bd in bds for label in bd["sql"]})
    print(f"\n{'SQL statements per award (count / ms)':<46}")
    for label in sql_labels:
        cells = []
        for bd in bds:
            s = bd["sql"].get(label)
            cells.append(f"{s['per_award']:4.1f} /{s['ms']:6.3f}" if s else "-")
        print(f"   {label:<43}{''.join(f'{c:>13}' for c in cells)}")
    totals = [(sum(s["per_award"] for s in bd["sql"].values()),
               sum(s["ms"] for s in bd["sql"].values())) for bd in bds]
    print(f"{'   all statements':<46}" + "".join(f"{f'{c:4.1f} /{m:6.3f}':>13}"
                                                 for c, m in totals))
    for engine, res in results.items():
        if "cprofile_di" in res:
            print(f"\ncProfile, DI awards on {engine} (own time):\n")
            print(res["cprofile_di"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--cprofile", action="store_true",
                        help="also profile DI awards on the first engine")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown or not engines:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown)) or '(none)'}")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    signal.signal(signal.SIGTERM, _terminate)
    results = {engine: run_engine(engine, args.seconds, args.cprofile and i == 0)
               for i, engine in enumerate(engines)}
    if args.json:
        print(json.dumps({"seconds": args.seconds, "engines": results}, indent=2))
        return
    print_report(results, args.seconds)


if __name__ == "__main__":
    main()
