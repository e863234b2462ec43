"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015), pure Python.

This module implements the W3C Recommendation *RDF Dataset Canonicalization*
(RDFC-1.0, https://www.w3.org/TR/rdf-canon/) with SHA-256, as required by the
``eddsa-rdfc-2022`` cryptosuite (DIGEST §3.2). Its output is byte-for-byte the
output of PyLD 3.3.0's ``jsonld.normalize(..., {"algorithm": "URDNA2015",
"format": "application/n-quads"})`` (see "Compatibility notes" below for the
one deliberate exception), but it is several times faster on the datasets a
credential produces, and it bounds the work an adversarial ("poisoned") dataset
can cause (RDFC-1.0 §4.4.3 and §7.1 "Dataset Poisoning").

Quads are plain tuples of already-serialized N-Quads terms (see :data:`Quad`),
so the algorithm never re-serializes a term: every N-Quads line it hashes or
outputs is a concatenation of the caller's strings.

Section numbers below refer to the RDFC-1.0 Recommendation:

* §4.3  Blank Node Identifier Issuer State (identifier issuers);
* §4.4  Canonicalization Algorithm (§4.4.3 the steps themselves);
* §4.5  Issue Identifier Algorithm;
* §4.6  Hash First Degree Quads;
* §4.7  Hash Related Blank Node;
* §4.8  Hash N-Degree Quads;
* §5    Serialization, and Appendix A, the canonical form of N-Quads;
* §7.1  Dataset Poisoning.

Compatibility notes (PyLD 3.3.0 and Digital Bazaar's rdf-canonize):

* A quad in which the same blank node occurs more than once (``_:x <p> _:x .``,
  or a blank node that is both subject and graph name) is referenced once per
  occurrence in the blank node to quads map (§4.4.3 step 2.1 read literally).
  This is what PyLD does; rdf-canonize keeps a *set* of quads instead, so for
  such datasets the two libraries (and so signatures made with them) disagree.
  The code that depends on this choice is marked "per occurrence".
* PyLD and rdf-canonize leave any input blank node whose label already starts
  with ``_:c14n`` unrenamed in the output (§4.4.3 step 6 says to replace every
  blank node). That can map two different datasets to one canonical form; this
  module relabels every blank node, as the specification says. Datasets made by
  JSON-LD ``toRdf`` never carry such labels (they are always ``_:b0``, ...).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Generator
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import Final

from badges.errors import CanonicalizationError as CanonicalizationError

__all__ = [
    "DEFAULT_MAX_WORK",
    "CanonicalizationError",
    "Quad",
    "canonicalize",
    "canonicalize_with_map",
    "escape_literal",
    "from_pyld_dataset",
]

#: One quad: ``(subject, predicate, object, graph)``, each already serialized as
#: an N-Quads term: an IRI ``<http://...>``, a blank node ``_:label``, or (object
#: only) a literal ``"escaped"`` optionally followed by ``^^<datatype>`` or
#: ``@lang``. The graph is ``""`` for the default graph. The predicate is never
#: treated as a blank node.
Quad = tuple[str, str, str, str]

#: Default work budget of :func:`canonicalize` against dataset poisoning
#: (RDFC-1.0 §7.1). A unit is one Hash N-Degree Quads call (§4.8), one related
#: blank node hashed by it, one blank node placed in a permutation it tries
#: (§4.8.3 step 5.4), or 256 identifier-issuer entries copied: each is a
#: microsecond or two of work. Credentials need none when their blank nodes have
#: distinct first-degree hashes (the usual case) and a few dozen otherwise
#: (a 356-quad OB 3.0 example with 14 look-alike nodes: 40); a ring of 40
#: look-alike blank nodes needs about 29,000. Using up the budget takes about
#: 0.1 s.
DEFAULT_MAX_WORK: Final = 50_000

_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: An identifier issuer (§4.3): existing identifier -> issued identifier, in
#: issue order. The counter of §4.3 is ``len(issuer)`` since every issue maps an
#: existing identifier.
_Issuer = dict[str, str]
#: What Hash N-Degree Quads returns (§4.8.3 step 6): (hash, issuer).
_Result = tuple[str, _Issuer]
#: A suspended Hash N-Degree Quads call: yields the (identifier, issuer) of a
#: recursive call it needs (§4.8.3 step 5.4.5.1), is sent back that call's
#: result, and finally returns its own result.
_HashCall = Generator[tuple[str, _Issuer], _Result, _Result]


def escape_literal(value: str) -> str:
    r"""Escape a literal's lexical form as canonical N-Quads (RDFC-1.0 §A, RDF 1.2 N-Quads).

    ``\b \t \n \f \r " \`` are written as ECHAR escapes and the other control
    characters (U+0000 to U+001F, U+007F) as ``\uXXXX`` with upper-case hex;
    everything else is kept as it is. This is what rdf-canonize (the
    JavaScript stack) does. PyLD 3.3.0 escapes only backslash, tab, line feed,
    carriage return and the double quote, so for literals holding other
    control characters its signatures differ from both the spec and
    JavaScript; the interoperability tests pin this choice.

    Args:
        value: the literal's lexical form.

    Returns:
        The text to put between the double quotes.
    """
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return _NEEDS_ESCAPE.sub(_escape_char, value)


_ESCAPES: Final = {"\b": r"\b", "\t": r"\t", "\n": r"\n", "\f": r"\f", "\r": r"\r",
                   '"': r"\"", "\\": "\\\\"}
_NEEDS_ESCAPE: Final = re.compile(r'[\x00-\x1f\x7f"\\]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def from_pyld_dataset(dataset: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[Quad]:
    """Turn a PyLD RDF dataset into :data:`Quad` tuples.

    ``dataset`` is what ``pyld.jsonld.to_rdf`` returns without a ``format``
    option (or what ``pyld.jsonld.JsonLdProcessor.parse_nquads`` returns):
    ``{graph name: [triple, ...]}`` with ``"@default"`` for the default graph,
    each triple a dict of ``subject``/``predicate``/``object`` nodes carrying
    ``type`` ("IRI", "blank node" or "literal"), ``value`` and, for literals,
    ``datatype`` and ``language``. Terms are serialized exactly as
    ``pyld.nquads.serialize_nquad`` serializes them: ``xsd:string`` is left
    implicit, ``rdf:langString`` becomes ``@lang``, other datatypes become
    ``^^<datatype>``, a graph name starting with ``_:`` is a blank node and any
    other is an IRI. A triple's own ``name`` entry, if present, wins over the
    graph it is listed under (PyLD adds one during normalization).

    Args:
        dataset: the PyLD dataset; it is not modified.

    Returns:
        The quads, in dataset order (duplicates are kept; :func:`canonicalize`
        removes them).
    """
    quads: list[Quad] = []
    append = quads.append
    for graph_name, triples in dataset.items():
        default = "" if graph_name == "@default" else graph_name
        for triple in triples:
            name = triple.get("name")
            graph: str | None = default if name is None else name["value"]
            if not graph:
                graph = ""
            elif graph[:2] != "_:":
                graph = f"<{graph}>"
            node = triple["subject"]
            subject = f"<{node['value']}>" if node["type"] == "IRI" else node["value"]
            node = triple["predicate"]
            predicate = f"<{node['value']}>" if node["type"] == "IRI" else node["value"]
            node = triple["object"]
            kind = node["type"]
            value: str = node["value"]
            if kind == "IRI":
                obj = f"<{value}>"
            elif kind == "blank node":
                obj = value
            else:
                value = escape_literal(value)
                datatype = node.get("datatype", _XSD_STRING)
                if datatype == _XSD_STRING:
                    obj = f'"{value}"'
                elif datatype != _RDF_LANGSTRING:
                    obj = f'"{value}"^^<{datatype}>'
                elif language := node.get("language"):
                    obj = f'"{value}"@{language}'
                else:
                    obj = f'"{value}"'
            append((subject, predicate, obj, graph))
    return quads


def _first_degree_line(reference: str, quad: Quad) -> str:
    """One line of Hash First Degree Quads (RDFC-1.0 §4.6.3 step 3).

    Args:
        reference: the blank node being hashed.
        quad: a quad that mentions it.

    Returns:
        The quad as an N-Quads line with ``reference`` written ``_:a`` and every
        other blank node ``_:z`` (steps 3.1.1-3.1.2).
    """
    s, p, o, g = quad
    if s[:1] == "_":
        s = "_:a" if s == reference else "_:z"
    if o[:1] == "_":
        o = "_:a" if o == reference else "_:z"
    if not g:
        return f"{s} {p} {o} .\n"
    if g[:1] == "_":
        g = "_:a" if g == reference else "_:z"
    return f"{s} {p} {o} {g} .\n"


def _permutations(items: list[str]) -> Iterator[list[str]]:
    """Every ordering of ``items``, for §4.8.3 step 5.4.

    The orderings come in the same sequence as the reference implementations
    (PyLD, rdf-canonize) produce them: Steinhaus-Johnson-Trotter starting from
    the code point sorted list, with one direction flag per distinct value. The
    order only decides which of several equally small paths is "chosen", so
    following it keeps the chosen issuer, and the output, identical to theirs
    even for the degenerate lists that contain a blank node twice.

    The same list object is yielded each time, rearranged in place between
    yields: use it before asking for the next one.

    Args:
        items: the blank node identifiers to permute (not modified).

    Yields:
        Each permutation in turn.
    """
    elements = sorted(items)
    length = len(elements)
    facing_left = dict.fromkeys(elements, True)
    while True:
        yield elements
        # The largest "mobile" element: one larger than the neighbour it faces.
        mobile: str | None = None
        position = 0
        for index, element in enumerate(elements):
            if mobile is not None and element <= mobile:
                continue
            if facing_left[element]:
                if index > 0 and element > elements[index - 1]:
                    mobile, position = element, index
            elif index < length - 1 and element > elements[index + 1]:
                mobile, position = element, index
        if mobile is None:
            return
        other = position - 1 if facing_left[mobile] else position + 1
        elements[position], elements[other] = elements[other], mobile
        for element in elements:
            if element > mobile:
                facing_left[element] = not facing_left[element]


class _NDegreeState:
    """Shared, per-call state for Hash N-Degree Quads (§4.7, §4.8).

    One instance lives for one :func:`canonicalize` call, so concurrent calls
    share nothing.

    Attributes:
        canonical: the canonical issuer (§4.3) as issued so far.
        first_degree: blank node identifier -> its first-degree hash (§4.6).
        mentions: blank node identifier -> the quads that mention it and some
            other blank node, once per occurrence (the part of the blank node
            to quads map that relates blank nodes).
        related: memo of :func:`_related_pairs` per blank node identifier.
        related_hashes: memo of Hash Related Blank Node inputs -> hashes.
        max_work: the budget.
        work: the budget spent so far.
    """

    def __init__(
        self,
        canonical: dict[str, str],
        first_degree: dict[str, str],
        mentions: Mapping[str, list[Quad]],
        max_work: int,
    ) -> None:
        self.canonical = canonical
        self.first_degree = first_degree
        self.mentions = mentions
        self.related: dict[str, list[tuple[str, str]]] = {}
        self.related_hashes: dict[str, str] = {}
        self.max_work = max_work
        self.work = 0

    def _spend(self, units: int) -> None:
        """Charge ``units`` of work, refusing the dataset when over budget.

        Raises:
            CanonicalizationError: the budget is exhausted.
        """
        self.work += units
        if self.work > self.max_work:
            raise CanonicalizationError(
                "RDF canonicalization refused: the dataset's blank nodes are too "
                "alike to tell apart within the work limit "
                f"(max_work={self.max_work}); this is the shape of a "
                "dataset-poisoning attack (RDFC-1.0 section 7.1)")

    def hash_n_degree(self, identifier: str, issuer: _Issuer) -> _Result:
        """Run Hash N-Degree Quads (§4.8) to completion, without recursion.

        §4.8.3 step 5.4.5.1 recurses once per blank node on a path, which on a
        long chain of look-alike blank nodes would overflow Python's stack; the
        recursive calls are generators here, driven from an explicit stack.

        Args:
            identifier: the reference blank node identifier.
            issuer: the path identifier issuer (not modified).

        Returns:
            The hash and the resulting identifier issuer (§4.8.3 step 6).
        """
        stack: list[_HashCall] = [self._hash_n_degree(identifier, issuer)]
        reply: _Result | None = None
        while True:
            call = stack[-1]
            try:
                request = next(call) if reply is None else call.send(reply)
            except StopIteration as finished:
                stack.pop()
                if not stack:
                    result: _Result = finished.value
                    return result
                reply = finished.value
                continue
            stack.append(self._hash_n_degree(*request))
            reply = None

    def _hash_n_degree(self, identifier: str, issuer: _Issuer) -> _HashCall:
        """Hash N-Degree Quads (RDFC-1.0 §4.8.3), as a resumable generator.

        Args:
            identifier: the reference blank node identifier.
            issuer: the path identifier issuer; never modified (every
                permutation works on a copy, step 5.4.1).

        Yields:
            ``(related, issuer copy)`` for each recursive call of step 5.4.5.1;
            the caller sends back that call's ``(hash, issuer)``.

        Returns:
            ``(hash, issuer)`` (step 6).
        """
        canonical = self.canonical
        first_degree = self.first_degree
        memo = self.related_hashes

        # Steps 1-3: hash to related blank nodes map. Hash Related Blank Node
        # (§4.7.3): position, predicate (not for g), then the related node's
        # canonical identifier, else its identifier from issuer, else its
        # first-degree hash.
        hash_to_related: dict[str, list[str]] = {}
        pairs = self.related.get(identifier)
        if pairs is None:
            pairs = self.related[identifier] = _related_pairs(
                identifier, self.mentions.get(identifier, []))
        # Work: one unit for the call and one per related blank node hashed.
        self._spend(1 + len(pairs))
        for prefix, related in pairs:
            key = prefix + (
                canonical.get(related) or issuer.get(related) or first_degree[related]
            )
            related_hash = memo.get(key)
            if related_hash is None:
                related_hash = memo[key] = hashlib.sha256(key.encode()).hexdigest()
            bucket = hash_to_related.get(related_hash)
            if bucket is None:
                hash_to_related[related_hash] = [related]
            else:
                bucket.append(related)

        # Step 4: data to hash (fed straight into the hash object).
        data_to_hash = hashlib.sha256()
        # Step 5: related hashes in code point order.
        for related_hash in sorted(hash_to_related):
            data_to_hash.update(related_hash.encode())  # 5.1
            chosen_path = ""  # 5.2
            chosen_issuer: _Issuer | None = None  # 5.3
            for permutation in _permutations(hash_to_related[related_hash]):  # 5.4
                # Work: a unit per blank node placed, and one per 256 entries of
                # the issuer to copy (about as costly; issuers grow with paths).
                self._spend(len(permutation) + (len(issuer) >> 8))
                issuer_copy = issuer.copy()  # 5.4.1
                path = ""  # 5.4.2
                recursion_list: list[str] = []  # 5.4.3
                skip = False
                for related in permutation:  # 5.4.4
                    label = canonical.get(related)
                    if label is None:  # 5.4.4.2
                        label = issuer_copy.get(related)
                        if label is None:
                            recursion_list.append(related)
                            label = issuer_copy[related] = f"_:b{len(issuer_copy)}"
                    path += label
                    # 5.4.4.3. Once path sorts after chosen path no extension of
                    # it can sort before, so the spec's length test is implied.
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion_list:  # 5.4.5
                    result_hash, result_issuer = yield related, issuer_copy
                    path += f"{issuer_copy[related]}<{result_hash}>"  # 5.4.5.2-3
                    issuer_copy = result_issuer  # 5.4.5.4
                    if chosen_path and path > chosen_path:  # 5.4.5.5
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:  # 5.4.6
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data_to_hash.update(chosen_path.encode())  # 5.5
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer  # 5.6
        return data_to_hash.hexdigest(), issuer  # 6


def canonicalize(quads: Iterable[Quad], *, max_work: int = DEFAULT_MAX_WORK) -> str:
    r"""Canonicalize an RDF dataset with RDFC-1.0 (RDFC-1.0 §4.4.3).

    Blank nodes are relabeled ``_:c14n0``, ``_:c14n1``, ... deterministically,
    so that isomorphic datasets give the same text, and the result is
    serialized as canonical N-Quads: one ``s p o .`` or ``s p o g .`` line per
    distinct quad, each ending in ``\n``, sorted in code point order.

    Steps: build the blank node to quads map (2); hash each blank node's first
    degree quads (3, §4.6); give canonical identifiers, in hash order, to the
    blank nodes whose hash is unique (4); for each group sharing a hash, rank
    its members with Hash N-Degree Quads (5, §4.8) and issue identifiers in
    that order; relabel and serialize every quad (6).

    Args:
        quads: the dataset; duplicates are ignored (a dataset is a set).
        max_work: budget against dataset poisoning (§7.1), in the units
            described at :data:`DEFAULT_MAX_WORK` (roughly: Hash N-Degree
            Quads calls plus blank nodes placed in the permutations they try).
            Datasets whose blank nodes all have distinct first-degree hashes
            (almost every credential) need none.

    Returns:
        The canonical N-Quads document (``""`` for an empty dataset).

    Raises:
        CanonicalizationError: the dataset needs more than ``max_work``.
    """
    return canonicalize_with_map(quads, max_work=max_work)[0]


def canonicalize_with_map(quads: Iterable[Quad], *, max_work: int = DEFAULT_MAX_WORK,
                          ) -> tuple[str, dict[str, str]]:
    """Canonicalize like :func:`canonicalize`, and say which blank node became which.

    RDFC-1.0 §4.4.3 step 7 allows the algorithm to return the *issued
    identifiers map* instead of (or with) the serialized dataset: every input
    blank node identifier (without ``_:``) to its canonical one (``c14n0``...).
    The W3C test suite checks it (its ``RDFC10MapTest`` entries).

    Args:
        quads: the dataset; duplicates are ignored.
        max_work: the budget against dataset poisoning (§7.1).

    Returns:
        The canonical N-Quads document and the issued identifiers map.

    Raises:
        CanonicalizationError: the dataset needs more than ``max_work``.
    """
    lines: list[str] = []
    canonical: dict[str, str] = {}
    # Step 2 fused with the serialization of §4.6.3 step 3: the blank node to
    # quads map is kept as each blank node's first-degree N-Quads lines. A quad
    # counts once per blank node occurrence (PyLD's reading of step 2.1,
    # rdf-canonize counts it once per blank node): see the module notes.
    first_lines: dict[str, list[str]] = {}
    # Quads with blank nodes, split by shape so that step 6 only has to glue
    # the canonical identifier in: (label, rest of line) for a default-graph
    # quad whose only blank node is its subject, (start of line, label) for one
    # whose only blank node is its object; every other quad is "general".
    blank_subject: list[tuple[str, str]] = []
    blank_object: list[tuple[str, str]] = []
    general: list[Quad] = []
    try:
        for quad in dict.fromkeys(quads):
            s, p, o, g = quad
            if g:
                general.append(quad)
            elif s[0] == "_":
                if o[0] == "_":
                    general.append(quad)
                    continue
                tail = f" {p} {o} .\n"
                blank_subject.append((s, tail))
                entry = first_lines.get(s)
                if entry is None:
                    first_lines[s] = ["_:a" + tail]
                else:
                    entry.append("_:a" + tail)
            elif o[0] == "_":
                head = f"{s} {p} "
                blank_object.append((head, o))
                entry = first_lines.get(o)
                if entry is None:
                    first_lines[o] = [head + "_:a .\n"]
                else:
                    entry.append(head + "_:a .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
    except IndexError:
        raise ValueError("an N-Quads term is empty (only the graph may be '')") from None
    # The general quads: ground ones (in a named graph) are done; the others
    # add one first-degree line per blank node (per occurrence).
    relabel: list[Quad] = []
    for quad in general:
        s, p, o, g = quad
        if s[0] != "_" and o[0] != "_" and g[:1] != "_":
            lines.append(f"{s} {p} {o} {g} .\n")
            continue
        relabel.append(quad)
        for term in (s, o, g):
            if term[:1] == "_":
                line = _first_degree_line(term, quad)
                entry = first_lines.get(term)
                if entry is None:
                    first_lines[term] = [line]
                else:
                    entry.append(line)

    if first_lines:
        canonical = _issue_identifiers(first_lines, relabel, max_work)
        # Step 6: relabel.
        lines += [canonical[label] + tail for label, tail in blank_subject]
        lines += [head + canonical[label] + " .\n" for head, label in blank_object]
        for s, p, o, g in relabel:
            if s[:1] == "_":
                s = canonical[s]
            if o[:1] == "_":
                o = canonical[o]
            if g:
                if g[:1] == "_":
                    g = canonical[g]
                lines.append(f"{s} {p} {o} {g} .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
    lines.sort()
    return "".join(lines), {label[2:]: issued[2:] for label, issued in canonical.items()}


def _issue_identifiers(
    first_lines: Mapping[str, list[str]], general: list[Quad], max_work: int
) -> dict[str, str]:
    """Issue canonical identifiers (RDFC-1.0 §4.4.3 steps 3-5).

    Args:
        first_lines: blank node identifier -> its Hash First Degree Quads lines
            (§4.6.3 step 3), unsorted; sorted in place here.
        general: the quads that may relate two blank nodes.
        max_work: the work budget of :func:`canonicalize`.

    Returns:
        The canonical issuer: every blank node identifier -> ``_:c14nN``.

    Raises:
        CanonicalizationError: the dataset needs more than ``max_work``.
    """
    if len(first_lines) == 1:
        # A lone blank node's hash is unique whatever it is (steps 3-4).
        return {identifier: "_:c14n0" for identifier in first_lines}
    # Step 3: first-degree hashes (§4.6.3 steps 4-5) and the hash to blank
    # nodes map.
    first_degree: dict[str, str] = {}
    hash_to_bnodes: dict[str, list[str]] = {}
    sha256 = hashlib.sha256
    for identifier, nquads in first_lines.items():
        if len(nquads) > 1:
            nquads.sort()
            data = "".join(nquads)
        else:
            data = nquads[0]
        first_hash = sha256(data.encode()).hexdigest()
        first_degree[identifier] = first_hash
        group = hash_to_bnodes.get(first_hash)
        if group is None:
            hash_to_bnodes[first_hash] = [identifier]
        else:
            group.append(identifier)

    # Step 4: unique hashes, in code point order, get identifiers at once.
    # (First-degree hashes never change, so the "simple" loop of the old
    # URDNA2015 text always ends after one pass; RDFC-1.0 dropped it.)
    canonical: dict[str, str] = {}
    shared: list[list[str]] = []
    for first_hash in sorted(hash_to_bnodes):
        group = hash_to_bnodes[first_hash]
        if len(group) > 1:
            shared.append(group)
        else:
            canonical[group[0]] = f"_:c14n{len(canonical)}"
    if not shared:
        return canonical

    # Step 5: shared hashes, in code point order. The quads that relate blank
    # nodes, listed for each blank node in them (per occurrence).
    mentions: defaultdict[str, list[Quad]] = defaultdict(list)
    for quad in general:
        s, _, o, g = quad
        for term in (s, o, g):
            if term[:1] == "_":
                mentions[term].append(quad)
    state = _NDegreeState(canonical, first_degree, mentions, max_work)
    for group in shared:
        results: list[_Result] = []  # 5.1 hash path list
        for identifier in group:  # 5.2
            if identifier in canonical:  # 5.2.1
                continue
            # 5.2.2-5.2.4: a temporary issuer that has issued _:b0 for it.
            results.append(state.hash_n_degree(identifier, {identifier: "_:b0"}))
        results.sort(key=_result_hash)  # 5.3 (a stable sort, like the references)
        for _, issuer in results:
            for existing in issuer:  # 5.3.1, in issue order
                if existing not in canonical:
                    canonical[existing] = f"_:c14n{len(canonical)}"
    return canonical


def _result_hash(result: _Result) -> str:
    """Sort key for the hash path list (§4.4.3 step 5.3)."""
    return result[0]


def _related_pairs(reference: str, quads: list[Quad]) -> list[tuple[str, str]]:
    """The blank nodes related to ``reference`` (RDFC-1.0 §4.8.3 steps 2-3).

    Args:
        reference: a blank node identifier.
        quads: the quads of the blank node to quads map for ``reference`` that
            mention more than one blank node (others relate nothing), once per
            occurrence of ``reference`` in them.

    Returns:
        ``(prefix, related identifier)`` for every component of those quads that
        is a blank node other than ``reference``, where prefix is ``"s"`` or
        ``"o"`` followed by the predicate term, or ``"g"``: the start of the
        Hash Related Blank Node input (§4.7.3 steps 1-2).
    """
    pairs: list[tuple[str, str]] = []
    for s, p, o, g in quads:
        if s[:1] == "_" and s != reference:
            pairs.append(("s" + p, s))
        if o[:1] == "_" and o != reference:
            pairs.append(("o" + p, o))
        if g[:1] == "_" and g != reference:
            pairs.append(("g", g))
    return pairs
