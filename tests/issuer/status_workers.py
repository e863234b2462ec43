"""Worker functions for the multi-process status tests (importable by spawned processes)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from issuer.db import Database
from issuer.services import issuance
from issuer.services import status
from issuer.services.context import IssuerContext


def revoke_chunk(db_url: str, refs: list[str]) -> int:
    """Revoke each credential in its own transaction, as concurrent admins would."""
    database = Database(db_url)
    try:
        for ref in refs:
            with database.session() as session:
                status.revoke(session, ref, reason="bulk test", public=False,
                              actor="worker", now=datetime.now(UTC))
        return len(refs)
    finally:
        database.dispose()


def award_chunk(db_url: str, base_url: str, kek: bytes, worker: int, count: int) -> list[str]:
    """Award ``count`` credentials, each in its own transaction."""
    database = Database(db_url)
    ctx = IssuerContext(base_url=base_url, kek=kek)
    ids = []
    try:
        for n in range(count):
            with database.session() as session:
                issued = issuance.award(
                    session, ctx, issuer="lakeside", achievement="blended-learning-design",
                    email=f"w{worker}-{n}@teachers.example.org", name=f"Teacher {worker}-{n}",
                    actor="worker", now=datetime.now(UTC))
                ids.append(issued.id)
        return ids
    finally:
        database.dispose()
