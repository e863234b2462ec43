"""The local-folder storage backend: objects as files under the instance folder."""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from issuer.storage import CHUNK
from issuer.storage import MissingObject
from issuer.storage import check_key


class LocalStorage:
    """Objects as files under ``root`` (``<root>/<key>``), written atomically, owner-only."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of ``key``."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        """Write to a temporary name beside the file, then rename it into place."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def put_file(self, key: str, path: Path) -> None:
        """Copy the file beside the target, then rename it into place."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            shutil.copyfile(path, temp)
            os.chmod(temp, 0o600)
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The file's bytes."""
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingObject(key) from None

    def stream(self, key: str) -> Iterator[bytes]:
        """The file in chunks."""
        try:
            handle = self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingObject(key) from None

        def chunks() -> Iterator[bytes]:
            with handle:
                while block := handle.read(CHUNK):
                    yield block

        return chunks()

    def size(self, key: str) -> int:
        """The file's size."""
        path = self.path(key)
        if not path.is_file():
            raise MissingObject(key)
        return path.stat().st_size

    def exists(self, key: str) -> bool:
        """True when the file exists."""
        return self.path(key).is_file()

    def keys(self, prefix: str) -> list[str]:
        """Every file under ``prefix/`` (temporary and hidden files left out)."""
        folder = self.path(prefix)
        if not folder.is_dir():
            return []
        found = []
        for path in folder.rglob("*"):
            relative = path.relative_to(self.root)
            if path.is_file() and not any(p.startswith(".") for p in relative.parts):
                found.append(relative.as_posix())
        return sorted(found)

    def delete(self, key: str) -> None:
        """Remove the file."""
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file under ``prefix/`` (empty folders stay)."""
        for key in self.keys(prefix):
            self.delete(key)

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """An exclusive ``flock`` on ``<root>/.locks/<hash>`` (every process of this machine)."""
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        digest = hashlib.sha256(name.encode()).hexdigest()[:32]
        with (folder / digest).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def check(self) -> None:
        """The folder exists (or can be made) and is writable."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise OSError(f"the storage folder {self.root} is not writable")
