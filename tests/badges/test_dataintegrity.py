"""eddsa-rdfc-2022: known-answer vectors, round trips, tampering (VC-DI-EdDSA §3.2)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import dataintegrity
from badges import jsonld
from badges import keys
from badges import multibase
from badges.errors import BadgesError
from badges.errors import ProofError
from badges.ldcontext import Unsupported
from badges.verify import verify_credential
from tests.badges import strategies
from tests.conftest import NOW
from tests.conftest import VECTORS
from tests.conftest import load_json

OB = VECTORS / "ob_v3p0_eddsa-rdfc-2022"
W3C = VECTORS / "w3c_vc-di-eddsa"


def _ob_key() -> keys.KeyPair:
    vector = load_json(OB / "vector.json")
    return keys.ed25519_from_seed(bytes.fromhex(vector["keyPair"]["privateKeySeedHex"]),
                                  controller="https://example.edu/issuers/565049")


def test_ob_vector_reproduces_byte_for_byte() -> None:
    vector = load_json(OB / "vector.json")
    unsigned = load_json(OB / "unsigned-credential.json")
    options = load_json(OB / "proof-options.json")
    canon = jsonld.canonize(unsigned)
    assert canon == (OB / "document-canon.nq").read_text("utf-8")
    proof_canon = jsonld.canonize({**options, "@context": unsigned["@context"]})
    assert proof_canon == (OB / "proof-canon.nq").read_text("utf-8")
    assert hashlib.sha256(canon.encode()).hexdigest() == vector["documentHashHex"]
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == vector["proofConfigHashHex"]
    data = dataintegrity.hash_data(unsigned, options)
    assert data.hex() == vector["hashDataHex_proofHash_then_docHash"]
    key = _ob_key()
    assert key.id == options["verificationMethod"]
    signed = dataintegrity.sign_credential(unsigned, key=key, created=options["created"])
    proof = signed["proof"][0]
    assert proof["proofValue"] == vector["proofValue"]
    assert multibase.decode(proof["proofValue"]).hex() == vector["signatureHex"]
    expected = load_json(OB / "signed-credential.json")
    assert {k: v for k, v in proof.items()} == expected["proof"]
    assert unsigned == load_json(OB / "unsigned-credential.json"), "input must not be mutated"


def test_w3c_vector_reproduces() -> None:
    base = W3C / "eddsa-rdfc-2022"
    unsigned = load_json(W3C / "unsigned.json")
    config = load_json(base / "proofConfigDataInt.json")
    assert jsonld.canonize(unsigned) == (base / "canonDocDataInt.txt").read_text("utf-8")
    assert jsonld.canonize(config) == (base / "proofCanonDataInt.txt").read_text("utf-8")
    pair = keys.load_key_file(load_json(W3C / "keyPair.json"))
    options = {k: v for k, v in config.items() if k != "@context"}
    signature = pair.sign(dataintegrity.hash_data(unsigned, options))
    assert multibase.encode(signature) == (base / "sigBTC58DataInt.txt").read_text().strip()
    signed = load_json(base / "signedDataInt.json")
    assert dataintegrity.verify_proof(signed, signed["proof"], pair.public)


def test_w3c_employment_vector_hashes_and_signature() -> None:
    # Its citizenship context is not bundled, so the document itself can't be
    # canonicalized offline (and must not be fetched); the hashing and
    # signature steps are checked from the published canonical forms.
    base = W3C / "eddsa-rdfc-2022" / "employ"
    doc_hash = hashlib.sha256((base / "canonDocDataInt.txt").read_bytes()).hexdigest()
    proof_hash = hashlib.sha256((base / "proofCanonDataInt.txt").read_bytes()).hexdigest()
    assert doc_hash == (base / "docHashDataInt.txt").read_text().strip()
    assert proof_hash == (base / "proofHashDataInt.txt").read_text().strip()
    pair = keys.load_key_file(load_json(W3C / "keyPair.json"))
    signature = pair.sign(bytes.fromhex(proof_hash + doc_hash))
    assert multibase.encode(signature) == (base / "sigBTC58DataInt.txt").read_text().strip()


def test_unsupported_suite_and_wrong_key_type_are_refused() -> None:
    signed = load_json(OB / "signed-credential.json")
    bogus = {**signed["proof"], "cryptosuite": "eddsa-jcs-2022"}
    with pytest.raises(ProofError) as err:
        dataintegrity.verify_proof(signed, bogus, _ob_key().public)
    assert err.value.code == "unsupported_cryptosuite"
    with pytest.raises(ProofError) as err:
        dataintegrity.verify_proof(signed, signed["proof"], keys.generate("p256").public)
    assert err.value.code == "key_type_mismatch"
    with pytest.raises(ProofError) as err:
        dataintegrity.sign_credential(signed, key=keys.generate("p256"))
    assert err.value.code == "key_type_mismatch"


def _sign(credential: dict[str, Any], key: keys.KeyPair) -> dict[str, Any]:
    return dataintegrity.sign_credential(credential, key=key, created="2026-01-02T03:04:05Z")


KEY = keys.generate("ed25519")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.credentials(issuer_id=KEY.controller))
def test_round_trip_over_generated_credentials(credential: dict[str, Any]) -> None:
    signed = _sign(credential, KEY)
    assert dataintegrity.verify_proof(signed, signed["proof"][0], KEY.public)
    # the fast path and PyLD agree on every generated credential
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    assert jsonld.canonize(unsigned) == jsonld.pyld_canonize(unsigned)


def _string_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() if k not in ("@context", "proof")
                for p in _string_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _string_paths(v, (*path, i))]
    return [path] if isinstance(node, str) else []


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.credentials(issuer_id=KEY.controller), st.data())
def test_any_change_to_a_signed_value_is_caught(credential: dict[str, Any],
                                                data: st.DataObject) -> None:
    signed = _sign(credential, KEY)
    paths = _string_paths(signed)
    path = data.draw(st.sampled_from(paths))
    tampered = json.loads(json.dumps(signed))
    original = tampered
    for part in path:
        original = original[part]
    suffix = data.draw(st.text(min_size=1, max_size=3))
    _set(tampered, path, str(original) + suffix)
    try:
        intact = dataintegrity.verify_proof(tampered, tampered["proof"][0], KEY.public)
    except ProofError as exc:
        # a type changed to one no context defines is not part of the signed RDF at all;
        # the proof check refuses such a document rather than call it intact
        assert exc.code == "content_not_signed" and "type" in path[-2:], path
        return
    assert not intact, path


def test_one_changed_byte_anywhere_fails_the_proof() -> None:
    signed = _sign(load_json(OB / "unsigned-credential.json") | {
        "issuer": {"id": KEY.controller, "type": ["Profile"], "name": "Example"}}, KEY)
    text = json.dumps(signed)
    proof_start = text.index('"proof"')
    checked = failed = refused = 0
    for i in range(0, proof_start, 7):
        char = text[i]
        if not char.isalnum():
            continue
        replacement = "x" if char != "x" else "y"
        mutated = text[:i] + replacement + text[i + 1:]
        doc = json.loads(mutated)
        if doc == signed:
            continue
        where = f"change at {i} ({text[i - 20:i + 20]!r})"
        try:
            ok = dataintegrity.verify_proof(doc, doc["proof"][0], KEY.public)
        except BadgesError as exc:
            # refused outright: a context that is no longer one of the bundled ones (it
            # cannot be read at all), or a name or type the contexts do not define (JSON-LD
            # would drop it from what is signed); anything else is a crash, not a refusal
            assert exc.code in ("context_not_allowed", "content_not_signed"), (
                where, exc.code, exc.message)
            if exc.code == "context_not_allowed":
                assert '"@context"' in text[max(0, i - 120):i], where
            refused += 1
        else:
            assert not ok, f"{where} went unnoticed"
            failed += 1
        # and the verifier, reading the whole credential, never calls it verified
        report = verify_credential(doc, now=NOW)
        assert report.verdict in ("forged", "invalid"), (where, report.to_json())
        checked += 1
    assert checked > 50 and failed > 50 and refused > 0


def test_a_prepared_document_is_what_gets_hashed() -> None:
    """``prepared`` (read once for safe mode) stands for the document in the hash."""
    vector = load_json(OB / "vector.json")
    unsigned = load_json(OB / "unsigned-credential.json")
    options = load_json(OB / "proof-options.json")
    prepared = jsonld.prepare(unsigned)
    assert prepared.canonize() == (OB / "document-canon.nq").read_text("utf-8")
    assert prepared.undefined == jsonld.undefined_terms(unsigned) == ((), ())
    data = dataintegrity.hash_data(unsigned, options, prepared=prepared)
    assert data.hex() == vector["hashDataHex_proofHash_then_docHash"]
    key = _ob_key()
    signed = dataintegrity.sign_credential(unsigned, key=key, created=options["created"],
                                           prepared=prepared)
    assert signed["proof"][0]["proofValue"] == vector["proofValue"]
    proof = signed["proof"][0]
    assert dataintegrity.verify_proof(signed, proof, key.public, prepared=prepared)
    # what is hashed is the prepared document: another one fails the proof
    other = jsonld.prepare({**unsigned, "name": f"{unsigned['name']} (edited)"})
    assert not dataintegrity.verify_proof(signed, proof, key.public, prepared=other)


# --- @language and @direction are signed (JSON-LD 1.1 §4.2.4, rdfDirection i18n-datatype) ---

RTL = {"@value": "مرحبا", "@language": "ar", "@direction": "rtl"}


def _i18n_credential(description: dict[str, str], name: str) -> dict[str, Any]:
    return load_json(OB / "unsigned-credential.json") | {
        "issuer": {"id": KEY.controller, "type": ["Profile"], "name": "Example"},
        "name": name,
        "description": description,
    }


def _flips(signed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for what, key, new in (("direction", "@direction", "ltr"), ("language", "@language", "fa"),
                           ("no direction", "@direction", None),
                           ("no language", "@language", None)):
        doc = json.loads(json.dumps(signed))
        if new is None:
            del doc["description"][key]
        else:
            doc["description"][key] = new
        out[what] = doc
    return out


@pytest.mark.parametrize("sighting", ["compiled", "first", "cached"])
def test_flipping_direction_or_language_after_signing_fails_the_proof(
        sighting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A base direction or language changed after signing breaks the proof.

    ``compiled``: the compiled walk reads every document (the usual path);
    ``first`` and ``cached``: the PyLD fallback, with every shape new (PyLD
    builds each template), or with every shape, the tampered ones included,
    seen before with other text (the N-Quads come from filled-in templates).
    """
    monkeypatch.setattr(jsonld, "_CACHE", jsonld._ShapeCache(64))
    if sighting != "compiled":
        def unsupported(doc: Any, max_values: int = 0) -> Any:
            raise Unsupported("test: use the fallback")
        monkeypatch.setattr(jsonld.ldrdf, "to_rdf", unsupported)
    if sighting == "cached":
        primer = _sign(_i18n_credential(RTL | {"@value": "سلام"}, "Primer"), KEY)
        for doc in [primer, *_flips(primer).values()]:
            jsonld.prepare({k: v for k, v in doc.items() if k != "proof"})
    signed = _sign(_i18n_credential(RTL, "Arabic greeting"), KEY)
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    canon = jsonld.canonize(unsigned)
    assert '"مرحبا"^^<https://www.w3.org/ns/i18n#ar_rtl>' in canon
    assert canon == jsonld.pyld_canonize(unsigned)
    assert (jsonld.prepare(unsigned).compiled is not None) == (sighting == "compiled")
    if sighting == "cached":
        assert jsonld.prepare(unsigned).shape.template is not None
    assert dataintegrity.verify_proof(signed, signed["proof"][0], KEY.public)
    for what, doc in _flips(signed).items():
        body = {k: v for k, v in doc.items() if k != "proof"}
        if sighting == "cached":
            assert jsonld.prepare(body).shape.template is not None, what
        assert jsonld.canonize(body) == jsonld.pyld_canonize(body), what
        assert not dataintegrity.verify_proof(doc, doc["proof"][0], KEY.public), what
        check = verify_credential(doc, now=NOW).check("proof")
        assert check is not None and str(check.outcome) == "failed", (what, check)


def test_direction_without_language_is_signed() -> None:
    """``{"@value", "@direction"}`` alone maps to ``i18n#_ltr`` (no language part)."""
    doc = _i18n_credential({"@value": "abc", "@direction": "ltr"}, "No language")
    assert '"abc"^^<https://www.w3.org/ns/i18n#_ltr>' in jsonld.canonize(doc)
    assert jsonld.canonize(doc) == jsonld.pyld_canonize(doc)
    signed = _sign(doc, KEY)
    flipped = json.loads(json.dumps(signed))
    flipped["description"]["@direction"] = "rtl"
    assert not dataintegrity.verify_proof(flipped, flipped["proof"][0], KEY.public)


CONFIG_CONTEXTS = st.sampled_from([
    ["https://www.w3.org/ns/credentials/v2"],
    ["https://www.w3.org/ns/credentials/v2",
     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    ["https://www.w3.org/2018/credentials/v1",
     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
     "https://w3id.org/security/data-integrity/v2"],
])
CREATED_VALUES = (st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
                  | st.text(max_size=12) | st.sampled_from(["", "0001-01-01T00:00:00Z", "a\"b",
                                                           "x\\y", "\n", "2026-01-01T00:00:00Z"]))


@st.composite
def proof_configs(draw: st.DrawFn) -> dict[str, Any]:
    config: dict[str, Any] = {
        "@context": draw(CONFIG_CONTEXTS), "type": "DataIntegrityProof",
        "cryptosuite": draw(st.sampled_from(["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])),
        "verificationMethod": draw(st.sampled_from([
            "did:key:z6Mk1#z6Mk1", "https://example.edu/issuers/1#key-1"])),
        "proofPurpose": draw(st.sampled_from(["assertionMethod", "authentication"])),
        "created": draw(CREATED_VALUES)}
    for name, values in (("id", st.sampled_from(["urn:uuid:1", "_:b0"])),
                         ("nonce", st.text(max_size=6)),
                         ("previousProof", st.sampled_from(["urn:uuid:2", "_:b1"])),
                         ("domain", st.sampled_from(["example.org"]))):
        if draw(st.booleans()):
            config[name] = draw(values)
    if draw(st.integers(0, 9)) == 0:
        config["created"] = draw(st.integers() | st.none() | st.lists(CREATED_VALUES,
                                                                         max_size=2))
    return config


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proof_configs())
def test_a_proof_configuration_hashes_as_its_full_canonicalization(config: dict[str, Any]) -> None:
    """The template with ``created`` left out gives the hash of canonicalizing the whole."""
    try:
        expected = dataintegrity._hash_config(config)
    except BadgesError as exc:
        with pytest.raises(type(exc)):
            dataintegrity._config_hash(config)
        return
    assert dataintegrity._config_hash(config) == expected


def test_a_new_signing_time_reuses_the_template_of_the_configuration() -> None:
    config = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "DataIntegrityProof",
              "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
              "verificationMethod": "did:key:z6Mk1#z6Mk1"}
    dataintegrity._config_template.cache_clear()
    for second in range(10):
        created = f"2026-01-01T00:00:{second:02d}Z"
        full = {**config, "created": created}
        assert dataintegrity._config_hash(full) == dataintegrity._hash_config(full)
    info = dataintegrity._config_template.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 9, 1)
    assert dataintegrity._config_template(dataintegrity._memo_key(
        {**config, "created": dataintegrity._SENTINEL}) or "") is not None
