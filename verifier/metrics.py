"""The verifier's Prometheus metrics.

They are registered in the client library's default registry, so the district
service's ``/metrics`` (:mod:`issuer.metrics`) serves them with its own, every
worker's figures added up in multi-process mode. Counters only: they add up
across processes.
"""

from __future__ import annotations

from prometheus_client import Counter

RATE_LIMIT_FALLBACKS = Counter(
    "badges_rate_limit_fallbacks",
    "Rate-limit decisions a process took with its own buckets because the shared Redis "
    "could not be reached, by limit (verification, link).", ["limit"])
