"""VC-API exchange endpoints for the Learner Credential Wallet (issue #19).

* ``GET /exchanges/<id>``: the interaction's ``protocols`` object (VC-API
  "Interactions"), for wallets that dereference an interaction URL;
* ``POST /exchanges/<id>``: participate in the exchange: ``{}`` gets the
  Verifiable Presentation Request (DIDAuth, challenge, domain); a DIDAuth
  presentation gets the holder-bound credential (see
  :mod:`issuer.services.vcapi`).

Public protocol endpoints (wallets are not browsers: no session, no CSRF, CORS
open); every refusal is the service's JSON error body
``{"error": {"code", "message"}}`` (VC-API leaves the error body to the service).
Participation is rate-limited per client address (:data:`LIMIT`, the
database-backed :mod:`issuer.workflow.throttle`): 429 with ``Retry-After`` and
the code ``too_many_requests`` (RFC 6585 §4). Every refused step is audited.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask import Response
from flask import request

from issuer.services import vcapi
from issuer.web import protocol
from issuer.web.auth import client_address
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.workflow import throttle

bp = Blueprint("vcapi", __name__)
#: A DIDAuth presentation is about 1 kB; JSON-LD processing of more is refused, not attempted.
MAX_BODY = 64 * 1024
#: Exchange steps per client address within 15 minutes (a claim takes two; a school's
#: network address may carry a whole staff room claiming at once).
LIMIT = throttle.Limit("vcapi_exchange", 240, timedelta(minutes=15), timedelta(minutes=5))


@bp.after_request
def _cors(response: Response) -> Response:
    """Browser-based wallets may call the exchange from any origin (no cookies are used)."""
    return protocol.open_to_wallets(response, allow_headers="Content-Type")


@bp.errorhandler(vcapi.ExchangeError)
def _exchange_error(exc: vcapi.ExchangeError) -> Response:
    exchange_id = (request.view_args or {}).get("exchange_id")
    if request.endpoint == "vcapi.participate" and request.method == "POST" \
            and not exc.audited and isinstance(exchange_id, str):
        db = session()
        db.rollback()  # what the refused step changed and did not commit is not kept
        vcapi.audit_refusal(db, exchange_id, exc, client=client_address(), now=now())
        db.commit()
    return protocol.no_store_json(exc.body(), exc.status)


@bp.before_request
def _throttle() -> Response | None:
    """Count each exchange step per client address; 429 when held back."""
    if request.endpoint != "vcapi.participate" or request.method != "POST":
        return None
    seconds = protocol.held_back(LIMIT)
    if seconds is None:
        return None
    return protocol.too_many(vcapi.ExchangeError(
        "too_many_requests", "too many requests from this address; retry later",
        status=429).body(), seconds)


@bp.get("/exchanges/<exchange_id>")
def interaction(exchange_id: str) -> Response:
    """The ``protocols`` of a live exchange (VC-API "Interactions")."""
    vcapi.check_live(session(), exchange_id, now=now())
    return protocol.no_store_json(vcapi.protocols(settings().base_url, exchange_id))


@bp.post("/exchanges/<exchange_id>")
def participate(exchange_id: str) -> Response:
    """One step of the exchange: the VPR, or the credential for a DIDAuth presentation."""
    if (request.content_length or 0) > MAX_BODY:
        raise vcapi.ExchangeError("too_large", f"the body may be at most {MAX_BODY} bytes",
                                  status=413)
    body = None
    if request.get_data(cache=True).strip():
        body = request.get_json(force=True, silent=True)
        if body is None:
            raise vcapi.ExchangeError("invalid_request", "the body must be JSON")
    db = session()
    try:
        answer = vcapi.participate(db, issuer_context(), exchange_id, body,
                                   secret=settings().secret_key, now=now())
    except vcapi.ExchangeError:
        db.commit()  # the refusal's audit record
        raise
    db.commit()
    return protocol.no_store_json(answer)
