"""What the verifier's guards cost: verifications per second with and without them, one run.

Usage::

    .venv/bin/python bench/guards.py [--seconds 5] [--credentials 200]

The same credentials as ``bench/verify_load.py`` (a typical district
micro-credential with a revocation and a suspension entry, its issuer's
``did:web`` document and two signed status lists served on loopback) are
verified in this process, status lists cached, two ways in turns:

* **guarded**: :class:`verifier.service.Verifier` as the service runs it: a
  fresh fetch budget per verification, the byte-bounded LRU document cache,
  the deadline bookkeeping, and a rate-limiter token per request;
* **bare**: :func:`badges.verify.verify_credential` over a plain dict of
  the same documents, with the same status-list signature memo, and no
  guard at all: the floor the guards add to.

Rates are per second of this process's CPU time, which other work on the
machine disturbs far less than wall-clock time. It prints both rates and
their ratio; the issue's goal is a ratio of at least 0.95 (guards cost
under 5% of throughput).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from verify_load import _free_port  # noqa: E402
from verify_load import document_server  # noqa: E402
from verify_load import issuer_documents  # noqa: E402

from badges.status import make_status_checker  # noqa: E402
from badges.trust import TrustRegistry  # noqa: E402
from badges.verify import verify_credential  # noqa: E402
from verifier.fetch import Fetcher  # noqa: E402
from verifier.fetch import FetchPolicy  # noqa: E402
from verifier.ratelimit import RateLimiter  # noqa: E402
from verifier.service import ListVerifications  # noqa: E402
from verifier.service import Verifier  # noqa: E402

NOW_ISO = "2026-06-01T12:00:00+00:00"


def _rate(verify: Any, bodies: list[Any], seconds: float) -> float:
    """Verifications per second of this process's CPU time (other load disturbs it little)."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        report = verify(bodies[done % len(bodies)])
        if not report.verified:
            raise SystemExit(f"not verified: {report.to_json()}")
        done += 1
    return done / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per measurement")
    parser.add_argument("--rounds", type=int, default=12, help="pairs of measurements")
    parser.add_argument("--credentials", type=int, default=200)
    args = parser.parse_args()
    from datetime import datetime

    now = datetime.fromisoformat(NOW_ISO)
    port = _free_port()
    documents, raw = issuer_documents(port, args.credentials)
    bodies = [json.loads(b) for b in raw]
    loopback = frozenset({"127.0.0.1"})
    with tempfile.TemporaryDirectory(), document_server(documents, port):
        # both sides know the issuer, so both judge trust and answer "verified"
        known = TrustRegistry(issuers={f"did:web:127.0.0.1%3A{port}:issuers:lakeside":
                                       "Lakeside Unified School District"}, name="bench")
        verifier = Verifier(fetcher=Fetcher(FetchPolicy(allow_hosts=loopback,
                                                        allow_http=loopback)),
                            clock=lambda: now, registry=known)
        limiter = RateLimiter(per_minute=10**9, burst=10**9)

        def guarded(body: Any) -> Any:
            limiter.take("127.0.0.1")
            return verifier.verify(body)

        plain: dict[str, Any] = {}
        network = Fetcher(FetchPolicy(allow_hosts=loopback, allow_http=loopback))

        def fetch(target: str) -> Any:
            found = plain.get(target)
            if found is None:
                found = plain[target] = network(target)
            return found

        lists = ListVerifications(fetch)

        def bare(body: Any) -> Any:
            checker = make_status_checker(fetch_document=fetch, now=now,
                                          verify_list=partial(lists, fetch=fetch))
            return verify_credential(body, now=now, fetch_document=fetch, check_status=checker,
                                     registry=known)

        for verify in (guarded, bare):  # warm both: caches, shapes, imports
            _rate(verify, bodies, 1.0)
        rates: dict[str, list[float]] = {"guarded": [], "bare": []}
        load = os.getloadavg()[0]
        for n in range(args.rounds):  # alternate which goes first
            order = (("guarded", guarded), ("bare", bare))
            for name, verify in order if n % 2 == 0 else order[::-1]:
                rates[name].append(_rate(verify, bodies, args.seconds))
    best = {k: statistics.median(v) for k, v in rates.items()}
    # each pair was measured back to back: the median of their ratios shrugs off drift
    ratio = statistics.median(g / b for g, b in zip(rates["guarded"], rates["bare"],
                                                     strict=True))
    print(f"In-process full verification, status lists cached, {len(bodies)} distinct "
          f"credentials, median of {args.rounds} pairs x {args.seconds:g} s of CPU each "
          f"(load {load:.2f})")
    print(f"  guarded  {best['guarded']:>8,.0f} verifications per CPU-second")
    print(f"  bare     {best['bare']:>8,.0f} verifications per CPU-second")
    print(f"  guarded / bare = {ratio:.3f}  (goal >= 0.95: guards cost "
          f"{(1 - ratio) * 100:.1f}% of throughput)")


if __name__ == "__main__":
    main()
