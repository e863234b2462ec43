"""WeasyPrint's URL fetcher for certificates: the template's own files, nothing else.

WeasyPrint fetches every stylesheet, image, font and attachment through one
fetcher object (WeasyPrint docs, "URL Fetchers"). The default one opens
``http:``, ``https:``, ``ftp:``, ``file:`` and ``data:`` URLs. This one opens:

* regular files inside the template's folder (symbolic links resolved, the
  result still inside; only the template file types; bounded size);
* the exact ``data:`` URLs the renderer made for this certificate (the badge
  artwork), registered by value.

Anything else stops the rendering at once with :class:`AssetRefused`, which
the renderer turns into a clear ``template_asset_refused`` error; no socket is
opened and no other file is read. Text an earner or administrator typed is
escaped before WeasyPrint sees it, so it can never become a URL to fetch;
this fetcher is the second wall, for templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib import request
from urllib.parse import unquote
from urllib.parse import urlsplit

from weasyprint.urls import FatalURLFetchingError
from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from issuer.certificates.templates import FILE_TYPES
from issuer.certificates.templates import MAX_FILE_BYTES


class AssetRefused(FatalURLFetchingError):  # type: ignore[misc]
    """WeasyPrint asked for something outside the template; rendering stops.

    Derives from WeasyPrint's ``FatalURLFetchingError`` (a ``BaseException``),
    which WeasyPrint lets through instead of logging and carrying on.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url[:200]}: {reason}")
        self.url = url
        self.reason = reason


class TemplateFetcher(URLFetcher):  # type: ignore[misc]
    """Serves one template folder and the renderer's own ``data:`` URLs.

    Args:
        root: the template folder.
        generated: ``data:`` URLs the renderer created for this document.
    """

    def __init__(self, root: Path, generated: Iterable[str] = ()) -> None:
        # Deliberately not URLFetcher.__init__: no urllib handler is installed,
        # so even a call that bypassed fetch() could open nothing.
        request.OpenerDirector.__init__(self)
        self._fail_on_errors = True
        self._timeout = 0
        self._http_headers: dict[str, str] = {}
        self._allowed_protocols = ("file", "data")
        self._request = None
        self.root = root.resolve()
        self.generated = frozenset(generated)
        self.served: list[str] = []

    def with_generated(self, generated: Iterable[str]) -> TemplateFetcher:
        """A fetcher for the same folder that also serves ``generated`` data: URLs."""
        return TemplateFetcher(self.root, generated)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the file or data: URL, or stop the rendering.

        Raises:
            AssetRefused: for every URL outside the template.
        """
        if url.startswith("data:"):
            if url not in self.generated:
                raise AssetRefused(url, "data: URLs are not allowed in a template; put the "
                                        "file in the template's folder")
            return self._data(url)
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise AssetRefused(url, "a certificate never fetches anything from the network")
        if parts.netloc not in ("", "localhost"):
            raise AssetRefused(url, "only files of the template itself may be used")
        try:
            path = Path(request.url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):
            raise AssetRefused(url, "not a readable file of the template") from None
        if path.parent != self.root:
            raise AssetRefused(url, "only files of the template itself may be used")
        kind = FILE_TYPES.get(path.suffix.lower())
        if kind is None or kind == "application/json":
            raise AssetRefused(url, "not a file type a template may use")
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                raise AssetRefused(url, "missing, or larger than a template file may be")
            body = path.read_bytes()
        except OSError:
            raise AssetRefused(url, "not a readable file of the template") from None
        self.served.append(path.name)
        return URLFetcherResponse(url, body, {"Content-Type": kind})

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        import base64

        header, _, payload = url.partition(",")
        media_type = header[len("data:"):].split(";", 1)[0] or "text/plain"
        body = base64.b64decode(payload) if header.endswith(";base64") \
            else unquote(payload).encode("utf-8")
        return URLFetcherResponse(url, body, {"Content-Type": media_type})
