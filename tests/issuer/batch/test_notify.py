"""E-mail notifications of a run, sent by jobs on both backends to a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from issuer.batch import notify
from issuer.batch import service
from issuer.db import Database
from issuer.models_batch import BatchRow
from tests.issuer.batch.conftest import Backend
from tests.issuer.batch.conftest import assert_exact
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.mark.usefixtures("district")
@pytest.mark.parametrize(("db_url", "backend"), [
    ("sqlite", "inprocess"), pytest.param("postgresql", "rq", marks=pytest.mark.rq)],
    indirect=True)
def test_each_recipient_gets_one_message_with_their_link(
        database: Database, backend: Backend, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    backend.configure(smtp_host="127.0.0.1", smtp_port=str(port),
                      mail_from="badges@lakeside.example.org")
    batch_id = make_batch(database, award_csv(24, bad_every=12), backend=backend.name,
                          chunk_size=10, notify=True)
    state = backend.run(batch_id)
    assert_exact(database, batch_id, issued=22, skipped=0, failed=2, credentials=22)
    assert state.notified == 22
    assert sorted(m["To"].split("<")[1].rstrip(">") for m in inbox.messages) == sorted(
        f"teacher{n}@lakeside.example.org" for n in range(24) if n % 12 != 11)
    with database.sessions() as session:
        batch = service.get(session, batch_id)
        rows = {r.email: r for r in service.report_rows(session, batch)}
        assert all(at is not None for _, at in notify.sent_at(session, batch))
    first = inbox.messages[0]
    to = first["To"].split("<")[1].rstrip(">")
    assert first["Subject"] == "You earned a badge: Blended Learning Design"
    assert rows[to].credential_id is not None
    share = rows[to].to_json("https://badges.test")["shareUrl"]
    assert share in first.get_payload(decode=True).decode()  # type: ignore[union-attr]

    # A crash after the messages of chunk 0 were sent but before they were marked:
    # resuming sends those again (at least once), and nothing else.
    with database.session() as session:
        session.execute(sa.update(BatchRow).where(BatchRow.batch_id == batch_id,
                                                  BatchRow.chunk == 0).values(notified_at=None))
        assert service.mark_resumed(session, service.get(session, batch_id), actor="t",
                                    now=datetime.now(UTC))
    backend.run(batch_id)
    assert len(inbox.messages) == 32

    # Sending again (a retried job) sends nothing: every message is marked sent.
    smtp_settings = notify.load_smtp(environ={}, overrides={
        "smtp_host": "127.0.0.1", "smtp_port": str(port)})
    assert smtp_settings is not None
    for chunk in range(3):
        again = notify.send_chunk(database, smtp_settings, batch_id=batch_id, chunk=chunk,
                                  base_url="https://badges.test")
        assert again == {"sent": 0, "refused": 0}
    assert len(inbox.messages) == 32
