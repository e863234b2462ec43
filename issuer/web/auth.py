"""Sign-in, sessions, CSRF, invitations, and what every workflow page shares.

* ``GET/POST /sign-in``, ``POST /sign-out``: password sign-in (scrypt hashes),
  throttled per e-mail address and per client address (429 when held back);
  the session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure over
  HTTPS) holding the person's id, a fingerprint of their password hash (a
  password change ends older sessions) and a CSRF token;
* ``GET/POST /forgot-password``, ``GET/POST /reset-password/<token>``: a
  single-use password reset link by e-mail (the same answer for any address);
* ``GET/POST /invite/<token>``: accept an invitation sent by e-mail;
* ``GET /start``: where each role begins after signing in.

:func:`init_app` registers the workflow blueprints; :func:`protect` gives
each of them the same sign-in requirement, CSRF check, security headers and
HTML error pages.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import after_this_request
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie
from flask import url_for
from werkzeug.exceptions import HTTPException

from issuer.models import Person
from issuer.models import Role
from issuer.services.errors import ServiceError
from issuer.web.common import now
from issuer.web.common import session
from issuer.web.common import settings
from issuer.web.language import page_language
from issuer.web.language import translator
from issuer.workflow import accounts
from issuer.workflow import notifications
from issuer.workflow import throttle
from issuer.workflow.access import Forbidden
from issuer.workflow.access import Viewer
from issuer.workflow.access import load_viewer
from issuer.workflow.config import WorkflowSettings

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = frozenset({"auth.sign_in", "auth.invitation", "auth.forgot_password",
                              "auth.reset_password"})


class SignInRequired(Exception):
    """The page needs a signed-in person."""


def workflow_settings() -> WorkflowSettings:
    """The running app's workflow settings."""
    value: WorkflowSettings = current_app.extensions["workflow"]
    return value


def current_viewer() -> Viewer | None:
    """The signed-in person with their roles (None when nobody is signed in)."""
    if "viewer" in g:
        found: Viewer | None = g.viewer
        return found
    viewer = None
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        # no session cookie: nobody is signed in, and public pages stay cacheable
        # (reading the session would add "Vary: Cookie")
        g.viewer = None
        return None
    person_id = cookie.get("uid")
    if isinstance(person_id, int):
        person = session().get(Person, person_id)
        if person is not None and hmac.compare_digest(
                str(cookie.get("av", "")), accounts.auth_version(person)):
            viewer = load_viewer(session(), person)
    g.viewer = viewer
    return viewer


def viewer() -> Viewer:
    """The signed-in person (pages behind :func:`protect` always have one)."""
    found = current_viewer()
    if found is None:
        raise SignInRequired
    return found


def require(*roles: Role) -> Viewer:
    """The signed-in person, who must hold one of ``roles``.

    Raises:
        Forbidden: they hold none of them (403).
    """
    found = viewer()
    if not found.has(*roles):
        raise Forbidden()
    return found


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = cookie.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        cookie["csrf"] = token
    return token


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get("csrf_token", "")
    expected = cookie.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        abort(400, description="The form expired or came from another site. Go back, reload "
                               "the page and try again.")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("auth.start")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "private, no-store")
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    return response


def error_page(message: str, status: int) -> tuple[str, int]:
    """An accessible HTML error page."""
    titles = {400: "Something is not right", 403: "Not allowed", 404: "Not found",
              409: "Not possible now", 413: "File too large", 415: "File type not accepted",
              429: "Too many attempts"}
    return render_template("workflow/error.html", title=titles.get(status, "Error"),
                           message=message, status=status), status


def protect(blueprint: Blueprint, *, public: frozenset[str] = frozenset()) -> None:
    """Give ``blueprint`` sign-in, CSRF, security headers and HTML error pages.

    Called once per blueprint, where it is defined (before any app registers it).

    Args:
        blueprint: a workflow blueprint.
        public: endpoints that do not need a signed-in person.
    """

    @blueprint.before_request
    def _before() -> Any:
        if request.endpoint not in public and current_viewer() is None:
            if request.method == "GET":
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            return error_page("Sign in first.", 401)
        _check_csrf()
        return None

    blueprint.after_request(_security_headers)

    @blueprint.errorhandler(SignInRequired)
    def _signin(_exc: SignInRequired) -> Any:
        return redirect(url_for("auth.sign_in", next=request.path))

    @blueprint.errorhandler(ServiceError)
    def _service(exc: ServiceError) -> Any:
        return error_page(exc.message[:1].upper() + exc.message[1:], exc.status)

    @blueprint.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.code == 413:
            limit = workflow_settings().evidence_max_bytes
            from issuer.workflow.evidence import describe_size

            return error_page(f"The upload is too large: files may be at most "
                              f"{describe_size(limit)}. Nothing was changed; go back and "
                              "choose a smaller file.", 413)
        return error_page(exc.description or exc.name, exc.code or 500)


def deliver_mail() -> None:
    """Send what waits in the outbox (after a commit); failures stay queued for later."""
    db = session()
    notifications.deliver_pending(db, workflow_settings().mail, now=now())
    db.commit()


def deliver_mail_after_response() -> None:
    """Send the outbox once the response has gone out (its timing then tells nothing).

    Used where how long a request takes must not reveal whether a message was
    queued (a password reset for an address with or without an account).
    """
    database = current_app.extensions["badges"]["db"]
    mail = workflow_settings().mail
    logger = current_app.logger

    def _send() -> None:
        try:
            with database.session() as db:
                notifications.deliver_pending(db, mail, now=now())
                accounts.forget_sent_reset_links(db)
        except Exception:  # noqa: BLE001 - messages stay queued for `badges mail send`
            logger.exception("sending the outbox after a response failed")

    @after_this_request
    def _later(response: Response) -> Response:
        response.call_on_close(_send)
        return response


def client_address() -> str:
    """The throttle's key for the client address.

    ``request.remote_addr``: the peer, or with ``BADGES_TRUSTED_PROXIES`` set, the
    address the nearest trusted proxy saw (werkzeug's ``ProxyFix`` in the app
    factory); X-Forwarded-For is never read from an untrusted client.
    """
    return throttle.address_key(request.remote_addr)


def _throttled(template: str, exc: throttle.Throttled, **context: Any) -> Response:
    response = current_app.make_response(
        (render_template(template, error=exc.message, **context), 429))
    response.headers["Retry-After"] = str(exc.seconds)
    return response


def nav_links(found: Viewer | None) -> list[tuple[str, str]]:
    """Main navigation for the person's roles."""
    if found is None:
        return []
    t = translator()
    links = []
    if found.has(Role.EARNER):
        links += [(t("nav_catalogue"), url_for("catalogue.index")),
                  (t("nav_evidence"), url_for("submissions.index")),
                  (t("nav_wallet"), url_for("wallet.index"))]
    elif found.achievement_orgs():
        links.append((t("nav_catalogue"), url_for("catalogue.index")))
    if found.has(Role.REVIEWER, Role.ADMIN):
        links.append((t("nav_queue"), url_for("reviews.queue")))
    if found.has(Role.ADMIN):
        links.append((t("nav_district"), url_for("dashboard.index")))
    return links


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    """What every page's template can call: the CSRF token, the viewer, the navigation."""
    def user() -> Viewer | None:
        try:
            return current_viewer()
        except Exception:  # noqa: BLE001 - a page must render even if the lookup fails
            return None
    return {"csrf_token": csrf_token, "current_user": user, "nav_links": nav_links}


def role_names() -> dict[Role, str]:
    """Each role's name for people, in the page's language (``accounts.ROLE_NAMES`` in English)."""
    texts = translator()
    return {role: texts(f"role_{role.value}") for role in Role}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """The sign-in form; a correct e-mail and password start a session."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_viewer() is not None:
            return redirect(target)
        return render_template("auth/sign_in.html", next=target, email="")
    email = request.form.get("email", "")
    db = session()
    workflow = workflow_settings()
    try:
        person = accounts.sign_in(db, email, request.form.get("password", ""),
                                  client=client_address(), limits=workflow.throttle,
                                  now=now(), n=workflow.scrypt_n)
    except throttle.Throttled as exc:
        return _throttled("auth/sign_in.html", exc, next=target, email=email)
    db.commit()
    if person is None:
        return render_template("auth/sign_in.html", next=target, email=email,
                               error=translator()("acct_sign_in_wrong")), 401
    cookie.clear()
    cookie.permanent = True
    cookie["uid"] = person.id
    cookie["av"] = accounts.auth_version(person)
    g.pop("viewer", None)
    return redirect(target, code=303)


@bp.post("/sign-out")
def sign_out() -> Any:
    """End the session."""
    cookie.clear()
    flash(translator()("acct_signed_out"), "info")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    """Accept an invitation: choose a name and password (or add roles to your account)."""
    db = session()
    found = accounts.open_invitation(db, token, now=now())
    signed_in = current_viewer()
    existing = db.scalar(_person_with_password(found.email))
    context = {"invitation": found, "org": found.organization, "existing": existing,
               "signed_in": signed_in,
               "roles": [role_names()[Role(r)] for r in found.roles]}
    if request.method == "GET":
        return render_template("auth/invitation.html", **context, name="")
    person = db.get(Person, signed_in.person_id) if signed_in else None
    try:
        accepted = accounts.accept_invitation(
            db, token, name=request.form.get("name"), password=request.form.get("password"),
            signed_in=person, now=now(), n=workflow_settings().scrypt_n)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return render_template("auth/invitation.html", **context,
                               name=request.form.get("name", ""), error=exc.message), exc.status
    db.commit()
    cookie.clear()
    cookie.permanent = True
    cookie["uid"] = accepted.person.id
    cookie["av"] = accounts.auth_version(accepted.person)
    flash(translator()("acct_welcome", name=accepted.person.display_name), "success")
    return redirect(url_for("auth.start"), code=303)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> Any:
    """Ask for a password reset link; the answer is the same whether an account exists."""
    if request.method == "GET":
        return render_template("auth/forgot_password.html", email="")
    email = request.form.get("email", "")
    db = session()
    workflow = workflow_settings()
    try:
        accounts.request_password_reset(
            db, email, client=client_address(), base_url=settings().base_url,
            limits=workflow.throttle, now=now(), minutes=workflow.reset_minutes,
            seal_key=workflow.mail.seal_key, lang=page_language())
    except throttle.Throttled as exc:
        return _throttled("auth/forgot_password.html", exc, email=email)
    except ServiceError as exc:
        return render_template("auth/forgot_password.html", email=email,
                               error=exc.message), exc.status
    db.commit()
    deliver_mail_after_response()
    return render_template("auth/forgot_password.html", email=email, sent=True,
                           minutes=workflow.reset_minutes)


def _invalid_reset(exc: ServiceError) -> tuple[str, int]:
    return render_template("auth/reset_invalid.html", message=exc.message), exc.status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Choose a new password through a reset link (once, before it expires)."""
    db = session()
    try:
        reset = accounts.open_password_reset(db, token, now=now())
    except ServiceError as exc:
        return _invalid_reset(exc)
    if request.method == "GET":
        return render_template("auth/reset_password.html", reset=reset)
    workflow = workflow_settings()
    try:
        accounts.complete_password_reset(db, token, password=request.form.get("password"),
                                         limits=workflow.throttle, now=now(),
                                         n=workflow.scrypt_n)
    except ServiceError as exc:
        if exc.code == "invalid_reset":
            return _invalid_reset(exc)
        return render_template("auth/reset_password.html", reset=reset,
                               error=exc.message), exc.status
    db.commit()
    cookie.clear()
    flash(translator()("acct_password_changed"), "success")
    return redirect(url_for("auth.sign_in"), code=303)


def _person_with_password(email: str) -> Any:
    import sqlalchemy as sa

    from issuer.models import PersonEmail

    return sa.select(Person).join(PersonEmail).where(
        PersonEmail.address == email, Person.password_hash.is_not(None))


@bp.get("/start")
def start() -> Any:
    """Where each role begins: the teacher's work, the reviewer's queue, the district."""
    from issuer.workflow import reviews as review_service
    from issuer.workflow import submissions as submission_service

    found = viewer()
    db = session()
    mine = submission_service.mine(db, found) if found.has(Role.EARNER) else []
    waiting = len(review_service.queue(db, found, review_service.QueueFilter())) \
        if found.has(Role.REVIEWER, Role.ADMIN) else None
    names = role_names()
    roles = sorted({names[role] for role, ids in found.direct.items() if ids})
    return render_template("auth/start.html", mine=mine, waiting=waiting, roles=roles,
                           labels=submission_service.STATUS_LABELS)


protect(bp, public=PUBLIC_ENDPOINTS)
