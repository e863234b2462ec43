"""What the wallet protocol blueprints share (OpenID4VCI, VC-API exchange).

:mod:`issuer.web.oid4vci` and :mod:`issuer.web.vcapi` answer wallet apps.

Wallets are not browsers: their answers are JSON that no cache keeps
(RFC 6749 §5.1 ``Cache-Control: no-store``), open to any origin (no cookies are
used), and their requests are counted per client address against a
:class:`issuer.workflow.throttle.Limit` (429 with ``Retry-After``, RFC 6585 §4).
"""

from __future__ import annotations

from flask import Response
from flask import jsonify
from flask import request

from issuer.web.auth import client_address
from issuer.web.common import now
from issuer.web.common import session
from issuer.workflow import throttle


def no_store_json(body: object, status: int = 200) -> Response:
    """``body`` as JSON with ``status``, never cached."""
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def open_to_wallets(response: Response, *, allow_headers: str) -> Response:
    """Let browser-based wallets call from any origin; answer preflights (Fetch §3.2).

    Args:
        response: the answer to add the CORS headers to.
        allow_headers: the request headers a preflight may name.
    """
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def held_back(limit: throttle.Limit) -> int | None:
    """Count this request against ``limit`` for its client address.

    The count is committed whatever the outcome (the handler may roll back).

    Returns:
        ``None`` when the request may go on; the wait in seconds when it is held back.
    """
    db = session()
    try:
        throttle.hold(db, limit, client_address(), now=now())
    except throttle.Throttled as exc:
        db.rollback()
        return exc.seconds
    db.commit()
    return None


def too_many(body: object, seconds: int) -> Response:
    """The JSON 429 answer to a held-back client, with ``Retry-After`` (RFC 6585 §4)."""
    response = no_store_json(body, 429)
    response.headers["Retry-After"] = str(seconds)
    return response
