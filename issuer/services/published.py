"""What this deployment publishes, read from its database for its own verifier.

Two things: the deployment's own documents (:class:`PublishedDocuments`) and
its own issuers as a list of known issuers (:class:`OwnIssuers`).

The verifier mounted in the district service checks the district's own
badges. Reading the district's DID documents and status lists back over HTTP
would go through the fetcher's cache (a revocation would stay unseen for up
to the list's ``ttl``) and through the public network (which a server often
cannot reach at its own public address). :class:`PublishedDocuments` answers
those URLs straight from the database instead, so a revocation, suspension or
key change made by any web or job process is seen by every process's
verifier on its next request. Other URLs are left to the network fetcher.

The answers are the very documents the public routes serve
(:func:`issuer.services.status.signed_list`,
:func:`issuer.services.signing_keys.did_document`,
:func:`issuer.services.status.entry_details`). A status list is re-read only
when its row says it changed (``version`` and ``etag``), so a busy verifier
pays one small query per list and keeps handing out the same parsed object,
whose signature check the verifier remembers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from badges.did import ResolutionError
from badges.did import did_web_url
from badges.trust import TrustRegistry
from badges.verify import envelope_jwt
from issuer.db import Database
from issuer.models import Organization
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.services import organizations
from issuer.services import signing_keys
from issuer.services import status
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from verifier.clock import Clock

_ROUTES = (
    ("did", re.compile(r"/issuers/(?P<slug>[^/]+)/did\.json")),
    ("list", re.compile(r"/issuers/(?P<slug>[^/]+)/status/(?P<purpose>[a-z]+)/(?P<n>\d{1,9})")),
    ("list_jwt", re.compile(
        r"/issuers/(?P<slug>[^/]+)/status/(?P<purpose>[a-z]+)/(?P<n>\d{1,9})\.jwt")),
    ("entry", re.compile(
        r"/issuers/(?P<slug>[^/]+)/status/(?P<purpose>[a-z]+)/(?P<n>\d{1,9})/(?P<i>\d{1,9})")),
)

_IMAGE = re.compile(r"/achievements/(?P<id>[0-9a-f-]{36})(/versions/(?P<version>[0-9]{1,8}))?"
                    r"/image\.(?P<ext>png|svg)")


@dataclass
class PublishedDocuments:
    """Answers this deployment's own DID documents and status lists from its database.

    Call it with a ``did:web`` DID or a URL: it returns the document when the
    target is one this deployment publishes, or None for anything else (the
    caller then fetches it as usual).

    Raises (from a call):
        ResolutionError: ``fetch_failed`` when the target is under this
            deployment's base URL but names nothing it publishes (what the
            public route answers with a 404), or the database cannot be read.
    """

    database: Database
    ctx: IssuerContext
    clock: Clock
    _lists: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.ctx.base_url)
        self._scheme = parts.scheme
        self._netloc = parts.netloc.lower()
        self._prefix = parts.path.rstrip("/")

    def __call__(self, target: str) -> Mapping[str, Any] | None:
        """The published document ``target`` names, or None when it is not ours."""
        path = self._own_path(target)
        if path is None:
            return None
        for kind, pattern in _ROUTES:
            match = pattern.fullmatch(path)
            if match is not None:
                try:
                    return self._read(kind, match.groupdict())
                except ServiceError as exc:
                    raise ResolutionError(f"{target} answered HTTP {exc.status}: {exc.message}",
                                          code="fetch_failed") from None
                except SQLAlchemyError as exc:
                    raise ResolutionError(f"the service's database could not be read: "
                                          f"{type(exc).__name__}", code="fetch_failed") from None
        return None

    def image(self, url: str) -> bytes | None:
        """The badge art ``url`` names (``…/achievements/<id>[/versions/<n>]/image.png|svg``).

        None for any other URL, or an achievement that does not exist.
        """
        path = self._own_path(url)
        match = _IMAGE.fullmatch(path) if path is not None else None
        if match is None:
            return None
        from issuer.models import Achievement
        from issuer.services import artwork

        try:
            with self.database.session() as session:
                found = session.get(Achievement, match.group("id"))
                if found is None:
                    return None
                version = match.group("version")
                art = artwork.art_for(session, found, int(version) if version else None)
        except SQLAlchemyError:
            return None
        return art.png if match.group("ext") == "png" else art.svg

    def _own_path(self, target: str) -> str | None:
        """The path under the base URL that ``target`` names, or None if it is not ours."""
        if target.startswith("did:web:"):
            try:
                url = did_web_url(target)
            except ResolutionError:
                return None
            parts = urlsplit(url)  # did:web is https; in development we serve plain http
        else:
            parts = urlsplit(target.split("#", 1)[0])
            if parts.scheme != self._scheme or parts.query:
                return None
        if parts.netloc.lower() != self._netloc or not parts.path.startswith(self._prefix + "/"):
            return None
        return parts.path[len(self._prefix):]

    def _read(self, kind: str, found: Mapping[str, str]) -> Mapping[str, Any]:
        with self.database.session() as session:
            org = organizations.get(session, found["slug"])
            if kind == "did":
                return signing_keys.did_document(session, org, self.ctx.base_url)
            if kind == "entry":
                return status.entry_details(session, self.ctx.base_url, org, found["purpose"],
                                            int(found["n"]), int(found["i"]))
            return self._list(session, org, found["purpose"], int(found["n"]),
                              jwt=kind == "list_jwt")

    def _list(self, session: Any, org: Organization, purpose: str, number: int, *,
              jwt: bool = False) -> Mapping[str, Any]:
        """A status list, signed; as a VC-JWT it comes enveloped, as the fetcher gives it."""
        url = status.list_url(self.ctx.base_url, org, purpose, number) + (".jwt" if jwt else "")
        try:
            kind = StatusPurpose(purpose)
        except ValueError:
            kind = None
        row = None if kind is None else session.execute(
            sa.select(StatusList.version, StatusList.signed_version, StatusList.etag,
                      StatusList.jwt_etag).where(
                StatusList.organization_id == org.id, StatusList.purpose == kind,
                StatusList.number == number)).one_or_none()
        with self._lock:
            known = self._lists.get(url)
        if row is not None and known is not None and row.signed_version >= row.version \
                and (row.jwt_etag if jwt else row.etag) == known[0]:
            return known[1]
        sl = status.get_list(session, org, purpose, number)
        parsed: Mapping[str, Any]
        if jwt:
            token, etag = status.signed_list_jwt(session, self.ctx, sl, self.clock())
            parsed = envelope_jwt(token)
        else:
            document, etag = status.signed_list(session, self.ctx, sl, self.clock())
            parsed = json.loads(document)
        with self._lock:
            self._lists[url] = (etag, parsed)
        return parsed


@dataclass
class OwnIssuers:
    """The deployment's own issuers (its districts and schools), as a list of known issuers.

    The district service's verifier knows its own issuers without any
    configuration, before any configured list (issue #14): a badge the
    district issued reads "verified", and a copy re-signed by a stranger under
    the district's name reads "impersonation". The list is read from the
    database and kept for ``ttl`` seconds, so an organization added by any
    process is known within that time.
    """

    database: Database
    base_url: str
    ttl: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _cached: tuple[float, TrustRegistry] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        """What the list is called in answers."""
        return f"this service's own issuers ({urlsplit(self.base_url).netloc})"

    def current(self) -> TrustRegistry:
        """The organizations' DIDs and names (empty if the database cannot be read)."""
        now = self.clock()
        cached = self._cached
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        with self._lock:
            try:
                with self.database.session() as session:
                    issuers = {organizations.issuer_did(self.base_url, org): org.name
                               for org in organizations.list_all(session)}
            except SQLAlchemyError:
                issuers = {} if cached is None else dict(cached[1].issuers)
            registry = TrustRegistry(issuers=issuers, name=self.name)
            self._cached = (now, registry)
        return registry
