"""The language of the service's pages, chosen once per request, worded by one catalogue.

Every page of the service (the public pages, the error pages and the pages of
each role) reads its words from ``verifier.i18n`` (the project's one message
catalogue) in the language chosen here: ``?lang=`` first, then, for a
signed-in person, the language they last chose (kept in their session
cookie, so the switch holds from page to page), then the browser's
``Accept-Language``, then English. Public pages never read the session
cookie when there is none, so they stay cacheable (``Vary: Accept-Language``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import session as cookie

from verifier.i18n import LANGUAGE_NAMES
from verifier.i18n import LANGUAGES
from verifier.i18n import Translator
from verifier.i18n import choose_language
from verifier.i18n import format_day


def page_language() -> str:
    """The language of this request's page (``en`` outside a request)."""
    if not has_request_context():
        return "en"
    if "page_lang" in g:
        found: str = g.page_lang
        return found
    requested = request.args.get("lang")
    signed_in = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    remembered = cookie.get("lang") if signed_in else None
    lang = choose_language(requested or (remembered if isinstance(remembered, str) else None),
                           request.accept_languages)
    if signed_in and requested and requested.strip().lower()[:2] == lang \
            and remembered != lang:
        cookie["lang"] = lang
    g.page_lang = lang
    return lang


def translator() -> Translator:
    """The words of this request's page."""
    return Translator(page_language())


def mail_translator(requested: str | None) -> Translator:
    """The words of an e-mail: in the language asked for (``requested``), else the page's.

    A message is written in its recipient's language when it is known: the
    language the sender chose for it, or the page's when the recipient is the
    person asking (a password reset, a wallet code).
    """
    if requested and requested.strip().lower()[:2] in LANGUAGES:
        return Translator(requested.strip().lower()[:2])
    return translator()


def language_url(code: str) -> str:
    """This page in language ``code``: the same path and query, with ``lang`` replaced."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    query.append(("lang", code))
    return f"{request.path}?{urlencode(query)}"


def day(moment: Any) -> str:
    """A date for people in the page's language: ``4 December 2026``, ``4 de diciembre``."""
    return format_day(moment, page_language()) if moment is not None else ""


def day_time(moment: Any) -> str:
    """A date and time for people (UTC, said by the page)."""
    return f"{day(moment)}, {moment:%H:%M}" if moment is not None else ""


def _context() -> dict[str, Any]:
    lang = page_language()
    return {"lang": lang, "t": Translator(lang), "languages": LANGUAGE_NAMES,
            "language_url": language_url}


def _mark(response: Response) -> Response:
    """Say the language of an HTML page, and that it depends on the browser's."""
    if "page_lang" in g and response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", g.page_lang)
        response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    """Give every template ``lang``, ``t``, ``languages``, ``language_url``; dates by language."""
    app.context_processor(_context)
    app.add_template_filter(day, "day")
    app.add_template_filter(day_time, "day_time")
    app.after_request(_mark)


__all__ = ["LANGUAGES", "day", "day_time", "init_app", "language_url", "mail_translator",
           "page_language", "translator"]
