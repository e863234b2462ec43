"""Data Integrity proofs: ``eddsa-rdfc-2022`` and the Ed25519 suites that came before it.

Implements VC-DI-EdDSA §3.2 (eddsa-rdfc-2022: Create Proof §3.2.1, Verify
Proof §3.2.2, Transformation §3.2.3, Hashing §3.2.4, Proof Configuration
§3.2.5, Proof Serialization §3.2.6) over RDFC-1.0, as OB 3.0 §8.3 requires.

For older badges, verification also accepts the same algorithm under its
draft name ``eddsa-2022`` and the ``Ed25519Signature2020`` proof type (OB 3.0
implementation guide, "Cryptosuites in Linked Data Proofs"). The accepted
suites are a fixed table, never chosen by the input.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from badges import jsonld
from badges import multibase
from badges import rdfc
from badges.errors import BadgesError
from badges.errors import ProofError
from badges.keys import KeyPair
from badges.keys import PublicKey

#: The cryptosuite new proofs use.
CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True, slots=True)
class Suite:
    """One accepted proof kind: its proof ``type``, ``cryptosuite`` and key type."""

    type: str
    cryptosuite: str | None
    key_type: str
    legacy: bool


#: Every accepted (type, cryptosuite); anything else is ``unsupported_cryptosuite``.
SUITES: tuple[Suite, ...] = (
    Suite("DataIntegrityProof", "eddsa-rdfc-2022", "ed25519", legacy=False),
    Suite("DataIntegrityProof", "eddsa-2022", "ed25519", legacy=True),
    Suite("Ed25519Signature2020", None, "ed25519", legacy=True),
)


def find_suite(proof: Mapping[str, Any]) -> Suite:
    """The suite for a proof object.

    Raises:
        ProofError: ``unsupported_cryptosuite`` for any other type/cryptosuite.
    """
    ptype, suite_name = proof.get("type"), proof.get("cryptosuite")
    for suite in SUITES:
        if suite.type == ptype and (suite.cryptosuite is None or suite.cryptosuite == suite_name):
            return suite
    name = f"{ptype}/{suite_name}" if suite_name else str(ptype)
    raise ProofError(f"proof type {name} is not supported", code="unsupported_cryptosuite")


def _proof_options(proof: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in proof.items() if k != "proofValue"}


def hash_data(document: Mapping[str, Any], proof_options: Mapping[str, Any], *,
              prepared: jsonld.Prepared | None = None) -> bytes:
    """The 64 bytes that are signed: SHA-256(proof config) ‖ SHA-256(document).

    VC-DI-EdDSA §3.2.4 (Hashing): the proof configuration is canonicalized
    with the document's ``@context`` (§3.2.5), the document without ``proof``
    (§3.2.3), and the proof hash comes first.

    Args:
        document: the credential, with or without ``proof`` (it is left out).
        proof_options: the proof without ``proofValue``.
        prepared: the document without ``proof`` already read by
            :func:`badges.jsonld.prepare` (for its safe-mode check), if the
            caller has it; saves reading the document a second time.

    Raises:
        badges.errors.JsonLdError: when either cannot be canonicalized.
    """
    if prepared is None:
        prepared = jsonld.prepare({k: v for k, v in document.items() if k != "proof"})
    config = {**_proof_options(proof_options), "@context": document.get("@context")}
    proof_hash = _config_hash(config)
    doc_hash = hashlib.sha256(_utf8(prepared.canonize())).digest()
    return proof_hash + doc_hash


#: A blank node label in canonical N-Quads.
_BLANK = re.compile(r"_:c14n\d+")
#: Longest proof configuration (as JSON) whose hash is remembered.
_MEMO_CONFIG_CHARS = 2048


def _config_hash(config: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof configuration (VC-DI-EdDSA §3.2.5, §3.2.4).

    An issuer's proofs share their contexts, type, cryptosuite, key and
    purpose; only ``created`` differs from one to the next. The canonical form
    of a configuration is remembered as a template with ``created`` left out
    (see :func:`_config_template`), so a proof signed at a moment never seen
    before costs a string join, not a JSON-LD run.
    """
    created = config.get("created")
    if isinstance(created, str):
        key = _memo_key({**config, "created": _SENTINEL})
        template = None if key is None else _config_template(key)
        if template is not None:
            head, tail = template
            return hashlib.sha256(_utf8(head + rdfc.escape_literal(created) + tail)).digest()
    key = _memo_key(config)
    return _hash_config(config) if key is None else _remembered_config_hash(key)


def _memo_key(config: Mapping[str, Any]) -> str | None:
    """The exact JSON text of a configuration, when short enough to remember it by."""
    try:
        key = json.dumps(config, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always serializes
        return None
    return key if len(key) <= _MEMO_CONFIG_CHARS else None


#: The ``created`` a configuration's template is made with (a time no proof claims).
_SENTINEL = "0001-01-01T00:00:00Z"


@lru_cache(maxsize=512)
def _config_template(key: str) -> tuple[str, str] | None:
    """The canonical N-Quads of a configuration, split where its ``created`` value goes.

    Exact when ``created`` is one literal in one quad and the configuration
    has at most one blank node: that node is always ``_:c14n0`` (RDFC-1.0 §4.4
    labels a lone blank node alike whatever its quads hold), and the quad's
    subject and predicate, which no other quad shares, fix its place in the
    sorted output whatever the literal is. Otherwise None: the configuration
    is then canonicalized each time.
    """
    canonical = jsonld.canonize(json.loads(key))
    literal = f'"{_SENTINEL}"'
    if canonical.count(literal) != 1:
        return None
    lines = canonical.splitlines(keepends=True)
    holding = next(line for line in lines if literal in line)
    subject, predicate = holding.split(" ", 2)[:2]
    prefix = f"{subject} {predicate} "
    if sum(1 for line in lines if line.startswith(prefix)) != 1:
        return None
    if len(set(_BLANK.findall(canonical))) > 1:
        return None
    head, tail = canonical.split(literal)
    return head + '"', '"' + tail


@lru_cache(maxsize=512)
def _remembered_config_hash(key: str) -> bytes:
    return _hash_config(json.loads(key))


def _hash_config(config: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(_utf8(jsonld.canonize(config))).digest()


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProofError("document contains text that is not valid Unicode",
                         code="invalid_unicode") from None


def sign_credential(credential: Mapping[str, Any], *, key: KeyPair,
                    created: str | None = None,
                    proof_purpose: str = "assertionMethod",
                    prepared: jsonld.Prepared | None = None) -> dict[str, Any]:
    """Add an ``eddsa-rdfc-2022`` ``DataIntegrityProof`` (VC-DI-EdDSA §3.2.1).

    Args:
        credential: the unsigned credential (not modified).
        key: an Ed25519 key pair; ``key.id`` becomes ``verificationMethod``.
        created: the proof's ``created`` (XSD dateTime with time zone), or
            None to leave it out (the core has no clock: callers pass the time).
        proof_purpose: ``assertionMethod`` for credentials (OB 3.0 §8.3).
        prepared: ``credential`` without ``proof``, read by
            :func:`badges.jsonld.prepare` (see :func:`hash_data`).

    Returns:
        A new dict: the credential with ``proof`` as a one-element array
        (OB 3.0 serialization: multi-valued properties are arrays). Existing
        proofs are kept and the new one is appended (a proof set).

    Raises:
        ProofError: ``key_type_mismatch`` for a non-Ed25519 key.
        badges.errors.JsonLdError: when the credential can't be canonicalized.
    """
    if key.type != "ed25519":
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 key", code="key_type_mismatch")
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
    }
    if created is not None:
        options["created"] = created
    options["verificationMethod"] = key.id
    options["proofPurpose"] = proof_purpose
    signature = key.sign(hash_data(credential, options, prepared=prepared))
    proof = {**options, "proofValue": multibase.encode(signature, "z")}
    existing = credential.get("proof")
    proofs = [] if existing is None else list(existing) if isinstance(existing, list) \
        else [existing]
    return {**credential, "proof": [*proofs, proof]}


def proofs_of(credential: Mapping[str, Any]) -> list[Any]:
    """The credential's proofs as a list (a single object is accepted)."""
    proof = credential.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def decode_proof_value(proof: Mapping[str, Any]) -> bytes:
    """The 64-byte signature from ``proofValue`` (multibase base58btc, §3.2.6).

    Raises:
        ProofError: ``proof_value_invalid`` when missing or malformed.
    """
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue is missing or not base58btc multibase",
                         code="proof_value_invalid")
    try:
        signature = multibase.decode(value)
    except multibase.MultibaseError:
        raise ProofError("proofValue is not valid base58btc", code="proof_value_invalid") from None
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature",
                         code="proof_value_invalid")
    return signature


def verify_proof(credential: Mapping[str, Any], proof: Mapping[str, Any],
                 public_key: PublicKey, *,
                 prepared: jsonld.Prepared | BadgesError | None = None) -> bool:
    """Check one proof's signature (VC-DI-EdDSA §3.2.2, Verify Proof).

    The caller has already chosen the key (and checks its binding to the
    issuer separately). Returns False for a wrong signature. ``prepared`` is
    the credential without ``proof`` as :func:`badges.jsonld.prepare` read it,
    when the caller already has it (see :func:`hash_data`), or the error that
    reading gave (raised where the reading would be, not worked out again).

    Raises:
        ProofError: ``unsupported_cryptosuite``, ``proof_value_invalid``,
            ``key_type_mismatch``, ``proof_purpose_invalid``, ``content_not_signed``
            (the signature matches, but the document uses terms or types its
            contexts do not define, which canonicalization drops from what is
            signed; a signature that does not match returns False first).
        badges.errors.JsonLdError: when the document can't be canonicalized.
    """
    suite = find_suite(proof)
    if public_key.type != suite.key_type:
        raise ProofError("the key is not an Ed25519 key", code="key_type_mismatch")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("proofPurpose must be assertionMethod", code="proof_purpose_invalid")
    signature = decode_proof_value(proof)
    if isinstance(prepared, BadgesError):
        raise prepared
    if prepared is None:
        prepared = jsonld.prepare({k: v for k, v in credential.items() if k != "proof"})
    if not public_key.verify(signature, hash_data(credential, proof, prepared=prepared)):
        return False
    terms, types = prepared.undefined
    if terms or types:
        # JSON-LD drops what its contexts do not define, so the signature does not cover it
        # and it could have been changed after signing: refuse, as safe mode does
        # (VC-DI-EdDSA §3.2.3 uses JSON-LD processing with safe mode on).
        raise ProofError("part of the credential is not covered by its signature (terms its "
                         f"contexts do not define: {', '.join([*terms, *types][:5])})",
                         code="content_not_signed")
    return True
