"""District scale: the credentials list, search and dashboard on a large PostgreSQL database.

Usage::

    .venv/bin/python bench/scale.py [--credentials 50000] [--people N] [--repeat 7]
                                    [--engine postgresql|sqlite] [--json]

A scratch database is made (next to ``BADGES_TEST_POSTGRES``, default
``postgresql://postgres@127.0.0.1:5432/test``; or an SQLite file with
``--engine sqlite``), migrated, and given the demo district through the
service (``issuer.demo.seed``: its schools, achievements, keys and sample
awards). Then it is filled in bulk: ``--people`` teachers (default a quarter
of the credentials) with an address each, and ``--credentials`` credentials
spread over the district and its schools, the achievements and three years,
each holding a copy of a real signed credential document (so rows have their
real size); 5% revoked, 2% suspended, some expired; one in five came through
an approved evidence submission with a review, the rest were awarded
directly. Rows go in through SQLAlchemy Core in batches (not through
``issuance.award``: signing 200,000 credentials would measure signing), then
``VACUUM ANALYZE`` (what autovacuum does after a bulk load; it lets counts
read an index alone).

Each figure is the median (and worst) of ``--repeat`` runs of the service
function the page calls, as the district admin (district and every school
in scope), in one session: ``credentials.search`` (page 1; page 50 by
``?page=`` OFFSET and by cursor; a status filter; a search by name, e-mail
fragment and credential id) and ``dashboard.figures``. The goal (issue #21):
every figure under 100 ms at 200,000 credentials (``--credentials 200000``).

The scratch database is dropped on the way out, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from issuer import demo  # noqa: E402
from issuer.db import Database  # noqa: E402
from issuer.migrate import upgrade  # noqa: E402
from issuer.models import Achievement  # noqa: E402
from issuer.models import IssuedCredential  # noqa: E402
from issuer.models import Organization  # noqa: E402
from issuer.models import Person  # noqa: E402
from issuer.models import PersonEmail  # noqa: E402
from issuer.models_workflow import Decision  # noqa: E402
from issuer.models_workflow import Review  # noqa: E402
from issuer.models_workflow import Submission  # noqa: E402
from issuer.models_workflow import SubmissionStatus  # noqa: E402
from issuer.workflow import credentials  # noqa: E402
from issuer.workflow import dashboard  # noqa: E402

PG_ADMIN = os.environ.get("BADGES_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEK = secrets.token_bytes(32)
BATCH = 5000
FIRST = ("María", "Tom", "Priya", "Dana", "Marcus", "Aiko", "Samuel", "Fatima", "Liam", "Noor",
         "Chen", "Olga", "Kwame", "Isabel", "Yusuf", "Grace", "Mateo", "Hana", "Ravi", "Zoe")
LAST = ("López", "Nakamura", "Raman", "Whitfield", "Chen", "Okafor", "Schmidt", "Haddad",
        "Kowalski", "Silva", "Novak", "Tanaka", "Mensah", "Ortega", "Nguyen", "Brennan",
        "Dubois", "Yilmaz", "Larsen", "Patel")


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _batches(rows: list[dict[str, Any]]) -> Any:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def seed(database: Database, n_credentials: int, n_people: int) -> dict[str, Any]:
    """The demo district plus ``n_people`` teachers and ``n_credentials`` credentials."""
    rng = random.Random(21)  # noqa: S311 - test data, not secrets
    started = time.perf_counter()
    with database.session() as session:
        demo.seed(session, base_url="https://badges.lakeside.example.org", kek=KEK, now=NOW)
    with database.session() as session:
        orgs = list(session.execute(sa.select(Organization.id, Organization.name)))
        achievements = list(session.execute(sa.select(Achievement.id, Achievement.name,
                                                      Achievement.organization_id)))
        template = session.scalars(sa.select(IssuedCredential)).first()
        assert template is not None
        reviewer = session.scalar(sa.select(Person.id).order_by(Person.id))
        doc, fmt, key_id = template.document, template.format, template.signing_key_id
        first_person = (session.scalar(sa.select(sa.func.max(Person.id))) or 0) + 1
    people = [{"id": first_person + i, "display_name": f"{rng.choice(FIRST)} "
               f"{rng.choice(LAST)}", "password_hash": None, "created_at": NOW}
              for i in range(n_people)]
    emails = [{"person_id": p["id"], "address": f"teacher{p['id']}@lakeside.example.org"}
              for p in people]
    creds: list[dict[str, Any]] = []
    subs: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    for _ in range(n_credentials):
        person = rng.choice(people)
        achievement_id, _, org_id = rng.choice(achievements)
        issued_at = NOW - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        roll = rng.random()
        cred_id = str(uuid.uuid4())
        creds.append({
            "id": cred_id, "credential_id": f"urn:uuid:{uuid.uuid4()}",
            "organization_id": org_id if rng.random() < 0.3 else rng.choice(orgs)[0],
            "achievement_id": achievement_id, "person_id": person["id"],
            "recipient_email": f"teacher{person['id']}@lakeside.example.org",
            "recipient_name": person["display_name"], "format": fmt, "document": doc,
            "signing_key_id": key_id, "share_token": secrets.token_urlsafe(24),
            "share_enabled": True, "issued_at": issued_at, "valid_from": issued_at,
            "valid_until": issued_at + timedelta(days=730) if rng.random() < 0.5 else None,
            "revoked_at": issued_at + timedelta(days=30) if roll < 0.05 else None,
            "revocation_reason": "awarded in error" if roll < 0.05 else None,
            "reason_public": False,
            "suspended_at": issued_at + timedelta(days=10) if 0.05 <= roll < 0.07 else None,
            "renews_id": None})
        if rng.random() < 0.2:  # came through an evidence submission
            sub_id = str(uuid.uuid4())
            submitted = issued_at - timedelta(hours=rng.randrange(1, 240))
            subs.append({"id": sub_id, "person_id": person["id"],
                         "organization_id": creds[-1]["organization_id"],
                         "achievement_id": achievement_id, "status": SubmissionStatus.APPROVED,
                         "round": 1, "created_at": submitted, "updated_at": issued_at,
                         "first_submitted_at": submitted, "submitted_at": submitted,
                         "decided_at": issued_at, "credential_id": cred_id,
                         "renews_credential_id": None})
            reviews.append({"submission_id": sub_id, "round": 1, "reviewer_id": reviewer,
                            "decision": Decision.APPROVE, "scores": {}, "feedback": None,
                            "submitted_at": submitted, "decided_at": issued_at})
    with database.engine.begin() as conn:
        for table, rows in ((Person.__table__, people), (PersonEmail.__table__, emails),
                            (IssuedCredential.__table__, creds), (Submission.__table__, subs),
                            (Review.__table__, reviews)):
            for chunk in _batches(rows):
                conn.execute(sa.insert(table), chunk)
        if database.url.startswith("postgresql"):
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('people', 'id'), "
                                 "(SELECT max(id) FROM people))"))
    with database.engine.connect() as conn:  # what autovacuum does after a bulk load
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(
            "VACUUM ANALYZE" if database.url.startswith("postgresql") else "ANALYZE"))
    return {"seconds": round(time.perf_counter() - started, 1), "people": n_people,
            "credentials": n_credentials, "submissions": len(subs),
            "sample": creds[len(creds) // 2]}


def _time(repeat: int, run: Callable[[], Any]) -> dict[str, float]:
    run()  # warm: plans, the connection, the OS page cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def measure(database: Database, repeat: int, sample: dict[str, Any]) -> dict[str, Any]:
    """Time each list, search and dashboard figure as the district admin sees them."""
    with database.session() as session:
        scope = frozenset(session.scalars(sa.select(Organization.id)))
        name = sample["recipient_name"].split()[-1]

        def search(**kwargs: Any) -> credentials.Page:
            return credentials.search(session, scope, credentials.Query(**kwargs), now=NOW)

        page = search()
        for number in range(2, 50):  # the cursor of page 49, as a reader paging would hold it
            assert page.next_cursor is not None
            page = search(after=page.next_cursor, page=number)
        cursor49 = page.next_cursor
        assert cursor49 is not None
        results = {
            "list page 1": _time(repeat, lambda: search()),
            "list page 50 (?page=, OFFSET)": _time(repeat, lambda: search(page=50)),
            "list page 50 (cursor)": _time(repeat, lambda: search(after=cursor49, page=50)),
            "filter status=revoked": _time(repeat, lambda: search(status="revoked")),
            f"search name '{name}'": _time(repeat, lambda: search(text=name)),
            "search e-mail fragment": _time(
                repeat, lambda: search(text=sample["recipient_email"][:12])),
            "search credential id": _time(
                repeat, lambda: search(text=sample["credential_id"])),
            "dashboard figures": _time(repeat, lambda: dashboard.figures(session, scope)),
        }
        found = search(text=sample["credential_id"])
        assert [r.credential.credential_id for r in found.rows] == [sample["credential_id"]]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--credentials", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=0, help="default: credentials / 4")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--database", metavar="URL",
                        help="time a database an earlier --keep run left (no seeding)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch database (its URL is printed) to explore it")
    args = parser.parse_args()
    if args.credentials < 1000 or args.repeat < 1:
        parser.error("--credentials must be at least 1000 and --repeat at least 1")
    if args.database:
        reused = Database(args.database)
        try:
            with reused.session() as session:
                count = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential))
                row = session.scalars(sa.select(IssuedCredential).order_by(
                    IssuedCredential.id).offset((count or 1) // 2).limit(1)).one()
                sample = {"recipient_name": row.recipient_name,
                          "recipient_email": row.recipient_email,
                          "credential_id": row.credential_id}
            results = measure(reused, args.repeat, sample)
        finally:
            reused.dispose()
        print(f"{args.database}: {count:,} credentials; median / worst of {args.repeat} runs")
        for label, figure in results.items():
            print(f"  {label:<34} {figure['median_ms']:>8.1f} ms {figure['max_ms']:>8.1f} ms")
        return
    people = args.people or max(1, args.credentials // 4)
    scratch = tempfile.mkdtemp(prefix="badges-scale-")
    name = f"badges_scale_{uuid.uuid4().hex[:10]}"
    if args.engine == "postgresql":
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        url = f"sqlite:///{scratch}/scale.db"
    database = None
    try:
        upgrade(url)
        database = Database(url)
        seeded = seed(database, args.credentials, people)
        results = measure(database, args.repeat, seeded.pop("sample"))
    finally:
        if database is not None:
            database.dispose()
        if args.keep:
            print(f"kept: {url}", file=sys.stderr)
        elif args.engine == "postgresql":
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.json:
        print(json.dumps({"engine": args.engine, "seeded": seeded, "results": results}))
        return
    print(f"{args.engine}: {seeded['credentials']:,} credentials, {seeded['people']:,} people, "
          f"{seeded['submissions']:,} reviewed submissions (seeded in {seeded['seconds']} s); "
          f"median / worst of {args.repeat} runs, goal < 100 ms")
    for label, figure in results.items():
        mark = "" if figure["median_ms"] < 100 else "   over the goal"
        print(f"  {label:<34} {figure['median_ms']:>8.1f} ms {figure['max_ms']:>8.1f} ms{mark}")


if __name__ == "__main__":
    main()
