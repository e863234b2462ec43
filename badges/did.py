"""Verification methods: ``did:key``, ``did:jwk``, ``did:web`` and controller documents.

Pure helpers for key discovery (OB 3.0 §8.3.2 and DIGEST §4):

* ``did:key`` is resolved locally (did:key method §3.1): nothing is fetched;
  Ed25519 (``z6Mk``) and P-256 (``zDn``) keys.
* ``did:jwk`` is resolved locally too (did:jwk method §2.2 "Read"): the DID is
  the base64url of a public JWK, and its one verification method is ``#0``.
* ``<controller>#z6Mk...``: the 1EdTech form; the key is the fragment, and
  the controller is the part before ``#``.
* ``did:web`` and ``https://`` controller documents are looked up in a
  document that the caller fetched (DID Core §5.3, Controlled Identifiers
  §2.1): the verification method must be listed, with the right controller,
  and referenced from ``assertionMethod`` for it to be *bound*.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote

from badges import keys
from badges.errors import BadgesError
from badges.errors import KeyError_
from badges.multibase import MultibaseError
from badges.multibase import b64url_decode
from badges.multibase import b64url_encode


class ResolutionError(BadgesError):
    """A verification method or controller document could not be resolved.

    Attributes:
        status: the HTTP status the document's server answered, when that is
            why (an Open Badges 2.0 hosted assertion answers 410 Gone once revoked).
    """

    code = "key_unresolved"
    status: int | None = None

    @classmethod
    def http(cls, url: str, status: int) -> ResolutionError:
        """``fetch_failed`` for a server that answered ``status`` (kept on the error)."""
        error = cls(f"{url} answered HTTP {status}", code="fetch_failed")
        error.status = status
        return error


#: Codes of a :class:`ResolutionError` that mean a document could not be *read*
#: (the network failed, or the verifier's own fetch policy declined: a private
#: or loopback address, plain HTTP, a size limit). Nothing was learnt about
#: the credential, so a check that needed the document is "could not be fully
#: checked", never failed: a genuine badge must not read as invalid because
#: the verifier chose not to fetch.
UNREACHABLE: frozenset[str] = frozenset({
    "key_unresolved", "key_unresolved_offline", "fetch_failed", "controller_unreachable",
    "address_not_allowed", "scheme_not_allowed", "response_too_large", "not_json",
    "fetch_timeout", "fetch_budget_exceeded",
})


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A verification method and what is known of its binding.

    Attributes:
        id: the verification method id.
        controller: who controls the key (DID or URL).
        public_key: the key.
        bound: True when the controller's own document lists this method for
            ``assertionMethod`` (or the key *is* the controller, as with
            did:key); False when that document was read and does not; None
            when no controller document was consulted.
    """

    id: str
    controller: str
    public_key: keys.PublicKey
    bound: bool | None


def split_fragment(vm_id: str) -> tuple[str, str]:
    """``("base", "fragment")`` of a verification method id (fragment may be empty)."""
    base, _, fragment = vm_id.partition("#")
    return base, fragment


def resolve_did_key(vm_id: str) -> ResolvedKey:
    """Resolve ``did:key:z...`` or ``did:key:z...#z...`` locally.

    Raises:
        ResolutionError: when the DID is malformed or the fragment names another key.
    """
    did, fragment = split_fragment(vm_id)
    multibase_value = did[len("did:key:"):]
    if fragment and fragment != multibase_value:
        raise ResolutionError("did:key fragment does not match the key", code="invalid_did_key")
    try:
        public = keys.public_from_multibase(multibase_value)
    except KeyError_ as exc:
        raise ResolutionError(f"did:key is not a usable key: {exc.message}",
                              code="invalid_did_key") from None
    return ResolvedKey(vm_id if fragment else f"{did}#{multibase_value}", did, public, True)


#: Longest ``did:jwk`` accepted: an RSA-4096 JWK is about 950 characters of base64url.
_MAX_DID_JWK = 4096


def resolve_did_jwk(vm_id: str) -> ResolvedKey:
    """Resolve ``did:jwk:<base64url JWK>`` or ``did:jwk:...#0`` locally (did:jwk §2.2).

    The DID document that the method defines lists one verification method,
    ``<did>#0``, whose ``publicKeyJwk`` is the decoded JWK; it is referenced
    from ``assertionMethod`` unless the JWK says ``"use": "enc"`` (then it is
    for key agreement only and cannot sign a credential). The key is its own
    controller, as with did:key, so it is ``bound``.

    Raises:
        ResolutionError: ``invalid_did_jwk`` when the DID does not decode to a
            JSON object, the fragment is not ``0``, the JWK is private,
            unsupported or marked for encryption only.
    """
    did, fragment = split_fragment(vm_id)
    if fragment not in ("", "0"):
        raise ResolutionError("a did:jwk has one verification method, '#0'",
                              code="invalid_did_jwk")
    encoded = did[len("did:jwk:"):]
    if not encoded or len(encoded) > _MAX_DID_JWK:
        raise ResolutionError("did:jwk is empty or too long", code="invalid_did_jwk")
    try:
        jwk = json.loads(b64url_decode(encoded))
    except (MultibaseError, ValueError):
        raise ResolutionError("did:jwk is not the base64url of a JSON JWK",
                              code="invalid_did_jwk") from None
    if not isinstance(jwk, dict):
        raise ResolutionError("did:jwk does not decode to a JWK object", code="invalid_did_jwk")
    if jwk.get("use") == "enc":
        raise ResolutionError("the did:jwk key is for encryption only (use: enc), "
                              "it cannot sign", code="invalid_did_jwk")
    try:
        public = keys.public_from_jwk(jwk)
    except KeyError_ as exc:
        raise ResolutionError(f"did:jwk is not a usable key: {exc.message}",
                              code="invalid_did_jwk") from None
    return ResolvedKey(f"{did}#0", did, public, True)


def did_jwk_for(public: keys.PublicKey) -> str:
    """The ``did:jwk`` of a public key (did:jwk §2.1 "Create"): base64url of its JWK."""
    return "did:jwk:" + b64url_encode(
        json.dumps(public.jwk(), separators=(",", ":"), sort_keys=True).encode("utf-8"))


def key_from_fragment(vm_id: str) -> ResolvedKey | None:
    """The 1EdTech ``<controller>#<publicKeyMultibase>`` form, or None if not that form.

    The key is read from the fragment; ``bound`` stays None, because only the
    controller's document can say the key is really its own.
    """
    base, fragment = split_fragment(vm_id)
    if not base or not fragment.startswith(("z6Mk", "zDn")):
        return None
    try:
        public = keys.public_from_multibase(fragment)
    except KeyError_:
        return None
    return ResolvedKey(vm_id, base, public, None)


def did_web_url(did: str) -> str:
    """The HTTPS URL of a ``did:web`` DID document (did:web method §3.2).

    ``did:web:example.com`` → ``https://example.com/.well-known/did.json``;
    ``did:web:example.com:issuers:42`` → ``https://example.com/issuers/42/did.json``;
    a percent-encoded port (``example.com%3A8443``) is decoded.

    Raises:
        ResolutionError: ``invalid_did_web`` when the DID is malformed.
    """
    did = split_fragment(did)[0]
    if not did.startswith("did:web:"):
        raise ResolutionError(f"{did!r} is not a did:web DID", code="invalid_did_web")
    parts = did[len("did:web:"):].split(":")
    if not parts[0] or any(not p for p in parts):
        raise ResolutionError(f"{did!r} is not a valid did:web DID", code="invalid_did_web")
    host = unquote(parts[0])
    if "/" in host or "@" in host or "?" in host or "#" in host:
        raise ResolutionError("did:web host is malformed", code="invalid_did_web")
    path = "/".join(unquote(p) for p in parts[1:])
    if ".." in path.split("/"):
        raise ResolutionError("did:web path is malformed", code="invalid_did_web")
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_web_for(host: str, path: str = "") -> str:
    """The ``did:web`` DID for a host (with optional ``:port``) and path (did:web §3.1)."""
    did = "did:web:" + quote(host, safe="")
    for segment in [p for p in path.strip("/").split("/") if p]:
        did += ":" + quote(segment, safe="")
    return did


def find_in_controller_document(document: Mapping[str, Any], vm_id: str,
                                *, controller: str) -> ResolvedKey:
    """Find ``vm_id`` in a DID or controller document and check its binding.

    Args:
        document: the DID document (``did:web``) or controller document
            (issuer profile) that the caller fetched for ``controller``.
        vm_id: the verification method id from the proof or JWT ``kid``.
        controller: the id the document was fetched for.

    Returns:
        The key, ``bound=True`` when the document's ``id`` is the controller,
        the method's ``controller`` matches, and ``assertionMethod`` lists it.

    Raises:
        ResolutionError: when the document does not contain the method or
            is malformed.
    """
    if not isinstance(document, Mapping):
        raise ResolutionError("controller document is not a JSON object",
                              code="controller_document_invalid")
    doc_id = document.get("id")
    methods = document.get("verificationMethod", [])
    if isinstance(methods, Mapping):
        methods = [methods]
    if not isinstance(methods, list):
        raise ResolutionError("verificationMethod is not a list",
                              code="controller_document_invalid")
    base = doc_id if isinstance(doc_id, str) else controller

    def absolute(ref: str) -> str:
        return base + ref if ref.startswith("#") else ref

    found: Mapping[str, Any] | None = None
    for method in methods:
        if isinstance(method, Mapping) and isinstance(method.get("id"), str) \
                and absolute(method["id"]) == vm_id:
            found = method
            break
    if found is None:
        raise ResolutionError(f"the controller document does not list key {vm_id}",
                              code="key_not_in_controller_document")
    public = public_key_of(found)
    assertion = document.get("assertionMethod", [])
    if not isinstance(assertion, list):
        assertion = [assertion]
    listed = any(
        (isinstance(a, str) and absolute(a) == vm_id)
        or (isinstance(a, Mapping) and isinstance(a.get("id"), str) and absolute(a["id"]) == vm_id)
        for a in assertion
    )
    method_controller = found.get("controller", base)
    bound = listed and doc_id == controller and method_controller == controller
    return ResolvedKey(vm_id, str(method_controller), public, bound)


def public_key_of(method: Mapping[str, Any]) -> keys.PublicKey:
    """The key of a verification method (``publicKeyMultibase`` or ``publicKeyJwk``).

    Raises:
        ResolutionError: when the method carries no usable key.
    """
    try:
        if isinstance(method.get("publicKeyMultibase"), str):
            return keys.public_from_multibase(method["publicKeyMultibase"])
        if isinstance(method.get("publicKeyJwk"), Mapping):
            return keys.public_from_jwk(dict(method["publicKeyJwk"]))
        if method.get("kty"):
            return keys.public_from_jwk(dict(method))
    except KeyError_ as exc:
        raise ResolutionError(f"verification method key is unusable: {exc.message}",
                              code="key_invalid") from None
    raise ResolutionError("verification method has no public key", code="key_invalid")
