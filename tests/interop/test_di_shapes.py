"""Canonical N-Quads of many document shapes, badges against Digital Bazaar.

The credentials of ``bench/shapes.py`` (120 distinct JSON-LD shapes: 0-5
alignments, 0-4 evidence items, with or without results, tags, numbers),
some with a described achievement carrying ``@language``/``@direction`` or
awkward numbers (``3.0``, ``1e-7``, ``-0.0``...),
canonicalized by badges on first sight of each shape (PyLD expansion turned
into a template), again from the cached template with other values, and by
Digital Bazaar's eddsa-rdfc-2022 cryptosuite (``canonize.mjs``). Also runs
``bench-shapes.mjs`` once, so the benchmark's driver cannot rot unnoticed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from badges import jsonld
from badges import keys
from tests.interop.node import run_batch
from tests.interop.node import run_js

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
#: Numbers whose RDF form JSON-LD decides by value: integral floats are written as
#: integers, others as canonical doubles (JSON-LD 1.1 API §8.6 step 10).
NUMBERS = (3.0, 10, 0.000125, 123456789.125, -0.0, 1e20, 2.5e-300)
DIRECTIONS = ({"@value": "مرحبا", "@language": "ar", "@direction": "rtl"},
              {"@value": "left", "@direction": "ltr"},
              {"@value": "Grüezi", "@language": "de-CH"})


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_shapes", ROOT / "bench" / "shapes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _credentials(n: int, issuer: str = ISSUER) -> list[dict[str, Any]]:
    bench = _bench()
    out = []
    for shape in range(bench.SHAPES):
        credential: dict[str, Any] = bench.shaped_credential(issuer, shape, n)
        if shape % 5 == 2:
            credential["credentialSubject"]["achievement"]["creditsAvailable"] = \
                NUMBERS[(shape // 5 + n) % len(NUMBERS)]
        if shape % 7 == 3:
            value = dict(DIRECTIONS[shape % 3])
            value["@value"] += f" {n}"
            credential["credentialSubject"]["achievement"]["description"] = value
        out.append(credential)
    return out


def test_every_shape_canonicalizes_as_digital_bazaar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonld, "_CACHE", jsonld._ShapeCache(jsonld.CACHE_SIZE))
    first, second = _credentials(0), _credentials(1)
    theirs = run_batch("canonize.mjs", [{"document": c} for c in first + second], timeout=300)
    ours = [jsonld.canonize(c) for c in first]  # each shape new
    templated = [jsonld.prepare(c) for c in second]  # compiled walk, no PyLD
    assert all(p.compiled is not None for p in templated)
    ours += [p.canonize() for p in templated]
    mismatched = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
                  if a != b.get("nquads")]
    assert not mismatched, (mismatched[:5], theirs[mismatched[0]])


def test_bench_driver_runs() -> None:
    key = keys.generate("ed25519")
    answer = run_js("bench-shapes.mjs", {
        "credentials": _credentials(0, key.controller)[:2], "key": key.to_json(), "rounds": 1,
        "created": "2026-05-01T12:00:00Z", "now": "2026-06-01T00:00:00Z"}, timeout=120)
    assert "error" not in answer, answer
    assert answer["sign_ms"] > 0 and answer["verify_ms"] > 0
    assert answer["meta"]["credentials"] == 2


def test_jsonld_js_writes_a_dotless_small_number_as_an_integer() -> None:
    """Pin a known deviation of jsonld.js (Digital Bazaar's JSON-LD), not of badges.

    JSON-LD 1.1 API §8.6 (Object to RDF) step 10: a number with a non-zero
    fractional part becomes an ``xsd:double`` form, as PyLD and badges write
    ``1e-7`` (``"1.0E-7"``). jsonld.js decides by whether ``String(value)``
    holds a ".", and ``String(1e-7)`` is ``"1e-7"``, so it writes ``"0"``:
    the two sides sign different N-Quads for such a credential. If this test
    fails, jsonld.js changed: look again.
    """
    credential = _credentials(0)[2]
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 1e-7
    ours = jsonld.canonize(credential)
    assert ours == jsonld.pyld_canonize(credential)
    [theirs] = run_batch("canonize.mjs", [{"document": credential}])
    credits = "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsAvailable>"
    assert f'{credits} "1.0E-7"^^<https://www.w3.org/2001/XMLSchema#float>' in ours
    assert f'{credits} "0"^^<https://www.w3.org/2001/XMLSchema#float>' in theirs["nquads"]
