"""JSON-LD to RDF for signing and verifying, with safe mode, compiled per document shape.

What this module implements:

* JSON-LD 1.1 *Deserialize JSON-LD to RDF* (JSON-LD 1.1 API §8) over the
  bundled contexts only (:mod:`badges.loader`), delegated to PyLD, the
  reference this module is tested against.
* JSON-LD **safe mode** (VC Data Model 2.0 §4.2 and DIGEST §10.1): every
  property and every type must be defined by the contexts. PyLD silently
  drops undefined terms, so the check expands with a sentinel ``@vocab`` and
  reports whatever lands under it.
* A **shape cache** that makes both cheap. Two credentials with the same keys,
  ``@context``, types, numbers and IRI prefixes differ only in their string
  values, and JSON-LD processing maps each such string to one place in the
  RDF output without looking at it (as a literal, or as an absolute IRI kept
  verbatim). So the first document of a shape is processed by PyLD with every
  string replaced by a unique marker; the markers found in the output make a
  template, and later documents of that shape are filled in directly. Where a
  value's text could change how it is processed (a relative IRI, a vocabulary
  term, a keyword) that value becomes part of the cache key instead. Every new
  template is checked against PyLD on the document that created it, and the
  differential tests in ``tests/badges/test_jsonld.py`` compare the two paths
  over generated credentials.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyld import jsonld as _pyld

from badges import rdfc
from badges.errors import JsonLdError
from badges.loader import document_loader

#: Deepest JSON nesting accepted (a credential is a handful of levels deep).
MAX_DEPTH = 48
#: Shapes kept in memory (least recently used ones are dropped first).
CACHE_SIZE = 2048

_UNDEFINED = "urn:badges:undefined-term:"
_TYPE_KEYS = frozenset({"type", "@type"})
_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_PYLD_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class Shape:
    """What JSON-LD processing made of one document shape.

    Attributes:
        undefined_terms: properties not defined by the contexts (safe mode).
        undefined_types: types not defined by the contexts (safe mode).
    """

    undefined_terms: tuple[str, ...]
    undefined_types: tuple[str, ...]
    template: _Template | None
    #: indexes of slots whose text decides how they are processed; see module doc.
    literal_slots: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Template:
    # Each quad term is either a constant string or a tuple of parts where
    # odd positions are slot indexes; ``kinds[slot]`` is "iri" or "literal".
    quads: tuple[tuple[str | tuple[str | int, ...], ...], ...]
    kinds: Mapping[int, str]


class _ShapeCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Any, Shape] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Shape | None:
        with self._lock:
            shape = self._data.get(key)
            if shape is not None:
                self._data.move_to_end(key)
            return shape

    def put(self, key: Any, shape: Shape) -> None:
        with self._lock:
            self._data[key] = shape
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


_CACHE = _ShapeCache(CACHE_SIZE)


# --------------------------------------------------------------------------- shapes


def _signature(doc: Any) -> tuple[str, list[tuple[str, str]]]:
    """The shape key of ``doc`` and its string slots as ``(prefix, rest)`` pairs.

    A key starting with ``!`` marks a document with an embedded (inline)
    context, which is never templated: it could define terms the check on the
    first document of the shape would not see.
    """
    sig: list[str] = []
    slots: list[tuple[str, str]] = []
    inline = False

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise JsonLdError(f"document is nested more than {MAX_DEPTH} levels deep",
                              code="too_deep")
        if isinstance(node, dict):
            sig.append("{")
            for key, value in node.items():
                if not isinstance(key, str):
                    raise JsonLdError("object keys must be strings", code="invalid_jsonld")
                sig.append(_quoted(key))
                if key == "@context" or key in _TYPE_KEYS or (
                        key.startswith("@") and key not in ("@id", "@value")):
                    if key == "@context" and not _is_context_urls(value):
                        nonlocal inline
                        inline = True
                    sig.append("=" + _dumped(value))
                else:
                    sig.append(":")
                    walk(value, depth + 1)
            sig.append("}")
        elif isinstance(node, list):
            sig.append("[")
            for item in node:
                walk(item, depth + 1)
            sig.append("]")
        elif isinstance(node, str):
            if node.startswith(("_:", "@")):
                sig.append("=" + json.dumps(node))
                return
            if _ABS_IRI.match(node):
                prefix, rest = node.split(":", 1)
                prefix += ":"
                if rest.startswith("//"):
                    prefix += "//"
                    rest = rest[2:]
            else:
                prefix, rest = "", node
            sig.append("s" + prefix)
            slots.append((prefix, rest))
        elif node is None or isinstance(node, bool | int | float):
            sig.append("=" + json.dumps(node))
        else:
            raise JsonLdError("document holds a value that is not JSON", code="invalid_jsonld")

    walk(doc, 0)
    return ("!" if inline else "") + "".join(sig), slots


@lru_cache(maxsize=4096)
def _quoted(key: str) -> str:
    """``json.dumps(key)``, remembered: documents reuse a small set of keys."""
    return json.dumps(key)


@lru_cache(maxsize=1024)
def _dumped_strings(values: tuple[str, ...]) -> str:
    return json.dumps(list(values))


def _dumped(value: Any) -> str:
    """``json.dumps(value, sort_keys=True)``, remembered for the usual ``@context``/``type``."""
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _dumped_strings(tuple(value))
    return json.dumps(value, sort_keys=True)


def _is_context_urls(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _substitute(doc: Any, values: list[str]) -> Any:
    """A copy of ``doc`` whose string slots are replaced, in walk order, by ``values``."""
    it = iter(values)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "@context" or key in _TYPE_KEYS or (
                        key.startswith("@") and key not in ("@id", "@value")):
                    out[key] = value
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str) and not node.startswith(("_:", "@")):
            return next(it)
        return node

    return walk(doc)


# --------------------------------------------------------------------------- PyLD


#: How ``@direction`` becomes RDF (JSON-LD 1.1 API §8.6 step 13, ``rdfDirection``).
#: Without it a direction is dropped from the dataset, so it would not be
#: signed; ``i18n-datatype`` is what the eddsa-rdfc-2022 implementations use
#: (Digital Bazaar's cryptosuite canonicalizes with it), giving a literal typed
#: ``https://www.w3.org/ns/i18n#{language}_{direction}``.
RDF_DIRECTION = "i18n-datatype"


def _pyld_options(**extra: Any) -> dict[str, Any]:
    return {"documentLoader": document_loader, "base": None, "rdfDirection": RDF_DIRECTION,
            **extra}


def _pyld_quads(doc: Any) -> list[rdfc.Quad]:
    with _PYLD_LOCK:
        try:
            dataset = _pyld.to_rdf(doc, _pyld_options())
        except JsonLdError:
            raise
        except _pyld.JsonLdError as exc:
            raise _translate(exc) from None
    return rdfc.from_pyld_dataset(dataset)


def _translate(exc: Exception) -> JsonLdError:
    """Turn a PyLD error into ours, keeping a bundled-context refusal's code."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, JsonLdError):
            return cause
        cause = cause.__cause__
    detail = str(exc.args[0]) if exc.args else type(exc).__name__
    return JsonLdError(f"JSON-LD processing failed: {detail}", code="invalid_jsonld")


def _undefined(doc: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Safe mode: the undefined properties and types of ``doc``."""
    with _PYLD_LOCK:
        try:
            expanded = _pyld.expand(doc, _pyld_options(expandContext={"@vocab": _UNDEFINED}))
        except _pyld.JsonLdError as exc:
            raise _translate(exc) from None
    terms: set[str] = set()
    types: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(_UNDEFINED):
                    terms.add(key[len(_UNDEFINED):])
                if key == "@type":
                    for t in value if isinstance(value, list) else [value]:
                        if isinstance(t, str) and t.startswith(_UNDEFINED):
                            types.add(t[len(_UNDEFINED):])
                elif key != "@value":
                    walk(value)

    walk(expanded)
    return tuple(sorted(terms)), tuple(sorted(types))


# --------------------------------------------------------------------------- compile


def _compile(doc: Any, slots: list[tuple[str, str]],
             fixed: Mapping[int, str]) -> tuple[_Template | None, tuple[int, ...]]:
    """Build a template for ``doc``'s shape; ``fixed`` slots keep their real text.

    Returns the template (None when the shape can't be templated) and the
    slots found to need their real text in the key.
    """
    nonce = "x" + secrets.token_hex(8)
    markers = [f"{nonce}s{i}e" for i in range(len(slots))]
    placeholders = [
        fixed[i] if i in fixed else prefix + markers[i] for i, (prefix, _) in enumerate(slots)
    ]
    quads = _pyld_quads(_substitute(doc, placeholders))
    pattern = re.compile(re.escape(nonce) + r"s(\d+)e")
    kinds: dict[int, str] = {}
    compiled: list[tuple[str | tuple[str | int, ...], ...]] = []
    for quad in quads:
        terms: list[str | tuple[str | int, ...]] = []
        for term in quad:
            pieces = pattern.split(term)
            if len(pieces) == 1:
                terms.append(term)
                continue
            kind = "iri" if term.startswith("<") else "literal" if term.startswith('"') else ""
            if not kind or (kind == "literal" and nonce in term[term.rfind('"'):]):
                # a marker in a blank node label, datatype or language tag
                return None, ()
            parts: list[str | int] = []
            for j, piece in enumerate(pieces):
                if j % 2:
                    slot = int(piece)
                    if kinds.setdefault(slot, kind) != kind:
                        return None, ()
                    parts.append(slot)
                else:
                    parts.append(piece)
            terms.append(tuple(parts))
        compiled.append(tuple(terms))
    if any("rdf-syntax-ns#JSON>" in t for q in quads for t in q):
        return None, ()
    # A slot without a scheme that became an IRI, or vanished, was processed by
    # its text (relative IRI, vocabulary term): key on its real text.
    needs_text = tuple(
        i for i, (prefix, _) in enumerate(slots)
        if i not in fixed and not prefix and kinds.get(i) != "literal"
    )
    if needs_text:
        return None, needs_text
    return _Template(tuple(compiled), kinds), ()


def _shape_for(doc: Any) -> tuple[Shape, list[tuple[str, str]]]:
    key, slots = _signature(doc)
    shape = _CACHE.get(key)
    if shape is None:
        terms, types = _undefined(doc)
        template, literal_slots = (None, ()) if key.startswith("!") else \
            _compile(doc, slots, {})
        shape = Shape(terms, types, template, literal_slots)
        if template is not None and not _agrees_with_pyld(template, doc, slots):
            shape = Shape(terms, types, None, ())
        _CACHE.put(key, shape)
    if shape.literal_slots:
        sub_key = (key, tuple(slots[i] for i in shape.literal_slots))
        sub = _CACHE.get(sub_key)
        if sub is None:
            fixed = {i: slots[i][0] + slots[i][1] for i in shape.literal_slots}
            template, more = _compile(doc, slots, fixed)
            if template is not None and (more or not _agrees_with_pyld(template, doc, slots)):
                template = None
            sub = Shape(shape.undefined_terms, shape.undefined_types, template, ())
            _CACHE.put(sub_key, sub)
        shape = sub
    return shape, slots


def _agrees_with_pyld(template: _Template, doc: Any, slots: list[tuple[str, str]]) -> bool:
    filled = _fill(template, slots)
    return filled is not None and set(filled) == set(_pyld_quads(doc))


def _fill(template: _Template, slots: list[tuple[str, str]]) -> list[rdfc.Quad] | None:
    """Fill ``template`` with the slot values; None when a value can't go there."""
    values: dict[int, str] = {}
    for slot, kind in template.kinds.items():
        prefix, rest = slots[slot]
        if kind == "iri":
            if prefix and not _ABS_IRI.match(prefix + rest):
                return None
            values[slot] = rest
        else:
            values[slot] = rdfc.escape_literal(rest)
    out: list[rdfc.Quad] = []
    for quad in template.quads:
        terms = [
            t if isinstance(t, str) else "".join(
                values[p] if isinstance(p, int) else p for p in t)
            for t in quad
        ]
        out.append((terms[0], terms[1], terms[2], terms[3]))
    return out


# --------------------------------------------------------------------------- public


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document read once: what safe mode and canonicalization both need.

    Verifying or signing a credential asks two questions of the same
    document (are all its terms defined? what are its canonical N-Quads?);
    reading its shape once answers both. The document must not change after
    :func:`prepare`.
    """

    doc: Mapping[str, Any]
    shape: Shape
    slots: list[tuple[str, str]]

    @property
    def undefined(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(undefined properties, undefined types)``, as :func:`undefined_terms`."""
        return self.shape.undefined_terms, self.shape.undefined_types

    def quads(self) -> list[rdfc.Quad]:
        """The document's RDF dataset, as :func:`to_quads`."""
        if self.shape.template is not None:
            quads = _fill(self.shape.template, self.slots)
            if quads is not None:
                return quads
        return _pyld_quads(self.doc)

    def canonize(self) -> str:
        """RDFC-1.0 canonical N-Quads, as :func:`canonize`."""
        return rdfc.canonicalize(self.quads())


def prepare(doc: Mapping[str, Any]) -> Prepared:
    """Read ``doc``'s shape once (compiling it on first sight) for safe mode and canonization.

    Raises:
        JsonLdError: ``context_not_allowed``, ``too_deep`` or ``invalid_jsonld``.
    """
    shape, slots = _shape_for(doc)
    return Prepared(doc, shape, slots)


def to_quads(doc: Mapping[str, Any]) -> list[rdfc.Quad]:
    """The RDF dataset of a JSON-LD document (JSON-LD 1.1 API §8.1, toRdf).

    Args:
        doc: a JSON-LD document whose contexts are all bundled.

    Returns:
        Its quads, as N-Quads terms (see :data:`badges.rdfc.Quad`).

    Raises:
        JsonLdError: ``context_not_allowed``, ``too_deep`` or ``invalid_jsonld``.
    """
    return prepare(doc).quads()


def canonize(doc: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (RDFC-1.0 §4.4).

    Raises:
        JsonLdError: when the document can't be processed.
        badges.rdfc.CanonicalizationError: on a poisoned dataset.
    """
    return prepare(doc).canonize()


def undefined_terms(doc: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """JSON-LD safe mode: the properties and types the contexts do not define.

    VC Data Model 2.0 §4.2 requires every term to be defined; OB 3.0
    certification runs JSON-LD validation in safe mode (DIGEST §9, §10.1).

    Returns:
        ``(undefined properties, undefined types)``, each sorted.

    Raises:
        JsonLdError: when the document can't be processed at all.
    """
    return prepare(doc).undefined


def pyld_canonize(doc: Mapping[str, Any]) -> str:
    """Canonical N-Quads computed by PyLD alone: the reference for differential tests."""
    with _PYLD_LOCK:
        try:
            result = _pyld.normalize(
                doc, _pyld_options(algorithm="URDNA2015", format="application/n-quads"))
        except _pyld.JsonLdError as exc:
            raise _translate(exc) from None
    return str(result)
