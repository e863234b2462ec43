"""Where the service keeps its files: one interface, two backends (issue #21).

Evidence files (:mod:`issuer.workflow.evidence`), districts' certificate
templates (:mod:`issuer.certificates.store`) and the certificates of award runs
(:mod:`issuer.certificates.runfiles`) are objects named by a key such as
``evidence/ab/<sha256>``. The backend is chosen by ``BADGES_STORAGE_URL``:

* unset or ``local``: files under the instance folder (:class:`LocalStorage`),
  the embedded default for one machine;
* ``s3://<bucket>[/<prefix>]``: any S3-compatible object storage
  (:class:`~issuer.storage.s3.S3Storage`; endpoint ``BADGES_S3_ENDPOINT_URL``,
  region ``BADGES_S3_REGION``, credentials from the usual ``AWS_*`` variables
  or the host's role), shared by every web process and worker of every host.

Downloads are streamed through the service (:meth:`Storage.stream`) after the
same access checks as before, rather than handed out as presigned URLs: a
presigned URL is a bearer token that outlives a revoked role or a withdrawn
submission for its whole lifetime, and the object storage need not be
reachable from teachers' browsers at all.

Writers that must not interleave (a certificate run's manifest) take
:meth:`Storage.lock`: a file lock on one machine, a PostgreSQL advisory lock
when the files are shared (:mod:`issuer.storage.locks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Protocol

if TYPE_CHECKING:
    from issuer.config import Settings

__all__ = ["MissingObject", "Storage", "check_key", "storage_for"]

#: A key: ``/``-separated parts of letters, digits, ``._-`` (no part starting with a dot).
_PART = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$")
CHUNK = 64 * 1024


class MissingObject(LookupError):
    """No object is stored under the key."""


def check_key(key: str) -> str:
    """A storage key, refused when a part is empty, hidden, ``..`` or not plain.

    Raises:
        ValueError: anything else (keys are made by the service, never typed by people).
    """
    parts = key.split("/")
    if not key or len(key) > 1000 or not all(_PART.match(p) and p != ".." for p in parts):
        raise ValueError(f"not a storage key: {key[:120]!r}")
    return key


class Storage(Protocol):
    """Objects named by keys (:func:`check_key`); every write replaces the whole object."""

    #: ``local`` or ``s3`` (for /readyz and the logs).
    kind: str

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (readers see the old or the new object, never half)."""

    def put_file(self, key: str, path: Path) -> None:
        """Store the file at ``path`` under ``key`` (large files: without reading them whole)."""

    def get(self, key: str) -> bytes:
        """The object's bytes.

        Raises:
            MissingObject: nothing is stored under ``key``.
        """

    def stream(self, key: str) -> Iterator[bytes]:
        """The object in chunks (for downloads; :class:`MissingObject` before the first)."""

    def size(self, key: str) -> int:
        """The object's length in bytes.

        Raises:
            MissingObject: nothing is stored under ``key``.
        """

    def exists(self, key: str) -> bool:
        """True when an object is stored under ``key``."""

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (a folder: ``prefix/...``), sorted."""

    def delete(self, key: str) -> None:
        """Remove one object (nothing when there is none)."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object under ``prefix/``."""

    def lock(self, name: str) -> AbstractContextManager[None]:
        """Hold the lock ``name`` against every process that shares this storage."""

    def check(self) -> None:
        """Raise when the storage cannot be reached (readiness)."""


def stream_once(storage: Storage, key: str) -> Iterator[bytes]:
    """:meth:`Storage.stream`, with :class:`MissingObject` raised now rather than on first use."""
    chunks = storage.stream(key)
    try:
        first = next(chunks)
    except StopIteration:
        first = b""

    def rest() -> Iterator[bytes]:
        if first:
            yield first
        yield from chunks

    return rest()


@lru_cache(maxsize=8)
def _open(instance: str, url: str, endpoint: str, region: str, database_url: str) -> Storage:
    from issuer.storage.local import LocalStorage

    if url in ("", "local"):
        return LocalStorage(Path(instance))
    from issuer.storage.locks import locks_for
    from issuer.storage.s3 import S3Storage

    return S3Storage.from_url(url, endpoint_url=endpoint or None, region=region or None,
                              locks=locks_for(database_url, Path(instance)))


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name (one per process and configuration: clients are reused)."""
    return _open(str(settings.instance_path), settings.storage_url, settings.s3_endpoint_url,
                 settings.s3_region, settings.database_url)
