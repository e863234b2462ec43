"""Sign and verify throughput, badges against Digital Bazaar's JavaScript stack, one core each.

Usage::

    .venv/bin/python bench/credentials.py [--seconds 3] [--json]

Measures, on a typical district micro-credential (rubric result, evidence,
alignment, hashed e-mail and name identifiers; about 60 quads):

* eddsa-rdfc-2022 sign and verify: badges vs ``@digitalbazaar/vc`` +
  ``eddsa-rdfc-2022-cryptosuite`` (``vc.issue`` / ``vc.verifyCredential``);
* VC-JWT ES256 and RS256 sign and verify: badges vs ``jose``.

Python signs a *different* credential every time (new id and recipient), as an
award run does, so nothing is cached per document. "verify (full)" is the whole
``verify_credential`` report (schema, JSON-LD safe mode, proof, key binding,
dates); "verify (proof)" is the signature alone, the closest match to what the
JavaScript call checks. Both sides are measured in the same run; compare the
ratios, not absolute figures across runs (the host is noisy).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from badges import dataintegrity  # noqa: E402
from badges import keys  # noqa: E402
from badges import model  # noqa: E402
from badges.jwt import decode_jwt  # noqa: E402
from badges.jwt import sign_jwt  # noqa: E402
from badges.jwt import verify_jwt_signature  # noqa: E402
from badges.verify import verify_credential  # noqa: E402

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CREATED = "2026-05-01T12:00:00Z"


def typical_credential(issuer_id: str, n: int = 0) -> dict[str, Any]:
    """A realistic EdTech micro-credential, varied by ``n``."""
    base = "https://lakeside.example.org"
    levels = tuple(
        model.RubricCriterionLevel(id=f"{base}/rubrics/bld/levels/{i}", name=name, points=str(i))
        for i, name in enumerate(("Beginning", "Developing", "Proficient", "Exemplary"), 1))
    rubric = model.ResultDescription(
        id=f"{base}/rubrics/bld", name="Unit design rubric", result_type="RubricCriterionLevel",
        rubric_criterion_level=levels)
    achievement = model.Achievement(
        id=f"{base}/achievements/blended-learning-design",
        name="Blended Learning Design",
        description="Designs and teaches a unit that blends online and face-to-face learning.",
        criteria=model.Criteria(narrative="Submit a unit plan, two lesson recordings and a "
                                          "reflection; scored against the district rubric."),
        alignment=(model.Alignment(target_name="ISTE Educator 2.5 Designer",
                                   target_url="https://iste.org/standards/educators#designer",
                                   target_framework="ISTE Standards for Educators",
                                   target_code="2.5.a"),),
        result_description=(rubric,), tag=("blended learning", "digital literacy"))
    subject = model.AchievementSubject(
        achievement=achievement,
        identifier=(model.IdentityObject.hashed_email(f"teacher{n}@lakeside.example.org",
                                                      f"salt-{n}"),
                    model.IdentityObject.plain_name(f"Teacher Number {n}")),
        result=(model.Result(result_description=rubric.id, achieved_level=levels[2].id),))
    credential = model.OpenBadgeCredential(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        issuer=model.Profile(id=issuer_id, name="Lakeside Unified School District",
                             url=base),
        valid_from=datetime(2026, 5, 1, 12, tzinfo=UTC),
        credential_subject=subject, name="Blended Learning Design",
        evidence=(model.Evidence(id=f"{base}/evidence/{n}", name="Unit plan",
                                 narrative="Unit plan and reflection, shared by the teacher."),))
    return credential.to_json()


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``fn`` after a short warm-up."""
    warm_end = time.perf_counter() + min(1.0, seconds / 3)
    while time.perf_counter() < warm_end:
        fn()
    ops, start = 0, time.perf_counter()
    end = start + seconds
    while True:
        fn()
        ops += 1
        now = time.perf_counter()
        if now >= end:
            return ops / (now - start)


def python_side(seconds: float) -> tuple[dict[str, float], dict[str, Any], keys.KeyPair]:
    ed = keys.generate("ed25519")
    es = keys.generate("p256")
    rs = keys.generate("rsa")
    counter = itertools.count(1)
    fresh = (typical_credential(ed.controller, i) for i in counter)
    signed = dataintegrity.sign_credential(typical_credential(ed.controller), key=ed,
                                           created=CREATED)
    results: dict[str, float] = {}
    results["di_sign"] = rate(
        lambda: dataintegrity.sign_credential(next(fresh), key=ed, created=CREATED), seconds)
    results["di_verify_proof"] = rate(
        lambda: dataintegrity.verify_proof(signed, signed["proof"][0], ed.public), seconds)
    results["di_verify_full"] = rate(lambda: verify_credential(signed, now=NOW), seconds)
    assert verify_credential(signed, now=NOW).verified
    for name, key in (("es256", es), ("rs256", rs)):
        cred = typical_credential(key.controller)
        token = sign_jwt(cred, key=key)
        results[f"jwt_{name}_sign"] = rate(lambda c=cred, k=key: sign_jwt(c, key=k), seconds)
        results[f"jwt_{name}_verify"] = rate(
            lambda t=token, k=key: verify_jwt_signature(decode_jwt(t), k.public), seconds)
    return results, typical_credential(ed.controller), ed


def javascript_side(credential: dict[str, Any], key: keys.KeyPair,
                    seconds: float) -> dict[str, float] | None:
    script = ROOT / "tests" / "interop" / "js" / "bench.mjs"
    if not (script.parent / "node_modules").exists():
        return None
    request = {"credential": credential, "key": key.to_json(), "seconds": seconds,
               "created": CREATED, "now": NOW.isoformat().replace("+00:00", "Z")}
    proc = subprocess.run(["node", str(script)], input=json.dumps(request), text=True,
                          capture_output=True, timeout=600, check=True)
    data = json.loads(proc.stdout)
    return {k.removesuffix("_ops_per_s"): v for k, v in data.items() if k.endswith("_ops_per_s")}


ROWS = (
    ("eddsa-rdfc-2022 sign", "di_sign", "di_sign"),
    ("eddsa-rdfc-2022 verify (proof)", "di_verify_proof", "di_verify"),
    ("eddsa-rdfc-2022 verify (full report)", "di_verify_full", "di_verify"),
    ("VC-JWT ES256 sign", "jwt_es256_sign", "jwt_es256_sign"),
    ("VC-JWT ES256 verify", "jwt_es256_verify", "jwt_es256_verify"),
    ("VC-JWT RS256 sign", "jwt_rs256_sign", "jwt_rs256_sign"),
    ("VC-JWT RS256 verify", "jwt_rs256_verify", "jwt_rs256_verify"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    py, credential, key = python_side(args.seconds)
    js = javascript_side(credential, key, args.seconds)
    if args.json:
        print(json.dumps({"python": py, "javascript": js}, indent=2))
        return
    print(f"{'operation (one core)':<38}{'badges ops/s':>14}{'JS ops/s':>12}{'ratio':>9}")
    for label, pk, jk in ROWS:
        theirs = js.get(jk) if js else None
        ratio = f"{py[pk] / theirs:8.1f}x" if theirs else "       -"
        other = f"{theirs:12,.0f}" if theirs else f"{'-':>12}"
        print(f"{label:<38}{py[pk]:14,.0f}{other}{ratio}")
    if js is None:
        print("\n(JavaScript side not installed: run scripts/setup --dev)")


if __name__ == "__main__":
    main()
