"""Hypothesis strategies for RDF datasets that stress RDFC-1.0 canonicalization.

Datasets are generated in PyLD's own dataset form (``{graph name: [triple]}``
with ``subject``/``predicate``/``object`` node dicts), so the same example can
be fed to PyLD's URDNA2015 and, through :func:`badges.rdfc.from_pyld_dataset`,
to :func:`badges.rdfc.canonicalize`.

The interesting part is the blank nodes. Most examples are built from a few
*shapes* that make first-degree hashes collide and so force the Hash N-Degree
Quads algorithm: rings (directed or both ways), small cliques, stars, chains of
look-alike nodes, several isomorphic copies of one random component (in one
graph, in separate blank-node named graphs, or in IRI named graphs), blank
nodes that are also graph names, and self loops. Labels are drawn from a pool
that contains confusing names (``_:a``/``_:z``, the placeholders of §4.6,
``_:b10`` that sorts before ``_:b2``, dotted and underscored labels) and are
shuffled, and quads are shuffled and sometimes repeated.

Sizes are kept small enough for PyLD (which has no work limit) to finish
each example in milliseconds.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st
from pyld.nquads import serialize_nquad

Node = dict[str, str]
#: (subject, predicate, object, graph name); graph name "@default", an IRI or "_:label".
AbstractQuad = tuple[Node, Node, Node, str]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Blank node labels; never starting with "c14n" (see test_rdfc's note on PyLD).
LABELS = (
    [f"_:b{i}" for i in range(12)]
    + ["_:a", "_:z", "_:x.y", "_:_q", "_:g-1", "_:c14", "_:Z9", "_:e0", "_:n"]
)
PREDICATES = ["http://ex.org/p", "http://ex.org/q", "http://ex.org/r", "urn:x:p"]
IRIS = ["http://ex.org/s", "http://ex.org/o", "urn:uuid:1", "did:example:123", "http://ex.org/"]
GRAPH_IRIS = ["http://ex.org/g1", "http://ex.org/g2"]

#: Characters that literal values are drawn from: escapes, quotes, controls,
#: non-ASCII, astral and combining characters, and a lot of plain text.
_NASTY = "\\\"\n\r\t\b\f\x00\x7f\u00e9\u2028\u4e2d\U0001f600e\u0301 _:<>@^."
literal_text = st.text(
    alphabet=st.sampled_from(_NASTY) | st.characters(codec="utf-8"),
    max_size=12,
)


def iri(value: str) -> Node:
    """An IRI node."""
    return {"type": "IRI", "value": value}


def bnode(label: str) -> Node:
    """A blank node."""
    return {"type": "blank node", "value": label}


@st.composite
def literals(draw: st.DrawFn) -> Node:
    """A literal: plain, language-tagged, or typed (including xsd:string)."""
    value = draw(literal_text)
    kind = draw(st.sampled_from(["plain", "lang", "typed", "xsd-string", "empty-lang"]))
    node: Node = {"type": "literal", "value": value}
    if kind == "plain" or kind == "xsd-string":
        node["datatype"] = XSD + "string"
    elif kind == "lang":
        node["datatype"] = RDF_LANGSTRING
        node["language"] = draw(st.sampled_from(["en", "en-US", "fr", "zh-Hant-TW"]))
    elif kind == "empty-lang":
        node["datatype"] = RDF_LANGSTRING  # no language: PyLD drops the tag
    else:
        node["datatype"] = draw(st.sampled_from([
            XSD + "integer", XSD + "dateTime", "http://ex.org/dt", "urn:x:dt",
        ]))
    return node


# --------------------------------------------------------------------------- shapes
# Each shape returns quads over *local* blank node names (ints), relabeled later.

LocalQuad = tuple[Any, str, Any, Any]  # terms: int = local blank node, Node, or graph


def _ring(n: int, both_ways: bool, pred: str) -> list[LocalQuad]:
    quads = [(i, pred, (i + 1) % n, None) for i in range(n)]
    if both_ways:
        quads += [((i + 1) % n, pred, i, None) for i in range(n)]
    return quads


def _clique(n: int, pred: str) -> list[LocalQuad]:
    return [(i, pred, j, None) for i in range(n) for j in range(n) if i != j]


def _star(n: int, pred: str, hub_blank: bool) -> list[LocalQuad]:
    hub: Any = 0 if hub_blank else iri(IRIS[0])
    return [(hub, pred, i, None) for i in range(1, n + 1)]


def _chain(n: int, value: Node) -> list[LocalQuad]:
    quads: list[LocalQuad] = [(i, PREDICATES[0], value, None) for i in range(n)]
    quads += [(i, PREDICATES[1], i + 1, None) for i in range(n - 1)]
    return quads


@st.composite
def _random_component(draw: st.DrawFn, max_nodes: int = 5) -> list[LocalQuad]:
    """A random little graph over a few blank nodes, IRIs and literals."""
    n = draw(st.integers(1, max_nodes))
    preds = PREDICATES[: draw(st.integers(1, 3))]
    quads: list[LocalQuad] = []
    for _ in range(draw(st.integers(1, 8))):
        subject: Any = draw(st.integers(0, n - 1) | st.sampled_from([iri(IRIS[0]), iri(IRIS[2])]))
        obj: Any = draw(
            st.integers(0, n - 1)
            | st.sampled_from([iri(IRIS[1]), iri(IRIS[3])])
            | literals()
        )
        graph: Any = draw(st.sampled_from([None, None, None, "g-iri", "g-local"]))
        if graph == "g-local":
            graph = draw(st.integers(0, n - 1))
        elif graph == "g-iri":
            graph = iri(GRAPH_IRIS[0])
        quads.append((subject, draw(st.sampled_from(preds)), obj, graph))
    return quads


@st.composite
def _shape(draw: st.DrawFn) -> list[LocalQuad]:
    kind = draw(st.sampled_from([
        "random", "random", "ring", "clique", "star", "chain", "copies", "copies",
        "graph-copies", "self-loops", "graph-named-by-member",
    ]))
    pred = draw(st.sampled_from(PREDICATES[:2]))
    if kind == "random":
        return draw(_random_component())
    if kind == "ring":
        return _ring(draw(st.integers(2, 6)), draw(st.booleans()), pred)
    if kind == "clique":
        return _clique(draw(st.integers(2, 4)), pred)
    if kind == "star":
        return _star(draw(st.integers(2, 5)), pred, draw(st.booleans()))
    if kind == "chain":
        return _chain(draw(st.integers(2, 6)), draw(literals()))
    if kind == "self-loops":
        n = draw(st.integers(1, 4))
        quads: list[LocalQuad] = [(i, pred, i, None) for i in range(n)]
        quads += [(i, PREDICATES[2], i, i) for i in range(draw(st.integers(0, n)))]
        return quads
    if kind == "graph-named-by-member":
        # A blank node that names a graph and also appears inside it.
        inner = draw(_random_component(max_nodes=3))
        return inner + [(0, pred, 1, 0), (1, pred, 0, 0), (iri(IRIS[0]), pred, 0, None)]
    # Isomorphic copies of one component, relabeled apart.
    component = draw(_random_component(max_nodes=3) | st.just(_ring(3, False, pred)))
    copies = draw(st.integers(2, 3))
    width = 1 + max(
        [t for q in component for t in (q[0], q[2], q[3]) if isinstance(t, int)],
        default=0,
    )
    quads = []
    for c in range(copies):
        offset = c * (width + 1)
        graph_for_copy: Any = None
        if kind == "graph-copies":
            graph_for_copy = draw(st.sampled_from(["blank", "iri", "default"]))
            graph_for_copy = {
                "blank": offset + width,
                "iri": iri(GRAPH_IRIS[c % 2]),
                "default": None,
            }[graph_for_copy]
        for s, p, o, g in component:
            quads.append((
                s + offset if isinstance(s, int) else s,
                p,
                o + offset if isinstance(o, int) else o,
                g + offset if isinstance(g, int) else (g if g is not None else graph_for_copy),
            ))
    return quads


@st.composite
def abstract_datasets(draw: st.DrawFn, max_shapes: int = 3) -> list[AbstractQuad]:
    """A dataset as a list of quads (duplicates possible), hard cases favored."""
    shapes = draw(st.lists(_shape(), min_size=1, max_size=max_shapes))
    # Link some shapes together through an extra quad so they interact.
    local: list[LocalQuad] = []
    offset = 0
    for shape in shapes:
        ints = [t for q in shape for t in (q[0], q[2], q[3]) if isinstance(t, int)]
        width = 1 + max(ints, default=-1)
        local += [_shift(q, offset) for q in shape]
        offset += width
    if offset > 1 and draw(st.booleans()):
        local.append((draw(st.integers(0, offset - 1)), PREDICATES[3],
                      draw(st.integers(0, offset - 1)), None))
    if offset > len(LABELS):
        offset = len(LABELS)
        local = [q for q in local if all(
            not isinstance(t, int) or t < offset for t in (q[0], q[2], q[3]))]
    labels = draw(st.permutations(LABELS))[:offset]
    seed = draw(st.integers(0, 2**32 - 1))

    def term(t: Any) -> Node:
        return bnode(labels[t]) if isinstance(t, int) else t

    quads: list[AbstractQuad] = []
    for s, p, o, g in local:
        if isinstance(g, int):
            graph = labels[g]
        elif isinstance(g, dict):
            graph = g["value"]
        else:
            graph = "@default"
        quads.append((term(s), iri(p), term(o), graph))
    rng = random.Random(seed)
    rng.shuffle(quads)
    repeat: bool = draw(st.booleans())
    if quads and repeat:
        quads += rng.sample(quads, k=min(len(quads), 3))  # duplicates
    return quads


def _shift(quad: LocalQuad, offset: int) -> LocalQuad:
    """Move a shape's local blank nodes by ``offset``."""
    s, p, o, g = quad
    return (
        s + offset if isinstance(s, int) else s,
        p,
        o + offset if isinstance(o, int) else o,
        g + offset if isinstance(g, int) else g,
    )


def to_pyld_dataset(quads: list[AbstractQuad], *, dedupe: bool = True) -> dict[str, list[Any]]:
    """The PyLD dataset for ``quads`` (fresh dicts; PyLD mutates what it is given).

    With ``dedupe``, quads that serialize to the same N-Quads line are kept once
    (a language-tagged literal without a language reads like a plain one), as
    in a dataset parsed from N-Quads.
    """
    dataset: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for s, p, o, g in quads:
        triple = {"subject": copy.deepcopy(s), "predicate": copy.deepcopy(p),
                  "object": copy.deepcopy(o)}
        key = serialize_nquad(triple, None if g == "@default" else g)
        if dedupe and key in seen:
            continue
        seen.add(key)
        dataset.setdefault(g, []).append(triple)
    return dataset


# --------------------------------------------------------------------------- JSON-LD

JSONLD_CONTEXT: dict[str, Any] = {
    "@vocab": "http://ex.org/v#",
    "knows": {"@type": "@id"},
    "seq": {"@container": "@list"},
    "label": {"@container": "@language"},
    "inner": {"@container": "@graph"},
    "when": {"@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
}
_SHARED_IDS = ["_:s1", "_:s2", "http://ex.org/n1", "urn:x:n2"]


def _jsonld_values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    scalar = (
        literal_text
        | st.integers(-(10**6), 10**6)
        | st.floats(allow_nan=False, allow_infinity=False, width=32)
        | st.booleans()
        | st.builds(lambda v, lang: {"@value": v, "@language": lang},
                    literal_text, st.sampled_from(["en", "de-CH"]))
        | st.builds(lambda i: {"@id": i}, st.sampled_from(_SHARED_IDS))
    )
    return scalar | children


@st.composite
def _jsonld_node(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        node["@id"] = draw(st.sampled_from(_SHARED_IDS))
    if draw(st.booleans()):
        node["@type"] = draw(st.sampled_from(["A", "B", ["A", "B"]]))
    children: st.SearchStrategy[Any] = (
        _jsonld_node(depth - 1) if depth > 0 else st.nothing()
    )
    values = _jsonld_values(children)
    for prop in draw(st.lists(st.sampled_from(["p", "q", "knows", "seq", "when"]),
                              max_size=4, unique=True)):
        if prop == "knows":
            node[prop] = draw(st.lists(st.sampled_from(_SHARED_IDS), min_size=1, max_size=3))
        elif prop == "when":
            node[prop] = "2024-01-01T00:00:00Z"
        elif prop == "seq":
            node[prop] = draw(st.lists(values, max_size=4))
        else:
            node[prop] = draw(values | st.lists(values, min_size=1, max_size=3))
    if draw(st.integers(0, 4)) == 0:
        node["label"] = {"en": draw(literal_text), "fr": draw(literal_text)}
    if depth > 0 and draw(st.integers(0, 4)) == 0:
        node["inner"] = draw(_jsonld_node(depth - 1))
    return node


@st.composite
def jsonld_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A small JSON-LD document over an inline context (no remote contexts)."""
    nodes = draw(st.lists(_jsonld_node(2), min_size=1, max_size=3))
    return {"@context": JSONLD_CONTEXT, "@graph": nodes}
