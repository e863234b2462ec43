"""The one network fetcher verification uses: bounded, HTTPS-only, SSRF-safe.

Every network read a verification needs (``did:web`` documents, issuer
controller documents, JWKs, status lists) goes through :class:`Fetcher`:

* HTTPS only; plain HTTP only for loopback hosts, and only when development
  mode allows it;
* the host name is resolved once, every address is checked, and the
  connection goes to the checked address (no DNS rebinding): private,
  loopback, link-local, multicast and reserved addresses are refused unless
  the host is on an explicit allow-list (tests, development);
* redirects are followed by hand, at most three, each one checked again;
* a time limit per request and a size cap on every body;
* successful documents are cached for a short time (``Cache-Control:
  max-age`` within bounds, or a default).

:meth:`Fetcher.fetch_bytes` is the same road for what a person hands over as
a link (a share page, a credential URL, a QR code's text): content negotiation
through ``Accept``, any content type, its own size cap, never cached.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urljoin
from urllib.parse import urlsplit

from badges.did import ResolutionError
from badges.did import did_web_url

_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
ACCEPT = "application/did+ld+json, application/ld+json, application/json;q=0.9, */*;q=0.1"


@dataclass
class FetchPolicy:
    """What the fetcher may reach.

    Attributes:
        allow_hosts: host names (or ``host:port``) that may resolve to private
            or loopback addresses (tests, a district's intranet verifier).
        allow_http_loopback: development mode: plain HTTP to loopback hosts.
        timeout: seconds per request (connect and each read).
        max_bytes: largest body accepted.
        max_redirects: redirects followed.
        cache_seconds: default cache lifetime; ``max-age`` is clamped to
            ``[0, max_cache_seconds]``.
    """

    allow_hosts: frozenset[str] = frozenset()
    allow_http_loopback: bool = False
    timeout: float = 5.0
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3
    cache_seconds: float = 300.0
    max_cache_seconds: float = 3600.0


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


@dataclass
class _Entry:
    expires: float
    document: Mapping[str, Any]


@dataclass
class Fetcher:
    """Fetches JSON documents for DIDs and URLs under a :class:`FetchPolicy`.

    Call it with a ``did:web`` DID or an ``https://`` URL; it returns the
    parsed JSON object or raises :class:`~badges.did.ResolutionError` with a
    stable code (``fetch_failed``, ``address_not_allowed``, ``scheme_not_allowed``,
    ``response_too_large``, ``not_json``).
    """

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    clock: Any = time.monotonic
    _cache: dict[str, _Entry] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, target: str) -> Mapping[str, Any]:
        """Fetch ``target`` (a did:web DID or an HTTPS URL) as a JSON object."""
        url = did_web_url(target) if target.startswith("did:web:") else target.split("#", 1)[0]
        if target.startswith("did:web:") and self.policy.allow_http_loopback \
                and urlsplit(url).hostname in _LOOPBACK_NAMES:
            url = "http://" + url[len("https://"):]  # development only
        now = self.clock()
        with self._lock:
            entry = self._cache.get(url)
            if entry is not None and entry.expires > now:
                return entry.document
        document, max_age = self._get(url)
        with self._lock:
            self._cache[url] = _Entry(now + max_age, document)
            if len(self._cache) > 4096:
                self._cache.pop(next(iter(self._cache)))
        return document

    def clear(self) -> None:
        """Forget every cached document."""
        with self._lock:
            self._cache.clear()

    def fetch_bytes(self, url: str, *, accept: str, max_bytes: int | None = None) -> Fetched:
        """Fetch ``url`` as raw bytes (not cached), under the same policy.

        Args:
            url: an ``https://`` URL (``http://`` to loopback in development).
            accept: the ``Accept`` header (content negotiation).
            max_bytes: the largest body accepted (default: the policy's).

        Raises:
            ResolutionError: ``fetch_failed``, ``address_not_allowed``,
                ``scheme_not_allowed`` or ``response_too_large``.
        """
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        final, status, headers, body = self._follow(url.split("#", 1)[0], accept, limit)
        if status != 200:
            raise ResolutionError(f"{final} answered HTTP {status}", code="fetch_failed")
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return Fetched(final, media, body)

    def _get(self, url: str) -> tuple[Mapping[str, Any], float]:
        url, status, headers, body = self._follow(url, ACCEPT, self.policy.max_bytes)
        if status != 200:
            raise ResolutionError(f"{url} answered HTTP {status}", code="fetch_failed")
        try:
            document = json.loads(body)
        except ValueError:
            raise ResolutionError(f"{url} did not return JSON", code="not_json") from None
        if not isinstance(document, dict):
            raise ResolutionError(f"{url} did not return a JSON object", code="not_json")
        return document, self._max_age(headers.get("cache-control", ""))

    def _follow(self, url: str, accept: str,
                max_bytes: int) -> tuple[str, int, dict[str, str], bytes]:
        for _ in range(self.policy.max_redirects + 1):
            status, headers, body = self._request(url, accept, max_bytes)
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

    def _request(self, url: str, accept: str,
                 max_bytes: int) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http"):
            raise ResolutionError("only HTTPS URLs are fetched", code="scheme_not_allowed")
        host = parts.hostname
        if not host:
            raise ResolutionError(f"{url!r} has no host", code="fetch_failed")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ResolutionError(f"{url!r} has an invalid port", code="fetch_failed") from None
        address = self._checked_address(host, port, parts.scheme)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = _PinnedConnection(parts.scheme, host, port, address, self.policy.timeout)
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
                if len(body) > max_bytes:
                    raise ResolutionError(f"{url} is larger than {max_bytes} bytes",
                                          code="response_too_large")
                headers = {k.lower(): v for k, v in response.getheaders()}
                return response.status, headers, body
            finally:
                response.close()
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise ResolutionError(f"could not fetch {url}: {exc}", code="fetch_failed") from None
        finally:
            conn.close()

    def _checked_address(self, host: str, port: int, scheme: str) -> str:
        allowed = host in self.policy.allow_hosts or f"{host}:{port}" in self.policy.allow_hosts
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise ResolutionError(f"host {host!r} does not resolve", code="fetch_failed") from None
        addresses = [str(info[4][0]) for info in infos]
        loopback = all(ipaddress.ip_address(a).is_loopback for a in addresses)
        if scheme == "http" and not (self.policy.allow_http_loopback and loopback):
            raise ResolutionError("only HTTPS URLs are fetched", code="scheme_not_allowed")
        if scheme not in ("https", "http"):
            raise ResolutionError("only HTTPS URLs are fetched", code="scheme_not_allowed")
        if not allowed and not (scheme == "http" and loopback):
            for address in addresses:
                if not is_public_address(address):
                    raise ResolutionError(
                        f"{host} resolves to a private or reserved address ({address}); "
                        "it is not fetched", code="address_not_allowed")
        return addresses[0]


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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
        self._scheme = scheme
        self._context = ssl.create_default_context() if scheme == "https" else None

    def request(self, method: str, path: str, headers: Mapping[str, str]) -> None:
        sock = socket.create_connection((self._address, self._conn.port),
                                        timeout=self._conn.timeout)
        if self._context is not None:
            sock = self._context.wrap_socket(sock, server_hostname=self._host)
        self._conn.sock = sock
        self._conn.request(method, path, headers=dict(headers))

    def getresponse(self) -> http.client.HTTPResponse:
        return self._conn.getresponse()

    def close(self) -> None:
        self._conn.close()


def parse_allow_hosts(value: str | Iterable[str] | None) -> frozenset[str]:
    """Parse a comma-separated allow-list (from configuration)."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(i.strip() for i in items if i.strip())
