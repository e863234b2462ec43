"""``POST /api/v1/verify`` with a JSON credential, answered without Flask's request machinery.

Verifying a credential costs about half a millisecond of CPU; Flask's request
context, routing, hooks and response object cost about 0.2 ms more, which is a
quarter of what a busy verifier spends per request (measured with
``bench/verify_load.py``; see the README). This WSGI middleware answers the one
request that hiring schools and applicant-tracking systems send in bulk, a JSON
credential posted to the API with no query, with the same functions as the
Flask view (:func:`verifier.web.verify_submission`, :func:`verifier.web.api_payload`,
the same rate limit, the same 429s, the same headers); every other request, and
any such request with a query (``?receipt=true``...), a form, a body without a
``Content-Length`` or larger than the upload limit, goes to Flask unchanged.
``tests/verifier/test_fastpath.py`` sends the same requests both ways and
compares status, headers and bodies.

The standalone verifier (:func:`verifier.create_app`) installs it inside
``ProxyFix``, so the client address it rate-limits is the one Flask would see.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask import Response
from werkzeug.exceptions import InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from verifier.admission import Busy
from verifier.intake import Submission
from verifier.ratelimit import RateLimited
from verifier.web import API_HEADERS
from verifier.web import JSON_TYPES
from verifier.web import SAFETY_HEADERS
from verifier.web import VerifierState
from verifier.web import api_payload
from verifier.web import json_bytes
from verifier.web import refusal
from verifier.web import verify_submission

#: The path answered here (relative to where the app is mounted).
PATH = "/api/v1/verify"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _status_line(status: int) -> str:
    """The status line werkzeug writes (``422 UNPROCESSABLE ENTITY``)."""
    return f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN').upper()}"


class VerifyFastPath:
    """WSGI middleware answering plain JSON verifications before Flask does.

    Args:
        app: the verifier's Flask app (its ``verifier`` extension and logger are used).
        inner: the WSGI application everything else goes to (``app.wsgi_app``).
    """

    def __init__(self, app: Flask, inner: WsgiApp) -> None:
        self.app = app
        self.inner = inner

    def _state(self) -> VerifierState:
        state: VerifierState = self.app.extensions["verifier"]
        return state

    def _length(self, environ: dict[str, Any]) -> int | None:
        """The body length when this request is one to answer here, else None."""
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST" \
                or environ.get("QUERY_STRING") or environ.get("HTTP_TRANSFER_ENCODING"):
            return None
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        length = environ.get("CONTENT_LENGTH", "")
        if mimetype not in JSON_TYPES or not length.isdigit() or not length.isascii():
            return None
        size = int(length)
        return size if size <= self._state().settings.max_upload_bytes else None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse,
                 ) -> Iterable[bytes]:
        """Answer the request here, or hand it to ``inner`` (see the module)."""
        length = self._length(environ)
        if length is None:
            return self.inner(environ, start_response)
        state = self._state()
        headers = [*SAFETY_HEADERS, *API_HEADERS]
        try:
            state.take("verification", environ.get("REMOTE_ADDR"))
            submission = Submission(environ["wsgi.input"].read(length), "api")
            report, status = verify_submission(state, submission, None)
            body = json_bytes(api_payload(report, submission))
        except (RateLimited, Busy) as exc:
            payload, _ = refusal(exc)
            status, body = 429, json_bytes(payload)
            headers.append(("Retry-After", str(exc.retry_after)))
        except Exception:  # noqa: BLE001 - answered as Flask answers an unexpected error
            self.app.logger.exception("Exception on %s [POST] (fast path)", PATH)
            with self.app.app_context():  # the app's JSON, as its error handler writes it
                response = self.app.json.response(error={
                    "code": "internal_server_error",
                    "message": InternalServerError.description})
            body = response.get_data() if isinstance(response, Response) else b""
            status = 500
        start_response(_status_line(status), [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            *headers])
        return [body]
