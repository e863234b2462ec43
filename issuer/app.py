"""The district service's Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask import jsonify
from werkzeug.exceptions import HTTPException

from issuer.config import Settings
from issuer.config import load_settings
from issuer.db import Database
from issuer.services.errors import ServiceError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the service: configuration, database, public pages, APIs, verifier.

    Args:
        overrides: settings that take precedence over ``BADGES_*`` variables
            (tests), e.g. ``{"database_url": ..., "env": "testing"}``.

    Raises:
        issuer.config.ConfigError: when required configuration is missing.
    """
    settings = load_settings(overrides=overrides)
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=25 * 1024 * 1024,
                      JSON_SORT_KEYS=False, TESTING=settings.env == "testing")
    database = Database(settings.database_url)
    app.extensions["badges"] = {"settings": settings, "db": database}

    from issuer.web import api
    from issuer.web import batches
    from issuer.web import certificates
    from issuer.web import public
    from issuer.web import status
    from verifier.web import bp as verifier_bp

    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(batches.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(verifier_bp)

    from issuer.web import auth as workflow_web  # evidence-and-review workflow (issue #4)

    workflow_web.init_app(app, overrides)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        return jsonify(error={"code": exc.code, "message": exc.message}), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        response = jsonify(error={"code": code, "message": exc.description})
        # keep what the exception says for HTTP itself (Allow on a 405, Retry-After...)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, exc.code or 500

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
