"""The registry of known issuers, loaded from a JSON or YAML file or an HTTPS URL.

A hiring school wants to know whether an issuer is real: the report says
"known issuer" (on this list), "unknown issuer" (a warning: genuine, but check
who it is) or, for a credential that borrows a known issuer's name under
another identity, "impersonation" (a failure). The list is configured per
deployment; the format is small and readable::

    # known-issuers.yaml
    name: Districts of the Lake Region
    issuers:
      - id: did:web:badges.lakeside.k12.example:issuers:lakeside
        name: Lakeside Unified School District
      - domain: springfield.k12.example      # every did:web and https id on it
        name: Springfield Public Schools
      - id: https://api.badgr.io/public/issuers/AbC123   # an Open Badges 2.0 issuer
        name: Shelbyville Teachers' Academy              # (its profile URL)

An Open Badges 2.0 issuer has no DID: it is known by its issuer Profile's URL,
so a list names it by that URL (``id``) or by its domain (``domain``), the
same way as an HTTPS issuer id. A platform that hosts many issuers under one
domain (``api.badgr.io``) should be listed per issuer URL, never by domain.

The Digital Credentials Consortium's issuer-registry form (``{"meta": {...},
"registry": {did: {"name": ..., "url": ..., "location": ...}}}``, or
``"entries"`` in its older files) is accepted too. A URL registry is fetched
through the SSRF-safe :class:`~verifier.fetch.Fetcher` (JSON only) and
refreshed after ``refresh_seconds``; when a refresh fails the last good list
stays in use.

Several registries may be used at once (:func:`open_registries`), most
authoritative first: the first that knows an issuer answers, and the answer
names it (its ``name``, the DCC file's ``meta.name``, or where it was read
from). The district service puts its own issuers first
(:class:`issuer.services.published.OwnIssuers`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from badges.did import ResolutionError
from badges.errors import BadgesError
from badges.intake import parse_json
from badges.trust import Registries
from badges.trust import TrustRegistry

log = logging.getLogger(__name__)

#: Most entries a registry may hold.
MAX_ENTRIES = 100_000
#: Largest registry file read.
MAX_REGISTRY_BYTES = 8 * 1024 * 1024


class RegistryError(BadgesError):
    """The registry could not be read or is malformed (code ``registry_invalid``)."""

    code = "registry_invalid"


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        raise RegistryError(f"{where}: every issuer needs a display name (1-300 characters)")
    return " ".join(value.split())


def _domain(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value or " " in value.strip():
        raise RegistryError(f"{where}: a domain is a host name such as district.k12.example")
    return value.strip().lower().rstrip(".")


def parse_registry(data: Any, *, default_name: str = "known issuers") -> TrustRegistry:
    """Build a :class:`~badges.trust.TrustRegistry` from parsed JSON/YAML.

    Accepts ``{"name": ..., "issuers": [{"id"|"domain": ..., "name": ...}, ...]}``
    or the DCC form ``{"meta": {"name": ...}, "registry": {issuer_id: {"name":
    ...}}}`` (``entries`` for ``registry`` in older DCC files).

    Args:
        data: the parsed document.
        default_name: the registry's name when the document gives none.

    Raises:
        RegistryError: when the data is not a registry.
    """
    if not isinstance(data, Mapping):
        raise RegistryError("a registry is an object with an 'issuers' list")
    issuers: dict[str, str] = {}
    domains: dict[str, str] = {}
    meta = data.get("meta")
    title = data.get("name") or (meta.get("name") if isinstance(meta, Mapping) else None)
    entries = data.get("issuers")
    dcc = data.get("registry") if data.get("registry") is not None else data.get("entries")
    if entries is None and isinstance(dcc, Mapping):
        entries = [{"id": k, "name": (v or {}).get("name") if isinstance(v, Mapping) else v}
                   for k, v in dcc.items()]
    if not isinstance(entries, list):
        raise RegistryError("a registry is an object with an 'issuers' list")
    if len(entries) > MAX_ENTRIES:
        raise RegistryError(f"a registry holds at most {MAX_ENTRIES} issuers")
    for number, entry in enumerate(entries, 1):
        where = f"issuer {number}"
        if not isinstance(entry, Mapping):
            raise RegistryError(f"{where}: each issuer is an object with an id or a domain")
        name = _name(entry.get("name"), where)
        if entry.get("id") is not None:
            ident = entry["id"]
            if not isinstance(ident, str) or ":" not in ident or len(ident) > 2000:
                raise RegistryError(f"{where}: the id must be a DID or a URL")
            issuers[ident.strip()] = name
        elif entry.get("domain") is not None:
            domains[_domain(entry["domain"], where)] = name
        else:
            raise RegistryError(f"{where}: each issuer needs an 'id' or a 'domain'")
    name = " ".join(title.split())[:200] if isinstance(title, str) and title.strip() \
        else default_name
    return TrustRegistry(issuers=issuers, domains=domains, name=name)


def _parse_text(raw: bytes, *, yaml_allowed: bool) -> Any:
    stripped = raw.lstrip()
    if stripped.startswith(b"{") or not yaml_allowed:
        try:
            return parse_json(raw, max_bytes=MAX_REGISTRY_BYTES)
        except BadgesError as exc:
            raise RegistryError(f"the registry is not valid JSON: {exc.message}") from None
    import yaml

    try:
        return yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RegistryError(f"the registry is not valid YAML: {exc}") from None


def load_registry_file(path: str | Path) -> TrustRegistry:
    """Read a registry from a ``.json``, ``.yaml`` or ``.yml`` file.

    Raises:
        RegistryError: when the file can't be read or is not a registry.
    """
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > MAX_REGISTRY_BYTES:
            raise RegistryError(f"{target} is larger than {MAX_REGISTRY_BYTES} bytes")
        raw = target.read_bytes()
    except OSError as exc:
        raise RegistryError(f"cannot read the registry {target}: {exc.strerror}") from None
    try:
        return parse_registry(_parse_text(raw, yaml_allowed=True),
                              default_name=f"the list {target.name}")
    except RegistryError as exc:
        raise RegistryError(f"{target}: {exc.message}") from None


FetchJson = Callable[[str], Mapping[str, Any]]


@dataclass
class RegistrySource:
    """A registry that stays current: a fixed one, or one fetched from a URL.

    Attributes:
        url: where the registry is fetched from (None for a fixed registry).
        fetch: the SSRF-safe JSON fetcher (for a URL registry).
        refresh_seconds: how long a fetched registry is used before refetching.
    """

    url: str | None = None
    fetch: FetchJson | None = None
    refresh_seconds: float = 3600.0
    clock: Callable[[], float] = time.monotonic
    _registry: TrustRegistry | None = None
    _loaded_at: float = field(default=float("-inf"))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def fixed(cls, registry: TrustRegistry) -> RegistrySource:
        """A registry that never changes (a file read at start-up)."""
        return cls(_registry=registry)

    def current(self) -> TrustRegistry | None:
        """The registry to judge issuers against now."""
        if self.url is None:
            return self._registry
        if self.clock() - self._loaded_at < self.refresh_seconds:
            return self._registry
        with self._lock:
            if self.clock() - self._loaded_at >= self.refresh_seconds:
                try:
                    self.refresh()
                except RegistryError as exc:
                    log.warning("keeping the previous issuer registry: %s", exc.message)
                    self._loaded_at = self.clock()
        return self._registry

    def refresh(self) -> TrustRegistry:
        """Fetch the URL registry now.

        Raises:
            RegistryError: when it can't be fetched or is malformed.
        """
        if self.url is None or self.fetch is None:
            raise RegistryError("this registry has no URL")
        try:
            document = self.fetch(self.url)
        except ResolutionError as exc:
            raise RegistryError(f"cannot fetch the registry {self.url}: {exc.message}") from None
        registry = parse_registry(json.loads(json.dumps(document)),
                                  default_name=f"the list at {self.url}")
        self._registry = registry
        self._loaded_at = self.clock()
        return registry


def open_registry(location: str | None, *, fetch: FetchJson | None) -> RegistrySource | None:
    """The configured registry: None, a file read now, or a URL fetched now and refreshed.

    Raises:
        RegistryError: when the registry can't be read (start-up stops).
    """
    if not location:
        return None
    if location.startswith(("https://", "http://")):
        if fetch is None:
            raise RegistryError("a registry URL needs network access (not --offline)")
        source = RegistrySource(url=location, fetch=fetch)
        source.refresh()
        return source
    return RegistrySource.fixed(load_registry_file(location))


@dataclass(frozen=True)
class RegistryChain:
    """Several sources of known issuers, most authoritative first, read together."""

    sources: tuple[Any, ...] = ()

    def current(self) -> Registries:
        """Every source's current list, in order (an empty chain knows nobody)."""
        lists: list[TrustRegistry] = []
        for source in self.sources:
            found = source.current() if hasattr(source, "current") else source
            if isinstance(found, TrustRegistry):
                lists.append(found)
        return Registries(tuple(lists))


def open_registries(locations: str | None, *, fetch: FetchJson | None,
                    first: tuple[Any, ...] = ()) -> RegistryChain:
    """Every configured registry (comma-separated files or URLs), after ``first``.

    Args:
        locations: ``BADGES_VERIFIER_REGISTRY``: files and ``https://`` URLs,
            comma-separated, most authoritative first; None or empty for none.
        fetch: the fetcher for URL registries.
        first: sources that go before them (the district's own issuers).

    Raises:
        RegistryError: when a registry can't be read (start-up stops).
    """
    opened = [open_registry(item.strip(), fetch=fetch)
              for item in (locations or "").split(",") if item.strip()]
    return RegistryChain((*first, *(o for o in opened if o is not None)))
