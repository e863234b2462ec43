"""Error answers: a page in the site's layout and the reader's language, or JSON for programs.

A browser (``Accept`` prefers ``text/html``) gets an HTML page in English or
Spanish (the page language of ``issuer.web.language``; the words are the
``error_*`` texts of the one catalogue, ``verifier.i18n``) that says what happened and what
the reader can do next; an API client, anything under ``/api/``, or a client
that does not ask for HTML gets the JSON error object
``{"error": {"code", "message"}}``. HTTP headers the error carries
(``Allow`` on a 405, ``Retry-After`` on a 429) are kept either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import render_template
from flask import request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from issuer.services.errors import ServiceError
from issuer.web.language import page_language
from verifier.i18n import LANGUAGES
from verifier.i18n import Translator

_log = logging.getLogger(__name__)

#: Error codes of :class:`ServiceError` with a page of their own (the key prefix in TEXT).
_PAGES_BY_CODE = {"unknown_credential": "credential", "share_link_off": "link_off"}
_PAGES_BY_STATUS = {404: "not_found", 429: "rate", 500: "server"}


@dataclass(frozen=True, slots=True)
class ErrorPage:
    """What an error page says: a title, what happened, the next step, and details."""

    title: str
    message: str
    next_step: str
    details: str | None = None


def wants_html() -> bool:
    """True when the client asks for a web page: a browser, and never under ``/api/``.

    A client that accepts anything (``*/*``, or no ``Accept``) gets JSON, as
    the JSON API always answered; a browser lists ``text/html`` first.
    """
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _retry_after(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "retry-after" and value.strip().isdigit():
            return int(value)
    return None


def describe(*, status: int, code: str, message: str, lang: str,
             retry_after: int | None = None) -> ErrorPage:
    """The page for an error, in ``lang``.

    Args:
        status: the HTTP status.
        code: the error's stable code (``unknown_credential``, ``not_found``...).
        message: the error's own English sentence, shown as the detail when the
            page has no sentence of its own for the error.
        lang: ``en`` or ``es``.
        retry_after: seconds to wait, for a 429.
    """
    t = Translator(lang if lang in LANGUAGES else "en")
    if code.startswith("certificate_withheld_"):
        title = t("error_withheld_revoked_title" if code.endswith("revoked")
                  else "error_withheld_suspended_title")
        return ErrorPage(title, t("error_withheld"), t("error_withheld_next"), message)
    if code.startswith("image_withheld_"):
        title = t("error_image_revoked_title" if code.endswith("revoked")
                  else "error_image_suspended_title")
        return ErrorPage(title, t("error_image_withheld"), t("error_withheld_next"), message)
    key = "server" if status >= 500 else \
        _PAGES_BY_CODE.get(code) or _PAGES_BY_STATUS.get(status)
    if key is None:
        return ErrorPage(t("error_other_title"), message, t("error_other_next"))
    if key == "rate":
        step = t("error_rate_next", seconds=retry_after) if retry_after \
            else t("error_rate_next_soon")
        return ErrorPage(t("error_rate_title"), t("error_rate"), step)
    details = message if key == "not_found" and code != "not_found" else None
    return ErrorPage(t(f"error_{key}_title"), t(f"error_{key}"), t(f"error_{key}_next"),
                     details)


def error_response(*, status: int, code: str, message: str,
                   headers: list[tuple[str, str]] | None = None,
                   problems: list[dict[str, str]] | None = None) -> Response:
    """The answer to an error: a page for a browser, JSON otherwise.

    Args:
        status: the HTTP status.
        code: the stable error code of the JSON answer.
        message: the English sentence of the JSON answer.
        headers: HTTP headers the error carries (``Allow``, ``Retry-After``...).
        problems: each problem of a refused document, by field (JSON ``problems``).
    """
    headers = [(n, v) for n, v in headers or [] if n.lower() != "content-type"]
    if problems and wants_html():
        message = message + " " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
    if wants_html():
        lang = page_language()
        page = describe(status=status, code=code, message=message, lang=lang,
                        retry_after=_retry_after(headers))
        try:
            html = render_template("errors/error.html", page=page, status=status)
        except Exception:  # the layout needs the database: say it plainly without it
            _log.exception("the error page could not be rendered")
            html = _plain_page(page, lang)
        response = Response(html, status=status, mimetype="text/html")
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = "Accept, Accept-Language"
        response.headers["Cache-Control"] = "no-store"
    else:
        error: dict[str, object] = {"code": code, "message": message}
        if problems:
            error["problems"] = problems
        response = jsonify(error=error)
        response.status_code = status
        response.headers["Vary"] = "Accept"
    for name, value in headers:
        response.headers[name] = value
    return response


def _plain_page(page: ErrorPage, lang: str) -> str:
    """The error page without the site's layout (when the layout itself fails)."""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(page.title)}</title></head><body><main>"
            f"<h1>{escape(page.title)}</h1><p>{escape(page.message)}</p>"
            f"<p>{escape(page.next_step)}</p></main></body></html>")


def _service_error(exc: ServiceError) -> Response:
    return error_response(status=exc.status, code=exc.code, message=exc.message,
                          problems=exc.problems)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        original: Any = getattr(exc, "original_exception", None)
        if original is not None:
            _log.error("unhandled error on %s %s", request.method, request.path,
                       exc_info=original)
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(status=status, code=code, message=exc.description or exc.name,
                          headers=list(exc.get_headers()))


def init_app(app: Flask) -> None:
    """Answer :class:`ServiceError` and HTTP errors (404, 405, 429, 500...) app-wide."""
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
