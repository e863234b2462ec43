"""The verifier on its own: ``verifier.create_app()`` for schools that run their own.

It serves the verification page (``/verify``, also at ``/``), the JSON API and
its OpenAPI description, with no database and no state between requests.
Configuration comes from ``BADGES_VERIFIER_*`` variables (see
:mod:`verifier.config`); development, the default, needs none. Run it with
any WSGI server, for example::

    gunicorn --workers 2 'verifier:create_app()'

With more than one worker or host, set ``BADGES_VERIFIER_REDIS_URL`` so the
per-client rate limits are counted once for all of them (:mod:`verifier.ratelimit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from badges_templates import ROOT as TEMPLATES
from verifier.config import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the standalone verifier.

    Args:
        config: settings that take precedence over the environment (tests),
            e.g. ``{"env": "testing", "fetch_allow_hosts": "127.0.0.1:8443",
            "registry": "known-issuers.yaml", "instance_path": "/srv/verifier"}``.

    Raises:
        verifier.config.VerifierConfigError: for bad settings or an unreadable registry.
    """
    from verifier import web
    from verifier.fastpath import VerifyFastPath

    settings = load_settings(overrides=config)
    app = Flask("verifier", template_folder=str(TEMPLATES),
                instance_path=str(settings.instance_path))
    app.config.update(TESTING=settings.env == "testing",
                      MAX_CONTENT_LENGTH=settings.max_upload_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    web.init_app(app, settings)
    app.register_blueprint(web.bp)
    # plain JSON verifications skip Flask's request machinery (verifier.fastpath); inside
    # ProxyFix, so that they are rate-limited by the same client address
    app.wsgi_app = VerifyFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxies:
        # the client address (rate limits, receipts) from X-Forwarded-For, set by our proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=settings.trusted_proxies)

    @app.get("/")
    def home() -> Any:
        lang = request.args.get("lang")
        target = url_for("verifier.verify_form", lang=lang) if lang else \
            url_for("verifier.verify_form")
        return redirect(target)

    @app.get("/healthz")
    def health() -> Response:
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if web.wants_page():  # a person: the form, saying what went wrong (issue #18)
            return web.error_page(exc.code or 500)
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": exc.description}), exc.code or 500

    return app
