"""DIDAuth: checking a Verifiable Presentation that proves control of a DID.

A wallet answers a Verifiable Presentation Request with a ``DIDAuthentication``
query (VP Request Spec §4 "DID Authentication"; VC-API "Exchanges") by signing
a presentation, usually without credentials, whose proof has
``proofPurpose: authentication`` and the verifier's ``challenge`` and
``domain`` (VC-DATA-INTEGRITY §2.1 "Proofs": ``challenge``, ``domain``; §4.4
"Verify Proof": the verifier checks both). The proof is an Ed25519 one:
``DataIntegrityProof``/``eddsa-rdfc-2022`` (VC-DI-EdDSA §3.2) or
``Ed25519Signature2020``, the suite the Learner Credential Wallet signs with
(same hashing, VC-DI-EdDSA §3.2.4). The key is the holder's ``did:key``,
resolved locally: this module does no I/O.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from badges import dataintegrity
from badges import jsonld
from badges.did import resolve_did_key
from badges.errors import BadgesError

__all__ = ["DidAuthError", "verify_didauth"]

PURPOSE = "authentication"


class DidAuthError(BadgesError):
    """A DIDAuth presentation was refused; ``code`` says why.

    Codes: ``invalid_presentation``, ``invalid_challenge``, ``invalid_domain``,
    ``unsupported_cryptosuite``, ``invalid_proof``, ``invalid_signature``,
    ``unsupported_did``.
    """

    code = "invalid_presentation"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _holder_id(holder: Any) -> Any:
    return holder.get("id") if isinstance(holder, dict) else holder


def verify_didauth(presentation: Any, *, challenge: str, domain: str,
                   require_domain: bool = True) -> str:
    """Check a DIDAuth presentation; return the DID whose key signed it.

    Args:
        presentation: the parsed presentation.
        challenge: the challenge the verifier gave (compared in constant time).
        domain: the verifier's domain; a proof naming another one is refused.
        require_domain: refuse a proof without ``domain`` (the VC-API exchange
            always sends one); False only for requests that carried no domain.

    Raises:
        DidAuthError: with the code of the first check that failed.
    """
    if not isinstance(presentation, Mapping) \
            or "VerifiablePresentation" not in _as_list(presentation.get("type")):
        raise DidAuthError("the body is not a VerifiablePresentation")
    proofs = _as_list(presentation.get("proof"))
    if len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        raise DidAuthError("the presentation needs exactly one proof", code="invalid_proof")
    proof: Mapping[str, Any] = proofs[0]
    try:
        suite = dataintegrity.find_suite(proof)
    except BadgesError as exc:
        raise DidAuthError(exc.message, code="unsupported_cryptosuite") from None
    if proof.get("proofPurpose") != PURPOSE:
        raise DidAuthError(f"proofPurpose must be {PURPOSE}", code="invalid_proof")
    given = proof.get("challenge")
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), challenge.encode()):
        raise DidAuthError("the proof's challenge is not this exchange's challenge",
                           code="invalid_challenge")
    if "domain" in proof or require_domain:
        if domain not in _as_list(proof.get("domain")):
            raise DidAuthError(f"the proof's domain must be {domain}", code="invalid_domain")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith("did:key:"):
        raise DidAuthError("the proof's verificationMethod must be a did:key",
                           code="unsupported_did")
    try:
        resolved = resolve_did_key(method)
    except BadgesError as exc:
        raise DidAuthError(exc.message, code="unsupported_did") from None
    if resolved.public_key.type != suite.key_type:
        raise DidAuthError("the did:key is not an Ed25519 key", code="unsupported_did")
    holder = _holder_id(presentation.get("holder"))
    if holder is not None and holder != resolved.controller:
        raise DidAuthError("holder is not the DID that signed the presentation",
                           code="invalid_proof")
    try:
        signature = dataintegrity.decode_proof_value(proof)
        prepared = jsonld.prepare({k: v for k, v in presentation.items() if k != "proof"})
        data = dataintegrity.hash_data(presentation, proof, prepared=prepared)
    except BadgesError as exc:
        raise DidAuthError(f"the presentation cannot be checked: {exc.message}",
                           code="invalid_proof") from None
    if not resolved.public_key.verify(signature, data):
        raise DidAuthError("the presentation's signature does not verify",
                           code="invalid_signature")
    terms, types = prepared.undefined
    if terms or types:
        raise DidAuthError("part of the presentation is not covered by its signature "
                           f"(undefined terms: {', '.join([*terms, *types][:5])})",
                           code="invalid_proof")
    return resolved.controller
