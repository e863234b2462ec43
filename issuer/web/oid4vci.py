"""OpenID4VCI 1.0 issuer endpoints (pre-authorized code flow) and the wallet's offer page.

Public protocol endpoints (no session, no CSRF: wallets are not browsers):

* ``GET /.well-known/openid-credential-issuer``: Credential Issuer Metadata (§12.2);
* ``GET /.well-known/oauth-authorization-server``: RFC 8414 metadata (§12.3);
* ``GET /oid4vci/offers/<code>``: an offer by reference (§4.1.3);
* ``POST /oid4vci/token``: the token endpoint (§6, form-encoded; both grants);
* ``POST /oid4vci/nonce``: the nonce endpoint (§7);
* ``POST /oid4vci/credential``: the credential endpoint (§8, Bearer token, key proof).

Every error is an OAuth/OpenID4VCI JSON error body (RFC 6749 §5.2, OpenID4VCI
§8.3.1.2), never a 500 page. The signed-in teacher's
``POST /wallet/<id>/claim`` makes a single-use, expiring offer for one
award and shows its QR code and ``openid-credential-offer://`` link, the
Learner Credential Wallet's deep links to the offer's VC-API exchange and the
CHAPI offer (:mod:`issuer.web.vcapi`). ``GET``/``POST /oid4vci/authorize`` is
the authorization endpoint of the authorization code flow (§5.1): the teacher
signs in if needed, picks a badge and allows or denies
(:mod:`issuer.services.oid4vci_code`).

The token, nonce, credential and authorization endpoints are rate-limited per
client address (:data:`LIMITS`, the database-backed
:mod:`issuer.workflow.throttle`): a held-back wallet gets 429 with
``Retry-After`` and an OAuth error body (RFC 6749 §5.2 shape; RFC 6585 §4),
a held-back browser an HTML page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue

from issuer.certificates import qr
from issuer.models import IssuedCredential
from issuer.services import audit
from issuer.services import obapi
from issuer.services import oid4vci
from issuer.services import oid4vci_code
from issuer.services import vcapi
from issuer.services.errors import ServiceError
from issuer.web import protocol
from issuer.web.auth import client_address
from issuer.web.auth import deliver_mail
from issuer.web.auth import error_page
from issuer.web.auth import protect
from issuer.web.auth import viewer
from issuer.web.auth import workflow_settings
from issuer.web.common import issuer_context
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.language import mail_translator
from issuer.web.language import translator
from issuer.workflow import notifications
from issuer.workflow import throttle
from issuer.workflow.access import NotVisible

bp = Blueprint("oid4vci", __name__)
wallet_bp = Blueprint("oid4vci_wallet", __name__)
protect(wallet_bp)

_WINDOW, _COOLDOWN = timedelta(minutes=15), timedelta(minutes=5)
_AUTHORIZE = throttle.Limit("oid4vci_authorize", 60, _WINDOW, _COOLDOWN)
#: Requests per client address to each endpoint within 15 minutes. One claim is a
#: token, a nonce and a credential request; a school's network address may carry
#: a whole staff room claiming at once, so the limits stop floods, not teachers.
LIMITS = {
    "oid4vci.token": throttle.Limit("oid4vci_token", 120, _WINDOW, _COOLDOWN),
    "oid4vci.nonce": throttle.Limit("oid4vci_nonce", 240, _WINDOW, _COOLDOWN),
    "oid4vci.credential": throttle.Limit("oid4vci_credential", 120, _WINDOW, _COOLDOWN),
    "oid4vci_wallet.authorize": _AUTHORIZE,
    "oid4vci_wallet.authorize_decision": _AUTHORIZE,
}
#: What a held-back client is told.
TOO_MANY = "too many requests from this address; retry later"


def _held_back() -> int | None:
    """Count this request against its endpoint's limit; the wait in seconds when refused."""
    limit = LIMITS.get(request.endpoint or "")
    if limit is None or request.method == "OPTIONS":
        return None
    return protocol.held_back(limit)


@bp.before_request
def _throttle_protocol() -> Response | None:
    seconds = _held_back()
    if seconds is None:
        return None
    return protocol.too_many({"error": "invalid_request", "error_description": TOO_MANY},
                             seconds)


@wallet_bp.before_request
def _throttle_pages() -> Response | None:
    seconds = _held_back()
    if seconds is None:
        return None
    page, status = error_page(translator()("wauth_too_many"), 429)
    response = Response(page, status=status)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.after_request
def _cors(response: Response) -> Response:
    """Browser-based wallets may call these endpoints from any origin (no cookies are used)."""
    return protocol.open_to_wallets(response, allow_headers="Authorization, Content-Type")


def _audit_refusal(exc: oid4vci.OAuthError) -> None:
    """Audit a refused token or credential request.

    What the handler changed is kept only where it committed (a wrong transaction
    code, a replayed code's revoked token); the rest is rolled back, as before.
    """
    endpoint = {"oid4vci.token": "token", "oid4vci.credential": "credential"}.get(
        request.endpoint or "")
    if endpoint is None:
        return
    db = session()
    db.rollback()
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    code = (request.form.get("pre-authorized_code") or request.form.get("code")
            if endpoint == "token" else None)
    oid4vci.audit_refusal(db, exc, endpoint=endpoint, code=code,
                          token=bearer.strip() if scheme.lower() == "bearer" else None,
                          client=client_address(), now=now())
    db.commit()


@bp.errorhandler(oid4vci.OAuthError)
def _oauth_error(exc: oid4vci.OAuthError) -> Response:
    _audit_refusal(exc)
    response = protocol.no_store_json(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = \
            f'Bearer error="{exc.error}", error_description="{exc.description}"'
    return response


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata() -> Response:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.2)."""
    return jsonify(oid4vci.issuer_metadata(settings().base_url))


@bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata() -> Response:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414 §3)."""
    return jsonify(oid4vci.authorization_server_metadata(settings().base_url))


@bp.get("/oid4vci/offers/<code>")
def offer_by_reference(code: str) -> Response:
    """The Credential Offer a ``credential_offer_uri`` names (§4.1.3)."""
    try:
        found = oid4vci.offer_by_reference(session(), code, base_url=settings().base_url,
                                           now=now())
    except ServiceError as exc:
        return protocol.no_store_json({"error": exc.code, "error_description": exc.message},
                                      exc.status)
    return protocol.no_store_json(found)


@bp.post("/oid4vci/token")
def token() -> Response:
    """Trade a pre-authorized code (and tx_code) or an authorization code for a token (§6)."""
    form = {k: v for k, v in request.form.items()}
    db = session()
    try:
        if form.get("grant_type") == oid4vci.AUTHORIZATION_CODE_GRANT:
            answer = oid4vci_code.redeem_authorization_code(db, form, now=now())
        else:
            answer = oid4vci.redeem_code(db, form, now=now())
    except oid4vci.OAuthError:
        db.commit()  # a wrong transaction code counts; a reused code's token is revoked
        raise
    db.commit()
    return protocol.no_store_json(answer)


@bp.post("/oid4vci/nonce")
def nonce() -> Response:
    """A fresh ``c_nonce`` for key proofs (§7.1, §7.2)."""
    return protocol.no_store_json(oid4vci.new_nonce(settings().secret_key, now=now()))


@bp.post("/oid4vci/credential")
def credential() -> Response:
    """Issue the offered award bound to the holder's key (§8.1, §8.2, §8.3)."""
    body = request.get_json(silent=True)
    if body is None:
        raise oid4vci.OAuthError("invalid_credential_request",
                                 "the request body must be JSON (application/json)")
    db = session()
    claimed = oid4vci.claim(db, issuer_context(), body,
                            authorization=request.headers.get("Authorization"),
                            secret=settings().secret_key, now=now())
    db.commit()
    return protocol.no_store_json(claimed.body())


@wallet_bp.post("/wallet/<credential_id>/claim")
def offer(credential_id: str) -> Any:
    """A single-use, expiring Credential Offer for one of the teacher's badges (§4.1)."""
    db = session()
    issued = db.get(IssuedCredential, credential_id)
    person = viewer()
    if issued is None or issued.person_id != person.person_id:
        raise NotVisible("badge")
    with_tx_code = oid4vci.tx_code_required(issued.organization)
    current = now()
    try:
        made = oid4vci.create_offer(db, issued, base_url=settings().base_url,
                                    actor=person.email, now=current, with_tx_code=with_tx_code)
    except ServiceError:
        db.rollback()
        raise
    if made.tx_code is not None:
        # the second channel (§4.1.1 tx_code): whoever sees the QR code needs the e-mail too
        words, expires = mail_translator(None), made.row.expires_at
        until = f"{expires:%H:%M UTC on %d %B %Y}" if words.lang == "en" \
            else f"{expires:%H:%M} UTC del {words.date(expires)}"
        notifications.queue(
            db, kind="claim_tx_code", to=person.email,
            subject=words("mail_claim_subject", name=issued.achievement.name),
            body=words("mail_claim_body", name=issued.achievement.name, code=made.tx_code,
                       until=until),
            now=current, seal_key=workflow_settings().mail.seal_key)
    db.commit()
    if made.tx_code is not None:
        deliver_mail()
    link = made.link
    lcw = chapi = lcw_qr = None
    if made.exchange_url is not None:  # the Learner Credential Wallet's way (VC-API)
        exchange_id = made.exchange_url.rsplit("/", 1)[1]
        lcw = vcapi.lcw_links(settings().base_url, exchange_id, settings().secret_key)
        chapi = vcapi.chapi_offer(settings().base_url, exchange_id, link)
        lcw_qr = qr.svg(lcw["request"], title=f"Claim {issued.achievement.name} in the "
                                              "Learner Credential Wallet")
    return render_template("wallet/claim.html", c=issued, link=link,
                           expires=made.row.expires_at, code_sent_to=(
                               person.email if made.tx_code is not None else None),
                           qr_svg=qr.svg(link, title=f"Claim {issued.achievement.name}"),
                           lcw=lcw, chapi=chapi, lcw_qr=lcw_qr)


def _authorization_request(
        params: dict[str, str]) -> oid4vci_code.AuthorizationRequest | ResponseReturnValue:
    """The wallet's checked authorization request (§5.1), or the answer refusing it.

    A request that cannot be trusted to redirect (unknown client, bad redirect URI)
    gets an error page here; other errors go back to the wallet (RFC 6749 §4.1.2.1).
    """
    try:
        return oid4vci_code.parse_request(params, issuer=settings().base_url)
    except oid4vci.OAuthError as exc:
        return error_page(f"The wallet app's request cannot be used: {exc.description}.", 400)
    except oid4vci_code.RedirectError as exc:
        return redirect(exc.location, code=303)


def _claimable(person_id: Any) -> list[IssuedCredential]:
    return list(session().scalars(sa.select(IssuedCredential).where(
        IssuedCredential.person_id == person_id, IssuedCredential.revoked_at.is_(None),
        IssuedCredential.suspended_at.is_(None)).order_by(IssuedCredential.issued_at.desc())))


@wallet_bp.get("/oid4vci/authorize")
def authorize() -> Any:
    """The authorization endpoint (§5.1): the signed-in teacher picks a badge and consents."""
    req = _authorization_request(request.args.to_dict())
    if not isinstance(req, oid4vci_code.AuthorizationRequest):
        return req
    page = Response(render_template("wallet/authorize.html", req=req,
                                    badges=_claimable(viewer().person_id)))
    # the consent form's answer redirects to the wallet app: let the browser follow it
    page.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"form-action 'self' {req.redirect_source}; frame-ancestors 'none'; base-uri 'none'")
    return page


@wallet_bp.post("/oid4vci/authorize")
def authorize_decision() -> Any:
    """Allow (a single-use code for the chosen badge) or deny, back to the wallet (§5.2)."""
    req = _authorization_request(request.form.to_dict())
    if not isinstance(req, oid4vci_code.AuthorizationRequest):
        return req
    db = session()
    person = viewer()
    if request.form.get("decision") != "allow":
        audit.record(db, actor=person.email, action="credential.wallet_denied",
                     organization_id=obapi.home_organization(db, person.person_id),
                     subject_type="wallet_client", subject_id=req.client_id[:100], at=now(),
                     detail={"redirect": req.wallet_host,
                             "configurations": list(req.configurations)})
        db.commit()
        return redirect(oid4vci_code.deny(req), code=303)
    issued = db.get(IssuedCredential, request.form.get("credential_id", ""))
    if issued is None or issued.person_id != person.person_id:
        raise NotVisible("badge")
    try:
        location = oid4vci_code.authorize(db, req, issued, actor=person.email, now=now())
    except oid4vci_code.RedirectError as exc:
        db.rollback()
        return redirect(exc.location, code=303)
    db.commit()
    return redirect(location, code=303)
