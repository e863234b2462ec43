"""Tests for badges.rdfc, the RDFC-1.0 (URDNA2015) canonicalizer.

* Known answers: the OB 3.0 and W3C vc-di-eddsa test vectors and the worked
  examples of the RDFC-1.0 specification.
* Differential properties against PyLD 3.3.0 (the reference the project must
  match byte for byte) over generated datasets built to force the N-degree
  algorithm: through PyLD's dataset form, its N-Quads input, and JSON-LD.
* Invariants (isomorphism invariance, output form), the dataset-poisoning
  guard, and thread safety.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.canon import permutations as pyld_permutations
from pyld.nquads import escape as pyld_escape
from pyld.nquads import parse_nquads
from pyld.nquads import serialize_nquad
from pyld.nquads import serialize_nquads

from badges.errors import BadgesError
from badges.loader import document_loader
from badges.rdfc import DEFAULT_MAX_WORK
from badges.rdfc import CanonicalizationError
from badges.rdfc import Quad
from badges.rdfc import _permutations
from badges.rdfc import canonicalize
from badges.rdfc import escape_literal
from badges.rdfc import from_pyld_dataset
from tests.badges.strategies_rdf import AbstractQuad
from tests.badges.strategies_rdf import abstract_datasets
from tests.badges.strategies_rdf import jsonld_documents
from tests.badges.strategies_rdf import literal_text
from tests.badges.strategies_rdf import to_pyld_dataset
from tests.conftest import VECTORS

OPTIONS = {"documentLoader": document_loader}
# Generated examples are small, but PyLD is slow on the symmetric ones.
DIFFERENTIAL = settings(max_examples=200, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])


def pyld_urdna2015(dataset: dict[str, Any]) -> str:
    """PyLD's URDNA2015 on a private copy of a dataset (it mutates its input)."""
    result: str = URDNA2015().main(copy.deepcopy(dataset), {"format": "application/n-quads"})
    return result


def to_rdf(doc: Any) -> dict[str, Any]:
    dataset: dict[str, Any] = jsonld.to_rdf(doc, dict(OPTIONS))
    return dataset


def relabel(quads: list[Quad], seed: int) -> list[Quad]:
    """Shuffle quads and rename their blank nodes at random (an isomorphic dataset)."""
    rng = random.Random(seed)
    labels = sorted({t for q in quads for t in (q[0], q[2], q[3]) if t.startswith("_:")})
    fresh = [f"_:r{i}x" for i in range(len(labels))]
    rng.shuffle(fresh)
    mapping = dict(zip(labels, fresh, strict=True))
    out = [(mapping.get(s, s), p, mapping.get(o, o), mapping.get(g, g)) for s, p, o, g in quads]
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------- known answers


def test_ob_vector_document_and_proof() -> None:
    folder = VECTORS / "ob_v3p0_eddsa-rdfc-2022"
    doc = json.loads((folder / "unsigned-credential.json").read_text("utf-8"))
    expected = (folder / "document-canon.nq").read_text("utf-8")
    assert canonicalize(from_pyld_dataset(to_rdf(doc))) == expected

    proof = json.loads((folder / "proof-options.json").read_text("utf-8"))
    proof["@context"] = doc["@context"]
    expected_proof = (folder / "proof-canon.nq").read_text("utf-8")
    assert canonicalize(from_pyld_dataset(to_rdf(proof))) == expected_proof


def test_w3c_eddsa_rdfc_2022_vector() -> None:
    folder = VECTORS / "w3c_vc-di-eddsa"
    doc = json.loads((folder / "unsigned.json").read_text("utf-8"))
    expected = (folder / "eddsa-rdfc-2022" / "canonDocDataInt.txt").read_text("utf-8")
    assert canonicalize(from_pyld_dataset(to_rdf(doc))) == expected

    proof = json.loads((folder / "eddsa-rdfc-2022" / "proofConfigDataInt.json").read_text())
    expected_proof = (folder / "eddsa-rdfc-2022" / "proofCanonDataInt.txt").read_text("utf-8")
    assert canonicalize(from_pyld_dataset(to_rdf(proof))) == expected_proof


@pytest.mark.parametrize("seed", range(5))
def test_w3c_employment_authorization_vector(seed: int) -> None:
    # employmentAuth.json needs https://w3id.org/citizenship/v4rc1, which is not
    # bundled (and is never fetched), so start from the expected canonical
    # dataset itself: shuffled and relabeled, it must canonicalize back to it.
    folder = VECTORS / "w3c_vc-di-eddsa"
    expected = (folder / "eddsa-rdfc-2022" / "employ" / "canonDocDataInt.txt").read_text("utf-8")
    quads = from_pyld_dataset(parse_nquads(expected))
    assert len(blank_nodes(quads)) == 3
    assert canonicalize(relabel(quads, seed)) == expected


EX = "http://example.com/#"


def spec_quads(text: str) -> list[Quad]:
    """Quads from the spec's ``:p :q _:e0 .`` notation (``:`` is ``EX``)."""
    quads: list[Quad] = []
    for line in text.strip().splitlines():
        terms = [t if t.startswith(("_:", '"')) else f"<{EX}{t[1:]}>"
                 for t in line.rstrip(" .").split()]
        quads.append((terms[0], terms[1], terms[2], terms[3] if len(terms) > 3 else ""))
    return quads


def test_spec_example_unique_hashes() -> None:
    # RDFC-1.0 §4.4.2, example "unique hashes".
    quads = spec_quads("""
        :p :q _:e0 .
        :p :r _:e1 .
        _:e0 :s :u .
        _:e1 :t :u .
    """)
    assert canonicalize(quads) == "".join(sorted(f"{line}\n" for line in [
        f"<{EX}p> <{EX}q> _:c14n0 .",
        f"<{EX}p> <{EX}r> _:c14n1 .",
        f"_:c14n0 <{EX}s> <{EX}u> .",
        f"_:c14n1 <{EX}t> <{EX}u> .",
    ]))


def test_spec_example_shared_hashes() -> None:
    # RDFC-1.0 §4.4.2, example "shared hashes": e0 and e1 share a first-degree
    # hash and are told apart by Hash N-Degree Quads (e0 -> c14n3, e1 -> c14n2).
    quads = spec_quads("""
        :p :q _:e0 .
        :p :q _:e1 .
        _:e0 :p _:e2 .
        _:e1 :p _:e3 .
        _:e2 :r _:e3 .
    """)
    assert canonicalize(quads) == "".join(sorted(f"{line}\n" for line in [
        f"<{EX}p> <{EX}q> _:c14n2 .",
        f"<{EX}p> <{EX}q> _:c14n3 .",
        f"_:c14n0 <{EX}r> _:c14n1 .",
        f"_:c14n2 <{EX}p> _:c14n1 .",
        f"_:c14n3 <{EX}p> _:c14n0 .",
    ]))


def test_empty_dataset() -> None:
    assert canonicalize([]) == ""
    assert canonicalize(iter(())) == ""


def test_no_blank_nodes_sorted_and_deduplicated() -> None:
    quads = [
        ("<urn:b>", "<urn:p>", '"x"', ""),
        ("<urn:a>", "<urn:p>", '"y"@en', "<urn:g>"),
        ("<urn:b>", "<urn:p>", '"x"', ""),
    ]
    assert canonicalize(quads) == '<urn:a> <urn:p> "y"@en <urn:g> .\n<urn:b> <urn:p> "x" .\n'


def test_rejects_empty_terms() -> None:
    with pytest.raises(ValueError, match="empty"):
        canonicalize([("", "<urn:p>", "<urn:o>", "")])


# --------------------------------------------------------------------------- helpers


_SPEC_ONLY = frozenset(chr(c) for c in [*range(0x20), 0x7F]) - {"\t", "\n", "\r"}


@given(literal_text | st.text())
def test_escape_literal_matches_pyld_except_other_control_characters(value: str) -> None:
    if _SPEC_ONLY.isdisjoint(value):
        assert escape_literal(value) == pyld_escape(value)
    else:
        assert not any(c in _SPEC_ONLY for c in escape_literal(value))


@pytest.mark.parametrize(("raw", "escaped"), [
    ("\b", "\\b"), ("\f", "\\f"), ("\x00", "\\u0000"), ("\x0b", "\\u000B"),
    ("\x1f", "\\u001F"), ("\x7f", "\\u007F"), ("\t\n\r", "\\t\\n\\r"),
    ('"\\', '\\"\\\\'), ("\u2028é", "\u2028é"),
])
def test_escape_literal_is_canonical_nquads(raw: str, escaped: str) -> None:
    # RDFC-1.0 Appendix A / RDF 1.2 canonical N-Quads, as rdf-canonize writes them.
    assert escape_literal(raw) == escaped


@given(abstract_datasets())
@settings(max_examples=100, deadline=None)
def test_from_pyld_dataset_serializes_like_pyld(quads: list[AbstractQuad]) -> None:
    dataset = to_pyld_dataset(quads, dedupe=False)
    ours = [
        f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"
        for s, p, o, g in from_pyld_dataset(dataset)
    ]
    theirs = [
        serialize_nquad(triple, None if name == "@default" else name)
        for name, triples in dataset.items()
        for triple in triples
    ]
    assert ours == theirs


def test_from_pyld_dataset_edge_cases() -> None:
    literal = {"type": "literal", "value": 'a"b\\c'}
    dataset = {
        "@default": [
            {"subject": {"type": "blank node", "value": "_:x"},
             "predicate": {"type": "IRI", "value": "urn:p"},
             "object": {**literal, "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}},
            {"subject": {"type": "IRI", "value": "urn:s"},
             "predicate": {"type": "IRI", "value": "urn:p"},
             "object": {**literal, "datatype": "http://www.w3.org/2001/XMLSchema#string"},
             "name": {"type": "IRI", "value": "urn:g"}},  # as left by PyLD's normalize
        ],
        "_:g": [
            {"subject": {"type": "IRI", "value": "urn:s"},
             "predicate": {"type": "IRI", "value": "urn:p"},
             "object": {**literal, "datatype": "urn:dt"}},
        ],
        "urn:g2": [
            {"subject": {"type": "IRI", "value": "urn:s"},
             "predicate": {"type": "IRI", "value": "urn:p"},
             "object": {**literal, "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                        "language": "en-GB"}},
        ],
    }
    before = copy.deepcopy(dataset)
    assert from_pyld_dataset(dataset) == [
        ("_:x", "<urn:p>", '"a\\"b\\\\c"', ""),
        ("<urn:s>", "<urn:p>", '"a\\"b\\\\c"', "<urn:g>"),
        ("<urn:s>", "<urn:p>", '"a\\"b\\\\c"^^<urn:dt>', "_:g"),
        ("<urn:s>", "<urn:p>", '"a\\"b\\\\c"@en-GB', "<urn:g2>"),
    ]
    assert dataset == before
    assert serialize_nquads(dataset) == "".join(sorted(
        f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"
        for s, p, o, g in from_pyld_dataset(dataset)))


@given(st.lists(st.sampled_from("abcdef"), max_size=6))
def test_permutation_order_matches_pyld(items: list[str]) -> None:
    # Including lists with repeated elements, where the Steinhaus-Johnson-Trotter
    # variant both references use does not produce every distinct ordering.
    ours = [tuple(p) for p in _permutations(list(items))]
    theirs = [tuple(p) for p in pyld_permutations(list(items))]
    assert ours == theirs


# --------------------------------------------------------------------------- differential


@given(abstract_datasets())
@DIFFERENTIAL
def test_matches_pyld_on_datasets(quads: list[AbstractQuad]) -> None:
    dataset = to_pyld_dataset(quads)
    with_duplicates = from_pyld_dataset(to_pyld_dataset(quads, dedupe=False))
    assert canonicalize(with_duplicates, max_work=10**7) == pyld_urdna2015(dataset)


def _readable_by_pyld(quads: list[AbstractQuad]) -> list[AbstractQuad]:
    """The same quads with literals PyLD's N-Quads reader can read back.

    PyLD's reader splits lines with str.splitlines (so U+2028, U+000C, ... inside
    a literal end the line), unescapes a backslash followed by t, n, r or a
    quote wrongly, and reads no ``\\uXXXX`` escapes (which canonical N-Quads uses
    for the other control characters); drop those characters.
    """
    def clean(node: dict[str, str]) -> dict[str, str]:
        if node["type"] != "literal":
            return node
        value = "".join(c for c in node["value"] if c != "\\"
                        and len(f"a{c}a".splitlines()) == 1 and c not in _SPEC_ONLY)
        return {**node, "value": value}

    return [(s, p, clean(o), g) for s, p, o, g in quads]


@given(abstract_datasets(max_shapes=2).map(_readable_by_pyld))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_matches_pyld_normalize_on_nquads(quads: list[AbstractQuad]) -> None:
    dataset = to_pyld_dataset(quads)
    document = serialize_nquads(copy.deepcopy(dataset))
    reparsed = from_pyld_dataset(parse_nquads(document))
    assert sorted(reparsed) == sorted(from_pyld_dataset(dataset))
    expected = jsonld.normalize(document, {
        "algorithm": "URDNA2015", "inputFormat": "application/n-quads",
        "format": "application/n-quads", **OPTIONS})
    assert canonicalize(reparsed, max_work=10**7) == expected


def dedupe_dataset(dataset: dict[str, Any]) -> dict[str, Any]:
    """``dataset`` without triples that serialize like an earlier one in their graph."""
    result: dict[str, Any] = {}
    for name, triples in dataset.items():
        seen: set[str] = set()
        for triple in triples:
            line = serialize_nquad(triple, None if name == "@default" else name)
            if line not in seen:
                seen.add(line)
                result.setdefault(name, []).append(triple)
    return result


@given(jsonld_documents())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_matches_pyld_normalize_on_jsonld(doc: dict[str, Any]) -> None:
    dataset = to_rdf(doc)
    quads = from_pyld_dataset(dataset)
    if len(set(quads)) == len(quads):
        expected = jsonld.normalize(copy.deepcopy(doc), {
            "algorithm": "URDNA2015", "format": "application/n-quads", **OPTIONS})
    else:
        # PyLD's toRdf repeated a triple (see the next test): compare with PyLD
        # on the dataset as a set.
        expected = pyld_urdna2015(dedupe_dataset(dataset))
    assert canonicalize(quads, max_work=10**7) == expected


def test_equal_literals_written_differently_in_json_ld_are_one_quad() -> None:
    # PyLD's toRdf (like jsonld.js 9 + rdf-canonize 5) lists "x" and
    # {"@value": "x", "@type": xsd:string} as two triples although they are the
    # same RDF literal (likewise an empty @list given twice for one node), and
    # its normalize then prints the line twice; with blank nodes involved the
    # repeated line also changes first-degree hashes, hence labels. A dataset
    # is a set: canonicalize() removes duplicates (a deliberate difference).
    doc = {"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s",
           "p": ["x", {"@value": "x", "@type": "http://www.w3.org/2001/XMLSchema#string"}]}
    dataset = to_rdf(doc)
    assert pyld_urdna2015(dataset) == '<http://ex.org/s> <http://ex.org/p> "x" .\n' * 2
    assert canonicalize(from_pyld_dataset(dataset)) == '<http://ex.org/s> <http://ex.org/p> "x" .\n'


def test_typical_credential_matches_pyld() -> None:
    doc = json.loads((VECTORS / "ob_v3p0_eddsa-rdfc-2022" / "unsigned-credential.json").read_text())
    doc["credentialSubject"].pop("id")  # more blank nodes
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": "A"}, {"type": ["Result"], "value": "A"},  # twins
        {"type": ["Result"], "value": "B"}]
    dataset = to_rdf(doc)
    expected = pyld_urdna2015(dataset)
    assert len(blank_nodes(parse_canonical(expected))) == 5
    assert canonicalize(from_pyld_dataset(dataset)) == expected


# --------------------------------------------------------------------------- invariants


_TERM = r'<[^>]*>|_:[^ ]+'
_LINE = re.compile(
    rf'({_TERM}) (<[^>]*>) ({_TERM}|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?)'
    rf'(?: ({_TERM}))? \.', re.S)


def parse_canonical(document: str) -> list[Quad]:
    """Split a canonical N-Quads document back into quads (terms as written)."""
    assert document == "" or document.endswith("\n")
    quads: list[Quad] = []
    for line in document.split("\n")[:-1]:  # not splitlines(): U+2028 etc. are data
        match = _LINE.fullmatch(line)
        assert match, line
        s, p, o, g = match.groups()
        quads.append((s, p, o, g or ""))
    return quads


def blank_nodes(quads: list[Quad]) -> set[str]:
    return {t for q in quads for t in (q[0], q[2], q[3]) if t.startswith("_:")}


@given(abstract_datasets(), st.integers(0, 2**32 - 1))
@settings(max_examples=300, deadline=None)
def test_isomorphic_datasets_canonicalize_identically(
    quads: list[AbstractQuad], seed: int
) -> None:
    ours = from_pyld_dataset(to_pyld_dataset(quads, dedupe=False))
    result = canonicalize(ours, max_work=10**7)
    assert canonicalize(relabel(ours, seed), max_work=10**7) == result
    # The form of the output: distinct sorted lines, blank nodes c14n0..n-1.
    canonical = parse_canonical(result)
    lines = result.split("\n")[:-1]
    assert lines == sorted(set(lines))
    assert len(canonical) == len(set(ours))
    assert blank_nodes(canonical) == {f"_:c14n{i}" for i in range(len(blank_nodes(ours)))}
    # The canonical form is a fixed point.
    assert canonicalize(canonical, max_work=10**7) == result


def test_blank_node_labels_that_look_canonical_are_relabeled() -> None:
    # Deliberate difference from PyLD 3.3.0 (and rdf-canonize), which leave an
    # input label starting with "_:c14n" as it is: here _:c14n0 would then
    # name two different blank nodes. RDFC-1.0 §4.4.3 step 6 replaces every
    # blank node identifier. (JSON-LD toRdf never produces such labels.)
    quads: list[Quad] = [
        ("_:c14n0", "<urn:p>", "_:x", ""),
        ("_:x", "<urn:q>", '"v"', ""),
    ]
    result = canonicalize(quads)
    assert result == canonicalize(relabel(quads, 1))
    assert len(blank_nodes(parse_canonical(result))) == 2
    pyld = jsonld.normalize(
        '_:c14n0 <urn:p> _:x .\n_:x <urn:q> "v" .\n',
        {"algorithm": "URDNA2015", "inputFormat": "application/n-quads",
         "format": "application/n-quads", **OPTIONS})
    assert len(blank_nodes(parse_canonical(pyld))) == 1  # the PyLD bug
    assert result != pyld


def test_repeated_blank_node_in_one_quad_follows_pyld() -> None:
    # RDFC-1.0 §4.4.3 step 2.1 read literally (as PyLD does): a quad is added to
    # a blank node's entry once per occurrence, so a self loop counts twice in
    # its first-degree hash. rdf-canonize 5 keeps a set instead and so labels
    # n0 _:c14n1 and n1 _:c14n2 here; PyLD and this module: n0 _:c14n2, n1 _:c14n1.
    document = (
        "_:n0 <http://q> _:n0 .\n"
        "_:n1 <http://p> _:n0 _:n1 .\n"
        '_:n2 <http://p> "v" .\n'
        "_:n2 <http://p> _:n0 <http://g> .\n"
    )
    quads = from_pyld_dataset(parse_nquads(document))
    expected = jsonld.normalize(document, {
        "algorithm": "URDNA2015", "inputFormat": "application/n-quads",
        "format": "application/n-quads", **OPTIONS})
    assert canonicalize(quads) == expected
    assert "_:c14n1 <http://p> _:c14n2 _:c14n1 .\n" in expected


# --------------------------------------------------------------------------- poisoning


def clique(n: int) -> list[Quad]:
    return [(f"_:n{i}", "<urn:p>", f"_:n{j}", "") for i in range(n) for j in range(n) if i != j]


@pytest.mark.parametrize("n", [10, 40])
def test_poisoned_dataset_is_refused_quickly(n: int) -> None:
    start = time.perf_counter()
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize(clique(n))
    assert time.perf_counter() - start < 2.0
    assert caught.value.code == "canonicalization_limit"
    assert isinstance(caught.value, BadgesError)
    assert "max_work" in caught.value.message


def test_max_work_is_respected() -> None:
    ring = [(f"_:n{i}", "<urn:p>", f"_:n{(i + 1) % 6}", "") for i in range(6)]
    expected = canonicalize(ring)
    with pytest.raises(CanonicalizationError):
        canonicalize(ring, max_work=10)
    assert canonicalize(ring, max_work=DEFAULT_MAX_WORK) == expected
    # Distinct first-degree hashes need no N-degree work at all.
    chain = [(f"_:n{i}", f"<urn:p{i}>", f"_:n{i + 1}", "") for i in range(3)]
    assert canonicalize(chain, max_work=0).count("_:c14n") == 6
    # A small clique is fine with the default budget.
    assert len(blank_nodes(parse_canonical(canonicalize(clique(4))))) == 4


def test_long_chains_of_look_alike_nodes_do_not_overflow_the_stack() -> None:
    # Two identical 1500-node paths: Hash N-Degree Quads recurses along a whole
    # path (PyLD raises RecursionError here); this module uses its own stack.
    n = 1500
    quads: list[Quad] = []
    for copy_ in "ab":
        for i in range(n):
            quads.append((f"_:{copy_}{i}", "<urn:pos>", f'"{i}"', ""))
            if i:
                quads.append((f"_:{copy_}{i - 1}", "<urn:next>", f"_:{copy_}{i}", ""))
    result = canonicalize(quads)
    assert len(blank_nodes(parse_canonical(result))) == 2 * n


# --------------------------------------------------------------------------- concurrency


def test_concurrent_calls_do_not_interfere() -> None:
    datasets = [clique(4), clique(3), parse_canonical(canonicalize(clique(5), max_work=10**6))]
    datasets += [[(f"_:n{i}", "<urn:p>", f"_:n{(i + 1) % k}", "") for i in range(k)]
                 for k in range(2, 8)]
    expected = [canonicalize(d, max_work=10**6) for d in datasets]
    failures: list[str] = []

    def worker(seed: int) -> None:
        for round_ in range(5):
            for index, dataset in enumerate(datasets):
                if canonicalize(relabel(dataset, seed + round_), max_work=10**6) != expected[index]:
                    failures.append(f"dataset {index}")

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
