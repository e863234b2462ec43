"""The compiled JSON-LD walk against PyLD, its oracle: same RDF, same safe-mode report.

Generated credentials (every optional field, alignments, evidence, results,
endorsements) are varied further: numbers, ``@language``/``@direction``
values, unknown properties and types (at the top and nested, with nested
objects under them), relative and blank node ids, and sometimes an inline
context with a language map, a list, a ``@json`` term and a ``@vocab``.
For each, the walk's quads canonicalize to exactly the N-Quads of PyLD's
``toRdf`` (RDFC-1.0 from :mod:`badges.rdfc`, itself tested against PyLD's),
and its undefined terms and types are those of PyLD's safe-mode expansion.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import jsonld
from badges import ldcontext
from badges import ldrdf
from badges import rdfc
from badges.errors import JsonLdError
from badges.ldcontext import Unsupported
from tests.badges import strategies
from tests.conftest import load_json

ISSUER = strategies.DEFAULT_ISSUER_ID
NUMBERS = (st.integers(min_value=-10**22, max_value=10**22)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from([0, -0.0, 3.0, 15.5, 1e21, 2.5e-7, True, False]))
TEXT = st.text(max_size=10)
I18N = st.builds(
    lambda text, language, direction: {"@value": text}
    | ({"@language": language} if language else {})
    | ({"@direction": direction} if direction else {}),
    TEXT, st.none() | st.sampled_from(["ar", "EN", "en-US", "zh-Hant"]),
    st.none() | st.sampled_from(["ltr", "rtl"]))
IDS = st.sampled_from([
    "https://example.org/x", "urn:uuid:1", "_:b0", "_:other", "relative/path", "",
    "ex:thing", "did:key:z6Mk1", "https://example.org/with space"])
UNKNOWN_KEYS = st.sampled_from(["fooBar", "ex:defined", "issuanceDate", "Unknown", "x_y"])
INLINE = {
    "ex": "https://example.org/ns#",
    "langMap": {"@id": "https://example.org/ns#langMap", "@container": "@language"},
    "ordered": {"@id": "https://example.org/ns#ordered", "@container": "@list"},
    "raw": {"@id": "https://example.org/ns#raw", "@type": "@json"},
    "link": {"@id": "https://example.org/ns#link", "@type": "@id"},
}
LEAF = TEXT | NUMBERS | I18N | st.none()
NESTED = st.recursive(
    LEAF, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(UNKNOWN_KEYS | st.sampled_from(["id", "type", "name"]), inner,
                      max_size=3), max_leaves=6)


def _nodes(doc: Any) -> list[dict[str, Any]]:
    """Every object of ``doc`` that is a node (has a ``type``), the document first."""
    found: list[dict[str, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "type" in node:
                found.append(node)
            stack.extend(v for k, v in node.items() if k != "@context")
        elif isinstance(node, list):
            stack.extend(node)
    return found


@st.composite
def varied_credentials(draw: st.DrawFn) -> dict[str, Any]:
    doc = draw(strategies.credentials(issuer_id=ISSUER))
    if draw(st.booleans()):
        doc["credentialSubject"]["endorsement"] = [draw(strategies.endorsements())]
    nodes = _nodes(doc)
    for _ in range(draw(st.integers(0, 4))):
        node = draw(st.sampled_from(nodes))
        change = draw(st.sampled_from(
            ["unknown", "type", "id", "i18n", "number", "nested", "list"]))
        if change == "unknown":
            node[draw(UNKNOWN_KEYS)] = draw(NESTED)
        elif change == "type":
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            node["type"] = [*types, draw(st.sampled_from(["NotAType", "ex:Type", "Profile"]))]
        elif change == "id":
            node["id"] = draw(IDS)
        elif change == "i18n":
            node[draw(st.sampled_from(["name", "description"]))] = draw(
                I18N | st.lists(I18N, min_size=1, max_size=3))
        elif change == "number":
            node[draw(st.sampled_from(["creditsAvailable", "name", "value"]))] = draw(NUMBERS)
        elif change == "nested":
            node[draw(st.sampled_from(["image", "creator", "achievement"]))] = draw(NESTED)
        else:
            node[draw(st.sampled_from(["tag", "alignment"]))] = draw(
                st.lists(TEXT | st.none(), max_size=3))
    if draw(st.booleans()):
        doc["@context"] = [*doc["@context"], INLINE]
        doc["langMap"] = draw(st.dictionaries(
            st.sampled_from(["en", "ES", "ar", "@none"]), TEXT | st.lists(TEXT, max_size=2),
            max_size=3))
        doc["ordered"] = draw(st.lists(TEXT | NUMBERS | I18N, max_size=3))
        doc["raw"] = draw(NESTED)
        doc["link"] = draw(IDS)
    return doc


def _oracle(doc: Any) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]] | None:
    """PyLD's answer (canonical N-Quads, safe-mode report), or None when PyLD refuses."""
    try:
        return rdfc.canonicalize(jsonld._pyld_quads(doc)), jsonld._undefined(doc)
    except JsonLdError:
        return None


def _walk(doc: Any) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]] | None:
    try:
        quads, terms, types = ldrdf.to_rdf(doc)
    except Unsupported:
        return None
    return rdfc.canonicalize(quads), (terms, types)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(varied_credentials())
def test_walk_matches_pyld_on_generated_credentials(doc: dict[str, Any]) -> None:
    ours = _walk(copy.deepcopy(doc))
    if ours is None:
        return  # handed over to PyLD: the same answer by construction
    assert ours == _oracle(doc)


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False,
                                                              allow_infinity=False)
    | st.text(max_size=4) | st.sampled_from(["@id", "@json", "@none", "ex:x", "_:b1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["@value", "@type", "@id", "@language", "@direction", "@list", "@set",
                         "id", "type", "name"]), inner, max_size=3),
    max_leaves=5)
JUNK_KEYS = st.sampled_from(["type", "id", "@type", "@id", "name", "description", "@value",
                             "@language", "@direction", "@list", "@set", "@index", "@context",
                             "achievement", "langMap", "ordered", "raw", "link"])


@st.composite
def junk_credentials(draw: st.DrawFn) -> dict[str, Any]:
    """Credentials with JSON of any type where keywords and terms expect one kind."""
    doc = draw(strategies.credentials(issuer_id=ISSUER))
    if draw(st.booleans()):
        doc["@context"] = [*doc["@context"], INLINE]
    nodes = _nodes(doc)
    for _ in range(draw(st.integers(1, 3))):
        draw(st.sampled_from(nodes))[draw(JUNK_KEYS)] = draw(JUNK)
    return doc


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(junk_credentials())
def test_values_of_unexpected_types_are_handed_to_pyld_or_read_alike(doc: dict[str, Any]) -> None:
    """Compiled or not, the walk reads a value of an odd type as PyLD does, or hands it over.

    Compiled by mypyc (badges.native), the walk checks its declared types at run
    time: a TypeError there must mean "PyLD reads this one", never an internal
    error; and the public API answers with a result or a JsonLdError, nothing else.
    """
    try:
        ours = _walk(copy.deepcopy(doc))
    except JsonLdError:
        assert _oracle(doc) is None
    else:
        if ours is not None:
            assert ours == _oracle(doc)
    try:
        jsonld.prepare(copy.deepcopy(doc)).canonize()
    except JsonLdError:
        pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.credentials(issuer_id=ISSUER))
def test_plain_credentials_never_need_pyld(doc: dict[str, Any]) -> None:
    """What the service issues is read by the walk alone, whatever its optional fields."""
    ours = _walk(doc)
    assert ours is not None
    assert ours == _oracle(doc)


def test_the_public_api_uses_the_walk_and_agrees() -> None:
    doc = load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")
    prepared = jsonld.prepare(doc)
    assert prepared.compiled is not None
    assert prepared.canonize() == jsonld.pyld_canonize(doc)
    assert jsonld.to_quads(doc) == prepared.compiled
    doc["credentialSubject"]["fooBar"] = {"nested": {"type": "Nope"}}
    assert jsonld.undefined_terms(doc) == (("fooBar", "nested"), ("Nope",))


@pytest.mark.parametrize("doc", [
    {"@context": ["https://www.w3.org/ns/credentials/v2", {"@reverse": {}}]},
    {"@context": "https://www.w3.org/ns/credentials/v2", "@graph": [{"id": "urn:x"}]},
    {"@context": ["https://www.w3.org/ns/credentials/v2", {"@base": "https://e.org/"}],
     "id": "x"},
    {"@context": "https://www.w3.org/ns/credentials/v2", "@included": []},
    {"@context": "https://www.w3.org/ns/credentials/v2", "name": {"@list": ["a"]}},
], ids=["reverse", "graph", "base", "included", "list_object"])
def test_unsupported_json_ld_goes_to_pyld_with_the_same_answer(doc: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        ldrdf.to_rdf(doc)
    try:
        expected = jsonld.pyld_canonize(doc)
    except JsonLdError:
        with pytest.raises(JsonLdError):
            jsonld.canonize(doc)
        return
    assert jsonld.canonize(doc) == "".join(dict.fromkeys(expected.splitlines(keepends=True)))


def test_contexts_are_compiled_once_per_context_list() -> None:
    """Another shape with the same contexts and node types derives no new active context."""
    doc = load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")
    alignment = {"type": ["Alignment"], "targetName": "x", "targetUrl": "https://e.org/a"}
    doc["credentialSubject"]["achievement"]["alignment"] = [alignment]
    ldrdf.to_rdf(doc)
    calls = 0
    real = ldcontext.process

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    ldcontext.process = counting  # type: ignore[assignment]
    try:
        other = copy.deepcopy(doc)
        other["credentialSubject"]["achievement"]["alignment"] = [
            alignment, {**alignment, "targetCode": "A.1"}, {**alignment, "targetType": "CFItem"}]
        del other["credentialSubject"]["achievement"]["description"]
        ldrdf.to_rdf(other)
    finally:
        ldcontext.process = real  # type: ignore[assignment]
    assert calls == 0


# --- bounded cost -----------------------------------------------------------------------


def _unsigned() -> dict[str, Any]:
    return load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")


def _cpu(fn: Any) -> float:
    start = time.process_time()
    try:
        fn()
    except JsonLdError:
        pass
    return time.process_time() - start


@pytest.mark.parametrize("build", [
    # thousands of distinct properties
    lambda doc: doc["credentialSubject"].update({f"p{i}": "v" for i in range(6000)}),
    # deep nesting
    lambda doc: doc["credentialSubject"].update(narrative=_deep(100)),
    # many blank nodes (look-alike nodes for RDFC), in arrays under the item limit
    lambda doc: doc["credentialSubject"]["achievement"].update(
        alignment=[{"type": ["Alignment"], "targetName": "same", "targetUrl": "https://e.org"}
                   for _ in range(256)] * 1),
    # many inline terms
    lambda doc: doc.update({"@context": [*doc["@context"], {f"t{i}": f"https://e.org/{i}"
                                                            for i in range(600)}]}),
    # many distinct scoped contexts through inline type definitions
    lambda doc: doc.update({"@context": [*doc["@context"], {
        f"T{i}": {"@id": f"https://e.org/T{i}", "@context": {"x": f"https://e.org/x{i}"}}
        for i in range(120)}], "evidence": [{"type": [f"T{i}"], "x": "v"} for i in range(120)]}),
    # JSON-LD only PyLD handles (slow, under its lock): kept small
    lambda doc: doc.update({"@included": [], "evidence": [
        {"type": ["Evidence"], "name": [f"n{j}-{i}" for i in range(200)]} for j in range(20)]}),
], ids=["many_properties", "deep", "many_blank_nodes", "inline_terms", "scoped_contexts",
        "pyld_fallback"])
def test_crafted_slow_credentials_are_refused_or_bounded(build: Any) -> None:
    """Each crafted credential is refused with a clear code, or costs a bounded multiple."""
    normal = _unsigned()
    baseline = min(_cpu(lambda: jsonld.prepare(copy.deepcopy(normal)).canonize())
                   for _ in range(3))
    doc = _unsigned()
    build(doc)
    try:
        cost = _cpu(lambda: jsonld.prepare(doc).canonize())
        jsonld.prepare(doc).canonize()
    except JsonLdError as err:
        assert err.code in ("too_large", "too_deep")
        return
    except rdfc.CanonicalizationError:
        return
    # accepted: it must stay within a bounded multiple of a normal credential
    assert cost < max(200 * baseline, 0.25), (cost, baseline)


def _deep(levels: int) -> Any:
    node: Any = "bottom"
    for _ in range(levels):
        node = {"x": node}
    return node


@pytest.mark.parametrize("value", [None, {"@value": None}, [], [None], "x", {"a": None}])
def test_an_undefined_key_is_reported_unless_its_value_expands_to_nothing(value: Any) -> None:
    """PyLD's safe-mode expansion drops a key whose value expands to null (found by hypothesis)."""
    doc = _unsigned()
    doc["credentialSubject"]["fooBar"] = value
    assert _walk(doc) == _oracle(doc)


def test_inline_contexts_are_not_remembered() -> None:
    """Documents with contexts of their own cost time, never memory that stays."""
    doc = _unsigned()
    ldrdf.to_rdf(doc)
    before = ldcontext._PINNED[0]
    for i in range(50):
        other = _unsigned()
        other["@context"] = [*other["@context"], {f"t{i}": f"https://e.org/{i}"}]
        other[f"t{i}"] = "v"
        quads, terms, _ = ldrdf.to_rdf(other)
        assert terms == () and any(q[1] == f"<https://e.org/{i}>" for q in quads)
    assert ldcontext._PINNED[0] == before


def test_an_object_of_too_many_members_is_refused_and_one_at_the_limit_is_read() -> None:
    wide = _unsigned()
    wide["credentialSubject"].update({f"p{i}": "v" for i in range(ldrdf.MAX_OBJECT_MEMBERS)})
    with pytest.raises(JsonLdError) as err:
        ldrdf.to_rdf(wide)
    assert err.value.code == "too_large" and "256 members" in err.value.message
    at_limit = _unsigned()
    subject = at_limit["credentialSubject"]
    subject.update({f"p{i}": "v" for i in range(ldrdf.MAX_OBJECT_MEMBERS - len(subject))})
    _, terms, _ = ldrdf.to_rdf(at_limit)
    assert len(terms) == ldrdf.MAX_OBJECT_MEMBERS - len(_unsigned()["credentialSubject"])


def test_a_document_needing_pyld_is_kept_small() -> None:
    doc = _unsigned()
    doc["@included"] = []
    doc["evidence"] = [{"type": ["Evidence"], "name": [f"n{j}-{i}" for i in range(30)]}
                       for j in range(10)]
    with pytest.raises(JsonLdError) as err:
        jsonld.prepare(doc)
    assert err.value.code == "too_large" and str(jsonld.MAX_FALLBACK_VALUES) in err.value.message
    small = _unsigned()
    small["@included"] = []
    assert jsonld.canonize(small) == jsonld.pyld_canonize(small)
