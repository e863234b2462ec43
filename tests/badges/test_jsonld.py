"""JSON-LD: the shape-compiled fast path against PyLD, safe mode, and the offline loader."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import jsonld
from badges.errors import JsonLdError
from tests.badges import strategies
from tests.conftest import EXAMPLES
from tests.conftest import load_json

POSITIVE = sorted(p.relative_to(EXAMPLES.parent) for p in (EXAMPLES / "validator").glob("*.json"))
SPEC = sorted(p.relative_to(EXAMPLES.parent) for p in (EXAMPLES / "spec").glob("*.json"))


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


@pytest.mark.parametrize("path", POSITIVE + SPEC, ids=str)
def test_fast_path_matches_pyld_on_every_fixture(path: str) -> None:
    doc = _without_proof(load_json(path))
    try:
        expected = jsonld.pyld_canonize(doc)
    except JsonLdError:
        pytest.skip("PyLD itself refuses this document")  # pragma: no cover
    assert jsonld.canonize(doc) == expected
    # twice: the second run fills the cached template
    assert jsonld.canonize(copy.deepcopy(doc)) == expected


# Values chosen to stress the template: IRIs with and without schemes, compact
# IRIs of defined prefixes, relative references, blank node ids, keywords,
# vocabulary terms, and text JSON-LD must carry verbatim.
AWKWARD = st.sampled_from([
    "https://example.org/a", "http://example.org/b#frag", "urn:uuid:1234", "did:key:z6Mk1",
    "mailto:a@example.org", "xsd:string", "cred:foo", "https:relative", "relative/path",
    "_:b0", "_:b1", "@id", "Completed", "Achievement", "", " ", "a b", "line\nbreak",
    'quote"and\\slash', "tab\there", "ünïcødé ✓", "2024-01-01T00:00:00Z", "ex:a:b",
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.credentials(issuer_id="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
       st.data())
def test_fast_path_matches_pyld_with_awkward_values(credential: dict[str, Any],
                                                     data: st.DataObject) -> None:
    doc = copy.deepcopy(credential)
    # replace a few string leaves (ids included) with awkward values
    leaves = _leaves(doc)
    for path in data.draw(st.lists(st.sampled_from(leaves), max_size=4, unique=True)):
        _set(doc, path, data.draw(AWKWARD | st.text(max_size=8)))
    try:
        expected = jsonld.pyld_canonize(doc)
    except JsonLdError:
        with pytest.raises(JsonLdError):
            jsonld.canonize(doc)
        return
    assert jsonld.canonize(doc) == expected


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() if k not in ("@context", "type")
                for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path] if isinstance(node, str) else []


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def test_same_shape_with_different_values_reuses_the_template() -> None:
    doc = load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")
    other = copy.deepcopy(doc)
    other["name"] = "A different badge"
    other["credentialSubject"]["id"] = "did:example:someone-else"
    assert jsonld.canonize(other) == jsonld.pyld_canonize(other)
    assert jsonld.canonize(other) != jsonld.canonize(doc)


def test_safe_mode_reports_undefined_terms_and_types() -> None:
    doc = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    assert jsonld.undefined_terms(doc) == ((), ())
    doc["issuanceDate"] = "2020-01-01T00:00:00Z"  # VCDM 1.1 term, undefined in v2
    doc["credentialSubject"]["type"].append("NotAType")
    terms, types = jsonld.undefined_terms(doc)
    assert terms == ("issuanceDate",)
    assert types == ("NotAType",)


def test_schema_validator_type_needs_the_extensions_context() -> None:
    doc = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    doc["credentialSchema"] = [{"id": "https://example.org/s.json",
                                "type": "1EdTechJsonSchemaValidator2019"}]
    assert jsonld.undefined_terms(doc)[1] == ("1EdTechJsonSchemaValidator2019",)
    doc["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    assert jsonld.undefined_terms(doc) == ((), ())


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("context", [
    "https://example.org/remote-context.jsonld",
    {"@import": "https://example.org/remote-context.jsonld"},
    "file:///etc/passwd",
])
def test_remote_contexts_are_refused_without_any_fetch(context: Any) -> None:
    doc = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    doc["@context"].append(context)
    with pytest.raises(JsonLdError) as err:
        jsonld.canonize(doc)
    assert err.value.code in ("context_not_allowed", "invalid_jsonld")


def test_deep_nesting_is_refused() -> None:
    doc: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    node = doc["credentialSubject"]
    for _ in range(100):
        node["narrative"] = {"x": {}}
        node = node["narrative"]["x"]
    with pytest.raises(JsonLdError) as err:
        jsonld.canonize(doc)
    assert err.value.code == "too_deep"


# --- numbers, languages and directions: the oracle is PyLD (rdfDirection i18n-datatype) ---

NUMBERS = (st.integers(min_value=-10**22, max_value=10**22)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from([0, -0.0, 3.0, 15.5, 1e20, 1e21, 2.5e-7, 1e308, -1.0]))
LANGUAGES = st.sampled_from(["ar", "en", "en-US", "fr-CA", "he", "zh-Hant", "x-klingon"])
I18N_VALUES = st.builds(
    lambda text, language, direction: {"@value": text}
    | ({"@language": language} if language else {})
    | ({"@direction": direction} if direction else {}),
    st.text(max_size=12), st.none() | LANGUAGES, st.none() | st.sampled_from(["ltr", "rtl"]))


def _vary(doc: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """``doc`` with optional numbers and language/direction value objects added."""
    achievement = doc["credentialSubject"]["achievement"]
    if data.draw(st.booleans(), label="credits"):
        achievement["creditsAvailable"] = data.draw(NUMBERS, label="creditsAvailable")
    for key in ("name", "description"):
        if data.draw(st.booleans(), label=f"i18n {key}"):
            achievement[key] = data.draw(I18N_VALUES, label=key)
    if data.draw(st.booleans(), label="i18n credential name"):
        doc["name"] = data.draw(I18N_VALUES | st.lists(I18N_VALUES, min_size=1, max_size=3),
                                label="credential name")
    for result in doc["credentialSubject"].get("result", []):
        if data.draw(st.booleans(), label="result value"):
            result["value"] = str(data.draw(NUMBERS, label="result value"))
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.credentials(issuer_id="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
       st.data())
def test_fast_path_matches_pyld_with_numbers_languages_and_directions(
        credential: dict[str, Any], data: st.DataObject) -> None:
    """Differential: canonical N-Quads equal PyLD's, on first sight and from the template."""
    doc = _vary(copy.deepcopy(credential), data)
    try:
        expected = jsonld.pyld_canonize(doc)
    except JsonLdError:
        with pytest.raises(JsonLdError):
            jsonld.canonize(doc)
        return
    assert jsonld.canonize(doc) == expected
    # another document of the same shape: other numbers, other text
    other = copy.deepcopy(doc)
    achievement = other["credentialSubject"]["achievement"]
    if isinstance(achievement.get("creditsAvailable"), int | float):
        achievement["creditsAvailable"] = data.draw(NUMBERS, label="other credits")
    if isinstance(achievement.get("description"), dict):
        achievement["description"]["@value"] = data.draw(st.text(max_size=12), label="text")
    if jsonld._signature(other)[0] == jsonld._signature(doc)[0]:
        assert jsonld.canonize(other) == jsonld.pyld_canonize(other)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_canonical_double_is_pylds(value: float) -> None:
    from pyld.jsonld import _canonicalize_double

    assert jsonld.canonical_double(value) == _canonicalize_double(value)


@pytest.mark.parametrize("values", [
    ["a", {"@value": "a", "@direction": "ltr"}],
    [{"@value": "a", "@direction": "rtl"}, "a"],
    [{"@value": "a", "@direction": "rtl"}, {"@value": "a", "@direction": "ltr"}],
    [{"@value": "a", "@language": "ar"}, {"@value": "a", "@language": "ar", "@direction": "rtl"}],
    [{"@value": "a", "@language": "ar", "@direction": "rtl"}, {"@value": "a", "@language": "he"}],
    [{"@value": "a", "@type": "https://www.w3.org/ns/i18n#_ltr"},
     {"@value": "a", "@direction": "ltr"}],
])
def test_values_equal_but_for_direction_follow_pyld(values: list[Any]) -> None:
    """Node map generation keeps one of two values that differ only in ``@direction``.

    (PyLD's normalize repeats a quad that occurs twice, as the last case
    makes; an RDF dataset is a set, so the comparison drops repeats.)
    """
    doc = load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")
    doc["name"] = values
    expected = _unique_lines(jsonld.pyld_canonize(doc))
    assert jsonld.canonize(doc) == expected
    other = copy.deepcopy(doc)  # same shape, other text: from the template
    for value in other["name"]:
        if isinstance(value, dict):
            value["@value"] = "b"
    assert jsonld.canonize(other) == _unique_lines(jsonld.pyld_canonize(other))
    assert jsonld.canonize(copy.deepcopy(doc)) == expected


def _unique_lines(nquads: str) -> str:
    return "".join(dict.fromkeys(nquads.splitlines(keepends=True)))


def _with_credits(value: Any) -> dict[str, Any]:
    doc = load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = value
    return doc


def test_new_shapes_cost_no_pyld_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled contexts: a credential of a never-seen shape is read without PyLD (issue #16)."""
    from pyld import jsonld as pyld

    calls = {"expand": 0, "to_rdf": 0}
    expand, to_rdf = pyld.expand, pyld.to_rdf

    def counting(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    expected = {value: jsonld.pyld_canonize(_with_credits(value))
                for value in (3, 4, 3.0, -7, 10**20, 1e21, 0.5, 15.25, -1e-9, True)}
    monkeypatch.setattr(pyld, "expand", counting("expand", expand))
    monkeypatch.setattr(pyld, "to_rdf", counting("to_rdf", to_rdf))
    for value, canonical in expected.items():
        prepared = jsonld.prepare(_with_credits(value))
        assert prepared.compiled is not None and prepared.undefined == ((), ())
        assert prepared.canonize() == canonical
    assert calls == {"expand": 0, "to_rdf": 0}


# --- bounded cost -----------------------------------------------------------------------


def _unsigned() -> dict[str, Any]:
    return load_json("vectors/ob_v3p0_eddsa-rdfc-2022/unsigned-credential.json")


@pytest.mark.parametrize("build", [
    # one long array: node map generation is quadratic in it
    lambda doc: doc["credentialSubject"]["achievement"].update(
        tag=[f"t{i}" for i in range(jsonld.MAX_ARRAY_ITEMS + 1)]),
    # many values in total, in arrays under the item limit
    lambda doc: doc["credentialSubject"]["achievement"].update(
        {f"p{j}": [f"v{i}" for i in range(200)] for j in range(30)}),
    # thousands of distinct (undefined) properties
    lambda doc: doc["credentialSubject"].update({f"p{i}": "v" for i in range(6000)}),
    # values hidden in an inline context count too
    lambda doc: doc.update({"@context": [*doc["@context"], {f"t{i}": f"https://e.org/{i}"
                                                            for i in range(6000)}]}),
], ids=["long_array", "many_values", "many_properties", "inline_context"])
def test_oversized_documents_are_refused_before_jsonld(build: Any) -> None:
    doc = _unsigned()
    build(doc)
    with pytest.raises(JsonLdError) as err:
        jsonld.prepare(doc)
    assert err.value.code == "too_large"


def test_documents_at_the_limits_are_processed() -> None:
    doc = _unsigned()
    doc["credentialSubject"]["achievement"]["tag"] = [
        f"t{i}" for i in range(jsonld.MAX_ARRAY_ITEMS)]
    assert jsonld.canonize(doc) == jsonld.pyld_canonize(doc)


def test_oversized_credential_gets_a_report_not_an_exception() -> None:
    from badges.verify import verify_credential
    from tests.conftest import NOW

    doc = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    doc["credentialSubject"]["achievement"]["tag"] = ["x"] * (jsonld.MAX_ARRAY_ITEMS + 1)
    report = verify_credential(doc, now=NOW)
    context = report.check("context")
    assert context is not None and context.code == "too_large", report.to_json()
    assert str(context.outcome) == "failed"
    assert report.verdict in ("invalid", "forged")


def test_the_shape_cache_is_bounded_by_template_size() -> None:
    cache = jsonld._ShapeCache(8)  # 8 shapes, 16 units
    small = jsonld._shape_for(_unsigned())[0]  # the PyLD fallback's shape cache
    assert small.template is not None
    for i in range(20):
        cache.put(f"small{i}", small)
    assert len(cache) == 8 and cache.get("small19") is small and cache.get("small0") is None
    big = jsonld.Shape((), (), jsonld._Template(((("<a>", "<b>", '"c"', ""),) * 320), {}))
    cache.put("big", big)  # weighs 11 units: only 5 small ones stay beside it
    assert cache.get("big") is big and len(cache) == 6
    assert cache.get(("big", (("", "x"),))) is None  # tuple keys are digested too
