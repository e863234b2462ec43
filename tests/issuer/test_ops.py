"""Operations endpoints on SQLite and PostgreSQL: health, readiness, metrics, request ids, logs."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.issuer import seed

TOKEN = "test-token-ops"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    seed.districts_with_tokens(app, TOKEN, "test-token-ops-other")
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_healthz_says_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_its_migrations(app: Flask, client: FlaskClient) -> None:
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["revision"]  # the head the service runs on
    assert "redis" not in body["checks"]  # no BADGES_REDIS_URL: not a dependency
    # a database one migration behind is not ready, and says which revision it expects
    with app.extensions["badges"]["db"].session() as session:
        session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    behind = client.get("/readyz")
    assert behind.status_code == 503
    check = behind.get_json()["checks"]["database"]
    assert check["ok"] is False and check["error"] == "migrations_pending"
    assert check["current"] == ["0001"] and check["expected"] == body["checks"]["database"][
        "revision"]


def test_readyz_reports_an_unreachable_redis(client: FlaskClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # a loopback port nobody listens on: the connection is refused at once
    monkeypatch.setenv("BADGES_REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not_ready"
    assert body["checks"]["redis"] == {"ok": False, "error": "unreachable",
                                       "detail": "ConnectionError"}
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.rq
def test_readyz_pings_a_configured_redis(client: FlaskClient,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("BADGES_REDIS_URL",
                       os.environ.get("BADGES_TEST_REDIS", "redis://127.0.0.1:6379/0"))
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["redis"] == {"ok": True}


def test_metrics_count_requests_verdicts_and_awards(app: Flask, client: FlaskClient) -> None:
    before = client.get("/metrics").data.decode()
    awarded = client.post("/api/v1/issuers/lakeside/awards",
                          headers={"Authorization": f"Bearer {TOKEN}"},
                          json={"achievement": "blended-learning-design",
                                "email": "tom@lakeside.example.org", "name": "Tom Nakamura"})
    assert awarded.status_code == 201, awarded.get_json()
    verified = client.post("/api/v1/verify", data=json.dumps(awarded.get_json()["credential"]),
                           content_type="application/json")
    assert verified.get_json()["verified"] is True
    client.post("/api/v1/verify", data=b"\x00garbage", content_type="text/plain")
    refused = client.post("/api/v1/issuers/lakeside/awards", json={"achievement": "x"})
    assert refused.status_code == 401  # no token: no award counted
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    after = response.data.decode()

    def delta(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert delta("badges_awards_total", format="di") == 1
    assert delta("badges_verifications_total", verdict="verified") == 1
    assert delta("badges_verifications_total", verdict="unreadable") == 1
    assert delta("badges_http_request_duration_seconds_count",
                 endpoint="verifier.verify_api", method="POST") == 2
    assert delta("badges_http_requests_total", endpoint="api.award", method="POST",
                 status="201") == 1
    assert delta("badges_http_requests_total", endpoint="api.award", method="POST",
                 status="401") == 1


def test_an_unreachable_rate_limit_redis_is_counted_in_the_metrics(
        make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's verifier keeps its rate limits in BADGES_REDIS_URL; when that is
    down, each request is limited by the process instead, counted, and never a 500."""
    from tests.s3server import free_port

    monkeypatch.setenv("BADGES_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("BADGES_VERIFIER_RATE_LIMIT", "20")  # a burst of 10
    client = make_app().test_client()
    before = client.get("/metrics").data.decode()
    codes = [client.post("/api/v1/verify", data=b"\x00garbage",
                         content_type="text/plain").status_code for _ in range(11)]
    assert 500 not in codes and 429 not in codes[:10] and codes[10] == 429  # 422: unreadable
    after = client.get("/metrics").data.decode()
    assert _sample(after, "badges_rate_limit_fallbacks_total", limit="verification") \
        - _sample(before, "badges_rate_limit_fallbacks_total", limit="verification") == 11


def test_a_rolled_back_award_is_not_counted(app: Flask) -> None:
    from issuer import metrics
    from issuer.services import issuance

    before = metrics.AWARDS.labels("di")._value.get()
    ctx = seed.app_context(app)
    with pytest.raises(RuntimeError), app.extensions["badges"]["db"].session() as session:
        issuance.award(session, ctx, issuer="lakeside", achievement="blended-learning-design",
                       email="ann@lakeside.example.org", name="Ann", actor="test",
                       now=seed.now_of(app), fmt="di")
        raise RuntimeError("the caller fails after the award: the transaction rolls back")
    assert metrics.AWARDS.labels("di")._value.get() == before


def test_request_ids_are_echoed_or_made(client: FlaskClient) -> None:
    given = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a:42"})
    assert given.headers["X-Request-Id"] == "lb-7f3a:42"
    made = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    # a header that could forge log lines is replaced, not echoed
    forged = client.get("/healthz", headers={"X-Request-Id": 'x" injected=1'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-Id"])
    assert client.get("/nothing-here", headers={"X-Request-Id": "r-404"}).headers[
        "X-Request-Id"] == "r-404"


def test_each_request_writes_one_json_log_line(client: FlaskClient) -> None:
    from issuer.web.ops import JsonFormatter

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    keep = Keep()
    logging.getLogger("badges.access").addHandler(keep)
    try:
        client.get("/verify?recipient=maria@lakeside.example.org",
                   headers={"X-Request-Id": "req-1"})
        client.get("/healthz")  # probes are not logged
    finally:
        logging.getLogger("badges.access").removeHandler(keep)
    records = keep.records
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-1" and line["message"] == "request"
    assert line["method"] == "GET" and line["path"] == "/verify" and line["status"] == 200
    assert line["endpoint"] == "verifier.verify_form" and line["duration_ms"] >= 0
    assert line["time"].endswith("Z") and line["level"] == "info"
    assert "maria" not in json.dumps(line)  # the query string (an address) is not logged


def test_readyz_reports_an_unreachable_database(make_app: Callable[..., Flask], db_url: str,
                                                tmp_path: Path) -> None:
    # PostgreSQL on a loopback port nobody listens on; SQLite in a folder that does not exist
    gone = "postgresql://postgres@127.0.0.1:1/none" if db_url.startswith("postgresql") \
        else f"sqlite:///{tmp_path / 'no-such-folder' / 'badges.db'}"
    client = make_app(database_url=gone).test_client()
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not_ready"
    assert body["checks"]["database"] == {"ok": False, "error": "unreachable",
                                          "detail": "OperationalError"}
