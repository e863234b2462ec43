"""Error answers: a page in the site's layout and the reader's language, or JSON for programs.

A browser (``Accept`` prefers ``text/html``) gets an HTML page in English or
Spanish (``?lang=`` or ``Accept-Language``) that says what happened and what
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
from verifier.i18n import LANGUAGE_NAMES
from verifier.i18n import choose_language

_log = logging.getLogger(__name__)

#: The texts of the error pages, per language; ``{seconds}`` is the wait of a 429.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "error": "Error",
        "home": "Go to the home page",
        "verify": "Check a badge in the verifier",
        "details": "What the server said",
        "not_found_title": "Page not found",
        "not_found": "There is nothing at this address. The link may be mistyped, cut short "
                     "or out of date.",
        "not_found_next": "Check the address, or start again from the home page.",
        "credential_title": "This badge link does not exist",
        "credential": "No badge is shared at this address. The link may have been copied "
                      "only in part.",
        "credential_next": "Check that the whole link was copied, or ask the teacher who "
                           "earned the badge for a new link.",
        "link_off_title": "This badge link was turned off",
        "link_off": "The teacher who owns this badge turned its share link off, so it can no "
                    "longer be seen here. This does not say anything about the badge itself.",
        "link_off_next": "Ask the teacher for a new link, or for the badge file or PDF "
                         "certificate, which you can check in the verifier.",
        "rate_title": "Too many requests",
        "rate": "This address sent too many requests in a short time.",
        "rate_next": "Please wait {seconds} seconds, then try again.",
        "rate_next_soon": "Please wait a few minutes, then try again.",
        "server_title": "Something went wrong on our side",
        "server": "The service could not answer this request. Nothing you did caused it.",
        "server_next": "Try again in a few minutes. If it keeps happening, tell your "
                       "district's badge administrator.",
        "withheld_revoked_title": "This badge was revoked: it has no certificate",
        "withheld_suspended_title": "This badge is suspended: no certificate for now",
        "withheld": "A certificate is a printable copy of a valid badge, so none is made for a "
                    "badge its issuer withdrew.",
        "withheld_next": "See the badge's current status on its page or in the verifier.",
        "image_revoked_title": "This badge was revoked: its image is not offered",
        "image_suspended_title": "This badge is suspended: its image is not offered for now",
        "image_withheld": "A badge image carries the badge to post or print, so none is "
                          "offered for a badge its issuer withdrew.",
        "other_title": "This request could not be completed",
        "other_next": "Go back and try again, or start again from the home page.",
    },
    "es": {
        "error": "Error",
        "home": "Ir a la página principal",
        "verify": "Comprobar una insignia en el verificador",
        "details": "Lo que respondió el servidor",
        "not_found_title": "Página no encontrada",
        "not_found": "No hay nada en esta dirección. Puede que el enlace esté mal escrito, "
                     "cortado o desactualizado.",
        "not_found_next": "Revise la dirección o vuelva a empezar desde la página principal.",
        "credential_title": "Este enlace de insignia no existe",
        "credential": "No se comparte ninguna insignia en esta dirección. Puede que el enlace "
                      "se haya copiado solo en parte.",
        "credential_next": "Compruebe que se copió el enlace completo o pida al docente que "
                           "obtuvo la insignia un enlace nuevo.",
        "link_off_title": "Este enlace de insignia fue desactivado",
        "link_off": "El docente al que pertenece esta insignia desactivó su enlace para "
                    "compartir, así que ya no se puede ver aquí. Esto no dice nada sobre la "
                    "insignia en sí.",
        "link_off_next": "Pida al docente un enlace nuevo, o el archivo de la insignia o el "
                         "certificado en PDF, que puede comprobar en el verificador.",
        "rate_title": "Demasiadas solicitudes",
        "rate": "Esta dirección envió demasiadas solicitudes en poco tiempo.",
        "rate_next": "Espere {seconds} segundos y vuelva a intentarlo.",
        "rate_next_soon": "Espere unos minutos y vuelva a intentarlo.",
        "server_title": "Algo falló por nuestra parte",
        "server": "El servicio no pudo responder a esta solicitud. No es culpa de nada que "
                  "usted hiciera.",
        "server_next": "Vuelva a intentarlo en unos minutos. Si sigue ocurriendo, avise al "
                       "administrador de insignias de su distrito.",
        "withheld_revoked_title": "Esta insignia fue revocada: no tiene certificado",
        "withheld_suspended_title": "Esta insignia está suspendida: por ahora no hay "
                                    "certificado",
        "withheld": "Un certificado es una copia imprimible de una insignia válida, así que no "
                    "se emite para una insignia que su emisor retiró.",
        "withheld_next": "Consulte el estado actual de la insignia en su página o en el "
                         "verificador.",
        "image_revoked_title": "Esta insignia fue revocada: su imagen ya no se ofrece",
        "image_suspended_title": "Esta insignia está suspendida: por ahora su imagen no se "
                                 "ofrece",
        "image_withheld": "La imagen de una insignia la lleva consigo para publicarla o "
                          "imprimirla, así que no se ofrece para una insignia que su emisor "
                          "retiró.",
        "other_title": "No se pudo completar esta solicitud",
        "other_next": "Vuelva atrás e inténtelo de nuevo, o empiece desde la página principal.",
    },
}

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
    text = TEXT.get(lang, TEXT["en"])
    if code.startswith("certificate_withheld_"):
        title = text["withheld_revoked_title" if code.endswith("revoked")
                     else "withheld_suspended_title"]
        return ErrorPage(title, text["withheld"], text["withheld_next"], message)
    if code.startswith("image_withheld_"):
        title = text["image_revoked_title" if code.endswith("revoked")
                     else "image_suspended_title"]
        return ErrorPage(title, text["image_withheld"], text["withheld_next"], message)
    key = "server" if status >= 500 else \
        _PAGES_BY_CODE.get(code) or _PAGES_BY_STATUS.get(status)
    if key is None:
        return ErrorPage(text["other_title"], message, text["other_next"])
    if key == "rate":
        step = text["rate_next"].format(seconds=retry_after) if retry_after \
            else text["rate_next_soon"]
        return ErrorPage(text["rate_title"], text["rate"], step)
    details = message if key == "not_found" and code != "not_found" else None
    return ErrorPage(text[f"{key}_title"], text[key], text[f"{key}_next"], details)


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
        lang = choose_language(request.args.get("lang"), request.accept_languages)
        page = describe(status=status, code=code, message=message, lang=lang,
                        retry_after=_retry_after(headers))
        try:
            html = render_template("errors/error.html", page=page, status=status, lang=lang,
                                   t=TEXT[lang], languages=LANGUAGE_NAMES)
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
