"""Prometheus metrics: request latency by endpoint, verifications by verdict, awards.

Served at ``/metrics`` (:mod:`issuer.web.ops`) in the Prometheus text
exposition format. Under the production server (:mod:`issuer.server`) each
worker process writes its figures to files in ``PROMETHEUS_MULTIPROC_DIR``
and a scrape of any worker adds up every worker's (the client library's
multi-process mode), so the figures do not depend on which worker answers.

Only counters and histograms are used: they add up across processes
without a per-metric mode.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
import sqlalchemy.orm as so
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

#: Buckets (seconds) around the service's goals: verify p99 20 ms, lists 100 ms, awards 250 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "badges_http_request_duration_seconds",
    "Time to answer an HTTP request, by Flask endpoint and method.",
    ["endpoint", "method"], buckets=LATENCY_BUCKETS)
REQUESTS = Counter(
    "badges_http_requests", "HTTP requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"])
VERIFICATIONS = Counter(
    "badges_verifications", "Credentials verified through the web or API, by verdict.",
    ["verdict"])
AWARDS = Counter(
    "badges_awards", "Credentials awarded (API, review, command; counted when the award's "
    "transaction commits), by format.", ["format"])

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """Every metric in the text format: all workers' figures in multi-process mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


_PENDING = "badges_metrics_awards"


def award_pending(session: so.Session, fmt: str) -> None:
    """Count an award of format ``fmt`` once ``session`` commits (a rollback drops it)."""
    session.info.setdefault(_PENDING, []).append(fmt)


@sa.event.listens_for(so.Session, "after_commit")
def _count_committed(session: so.Session) -> None:
    for fmt in session.info.pop(_PENDING, ()):
        AWARDS.labels(fmt).inc()


@sa.event.listens_for(so.Session, "after_rollback")
def _drop_rolled_back(session: so.Session) -> None:
    session.info.pop(_PENDING, None)
