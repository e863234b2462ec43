"""The 1EdTech Open Badges 3.0 API (OB 3.0 §6) and its OAuth 2.0 endpoints.

Under ``/ims/ob/v3p0``:

* ``GET /discovery``: the Service Description Document, a profiled OpenAPI 3.0
  document naming the OAuth endpoints and scopes (public, cacheable);
* ``POST /oauth/register``: dynamic client registration (RFC 7591);
* ``GET/POST /oauth/authorize``: the teacher's consent screen (sign-in first);
* ``POST /oauth/token``: codes and refresh tokens for tokens (RFC 6749 §4.1.3, §6);
* ``POST /oauth/revoke``: token revocation (RFC 7009);
* ``GET/POST /credentials``: ``getCredentials`` (paged: ``Link``,
  ``X-Total-Count``) and ``upsertCredential``;
* ``GET/PUT /profile``: ``getProfile`` and ``putProfile``.

OAuth endpoints answer with RFC 6749 §5.2 JSON errors; resource endpoints with
``imsx_StatusInfo`` bodies (OB 3.0 §6.3). Registration and failed token
requests are throttled per client address, pushes per client
(:mod:`issuer.workflow.throttle`).
Every grant, token, replay, read, push and profile change is audited.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from badges.errors import BadgesError
from badges.model import parse_datetime
from issuer.models import Person
from issuer.services import audit
from issuer.services import obapi
from issuer.services.errors import ServiceError
from issuer.web import obapi_server
from issuer.web.auth import client_address
from issuer.web.auth import current_viewer
from issuer.web.auth import error_page
from issuer.web.auth import protect
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.workflow import throttle

PREFIX = "/ims/ob/v3p0"
bp = Blueprint("obapi", __name__, url_prefix=PREFIX)
consent_bp = Blueprint("obapi_consent", __name__, url_prefix=PREFIX)
protect(consent_bp, public=frozenset({"obapi_consent.authorize"}))

#: Client registrations per client address (a burst is legitimate; a flood is not).
REGISTER_LIMIT = throttle.Limit("obapi_register", 20, timedelta(hours=1), timedelta(hours=1))
#: Failed token, revocation or bearer requests per client address.
FAILURE_LIMIT = throttle.Limit("obapi_failure", 30, timedelta(minutes=15),
                               timedelta(minutes=15))
#: Credentials one client may push per hour (each one is verified, maybe with fetches).
UPSERT_LIMIT = throttle.Limit("obapi_upsert", 120, timedelta(hours=1), timedelta(minutes=15))
#: The largest registration request (client metadata is a few hundred bytes).
MAX_REGISTRATION_BYTES = 16 * 1024
#: The largest credential a host may push (the verifier reads at most this much too).
MAX_CREDENTIAL_BYTES = 1024 * 1024
_JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")


def init_app(app: Flask) -> None:
    """Register the API, its consent screen and its authorization server on ``app``."""
    obapi_server.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(consent_bp)


# ------------------------------------------------------------------------------ helpers


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``body`` as ``application/json``."""
    return current_app.response_class(json.dumps(body), status=status,
                                      mimetype="application/json", headers=headers)


def _imsx(status: int, description: str, minor: str,
          headers: dict[str, str] | None = None) -> Response:
    return _json(obapi.status_info(description, minor), status, headers)


class Throttled(Exception):
    """A client address is held back (429)."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _check(limit: throttle.Limit) -> None:
    try:
        throttle.check(session(), [(limit, client_address())], now=now(), advice="")
    except throttle.Throttled as exc:
        raise Throttled(exc.seconds) from None


def _count_failure(response: Response) -> Response:
    if response.status_code in (400, 401, 403):
        throttle.record(session(), FAILURE_LIMIT, client_address(), now=now())
    session().commit()
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(Throttled)
def _throttled(exc: Throttled) -> Response:
    headers = {"Retry-After": str(exc.seconds)}
    if request.path.startswith(f"{PREFIX}/oauth/"):
        return _json({"error": "invalid_request",
                      "error_description": "Too many requests from this address; retry later."},
                     429, headers)
    return _imsx(429, "Too many requests from this address; retry later.", "server_busy",
                 headers)


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> Response:
    return _imsx(404, "Not found.", "not_found")


@bp.errorhandler(405)
def _not_allowed(_exc: Exception) -> Response:
    return _imsx(405, "This method is not allowed here.", "not_allowed")


@bp.route("/credentials", methods=["PUT", "PATCH", "DELETE"], endpoint="credentials_other")
@bp.route("/profile", methods=["POST", "PATCH", "DELETE"], endpoint="profile_other")
def _other_method() -> Response:
    """Methods the API does not define: 405 with an imsx body (Flask's would be plain)."""
    allowed = "GET, POST" if request.path.endswith("/credentials") else "GET, PUT"
    return _imsx(405, "This method is not allowed here.", "not_allowed", {"Allow": allowed})


@bp.errorhandler(413)
def _too_large(_exc: Exception) -> Response:
    return _imsx(400, "The request body is too large.", "invalid_data")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ------------------------------------------------------------------------------ discovery


def discovery_document(base_url: str) -> dict[str, Any]:
    """The Service Description Document (OB 3.0 §6.1, ``ServiceDescriptionDocument``)."""
    api = f"{base_url}{PREFIX}"
    scope_of = {s.rsplit("/", 1)[1]: s for s in obapi_server.SCOPES}
    imsx = {"description": "An error (imsx_StatusInfo).", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Imsx_StatusInfo"}}}}
    schema_base = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"

    def operation(op_id: str, scope: str, ok: dict[str, Any]) -> dict[str, Any]:
        return {"operationId": op_id, "tags": ["OpenBadgeCredentials"],
                "security": [{"OAuth2ACG": [scope_of[scope]]}],
                "responses": {**ok, "400": imsx, "401": imsx, "403": imsx, "405": imsx,
                              "500": imsx, "default": imsx}}

    credential_list = {"200": {"description": "The teacher's credentials.", "content": {
        "application/json": {"schema": {"$ref": schema_base + "ob_v3p0_getopenbadge"
                                        "credentialsresponse_schema.json"}}}}}
    upserted = {"200": {"description": "Replaced."}, "201": {"description": "Created."},
                "304": {"description": "Not modified."}}
    profile = {"200": {"description": "The teacher's Profile.", "content": {
        "application/json": {"schema": {"$ref": schema_base + "ob_v3p0_profile_schema.json"}}}}}
    terms = url_for("obapi.terms", _external=False)
    return {
        "openapi": "3.0.1",
        "info": {"title": f"Open Badges API at {base_url}", "version": "3.0",
                 "description": "The 1EdTech Open Badges 3.0 API of this district service.",
                 "termsOfService": f"{base_url}{terms}",
                 "x-imssf-privacyPolicyUrl": f"{base_url}{terms}#privacy"},
        "servers": [{"url": api}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Profile"},
                 {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {**operation("getCredentials", "credential.readonly", credential_list),
                        "parameters": [
                            {"name": "limit", "in": "query", "schema": {
                                "type": "integer", "minimum": 1}},
                            {"name": "offset", "in": "query", "schema": {
                                "type": "integer", "minimum": 0}},
                            {"name": "since", "in": "query", "schema": {
                                "type": "string", "format": "date-time"}}]},
                "post": operation("upsertCredential", "credential.upsert", upserted)},
            "/profile": {"get": operation("getProfile", "profile.readonly", profile),
                         "put": operation("putProfile", "profile.update", profile)},
            "/discovery": {"get": {"operationId": "getServiceDescription",
                                   "tags": ["Discovery"], "responses": {"200": {
                                       "description": "This document."}}}}},
        "components": {
            "securitySchemes": {"OAuth2ACG": {
                "type": "oauth2",
                "description": "OAuth 2.0 authorization code grant with PKCE (S256).",
                "x-imssf-registrationUrl": f"{api}/oauth/register",
                "flows": {"authorizationCode": {
                    "authorizationUrl": f"{api}/oauth/authorize",
                    "tokenUrl": f"{api}/oauth/token", "refreshUrl": f"{api}/oauth/token",
                    "x-imssf-revocationUrl": f"{api}/oauth/revoke",
                    "scopes": dict(obapi_server.SCOPES)}}}},
            "schemas": {"Imsx_StatusInfo": {
                "$ref": schema_base + "ob_v3p0_imsx_statusinfo_schema.json"}}}}


@bp.get("/discovery")
def discovery() -> Response:
    """The getServiceDescription operation (OB 3.0 §6.1): public, cacheable for an hour."""
    response = _json(discovery_document(settings().base_url))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/terms")
def terms() -> str:
    """Terms of use and privacy of the API, in plain words (linked from discovery)."""
    return render_template("obapi/terms.html", scopes=obapi_server.SCOPES)


# ------------------------------------------------------------------------------ OAuth


@bp.post("/oauth/register")
def register() -> Response:
    """Dynamic client registration (RFC 7591 §3): open, throttled per address."""
    _check(REGISTER_LIMIT)
    throttle.record(session(), REGISTER_LIMIT, client_address(), now=now())
    if (request.content_length or 0) > MAX_REGISTRATION_BYTES:
        session().commit()
        return _json({"error": "invalid_client_metadata",
                      "error_description": "The registration request is too large."}, 400)
    response: Response = obapi_server.server().create_endpoint_response("client_registration")
    session().commit()
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/oauth/token")
def token() -> Response:
    """The token endpoint (RFC 6749 §3.2): authorization_code and refresh_token grants."""
    _check(FAILURE_LIMIT)
    return _count_failure(obapi_server.server().create_token_response())


@bp.post("/oauth/revoke")
def revoke() -> Response:
    """Token revocation (RFC 7009 §2)."""
    _check(FAILURE_LIMIT)
    return _count_failure(obapi_server.server().create_endpoint_response("revocation"))


def _person() -> Person | None:
    found = current_viewer()
    return None if found is None else session().get(Person, found.person_id)


@consent_bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """The consent screen (RFC 6749 §4.1.1): the signed-in teacher allows or denies.

    A request naming an unknown client or an unregistered redirect URI is
    answered here and never redirected (RFC 6749 §4.1.2.1); other errors go
    back to the client's redirect URI.
    """
    server = obapi_server.server()
    person = _person()
    try:
        grant = server.get_consent_grant(end_user=person)
        grant.validate_authorization_request()
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(None, error)
        return error_page(f"This sign-in link from another site does not work: "
                          f"{error.description or error.error}.", 400)
    if person is None:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    client: obapi_server.Client = grant.client
    target = urlsplit(grant.request.payload.redirect_uri)
    if request.method == "GET":
        page = current_app.make_response(render_template(
            "obapi/consent.html", client=client.meta,
            scopes=[(s, obapi_server.SCOPES[s]) for s in (grant.request.scope or "").split()],
            action=request.full_path.rstrip("?"), redirect_host=target.hostname))
        # the answer to this form redirects to the client: CSP form-action covers redirects
        page.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"form-action 'self' {target.scheme}://{target.netloc}; frame-ancestors 'none'; "
            "base-uri 'none'")
        return page
    allowed = request.form.get("decision") == "allow"
    response = server.create_authorization_response(grant=grant,
                                                    grant_user=person if allowed else None)
    viewer = current_viewer()
    audit.record(session(), actor=viewer.email if viewer else str(person.id),
                 action="obapi.consent_granted" if allowed else "obapi.consent_denied",
                 organization_id=obapi.home_organization(session(), person.id),
                 subject_type="oauth_client",
                 subject_id=client.get_client_id(), at=now(),
                 detail={"scope": grant.request.scope or "", "client_name":
                         client.meta.get("client_name", "")})
    session().commit()
    return response


# ------------------------------------------------------------------------------ resources


class TokenRefused(Exception):
    """The request's access token is missing, expired or lacks the scope (401 or 403)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        #: the imsx answer, with ``WWW-Authenticate`` (RFC 6750 §3)
        self.response = response


@bp.errorhandler(TokenRefused)
def _token_refused(exc: TokenRefused) -> Response:
    return exc.response


def _token(scope: str) -> obapi_server.Token:
    """The request's access token for ``scope``.

    Raises:
        TokenRefused: with the imsx error response (the failure is counted).
    """
    _check(FAILURE_LIMIT)
    try:
        found: obapi_server.Token = obapi_server.protector().acquire_token(
            [f"https://purl.imsglobal.org/spec/ob/v3p0/scope/{scope}"])
    except OAuth2Error as error:
        headers = dict(error.get_headers())
        status = error.status_code if error.status_code in (401, 403) else 401
        throttle.record(session(), FAILURE_LIMIT, client_address(), now=now())
        session().commit()
        message = ("The access token does not grant this scope." if status == 403 else
                   "A valid, unexpired access token is required.")
        raise TokenRefused(_imsx(
            status, message, "forbidden" if status == 403 else "unauthorizedrequest",
            {k: v for k, v in headers.items() if k == "WWW-Authenticate"})) from None
    return found


def _audit_read(granted: obapi_server.Token, action: str, detail: dict[str, Any]) -> None:
    """Record that a client read the teacher's data (who read what, when)."""
    person_id = granted.row.person_id
    audit.record(session(), actor=obapi_server.actor_of(granted.row.client), action=action,
                 organization_id=obapi.home_organization(session(), person_id),
                 subject_type="person", subject_id=str(person_id), at=now(), detail=detail)
    session().commit()


def _int_arg(name: str, default: int, low: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low:
        raise ServiceError(f"'{name}' must be a whole number of at least {low}",
                           code="invalid_query_parameter")
    return int(raw)


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Response:
    minor = exc.code if exc.code in ("invalid_query_parameter", "invalid_data") \
        else "invalid_data"
    return _imsx(exc.status if exc.status in (400, 404) else 400,
                 exc.message[:1].upper() + exc.message[1:] + ".", minor)


def _page_url(limit: int, offset: int, since: str | None) -> str:
    query = {"limit": limit, "offset": offset} | ({"since": since} if since else {})
    return f"{settings().base_url}{PREFIX}/credentials?{urlencode(query)}"


@bp.get("/credentials")
def get_credentials() -> Response:
    """The getCredentials operation (OB 3.0 §6.2.1): paged with ``Link`` and ``X-Total-Count``."""
    granted = _token("credential.readonly")
    limit = min(_int_arg("limit", obapi.MAX_LIMIT, 1), obapi.MAX_LIMIT)
    offset = _int_arg("offset", 0, 0)
    since_text = request.args.get("since")
    since = None
    if since_text is not None:
        try:
            since = parse_datetime(since_text)
        except (BadgesError, ValueError):
            raise ServiceError("'since' must be a date and time with a zone",
                               code="invalid_query_parameter") from None
    page = obapi.list_credentials(session(), granted.row.person_id, since=since, limit=limit,
                                  offset=offset)
    _audit_read(granted, "obapi.credentials_read", {
        "offset": offset, "limit": limit, "since": since_text or "",
        "returned": len(page.credential) + len(page.compact_jws), "total": page.total})
    body: dict[str, Any] = {}
    if page.credential:
        body["credential"] = page.credential
    if page.compact_jws:
        body["compactJwsString"] = page.compact_jws
    response = _json(body)
    response.headers["X-Total-Count"] = str(page.total)
    last = max(0, (page.total - 1) // limit * limit)
    links = [f'<{_page_url(limit, 0, since_text)}>; rel="first"',
             f'<{_page_url(limit, last, since_text)}>; rel="last"']
    if offset + limit < page.total:
        links.append(f'<{_page_url(limit, offset + limit, since_text)}>; rel="next"')
    if offset > 0:
        links.append(f'<{_page_url(limit, max(0, offset - limit), since_text)}>; rel="prev"')
    response.headers["Link"] = ", ".join(links)
    return response


def _verify(document: str | dict[str, Any]) -> Any:
    return current_app.extensions["verifier"].verifier.verify(document)


@bp.post("/credentials")
def upsert_credential() -> Response:
    """The upsertCredential operation (OB 3.0 §6.2.2): 201 created, 200 replaced, 304 unchanged."""
    granted = _token("credential.upsert")
    document: str | dict[str, Any]
    if (request.content_length or 0) > MAX_CREDENTIAL_BYTES:
        raise ServiceError("the credential is too large (at most 1 MiB)", code="invalid_data")
    if request.mimetype in _JSON_TYPES:
        parsed = request.get_json(silent=True)
        if not isinstance(parsed, dict):
            raise ServiceError("the body must be a credential (a JSON object)",
                               code="invalid_data")
        document = parsed
    elif request.mimetype == "text/plain":
        document = request.get_data(as_text=True).strip()
    else:
        raise ServiceError("send the credential as application/json or a compact JWS as "
                           "text/plain", code="invalid_data")
    source = obapi_server.actor_of(granted.row.client)
    try:
        throttle.check(session(), [(UPSERT_LIMIT, source)], now=now(), advice="")
    except throttle.Throttled as exc:
        raise Throttled(exc.seconds) from None
    throttle.record(session(), UPSERT_LIMIT, source, now=now())
    # committed before verifying: the verifier reads our own status lists through its own
    # session, which an open write transaction would block on SQLite
    session().commit()
    person = granted.row.person
    done = obapi.upsert_credential(session(), person, document, verify=_verify,
                                   source=source, now=now())
    session().commit()
    if done.outcome == "unchanged":
        return current_app.response_class(status=304)
    status = 201 if done.outcome == "created" else 200
    if isinstance(document, str):
        return current_app.response_class(document, status=status, mimetype="text/plain")
    return _json(document, status)


@bp.get("/profile")
def get_profile() -> Response:
    """The getProfile operation (OB 3.0 §6.2.3): the teacher's Profile."""
    granted = _token("profile.readonly")
    _audit_read(granted, "obapi.profile_read", {})
    return _json(obapi.profile_of(granted.row.person, settings().base_url))


@bp.put("/profile")
def put_profile() -> Response:
    """The putProfile operation (OB 3.0 §6.2.4): the teacher's name, from a whole Profile."""
    granted = _token("profile.update")
    profile = obapi.update_profile(session(), granted.row.person,
                                   request.get_json(silent=True), base_url=settings().base_url,
                                   source=obapi_server.actor_of(granted.row.client), now=now())
    session().commit()
    return _json(profile)
