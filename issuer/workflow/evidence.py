"""The private evidence store: type and size checks, safe names, content-addressed files.

Files are ``evidence/<aa>/<sha256>`` in the service's storage (the instance
folder or S3-compatible object storage, :mod:`issuer.storage`); the name a teacher's
computer gave a file is kept only as metadata (checked, never used as a
path). The type is decided from the file's first bytes, not its name or the
browser's claim, and must agree with the extension: PDF, PNG, JPEG, Word
(DOCX) and OpenDocument text (ODT) documents, and plain UTF-8 text.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from issuer.services.errors import ServiceError
from issuer.storage import MissingObject
from issuer.storage import Storage
from issuer.storage import stream_once

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
}
ACCEPTED = "PDF, PNG, JPEG, Word (.docx), OpenDocument text (.odt) or plain text (.txt)"
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"
_MAX_NAME = 150
FOLDER = "evidence"


def _unsafe(message: str) -> ServiceError:
    return ServiceError(message, code="unsafe_filename")


def check_filename(name: str | None) -> str:
    """A file's display name, refused when it tries to be a path.

    Args:
        name: the name the browser sent.

    Returns:
        The name, NFC-normalized.

    Raises:
        ServiceError: ``unsafe_filename`` for folder parts, ``..``, control
            characters, hidden (dot) names, or over-long names.
    """
    if not name or not name.strip():
        raise _unsafe("choose a file to upload")
    cleaned = unicodedata.normalize("NFC", name.strip())
    if "/" in cleaned or "\\" in cleaned or ".." in cleaned:
        raise _unsafe(f"the file name {name!r} contains folder parts ('/', '\\' or '..'): "
                      "rename the file and upload it again")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in cleaned) or ":" in cleaned:
        raise _unsafe("the file name contains control characters or ':': rename the file")
    if cleaned.startswith("."):
        raise _unsafe("the file name starts with a dot: rename the file")
    if len(cleaned) > _MAX_NAME:
        raise _unsafe(f"the file name is longer than {_MAX_NAME} characters: rename the file")
    return cleaned


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        return set()


def sniff(data: bytes) -> str | None:
    """The media type the content really has (among the accepted ones), or None."""
    if data.startswith(b"%PDF-"):
        return MEDIA_TYPES[".pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MEDIA_TYPES[".png"]
    if data.startswith(b"\xff\xd8\xff"):
        return MEDIA_TYPES[".jpg"]
    if data.startswith(b"PK\x03\x04"):
        if data[30:30 + len(_ODT_MIMETYPE)] == _ODT_MIMETYPE:
            return MEDIA_TYPES[".odt"]
        names = _zip_names(data)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return MEDIA_TYPES[".docx"]
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t\f" for c in text):
        return None
    return MEDIA_TYPES[".txt"]


def check_content(filename: str, data: bytes, *, max_bytes: int) -> str:
    """The media type of an upload after the size, type and extension checks.

    Raises:
        ServiceError: ``empty_file``, ``file_too_large`` (413),
            ``unsupported_type`` (415), ``type_mismatch`` (415).
    """
    if not data:
        raise ServiceError("the file is empty", code="empty_file")
    if len(data) > max_bytes:
        raise ServiceError(f"the file is larger than the limit of {describe_size(max_bytes)}",
                           code="file_too_large", status=413)
    extension = os.path.splitext(filename)[1].lower()
    expected = MEDIA_TYPES.get(extension)
    if expected is None:
        raise ServiceError(f"files of this type ({extension or 'no extension'}) are not "
                           f"accepted: upload {ACCEPTED}", code="unsupported_type", status=415)
    actual = sniff(data)
    if actual != expected:
        raise ServiceError(f"the file's content is not a {extension} file: upload {ACCEPTED}",
                           code="type_mismatch", status=415)
    return actual


def describe_size(size: int) -> str:
    """A size for people: ``10 MB``, ``512 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} KB"


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes (one more tells that the file is too large)."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = stream.read(min(65536, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class EvidenceStore:
    """Content-addressed private files, ``evidence/<aa>/<sha256>`` in the service's storage.

    The storage (:mod:`issuer.storage`) is the instance folder or S3-compatible
    object storage; either way the files are never under a public URL.
    """

    storage: Storage

    @staticmethod
    def key(sha256: str) -> str:
        """The storage key of the file with this digest."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{FOLDER}/{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        """Store ``data`` (once: the key is its digest); returns its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.storage.exists(self.key(digest)):
            self.storage.put(self.key(digest), data)
        return digest

    def _missing(self) -> ServiceError:
        return ServiceError("the file is missing from the evidence store",
                            code="missing_file", status=404)

    def read(self, sha256: str) -> bytes:
        """The stored bytes.

        Raises:
            ServiceError: ``missing_file`` (404) when the file is not in the store.
        """
        try:
            return self.storage.get(self.key(sha256))
        except (MissingObject, ValueError):
            raise self._missing() from None

    def open(self, sha256: str) -> Iterator[bytes]:
        """The stored bytes in chunks, for a streamed download.

        Raises:
            ServiceError: ``missing_file`` (404) when the file is not in the store.
        """
        try:
            return stream_once(self.storage, self.key(sha256))
        except (MissingObject, ValueError):
            raise self._missing() from None
