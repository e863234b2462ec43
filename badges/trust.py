"""Issuer trust: who vouches for an issuer, and who only borrows a known issuer's name.

OB 3.0 §9.1 leaves "is this issuer who it claims to be?" to the verifier. A
valid signature proves only that the holder of some key signed the badge; a
badge re-signed with a stranger's ``did:key`` under the name "Lakeside Unified
School District" has a perfectly valid signature. So the ``issuer_trust``
check asks lists of known issuers (:class:`TrustRegistry`; several at once,
most authoritative first, :class:`Registries`):

* **known**: the issuer's id is on a list, or its ``did:web`` host is a
  listed domain (or a subdomain of one), or its profile's ``url`` is on a
  listed domain *and* that domain proves it is linked to the issuer's DID
  (DIF Well Known DID Configuration: ``/.well-known/did-configuration.json``
  holds a ``DomainLinkageCredential`` signed by the DID for that origin).
  The answer names the list that vouched.
* **impersonation**: not known, yet it claims a listed issuer's name (compared
  after Unicode normalization, case folding and mapping of look-alike
  letters) or a listed issuer's web address: the strongest warning.
* **unknown**: a genuine signature from an issuer no list names. Never
  "verified": the answer names the DID and domain that actually signed, for
  a person to look up.

Nothing here fetches by itself: the domain-linkage check gets the verifier's
fetcher and key resolver passed in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Protocol
from urllib.parse import urlsplit

from badges import did
from badges.errors import BadgesError
from badges.jwt import decode_jwt
from badges.jwt import verify_jwt_signature
from badges.report import CheckResult
from badges.report import Outcome

#: Fetches a JSON document (the verifier's SSRF-safe fetcher, with its budget).
Fetch = Callable[[str], Mapping[str, Any]]
#: Resolves a verification method id (``did:...#key``) to its key.
ResolveKey = Callable[[str], did.ResolvedKey]

_DID_CONFIGURATION = "/.well-known/did-configuration.json"
#: Most linked DIDs read from one DID Configuration resource.
MAX_LINKED_DIDS = 20

#: Letters that look like Latin ones (Cyrillic, Greek and a few others), folded to
#: the Latin letter, so "Lakеside" with a Cyrillic "е" is still "lakeside".
_LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ս": "u", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ı": "i", "ℓ": "l",
    "0": "o", "1": "l", "ǀ": "l",
})


def name_key(name: str) -> str:
    """A display name reduced to what a reader sees: no case, accents, spacing or look-alikes.

    ``"Lakeside  Unified School District"``, ``"LAKESIDE UNIFIED SCHOOL DISTRICT"``,
    ``"Lakeside Unified Schoοl District"`` (a Greek omicron) and
    ``"Lakesíde Unified School District."`` all give the same key.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_LOOK_ALIKES)
    return "".join(c for c in text if c.isalnum())


def issuer_domain(issuer_id: str) -> str | None:
    """The domain of a ``did:web`` or HTTPS issuer id (lower case, port dropped)."""
    if issuer_id.startswith("did:web:"):
        host = issuer_id[len("did:web:"):].split(":", 1)[0]
        return host.split("%3A", 1)[0].split("%3a", 1)[0].lower() or None
    parts = urlsplit(issuer_id)
    if parts.scheme == "https" and parts.hostname:
        return parts.hostname.lower()
    return None


def url_domain(value: Any) -> str | None:
    """The host of an ``https://`` URL (an issuer profile's ``url``), or None."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    return parts.hostname.lower() if parts.scheme == "https" and parts.hostname else None


def url_origin(value: Any) -> str | None:
    """``https://host[:port]`` of an ``https://`` URL, lower case, or None."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return f"https://{parts.netloc.lower()}"


def _within(domain: str, listed: str) -> bool:
    """True when ``domain`` is ``listed`` or one of its subdomains."""
    return domain == listed or domain.endswith("." + listed)


@dataclass(frozen=True, slots=True)
class Vouch:
    """Why an issuer is known.

    Attributes:
        name: the issuer's name, as the list gives it.
        registry: the list that vouched.
        by: ``id`` (the exact identifier), ``domain`` (its ``did:web`` or HTTPS
            host is on a listed domain) or ``linked domain`` (its profile's web
            address is on a listed domain that names its DID).
        domain: the listed domain, when one vouched.
    """

    name: str
    registry: str
    by: str
    domain: str | None = None


@dataclass(frozen=True)
class TrustRegistry:
    """One list of known issuers: exact ids, and domains with names.

    Attributes:
        issuers: issuer id → display name.
        domains: domain → display name; covers every ``did:web`` and HTTPS id
            on it or on its subdomains.
        name: what the list is called (named in every answer it gives).
    """

    issuers: Mapping[str, str] = field(default_factory=dict)
    domains: Mapping[str, str] = field(default_factory=dict)
    name: str = "known issuers"

    def lookup(self, issuer_id: str) -> str | None:
        """The display name of a known issuer, or None."""
        found = self.vouch(issuer_id)
        return found.name if found else None

    def vouch(self, issuer_id: str) -> Vouch | None:
        """Who this list says ``issuer_id`` is, or None."""
        if issuer_id in self.issuers:
            return Vouch(self.issuers[issuer_id], self.name, "id")
        domain = issuer_domain(issuer_id)
        return self.vouch_domain(domain, by="domain") if domain else None

    def vouch_domain(self, domain: str, *, by: str = "linked domain") -> Vouch | None:
        """The listed domain ``domain`` is on (itself or a parent), or None."""
        for listed, name in self.domains.items():
            if _within(domain, listed):
                return Vouch(name, self.name, by, listed)
        return None

    def known_name_keys(self) -> set[str]:
        """Every display name on the list, as :func:`name_key` gives it."""
        return {name_key(n) for n in (*self.issuers.values(), *self.domains.values())}

    def known_names(self) -> set[str]:
        """Every display name on the list, folded (kept for callers of the older API)."""
        return {n.casefold().strip() for n in (*self.issuers.values(), *self.domains.values())}

    @property
    def empty(self) -> bool:
        """True when the list names nobody."""
        return not self.issuers and not self.domains


class RegistryLike(Protocol):
    """A list, or several, of known issuers."""

    def vouch(self, issuer_id: str) -> Vouch | None:
        """Who vouches for ``issuer_id``, or None."""
        ...

    def vouch_domain(self, domain: str, *, by: str = ...) -> Vouch | None:
        """Who vouches for ``domain``, or None."""
        ...

    def known_name_keys(self) -> set[str]:
        """The name keys of every known issuer."""
        ...

    @property
    def empty(self) -> bool:
        """True when no list names anybody."""
        ...


@dataclass(frozen=True)
class Registries:
    """Several lists at once, most authoritative first: the first that vouches answers."""

    lists: tuple[TrustRegistry, ...] = ()

    def vouch(self, issuer_id: str) -> Vouch | None:
        """The first list's answer for ``issuer_id``."""
        for registry in self.lists:
            found = registry.vouch(issuer_id)
            if found is not None:
                return found
        return None

    def vouch_domain(self, domain: str, *, by: str = "linked domain") -> Vouch | None:
        """The first list's answer for ``domain``."""
        for registry in self.lists:
            found = registry.vouch_domain(domain, by=by)
            if found is not None:
                return found
        return None

    def known_name_keys(self) -> set[str]:
        """The name keys of every issuer on every list."""
        return set().union(*(r.known_name_keys() for r in self.lists))

    @property
    def empty(self) -> bool:
        """True when no list names anybody."""
        return all(r.empty for r in self.lists)

    @property
    def names(self) -> list[str]:
        """The lists' names, in order."""
        return [r.name for r in self.lists]


# --------------------------------------------------------------------------- domain linkage


def domain_linked(issuer_id: str, origin: str, *, fetch: Fetch, resolve: ResolveKey,
                  now: datetime) -> bool:
    """True when the web ``origin`` declares ``issuer_id`` its own (DIF DID Configuration).

    Reads ``{origin}/.well-known/did-configuration.json`` and looks for
    a ``DomainLinkageCredential`` in JWT form (DIF Well Known DID Configuration
    §3, "JSON Web Token Proof Format") whose issuer, subject and ``iss``/``sub``
    are ``issuer_id``, whose ``origin`` is ``origin``, which is
    current at ``now``, and whose signature verifies with a key of
    ``issuer_id`` (resolved by ``resolve``). Linked DIDs in the JSON-LD proof
    format are not read (nothing is trusted that was not checked).

    Raises:
        badges.did.ResolutionError: when the resource cannot be read (the
            caller reports "could not be fully checked").
    """
    document = fetch(f"{origin}{_DID_CONFIGURATION}")
    linked = document.get("linked_dids")
    if not isinstance(linked, list):
        return False
    for token in linked[:MAX_LINKED_DIDS]:
        if isinstance(token, str) and _linkage_jwt_holds(token, issuer_id, origin,
                                                          resolve=resolve, now=now):
            return True
    return False


def _linkage_jwt_holds(token: str, issuer_id: str, origin: str, *, resolve: ResolveKey,
                       now: datetime) -> bool:
    try:
        decoded = decode_jwt(token, max_length=20_000, check_header=False)
    except BadgesError:
        return False
    payload, vc = decoded.payload, decoded.credential
    subject = vc.get("credentialSubject")
    types = vc.get("type")
    if not (isinstance(subject, dict) and isinstance(types, list)
            and "DomainLinkageCredential" in types):
        return False
    issuer = vc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not (payload.get("iss") == payload.get("sub") == issuer == subject.get("id") == issuer_id
            and subject.get("origin", "").rstrip("/") == origin):
        return False
    moment = now.timestamp()
    for claim, late in (("nbf", False), ("exp", True)):
        value = payload.get(claim)
        if isinstance(value, int | float) and ((moment > value) if late else (moment < value)):
            return False
    kid = decoded.header.get("kid")
    if not isinstance(kid, str) or did.split_fragment(kid)[0] != issuer_id:
        return False
    try:
        key = resolve(kid)
    except BadgesError:
        return False
    return verify_jwt_signature(decoded, key.public_key)


# --------------------------------------------------------------------------- the check


def check_trust(credential: Mapping[str, Any], issuer_id: str, *,
                registry: RegistryLike | None, fetch: Fetch | None, resolve: ResolveKey,
                now: datetime) -> CheckResult:
    """The ``issuer_trust`` check (see the module docstring).

    Args:
        credential: the credential whose proof passed.
        issuer_id: its issuer's id.
        registry: the lists of known issuers; None skips the check (a library
            caller that does not ask about trust; the verifier always passes
            one, perhaps empty).
        fetch: the verifier's fetcher (None offline) for domain linkage.
        resolve: resolves a DID's key, for domain-linkage credentials.
        now: the time of the verification.
    """
    if registry is None:
        return CheckResult("issuer_trust", Outcome.SKIPPED, "no_registry",
                           "No list of known issuers was consulted.")
    issuer = credential.get("issuer")
    claimed = issuer.get("name") if isinstance(issuer, Mapping) else None
    claimed_url = issuer.get("url") if isinstance(issuer, Mapping) else None
    signer = {"issuer": issuer_id, "domain": issuer_domain(issuer_id)}
    found = registry.vouch(issuer_id)
    if found is not None:
        return _known(found, issuer_id)
    web, origin = url_domain(claimed_url), url_origin(claimed_url)
    listed = registry.vouch_domain(web) if web else None
    if listed is not None and web is not None and origin is not None:
        if fetch is None:
            return CheckResult(
                "issuer_trust", Outcome.INDETERMINATE, "issuer_link_unchecked",
                f"The credential names the web address of {listed.name} ({web}), a known "
                "issuer; whether that address vouches for its signer could not be checked "
                "offline.", {**signer, "claimedDomain": web})
        try:
            linked = domain_linked(issuer_id, origin, fetch=fetch, resolve=resolve, now=now)
        except did.ResolutionError as exc:
            return CheckResult(
                "issuer_trust", Outcome.INDETERMINATE, "issuer_link_unchecked",
                f"The credential names the web address of {listed.name} ({web}), a known "
                f"issuer, but {web} could not be asked whether it vouches for {issuer_id}: "
                f"{exc.message}.", {**signer, "claimedDomain": web, "cause": exc.code})
        if linked:
            return _known(listed, issuer_id)
        return _impersonation(claimed if isinstance(claimed, str) else listed.name, signer,
                              f"the web address of {listed.name} ({web})")
    if isinstance(claimed, str) and claimed.strip() and \
            name_key(claimed) in registry.known_name_keys():
        return _impersonation(claimed, signer, f"the name {claimed.strip()!r}")
    who = issuer_id + (f" (on {signer['domain']})" if signer["domain"] else "")
    if registry.empty:
        message = (f"The signature is genuine, but this verifier has no list of known issuers, "
                   f"so it cannot say who signed it: {who}. Check that this is the "
                   "organization it claims to be.")
    else:
        message = (f"The signature is genuine, but the signer, {who}, is not on this "
                   "verifier's lists of known issuers. Check that it is the organization it "
                   "claims to be.")
    return CheckResult("issuer_trust", Outcome.WARNING, "unknown_issuer", message,
                       {**signer, "claimedName": claimed if isinstance(claimed, str) else None})


def _known(found: Vouch, issuer_id: str) -> CheckResult:
    how = {"id": "by its identifier", "domain": f"by its domain {found.domain}",
           "linked domain": f"by its web address {found.domain}, which names it"}[found.by]
    return CheckResult("issuer_trust", Outcome.PASSED, "known_issuer",
                       f"The issuer is known: {found.name} (vouched for by {found.registry}, "
                       f"{how}).",
                       {"issuer": issuer_id, "name": found.name, "registry": found.registry,
                        "by": found.by, "domain": found.domain})


def _impersonation(claimed: str, signer: Mapping[str, Any], what: str) -> CheckResult:
    who = str(signer["issuer"]) + (f" (on {signer['domain']})" if signer["domain"] else "")
    return CheckResult(
        "issuer_trust", Outcome.FAILED, "issuer_impersonation",
        f"The credential claims {what}, a known issuer, but was signed by {who}, which is not "
        "that issuer's known identity. Do not rely on it.",
        {**signer, "claimedName": claimed})
