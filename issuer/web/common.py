"""Request helpers: the per-request session, settings, time and content negotiation."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

import sqlalchemy.orm as so
from flask import current_app
from flask import g
from flask import request

from issuer.config import Settings
from issuer.services.errors import ServiceError
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


_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def download_stem(achievement_name: str, teacher: str) -> str:
    """A download's file name without extension: ``<achievement> - <teacher>``.

    Named for people (what they will look for in their downloads folder),
    not by the internal slug; characters file systems or headers refuse are
    dropped, and the name is kept under 120 characters.
    """
    stem = f"{achievement_name} - {teacher}"
    stem = " ".join(_UNSAFE_IN_NAMES.sub(" ", stem).split())
    return stem[:120].strip(" .-") or "badge"


def content_disposition(disposition: str, filename: str) -> str:
    """A ``Content-Disposition`` value with an ASCII fallback and the UTF-8 name (RFC 6266 §4.3).

    Args:
        disposition: ``inline`` or ``attachment``.
        filename: the file name, any Unicode (``download_stem`` + extension).
    """
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = fallback.replace('"', "").replace("\\", "") or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def form_problems(error: ServiceError | None) -> dict[str, Any]:
    """What an authoring form shows for a refused save: each problem beside its field.

    Returns:
        ``problems`` (the list, for the summary), ``errors`` (problems by
        field) and ``message`` (the error's sentence when it lists no
        problems, e.g. a 409), as template values.
    """
    problems = error.problems if error is not None else []
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p["field"], []).append(p["problem"])
    return {"problems": problems, "errors": errors,
            "message": error.message if error is not None and not problems else None}
