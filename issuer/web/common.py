"""Request helpers: the per-request session, settings, time and content negotiation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy.orm as so
from flask import current_app
from flask import g
from flask import request

from issuer.config import Settings
from issuer.services.issuance import IssuerContext


def settings() -> Settings:
    """The running app's settings."""
    value: Settings = current_app.extensions["badges"]["settings"]
    return value


def session() -> so.Session:
    """The request's database session (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["badges"]["db"].sessions()
    result: so.Session = g.db_session
    return result


def close_session() -> None:
    """Roll back anything uncommitted and close the request's session."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


def issuer_context() -> IssuerContext:
    """Base URL and key-encryption key for issuance."""
    s = settings()
    return IssuerContext(base_url=s.base_url, kek=s.key_encryption_key)


def now() -> datetime:
    """The current time, from the app's one clock (:attr:`Settings.clock`)."""
    return settings().clock()


def wants_json() -> bool:
    """True when the client prefers JSON(-LD) over HTML (content negotiation)."""
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/ld+json", "application/json", "application/did+ld+json"])
    return best is not None and best != "text/html"
