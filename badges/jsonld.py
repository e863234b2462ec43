"""JSON-LD to RDF for signing and verifying, with safe mode.

What this module implements:

* JSON-LD 1.1 *Deserialize JSON-LD to RDF* (JSON-LD 1.1 API §8) over the
  bundled contexts only (:mod:`badges.loader`), with JSON-LD **safe mode**
  (VC Data Model 2.0 §4.2 and DIGEST §10.1: every property and every type
  must be defined by the contexts), answered together by :func:`prepare`.
* The usual path is the compiled walk of :mod:`badges.ldrdf`: active
  contexts are compiled once per context list (:mod:`badges.ldcontext`,
  derivations memoized), and one walk over the document emits the quads and
  the safe-mode findings. It holds no lock and keeps no per-document state,
  so a credential of a never-seen shape costs what a familiar one costs.
* JSON-LD the walk does not handle (``@reverse``, ``@included``, ``@base``,
  index maps... see :mod:`badges.ldrdf`) goes to PyLD, the reference the
  walk is tested against (differential tests over generated credentials and
  the applicable JSON-LD 1.1 toRdf conformance tests), so the answer is the
  same, only slower. Such documents are limited to
  :data:`MAX_FALLBACK_VALUES` JSON values. For them a **shape cache** is
  kept: two documents with the same keys, ``@context``, types and IRI
  prefixes differ only in their string values and numbers, which JSON-LD
  maps each to one place in the RDF without looking at it, so the first
  document of a shape is expanded once by PyLD with every string replaced by
  a unique marker (and every number by a unique stand-in), with a safe-mode
  ``@vocab`` in place; the markers found in the RDF make a template that
  later documents of that shape fill in directly. Where a value's text
  could change how it is processed (a relative IRI, a vocabulary term, a
  keyword) that value becomes part of the cache key instead.
* ``@direction`` is mapped to RDF as an ``https://www.w3.org/ns/i18n#`` datatype
  (``rdfDirection: i18n-datatype``), as the eddsa-rdfc-2022 implementations
  do, so a base direction is signed.
* Bounded cost: a document deeper than :data:`MAX_DEPTH`, with more than
  :data:`MAX_VALUES` JSON values (more for one that embeds credentials, such
  as a CLR: :func:`value_limit`) or an array of more than
  :data:`MAX_ARRAY_ITEMS` items is refused (``too_deep``, ``too_large``);
  so are documents that would need too many context derivations or inline
  term definitions (:mod:`badges.ldcontext`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyld import jsonld as _pyld

from badges import ldrdf
from badges import rdfc
from badges.errors import JsonLdError
from badges.ldcontext import Unsupported
from badges.loader import document_loader

#: Deepest JSON nesting accepted (a credential is a handful of levels deep).
MAX_DEPTH = ldrdf.MAX_DEPTH
#: Most JSON values (objects, arrays and leaves) in one document. The most
#: complete OB 3.0 example has about 550; JSON-LD processing a new shape of
#: this many takes about a quarter of a second on a slow core.
MAX_VALUES = ldrdf.MAX_VALUES
#: More JSON values allowed for each verifiable credential a document embeds
#: (a CLR 2.0 record's ``credentialSubject.verifiableCredential``, a
#: presentation's ``verifiableCredential``; VCDM 2.0 §4.12), for at most
#: :data:`MAX_EMBEDDED_COUNTED` of them: a district badge is 130-250 values (two
#: endorsements included), the most complete OB 3.0 example about 550, so a
#: teacher's record of 20 badges fits with room to spare, and the worst
#: document stays bounded (5,000 + 30 x 1,000 values, about 1.5 s on a new shape).
MAX_VALUES_PER_EMBEDDED = 1000
#: Most embedded credentials that raise the limit (:func:`value_limit`).
MAX_EMBEDDED_COUNTED = 30
#: Most items in one array. JSON-LD node map generation (JSON-LD 1.1 API
#: §7.2, as PyLD and jsonld.js implement it) compares each new value of a
#: property with every earlier one, so its cost grows with the square of an
#: array's length: 256 strings cost about 25 ms on a new shape, 2000 about 5 s;
#: the costliest documents within both limits measured about 0.15 s (CPU).
MAX_ARRAY_ITEMS = ldrdf.MAX_ARRAY_ITEMS
#: Most JSON values in a document that needs PyLD (JSON-LD the compiled walk
#: of :mod:`badges.ldrdf` leaves to it: ``@reverse``, ``@included``,
#: ``@base``...). PyLD costs about 30 µs a value on a new shape, under a
#: process-wide lock, so such documents are kept small: one of this size costs
#: about 10 ms there (1,000 values cost 35 ms, each request of a stream of new
#: shapes); a larger one is refused (``too_large``). Open Badges credentials
#: never need PyLD: the walk handles all the JSON-LD their contexts use.
MAX_FALLBACK_VALUES = 300
#: Shapes kept in memory (least recently used ones are dropped first).
CACHE_SIZE = 2048

_UNDEFINED = "urn:badges:undefined-term:"
_I18N = "https://www.w3.org/ns/i18n#"
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
    #: whether any literal has an i18n datatype (see :func:`_direction_collides`)
    directional: bool = False


class _ShapeCache:
    """Least-recently-used shapes, bounded by count and by the size of their templates.

    Keys are digests of the shape key, so a cached shape costs the same small
    key however large its document was. Each shape weighs one unit plus one per
    32 template quads, and the cache holds at most ``2 * size`` units: ``size``
    shapes of a typical credential (about 60 quads), or far fewer large ones.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._budget = 2 * size
        self._weight = 0
        self._data: OrderedDict[bytes, tuple[Shape, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(key: Any) -> bytes:
        """A collision-resistant digest of a shape key (a string, or a tuple of strings)."""
        text = key if isinstance(key, str) else json.dumps(key)
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def get(self, key: Any) -> Shape | None:
        digest = self.digest(key)
        with self._lock:
            entry = self._data.get(digest)
            if entry is None:
                return None
            self._data.move_to_end(digest)
            return entry[0]

    def put(self, key: Any, shape: Shape) -> None:
        digest = self.digest(key)
        weight = 1 + (len(shape.template.quads) // 32 if shape.template is not None else 0)
        with self._lock:
            old = self._data.pop(digest, None)
            if old is not None:
                self._weight -= old[1]
            self._data[digest] = (shape, weight)
            self._weight += weight
            while self._data and (len(self._data) > self._size or self._weight > self._budget):
                _, (_, dropped) = self._data.popitem(last=False)
                self._weight -= dropped

    def __len__(self) -> int:
        return len(self._data)


_CACHE = _ShapeCache(CACHE_SIZE)


# --------------------------------------------------------------------------- shapes


def _signature(doc: Any) -> tuple[str, list[tuple[str, str]], list[int | float]]:
    """The shape key of ``doc``, its string slots as ``(prefix, rest)`` pairs, and its numbers.

    A JSON number becomes an RDF literal whose datatype depends only on where
    it is (JSON-LD 1.1 API §8.6, Object to RDF) and whose lexical form depends
    only on the number and on whether it is integral, so the key keeps that
    kind (``#`` integral, ``%`` not) and not the number: a per-credential
    ``creditsAvailable`` or result value does not make a new shape. Numbers
    whose form is unusual (integers of 10^21 or more, infinities) stay in the key.

    A key starting with ``!`` marks a document with an embedded (inline)
    context, which is never templated: it could define terms the check on the
    first document of the shape would not see.
    """
    sig: list[str] = []
    slots: list[tuple[str, str]] = []
    numbers: list[int | float] = []
    inline = False

    count = 0
    limit = value_limit(doc)

    def walk(node: Any, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH:
            raise JsonLdError(f"document is nested more than {MAX_DEPTH} levels deep",
                              code="too_deep")
        count += 1
        if count > limit:
            raise JsonLdError(f"document holds more than {limit} JSON values",
                              code="too_large")
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
                    count += _size(value)
                else:
                    sig.append(":")
                    walk(value, depth + 1)
            sig.append("}")
        elif isinstance(node, list):
            if len(node) > MAX_ARRAY_ITEMS:
                raise JsonLdError(f"an array holds more than {MAX_ARRAY_ITEMS} items",
                                  code="too_large")
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
        elif isinstance(node, bool) or node is None:
            sig.append("=" + json.dumps(node))
        elif isinstance(node, int | float):
            kind = _number_kind(node)
            if kind is None:
                sig.append("=" + json.dumps(node))
            else:
                sig.append(kind)
                numbers.append(node)
        else:
            raise JsonLdError("document holds a value that is not JSON", code="invalid_jsonld")

    walk(doc, 0)
    return ("!" if inline else "") + "".join(sig), slots, numbers


def _number_kind(value: int | float) -> str | None:
    """``#`` for an integral number, ``%`` for another finite one, None for the rest.

    The split is PyLD's (and jsonld.js's): an integral value, even written
    ``3.0``, is written as an integer unless coerced to ``xsd:double``.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if abs(value) >= 1e21:
        return None
    return "#" if float(value).is_integer() else "%"


def canonical_double(value: float) -> str:
    """The canonical ``xsd:double`` lexical form PyLD 3.3.0 writes (``1.5E0``).

    JSON-LD 1.1 API §8.6 (Object to RDF, step 10): ``%1.15E`` with trailing
    zeros of the mantissa and the exponent's plus sign and leading zeros removed.
    """
    text = f"{value:1.15E}"
    mantissa, exponent = text.split("E")
    if "." in mantissa:
        whole, frac = mantissa.split(".")
        frac = frac.rstrip("0") or "0"
        mantissa = f"{whole}.{frac}"
    sign = "-" if exponent.startswith("-") else ""
    digits = exponent.lstrip("+-").lstrip("0") or "0"
    return f"{mantissa}E{sign}{digits}"

def value_limit(doc: Any) -> int:
    """Most JSON values ``doc`` may hold: :data:`MAX_VALUES`, more when it embeds credentials.

    Each credential in ``verifiableCredential`` (top level, or in
    ``credentialSubject`` as a CLR 2.0 ``ClrSubject`` holds them) adds
    :data:`MAX_VALUES_PER_EMBEDDED`, for up to :data:`MAX_EMBEDDED_COUNTED`.
    """
    embedded = 0
    if isinstance(doc, Mapping):
        subject = doc.get("credentialSubject")
        for holder in (doc, subject if isinstance(subject, Mapping) else {}):
            found = holder.get("verifiableCredential")
            embedded += len(found) if isinstance(found, list) else int(found is not None)
    return MAX_VALUES + MAX_VALUES_PER_EMBEDDED * min(embedded, MAX_EMBEDDED_COUNTED)


def _size(value: Any) -> int:
    """How many JSON values ``value`` holds (for what the key keeps whole), up to a limit."""
    count, stack = 0, [value]
    while stack and count <= MAX_VALUES:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


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


def _substitute(doc: Any, values: list[str], numbers: list[int | float]) -> Any:
    """A copy of ``doc`` whose string slots and numbers are replaced, in walk order."""
    it = iter(values)
    nums = iter(numbers)

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
        if isinstance(node, int | float) and not isinstance(node, bool) \
                and _number_kind(node) is not None:
            return next(nums)
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
        except Exception as exc:  # noqa: BLE001 - PyLD raises TypeError etc. on some bad input
            raise _translate(exc) from None
    try:
        return rdfc.from_pyld_dataset(dataset)
    except (TypeError, KeyError):  # PyLD leaves a None object for a relative IRI in a list
        raise JsonLdError("JSON-LD processing failed: a list holds a relative IRI",
                          code="invalid_jsonld") from None


def _translate(exc: Exception) -> JsonLdError:
    """Turn a PyLD error into ours, keeping a bundled-context refusal's code."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, JsonLdError):
            return cause
        cause = cause.__cause__
    detail = str(exc.args[0]) if exc.args else type(exc).__name__
    return JsonLdError(f"JSON-LD processing failed: {detail}", code="invalid_jsonld")


def _expand_safe(doc: Any) -> Any:
    """JSON-LD 1.1 API §4.1 Expansion of ``doc`` with the sentinel ``@vocab`` of safe mode."""
    with _PYLD_LOCK:
        try:
            return _pyld.expand(doc, _pyld_options(expandContext={"@vocab": _UNDEFINED}))
        except JsonLdError:
            raise
        except Exception as exc:  # noqa: BLE001 - PyLD raises TypeError etc. on some bad input
            raise _translate(exc) from None


def _quads_of_expanded(expanded: Any) -> list[rdfc.Quad]:
    """Deserialize an already expanded document to RDF (JSON-LD 1.1 API §8.1 steps 2-5).

    This is what ``pyld.jsonld.to_rdf`` does after its own expansion (node map
    generation, then Object to RDF per graph), done with PyLD 3.3.0's own
    methods (the version is pinned), so that the expansion made for safe mode
    serves for the RDF too. Only called on an expansion in which the safe-mode
    ``@vocab`` was never used, which is then the expansion ``to_rdf`` makes.
    """
    processor = _pyld.JsonLdProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    options = _pyld_options(produceGeneralizedRdf=False, processingMode="json-ld-1.1")
    try:
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {
            name: processor._graph_to_rdf(graph, issuer, options)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _pyld._is_absolute_iri(name)
        }
    except Exception as exc:  # noqa: BLE001 - PyLD's internals raise AttributeError etc. too
        raise _translate(exc) from None
    try:
        return rdfc.from_pyld_dataset(dataset)
    except (TypeError, KeyError, ValueError) as exc:
        raise _translate(exc) from None


def _undefined(doc: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Safe mode: the undefined properties and types of ``doc``."""
    scan = _Scan(None)
    scan.walk(_expand_safe(doc))
    return tuple(sorted(scan.terms)), tuple(sorted(scan.types))


class _Scan:
    """Where the safe-mode ``@vocab`` shows in an expanded document.

    Undefined properties are keys under it and undefined types ``@type``
    values under it (VC Data Model 2.0 §4.2). Any other IRI under it is a
    string expanded as a vocabulary term (a value of a ``@type: @vocab``
    term): when it holds a slot's marker, that slot's text decides how it is
    processed (``needs_text``); otherwise the use is ``unexplained``.
    """

    def __init__(self, marker: re.Pattern[str] | None) -> None:
        self.marker = marker
        self.terms: set[str] = set()
        self.types: set[str] = set()
        self.needs_text: set[int] = set()
        self.unexplained = False

    def walk(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(_UNDEFINED):
                    self.terms.add(key[len(_UNDEFINED):])
                if key == "@type":
                    for t in value if isinstance(value, list) else [value]:
                        if isinstance(t, str) and t.startswith(_UNDEFINED):
                            self.types.add(t[len(_UNDEFINED):])
                elif key != "@value":
                    self.walk(value)
        elif isinstance(node, str) and node.startswith(_UNDEFINED):
            found = self.marker.findall(node) if self.marker is not None else []
            if found:
                self.needs_text.update(int(i) for i in found)
            else:
                self.unexplained = True


# --------------------------------------------------------------------------- compile


def _number_markers(nonce: str, numbers: list[int | float]) -> tuple[list[int | float],
                                                                    dict[str, tuple[int, str]]]:
    """Stand-ins for ``numbers`` and the literal text each can become, by number slot.

    Integral numbers become a 14-digit integer, written either as itself
    (``int``) or, under an ``xsd:double`` coercion, as a canonical double
    (``intdouble``); other numbers become that integer plus one half,
    written as a canonical double (``double``).
    """
    markers: list[int | float] = []
    forms: dict[str, tuple[int, str]] = {}
    for j, value in enumerate(numbers):
        base = int(f"9{nonce}{j:05d}")
        if _number_kind(value) == "#":
            markers.append(base)
            forms[str(base)] = (j, "int")
            forms[canonical_double(float(base))] = (j, "intdouble")
        else:
            markers.append(base + 0.5)
            forms[canonical_double(base + 0.5)] = (j, "double")
    return markers, forms


def _compile(doc: Any, slots: list[tuple[str, str]], numbers: list[int | float],
             fixed: Mapping[int, str]) -> Shape:
    """Read ``doc``'s shape with one PyLD expansion; ``fixed`` slots keep their real text.

    The expansion is made with every other string slot replaced by a unique
    marker, every number by a unique stand-in, and the safe-mode ``@vocab``
    (so undefined terms and types come from the same run). When that
    ``@vocab`` was not used, the expansion is the one ``to_rdf`` would make,
    and the RDF made from it shows where each marker lands: that is the
    template. The returned shape's ``literal_slots`` lists slots found to need
    their real text in the key (no template then).
    """
    nonce = "x" + secrets.token_hex(8)
    digits = f"{secrets.randbelow(10**8):08d}"
    markers = [f"{nonce}s{i}e" for i in range(len(slots))]
    placeholders = [
        fixed[i] if i in fixed else prefix + markers[i] for i, (prefix, _) in enumerate(slots)
    ]
    number_markers, number_forms = _number_markers(digits, numbers)
    pattern = re.compile(re.escape(nonce) + r"s(\d+)e")
    try:
        expanded = _expand_safe(_substitute(doc, placeholders, number_markers))
    except JsonLdError:
        # refused with the markers in: let the real text decide (no template then)
        terms, types = _undefined(doc)
        return Shape(terms, types, None)
    scan = _Scan(pattern)
    scan.walk(expanded)
    needs_text = tuple(sorted(i for i in scan.needs_text if i not in fixed))
    if scan.unexplained:
        terms, types = _undefined(doc)
        return Shape(terms, types, None)
    terms, types = tuple(sorted(scan.terms)), tuple(sorted(scan.types))
    if needs_text:
        return Shape(terms, types, None, needs_text)
    if terms or types:
        # the safe-mode @vocab changed the RDF; such a document is refused anyway
        return Shape(terms, types, None)
    quads = _quads_of_expanded(expanded)
    template, needs_text = _template(quads, nonce, pattern, f"9{digits}", number_forms, slots,
                                     fixed)
    return Shape(terms, types, template, needs_text)


def _template(quads: list[rdfc.Quad], nonce: str, pattern: re.Pattern[str], number_nonce: str,
              number_forms: Mapping[str, tuple[int, str]], slots: list[tuple[str, str]],
              fixed: Mapping[int, str]) -> tuple[_Template | None, tuple[int, ...]]:
    """The template of the quads made from a marked document (None if there can't be one).

    String slot ``i`` is part index ``i``; number slot ``j`` is part index ``-1 - j``.
    """
    kinds: dict[int, str] = {}
    compiled: list[tuple[str | tuple[str | int, ...], ...]] = []
    dotted_nonce = number_nonce[0] + "." + number_nonce[1:]
    for quad in quads:
        terms: list[str | tuple[str | int, ...]] = []
        for term in quad:
            end = term.rfind('"^^<') if term.startswith('"') else -1
            form = number_forms.get(term[1:end]) if end > 0 else None
            if form is not None:
                slot, kind = form
                kinds[-1 - slot] = kind
                terms.append(('"', -1 - slot, term[end:]))
                continue
            if number_nonce in term or dotted_nonce in term:
                return None, ()  # a number somewhere else: inside a JSON literal, say
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
    directional = any(_I18N in t for q in quads for t in q)
    return _Template(tuple(compiled), kinds, directional), ()


def _shape_for(doc: Any) -> tuple[Shape, list[tuple[str, str]], list[int | float]]:
    key, slots, numbers = _signature(doc)
    shape = _CACHE.get(key)
    if shape is None:
        if key.startswith("!"):
            terms, types = _undefined(doc)
            shape = Shape(terms, types, None)
        else:
            shape = _compile(doc, slots, numbers, {})
        _CACHE.put(key, shape)
    if shape.literal_slots:
        sub_key = (key, tuple(slots[i] for i in shape.literal_slots))
        sub = _CACHE.get(sub_key)
        if sub is None:
            fixed = {i: slots[i][0] + slots[i][1] for i in shape.literal_slots}
            sub = _compile(doc, slots, numbers, fixed)
            if sub.literal_slots:
                sub = Shape(sub.undefined_terms, sub.undefined_types, None)
            _CACHE.put(sub_key, sub)
        shape = sub
    return shape, slots, numbers


def _fill(template: _Template, slots: list[tuple[str, str]],
          numbers: list[int | float]) -> list[rdfc.Quad] | None:
    """Fill ``template`` with the slot values; None when a value can't go there."""
    values: dict[int, str] = {}
    for slot, kind in template.kinds.items():
        if slot < 0:
            number = numbers[-1 - slot]
            values[slot] = str(int(number)) if kind == "int" else canonical_double(float(number))
            continue
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
    if template.directional and _direction_collides(out):
        return None
    return out


_direction_collides = ldrdf.direction_collides


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
    numbers: list[int | float]
    #: the quads of the compiled walk (:mod:`badges.ldrdf`); None when PyLD was needed
    compiled: list[rdfc.Quad] | None = None

    @property
    def undefined(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(undefined properties, undefined types)``, as :func:`undefined_terms`."""
        return self.shape.undefined_terms, self.shape.undefined_types

    def quads(self) -> list[rdfc.Quad]:
        """The document's RDF dataset, as :func:`to_quads`."""
        if self.compiled is not None:
            return self.compiled
        if self.shape.template is not None:
            quads = _fill(self.shape.template, self.slots, self.numbers)
            if quads is not None:
                return quads
        return _pyld_quads(self.doc)

    def canonize(self) -> str:
        """RDFC-1.0 canonical N-Quads, as :func:`canonize`."""
        return rdfc.canonicalize(self.quads())


def prepare(doc: Mapping[str, Any]) -> Prepared:
    """Read ``doc``'s shape once (compiling it on first sight) for safe mode and canonization.

    Raises:
        JsonLdError: ``context_not_allowed``, ``too_deep``, ``too_large`` or
            ``invalid_jsonld``.
    """
    try:
        quads, terms, types = ldrdf.to_rdf(doc, max_values=value_limit(doc))
    except Unsupported:
        if _size(doc) > MAX_FALLBACK_VALUES:
            raise JsonLdError(
                f"document uses JSON-LD features this service processes only in documents "
                f"of at most {MAX_FALLBACK_VALUES} JSON values", code="too_large") from None
        shape, slots, numbers = _shape_for(doc)
        return Prepared(doc, shape, slots, numbers)
    return Prepared(doc, Shape(terms, types, None), [], [], quads)


def to_quads(doc: Mapping[str, Any]) -> list[rdfc.Quad]:
    """The RDF dataset of a JSON-LD document (JSON-LD 1.1 API §8.1, toRdf).

    Args:
        doc: a JSON-LD document whose contexts are all bundled.

    Returns:
        Its quads, as N-Quads terms (see :data:`badges.rdfc.Quad`).

    Raises:
        JsonLdError: ``context_not_allowed``, ``too_deep``, ``too_large`` or
            ``invalid_jsonld``.
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
