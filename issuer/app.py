"""The district service's Flask application factory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from badges_templates import ROOT as TEMPLATES
from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.services.context import IssuerContext
from issuer.services.published import OwnIssuers
from issuer.services.published import PublishedDocuments
from issuer.workflow.config import load_workflow_settings


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the service: configuration, database, public pages, APIs, verifier.

    Args:
        overrides: settings that take precedence over ``BADGES_*`` variables
            (tests), e.g. ``{"database_url": ..., "env": "testing"}``.

    Raises:
        issuer.config.ConfigError: when required configuration is missing.
    """
    settings = load_settings(overrides=overrides)
    workflow = load_workflow_settings(settings, overrides=overrides)
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=25 * 1024 * 1024,
                      JSON_SORT_KEYS=False, TESTING=settings.env == "testing",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=workflow.secure_cookies,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=10))
    if settings.trusted_proxies:
        # the client address (sign-in throttle, verifier rate limits, audit) and scheme
        # from X-Forwarded-For/-Proto, trusting only the hops our own proxies added
        app.wsgi_app = ProxyFix(app.wsgi_app,  # type: ignore[method-assign]
                                x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)
    database = Database(settings.database_url)
    app.extensions["badges"] = {"settings": settings, "db": database}
    app.extensions["workflow"] = workflow

    from issuer.web import api
    from issuer.web import artwork
    from issuer.web import audit
    from issuer.web import auth
    from issuer.web import authoring
    from issuer.web import authoring_api
    from issuer.web import batches
    from issuer.web import catalogue
    from issuer.web import certificates
    from issuer.web import credentials
    from issuer.web import dashboard
    from issuer.web import headers
    from issuer.web import oid4vci
    from issuer.web import partners
    from issuer.web import pathways
    from issuer.web import pathways_api
    from issuer.web import public
    from issuer.web import reviews
    from issuer.web import status
    from issuer.web import submissions
    from issuer.web import vcapi
    from issuer.web import wallet
    from verifier import web as verifier_web

    context = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
    published = PublishedDocuments(database, context, settings.clock)
    verifier_web.init_app(app, clock=settings.clock, own_url=settings.base_url, local=published,
                          own_issuers=OwnIssuers(database, settings.base_url),
                          local_images=published.image)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(authoring_api.bp, url_prefix="/api/v1")
    app.register_blueprint(pathways_api.bp, url_prefix="/api/v1")
    for blueprint in (batches.bp, certificates.bp, status.bp, verifier_web.bp, auth.bp,
                      catalogue.bp, submissions.bp, reviews.bp, wallet.bp, dashboard.bp,
                      credentials.bp, audit.bp, artwork.bp, authoring.bp, oid4vci.bp,
                      oid4vci.wallet_bp, partners.bp, pathways.bp, vcapi.bp):
        app.register_blueprint(blueprint)
    from issuer.web import obapi

    obapi.init_app(app)  # the 1EdTech Open Badges 3.0 API and its OAuth 2.0 server
    headers.init_app(app, production=settings.env == "production")
    from issuer.web import ops

    ops.init_app(app)  # /healthz, /readyz, /metrics, request ids, JSON request logs

    from issuer.web import errors

    errors.init_app(app)  # a page in the reader's language for browsers, JSON for programs
    from issuer.web import language

    language.init_app(app)  # every page's words and dates in the reader's language

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        from issuer.web.common import close_session

        close_session()

    return app


def settings_of(app: Flask) -> Settings:
    """The app's :class:`Settings`."""
    settings: Settings = app.extensions["badges"]["settings"]
    return settings


def database_of(app: Flask) -> Database:
    """The app's :class:`Database`."""
    database: Database = app.extensions["badges"]["db"]
    return database
