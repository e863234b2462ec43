"""Uploads: size, type and name checks with clear messages; saved evidence survives interruption."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.models_workflow import EvidenceItem
from issuer.storage import storage_for
from issuer.storage.local import LocalStorage
from issuer.workflow import evidence
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_flow import PDF
from tests.issuer.workflow.test_flow import start

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def _upload(teacher: Browser, sub: str, name: str, data: bytes) -> tuple[int, str]:
    response = teacher.post(f"/submissions/{sub}/items", {
        "kind": "file", "title": "", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _items(app: Flask, sub: str) -> list[EvidenceItem]:
    with app.extensions["badges"]["db"].session() as session:
        return list(session.scalars(sa.select(EvidenceItem).where(
            EvidenceItem.submission_id == sub)))


@pytest.fixture
def draft(world: World, as_user: Callable[[str], Browser]) -> tuple[Browser, str]:
    teacher = as_user("teacher")
    return teacher, start(teacher, world.achievements["blended"])


BAD = [
    ("plan.pdf", PDF + b"x" * (64 * 1024), 413, "larger than the limit of 64 KB"),
    ("plan.exe", b"MZ\x90\x00", 415, "are not accepted"),
    ("plan.pdf", b"MZ\x90\x00 not a pdf", 415, "is not a .pdf file"),
    ("photo.png", JPEG, 415, "is not a .png file"),
    ("plan.docx", b"PK\x03\x04 broken zip", 415, "is not a .docx file"),
    ("notes.txt", b"binary\x00\x01\x02", 415, "is not a .txt file"),
    ("../../etc/passwd.txt", b"hello", 400, "folder parts"),
    ("..\\..\\boot.ini.txt", b"hello", 400, "folder parts"),
    ("/etc/passwd.pdf", PDF, 400, "folder parts"),
    ("C:evil.pdf", PDF, 400, "control characters or"),
    (".htaccess.txt", b"hello", 400, "starts with a dot"),
    ("plan\u202egpj.pdf", PDF, 400, "control characters"),
    ("empty.pdf", b"", 400, "empty"),
]


def test_bad_uploads_are_refused_with_a_clear_message(app: Flask,
                                                      draft: tuple[Browser, str]) -> None:
    teacher, sub = draft
    for name, data, status, message in BAD:
        got, page = _upload(teacher, sub, name, data)
        assert got == status, name
        assert message in page and "There is a problem" in page, name
    assert _items(app, sub) == []
    assert storage_for(app.extensions["badges"]["settings"]).keys("evidence") == []


GOOD = [
    ("plan.pdf", PDF, "application/pdf"), ("photo.PNG", PNG, "image/png"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("plan.docx", _docx(), evidence.MEDIA_TYPES[".docx"]),
    ("plan.odt", _odt(), evidence.MEDIA_TYPES[".odt"]),
    ("Réflexion finale.txt", "Bonjour, élèves\n".encode(), "text/plain"),
]


def test_accepted_files_go_to_the_private_store(app: Flask,
                                                draft: tuple[Browser, str]) -> None:
    teacher, sub = draft
    storage = storage_for(app.extensions["badges"]["settings"])
    assert isinstance(storage, LocalStorage)
    store = evidence.EvidenceStore(storage)
    for name, data, media_type in GOOD:
        assert _upload(teacher, sub, name, data)[0] == 303, name
        item = _items(app, sub)[-1]
        assert item.filename == name and item.file_sha256 is not None
        path = storage.path(store.key(item.file_sha256))
        assert path.read_bytes() == data and path.stat().st_mode & 0o077 == 0
        assert name not in str(path)
        download = teacher.get(f"/submissions/{sub}/items/{item.id}/file")
        assert download.status_code == 200 and download.data == data
        assert download.mimetype == media_type
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["Cache-Control"] == "private, no-store"
        assert "sandbox" in download.headers["Content-Security-Policy"]
    assert len(_items(app, sub)) == len(GOOD)


def test_request_over_the_server_limit_gets_a_clear_page(make_app: Callable[..., Flask],
                                                         world: World) -> None:
    del world
    app = make_app()
    app.config["MAX_CONTENT_LENGTH"] = 1024
    from tests.issuer.workflow.conftest import PEOPLE

    teacher = Browser(app.test_client())
    teacher.sign_in(PEOPLE["teacher"][1])
    response = teacher.post("/submissions/x/items", {
        "kind": "file", "file": (io.BytesIO(b"x" * 4096), "big.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_saved_evidence_survives_an_interrupted_submission(app: Flask, world: World,
                                                           as_user: Callable[[str], Browser]
                                                           ) -> None:
    teacher = as_user("teacher")
    sub = start(teacher, world.achievements["blended"])
    assert _upload(teacher, sub, "plan.pdf", PDF)[0] == 303
    assert teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "Half-written reflection", "action": "save"}).status_code == 303
    # the next upload fails half-way (too large), then submitting fails (a reflection is missing)
    assert _upload(teacher, sub, "huge.pdf", PDF + b"x" * 70_000)[0] == 413
    refused = teacher.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "Half-written reflection, now longer",
        "reflection-facilitation": "", "action": "submit"})
    assert refused.status_code == 400
    assert "Facilitation" in refused.get_data(as_text=True)
    # the tab is closed and the teacher comes back in a new session
    again = as_user("teacher")
    page = again.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "plan.pdf" in page and "Half-written reflection, now longer" in page
    kinds = sorted(i.kind.value for i in _items(app, sub))
    assert kinds == ["file", "reflection"]
    assert again.post(f"/submissions/{sub}/reflections", {
        "reflection-design": "Done.", "reflection-facilitation": "Done too.",
        "action": "submit"}).status_code == 303


def test_student_data_is_never_shared(app: Flask, draft: tuple[Browser, str]) -> None:
    teacher, sub = draft
    response = teacher.post(f"/submissions/{sub}/items", {
        "kind": "reflection", "title": "Work samples", "text": "Names...",
        "contains_student_data": "on", "share": "on"})
    assert response.status_code == 400
    assert "never shared" in response.get_data(as_text=True)
    assert _items(app, sub) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x",
                                 "https://user@example.org/", "not a link"])
def test_links_must_be_web_addresses(app: Flask, draft: tuple[Browser, str], url: str) -> None:
    teacher, sub = draft
    response = teacher.post(f"/submissions/{sub}/items", {"kind": "link", "title": "x",
                                                          "url": url})
    assert response.status_code == 400 and "web address" in response.get_data(as_text=True)
