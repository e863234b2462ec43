"""The SQL one award sends, pinned, on SQLite and PostgreSQL (issue #21: award p99).

Every statement is a round trip to the database server and a share of the
award's CPU, so the count is fixed here: a change that adds one fails
this test and has to say why. ``BEGIN``, ``COMMIT`` and the pool's
connection check are not statements of the award and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from issuer.db import Database
from issuer.services import issuance
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import NOW

TOKEN = "test-token-lakeside"

#: A new recipient: the issuer, the achievement with its image's alt text, the current
#: key, the endorsements to embed, the open status list, the person by address; INSERT
#: the person, the address, the signed credential and the audit event; INSERT its entry.
NEW_RECIPIENT = 11
#: The same for someone already known: no person or address to insert.
KNOWN_RECIPIENT = NEW_RECIPIENT - 2
#: Over the API the token and its issuer are read in one query instead of the issuer's.
API_NEW_RECIPIENT = NEW_RECIPIENT


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _award(database: Database, ctx: IssuerContext, email: str, fmt: str) -> None:
    with database.session() as session:
        issuance.award(session, ctx, issuer="lakeside", achievement="blended-learning-design",
                       email=email, name="Teacher", actor="test", now=NOW,
                       fmt=fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_statements_per_award(database: Database, ctx: IssuerContext, fmt: str) -> None:
    with database.session() as session:
        seed.district(session, ctx)
    _award(database, ctx, "first@lakeside.example.org", fmt)  # the status list is opened
    with statements(database.engine) as new:
        _award(database, ctx, "new@lakeside.example.org", fmt)
    assert len(new) == NEW_RECIPIENT, "\n".join(new)
    with statements(database.engine) as known:
        _award(database, ctx, "new@lakeside.example.org", fmt)
    assert len(known) == KNOWN_RECIPIENT, "\n".join(known)


def test_statements_per_api_award(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    seed.districts_with_tokens(app, TOKEN, "test-token-elsewhere")
    client = app.test_client()
    database: Database = app.extensions["badges"]["db"]

    def award(email: str) -> None:
        answer = client.post("/api/v1/issuers/lakeside/awards",
                             headers={"Authorization": f"Bearer {TOKEN}"},
                             json={"achievement": "blended-learning-design", "email": email,
                                   "name": "Teacher"})
        assert answer.status_code == 201, answer.get_json()

    award("first@lakeside.example.org")
    with statements(database.engine) as sent:
        award("new@lakeside.example.org")
    assert len(sent) == API_NEW_RECIPIENT, "\n".join(sent)
