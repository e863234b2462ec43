"""Operations: ``/healthz``, ``/readyz``, ``/metrics``, request ids and JSON request logs.

* ``GET /healthz``: the process is up and answers (liveness; touches nothing else).
* ``GET /readyz``: the database answers, its schema is at the newest migration,
  the file storage answers (:mod:`issuer.storage`), and Redis answers when
  ``BADGES_REDIS_URL`` is set (readiness; 503 with the
  failing check otherwise). Both answer JSON.
* ``GET /metrics``: Prometheus text format (:mod:`issuer.metrics`). Probes and scrapes
  are counted in the metrics but not written to the request log.
* Every request gets an id: the caller's ``X-Request-Id`` when it is a plain
  token (letters, digits, ``._:-``, at most 128), else a new one; it is echoed
  in the response's ``X-Request-Id`` and stamped on every log line written
  while the request runs. One JSON line per request goes to the
  ``badges.access`` logger (method, path without the query string, endpoint,
  status, duration): a query string may hold a recipient's e-mail address.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import has_request_context
from flask import jsonify
from flask import request

from issuer import metrics

bp = Blueprint("ops", __name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (``extra=`` fields become keys)."""
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {"time": stamp.replace("+00:00", "Z"),
                                 "level": record.levelname.lower(), "logger": record.name,
                                 "message": record.getMessage()}
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Stamps the current request's id on records written while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``request_id`` (never drops a record)."""
        if not getattr(record, "request_id", None) and has_request_context():
            record.request_id = g.get("request_id")
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (a test harness may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record to the current standard error."""
        self.stream = sys.stderr
        super().emit(record)


def configure_logging() -> None:
    """JSON lines on stderr for the service's loggers (once per process).

    ``badges.access`` (one line per request) and the ``issuer`` and
    ``verifier`` packages' own loggers (e.g. an unhandled error), each line
    with the request id when written during a request.
    """
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    for name in ("badges", "issuer", "verifier"):
        logger = logging.getLogger(name)
        if any(isinstance(h, _StderrHandler) for h in logger.handlers):
            continue
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-Id"] = rid
    started = g.get("started")
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"  # one label for every unknown path
    metrics.REQUEST_LATENCY.labels(endpoint, request.method).observe(elapsed)
    metrics.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    verdict = g.get("verdict")
    if isinstance(verdict, str):
        metrics.VERIFICATIONS.labels(verdict).inc()
    if endpoint not in ("ops.metrics_page", "ops.health", "ops.ready"):  # probes, scrapes
        logging.getLogger("badges.access").info(
            "request", extra={"request_id": rid, "method": request.method, "path": request.path,
                              "endpoint": endpoint, "status": response.status_code,
                              "duration_ms": round(elapsed * 1000, 2)})
    return response


def init_app(app: Flask) -> None:
    """Register the endpoints, request ids, metrics and JSON logs on ``app``."""
    configure_logging()
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)


@bp.get("/healthz")
def health() -> Response:
    """Liveness: this process is up and answers (checks nothing else)."""
    return jsonify(status="ok")


def _check_database() -> dict[str, Any]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from issuer.migrate import alembic_config
    from issuer.web.common import session
    from issuer.web.common import settings

    script = ScriptDirectory.from_config(alembic_config(settings().database_url))
    heads = set(script.get_heads())
    connection = session().connection()
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        return {"ok": False, "error": "migrations_pending",
                "current": sorted(current), "expected": sorted(heads)}
    return {"ok": True, "revision": sorted(current)}


def _check_redis(url: str) -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


@bp.get("/readyz")
def ready() -> Response:
    """Readiness: database reachable and migrated, storage reachable, Redis when configured.

    200 ``{"status": "ready", "checks": {...}}`` or 503 ``{"status":
    "not_ready", ...}`` naming each failing check and why.
    """
    from issuer.jobs.config import load_job_settings

    checks: dict[str, dict[str, Any]] = {}
    try:
        checks["database"] = _check_database()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said plainly
        checks["database"] = {"ok": False, "error": "unreachable",
                              "detail": type(exc).__name__}
    redis_url = load_job_settings().redis_url
    if redis_url:
        try:
            checks["redis"] = _check_redis(redis_url)
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = {"ok": False, "error": "unreachable",
                               "detail": type(exc).__name__}
    try:
        from issuer.storage import storage_for
        from issuer.web.common import settings

        files = storage_for(settings())
        files.check()
        checks["storage"] = {"ok": True, "backend": files.kind}
    except Exception as exc:  # noqa: BLE001
        checks["storage"] = {"ok": False, "error": "unreachable", "detail": type(exc).__name__}
    ready_now = all(check["ok"] for check in checks.values())
    response = jsonify(status="ready" if ready_now else "not_ready", checks=checks)
    response.status_code = 200 if ready_now else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics_page() -> Response:
    """Prometheus metrics (text exposition format 0.0.4)."""
    response = Response(metrics.exposition(), mimetype="text/plain")
    response.headers["Content-Type"] = metrics.CONTENT_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response
