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
