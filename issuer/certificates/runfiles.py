"""The certificates of an award run in storage: a manifest, one PDF per credential, one ZIP.

``certificate-runs/<batch id>/`` in the service's storage (:mod:`issuer.storage`:
the instance folder, or S3-compatible object storage shared by every host) holds:

* ``manifest.json``: the current rendering (its id, state ``queued``,
  ``running``, ``done`` or ``failed``, paper, template, timestamps, and
  every credential with its state and file name);
* ``pdf/<rendering id>/<credential row id>.pdf``: each certificate once it is
  rendered (a crashed job that runs again skips these);
* ``certificates-<rendering id>.zip``: every PDF, once the rendering is done.

Every object is written whole (a reader never sees half a file); the
manifest is read and changed under the storage's lock for the run, shared by
every process that shares the storage (a PostgreSQL advisory lock with object
storage).
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import Literal

from issuer.storage import MissingObject
from issuer.storage import Storage

FOLDER = "certificate-runs"
MANIFEST = "manifest.json"
#: The longest teacher or achievement part of a file name in the ZIP (characters).
NAME_PART = 60

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

State = Literal["queued", "running", "done", "failed"]
ItemState = Literal["pending", "done", "failed", "revoked", "suspended"]


@dataclass(slots=True)
class Item:
    """One credential of the run, and what became of its certificate.

    Attributes:
        row_id: the stored credential's row id.
        credential_id: the credential's id (``urn:uuid:...``).
        file: its PDF's name in the ZIP.
        state: ``pending``, ``done``, ``failed``, or ``revoked`` / ``suspended``
            (skipped: no certificate for a withdrawn badge or one under inquiry).
        code: why it failed (an error code).
        message: why it failed, for people.
    """

    row_id: str
    credential_id: str
    file: str
    state: ItemState = "pending"
    code: str | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"rowId": self.row_id, "credentialId": self.credential_id, "file": self.file,
                "state": self.state, "code": self.code, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        """Read :meth:`to_json`'s form back."""
        return cls(str(data["rowId"]), str(data["credentialId"]), str(data["file"]),
                   data.get("state", "pending"), data.get("code"), data.get("message"))


def _plain(value: str) -> str:
    """An id fit for a file name (ids here are UUIDs).

    Raises:
        ValueError: anything else.
    """
    if not _ID.match(value):
        raise ValueError(f"not a plain id: {value[:80]!r}")
    return value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@dataclass(slots=True)
class Manifest:
    """One rendering of an award run's certificates: the job's working record.

    Attributes:
        id: the rendering's id (a new one for every forced start).
        batch_id: the award run.
        state: ``queued``, ``running``, ``done`` or ``failed``.
        paper: ``a4`` or ``letter``.
        template: the template's name.
        created_at: when it was asked for.
        started_at: when a job first started it.
        updated_at: the last time a job wrote progress.
        finished_at: when it was done or failed.
        error: why the job failed (not a single certificate).
        items: every credential, once a job listed them (None before).
        job_id: the last job queued for it.
        backend: that job's backend.
        owner: the job that holds it while it runs (``host:pid:token``); it proves
            it is alive by moving ``updated_at`` on, and only its writes count.
        recovered: how many times it was handed on because its job died.
    """

    id: str
    batch_id: str
    state: State
    paper: str
    template: str
    created_at: datetime
    started_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    items: list[Item] | None = None
    job_id: str | None = None
    backend: str | None = None
    owner: str | None = None
    recovered: int = 0

    def count(self, state: ItemState) -> int:
        """How many credentials are in ``state``."""
        return sum(1 for item in self.items or () if item.state == state)

    def summary(self) -> dict[str, Any]:
        """What the API and the progress page show: state, counts, failures and skipped ones."""
        items = self.items or []
        return {
            "id": self.id, "batchId": self.batch_id, "state": self.state,
            "paper": self.paper, "template": self.template,
            "total": len(items) if self.items is not None else None,
            "rendered": self.count("done"), "failed": self.count("failed"),
            "revoked": self.count("revoked"), "suspended": self.count("suspended"),
            "pending": self.count("pending"),
            "errors": [{"credentialId": i.credential_id, "code": i.code, "message": i.message}
                       for i in items if i.state == "failed"],
            "skipped": [{"credentialId": i.credential_id, "reason": i.state}
                        for i in items if i.state in ("revoked", "suspended")],
            "error": self.error, "createdAt": _iso(self.created_at),
            "startedAt": _iso(self.started_at), "updatedAt": _iso(self.updated_at),
            "finishedAt": _iso(self.finished_at)}

    def to_json(self) -> dict[str, Any]:
        """The manifest file's form: the summary, every item and the job."""
        return {"version": 1, **self.summary(), "jobId": self.job_id, "backend": self.backend,
                "owner": self.owner, "recovered": self.recovered,
                "items": [i.to_json() for i in self.items] if self.items is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Read :meth:`to_json`'s form back."""
        created = _time(data.get("createdAt"))
        assert created is not None, "a manifest has a creation time"
        items = data.get("items")
        return cls(
            id=str(data["id"]), batch_id=str(data["batchId"]), state=data["state"],
            paper=str(data["paper"]), template=str(data["template"]), created_at=created,
            started_at=_time(data.get("startedAt")), updated_at=_time(data.get("updatedAt")),
            finished_at=_time(data.get("finishedAt")), error=data.get("error"),
            items=[Item.from_json(i) for i in items] if isinstance(items, list) else None,
            job_id=data.get("jobId"), backend=data.get("backend"), owner=data.get("owner"),
            recovered=int(data.get("recovered") or 0))


@dataclass(frozen=True, slots=True)
class RunFolder:
    """Where one award run's certificates are kept.

    Attributes:
        storage: the service's storage.
        prefix: ``certificate-runs/<batch id>``.
    """

    storage: Storage
    prefix: str

    @property
    def manifest(self) -> str:
        """The manifest's key."""
        return f"{self.prefix}/{MANIFEST}"

    def pdf_dir(self, render_id: str) -> str:
        """The key prefix of one rendering's PDFs."""
        return f"{self.prefix}/pdf/{_plain(render_id)}"

    def pdf(self, render_id: str, item: Item) -> str:
        """One certificate's PDF's key."""
        return f"{self.pdf_dir(render_id)}/{_plain(item.row_id)}.pdf"

    def zip(self, render_id: str) -> str:
        """The key of one rendering's ZIP."""
        return f"{self.prefix}/certificates-{_plain(render_id)}.zip"


def folder(storage: Storage, batch_id: str) -> RunFolder:
    """The place of an award run's certificates (``batch_id`` must be a plain id)."""
    return RunFolder(storage, f"{FOLDER}/{_plain(batch_id)}")


def locked(run: RunFolder) -> AbstractContextManager[None]:
    """Hold the run's lock (every process sharing the storage waits for it)."""
    return run.storage.lock(run.prefix)


def read(run: RunFolder) -> Manifest | None:
    """The run's manifest, or None when no certificates were asked for (or it is unreadable)."""
    try:
        data = json.loads(run.storage.get(run.manifest))
        return Manifest.from_json(data)
    except (MissingObject, OSError, ValueError, KeyError, TypeError, AssertionError):
        return None


def write(run: RunFolder, manifest: Manifest) -> None:
    """Replace the manifest (call under :func:`locked`)."""
    run.storage.put(run.manifest, json.dumps(manifest.to_json(), indent=1,
                                             ensure_ascii=False).encode("utf-8"))


def discard_others(run: RunFolder, keep: str) -> None:
    """Remove the PDFs and ZIPs of every rendering but ``keep`` (call under :func:`locked`)."""
    kept = (run.pdf_dir(keep) + "/", run.zip(keep), run.manifest)
    for key in run.storage.keys(run.prefix):
        if not key.startswith(kept):
            run.storage.delete(key)


def rendered(run: RunFolder, render_id: str) -> set[str]:
    """The keys of the PDFs of a rendering that are stored."""
    return set(run.storage.keys(run.pdf_dir(render_id)))


def _part(text: str, fallback: str) -> str:
    """Letters and digits of ``text`` (any script), words joined by ``-``."""
    text = unicodedata.normalize("NFC", text)
    words, word = [], []
    for char in text:
        if char.isalnum():
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    joined = "-".join(words)[:NAME_PART].strip("-")
    return joined or fallback


def file_names(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """A safe, unique PDF name for each (teacher, achievement), in order.

    ``María López`` and ``Blended Learning Design`` give
    ``María-López_Blended-Learning-Design.pdf``; a name already taken (in any
    letter case) gets ``-2``, ``-3``... No name has a path separator, a dot
    other than the extension's, or a control character.
    """
    taken: set[str] = set()
    names = []
    for teacher, achievement in pairs:
        stem = f"{_part(teacher, 'teacher')}_{_part(achievement, 'certificate')}"
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        names.append(f"{name}.pdf")
    return names


def write_zip(run: RunFolder, manifest: Manifest) -> str:
    """Put every rendered PDF of ``manifest`` in its ZIP (built in a temporary file, then stored).

    Returns:
        The ZIP's key.

    Raises:
        MissingObject: a PDF is missing; OSError: the disk is full.
    """
    target = run.zip(manifest.id)
    with tempfile.TemporaryDirectory(prefix="badges-zip-") as scratch:
        path = Path(scratch) / "certificates.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=6) as archive:
            for item in manifest.items or ():
                if item.state == "done":
                    archive.writestr(item.file, run.storage.get(run.pdf(manifest.id, item)))
        run.storage.put_file(target, path)
    return target
