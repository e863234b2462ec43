"""The verifier's web surface: the report page for people and the JSON API.

* ``GET /verify``: the form (paste, upload, link, QR code picture), in
  English or Spanish (``?lang=es`` or ``Accept-Language``);
* ``POST /verify``: the plain-language report page, with a signed receipt to
  download;
* ``POST /api/v1/verify``: ``application/json`` (a credential), ``text/plain``
  (a JWT or a link), a multipart ``file`` (or ``qr``), or a raw PNG, SVG, PDF
  or JPEG body; answers with the same report object as ``badges verify
  --json`` (``?receipt=true`` adds a signed receipt);
* ``GET /api/v1/openapi.json``: the API's OpenAPI 3.1 description;
* ``GET /api/v1/verifier``: who signs the receipts; ``POST
  /api/v1/receipts/verify``: check a receipt.

The blueprint is stateless between requests: its per-app objects (fetcher
with its cache, registry, receipt signer) live in ``app.extensions["verifier"]``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from badges.clr_verify import MAX_EMBEDDED
from badges.clr_verify import ClrReport
from badges.errors import BadgesError
from badges.intake import MAX_TEXT_BYTES
from badges.intake import parse_json
from badges.model import parse_datetime
from badges.report import VerificationReport
from verifier.admission import COSTLY_CPU_SECONDS
from verifier.admission import Busy
from verifier.admission import CostlyBudget
from verifier.admission import costly_by_size
from verifier.admission import is_costly
from verifier.clock import Clock
from verifier.clock import system_clock
from verifier.clr_text import ClrTexts
from verifier.config import VerifierConfigError
from verifier.config import VerifierSettings
from verifier.config import load_settings
from verifier.fetch import Budget
from verifier.fetch import Fetched
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.fetch import own_host
from verifier.i18n import LANGUAGE_NAMES
from verifier.i18n import LANGUAGES
from verifier.i18n import Translator
from verifier.i18n import choose_language
from verifier.i18n import explanation_key
from verifier.i18n import verdict_key
from verifier.intake import IntakeError
from verifier.intake import LinkFetcher
from verifier.intake import Submission
from verifier.intake import from_link
from verifier.intake import from_text
from verifier.intake import from_upload
from verifier.intake import image_type
from verifier.intake import is_link
from verifier.ratelimit import RateLimited
from verifier.ratelimit import RateLimiter
from verifier.ratelimit import RedisBuckets
from verifier.ratelimit import address_key
from verifier.receipts import ReceiptSigner
from verifier.receipts import check_receipt
from verifier.registry import RegistryError
from verifier.registry import open_registries
from verifier.render import encodable
from verifier.render import report_json
from verifier.render import summary
from verifier.service import LocalDocuments
from verifier.service import Verifier
from verifier.service import unreadable_report

bp = Blueprint("verifier", __name__)

#: The media types read as a JSON credential (verifier.fastpath answers these too).
JSON_TYPES = frozenset({"application/json", "application/ld+json", "application/vc+ld+json",
                        "application/vc"})
_TEXT_TYPES = frozenset({"text/plain", "application/jwt", "application/vc+jwt"})
#: The largest credential image the report page embeds.
MAX_IMAGE_BYTES = 512 * 1024
_IMAGE_ACCEPT = "image/png, image/jpeg, image/gif, image/webp, image/svg+xml;q=0.8"
_IMAGE_PREFIXES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;",
                   "data:image/svg+xml;")


@dataclass
class VerifierState:
    """What the verifier keeps per app: settings, the verifier, receipts and rate limits.

    The rate limits count in Redis when one is configured (every worker and
    host spends from one bucket per client), else in the process
    (:mod:`verifier.ratelimit`).
    """

    settings: VerifierSettings
    verifier: Verifier
    receipts: ReceiptSigner
    limits: dict[str, RateLimiter] = field(default_factory=dict)
    #: The deployment's own images by URL (None when not ours), read without the network.
    local_images: Callable[[str], bytes | None] | None = None
    #: CPU time costly verifications may use in this process (:mod:`verifier.admission`).
    costly: CostlyBudget = field(default_factory=CostlyBudget)

    @property
    def content_security_policy(self) -> str:
        """The pages' CSP: no script at all, and images only from the page itself.

        A credential's image is fetched by the verifier (size-limited and
        type-checked) and embedded in the page, so the reader's browser never
        contacts a host the credential names (no tracking pixel).
        """
        return ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

    def spend(self, kind: str) -> None:
        """Take one of the requesting client's ``kind`` tokens (``verification`` or ``link``).

        Raises:
            RateLimited: when the client's bucket is empty.
        """
        self.take(kind, request.remote_addr)

    def take(self, kind: str, remote_addr: str | None) -> None:
        """Take one of ``kind`` tokens of the client at ``remote_addr``.

        Raises:
            RateLimited: when the client's bucket is empty.
        """
        wait = self.limits[kind].take(address_key(remote_addr))
        if wait > 0:
            raise RateLimited(wait, "verifications" if kind == "verification" else "links")


@dataclass(frozen=True, slots=True)
class _RateLimitedLinks:
    """The fetcher as link intake sees it: each link fetched spends a client's link token."""

    fetcher: Fetcher

    def fetch_bytes(self, url: str, *, accept: str, max_bytes: int | None = None) -> Fetched:
        _state().spend("link")
        return self.fetcher.fetch_bytes(url, accept=accept, max_bytes=max_bytes)


def _links() -> LinkFetcher | None:
    """The link fetcher for this request (None offline)."""
    fetcher = _state().verifier.fetcher
    return None if fetcher is None else _RateLimitedLinks(fetcher)


def init_app(app: Flask, settings: VerifierSettings | None = None, *,
             clock: Clock = system_clock, local: LocalDocuments | None = None,
             own_url: str | None = None, own_issuers: Any = None,
             local_images: Callable[[str], bytes | None] | None = None) -> VerifierState:
    """Set the verifier up on ``app`` (called when the blueprint is registered).

    Without ``settings`` they are read from ``BADGES_VERIFIER_*`` variables,
    inheriting the issuer's environment, instance folder and fetch allow-list
    when the verifier is mounted in the issuer service. ``clock`` is the
    source of "now" for validity periods, status and receipts (the issuer
    passes its own, so one deployment has one clock); ``local`` answers the
    documents the deployment publishes itself (see
    :class:`verifier.service.Verifier`); ``own_url`` is the deployment's base
    URL, which development mode may fetch over plain HTTP (no other loopback
    or private address, unless allow-listed); ``own_issuers`` (anything with
    ``current()`` giving a :class:`~badges.trust.TrustRegistry`) are the
    deployment's own issuers, known before any configured list;
    ``local_images`` gives the bytes of an image the deployment publishes
    (a badge's art) without a fetch.

    Raises:
        VerifierConfigError: for bad settings or a registry that can't be read.
    """
    if settings is None:
        issuer = app.extensions.get("badges", {}).get("settings")
        defaults = None if issuer is None else {
            "env": issuer.env, "instance_path": issuer.instance_path,
            "fetch_allow_hosts": sorted(issuer.fetch_allow_hosts),
            "trusted_proxies": issuer.trusted_proxies}
        settings = load_settings(defaults=defaults)
    own = own_host(own_url) if own_url and settings.development else frozenset()
    fetcher = Fetcher(FetchPolicy(
        allow_hosts=settings.allow_hosts | own,
        allow_http=(settings.allow_hosts | own) if settings.development else frozenset(),
        timeout=settings.fetch_timeout, total_timeout=2 * settings.fetch_timeout))
    try:
        registry = open_registries(settings.registry, fetch=fetcher,
                                   first=(own_issuers,) if own_issuers is not None else ())
    except RegistryError as exc:
        raise VerifierConfigError(f"the issuer registry cannot be used: {exc.message}") \
            from None
    shared = None if settings.redis_url is None else \
        RedisBuckets.from_url(settings.redis_url, prefix=settings.rate_limit_prefix)
    limits = {"verification": RateLimiter(settings.rate_limit,
                                          burst=max(10, settings.rate_limit // 2),
                                          name="verification", shared=shared),
              "link": RateLimiter(settings.link_rate_limit,
                                  burst=max(5, settings.link_rate_limit // 3),
                                  name="link", shared=shared)}
    state = VerifierState(settings, Verifier(fetcher=fetcher, registry=registry, clock=clock,
                                             local=local),
                          ReceiptSigner(settings.receipt_key_path, settings.name), limits,
                          local_images)
    app.extensions["verifier"] = state
    return state


@bp.record_once
def _on_register(setup: BlueprintSetupState) -> None:
    app = setup.app
    if "verifier" not in app.extensions and isinstance(app, Flask):
        init_app(app)


def _state() -> VerifierState:
    state: VerifierState = current_app.extensions["verifier"]
    return state


_VERIFYING = frozenset({"verifier.verify_api", "verifier.verify_submit"})


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = _state().settings.max_upload_bytes
    request.max_form_memory_size = MAX_TEXT_BYTES  # a pasted credential, as the core allows
    if request.endpoint in _VERIFYING or (request.endpoint == "verifier.verify_form"
                                          and request.args.get("url")):
        _state().spend("verification")


def refusal(exc: RateLimited | Busy) -> tuple[dict[str, Any], str]:
    """A 429's JSON answer and the page's message key (Retry-After is ``exc.retry_after``).

    :class:`RateLimited`: the client's bucket is empty (:mod:`verifier.ratelimit`);
    :class:`Busy`: a costly credential while others used the process's share
    (:mod:`verifier.admission`).
    """
    if isinstance(exc, RateLimited):
        return {"error": {"code": "rate_limited", "message": (
            f"Too many {exc.kind} from this address; try again in {exc.retry_after} s.")}}, \
            "rate_limited"
    return {"error": {"code": "busy_with_large_credentials", "message": (
        "This verifier is busy with other large credentials; a credential this large is "
        f"checked again in {exc.retry_after} s.")}}, "busy_large"


@bp.errorhandler(RateLimited)
@bp.errorhandler(Busy)
def _too_many(exc: RateLimited | Busy) -> Response:
    """429 with Retry-After: JSON for the API, a page in the reader's language for people."""
    payload, key = refusal(exc)
    if request.path.startswith("/api/"):
        response = _json_response(payload, 429)
    else:
        lang = choose_language(request.args.get("lang"), request.accept_languages)
        response = _page("verifier/form.html", lang, 429,
                         error=Translator(lang)(key).format(seconds=exc.retry_after))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _too_large() -> IntakeError:
    limit = _state().settings.max_upload_bytes
    return IntakeError(f"the upload is larger than {limit // (1024 * 1024)} MB",
                       code="input_too_large")


# ----------------------------------------------------------------------------- API


def _read_file(storage: FileStorage) -> bytes:
    limit = _state().settings.max_upload_bytes
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    return data


def _api_submission() -> Submission:
    fetcher = _links()
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        uploaded = _uploaded(("file", "qr"))
        if uploaded is not None:
            return uploaded
        text = request.form.get("credential", "")
        return from_text(text, fetcher=fetcher, source="api")
    body = request.get_data(cache=False)
    if mimetype in JSON_TYPES:
        return Submission(body, "api")
    if mimetype in _TEXT_TYPES or not mimetype:
        return from_text(body, fetcher=fetcher, source="api")
    return from_upload(body, filename=None, fetcher=fetcher)


#: The longest recipient identity read (an e-mail address is at most 320 characters).
_MAX_RECIPIENT = 320


def _recipient() -> str | None:
    """The recipient the user expects (``?recipient=`` or the form's field), if any.

    Checked against an Open Badges 2.0 badge's hashed recipient (OB 2.0 "IdentityObject").
    """
    value = request.args.get("recipient")
    if value is None and request.mimetype in ("multipart/form-data",
                                              "application/x-www-form-urlencoded"):
        value = request.form.get("recipient")
    value = (value or "").strip()
    return value[:_MAX_RECIPIENT] or None


def json_bytes(payload: Any) -> bytes:
    """The API's JSON text of ``payload``, as UTF-8 (lone surrogates escaped)."""
    return encodable(json.dumps(payload, ensure_ascii=False)).encode("utf-8")


def _json_response(payload: Any, status: int = 200) -> Response:
    return Response(json_bytes(payload), status=status, mimetype="application/json")


def _verify_request(read: Any) -> tuple[VerificationReport | ClrReport, Submission | None, int]:
    try:
        submission: Submission = read()
    except RequestEntityTooLarge:
        return unreadable_report(_too_large()), None, 413
    except BadgesError as exc:  # IntakeError, or a core InputError from a bad image
        status = 413 if exc.code == "input_too_large" else 422
        return unreadable_report(exc), None, status
    report, status = verify_submission(_state(), submission, _recipient())
    g.verdict = report.verdict  # counted by a host app's metrics (issuer.web.ops)
    return report, submission, status


def verify_submission(state: VerifierState, submission: Submission, recipient: str | None,
                      ) -> tuple[VerificationReport | ClrReport, int]:
    """Verify what a request submitted: the report and the HTTP status to answer with.

    A costly credential (by its length, then by its JSON values) is admitted
    only while the process's share for them lasts (:mod:`verifier.admission`);
    a CLR 2.0 record is verified with every credential in it (issue #20).

    Raises:
        Busy: costly credentials have had their share for now (answer 429).
    """
    verifier = state.verifier
    # a long body is costly before it is parsed; else its JSON values predict the cost
    costly = costly_by_size(submission.data)
    if costly:
        state.costly.admit()  # raises Busy while costly credentials have had their share
    data, size = verifier.read_sized(submission.data)  # parsed once for both questions
    if not costly and is_costly(size.values, size.depth, len(submission.data)):
        costly = True
        state.costly.admit()
    started = time.thread_time()
    try:
        record = verifier.clr_of(data)
        if record is not None:
            return verifier.verify_clr(record), 200
        report = verifier.verify(data, recipient=recipient)
    finally:
        spent = time.thread_time() - started
        if costly or spent > COSTLY_CPU_SECONDS:
            state.costly.charge(spent)
    fmt = report.check("format")
    status = 413 if fmt is not None and fmt.code == "input_too_large" else \
        422 if report.verdict == "unreadable" else 200
    return report, status


def api_payload(report: VerificationReport | ClrReport,
                submission: Submission | None) -> dict[str, Any]:
    """The JSON answer of ``POST /api/v1/verify`` (without a receipt)."""
    source = submission.to_json() if submission else None
    if isinstance(report, ClrReport):
        return {**report.to_json(), "source": source}
    return report_json(report, source=source)


@bp.post("/api/v1/verify")
def verify_api() -> Response:
    """Verify one credential and return the report (``?receipt=true`` adds a receipt)."""
    report, submission, status = _verify_request(_api_submission)
    payload = api_payload(report, submission)
    if isinstance(report, VerificationReport) and \
            request.args.get("receipt", "").lower() in ("1", "true", "yes"):
        payload["receipt"] = _state().receipts.issue(
            report, submission=submission, now=_state().verifier.clock(),
            requested_by=request.args.get("requested_by"))
    return _json_response(payload, status)


def packaged_openapi(package: str) -> Response:
    """The OpenAPI document shipped in ``package`` (``openapi.json``), cacheable for an hour."""
    text = resources.files(package).joinpath("openapi.json").read_text("utf-8")
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    """The API's OpenAPI 3.1 description."""
    return packaged_openapi("verifier")


@bp.get("/api/v1/verifier")
def about() -> Response:
    """Who this verifier is: the name and key its receipts are signed with."""
    state = _state()
    return _json_response({**state.receipts.describe(), "languages": list(LANGUAGES),
                           "registry": state.settings.registry is not None})


@bp.post("/api/v1/receipts/verify")
def check_receipt_api() -> Response:
    """Check a verification receipt's signature (and whether this verifier issued it)."""
    try:
        document = parse_json(request.get_data(cache=False))
    except RequestEntityTooLarge:
        return _json_response({"verified": False, "error": {"code": "input_too_large"}}, 413)
    except BadgesError as exc:
        return _json_response({"verified": False, "error": {"code": exc.code,
                                                             "message": exc.message}}, 422)
    if not isinstance(document, dict):
        return _json_response({"verified": False, "error": {"code": "not_a_receipt"}}, 422)
    report = check_receipt(document)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return _json_response({**report.to_json(),
                           "issued_by_this_verifier": issuer_id == _state().receipts.did})


# ----------------------------------------------------------------------------- page


def _lang() -> str:
    requested = request.form.get("lang") if request.method == "POST" else None
    return choose_language(requested or request.args.get("lang"), request.accept_languages)


def _page(template: str, lang: str, status: int = 200, **context: Any) -> Response:
    t = Translator(lang)
    html = render_template(template, t=t, lang=lang, languages=LANGUAGE_NAMES, **context)
    response = Response(encodable(html), status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


def wants_page() -> bool:
    """True when a browser asks (``text/html`` preferred), never under ``/api/``."""
    if request.path.startswith("/api/"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == \
        "text/html"


def error_page(status: int) -> Response:
    """The form, with a sentence saying why the address asked for is not a page (404...)."""
    lang = choose_language(request.args.get("lang"), request.accept_languages)
    key = "page_not_found" if status in (404, 410) else \
        "page_server_error" if status >= 500 else "page_error"
    return _page("verifier/form.html", lang, status, error=Translator(lang)(key))


@bp.get("/verify")
def verify_form() -> Response:
    """The form: paste, upload, or a QR code picture; ``?url=LINK`` verifies a link at once.

    The link form lets a share page, an e-mail or an applicant-tracking
    system link straight to a verification ("check this badge"); the link
    goes through the same SSRF-safe fetcher as a pasted one.
    """
    lang = _lang()
    link = request.args.get("url", "").strip()
    if not link:
        return _page("verifier/form.html", lang)
    if not is_link(link):
        return _page("verifier/form.html", lang, 400, error=Translator(lang)("not_a_link"))
    fetcher = _links()
    report, submission, status = _verify_request(lambda: from_link(link, fetcher=fetcher))
    return _report_page(lang, report, submission, status)


def _uploaded(fields: tuple[str, str]) -> Submission | None:
    """The first non-empty uploaded file among ``fields`` (``qr`` is a QR code picture)."""
    for field_name in fields:
        upload = request.files.get(field_name)
        data = _read_file(upload) if upload is not None else b""
        if data:
            return from_upload(data, filename=upload.filename if upload else None,
                               fetcher=_links(), qr=field_name == "qr")
    return None


def _form_submission() -> Submission | None:
    uploaded = _uploaded(("qr", "file"))
    if uploaded is not None:
        return uploaded
    text = request.form.get("credential", "")
    if text.strip():
        return from_text(text, fetcher=_links())
    return None


def _safe_link(value: Any) -> str | None:
    """A link from the credential, shown only when it is http(s)."""
    if not isinstance(value, str):
        return None
    scheme = urlsplit(value).scheme.lower()
    return value if scheme == "https" or (scheme == "http" and _state().settings.development) \
        else None


def _safe_image(value: Any) -> str | None:
    """The credential's image as a ``data:`` URI the page can show, or None.

    A ``data:`` image is used as it is; an http(s) image is fetched here
    through the SSRF-safe fetcher (a short budget, at most
    :data:`MAX_IMAGE_BYTES`), and kept only if its bytes are a PNG, JPEG,
    GIF, WebP or SVG image. The reader's browser never loads it from the
    credential's host. An image the deployment publishes itself (its badge
    art) is read through ``local_images``, so the verifier shows the same
    picture as the share page, without a request to its own address.
    """
    if not isinstance(value, str):
        return None
    if value.startswith(_IMAGE_PREFIXES) and ";base64," in value[:40]:
        return value
    local = _state().local_images
    own = local(value) if local is not None else None
    if own is not None:
        media = image_type(own)
        return None if media is None else \
            f"data:{media};base64," + base64.b64encode(own).decode("ascii")
    fetcher = _state().verifier.fetcher
    if fetcher is None or _safe_link(value) is None:
        return None
    try:
        fetched = fetcher.fetch_bytes(value, accept=_IMAGE_ACCEPT, max_bytes=MAX_IMAGE_BYTES,
                                      budget=Budget.start(fetches=1, seconds=5.0))
    except BadgesError:
        return None
    media = image_type(fetched.body)
    if media is None:
        return None
    return f"data:{media};base64," + base64.b64encode(fetched.body).decode("ascii")


@bp.post("/verify")
def verify_submit() -> Response:
    """Verify what the form sent and show the report."""
    try:
        lang = _lang()
    except RequestEntityTooLarge:
        lang = choose_language(request.args.get("lang"), request.accept_languages)
        return _report_page(lang, unreadable_report(_too_large()), None, 413)
    empty = False

    def read() -> Submission:
        nonlocal empty
        submission = _form_submission()
        if submission is None:
            empty = True
            raise IntakeError("nothing was submitted", code="empty")
        return submission

    report, submission, status = _verify_request(read)
    if empty:
        return _page("verifier/form.html", lang, 400, error=Translator(lang)("nothing"))
    return _report_page(lang, report, submission, status)


def _clr_page(lang: str, report: ClrReport, submission: Submission | None) -> Response:
    """The CLR result page: the record's verdict, then each credential by name (issue #20)."""
    record = report.record.credential or {}
    issuer = record.get("issuer")
    response = _page(
        "verifier/clr_report.html", lang, 200, clr=report, ct=ClrTexts(lang),
        verdict=report.verdict.value, verdict_title=verdict_key(report.verdict.value),
        ok=sum(1 for c in report.credentials if c.verdict == "verified"),
        issuer_name=issuer.get("name") if isinstance(issuer, Mapping) else None,
        issued=record.get("validFrom"), partial=record.get("partial") is True,
        max_embedded=MAX_EMBEDDED, submission=submission)
    response.headers["Cache-Control"] = "no-store"
    return response


def _report_page(lang: str, report: VerificationReport | ClrReport,
                 submission: Submission | None, status: int) -> Response:
    if isinstance(report, ClrReport):
        return _clr_page(lang, report, submission)
    state = _state()
    now = state.verifier.clock()
    requested_by = None
    try:
        requested_by = request.form.get("requested_by")
    except RequestEntityTooLarge:
        pass
    receipt = state.receipts.issue(report, submission=submission, now=now,
                                   requested_by=requested_by)
    receipt_href = "data:application/json;base64," + base64.b64encode(
        json.dumps(receipt, indent=2, ensure_ascii=False).encode("utf-8")).decode("ascii")
    facts = summary(report)
    image = facts.get("image") or {}
    decision = report.decision
    word = decision.verdict.value
    trust = report.check("issuer_trust")
    explanation = explanation_key(decision, report.format)
    response = _page(
        "verifier/report.html", lang, status, report=report, verdict=word, facts=facts,
        verdict_title=verdict_key(word, report.format),
        explanation=explanation, trust=trust, submission=submission,
        image_src=_safe_image(image.get("id")), image_caption=image.get("caption"),
        criteria_url=_safe_link(facts.get("criteria_url")), safe_link=_safe_link,
        credential_json=json.dumps(report.credential, indent=2, ensure_ascii=False)
        if report.credential else None,
        receipt_href=receipt_href, receipt_name=f"verification-receipt-{now:%Y-%m-%d}.json",
        receipt_json=json.dumps(receipt, ensure_ascii=False), checked_at=now,
        requested_by=receipt["credentialSubject"].get("requestedBy"),
        verifier_name=state.receipts.name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _receipt_text() -> str | bytes:
    """The receipt the form sent: an uploaded file, else the ``receipt`` field."""
    upload = request.files.get("file")
    data = _read_file(upload) if upload is not None else b""
    return data or request.form.get("receipt", "")


@bp.get("/verify/receipt")
def receipt_form() -> Response:
    """A form to open a receipt file kept in a hiring file, to check and print it."""
    return _page("verifier/receipt.html", _lang(), receipt=None)


@bp.post("/verify/receipt")
def receipt_page() -> Response:
    """A receipt as a printable page, after checking its signature.

    The report page posts the receipt it just signed here (the verifier keeps
    nothing between requests); a receipt file kept in a hiring file can be
    uploaded later. The page is headed by the signature's state: an altered
    receipt is never shown as if it were genuine, its content only appears
    under "What the receipt says (not verified)" (VC Data Integrity §4.4).
    """
    _state().spend("verification")
    try:
        lang = _lang()
        document = parse_json(_receipt_text())
    except RequestEntityTooLarge:
        lang = choose_language(request.args.get("lang"), request.accept_languages)
        return _page("verifier/receipt.html", lang, 413, receipt=None,
                     error=Translator(lang)("receipt_too_large"))
    except BadgesError:
        document = None
    if not isinstance(document, dict) or not isinstance(
            document.get("credentialSubject"), dict):
        return _page("verifier/receipt.html", lang, 422, receipt=None,
                     error=Translator(lang)("receipt_not_a_receipt"))
    report = check_receipt(document)
    if any(c.code == "not_a_receipt" for c in report.checks):
        return _page("verifier/receipt.html", lang, 422, receipt=None,
                     error=Translator(lang)("receipt_not_a_receipt"))
    issuer = document.get("issuer")
    signer = issuer if isinstance(issuer, dict) else {"id": issuer}
    subject = document["credentialSubject"]
    when = subject.get("verifiedAt")
    moment = None
    if isinstance(when, str):
        try:
            moment = parse_datetime(when)
        except (TypeError, ValueError):
            moment = None
    checks = [c for c in subject.get("checks") or [] if isinstance(c, dict)]
    facts = subject.get("credential") if isinstance(subject.get("credential"), dict) else {}
    source = subject.get("input") if isinstance(subject.get("input"), dict) else {}
    response = _page(
        "verifier/receipt.html", lang, receipt=document, genuine=report.verified,
        ours=signer.get("id") == _state().receipts.did, signer=signer, subject=subject,
        moment=moment, checks=checks, facts=facts, source=source,
        result=str(subject.get("result") or ""),
        receipt_href="data:application/json;base64," + base64.b64encode(
            json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")).decode("ascii"))
    response.headers["Cache-Control"] = "no-store"
    return response


#: Headers of every answer (unless the view set its own).
SAFETY_HEADERS: tuple[tuple[str, str], ...] = (("X-Content-Type-Options", "nosniff"),
                                               ("Referrer-Policy", "no-referrer"))
#: Headers of every API answer: any web page may call the API (no cookies are involved).
API_HEADERS: tuple[tuple[str, str], ...] = (("Access-Control-Allow-Origin", "*"),
                                            ("Access-Control-Allow-Headers", "Content-Type"),
                                            ("Access-Control-Allow-Methods", "GET, POST"))


@bp.after_request
def _headers(response: Response) -> Response:
    for name, value in SAFETY_HEADERS:
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _state().content_security_policy
    if request.path.startswith("/api/"):
        for name, value in API_HEADERS:
            response.headers[name] = value
    return response
