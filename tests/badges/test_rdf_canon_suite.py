"""The W3C RDF Dataset Canonicalization test suite, run against :mod:`badges.rdfc`.

The suite (``tests/fixtures/rdf-canon``, from w3c/rdf-canon; see SOURCES.md)
has three kinds of entries, all read from its ``manifest.jsonld``:

* ``rdfc:RDFC10EvalTest``: canonical N-Quads of the input, compared as text;
* ``rdfc:RDFC10MapTest``: the issued identifiers map (RDFC-1.0 §4.4.3 step 7);
* ``rdfc:RDFC10NegativeEvalTest``: a poisoned dataset that must be refused
  for needing too many Hash N-Degree Quads calls (§7.1).

The inputs are read by :mod:`tests.badges.nquads`, not PyLD, so nothing from
the reference implementation stands between the suite and the canonicalizer.
Entries are excluded only through :data:`EXCLUDED`, each with its reason, and a
test pins that list to the manifest so it cannot grow unnoticed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from badges.rdfc import DEFAULT_MAX_WORK
from badges.rdfc import CanonicalizationError
from badges.rdfc import canonicalize
from badges.rdfc import canonicalize_with_map
from tests.badges.nquads import NQuadsSyntaxError
from tests.badges.nquads import parse_nquads
from tests.conftest import FIXTURES

SUITE = FIXTURES / "rdf-canon"
MANIFEST: dict[str, Any] = json.loads((SUITE / "manifest.jsonld").read_text("utf-8"))
ENTRIES: dict[str, dict[str, Any]] = {e["id"].lstrip("#"): e for e in MANIFEST["entries"]}

#: Entries that do not apply, and why. The project canonicalizes for the
#: eddsa-rdfc-2022 cryptosuite, which fixes the hash to SHA-256 (VC-DI-EdDSA
#: §3.3.1); RDFC-1.0 §4.4 lets an application choose another hash, but a
#: verifier that accepted one would accept a proof made under other rules.
EXCLUDED = {
    "test075c": "uses SHA-384; this canonicalizer is RDFC-1.0 with SHA-256 only",
    "test075m": "uses SHA-384; this canonicalizer is RDFC-1.0 with SHA-256 only",
}


def _read(path: str) -> str:
    return (SUITE / path).read_text("utf-8")


def _of_type(kind: str) -> list[str]:
    return sorted(name for name, entry in ENTRIES.items()
                  if entry["type"] == kind and name not in EXCLUDED)


def test_the_suite_is_all_there() -> None:
    assert MANIFEST["label"] == "RDF Dataset Canonicalization (RDFC-1.0) Test Suite"
    assert len(ENTRIES) == 86
    for entry in ENTRIES.values():
        assert (SUITE / entry["action"]).is_file(), entry["action"]
        if entry["type"] == "rdfc:RDFC10NegativeEvalTest":
            assert "result" not in entry
        else:
            assert (SUITE / entry["result"]).is_file(), entry["result"]


def test_exclusions_are_exactly_the_entries_that_do_not_apply() -> None:
    """Only the entries with another hash than SHA-256 are left out, each with a reason."""
    other_hash = {name for name, entry in ENTRIES.items()
                  if entry.get("hashAlgorithm", "SHA256") != "SHA256"}
    assert set(EXCLUDED) == other_hash
    assert all(reason for reason in EXCLUDED.values())
    known = {"rdfc:RDFC10EvalTest", "rdfc:RDFC10MapTest", "rdfc:RDFC10NegativeEvalTest"}
    assert {entry["type"] for entry in ENTRIES.values()} == known


@pytest.mark.parametrize("name", _of_type("rdfc:RDFC10EvalTest"))
def test_eval(name: str) -> None:
    entry = ENTRIES[name]
    quads = parse_nquads(_read(entry["action"]))
    expected = _read(entry["result"])
    assert canonicalize(quads) == expected, entry["name"]
    # the canonical form is a fixed point: read back and canonicalized, it is unchanged
    assert canonicalize(parse_nquads(expected)) == expected


@pytest.mark.parametrize("name", _of_type("rdfc:RDFC10MapTest"))
def test_issued_identifiers_map(name: str) -> None:
    entry = ENTRIES[name]
    quads = parse_nquads(_read(entry["action"]))
    expected = json.loads(_read(entry["result"]))
    text, issued = canonicalize_with_map(quads)
    assert issued == expected, entry["name"]
    # the map's keys are exactly the input's blank nodes
    labels = {t[2:] for q in quads for t in (q[0], q[2], q[3]) if t.startswith("_:")}
    assert set(issued) == labels
    assert text == canonicalize(quads)


@pytest.mark.parametrize("name", _of_type("rdfc:RDFC10NegativeEvalTest"))
def test_poisoned_dataset_is_refused(name: str) -> None:
    entry = ENTRIES[name]
    quads = parse_nquads(_read(entry["action"]))
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError) as refused:
        canonicalize(quads)
    assert refused.value.code == "canonicalization_limit"
    assert time.perf_counter() - started < 10, "refused, but only after a long time"


@pytest.mark.parametrize("name", ["test044c", "test045c", "test046c"])
def test_computable_poison_graphs_fit_the_default_budget(name: str) -> None:
    """The suite's "evil" graphs are computable within limits; the default budget allows them."""
    entry = ENTRIES[name]
    assert "computable given defined limits" in entry["comment"]
    canonicalize(parse_nquads(_read(entry["action"])), max_work=DEFAULT_MAX_WORK)


def test_the_reader_refuses_what_is_not_n_quads() -> None:
    for bad in ('<urn:s> <urn:p> "o"', "<urn:s> _:p <urn:o> .", '<urn:s> <urn:p> "o"@ .',
                "<urn:s> <urn:p> <urn:o> <urn:g> <urn:x> .", "<urn:a b> <urn:p> <urn:o> ."):
        with pytest.raises(NQuadsSyntaxError):
            parse_nquads(bad)
    assert parse_nquads("# comment\n\n<urn:s> <urn:p> \"a\\u0041\" . # trailing\n") == [
        ("<urn:s>", "<urn:p>", '"aA"', "")]


def test_fixture_files_are_the_published_bytes() -> None:
    """Line endings and final newlines matter for text comparison: nothing was normalised."""
    for path in Path(SUITE / "rdfc10").glob("*.nq"):
        data = path.read_bytes()
        assert b"\r\n" not in data, path.name
        assert data == b"" or data.endswith(b"\n"), path.name
