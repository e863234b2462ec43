"""Certificates per second: one at a time, and a batch on a process pool.

Usage::

    .venv/bin/python bench/certificates.py [--seconds 5] [--count 240] [--workers 2]
                                           [--paper letter|a4] [--json] [--cprofile]

Every certificate is different, as in an award run: its own signed credential
(eddsa-rdfc-2022 with a did:key, signed before timing starts), teacher name,
credential id and QR code, the built-in template, PDF/A-3b, tagged, with the
credential attached.

* **single**: one :class:`~issuer.certificates.render.Renderer` in this
  process (fonts, compiled template, parsed CSS and images kept between
  certificates, as a web worker keeps them), after a warm-up, for ``--seconds``;
  CPU time per certificate is measured too (it is steadier than wall time on a
  shared machine);
* **batch**: :class:`~issuer.certificates.batch.CertificatePool` with
  ``--workers`` processes, started and warmed up first (the steady rate a job
  worker sees), ``--count`` certificates; then the same with one worker, for
  the scaling ratio; then ``render_batch`` from a cold start (pool start-up
  included), the figure a one-off command sees. The workers' CPU time per
  certificate gives the capacity of that many idle cores, a check on the wall
  figure when other work shares the machine (``uptime`` before and after).

Each batch's first and last PDFs are read back with :mod:`badges.pdf` to check
they carry their own credential. The host is noisy: compare figures taken in
one run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from badges import dataintegrity  # noqa: E402
from badges import keys  # noqa: E402
from badges import pdf  # noqa: E402
from issuer.certificates.batch import BatchItem  # noqa: E402
from issuer.certificates.batch import CertificatePool  # noqa: E402
from issuer.certificates.batch import render_batch  # noqa: E402
from issuer.certificates.content import Alignment  # noqa: E402
from issuer.certificates.content import Certificate  # noqa: E402
from issuer.certificates.render import Renderer  # noqa: E402
from issuer.certificates.service import medallion_svg  # noqa: E402
from issuer.certificates.templates import builtin  # noqa: E402

FIRST = ("María", "James", "Aisha", "Wei", "Olga", "Kwame", "Sofía", "Liam", "Priya", "Noah")
LAST = ("López", "O'Connor", "Okafor", "Zhang", "Petrova", "Mensah", "García-Núñez",
        "Nguyen", "Raman", "Whitfield")


def certificates(count: int) -> list[Certificate]:
    """``count`` different certificates with genuinely signed credentials."""
    pair = keys.generate("ed25519")
    badge = medallion_svg("#1f5a96")
    made = []
    for n in range(count):
        name = f"{FIRST[n % 10]} {LAST[(n // 10) % 10]}"
        cred_id = f"urn:uuid:5b0d7c1e-2f4a-4e8b-9c3d-{n:012d}"
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": cred_id, "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": pair.controller, "type": ["Profile"],
                       "name": "Lakeside Unified School District"},
            "validFrom": "2026-11-23T12:00:00Z", "name": "Blended Learning Design",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{"type": "IdentityObject", "identityType": "name",
                                "hashed": False, "identityHash": name}],
                "achievement": {"id": "https://badges.lakeside.example.org/achievements/bld",
                                "type": ["Achievement"], "name": "Blended Learning Design",
                                "criteria": {"narrative": "Unit plan and reflection."}}},
        }
        signed = dataintegrity.sign_credential(credential, key=pair,
                                               created="2026-11-23T12:00:00Z")
        made.append(Certificate(
            credential_id=cred_id, credential=json.dumps(signed, indent=2),
            credential_format="di",
            verification_url=f"https://badges.lakeside.example.org/c/{os.urandom(24).hex()}",
            recipient_name=name, achievement_name="Blended Learning Design",
            achievement_description="Designs and teaches a unit that blends online and "
                                    "face-to-face learning; scored against the district "
                                    "rubric from a unit plan, two recordings and a reflection.",
            issuer_name="Lakeside Unified School District", issued_on=date(2026, 11, 23),
            expires_on=date(2029, 11, 23),
            alignments=(Alignment(name="Designer 2.5.a",
                                  framework="ISTE Standards for Educators"),
                        Alignment(name="Facilitator 2.6.a",
                                  framework="ISTE Standards for Educators")),
            badge_image=badge, badge_type="image/svg+xml",
            badge_alt="Blended Learning Design badge", colour="#1f5a96"))
    return made


def single(certs: list[Certificate], seconds: float, paper: str) -> dict[str, Any]:
    renderer = Renderer()
    template = builtin()
    for cert in certs[:3]:
        renderer.render(cert, template=template, paper_name=paper)
    latencies: list[float] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    n = 0
    while time.perf_counter() - wall_start < seconds:
        started = time.perf_counter()
        renderer.render(certs[n % len(certs)], template=template, paper_name=paper)
        latencies.append(time.perf_counter() - started)
        n += 1
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    latencies.sort()
    return {"certificates": n, "per_second": n / wall, "ms_median": 1000 * latencies[n // 2],
            "ms_p95": 1000 * latencies[int(n * 0.95)], "cpu_ms": 1000 * cpu / n}


def _check(results: list[Any], items: list[BatchItem]) -> None:
    for result, item in ((results[0], items[0]), (results[-1], items[-1])):
        assert result.pdf is not None, result.error
        attached = pdf.read_pdf(result.pdf, with_text=False).attachments[0]
        assert attached.data == item.certificate.credential.encode(), "wrong attachment"


def batch(certs: list[Certificate], workers: int, paper: str) -> dict[str, Any]:
    items = [BatchItem(c, builtin(), paper) for c in certs]
    with CertificatePool(workers) as pool:
        pool.warm_up()
        list(pool.render(items[: workers * 4]))  # each worker loads fonts and the template
        started = time.perf_counter()
        results = list(pool.render(items))
        wall = time.perf_counter() - started
    _check(results, items)
    cpu_ms = 1000 * sum(r.cpu_seconds for r in results) / len(results)
    return {"workers": workers, "certificates": len(items), "seconds": wall,
            "per_second": len(items) / wall, "worker_cpu_ms": cpu_ms,
            "capacity_per_second": workers * 1000 / cpu_ms}


def cold(certs: list[Certificate], workers: int, paper: str) -> dict[str, Any]:
    items = [BatchItem(c, builtin(), paper) for c in certs]
    started = time.perf_counter()
    results = render_batch(items, workers=workers)
    wall = time.perf_counter() - started
    _check(results, items)
    return {"workers": workers, "certificates": len(items), "seconds": wall,
            "per_second": len(items) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="single-process run")
    parser.add_argument("--count", type=int, default=240, help="certificates per batch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--paper", choices=["letter", "a4"], default="letter")
    parser.add_argument("--only", choices=["batch"], default=None,
                        help="only the warm batch on --workers (for a short quiet window)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--cprofile", action="store_true",
                        help="print where a single render spends its time")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    certs = certificates(args.count)
    if args.cprofile:
        renderer = Renderer()
        for cert in certs[:3]:
            renderer.render(cert, template=builtin(), paper_name=args.paper)
        profile = cProfile.Profile()
        profile.enable()
        for cert in certs[:30]:
            renderer.render(cert, template=builtin(), paper_name=args.paper)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(
            os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_LINES", "25")))
        print(out.getvalue())
        return
    if args.only == "batch":
        b = batch(certs, args.workers, args.paper)
        print(f"batch, {b['workers']} workers: {b['per_second']:.1f} certificates/s "
              f"({b['certificates']} in {b['seconds']:.1f} s; {b['worker_cpu_ms']:.0f} ms CPU "
              f"each); load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        return
    report = {
        "cpus": os.cpu_count(),
        "single": single(certs, args.seconds, args.paper),
        "batch": batch(certs, args.workers, args.paper),
        "batch_one_worker": batch(certs[: max(40, args.count // 3)], 1, args.paper),
        "batch_cold": cold(certs, args.workers, args.paper),
    }
    report["scaling"] = report["batch"]["per_second"] / report["batch_one_worker"]["per_second"]
    size = len(Renderer().render(certs[0], template=builtin(), paper_name=args.paper).pdf)
    report["pdf_bytes"] = size
    report["load_average"] = [load_before, os.getloadavg()[0]]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    s = report["single"]
    print(f"Certificates ({args.paper}, PDF/A-3b, tagged, credential attached, "
          f"{size:,} bytes each) on {report['cpus']} CPUs; load average "
          f"{load_before:.1f} before, {report['load_average'][1]:.1f} after\n")
    print("| mode | certificates/s | detail |")
    print("|---|---:|---|")
    print(f"| single process | {s['per_second']:.1f} | median {s['ms_median']:.0f} ms, "
          f"p95 {s['ms_p95']:.0f} ms, {s['cpu_ms']:.0f} ms CPU each |")
    b1 = report["batch_one_worker"]
    print(f"| batch, 1 worker | {b1['per_second']:.1f} | {b1['certificates']} certificates |")
    b = report["batch"]
    print(f"| batch, {b['workers']} workers | {b['per_second']:.1f} | {b['certificates']} "
          f"certificates in {b['seconds']:.1f} s, {report['scaling']:.2f}x one worker; "
          f"{b['worker_cpu_ms']:.0f} ms CPU each, so {b['capacity_per_second']:.1f}/s "
          f"on {b['workers']} idle cores |")
    c = report["batch_cold"]
    print(f"| batch, {c['workers']} workers, cold start | {c['per_second']:.1f} | "
          f"{c['certificates']} in {c['seconds']:.1f} s, pool start-up included |")


if __name__ == "__main__":
    main()
