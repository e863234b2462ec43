"""Both storage backends keep the same promises: the local folder and S3 (s3rver)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from issuer.app import create_app
from issuer.certificates import store
from issuer.certificates.templates import builtin
from issuer.certificates.templates import read_folder
from issuer.storage import MissingObject
from issuer.storage import Storage
from issuer.storage import check_key
from issuer.storage import stream_once
from issuer.storage.local import LocalStorage
from issuer.storage.locks import PostgresLocks
from issuer.storage.locks import file_locks
from issuer.storage.s3 import MULTIPART
from issuer.storage.s3 import S3Storage
from tests.issuer.conftest import PG_ADMIN
from tests.issuer.conftest import Templates
from tests.s3server import S3Server
from tests.s3server import free_port


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "files")
        return
    s3: S3Server = request.getfixturevalue("s3")
    yield S3Storage.from_url(s3.url(), endpoint_url=s3.endpoint, region=None,
                             locks=file_locks(tmp_path / "locks"))


def test_objects_round_trip_and_missing_ones_say_so(storage: Storage) -> None:
    storage.check()
    storage.put("a/b/one.txt", b"first")
    storage.put("a/b/one.txt", b"second")  # replaced whole
    storage.put("a/c/two.bin", bytes(range(256)) * 1000)
    storage.put("other/three", b"3")
    assert storage.get("a/b/one.txt") == b"second"
    assert b"".join(storage.stream("a/c/two.bin")) == bytes(range(256)) * 1000
    assert storage.size("a/c/two.bin") == 256_000 and storage.exists("other/three")
    assert storage.keys("a") == ["a/b/one.txt", "a/c/two.bin"]
    assert storage.keys("a/b") == ["a/b/one.txt"] and storage.keys("nothing") == []
    for call in (storage.get, storage.size, lambda k: stream_once(storage, k)):
        with pytest.raises(MissingObject):
            call("a/b/absent")
    assert not storage.exists("a/b/absent")
    storage.delete("a/b/one.txt")
    storage.delete("a/b/one.txt")  # twice is fine
    storage.delete_prefix("a")
    assert storage.keys("a") == [] and storage.get("other/three") == b"3"


def test_large_files_round_trip(storage: Storage, tmp_path: Path) -> None:
    data = os.urandom(MULTIPART + 1024 * 1024)
    source = tmp_path / "big.zip"
    source.write_bytes(data)
    storage.put_file("runs/big.zip", source)
    storage.put("runs/big2.zip", data)
    assert storage.get("runs/big.zip") == data and storage.get("runs/big2.zip") == data
    assert storage.size("runs/big.zip") == len(data)


@contextmanager
def _s3_calls(client: Any) -> Iterator[list[tuple[str, int, str | None]]]:
    """The S3 calls ``client`` makes, as the server answered them: (operation, status, ETag).

    Read from botocore's ``after-call`` event on the real client, so each entry is a
    request s3rver received and answered (an ``UploadPart``'s ETag is the MD5 of the
    part's bytes as the server computed it).
    """
    calls: list[tuple[str, int, str | None]] = []

    def record(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, http_response.status_code, parsed.get("ETag")))

    client.meta.events.register("after-call.s3", record)
    try:
        yield calls
    finally:
        client.meta.events.unregister("after-call.s3", record)


@pytest.mark.parametrize("storage", ["s3"], indirect=True)
def test_large_files_go_up_in_parts(storage: Storage, tmp_path: Path) -> None:
    """Above MULTIPART, ``put_file`` and ``put`` make a multipart upload of two parts.

    s3rver gives the assembled object the MD5 of its whole body as ETag (AWS would
    give the MD5 of the parts' MD5s with a "-2" suffix), so the parts are shown by
    the calls the server answered and by the ETag it computed for each part.
    """
    assert isinstance(storage, S3Storage)
    data = os.urandom(MULTIPART + 1024 * 1024)
    parts = {f'"{hashlib.md5(data[i:i + MULTIPART]).hexdigest()}"'  # noqa: S324 - S3's ETag
             for i in (0, MULTIPART)}
    source = tmp_path / "big.zip"
    source.write_bytes(data)
    uploads: list[Callable[[], None]] = [lambda: storage.put_file("runs/big.zip", source),
                                         lambda: storage.put("runs/big2.zip", data)]
    for upload in uploads:
        with _s3_calls(storage.client) as calls:
            upload()
        assert sorted((name, status) for name, status, _ in calls) == [
            ("CompleteMultipartUpload", 200), ("CreateMultipartUpload", 200),
            ("UploadPart", 200), ("UploadPart", 200)], calls
        assert {etag for name, _, etag in calls if name == "UploadPart"} == parts
    assert storage.size("runs/big.zip") == storage.size("runs/big2.zip") == len(data)


@pytest.mark.parametrize("key", ["", "/a", "a//b", "a/../b", "a/.hidden", "a/b c", "é"])
def test_keys_are_plain(key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        check_key(key)


def test_a_template_is_published_whole_and_read_back_as_a_folder(storage: Storage) -> None:
    files = read_folder(builtin())
    assert store.list_names(storage, "lakeside") == []
    first = store.publish(storage, "lakeside", "classic", files)
    folder = store.resolve(storage, ["lakeside-high", "lakeside"], "classic")
    assert read_folder(folder) == files and folder.name == first
    second = store.publish(storage, "lakeside", "classic", {**files})
    assert second != first and store.list_names(storage, "lakeside") == ["classic"]
    assert all(f"/{first}/" not in k for k in storage.keys("certificate-templates"))
    assert store.resolve(storage, ["lakeside"], "classic").name == second
    assert store.delete(storage, "lakeside", "classic")
    assert not store.delete(storage, "lakeside", "classic")
    assert store.resolve(storage, ["lakeside"], "default") == builtin()


def _contend(locks: object, name: str) -> list[str]:
    """Two threads take the same lock; their critical sections never interleave."""
    events: list[str] = []

    def worker(tag: str) -> None:
        with locks(name):  # type: ignore[operator]
            events.append(f"{tag}+")
            time.sleep(0.05)
            events.append(f"{tag}-")

    threads = [threading.Thread(target=worker, args=(t,)) for t in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return events


def test_run_locks_exclude_each_other_on_postgresql_and_on_files(tmp_path: Path) -> None:
    shared = PostgresLocks(PG_ADMIN)
    try:
        for locks in (shared, file_locks(tmp_path)):
            events = _contend(locks, "certificate-runs/x")
            assert events in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"]), events
    finally:
        shared.dispose()


def test_readyz_says_when_the_object_storage_is_unreachable(templates: Templates,
                                                            tmp_path: Path) -> None:
    url = templates.fresh("sqlite")
    app = create_app({"env": "testing", "database_url": url, "instance_path": tmp_path,
                      "storage_url": "s3://nowhere/x", "secret_key": "x",
                      "s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["storage"] == {
            "ok": False, "error": "unreachable", "detail": "EndpointConnectionError"}
    finally:
        app.extensions["badges"]["db"].dispose()
