"""The one network fetcher verification uses: bounded, HTTPS-only, SSRF-safe.

Every network read a verification needs (``did:web`` documents, issuer
controller documents, JWKs, status lists) goes through :class:`Fetcher`:

* HTTPS only; plain HTTP only to hosts the policy names (development: the
  service's own base URL and the allow-list), never to any other loopback or
  private address, whatever its spelling (``2130706433``, ``0x7f000001``,
  ``127.1``, ``[::ffff:127.0.0.1]``, 6to4 and NAT64 forms of private addresses);
  URLs carrying a user name or password are refused;
* the host name is resolved once, every address is checked, and the
  connection goes to the checked address (no DNS rebinding): private,
  loopback, link-local, multicast and reserved addresses are refused unless
  the host is on an explicit allow-list (tests, development, an intranet);
* redirects are followed by hand, at most three, each one checked again;
* a time limit per read *and* a deadline for the whole fetch (a watchdog
  closes the connection of a server that trickles bytes), a size cap on
  every body;
* successful documents are cached for a short time (``Cache-Control:
  max-age`` within bounds, or a default) in a cache bounded by bytes, in
  total and per document; expired entries are dropped, not kept until evicted.

A verification draws on a :class:`Budget`: at most so many network fetches,
all within one deadline, so no single credential can make the verifier work
for long or fetch without end.

:meth:`Fetcher.fetch_bytes` is the same road for what a person hands over as
a link (a share page, a credential URL, a QR code's text): content negotiation
through ``Accept``, any content type, its own size cap, never cached.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urljoin
from urllib.parse import urlsplit

from badges.did import ResolutionError
from badges.did import did_web_url
from badges.verify import envelope_jwt

_ONLY_HTTPS = "only https:// URLs are fetched"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
ACCEPT = "application/did+ld+json, application/ld+json, application/json;q=0.9, */*;q=0.1"
#: Hosts ``badges verify --dev`` may reach over plain HTTP: this machine, by name.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass
class FetchPolicy:
    """What the fetcher may reach, and how much it may spend.

    Attributes:
        allow_hosts: host names (or ``host:port``) that may resolve to private
            or loopback addresses (tests, development, a district's intranet).
        allow_http: host names (or ``host:port``) that may be fetched over
            plain HTTP (development: the service's own base URL); such a host
            may also resolve to a private or loopback address.
        timeout: seconds per read (and to connect).
        total_timeout: seconds for a whole fetch, redirects included.
        max_bytes: largest JSON document accepted.
        max_redirects: redirects followed.
        cache_seconds: default cache lifetime; ``max-age`` is clamped to
            ``[0, max_cache_seconds]``.
        cache_max_bytes: the most bytes of documents the cache holds.
        cache_entry_max_bytes: a larger document is used but not cached.
    """

    allow_hosts: frozenset[str] = frozenset()
    allow_http: frozenset[str] = frozenset()
    timeout: float = 5.0
    total_timeout: float = 10.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 3
    cache_seconds: float = 300.0
    max_cache_seconds: float = 3600.0
    cache_max_bytes: int = 16 * 1024 * 1024
    cache_entry_max_bytes: int = 256 * 1024

    def names(self, allowed: frozenset[str], host: str, port: int) -> bool:
        """True when ``host`` (any port) or ``host:port`` is in ``allowed``."""
        host = host.lower()
        return host in allowed or f"{host}:{port}" in allowed \
            or f"[{host}]:{port}" in allowed


@dataclass
class Budget:
    """What one verification may still spend on the network.

    Attributes:
        fetches: network fetches left (cache hits are free).
        deadline: the ``time.monotonic()`` by which every fetch must end.
    """

    fetches: int
    deadline: float

    @classmethod
    def start(cls, *, fetches: int = 12, seconds: float = 20.0) -> Budget:
        """A fresh budget: ``fetches`` network fetches within ``seconds`` from now."""
        return cls(fetches, time.monotonic() + seconds)

    def spend(self, url: str) -> float:
        """Take one fetch; the seconds left for it.

        Raises:
            ResolutionError: ``fetch_budget_exceeded`` when no fetch or no time is left.
        """
        left = self.deadline - time.monotonic()
        if self.fetches <= 0 or left <= 0:
            raise ResolutionError(
                f"{url} was not fetched: this verification already used its network "
                "allowance (fetches or time)", code="fetch_budget_exceeded")
        self.fetches -= 1
        return left


@dataclass(frozen=True, slots=True)
class Fetched:
    """A raw response body from :meth:`Fetcher.fetch_bytes`.

    Attributes:
        url: the final URL, after redirects.
        content_type: the media type, lower case, without parameters.
        body: the body, at most the requested number of bytes.
    """

    url: str
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    size: int
    document: Mapping[str, Any]


class _Cache:
    """Fetched documents by URL, bounded in bytes (total and each), oldest use evicted first."""

    def __init__(self, max_bytes: int, entry_max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entry_max_bytes = entry_max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes of documents held now."""
        return self._bytes

    def get(self, url: str, now: float) -> Mapping[str, Any] | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            if entry.expires <= now:
                self._drop(url)
                return None
            self._entries.move_to_end(url)
            return entry.document

    def put(self, url: str, entry: _Entry, now: float) -> None:
        if entry.expires <= now or entry.size > self._entry_max_bytes:
            return
        with self._lock:
            if url in self._entries:
                self._drop(url)
            if self._bytes + entry.size > self._max_bytes:
                for old in [u for u, e in self._entries.items() if e.expires <= now]:
                    self._drop(old)
            while self._entries and self._bytes + entry.size > self._max_bytes:
                self._drop(next(iter(self._entries)))
            self._entries[url] = entry
            self._bytes += entry.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, url: str) -> None:
        self._bytes -= self._entries.pop(url).size


@dataclass
class Fetcher:
    """Fetches JSON documents for DIDs and URLs under a :class:`FetchPolicy`.

    Call it with a ``did:web`` DID or an ``https://`` URL (and, within a
    verification, its :class:`Budget`); it returns the parsed JSON object or
    raises :class:`~badges.did.ResolutionError` with a stable code
    (``fetch_failed``, ``fetch_timeout``, ``fetch_budget_exceeded``,
    ``address_not_allowed``, ``scheme_not_allowed``, ``response_too_large``,
    ``not_json``).
    """

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    clock: Callable[[], float] = time.monotonic
    _cache: _Cache | None = field(default=None, repr=False)
    #: targets already turned into URLs (a did:web DID is parsed once, not per use)
    _urls: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self._cache is None:
            self._cache = _Cache(self.policy.cache_max_bytes, self.policy.cache_entry_max_bytes)

    @property
    def cache(self) -> _Cache:
        """The document cache (for its size, in tests and diagnostics)."""
        assert self._cache is not None
        return self._cache

    def __call__(self, target: str, budget: Budget | None = None) -> Mapping[str, Any]:
        """Fetch ``target`` (a did:web DID or an HTTPS URL) as a JSON object."""
        url = self._url_of(target)
        now = self.clock()
        cached = self.cache.get(url, now)
        if cached is not None:
            return cached
        seconds = self.policy.total_timeout if budget is None \
            else min(self.policy.total_timeout, budget.spend(url))
        document, max_age, size = self._get(url, time.monotonic() + seconds)
        self.cache.put(url, _Entry(now + max_age, size, document), now)
        return document

    def with_budget(self, budget: Budget) -> Callable[[str], Mapping[str, Any]]:
        """This fetcher as a one-argument function drawing on ``budget``."""
        return lambda target: self(target, budget)

    def clear(self) -> None:
        """Forget every cached document."""
        self.cache.clear()

    def _url_of(self, target: str) -> str:
        known = self._urls.get(target)
        if known is not None:
            return known
        url = self._parse_target(target)
        if len(self._urls) >= 4096:
            self._urls.clear()  # a bound, not a policy: parsing again is cheap enough
        self._urls[target] = url
        return url

    def _parse_target(self, target: str) -> str:
        url = did_web_url(target) if target.startswith("did:web:") else target.split("#", 1)[0]
        parts = urlsplit(url)
        try:
            port = parts.port or 443
        except ValueError:
            return url  # refused with a clear error when fetched
        if parts.scheme == "https" and self.policy.names(self.policy.allow_http,
                                                         parts.hostname or "", port):
            # development: a host the policy names is served over plain HTTP (did:web
            # and https:// names of it alike)
            return "http://" + url[len("https://"):]
        return url

    def fetch_bytes(self, url: str, *, accept: str, max_bytes: int | None = None,
                    budget: Budget | None = None) -> Fetched:
        """Fetch ``url`` as raw bytes (not cached), under the same policy.

        Args:
            url: an ``https://`` URL (``http://`` to hosts the policy names).
            accept: the ``Accept`` header (content negotiation).
            max_bytes: the largest body accepted (default: the policy's).
            budget: the verification's allowance, if any.

        Raises:
            ResolutionError: ``fetch_failed``, ``fetch_timeout``,
                ``fetch_budget_exceeded``, ``address_not_allowed``,
                ``scheme_not_allowed`` or ``response_too_large``.
        """
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        seconds = self.policy.total_timeout if budget is None \
            else min(self.policy.total_timeout, budget.spend(url))
        final, status, headers, body = self._follow(url.split("#", 1)[0], accept, limit,
                                                    time.monotonic() + seconds)
        if status != 200:
            raise HTTPStatusError(final, status)
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return Fetched(final, media, body)

    def _get(self, url: str, deadline: float) -> tuple[Mapping[str, Any], float, int]:
        url, status, headers, body = self._follow(url, ACCEPT, self.policy.max_bytes, deadline)
        if status != 200:
            raise HTTPStatusError(url, status)
        token = body.strip().decode("ascii", "replace")
        if _COMPACT_JWS.fullmatch(token):
            # A VC-JWT (a status list served in that form): enveloped as VCDM 2.0 §4.13
            # does, so callers keep getting a JSON object and verify the JWT inside it.
            return (envelope_jwt(token),
                    self._max_age(headers.get("cache-control", "")), len(body))
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise ResolutionError(f"{url} did not return JSON", code="not_json") from None
        if not isinstance(document, dict):
            raise ResolutionError(f"{url} did not return a JSON object", code="not_json")
        return document, self._max_age(headers.get("cache-control", "")), len(body)

    def _follow(self, url: str, accept: str, max_bytes: int,
                deadline: float) -> tuple[str, int, dict[str, str], bytes]:
        for _ in range(self.policy.max_redirects + 1):
            status, headers, body = self._request(url, accept, max_bytes, deadline)
            if status in (301, 302, 303, 307, 308) and headers.get("location"):
                url = urljoin(url, headers["location"])
                continue
            return url, status, headers, body
        raise ResolutionError(f"{url} redirected too many times", code="fetch_failed")

    def _max_age(self, cache_control: str) -> float:
        for part in cache_control.split(","):
            name, _, value = part.strip().partition("=")
            if name.lower() == "no-store":
                return 0.0
            if name.lower() == "max-age" and value.isdigit():
                return min(float(value), self.policy.max_cache_seconds)
        return self.policy.cache_seconds

    def _request(self, url: str, accept: str, max_bytes: int,
                 deadline: float) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http"):
            raise ResolutionError(_ONLY_HTTPS, code="scheme_not_allowed")
        host = parts.hostname
        if not host:
            raise ResolutionError(f"{url!r} has no host", code="fetch_failed")
        if parts.username is not None or parts.password is not None:
            raise ResolutionError("URLs with a user name or password are not fetched",
                                  code="address_not_allowed")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ResolutionError(f"{url!r} has an invalid port", code="fetch_failed") from None
        address = self._checked_address(host, port, parts.scheme)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timeout(url, self.policy.total_timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = _PinnedConnection(parts.scheme, host, port, address,
                                 min(self.policy.timeout, left))
        watchdog = threading.Timer(left, conn.abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.request("GET", path, headers={"Accept": accept, "User-Agent": "badges-verifier",
                                               "Host": parts.netloc.rsplit("@", 1)[-1]})
            response = conn.getresponse()
            try:  # a refused body is never read to the end: close it, or its socket leaks
                length = response.getheader("content-length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise ResolutionError(f"{url} is larger than {max_bytes} bytes",
                                          code="response_too_large")
                body = b"" if response.status in (301, 302, 303, 307, 308) \
                    else response.read(max_bytes + 1)
                if conn.aborted:
                    raise _timeout(url, self.policy.total_timeout)
                if len(body) > max_bytes:
                    raise ResolutionError(f"{url} is larger than {max_bytes} bytes",
                                          code="response_too_large")
                headers = {k.lower(): v for k, v in response.getheaders()}
                return response.status, headers, body
            finally:
                response.close()
        except (OSError, http.client.HTTPException, ssl.SSLError, ValueError) as exc:
            if conn.aborted:
                raise _timeout(url, self.policy.total_timeout) from None
            raise ResolutionError(f"could not fetch {url}: {exc}", code="fetch_failed") from None
        finally:
            watchdog.cancel()
            conn.close()

    def _checked_address(self, host: str, port: int, scheme: str) -> str:
        policy = self.policy
        over_http = policy.names(policy.allow_http, host, port)
        if scheme == "http" and not over_http:
            raise ResolutionError(
                f"http://{host} is plain HTTP, and this verifier fetches only HTTPS (plain HTTP "
                "to the service's own address is allowed in development: BADGES_ENV="
                "development, or 'badges verify --dev' for this machine)",
                code="scheme_not_allowed")
        allowed = over_http or policy.names(policy.allow_hosts, host, port)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise ResolutionError(f"host {host!r} does not resolve", code="fetch_failed") from None
        addresses = [str(info[4][0]) for info in infos]
        if not allowed:
            for address in addresses:
                if not is_public_address(address):
                    raise ResolutionError(
                        f"{host} resolves to a private or reserved address ({address}), which "
                        "this verifier does not fetch from (to allow it: "
                        f"BADGES_FETCH_ALLOW_HOSTS={host}, or 'badges verify --allow-host "
                        f"{host}')", code="address_not_allowed")
        return addresses[0]


class HTTPStatusError(ResolutionError):
    """A server answered with an HTTP status other than 200 (``fetch_failed``).

    The code stays ``fetch_failed`` for keys and status lists; the status is
    kept so that link intake can say what the server answered (a link its
    owner turned off answers 410, a mistyped one 404).

    Attributes:
        status: the HTTP status the server answered.
    """

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"{url} answered HTTP {status}", code="fetch_failed")
        self.status = status


def _timeout(url: str, seconds: float) -> ResolutionError:
    return ResolutionError(f"{url} took longer than {seconds:g} s to answer", code="fetch_timeout")


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64)
    are judged by the IPv4 address they lead to.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            return is_public_address(str(ip.sixtofour))
        elif ip.teredo is not None:
            return is_public_address(str(ip.teredo[1]))
        elif ip in _NAT64:
            return is_public_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


class _PinnedConnection:
    """An HTTP(S) connection to an already checked address, with the real host for TLS."""

    def __init__(self, scheme: str, host: str, port: int, address: str, timeout: float) -> None:
        self._conn: http.client.HTTPConnection
        if scheme == "https":
            context = ssl.create_default_context()
            self._conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            self._conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self._address = address
        self._host = host
        self._context = ssl.create_default_context() if scheme == "https" else None
        self._sock: socket.socket | None = None
        self.aborted = False

    def request(self, method: str, path: str, headers: Mapping[str, str]) -> None:
        sock = socket.create_connection((self._address, self._conn.port),
                                        timeout=self._conn.timeout)
        self._sock = sock
        if self.aborted:
            raise OSError("the fetch ran out of time")
        if self._context is not None:
            sock = self._context.wrap_socket(sock, server_hostname=self._host)
            self._sock = sock
        self._conn.sock = sock
        self._conn.request(method, path, headers=dict(headers))

    def getresponse(self) -> http.client.HTTPResponse:
        return self._conn.getresponse()

    def abort(self) -> None:
        """Cut the connection now (the fetch's deadline passed); blocked reads return."""
        self.aborted = True
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._conn.close()


def parse_allow_hosts(value: str | Iterable[str] | None) -> frozenset[str]:
    """Parse a comma-separated allow-list (from configuration), lower case."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(i.strip().lower() for i in items if i.strip())


def own_host(base_url: str) -> frozenset[str]:
    """``host:port`` of a service's base URL, as an allow-list entry (development)."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return frozenset()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return frozenset()
    host = parts.hostname.lower()
    return frozenset({f"[{host}]:{port}" if ":" in host else f"{host}:{port}"})
