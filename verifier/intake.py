"""What a hiring school hands over, turned into bytes the core can verify.

:func:`badges.intake.read_credential` reads JSON, JWTs, baked PNG/SVG images
(and PDF certificates). This module adds what needs the network or an image
decoder, none of which belongs in the pure core:

* a **link** (a share page or a credential URL), fetched through the
  SSRF-safe :class:`~verifier.fetch.Fetcher` with content negotiation: JSON or
  a JWT directly, or an HTML share page whose ``<link rel="alternate">`` (or
  download link) names the credential, followed once;
* a **QR code** photographed from a printed certificate, decoded with
  zxing-cpp; its text is a link (followed as above), a JWT or JSON.

Every image is bounded before it is decoded: a byte cap, and a pixel cap read
from the header alone, so a "decompression bomb" (a small file that declares
an enormous picture) is refused without being inflated.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from typing import Literal
from typing import Protocol
from urllib.parse import urljoin
from urllib.parse import urlsplit

from badges import baking
from badges.did import ResolutionError
from badges.errors import BadgesError
from badges.errors import InputError
from badges.intake import MAX_IMAGE_BYTES
from badges.intake import MAX_TEXT_BYTES
from verifier.fetch import Fetched
from verifier.fetch import HTTPStatusError

#: The largest picture a QR code is looked for in (width x height).
MAX_QR_PIXELS = 40_000_000
#: QR pictures are scaled down to this many pixels on the long side before decoding.
QR_DECODE_SIDE = 2000
#: The largest body fetched from a link (a baked image or PDF can be that large).
MAX_LINK_BYTES = MAX_IMAGE_BYTES
#: What a link is asked for, best first (content negotiation).
LINK_ACCEPT = ("application/vc+ld+json, application/vc+jwt, application/vc, "
               "application/ld+json;q=0.9, application/json;q=0.9, application/jwt;q=0.8, "
               "text/plain;q=0.5, image/png;q=0.3, image/svg+xml;q=0.3, application/pdf;q=0.3, "
               "text/html;q=0.2")

Source = Literal["paste", "upload", "url", "qr", "api"]

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ALTERNATE_TYPES = ("application/vc+ld+json", "application/vc+jwt", "application/vc",
                    "application/ld+json", "application/jwt", "application/json")
_RASTER_MAGIC = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


class IntakeError(InputError):
    """The input could not be turned into a credential, with a stable code."""


@dataclass(frozen=True, slots=True)
class Submission:
    """A credential's bytes and where they came from.

    Attributes:
        data: what the core reads (JSON, JWT, baked image, PDF).
        source: ``paste``, ``upload``, ``url``, ``qr`` or ``api``.
        url: the link that was fetched, when there was one.
        filename: the uploaded file's name, when there was one.
    """

    data: bytes
    source: Source
    url: str | None = None
    filename: str | None = None

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of exactly the bytes that were verified."""
        return hashlib.sha256(self.data).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``{source, sha256, bytes[, url][, filename]}``."""
        out: dict[str, Any] = {"source": self.source, "sha256": self.sha256,
                               "bytes": len(self.data)}
        if self.url:
            out["url"] = self.url
        if self.filename:
            out["filename"] = self.filename
        return out


def is_link(text: str) -> bool:
    """True when ``text`` is a single http(s) URL."""
    return bool(_URL.match(text.strip())) and len(text.strip()) <= 4096


class LinkFetcher(Protocol):
    """What link intake needs: :meth:`verifier.fetch.Fetcher.fetch_bytes` (or a gate before it)."""

    def fetch_bytes(self, url: str, *, accept: str, max_bytes: int | None = None) -> Fetched:
        """Fetch ``url`` as bytes with content negotiation."""
        ...


def from_text(text: str | bytes, *, fetcher: LinkFetcher | None,
              source: Source = "paste") -> Submission:
    """Pasted text: a credential (JSON or JWT) or a link to one.

    Raises:
        IntakeError: for a link that can't be fetched or holds no credential.
    """
    raw = (text.encode("utf-8") if isinstance(text, str) else text).strip()
    if len(raw) <= 4096 and raw[:8].lower().startswith((b"https://", b"http://")):
        candidate = raw.decode("utf-8", "replace")
        if is_link(candidate):
            return from_link(candidate, fetcher=fetcher)
    return Submission(raw, source)


def from_upload(data: bytes, *, filename: str | None, fetcher: LinkFetcher | None,
                qr: bool = False) -> Submission:
    """An uploaded file: a credential file, a baked badge, a PDF, or a QR code picture.

    A PNG without a baked credential, and any JPEG, GIF or BMP, is searched
    for a QR code. With ``qr`` the file is taken as a QR code picture only.

    Raises:
        IntakeError: when a picture holds neither a credential nor a QR code.
    """
    name = (filename or "").rsplit("/", 1)[-1][:200] or None
    if qr or data.startswith(_RASTER_MAGIC) or _is_webp(data):
        return from_qr_image(data, fetcher=fetcher, filename=name)
    if baking.sniff_image(data) == "png":
        try:
            baking.unbake(data)
        except InputError as exc:
            if exc.code != "not_baked":  # the core reports a malformed badge itself
                return Submission(data, "upload", filename=name)
            try:
                return from_qr_image(data, fetcher=fetcher, filename=name)
            except IntakeError as qr_exc:
                if qr_exc.code != "no_qr_code":
                    raise
                raise IntakeError("the picture holds neither a baked credential nor a QR code",
                                  code="no_credential_in_image") from None
    return Submission(data, "upload", filename=name)


def image_type(data: bytes) -> str | None:
    """The media type of an image, judged by its bytes: PNG, JPEG, GIF, WebP or SVG, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if _is_webp(data):
        return "image/webp"
    if baking.sniff_image(data) == "svg":
        return "image/svg+xml"
    return None


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def decode_qr(data: bytes) -> str:
    """The text of the QR code in a picture (PNG, JPEG, GIF, BMP, WebP).

    Raises:
        IntakeError: ``input_too_large``, ``image_too_large`` (too many
            pixels: refused from the header, before decoding), ``image_unreadable``
            or ``no_qr_code``.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise IntakeError(f"the picture is larger than {MAX_IMAGE_BYTES} bytes",
                          code="input_too_large")
    from PIL import Image

    try:
        picture = Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "GIF", "BMP", "WEBP"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (a warning made an error under test settings)
        raise IntakeError("the picture declares too many pixels to be decoded",
                          code="image_too_large") from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        raise IntakeError("the picture could not be read (PNG, JPEG, GIF, BMP or WebP)",
                          code="image_unreadable") from None
    with picture:
        width, height = picture.size
        if width <= 0 or height <= 0 or width * height > MAX_QR_PIXELS:
            raise IntakeError(
                f"the picture declares {width} x {height} pixels; pictures of more than "
                f"{MAX_QR_PIXELS // 1_000_000} million pixels are not decoded",
                code="image_too_large")
        try:
            if picture.format == "JPEG":
                picture.draft("L", (QR_DECODE_SIDE, QR_DECODE_SIDE))
            gray = picture.convert("L")
            gray.thumbnail((QR_DECODE_SIDE, QR_DECODE_SIDE))
        except Exception:  # noqa: BLE001 - truncated or corrupt image data
            raise IntakeError("the picture could not be decoded", code="image_unreadable") \
                from None
    import zxingcpp

    qr_only = zxingcpp.barcode_formats_from_str("QRCode")
    found = [r for r in zxingcpp.read_barcodes(gray, formats=qr_only) if r.valid and r.text]
    if not found:
        raise IntakeError("no QR code was found in the picture", code="no_qr_code")
    return str(found[0].text)


def from_qr_image(data: bytes, *, fetcher: LinkFetcher | None,
                  filename: str | None = None) -> Submission:
    """A photographed QR code: its link is followed; a JWT or JSON in it is used directly.

    Raises:
        IntakeError: when there is no QR code or its text is not a credential.
    """
    text = decode_qr(data).strip()
    if is_link(text):
        return from_link(text, fetcher=fetcher, source="qr")
    if text.startswith("{") or text.count(".") == 2:
        return Submission(text.encode("utf-8"), "qr", filename=filename)
    raise IntakeError("the QR code holds neither a link nor a credential",
                      code="qr_not_credential")


class _Alternates(HTMLParser):
    """Collects credential links from a share page: alternates, then download links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alternates: list[str] = []
        self.downloads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        href = attr.get("href", "").strip()
        if not href:
            return
        rel = attr.get("rel", "").lower().split()
        media = attr.get("type", "").split(";", 1)[0].strip().lower()
        if tag == "link" and "alternate" in rel and media in _ALTERNATE_TYPES:
            self.alternates.append(href)
        elif tag == "a" and urlsplit(href).path.lower().endswith((".json", ".jwt")):
            self.downloads.append(href)


def credential_link(page: bytes, base: str) -> str | None:
    """The credential URL a share page names, or None."""
    parser = _Alternates()
    try:
        parser.feed(page[:MAX_TEXT_BYTES].decode("utf-8", "replace"))
        parser.close()
    except (ValueError, AssertionError):  # pragma: no cover - html.parser is lenient
        return None
    for href in parser.alternates + parser.downloads:
        target = urljoin(base, href)
        if urlsplit(target).scheme in ("https", "http"):
            return target
    return None


def from_link(url: str, *, fetcher: LinkFetcher | None, source: Source = "url") -> Submission:
    """Fetch a credential from a link, with content negotiation.

    Raises:
        IntakeError: ``offline``, ``address_not_allowed``, ``scheme_not_allowed``,
            ``fetch_failed`` (no answer), ``fetch_timeout``, ``link_gone`` (HTTP 410:
            its owner turned it off), ``link_not_found`` (404), ``link_http_error``
            (another status), ``response_too_large`` or ``link_not_credential``.
    """
    if fetcher is None:
        raise IntakeError("links are not followed offline", code="offline")
    target = url.strip()
    for _hop in range(2):
        try:
            fetched = fetcher.fetch_bytes(target, accept=LINK_ACCEPT, max_bytes=MAX_LINK_BYTES)
        except HTTPStatusError as exc:
            raise _answered(exc) from None
        except ResolutionError as exc:
            code = "input_too_large" if exc.code == "response_too_large" else exc.code
            raise IntakeError(f"the link could not be fetched: {exc.message}", code=code) \
                from None
        if fetched.content_type in ("text/html", "application/xhtml+xml"):
            link = credential_link(fetched.body, fetched.url)
            if link is None or _hop:
                break
            target = link
            continue
        return Submission(fetched.body, source, url=fetched.url)
    raise IntakeError("the link leads to a page that names no credential",
                      code="link_not_credential")


def _answered(exc: HTTPStatusError) -> IntakeError:
    """What a link's server answered instead of a credential, as a specific intake error."""
    if exc.status == 410:
        # a share link its owner turned off, or a hosted Open Badges 2.0 assertion its
        # issuer revoked: both answer 410 Gone
        return IntakeError("the link's owner turned it off, or its publisher withdrew it (the "
                           "server answered HTTP 410, gone)", code="link_gone")
    if exc.status == 404:
        return IntakeError("the server answered HTTP 404 (not found): there is no credential "
                           "at this link", code="link_not_found")
    return IntakeError(f"the server answered HTTP {exc.status} instead of a credential",
                       code="link_http_error")


def unreadable(exc: BadgesError) -> str:
    """One plain sentence for an input the verifier could not read."""
    return f"The input could not be read as a credential: {exc.message}."
