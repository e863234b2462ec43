"""JSON-LD active contexts, compiled once per context list and reused for every document.

This module implements JSON-LD 1.1 *Context Processing* (JSON-LD 1.1 API
§4.1 Context Processing Algorithm, §4.2 Create Term Definition) and *IRI
Expansion* (§5.2) for the subset the bundled Verifiable Credentials, Open
Badges 3.0 and CLR 2.0 contexts use: term definitions with ``@id``, ``@type``
(``@id``, ``@vocab``, ``@json``, ``@none`` or a datatype), ``@container``
(``@set``, ``@list``, ``@language``, ``@graph``), ``@language``,
``@direction``, ``@context`` (type-scoped and property-scoped contexts) and
``@protected``; ``@version``, ``@vocab`` (absolute) and ``@propagate`` at the
top of a context. It follows PyLD 3.3.0's reading of the algorithms (the
oracle the differential tests compare with) step for step where they differ
from the prose (type-scoped context reverting, the ``previousContext`` a
derived context inherits).

Anything else (``@reverse``, ``@nest``, ``@prefix``, ``@index`` maps,
``@base``, ``@import``, default ``@language``/``@direction``, contexts that
are not bundled, definitions PyLD would refuse) raises :class:`Unsupported`:
the caller then hands the whole document to PyLD, so an unsupported feature
costs time, never a different answer.

An :class:`ActiveContext` never changes once built. Deriving one from another
and a local context (:meth:`ActiveContext.derive`) is memoized on the parent,
so the contexts a credential needs (its ``@context`` list, then each
type-scoped and property-scoped context along the way) are processed once per
process, not once per document. The memo is a plain dict: concurrent
threads may at worst compute the same derivation twice; there is no lock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any
from typing import Final

from badges.errors import JsonLdError
from badges.loader import bundled_urls
from badges.loader import get_context

#: The ``@vocab`` of safe mode (VC Data Model 2.0 §4.2): an IRI that expands
#: through it names a term the contexts do not define. It is never part of
#: the RDF: a term expanded through it is dropped, as PyLD drops it without one.
UNDEFINED: Final = "urn:badges:undefined-term:"
#: Most derivations of active contexts one document may cause that are not
#: already memoized (each costs a context processing run).
MAX_NEW_CONTEXTS: Final = 64
#: Most term definitions in the inline (embedded) contexts of one document.
MAX_INLINE_TERMS: Final = 512
#: Derivations memoized per active context.
MEMO_SIZE: Final = 256
#: Active contexts remembered in all (a credential of the bundled contexts
#: needs a few dozen; past this, new derivations are processed per document).
MAX_PINNED: Final = 1024
_PINNED = [0]

KEYWORDS: Final = frozenset({
    "@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit",
    "@first", "@graph", "@id", "@import", "@included", "@index", "@json", "@language",
    "@list", "@nest", "@none", "@omitDefault", "@prefix", "@preserve", "@propagate",
    "@protected", "@requireAll", "@reverse", "@set", "@type", "@value", "@version",
    "@vocab"})
_KEYWORD_LIKE: Final = re.compile(r"^@[a-zA-Z]+$")
#: PyLD's absolute IRI test (``_is_absolute_iri``), kept identical on purpose.
ABSOLUTE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_GEN_DELIM_END: Final = re.compile(r".*[:/\?#\[\]@]$")
_COMPACT_OR_PATH: Final = re.compile(r".*((:[^:])|/)")
_MISSING: Final = "\x00missing"
#: kinds of keys (:meth:`ActiveContext.key_info`)
DROPPED, KEYWORD, UNDEFINED_TERM, PROPERTY = range(4)
_TERM_KEYS: Final = frozenset({"@container", "@id", "@language", "@type", "@context",
                               "@direction", "@protected"})
_CONTAINERS: Final = frozenset({"@set", "@list", "@language", "@graph"})


class Unsupported(Exception):  # noqa: N818 - a signal, not an error for users
    """The document uses JSON-LD this module leaves to PyLD."""


@dataclass(frozen=True, slots=True)
class Term:
    """One term definition (JSON-LD 1.1 API §4.2), as PyLD keeps it.

    ``language`` and ``direction`` are :data:`_MISSING` when the definition
    does not set them (so the context's default would apply); ``None`` when
    it sets them to null.
    """

    iri: str | None
    type: str | None = None
    container: tuple[str, ...] = ()
    language: str | None = _MISSING
    direction: str | None = _MISSING
    context: Any = None
    context_key: str | None = None
    protected: bool = False
    prefix: bool = False
    has_colon: bool = False

    def same_as(self, other: Term) -> bool:
        """Equal but for ``protected`` (PyLD's protected-redefinition comparison)."""
        return replace(self, protected=True) == replace(other, protected=True)


@dataclass(eq=False, slots=True)
class ActiveContext:
    """A processed, immutable active context (JSON-LD 1.1 API §4.1).

    Attributes:
        terms: term definitions by term (``None``: the term is mapped to null).
        vocab: the vocabulary mapping; :data:`UNDEFINED` in the initial
            context (safe mode), ``None`` once a context sets it to null.
        previous: the context to revert to when entering a new node object
            (set by a type-scoped context, which does not propagate).
    """

    terms: dict[str, Term | None]
    vocab: str | None
    previous: ActiveContext | None = None
    #: remembered for the life of the process (see :meth:`derive`)
    pinned: bool = False
    memo: dict[Any, ActiveContext] = field(default_factory=dict)
    #: keys already expanded as properties (vocab-relative) in this context,
    #: with their kind (:data:`DROPPED`, :data:`KEYWORD`, :data:`UNDEFINED_TERM`,
    #: :data:`PROPERTY`)
    expanded: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    _type_aliases: frozenset[str] | None = None
    #: how the walk reads each property's values here (see badges.ldrdf)
    plans: dict[str, Any] = field(default_factory=dict)

    def term(self, key: str) -> Term | None:
        """The definition of ``key``, or None."""
        return self.terms.get(key)

    def expand_key(self, key: str) -> str | None:
        """``expand_iri(self, key, vocab=True)``, remembered (see :meth:`key_info`)."""
        return self.key_info(key)[0]

    def key_info(self, key: str) -> tuple[str | None, int]:
        """A key's expansion as a property and its kind, remembered per context.

        At most ``MEMO_SIZE * 16`` keys are remembered, so a document with
        thousands of made-up keys costs time, not memory that stays.
        """
        found = self.expanded.get(key)
        if found is not None:
            return found
        iri = expand_iri(self, key, vocab=True)
        if iri is None:
            kind = DROPPED
        elif iri in KEYWORDS:
            kind = KEYWORD
        elif iri.startswith(UNDEFINED):
            kind = UNDEFINED_TERM
        elif ABSOLUTE.match(iri):
            kind = PROPERTY
        else:
            kind = DROPPED
        found = (iri, kind)
        if len(self.expanded) < MEMO_SIZE * 16:
            self.expanded[key] = found
        return found

    def derive(self, local: Any, *, key: Any, propagate: bool = True,
               override_protected: bool = False, budget: _Budget | None = None,
               from_document: bool = False) -> ActiveContext:
        """This context with ``local`` processed on top, memoized by ``key``.

        Args:
            local: a local context (URL, object, null, or an array of them).
            key: a hashable that identifies ``local`` by value (same key,
                same context).
            propagate: False for a type-scoped context.
            override_protected: True for a property-scoped context.
            budget: counts derivations that were not memoized (hostile input).
            from_document: ``local`` is the document's own ``@context`` (not
                a term's scoped context, which comes from the contexts).

        Raises:
            Unsupported: the context uses JSON-LD this module does not handle.
            JsonLdError: ``too_large`` when ``budget`` runs out.
        """
        memo_key = (key, propagate, override_protected)
        found = self.memo.get(memo_key)
        if found is not None:
            return found
        if budget is not None:
            budget.spend()
        derived = process(self, local, propagate=propagate,
                          override_protected=override_protected)
        # Only contexts made of bundled ones are remembered (an inline context's
        # derivations live as long as its document), and only so many in all:
        # a stream of crafted documents can cost time, never unbounded memory.
        if self.pinned and not (from_document and _is_inline(local)) \
                and len(self.memo) < MEMO_SIZE \
                and _PINNED[0] < MAX_PINNED:
            derived.pinned = True
            _PINNED[0] += 1
            self.memo[memo_key] = derived
        return derived

    @property
    def type_aliases(self) -> frozenset[str]:
        """``@type`` and the terms that alias it."""
        aliases = self._type_aliases
        if aliases is None:
            aliases = self._type_aliases = frozenset({"@type", *(
                t for t, d in self.terms.items() if d is not None and d.iri == "@type")})
        return aliases


class _Budget:
    """How many new context derivations one document may still cause."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise JsonLdError(
                f"document needs more than {MAX_NEW_CONTEXTS} new JSON-LD contexts",
                code="too_large")


def new_budget() -> _Budget:
    """A fresh budget of :data:`MAX_NEW_CONTEXTS` derivations for one document."""
    return _Budget(MAX_NEW_CONTEXTS)


#: The initial context of safe mode (JSON-LD expansion with ``expandContext``
#: ``{"@vocab": UNDEFINED}``), from which every document context derives.
INITIAL: Final = ActiveContext({}, UNDEFINED, pinned=True)
#: The initial context after ``"@context": null`` (no safe-mode vocabulary).
_NULL: Final = ActiveContext({}, None, pinned=True)


def _is_inline(local: Any) -> bool:
    """Whether a local context holds anything but URLs (an object: maybe a document's own)."""
    if isinstance(local, str) or local is None:
        return False
    return not (isinstance(local, list) and all(isinstance(v, str) for v in local))


def context_key(value: Any) -> Any:
    """A hashable that identifies a local context by value."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return "json:" + json.dumps(value, sort_keys=True)


# --------------------------------------------------------------------------- IRIs


def expand_iri(ctx: ActiveContext, value: str, *, vocab: bool) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API §5.2) with no document base (PyLD ``base: None``).

    Returns a keyword, an IRI (possibly relative), or None for a term mapped
    to null or a string that looks like a keyword. With ``vocab``, a string
    that only the safe-mode vocabulary expands comes back starting with
    :data:`UNDEFINED`.
    """
    if value in KEYWORDS:
        return value
    if value[:1] == "@" and _KEYWORD_LIKE.match(value):
        return None
    if vocab:
        terms = ctx.terms
        if value in terms:
            term = terms[value]
            return None if term is None else term.iri
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1:]
        if prefix == "_" or suffix.startswith("//"):
            return value
        mapping = ctx.terms.get(prefix)
        if mapping is not None and mapping.prefix:
            return f"{mapping.iri}{suffix}"
        if ABSOLUTE.match(value):
            return value
    if vocab and ctx.vocab is not None:
        return ctx.vocab + value
    return value


class _Definer:
    """Create Term Definition (JSON-LD 1.1 API §4.2) for one local context, as PyLD does."""

    def __init__(self, active: ActiveContext, local: Mapping[str, Any], terms: dict[str, Any],
                 *, protected: bool, override_protected: bool) -> None:
        self.active = active  # the context being built (its ``terms`` is ``terms``)
        self.local = local
        self.terms = terms
        self.protected = protected
        self.override = override_protected
        self.defined: dict[str, bool] = {}

    def expand(self, value: str, *, defined: dict[str, bool] | None = None) -> str | None:
        """IRI expansion during context processing (defines dependencies first)."""
        defined = self.defined if defined is None else defined
        if value in KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
        if value in self.local and defined.get(value) is not True:
            self.define(value, defined)
        if value in self.terms:
            term = self.terms[value]
            return None if term is None else term.iri
        colon = value.find(":")
        if colon > 0:
            prefix, suffix = value[:colon], value[colon + 1:]
            if prefix == "_" or suffix.startswith("//"):
                return value
            if prefix in self.local and not defined.get(prefix):
                self.define(prefix, defined)
            mapping = self.terms.get(prefix)
            if mapping is not None and mapping.prefix:
                return f"{mapping.iri}{suffix}"
            if ABSOLUTE.match(value):
                return value
        if self.active.vocab is not None:
            if self.active.vocab == UNDEFINED:
                raise Unsupported("a relative IRI in a context")
            return self.active.vocab + value
        raise Unsupported("a relative IRI in a context")

    def define(self, term: str, defined: dict[str, bool] | None = None) -> None:
        defined = self.defined if defined is None else defined
        if term in defined:
            if defined[term]:
                return
            raise Unsupported("cyclic term definition")
        defined[term] = False
        value = self.local[term]
        if term in KEYWORDS or term == "":
            raise Unsupported("keyword redefinition")
        if _KEYWORD_LIKE.match(term):
            defined[term] = True
            return  # PyLD ignores it with a warning
        previous = self.terms.pop(term, None)
        simple = value is None or isinstance(value, str)
        if simple:
            value = {"@id": value}
        if not isinstance(value, dict) or any(k not in _TERM_KEYS for k in value):
            raise Unsupported("term definition keys")
        colon = term.find(":")
        has_colon = colon > 0
        iri: str | None
        prefix = False
        if "@id" in value and value["@id"] != term:
            raw = value["@id"]
            if raw is None:
                iri = None
            elif not isinstance(raw, str):
                raise Unsupported("@id not a string")
            elif raw not in KEYWORDS and _KEYWORD_LIKE.match(raw):
                raise Unsupported("@id looks like a keyword")
            else:
                iri = self.expand(raw, defined=defined)
                if iri is None or not (ABSOLUTE.match(iri) or iri in KEYWORDS):
                    raise Unsupported("term @id not absolute")
                if iri.startswith(UNDEFINED):
                    raise Unsupported("term @id through no vocabulary")
                if _COMPACT_OR_PATH.match(term):
                    again = self.expand(term, defined={**defined, term: True})
                    if again != iri:
                        raise Unsupported("term does not expand to its @id")
                prefix = simple and not has_colon and (
                    iri.startswith("_:") or bool(_GEN_DELIM_END.match(iri)))
        elif has_colon:
            head = term[:colon]
            if head in self.local:
                self.define(head, defined)
            mapping = self.terms.get(head)
            iri = f"{mapping.iri}{term[colon + 1:]}" if mapping is not None else term
        else:
            raise Unsupported("term without @id")  # PyLD uses @vocab; not in our contexts
        protected = bool(value.get("@protected")) or (
            self.protected and value.get("@protected", True) is not False)
        kind: str | None = None
        if "@type" in value:
            declared = value["@type"]
            if not isinstance(declared, str):  # checked before typing it (mypyc checks types)
                raise Unsupported("@type not a string")
            kind = declared
            if kind not in ("@id", "@vocab", "@json", "@none"):
                kind = self.expand(kind, defined=defined)
                if kind is None or not ABSOLUTE.match(kind) or kind.startswith("_:"):
                    raise Unsupported("bad type mapping")
        container: tuple[str, ...] = ()
        if "@container" in value:
            raw_container = value["@container"]
            container = tuple(raw_container) if isinstance(raw_container, list) else (
                raw_container,)
            if not container or any(c not in _CONTAINERS for c in container):
                raise Unsupported("container")
            kinds = set(container) - {"@set"}
            if len(kinds) > 1 or ("@list" in container and len(container) != 1):
                raise Unsupported("container combination")
        context: Any = None
        ctx_key: str | None = None
        if "@context" in value:
            context = False if value["@context"] is None else value["@context"]
            ctx_key = context_key(context)
        language: str | None = _MISSING
        if "@language" in value and "@type" not in value:
            raw_language = value["@language"]
            if raw_language is not None and not isinstance(raw_language, str):
                raise Unsupported("@language")
            language = raw_language.lower() if raw_language is not None else None
        direction: str | None = _MISSING
        if "@direction" in value:
            direction = value["@direction"]
            if direction and direction not in ("ltr", "rtl"):
                raise Unsupported("@direction")
        if iri in ("@context", "@preserve"):
            raise Unsupported("@context alias")
        mapping = Term(iri, kind, container, language, direction, context, ctx_key,
                       protected, prefix, has_colon)
        if isinstance(previous, Term) and previous.protected and not self.override:
            if not previous.same_as(mapping):
                raise Unsupported("protected term redefinition")  # PyLD refuses it
            mapping = replace(mapping, protected=True)
        self.terms[term] = mapping
        defined[term] = True


def process(active: ActiveContext, local: Any, *, propagate: bool = True,
            override_protected: bool = False) -> ActiveContext:
    """Context Processing (JSON-LD 1.1 API §4.1): ``active`` with ``local`` on top.

    Raises:
        Unsupported: for JSON-LD this module leaves to PyLD.
        JsonLdError: ``context_not_allowed`` (via the loader) is never raised
            here: contexts that are not bundled are :class:`Unsupported`, so
            PyLD gives its own answer.
    """
    if isinstance(local, dict) and isinstance(local.get("@context"), list):
        local = local["@context"]
    items = local if isinstance(local, list) else [local]
    if not items:
        return ActiveContext(dict(active.terms), active.vocab, active.previous)
    first = items[0]
    if isinstance(first, dict) and isinstance(first.get("@propagate"), bool):
        propagate = first["@propagate"]
    result = active
    if not propagate and result.previous is None:
        result = ActiveContext(dict(result.terms), result.vocab, active)
    for item in items:
        if item is None or item is False:
            if not override_protected and any(
                    t is not None and t.protected for t in result.terms.values()):
                raise Unsupported("nullifying protected terms")  # PyLD refuses it
            result = _NULL
            continue
        if isinstance(item, str):
            if item not in bundled_urls():
                raise Unsupported("context not bundled")
            document = get_context(item)
            inner = document.get("@context") if isinstance(document, dict) else None
            if not isinstance(inner, dict):
                raise Unsupported("bundled context is not one object")
            result = _process_object(result, inner, override_protected=override_protected)
            continue
        if not isinstance(item, dict):
            raise Unsupported("local context")
        if "@context" in item:
            item = item["@context"]
            if not isinstance(item, dict):
                raise Unsupported("local context")
        result = _process_object(result, item, override_protected=override_protected)
    return result


def _process_object(active: ActiveContext, ctx: Mapping[str, Any], *,
                    override_protected: bool) -> ActiveContext:
    for keyword in ("@base", "@import", "@language", "@direction", "@context"):
        if keyword in ctx:
            raise Unsupported(keyword)
    if "@version" in ctx and ctx["@version"] != 1.1:
        raise Unsupported("@version")
    if "@propagate" in ctx and not isinstance(ctx["@propagate"], bool):
        raise Unsupported("@propagate")
    if ctx.get("@protected", True) is not True:
        raise Unsupported("@protected false")
    vocab = active.vocab
    if "@vocab" in ctx:
        raw = ctx["@vocab"]
        if raw is None:
            if vocab is None:
                raise Unsupported("@vocab null without @vocab")  # PyLD raises KeyError
            vocab = None
        elif not isinstance(raw, str) or not ABSOLUTE.match(raw) or raw.startswith("_:"):
            raise Unsupported("@vocab not absolute")
        else:
            vocab = raw
    terms: dict[str, Any] = dict(active.terms)
    result = ActiveContext(terms, vocab, active.previous)
    definer = _Definer(result, ctx, terms, protected=ctx.get("@protected") is True,
                       override_protected=override_protected)
    for keyword in ("@version", "@vocab", "@propagate", "@protected"):
        if keyword in ctx:
            definer.defined[keyword] = True
    for term in ctx:
        definer.define(term)
    # PyLD validates every scoped context when it defines the term (an invalid
    # one makes the whole context invalid), against the context as built so far
    # on that term; validating against the finished context accepts the same
    # contexts for the bundled ones, and anything else PyLD would refuse is
    # Unsupported here.
    for term, value in ctx.items():
        if isinstance(value, dict) and "@context" in value:
            scoped = value["@context"]
            if isinstance(scoped, str) and scoped not in bundled_urls():
                raise Unsupported("scoped context not bundled")
            mapping = terms.get(term)
            if mapping is not None and mapping.context is not None:
                result.derive(mapping.context, key=mapping.context_key, override_protected=True)
    return result
