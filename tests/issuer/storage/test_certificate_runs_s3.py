"""A certificate run with its files on S3: the job writes its manifest, PDFs and ZIP to
the bucket, and the ZIP downloads through the service (nothing in the instance folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from issuer.certificates import runfiles
from issuer.jobs.inprocess import ProcessPool
from issuer.storage import storage_for
from tests.issuer.batch.conftest import api_app_with_jobs
from tests.issuer.certificates import test_runs
from tests.issuer.conftest import Templates
from tests.issuer.conftest import create_app_for_tests
from tests.s3server import S3Server


@pytest.fixture
def s3_app(templates: Templates, s3: S3Server, tmp_path: Path) -> Iterator[Flask]:
    url = templates.fresh("postgresql")
    pool = ProcessPool(1)  # started after the S3 credentials are in the environment
    apps: list[Flask] = []

    def make(**overrides: object) -> Flask:
        app = create_app_for_tests(url, tmp_path, storage_url=s3.url(),
                                   s3_endpoint_url=s3.endpoint, **overrides)
        apps.append(app)
        return app

    try:
        yield from api_app_with_jobs(make, pool, test_runs.TOKEN, test_runs.OTHER)
    finally:
        for app in apps:
            app.extensions["badges"]["db"].dispose()
        pool.shutdown()
        templates.drop(url)


def test_a_certificate_run_keeps_its_files_in_the_bucket(s3_app: Flask, tmp_path: Path) -> None:
    client = s3_app.test_client()
    batch_id = test_runs._award(client, [test_runs._row(f"t{n}@lakeside.example.org",
                                                        f"Teacher {n}") for n in range(2)])
    started = client.post(f"/api/v1/batches/{batch_id}/certificates", headers=test_runs.AUTH)
    assert started.status_code == 202, started.get_json()
    state = test_runs._finished(client, batch_id)
    assert (state["state"], state["rendered"]) == ("done", 2), state
    archive = test_runs._zip(client, batch_id)
    assert sorted(archive.namelist()) == ["Teacher-0_Blended-Learning-Design.pdf",
                                          "Teacher-1_Blended-Learning-Design.pdf"]
    files = storage_for(s3_app.extensions["badges"]["settings"])
    run = runfiles.folder(files, batch_id)
    assert files.kind == "s3" and len(files.keys(f"{run.prefix}/pdf")) == 2
    assert files.exists(run.manifest) and files.exists(run.zip(state["id"]))
    assert not (tmp_path / "certificate-runs").exists()
