"""JSON-LD to RDF in one walk, with safe mode, over compiled active contexts.

What this module implements: JSON-LD 1.1 API §5.1 *Expansion* fused with
§7.2 *Node Map Generation* and §8.1-§8.6 *Deserialize JSON-LD to RDF*
(``rdfDirection: i18n-datatype``, no generalized RDF, no document base), for
the JSON-LD that credentials use (see :mod:`badges.ldcontext`). One walk
over the document expands each key against the active context (derived
contexts come memoized from :mod:`badges.ldcontext`) and emits quads at once;
the same walk collects what safe mode reports (VC Data Model 2.0 §4.2):
properties and types that only the safe-mode vocabulary would expand.

Where the walk meets JSON-LD it does not handle (keywords other than
``@context``, ``@id``, ``@type``, ``@value``, ``@language``,
``@direction``; ``@index``/``@id``/``@type`` maps; a list of lists; a
relative IRI inside a list; an invalid value object; two values of one
property that node map generation would merge although their RDF differs),
it raises :class:`~badges.ldcontext.Unsupported`, and the caller uses PyLD:
the answer is the same, only slower.

Bounded cost: depth (:data:`MAX_DEPTH`), JSON values (:data:`MAX_VALUES`),
array length (:data:`MAX_ARRAY_ITEMS`), object members
(:data:`MAX_OBJECT_MEMBERS`), context derivations
(:data:`badges.ldcontext.MAX_NEW_CONTEXTS`) and inline term definitions
(:data:`badges.ldcontext.MAX_INLINE_TERMS`) are checked during the walk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from typing import Final

from c14n.Canonicalize import canonicalize as _jcs

from badges import rdfc
from badges.errors import JsonLdError
from badges.ldcontext import ABSOLUTE
from badges.ldcontext import DROPPED
from badges.ldcontext import INITIAL
from badges.ldcontext import KEYWORD
from badges.ldcontext import MAX_INLINE_TERMS
from badges.ldcontext import PROPERTY
from badges.ldcontext import UNDEFINED
from badges.ldcontext import UNDEFINED_TERM
from badges.ldcontext import ActiveContext
from badges.ldcontext import Term
from badges.ldcontext import Unsupported
from badges.ldcontext import context_key
from badges.ldcontext import expand_iri
from badges.ldcontext import new_budget

#: Deepest JSON nesting accepted (a credential is a handful of levels deep).
MAX_DEPTH: Final = 48
#: Most JSON values (objects, arrays and leaves) in one document.
MAX_VALUES: Final = 5000
#: Most items in one array (PyLD, the fallback, is quadratic in it).
MAX_ARRAY_ITEMS: Final = 256
#: Most members in one JSON object (an Open Badges object has a few dozen; thousands of
#: distinct properties only make every check slower and every report longer).
MAX_OBJECT_MEMBERS: Final = 256

_RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE: Final = f"<{_RDF}type>"
_FIRST: Final = f"<{_RDF}first>"
_REST: Final = f"<{_RDF}rest>"
_NIL: Final = f"<{_RDF}nil>"
_XSD: Final = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING: Final = _XSD + "string"
_XSD_DOUBLE: Final = _XSD + "double"
_RDF_LANGSTRING: Final = _RDF + "langString"
_I18N: Final = "https://www.w3.org/ns/i18n#"
_VALUE_KEYS: Final = frozenset({"@value", "@type", "@language", "@direction"})


_DOUBLE_FORM: Final = re.compile(r"(\d)0*E\+?(-)?0*(\d)")


def canonical_double(value: float) -> str:
    """The canonical ``xsd:double`` form (JSON-LD 1.1 API §8.6 step 10), as PyLD 3.3.0 writes it."""
    return _DOUBLE_FORM.sub(r"\1E\2\3", f"{value:1.15E}")


def _literal(value: Any, datatype: str | None, language: str | None,
             direction: str | None) -> str:
    """Object to RDF for a value object (JSON-LD 1.1 API §8.6), as an N-Quads term."""
    if type(value) is str and datatype != "@json" and datatype != _XSD_DOUBLE:
        if direction is not None:
            return _typed(value, f"{_I18N}{language or ''}_{direction}")
        if language is not None:
            return f'"{rdfc.escape_literal(value)}"@{language}' if language else \
                f'"{rdfc.escape_literal(value)}"'
        return _typed(value, datatype or _XSD_STRING)
    if datatype == "@json":
        return f'"{rdfc.escape_literal(_jcs(value).decode("utf-8"))}"^^<{_RDF}JSON>'
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{datatype or _XSD + "boolean"}>'
    if isinstance(value, float) and not value.is_integer():
        return f'"{canonical_double(value)}"^^<{datatype or _XSD_DOUBLE}>'
    if datatype == _XSD_DOUBLE:
        try:
            number = float(value)
        except (ValueError, TypeError):
            return _typed(str(value), _XSD_DOUBLE)
        except OverflowError:
            raise Unsupported("number too large for a double") from None
        return f'"{canonical_double(number)}"^^<{_XSD_DOUBLE}>'
    if isinstance(value, int | float):
        if abs(value) >= 1e21:
            return f'"{canonical_double(value)}"^^<{datatype or _XSD_DOUBLE}>'
        return f'"{int(value)}"^^<{datatype or _XSD + "integer"}>'
    if not isinstance(value, str):
        raise Unsupported("value")
    if direction is not None:
        return _typed(value, f"{_I18N}{language or ''}_{direction}")
    if language is not None:
        return f'"{rdfc.escape_literal(value)}"@{language}' if language else \
            f'"{rdfc.escape_literal(value)}"'
    return _typed(value, datatype or _XSD_STRING)


def _typed(value: str, datatype: str) -> str:
    if datatype == _XSD_STRING:
        return f'"{rdfc.escape_literal(value)}"'
    return f'"{rdfc.escape_literal(value)}"^^<{datatype}>'


def _iri_term(iri: str) -> str | None:
    """An IRI or blank node identifier as an N-Quads term; None when it is relative."""
    if iri[:2] == "_:":
        return iri
    if ABSOLUTE.match(iri) is None:
        return None
    return f"<{iri}>"


class _Walk:
    """One document's walk: quads out, undefined terms and types collected."""

    __slots__ = ("quads", "terms", "types", "count", "labels", "fresh", "directional",
                 "json_values", "budget",
                 "inline_terms", "max_values")

    def __init__(self, max_values: int = MAX_VALUES) -> None:
        self.max_values = max_values
        self.quads: list[rdfc.Quad] = []
        self.terms: set[str] = set()
        self.types: set[str] = set()
        self.count = 0
        self.labels: dict[str, str] = {}
        self.fresh = 0
        #: whether a literal has a base direction (see :func:`direction_collides`)
        self.directional = False
        #: @json values by (subject, property, graph) (see :meth:`json_literal`)
        self.json_values: dict[tuple[Any, ...], list[tuple[Any, str]]] = {}
        self.budget = new_budget()
        self.inline_terms = 0

    # ------------------------------------------------------------------ helpers

    def tick(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise JsonLdError(f"document is nested more than {MAX_DEPTH} levels deep",
                              code="too_deep")
        self.count += 1
        if self.count > self.max_values:
            raise JsonLdError(f"document holds more than {self.max_values} JSON values",
                              code="too_large")

    def weigh(self, value: Any, depth: int) -> None:
        """Count the JSON values of a part kept whole (an ``@json`` value, an inline context)."""
        stack = [(value, depth)]
        while stack:
            node, level = stack.pop()
            self.tick(level)
            if isinstance(node, dict):
                stack.extend((v, level + 1) for v in node.values())
            elif isinstance(node, list):
                stack.extend((v, level + 1) for v in node)

    def blank(self, label: str | None = None) -> str:
        if label is None:
            self.fresh += 1
            return f"_:b{self.fresh}"
        found = self.labels.get(label)
        if found is None:
            found = self.labels[label] = f"_:l{len(self.labels)}"
        return found

    def node_term(self, iri: str) -> str | None:
        if iri[:2] == "_:":
            return self.blank(iri)
        return _iri_term(iri)

    def emit(self, subject: str | None, predicate: str, obj: str | None, graph: str,
             out: list[rdfc.Quad] | None) -> None:
        if out is not None and subject is not None and obj is not None:
            out.append((subject, predicate, obj, graph))

    def derive(self, ctx: ActiveContext, local: Any, *, propagate: bool = True,
               override_protected: bool = False, key: Any = None) -> ActiveContext:
        """``local`` on top of ``ctx``: a term's scoped context, or (no ``key``) the document's."""
        return ctx.derive(local, key=context_key(local) if key is None else key,
                          propagate=propagate, override_protected=override_protected,
                          budget=self.budget, from_document=key is None)

    # ------------------------------------------------------------------ document

    def document(self, doc: Any) -> None:
        """The top of the document (expansion with no active property)."""
        if isinstance(doc, list):
            self.tick(0)
            if len(doc) > MAX_ARRAY_ITEMS:
                raise JsonLdError(f"an array holds more than {MAX_ARRAY_ITEMS} items",
                                  code="too_large")
            for item in doc:
                self.top(item, 1)
        else:
            self.top(doc, 0)

    def top(self, element: Any, depth: int) -> None:
        if isinstance(element, list):
            raise Unsupported("nested arrays at the top")
        if not isinstance(element, dict):
            self.tick(depth)
            return  # a free-floating scalar
        self.node(INITIAL, None, None, element, "", self.quads, depth)

    # ------------------------------------------------------------------ values

    def values(self, ctx: ActiveContext, key: str, value: Any, graph: str,
               out: list[rdfc.Quad] | None, depth: int,
               in_list: bool = False) -> list[Any]:
        """Expand ``value`` of property ``key``: its RDF objects, in order.

        Each is an N-Quads term, None for a relative IRI (no triple), or a
        :class:`_Json` value.
        """
        results: list[Any] = []
        if isinstance(value, list):
            self.tick(depth)
            if len(value) > MAX_ARRAY_ITEMS:
                raise JsonLdError(f"an array holds more than {MAX_ARRAY_ITEMS} items",
                                  code="too_large")
            for item in value:
                if isinstance(item, list):
                    if in_list:
                        raise Unsupported("list of lists")
                    results.extend(self.values(ctx, key, item, graph, out, depth + 1))
                    continue
                found = self.element(ctx, key, item, graph, out, depth + 1)
                if found is not _DROP:
                    results.append(found)
            return results
        found = self.element(ctx, key, value, graph, out, depth)
        if found is not _DROP:
            results.append(found)
        return results

    def element(self, ctx: ActiveContext, key: str, element: Any, graph: str,
                out: list[rdfc.Quad] | None, depth: int) -> Any:
        """One non-array value of property ``key`` (§5.1.2 with an active property)."""
        if element is None:
            self.tick(depth)
            return _DROP
        if isinstance(element, dict):
            return self.node(ctx, key, ctx.term(key), element, graph, out, depth)
        self.tick(depth)
        term = ctx.term(key)
        kind = term.type if term is not None else None
        if isinstance(element, str):
            if kind == "@id" or kind == "@vocab":
                iri = expand_iri(ctx, element, vocab=kind == "@vocab")
                if iri is None:
                    raise Unsupported("null IRI")
                if iri.startswith(UNDEFINED):
                    return None  # relative: no triple
                return self.node_term(iri)
        if kind is not None and kind not in ("@id", "@vocab", "@none"):
            return self.literal(element, kind, None, None)
        language = direction = None
        if isinstance(element, str) and term is not None:
            if term.language is not None and term.language != "\x00missing":
                language = term.language
            if term.direction is not None and term.direction != "\x00missing":
                direction = term.direction
        return self.literal(element, None, language, direction)

    def literal(self, value: Any, datatype: str | None, language: str | None,
                direction: str | None) -> str:
        if direction is not None:
            self.directional = True
        return _literal(value, datatype, language, direction)

    def json_literal(self, subject: str | None, predicate: str | None, value: Any,
                     graph: str) -> str:
        """An ``@json`` literal; PyLD keeps one of two values that compare equal in Python."""
        term = _literal(value, "@json", None, None)
        earlier = self.json_values.setdefault((subject, predicate, graph), [])
        if any(v == value and t != term for v, t in earlier):
            raise Unsupported("@json values equal for node map generation, different in RDF")
        earlier.append((value, term))
        return term

    # ------------------------------------------------------------------ nodes

    def node(self, ctx: ActiveContext, key: str | None, term: Term | None,
             element: Mapping[str, Any], graph: str, out: list[rdfc.Quad] | None,
             depth: int) -> Any:
        """A JSON object: a value object, or a node object whose quads are emitted."""
        self.tick(depth)
        if len(element) > MAX_OBJECT_MEMBERS:
            raise JsonLdError(f"an object holds more than {MAX_OBJECT_MEMBERS} members",
                              code="too_large")
        scoped = term.context if term is not None else None
        if ctx.previous is not None:
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for k in sorted(element):
                    expanded = ctx.expand_key(k)
                    if expanded == "@value":
                        revert = False
                        break
                    if expanded == "@id" and len(element) == 1:
                        revert = False
                        break
            if revert:
                ctx = ctx.previous
        if term is not None and scoped is not None:
            ctx = self.derive(ctx, scoped, override_protected=True, key=term.context_key)
        if "@context" in element:
            local = element["@context"]
            if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                raise Unsupported("keyword redefinition")
            if not isinstance(local, str) and not (
                    isinstance(local, list) and all(isinstance(v, str) for v in local)):
                self.weigh(local, depth + 1)
                self.inline_terms += _term_count(local)
                if self.inline_terms > MAX_INLINE_TERMS:
                    raise JsonLdError(
                        f"document defines more than {MAX_INLINE_TERMS} terms inline",
                        code="too_large")
            ctx = self.derive(ctx, local)
        type_ctx = ctx
        found_types: list[str] = []
        for alias in ctx.type_aliases:
            if alias in element:
                found_types.extend(_type_strings(element[alias]))
        for t in sorted(found_types):
            mapping = type_ctx.term(t)
            if mapping is not None and mapping.context is not None \
                    and mapping.context is not False:
                ctx = self.derive(ctx, mapping.context, propagate=False,
                                  key=mapping.context_key)
        keys: list[tuple[str, str | None, int, Any]] = []
        type_values: list[str] = []
        is_value = False
        key_info = ctx.key_info
        for k, v in element.items():
            if k == "@context":
                continue
            expanded, kind = key_info(k)
            keys.append((k, expanded, kind, v))
            if kind == KEYWORD:
                if expanded == "@type":
                    type_values.extend(_type_strings(v))
                elif expanded == "@value":
                    is_value = True
        if is_value:
            return self.value_object(type_ctx, keys, depth)
        return self.node_object(ctx, type_ctx, key, keys, type_values, graph, out, depth)

    def value_object(self, type_ctx: ActiveContext,
                     keys: list[tuple[str, str | None, int, Any]], depth: int) -> Any:
        found: dict[str, Any] = {}
        for _, expanded, kind, v in keys:
            if kind == DROPPED:
                continue
            if kind == KEYWORD and expanded is not None:
                if expanded not in _VALUE_KEYS or expanded in found:
                    raise Unsupported("value object keys")
                found[expanded] = v
            else:
                raise Unsupported("a property in a value object")
        if found.get("@direction", "") is None or ("@type" in found and found["@type"] is None):
            raise Unsupported("null @direction or @type in a value object")
        self.tick(depth + 1)
        value = found["@value"]
        datatype = found.get("@type")
        language = found.get("@language")
        direction = found.get("@direction")
        if datatype is not None:
            if not isinstance(datatype, str) or language is not None or direction is not None:
                raise Unsupported("typed value object")
            datatype = type_ctx.expand_key(datatype)
            if datatype == "@json":
                self.weigh(value, depth + 1)
                return _Json(value)
            if datatype is None or datatype.startswith(("_:", UNDEFINED)) \
                    or not ABSOLUTE.match(datatype):
                raise Unsupported("value object type")
        if value is None:
            return _DROP
        if isinstance(value, dict | list):
            raise Unsupported("value object value")
        if language is not None:
            if not isinstance(language, str) or not isinstance(value, str):
                raise Unsupported("language-tagged value")
            language = language.lower()
        if direction is not None and direction not in ("ltr", "rtl"):
            raise Unsupported("direction")
        return self.literal(value, datatype, language, direction)

    def node_object(self, ctx: ActiveContext, type_ctx: ActiveContext, key: str | None,
                    keys: list[tuple[str, str | None, int, Any]], type_values: list[str],
                    graph: str, out: list[rdfc.Quad] | None, depth: int) -> Any:
        subject: str | None = None
        node_id: str | None = None
        seen_keywords: set[str] = set()
        for _, expanded, kind, v in keys:
            if kind == KEYWORD and expanded is not None:
                if expanded in seen_keywords and expanded != "@type":
                    raise Unsupported("colliding keywords")
                seen_keywords.add(expanded)
                if expanded == "@id":
                    if not isinstance(v, str):
                        raise Unsupported("@id value")
                    node_id = expand_iri(ctx, v, vocab=False)
                    if node_id is None:
                        raise Unsupported("null @id")
                elif expanded != "@type":
                    raise Unsupported(expanded)
        if node_id is not None:
            subject = self.node_term(node_id)
        else:
            subject = self.blank()
        types: list[str | None] = []
        for t in type_values:
            iri = type_ctx.expand_key(t)
            if iri is None:
                raise Unsupported("null type")
            if iri.startswith(UNDEFINED):
                self.types.add(iri[len(UNDEFINED):])
                continue
            if iri[:1] == "@":
                raise Unsupported("keyword type")
            types.append(self.node_term(iri))
        for t_term in types:
            self.emit(subject, _TYPE, t_term, graph, out)
        for k, expanded, kind, v in keys:
            if kind == PROPERTY:
                self.property(ctx, subject, k, expanded, v, graph, out, depth + 1)  # type: ignore[arg-type]
            elif kind == UNDEFINED_TERM:
                # dropped from the RDF; expanded in safe mode, so its content is
                # searched for more undefined terms; a value that expands to
                # nothing (null, a null @value) drops the key there too
                if self.values(ctx, k, v, graph, None, depth + 1) or isinstance(v, list):
                    self.terms.add(expanded[len(UNDEFINED):])  # type: ignore[index]
            # DROPPED keys (not reported: PyLD drops them in safe mode too)
        return subject

    def property(self, ctx: ActiveContext, subject: str | None, key: str, expanded: str,
                 value: Any, graph: str, out: list[rdfc.Quad] | None, depth: int) -> None:
        plan = ctx.plans.get(key)
        if plan is None:
            plan = self.plan(ctx, key, expanded)
        term, term_ctx, predicate, mode = plan
        if mode == _PLAIN or (mode == _LANGUAGE and not isinstance(value, dict)):
            for obj in self.values(term_ctx, key, value, graph, out, depth):
                self.link(subject, predicate, obj, graph, out)
            return
        if mode == _JSON:
            self.weigh(value, depth)
            self.link(subject, predicate, _Json(value), graph, out)
            return
        if mode == _LANGUAGE:
            self.tick(depth)
            direction = term.direction if term is not None and \
                term.direction != "\x00missing" else None
            for language, texts in value.items():
                expanded_key = term_ctx.expand_key(language)
                for text in texts if isinstance(texts, list) else [texts]:
                    self.tick(depth + 1)
                    if text is None:
                        continue
                    if not isinstance(text, str):
                        raise Unsupported("language map value")
                    tag = None if expanded_key == "@none" else language.lower()
                    self.link(subject, predicate, self.literal(text, None, tag, direction),
                              graph, out)
            return
        if mode == _LIST:
            if value is None:
                return
            if isinstance(value, dict) and any(ctx.expand_key(k) == "@list" for k in value):
                raise Unsupported("@list object")
            items = self.values(term_ctx, key, value, graph, out, depth, in_list=True)
            self.link(subject, predicate, self.rdf_list(items, graph, out), graph, out)
            return
        # a graph container: each value is a node in a graph of its own
        if isinstance(value, list) and len(value) > MAX_ARRAY_ITEMS:
            raise JsonLdError(f"an array holds more than {MAX_ARRAY_ITEMS} items",
                              code="too_large")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, list):
                raise Unsupported("nested array in a graph container")
            name = self.blank()
            if self.element(term_ctx, key, item, name, out, depth + 1) is not _DROP:
                self.link(subject, predicate, name, graph, out)

    def plan(self, ctx: ActiveContext, key: str, expanded: str) -> _Plan:
        """How values of ``key`` are read in ``ctx``: worked out once per context and key."""
        term = ctx.term(key)
        term_ctx = ctx
        if term is not None and term.context is not None:
            term_ctx = self.derive(ctx, term.context, override_protected=True,
                                   key=term.context_key)
        container = term.container if term is not None else ()
        predicate = f"<{expanded}>" if expanded[:2] != "_:" else None
        if "@language" in container:
            mode = _LANGUAGE
        elif term is not None and term.type == "@json":
            if "@list" in container or "@graph" in container:
                raise Unsupported("@json list or graph")
            mode = _JSON
        elif "@list" in container:
            mode = _LIST
        elif "@graph" in container:
            mode = _GRAPH
        else:
            mode = _PLAIN
        plan = (term, term_ctx, predicate, mode)
        if len(ctx.plans) < 4096:
            ctx.plans[key] = plan
        return plan

    def link(self, subject: str | None, predicate: str | None, obj: Any, graph: str,
             out: list[rdfc.Quad] | None) -> None:
        """Emit ``subject predicate obj`` unless a part is missing (relative, blank predicate)."""
        if out is None or subject is None or predicate is None or obj is None:
            return
        if type(obj) is _Json:
            obj = self.json_literal(subject, predicate, obj.value, graph)
        out.append((subject, predicate, obj, graph))

    def rdf_list(self, items: list[Any], graph: str,
                 out: list[rdfc.Quad] | None) -> str:
        """List to RDF (JSON-LD 1.1 API §8.5): the head of an ``rdf:first``/``rdf:rest`` chain."""
        if not items:
            return _NIL
        head = node = self.blank()
        for index, obj in enumerate(items):
            if obj is None:
                raise Unsupported("relative IRI in a list")
            if type(obj) is _Json:
                obj = _literal(obj.value, "@json", None, None)
            following = self.blank() if index + 1 < len(items) else _NIL
            if out is not None:
                out.append((node, _FIRST, obj, graph))
                out.append((node, _REST, following, graph))
            node = following
        return head


_DROP: Final = object()
_PLAIN, _JSON, _LANGUAGE, _LIST, _GRAPH = range(5)
_Plan = tuple[Term | None, ActiveContext, str | None, int]


class _Json:
    """An ``@json`` value on its way to a property (see :meth:`_Walk.json_literal`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _type_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return value
    raise Unsupported("@type value")


def _term_count(local: Any) -> int:
    items = local if isinstance(local, list) else [local]
    count = 0
    for item in items:
        if isinstance(item, dict):
            inner = item.get("@context", item)
            count += len(inner) if isinstance(inner, dict) else 1
    return count


def direction_collides(quads: list[rdfc.Quad]) -> bool:
    """Whether a literal with a base direction equals another value of its property but for it.

    JSON-LD node map generation (JSON-LD 1.1 API §7.2, "add value" without
    duplicates) compares value objects by ``@value``, ``@type``,
    ``@language`` and ``@index`` only, so PyLD and jsonld.js keep only the
    first of ``"a"`` and ``{"@value": "a", "@direction": "ltr"}`` on one
    property; such documents go to PyLD.
    """
    seen: dict[tuple[str, ...], str] = {}
    for subject, predicate, obj, graph in quads:
        if not obj.startswith('"'):
            continue
        end = obj.rfind('"')
        suffix = obj[end + 1:]
        if suffix.startswith("^^<" + _I18N):
            language = suffix[len(_I18N) + 3:suffix.rfind("_")]
        elif suffix.startswith("^^"):
            continue
        else:
            language = suffix[1:]
        if seen.setdefault((subject, predicate, graph, obj[1:end], language), obj) != obj:
            return True
    return False


def to_rdf(doc: Any, max_values: int = MAX_VALUES
           ) -> tuple[list[rdfc.Quad], tuple[str, ...], tuple[str, ...]]:
    """A document's RDF dataset and what safe mode reports, in one walk.

    ``max_values`` is the most JSON values the document may hold
    (:data:`MAX_VALUES` unless the caller allows more, as for a CLR).

    Returns:
        ``(quads, undefined properties, undefined types)``; the quads as
        :data:`badges.rdfc.Quad` tuples (blank node labels are arbitrary, as
        canonicalization relabels them), the names sorted.

    Raises:
        Unsupported: the document needs PyLD (see the module notes).
        JsonLdError: ``too_deep`` or ``too_large``.
    """
    walk = _Walk(max_values)
    try:
        walk.document(doc)
    except TypeError as error:
        # A JSON value of a type the walk does not expect where it meets it: compiled by
        # mypyc (badges.native), the walk checks declared types at run time, where plain
        # Python would go on or fail elsewhere. PyLD reads such documents instead.
        raise Unsupported(f"value of an unexpected type: {error}") from None
    if walk.directional and direction_collides(walk.quads):
        raise Unsupported("values equal for node map generation but for their direction")
    return walk.quads, tuple(sorted(walk.terms)), tuple(sorted(walk.types))
