"""Sign and full verify on credentials of many shapes, badges against Digital Bazaar's stack.

Usage::

    .venv/bin/python bench/shapes.py [--rounds 3] [--json]

Builds 120 credentials that each have a *different shape* for JSON-LD
(0-5 alignments, 0-4 evidence items, with or without a rubric result,
optional tags, ``creditsAvailable`` and criteria narrative), the mix a
verifier meets when each credential comes from another issuer, and measures
on one core, in the same run:

* **new shapes**: every credential is a shape not seen before (the compiled
  active contexts stay warm, as they are in a running service; badges keeps
  no per-shape state on this path, and the PyLD fallback's shape cache is
  emptied anyway), sign (``sign_credential``) then the full
  ``verify_credential`` report;
* **fresh process**: each of sign and full verify over the 120 credentials in
  a new Python process that has seen nothing (its first credential pays for
  compiling the contexts; the import is not counted), the mean per
  credential and, apart, the first credential's cost;
* **repeated shapes**: the same 120 shapes again with other values (ids,
  names, numbers);
* Digital Bazaar's ``vc.issue`` / ``vc.verifyCredential`` with the
  eddsa-rdfc-2022 cryptosuite (tests/interop/js/bench-shapes.mjs), which has
  no per-shape cache, so every pass costs what a new shape costs.

Each figure is the mean time per credential, wall clock and process CPU time,
the median over ``--rounds`` passes for badges (each new-shape pass starts
from an empty cache) and the mean for JavaScript. CPU time is what other work
on a shared host disturbs least; compare ratios, not absolute figures across
runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from badges import dataintegrity  # noqa: E402
from badges import jsonld  # noqa: E402
from badges import keys  # noqa: E402
from badges import model  # noqa: E402
from badges.verify import verify_credential  # noqa: E402

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CREATED = "2026-05-01T12:00:00Z"
SHAPES = 120
BASE = "https://lakeside.example.org"


def shaped_credential(issuer_id: str, shape: int, n: int = 0) -> dict[str, Any]:
    """Credential number ``n`` of shape ``shape`` (0-119: every shape differs for JSON-LD)."""
    alignments, evidence = shape % 6, (shape // 6) % 5
    with_result, with_tags = (shape // 30) % 2 == 1, (shape // 60) % 2 == 1
    levels = tuple(
        model.RubricCriterionLevel(id=f"{BASE}/rubrics/r{shape}/levels/{i}", name=name,
                                   points=str(i))
        for i, name in enumerate(("Beginning", "Developing", "Proficient"), 1))
    rubric = model.ResultDescription(
        id=f"{BASE}/rubrics/r{shape}", name="Rubric", result_type="RubricCriterionLevel",
        rubric_criterion_level=levels)
    achievement = model.Achievement(
        id=f"{BASE}/achievements/a{shape}-{n}",
        name=f"Achievement {shape} ({n})",
        description=f"Shape {shape}, credential {n}.",
        criteria=model.Criteria(narrative=f"Do task {n}.") if shape % 3 else
        model.Criteria(id=f"{BASE}/criteria/{n}"),
        alignment=tuple(
            model.Alignment(target_name=f"Standard {k}", target_url=f"{BASE}/standards/{k}",
                            target_framework="District standards", target_code=f"S.{k}.{n}")
            for k in range(alignments)),
        result_description=(rubric,) if with_result else (),
        tag=(f"tag {n}", "district") if with_tags else (),
        credits_available=(1.5 + n) if shape % 4 == 1 else None)
    subject = model.AchievementSubject(
        achievement=achievement,
        identifier=(model.IdentityObject.hashed_email(f"teacher{n}@lakeside.example.org",
                                                      f"salt-{n}"),),
        result=(model.Result(result_description=rubric.id, achieved_level=levels[n % 3].id),)
        if with_result else ())
    credential = model.OpenBadgeCredential(
        id=f"urn:uuid:00000000-0000-4000-8000-{shape * 1000 + n:012d}",
        issuer=model.Profile(id=issuer_id, name="Lakeside Unified School District", url=BASE),
        valid_from=datetime(2026, 5, 1, 12, tzinfo=UTC),
        credential_subject=subject, name=f"Achievement {shape}",
        evidence=tuple(model.Evidence(id=f"{BASE}/evidence/{shape}/{k}/{n}", name=f"Item {k}",
                                      narrative="Shared by the teacher.")
                       for k in range(evidence)))
    return credential.to_json()


def _fresh_cache() -> None:
    jsonld._CACHE = jsonld._ShapeCache(jsonld.CACHE_SIZE)


def _timed_pass(credentials: list[dict[str, Any]], key: keys.KeyPair,
                fresh: bool) -> dict[str, float]:
    """Mean wall-clock and CPU ms to sign, then to fully verify, each credential."""
    if fresh:
        _fresh_cache()
    signed = []
    wall, cpu = time.perf_counter(), time.process_time()
    for credential in credentials:
        signed.append(dataintegrity.sign_credential(credential, key=key, created=CREATED))
    sign_wall, sign_cpu = time.perf_counter() - wall, time.process_time() - cpu
    if fresh:
        _fresh_cache()
    reports = []
    wall, cpu = time.perf_counter(), time.process_time()
    for document in signed:
        reports.append(verify_credential(document, now=NOW))
    verify_wall, verify_cpu = time.perf_counter() - wall, time.process_time() - cpu
    for report in reports:
        if not report.verified:
            raise SystemExit(f"not verified: {report.to_json()}")
    per = 1000 / len(credentials)
    return {"sign_ms": sign_wall * per, "verify_ms": verify_wall * per,
            "sign_cpu_ms": sign_cpu * per, "verify_cpu_ms": verify_cpu * per}


def python_side(key: keys.KeyPair, rounds: int) -> dict[str, dict[str, float]]:
    first = [shaped_credential(key.controller, s) for s in range(SHAPES)]
    keys_seen = {jsonld._signature(c)[0] for c in first}
    if len(keys_seen) != SHAPES:
        raise SystemExit(f"only {len(keys_seen)} distinct shapes")
    _timed_pass(first, key, fresh=True)  # warm-up: contexts parsed, code paths loaded
    new = [_timed_pass(first, key, fresh=True) for _ in range(rounds)]
    _timed_pass(first, key, fresh=True)  # every shape's template built
    repeated = [
        _timed_pass([shaped_credential(key.controller, s, r + 1) for s in range(SHAPES)], key,
                    fresh=False)
        for r in range(rounds)]
    return {"new": _median(new), "repeated": _median(repeated)}


def _worker(mode: str, path: str) -> None:
    """In a fresh process: sign or verify every credential in ``path``, print the times."""
    data = json.loads(Path(path).read_text("utf-8"))
    key = keys.load_key_file(data["key"]) if mode == "sign" else None
    walls, cpus = [], []
    for document in data["documents"]:
        wall, cpu = time.perf_counter(), time.process_time()
        if key is not None:
            dataintegrity.sign_credential(document, key=key, created=CREATED)
        elif not verify_credential(document, now=NOW).verified:
            raise SystemExit("not verified")
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(json.dumps({"ms": statistics.mean(walls), "cpu_ms": statistics.mean(cpus),
                      "first_ms": walls[0], "first_cpu_ms": cpus[0]}))


def fresh_process_side(key: keys.KeyPair, rounds: int) -> dict[str, float]:
    """Sign and verify in new processes (median over ``rounds`` processes each)."""
    import tempfile

    unsigned = [shaped_credential(key.controller, s) for s in range(SHAPES)]
    signed = [dataintegrity.sign_credential(c, key=key, created=CREATED) for c in unsigned]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode, documents in (("sign", unsigned), ("verify", signed)):
            path = Path(tmp) / f"{mode}.json"
            path.write_text(json.dumps({"key": key.to_json(),
                                        "documents": documents}), "utf-8")
            runs = [json.loads(subprocess.run(
                [sys.executable, __file__, "--worker", mode, str(path)], check=True,
                capture_output=True, text=True, timeout=600).stdout) for _ in range(rounds)]
            for name in runs[0]:
                out[f"{mode}_{name}"] = statistics.median(r[name] for r in runs)
    return out


def _median(passes: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(p[k] for p in passes) for k in passes[0]}


def javascript_side(key: keys.KeyPair, rounds: int) -> dict[str, Any] | None:
    script = ROOT / "tests" / "interop" / "js" / "bench-shapes.mjs"
    if not (script.parent / "node_modules").exists():
        return None
    request = {"credentials": [shaped_credential(key.controller, s) for s in range(SHAPES)],
               "key": key.to_json(), "created": CREATED, "rounds": rounds,
               "now": NOW.isoformat().replace("+00:00", "Z")}
    proc = subprocess.run(["node", str(script)], input=json.dumps(request), text=True,
                          capture_output=True, timeout=1200, check=True)
    data: dict[str, Any] = json.loads(proc.stdout)
    if "error" in data:
        raise SystemExit(f"JavaScript side failed: {data['error']}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measured passes per figure")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    key = keys.generate("ed25519")
    py = python_side(key, args.rounds)
    fresh = fresh_process_side(key, args.rounds)
    js = javascript_side(key, args.rounds)
    if args.json:
        print(json.dumps({"python": py, "fresh_process": fresh, "javascript": js}, indent=2))
        return
    print(f"{SHAPES} distinct-shape credentials, ms per credential, one core "
          f"(wall clock / CPU time; load average {os.getloadavg()[0]:.1f})")
    print(f"{'operation':<34}{'badges':>15}{'JavaScript':>15}{'speed vs JS':>16}")
    rows = (("sign, each shape new", "new", "sign"),
            ("full verify, each shape new", "new", "verify"),
            ("sign, shapes seen before", "repeated", "sign"),
            ("full verify, shapes seen before", "repeated", "verify"))
    for label, mode, op in rows:
        ours = py[mode]
        mine = f"{ours[op + '_ms']:7.2f} /{ours[op + '_cpu_ms']:6.2f}"
        if js:
            theirs = f"{js[op + '_ms']:7.2f} /{js[op + '_cpu_ms']:6.2f}"
            ratio = (f"{js[op + '_ms'] / ours[op + '_ms']:6.2f}x /"
                     f"{js[op + '_cpu_ms'] / ours[op + '_cpu_ms']:5.2f}x")
        else:
            theirs, ratio = f"{'-':>15}", f"{'-':>16}"
        print(f"{label:<34}{mine:>15}{theirs:>15}{ratio:>16}")
    for op in ("sign", "verify"):
        mine = f"{fresh[op + '_ms']:7.2f} /{fresh[op + '_cpu_ms']:6.2f}"
        if js:
            theirs = f"{js[op + '_ms']:7.2f} /{js[op + '_cpu_ms']:6.2f}"
            ratio = (f"{js[op + '_ms'] / fresh[op + '_ms']:6.2f}x /"
                     f"{js[op + '_cpu_ms'] / fresh[op + '_cpu_ms']:5.2f}x")
        else:
            theirs, ratio = f"{'-':>15}", f"{'-':>16}"
        label = f"{'full verify' if op == 'verify' else 'sign'}, fresh process"
        print(f"{label:<34}{mine:>15}{theirs:>15}{ratio:>16}")
    print(f"(fresh process: the first credential, contexts compiled on the way, took "
          f"{fresh['sign_first_ms']:.1f} ms to sign / {fresh['verify_first_ms']:.1f} ms to "
          f"verify, CPU {fresh['sign_first_cpu_ms']:.1f} / {fresh['verify_first_cpu_ms']:.1f})")
    if js is None:
        print("\n(JavaScript side not installed: run scripts/setup --dev)")


if __name__ == "__main__":
    main()
