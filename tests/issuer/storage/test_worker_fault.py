"""Issue #21, the worker half of the fault test: two ``badges worker`` processes (RQ on
Redis, as two hosts run them) share a PostgreSQL database and S3 storage. One is killed
with ``kill -9`` in the middle of a certificate run and started again; the rendering is
handed to a live worker once it has been silent for the stall time and completes, every
certificate file is written exactly once (counted at the S3 server) and whole, the ZIP
and the manifest agree. Then the worker rendering is asked to stop (``SIGTERM`` to its
process): it finishes its chunk, exits cleanly, and the other one does the rest.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import redis

from issuer.batch import runner
from issuer.batch import service
from issuer.certificates import runfiles
from issuer.certificates import runs
from issuer.certificates.runfiles import Manifest
from issuer.config import load_settings
from issuer.db import Database
from issuer.jobs.redis_queue import RedisQueue
from issuer.models_batch import BatchRun
from issuer.services.issuance import IssuerContext
from issuer.storage import storage_for
from tests import multihost
from tests import s3server
from tests.issuer import seed
from tests.issuer.batch.conftest import REDIS_URL
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import drop_queue
from tests.issuer.batch.conftest import make_batch
from tests.issuer.certificates.test_runs import _attached
from tests.issuer.conftest import KEK

#: Certificates in the run: five chunks of :data:`issuer.certificates.runs.CHUNK`.
CERTIFICATES = 5 * runs.CHUNK
#: ``BADGES_CERTIFICATE_STALL_SECONDS`` for the workers (a live job beats every second).
STALL = 4
#: The bound on waiting for the run, from the moment it is started (seconds): generous,
#: since a CI pass shares the cores with another test process (a run here takes ~10 s).
TIMEOUT = 150.0
BASE_URL = "https://badges.test"


@pytest.fixture
def s3_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[s3server.S3Server]:
    """An s3rver of this test's own that logs every write."""
    for key, value in s3server.CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    server = s3server.start(tmp_path / "s3" / "data", verbose=True)
    yield server
    server.stop()


def _wait(what: str, check: Callable[[], bool], deadline: float) -> None:
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _pid(manifest: Manifest | None) -> int | None:
    """The process id of the job holding the rendering (``host:pid:token``)."""
    if manifest is None or manifest.owner is None:
        return None
    return int(manifest.owner.split(":")[-2])


@pytest.mark.rq
@pytest.mark.realtime
def test_a_killed_worker_loses_no_certificate_and_writes_none_twice(
        pg_url: str, s3_logged: s3server.S3Server, tmp_path: Path) -> None:
    database = Database(pg_url)
    ctx = IssuerContext(base_url=BASE_URL, kek=KEK)
    with database.session() as session:
        seed.district(session, ctx)
    batch_id = make_batch(database, award_csv(CERTIFICATES), backend="rq",
                          chunk_size=CERTIFICATES)
    with database.sessions() as session:
        chunks = service.pending_chunks(session, service.get(session, batch_id))
    for chunk in chunks:
        runner.run_chunk(database, ctx, batch_id=batch_id, chunk=chunk)
    storage_url = s3_logged.url()
    settings = load_settings(environ={}, overrides={
        "env": "testing", "database_url": pg_url, "instance_path": str(tmp_path / "web"),
        "base_url": BASE_URL, "key_encryption_key": multihost.KEK_B64, "secret_key": "s",
        "storage_url": storage_url, "s3_endpoint_url": s3_logged.endpoint})
    files = storage_for(settings)
    run = runfiles.folder(files, batch_id)
    queue_name = f"badges-test-{uuid.uuid4().hex[:10]}"
    env = multihost.base_env(
        tmp_path / "host", BADGES_DATABASE_URL=pg_url, BADGES_BASE_URL=BASE_URL,
        BADGES_REDIS_URL=REDIS_URL, BADGES_JOB_QUEUE=queue_name,
        BADGES_CERTIFICATE_STALL_SECONDS=str(STALL), BADGES_JOB_TIMEOUT="300",
        PYTHONUNBUFFERED="1", **s3_logged.env(storage_url))

    def worker(n: int) -> multihost.Process:
        return multihost.Process(multihost.badges("worker"), env,
                                 tmp_path / f"worker{n}.log").start()

    workers = [worker(0), worker(1)]
    jobs = RedisQueue(REDIS_URL, name=queue_name)

    def manifest() -> Manifest | None:
        with runfiles.locked(run):  # s3rver, unlike S3, may serve an object mid-write
            return runfiles.read(run)

    def done() -> int:
        found = manifest()
        return found.count("done") if found is not None else 0

    def holder() -> int:
        pid = _pid(manifest())
        matches = [i for i, w in enumerate(workers) if w.proc.pid == pid]
        return matches[0] if matches else -1

    try:
        with database.sessions() as session:
            batch = session.get(BatchRun, batch_id)
            assert batch is not None
            began = time.monotonic()
            deadline = began + TIMEOUT
            started, queued = runs.start(session, jobs, batch, storage=files,
                                         now=datetime.now(UTC), stall_seconds=STALL)
        assert queued
        render_id = started.id

        # kill -9 the worker rendering, once the manifest shows a chunk stored.
        _wait("a first chunk", lambda: 0 < done() < CERTIFICATES and holder() >= 0, deadline)
        killed = holder()
        workers[killed].kill9()
        at_kill = manifest()
        assert at_kill is not None and at_kill.state == "running"
        killed_at = time.monotonic()
        workers[killed] = worker(2)  # the host comes back

        # A live worker takes the rendering over and stores a chunk of its own.
        _wait("the rendering taken over", lambda: holder() >= 0, deadline)
        taken_after = time.monotonic() - killed_at
        _wait("a chunk after the takeover", lambda: done() > at_kill.count("done"), deadline)

        # SIGTERM (warm shutdown) to the worker rendering now, as ``docker stop`` sends it:
        # its chunk in flight finishes on its renderer processes, the rest is handed on.
        stopping = holder()
        before_stop = done()
        termed_at = time.monotonic()
        os.kill(workers[stopping].proc.pid, signal.SIGTERM)
        seen: list[tuple[str, int | None, int]] = []  # (state, holder's pid, done) as it goes
        while workers[stopping].proc.poll() is None:
            assert time.monotonic() < deadline, "the worker asked to stop did not"
            now_at = manifest()
            if now_at is not None:
                seen.append((now_at.state, _pid(now_at), now_at.count("done")))
            time.sleep(0.05)
        stopped_after = time.monotonic() - termed_at
        after_stop = manifest()
        assert workers[stopping].proc.returncode == 0, workers[stopping].text()
        assert after_stop is not None
        mine = workers[stopping].proc.pid
        handed_back = any(state == "queued" or pid not in (None, mine)
                          for state, pid, _ in seen + [
                              (after_stop.state, _pid(after_stop), 0)])
        # It let go: handed the rest on, or finished the run (SIGTERM during the last chunk).
        assert handed_back or after_stop.state == "done", (seen, after_stop.summary())
        stopped_at = max([d for _, pid, d in seen if pid == mine] or [before_stop])

        _wait("the run done", lambda: (manifest() or at_kill).state in ("done", "failed"),
              deadline)
        final = manifest()
        assert final is not None
        elapsed = time.monotonic() - began

        keys = {run.pdf(render_id, item): item for item in final.items or ()}
        writes = Counter(key.split("/", 1)[1] for key in s3_logged.stored()
                         if f"/pdf/{render_id}/" in key)
        stored = set(files.keys(run.pdf_dir(render_id)))
        archive = zipfile.ZipFile(BytesIO(files.get(run.zip(render_id))))
        names = archive.namelist()
        twice = sum(n - 1 for n in writes.values() if n > 1)
        lost = len(set(keys) - stored)
        print(f"\nworker fault test: certificates expected {CERTIFICATES}, stored "
              f"{len(stored)}, in the ZIP {len(names)} ({len(set(names))} distinct); "
              f"files written twice {twice}, lost {lost}; run {final.state}, handed on "
              f"{final.recovered} time(s); killed at {at_kill.count('done')} done, taken "
              f"over {taken_after:.1f} s later (stall {STALL} s); SIGTERM at "
              f"{before_stop} done, it stored up to {stopped_at} (its chunk in flight), "
              f"exited cleanly "
              f"{stopped_after:.1f} s later ({'rest handed on' if handed_back else 'none left'}"
              f"); {elapsed:.1f} s")
        assert (final.state, final.count("done"), final.count("pending")) == \
            ("done", CERTIFICATES, 0), final.summary()
        assert final.recovered == 1 and final.owner is None
        assert twice == 0 and lost == 0 and stored == set(keys)
        assert set(writes) == set(keys)
        assert len(names) == len(set(names)) == CERTIFICATES
        credentials = {item.file: item.credential_id for item in keys.values()}
        for key, item in keys.items():
            document = files.get(key)
            assert document.startswith(b"%PDF-") and document.rstrip().endswith(b"%%EOF")
            assert archive.read(item.file) == document
            assert credentials[item.file] in _attached(document)
    finally:
        multihost.stop_all(workers)
        jobs.close()
        client = redis.Redis.from_url(REDIS_URL)
        drop_queue(client, queue_name)
        client.close()
        database.dispose()
