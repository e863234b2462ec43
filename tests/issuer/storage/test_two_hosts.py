"""Issue #21 acceptance: evidence uploaded through one web process downloads through another,
with storage on the S3 backend (two ``badges serve`` processes on PostgreSQL + s3rver)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from issuer.app import create_app
from issuer.models_workflow import EvidenceItem
from tests import multihost
from tests.issuer.conftest import Templates
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import PEOPLE
from tests.issuer.workflow.conftest import build_world
from tests.issuer.workflow.test_flow import PDF
from tests.s3server import S3Server
from tests.s3server import free_port


@pytest.fixture
def pg_url(templates: Templates) -> Iterator[str]:
    url = templates.fresh("postgresql")
    yield url
    templates.drop(url)


def test_evidence_uploaded_on_one_host_downloads_on_another(
        pg_url: str, s3: S3Server, tmp_path: Path) -> None:
    storage_url = s3.url()
    app = create_app({"env": "testing", "database_url": pg_url, "storage_url": storage_url,
                      "s3_endpoint_url": s3.endpoint, "instance_path": tmp_path / "seed",
                      "base_url": "http://127.0.0.1", "key_encryption_key": multihost.KEK_B64,
                      "secret_key": "x"})
    world = build_world(app)
    app.extensions["badges"]["db"].dispose()

    hosts = []
    try:
        for n in range(2):  # two hosts: their own instance folders, shared database and bucket
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = multihost.base_env(tmp_path / f"host{n}", BADGES_DATABASE_URL=pg_url,
                                     BADGES_BASE_URL=base, **s3.env(storage_url))
            process = multihost.Process(multihost.badges(
                "serve", "--port", str(port), "--workers", "1", "--threads", "2"), env,
                tmp_path / f"host{n}.log").start()
            hosts.append((process, base))
        for process, base in hosts:
            multihost.wait_healthy(process, base)
        (_, one), (_, two) = hosts

        teacher = multihost.Browser()
        teacher.sign_in(one, PEOPLE["teacher"][1], PASSWORD)
        status, headers, _ = teacher.post(f"{one}/submissions", {
            "achievement_id": world.achievements["blended"]})
        assert status == 303
        sub = headers["Location"].rsplit("/", 1)[1]
        status, _, body = teacher.post(f"{one}/submissions/{sub}/items",
                                       {"kind": "file", "title": "Unit plan"},
                                       files={"file": ("unit-plan.pdf", PDF)})
        assert status == 303, body[:2000]

        with app.extensions["badges"]["db"].session() as session:
            item = session.scalars(sa.select(EvidenceItem).where(
                EvidenceItem.submission_id == sub)).one()
        key = f"evidence/{item.file_sha256[:2]}/{item.file_sha256}"
        listed = s3.client().list_objects_v2(  # type: ignore[attr-defined]
            Bucket="badges-test", Prefix=storage_url.split("/", 3)[3] + "/")
        assert [o["Key"].split("/", 1)[1] for o in listed.get("Contents", ())] == [key]
        assert not any((tmp_path / f"host{n}" / "evidence").exists() for n in range(2))

        status, headers, body = teacher.get(f"{two}/submissions/{sub}/items/{item.id}/file")
        assert (status, body) == (200, PDF)
        assert headers["Content-Length"] == str(len(PDF))
        assert headers["Cache-Control"] == "private, no-store"
        # the same access checks on every host: another district's admin is refused
        other = multihost.Browser()
        other.sign_in(two, PEOPLE["other_admin"][1], PASSWORD)
        assert other.get(f"{two}/submissions/{sub}/items/{item.id}/file")[0] == 404
        ready = multihost.request(f"{two}/readyz")
        assert ready[0] == 200 and b'"backend":"s3"' in ready[2].replace(b" ", b""), ready
    finally:
        app.extensions["badges"]["db"].dispose()
        multihost.stop_all([process for process, _ in hosts])
