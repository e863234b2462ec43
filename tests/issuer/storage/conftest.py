"""A real S3-compatible server (s3rver) on loopback, one per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests import s3server
from tests.issuer.conftest import Templates


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[s3server.S3Server]:
    server = s3server.start(tmp_path_factory.mktemp("s3") / "data")
    saved = {k: os.environ.get(k) for k in s3server.CREDENTIALS}
    os.environ.update(s3server.CREDENTIALS)  # boto3 in this process reads them
    yield server
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


@pytest.fixture
def pg_url(templates: Templates) -> Iterator[str]:
    """A fresh PostgreSQL database of its own (the processes of a test share it)."""
    url = templates.fresh("postgresql")
    yield url
    templates.drop(url)
