"""The S3-compatible storage backend (boto3, Signature V4, path-style addressing).

Objects are ``<prefix>/<key>`` in one bucket. A ``put`` is a single
``PutObject`` (atomic for readers); large objects are sent with boto3's
managed multipart transfer. Works with AWS S3 and S3-compatible stores
(MinIO, Ceph RGW, Garage, SeaweedFS; the tests run s3rver on loopback).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from issuer.storage import CHUNK
from issuer.storage import MissingObject
from issuer.storage import check_key
from issuer.storage.locks import Locks

#: Objects larger than this go up in parts (S3's smallest part is 5 MiB).
MULTIPART = 8 * 1024 * 1024


def _missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")


class S3Storage:
    """Objects in an S3-compatible bucket."""

    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str, *, locks: Locks) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._locks = locks

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None, region: str | None,
                 locks: Locks) -> S3Storage:
        """A backend for ``s3://bucket[/prefix]``.

        Raises:
            ValueError: the URL is not ``s3://`` with a bucket.
        """
        import boto3
        from botocore.config import Config

        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError("BADGES_STORAGE_URL must be 'local' or s3://<bucket>[/<prefix>]")
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"},
                        retries={"max_attempts": 4, "mode": "standard"},
                        connect_timeout=5, read_timeout=30, max_pool_connections=32)
        client = boto3.client("s3", endpoint_url=endpoint_url,
                              region_name=region or "us-east-1", config=config)
        return cls(client, parts.netloc, parts.path, locks=locks)

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        """One PutObject (multipart above :data:`MULTIPART`)."""
        name = self._name(key)
        if len(data) <= MULTIPART:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data)
            return
        from boto3.s3.transfer import TransferConfig

        self.client.upload_fileobj(io.BytesIO(data), self.bucket, name, Config=TransferConfig(
            multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART))

    def put_file(self, key: str, path: Path) -> None:
        """boto3's managed upload (multipart above :data:`MULTIPART`, parts read from disk)."""
        from boto3.s3.transfer import TransferConfig

        self.client.upload_file(str(path), self.bucket, self._name(key), Config=TransferConfig(
            multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART))

    def _object(self, key: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            if _missing(exc):
                raise MissingObject(key) from None
            raise

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        body = self._object(key)["Body"]
        with body:
            data: bytes = body.read()
        return data

    def stream(self, key: str) -> Iterator[bytes]:
        """The object in chunks, read from the open GetObject response."""
        body = self._object(key)["Body"]

        def chunks() -> Iterator[bytes]:
            with body:
                yield from body.iter_chunks(CHUNK)

        return chunks()

    def size(self, key: str) -> int:
        """HeadObject's length."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            if _missing(exc):
                raise MissingObject(key) from None
            raise
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        """HeadObject answers."""
        try:
            self.size(key)
        except MissingObject:
            return False
        return True

    def keys(self, prefix: str) -> list[str]:
        """ListObjectsV2 under ``prefix/``, without the bucket prefix."""
        start = self._name(prefix) + "/"
        strip = len(self.prefix) + 1 if self.prefix else 0
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start):
            found += [item["Key"][strip:] for item in page.get("Contents", ())]
        return sorted(found)

    def delete(self, key: str) -> None:
        """DeleteObject."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def delete_prefix(self, prefix: str) -> None:
        """DeleteObjects, a thousand keys at a time."""
        names = [self._name(k) for k in self.keys(prefix)]
        for start in range(0, len(names), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": n} for n in names[start:start + 1000]], "Quiet": True})

    def lock(self, name: str) -> AbstractContextManager[None]:
        """The shared lock (PostgreSQL advisory lock, see :mod:`issuer.storage.locks`)."""
        return self._locks(f"storage:{self.bucket}/{self.prefix}:{name}")

    def check(self) -> None:
        """HeadBucket answers."""
        self.client.head_bucket(Bucket=self.bucket)
