"""Badge art: uploaded PNG or SVG checked by content, and the one image every output uses.

An achievement's art is one :class:`Art`: an SVG rendition and a PNG
rendition of the same picture, with its alternative text.

* An uploaded **PNG** is checked by its bytes (signature, chunk CRCs, one
  ``IHDR``, dimensions, no animation, a decompressed size that matches its
  dimensions: no decompression bomb), decoded, and re-encoded as plain RGBA
  PNG (text chunks, a previously baked credential and other metadata are
  dropped). Its SVG rendition wraps exactly those PNG bytes in an ``<image>``.
* An uploaded **SVG** is parsed with :mod:`defusedxml` (no DTD, no entity, no
  external entity: no "billion laughs") and refused when it holds a script,
  an event handler (``on*``), ``foreignObject``, animation, an external
  reference (an ``href`` or CSS ``url()`` to anything but ``#fragment``, or
  a ``data:`` image other than PNG) or CSS ``@import``; the stored SVG is
  then rebuilt from an allow-list of elements and attributes, so what an
  editor adds (``metadata``, ``inkscape:*``) is dropped. Its PNG rendition is
  drawn by CairoSVG from the rebuilt SVG.
* With no upload, :func:`default_art` draws a medallion in the issuer's
  colour with the achievement's name, as SVG, and its PNG from that SVG.

OB 3.0 §5.3 (baking) puts the credential into one of these renditions; the
Achievement's ``image`` (OB 3.0 §B.1.1, ``Image``) names the PNG rendition.
:func:`png_of` turns any SVG rendition back into its PNG rendition, which is
how a test proves that a baked SVG and a baked PNG show the same picture.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import struct
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element  # noqa: S405 - only built here, never parsed
from xml.etree.ElementTree import ParseError  # noqa: S405 - the error type defusedxml raises

import defusedxml.ElementTree as safe_xml
from defusedxml import DTDForbidden
from defusedxml import EntitiesForbidden
from defusedxml import ExternalReferenceForbidden

from issuer.services.errors import ServiceError

#: The largest file accepted (either type).
MAX_UPLOAD_BYTES = 512 * 1024
#: Smallest and largest side of an uploaded PNG, in pixels (readable at 64 px).
MIN_PNG_SIDE = 64
MAX_PNG_SIDE = 2048
#: The most pixels an uploaded PNG may have (its decoded size is bounded by this).
MAX_PNG_PIXELS = 2048 * 2048
#: The largest PNG rendition kept (what a certificate may embed, a verifier page may show).
MAX_RENDITION_BYTES = 1024 * 1024
#: Width of the PNG drawn from an SVG (sharp on a printed certificate).
RENDER_WIDTH = 512
#: Limits on an SVG's structure.
MAX_SVG_ELEMENTS = 5000
MAX_SVG_DEPTH = 40
MAX_ALT = 300

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"

PALETTE = (("blue", "#1f5a96"), ("green", "#2e7d32"), ("purple", "#6a1b9a"),
           ("rust red", "#b23c17"), ("teal", "#00697c"), ("plum", "#8e244d"))


class BadgeArtError(ServiceError):
    """The uploaded image was refused (nothing was stored)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message, code="invalid_badge_art", status=status)


@dataclass(frozen=True)
class Art:
    """One badge picture in the two forms the outputs need.

    Attributes:
        svg: the SVG rendition (UTF-8), with the alternative text as its title.
        png: the PNG rendition.
        alt: the alternative text.
        source: ``image/png`` or ``image/svg+xml`` for an upload, ``generated``
            for the default.
    """

    svg: bytes
    png: bytes
    alt: str
    source: str

    @property
    def digest(self) -> str:
        """SHA-256 of the PNG rendition: equal for every output showing this art."""
        return hashlib.sha256(self.png).hexdigest()


def media_type_of(data: bytes) -> str:
    """``image/png`` or ``image/svg+xml`` from the bytes themselves (never the file name).

    Raises:
        BadgeArtError: empty, too large, or neither a PNG nor an SVG.
    """
    if not data:
        raise BadgeArtError("the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadgeArtError(f"the file is {len(data):,} bytes; badge art may be at most "
                            f"{MAX_UPLOAD_BYTES // 1024} KiB", status=413)
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")) and b"<svg" in data[:8192]:
        return "image/svg+xml"
    raise BadgeArtError("the file is neither a PNG nor an SVG image (checked by its content, "
                        "not its name)")


# -- PNG ------------------------------------------------------------------------------------

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BadgeArtError("the file does not start with the PNG signature")
    chunks: list[tuple[bytes, bytes]] = []
    at = len(PNG_SIGNATURE)
    while at < len(data):
        if at + 12 > len(data):
            raise BadgeArtError("the PNG is cut short")
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        if len(body) != length or at + 12 + length > len(data):
            raise BadgeArtError("the PNG is cut short")
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise BadgeArtError(f"the PNG's {kind.decode('latin-1')!r} chunk is damaged "
                                "(CRC mismatch)")
        chunks.append((kind, body))
        at += 12 + length
        if kind == b"IEND":
            break
        if len(chunks) > 10_000:
            raise BadgeArtError("the PNG has too many chunks")
    if not chunks or chunks[-1][0] != b"IEND":
        raise BadgeArtError("the PNG has no end (IEND) chunk")
    return chunks


def check_png(data: bytes, *, min_side: int = MIN_PNG_SIDE) -> tuple[int, int]:
    """Check a PNG by its bytes without decoding it; its width and height.

    ``min_side`` is lowered for a picture embedded in an SVG (an icon may be small).

    Raises:
        BadgeArtError: not a PNG, damaged, animated, too small or too large,
            or image data that inflates to more than its dimensions need
            (a decompression bomb).
    """
    chunks = _png_chunks(data)
    kind, header = chunks[0]
    if kind != b"IHDR" or len(header) != 13:
        raise BadgeArtError("the PNG does not start with its header (IHDR) chunk")
    width, height, depth, colour, compression, filtering, interlace = \
        struct.unpack(">IIBBBBB", header)
    if colour not in _CHANNELS or depth not in _DEPTHS[colour] or compression or filtering \
            or interlace > 1:
        raise BadgeArtError("the PNG header is not valid")
    if any(k == b"acTL" for k, _ in chunks):
        raise BadgeArtError("animated PNGs are not accepted: badge art is one still image")
    if sum(1 for k, _ in chunks if k == b"IHDR") != 1:
        raise BadgeArtError("the PNG has more than one header")
    if not (min_side <= width <= MAX_PNG_SIDE and min_side <= height <= MAX_PNG_SIDE):
        raise BadgeArtError(f"the PNG is {width}×{height} pixels; each side must be from "
                            f"{min_side} to {MAX_PNG_SIDE} pixels")
    if width * height > MAX_PNG_PIXELS:
        raise BadgeArtError("the PNG has too many pixels")
    # what the image data must inflate to (non-interlaced; Adam7 is a little larger)
    row = 1 + -(-width * depth * _CHANNELS[colour] // 8)
    expected = row * height
    limit = expected * 2 if interlace else expected
    inflater = zlib.decompressobj()
    inflated = 0
    try:
        for k, body in chunks:
            if k != b"IDAT":
                continue
            inflated += len(inflater.decompress(body, limit + 1 - inflated))
            if inflated > limit or inflater.unconsumed_tail:
                raise BadgeArtError("the PNG's image data inflates to more than its "
                                    "dimensions need (a decompression bomb?)")
    except zlib.error:
        raise BadgeArtError("the PNG's image data is damaged") from None
    if inflated == 0:
        raise BadgeArtError("the PNG has no image data")
    if not interlace and inflated != expected:
        raise BadgeArtError("the PNG's image data does not match its dimensions")
    return width, height


def clean_png(data: bytes) -> bytes:
    """The uploaded PNG checked (:func:`check_png`), decoded and re-encoded as RGBA.

    Only pixels survive: text chunks, colour profiles, a baked credential or
    anything else in the upload is not carried over.

    Raises:
        BadgeArtError: see :func:`check_png`, or pixels that do not decode.
    """
    from PIL import Image

    check_png(data)
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            pixels = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise BadgeArtError("the PNG's pixels could not be decoded") from None
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


# -- SVG ------------------------------------------------------------------------------------

_ELEMENTS = frozenset((
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient",
    "stop", "clipPath", "mask", "pattern", "use", "symbol", "image", "style", "marker",
    "filter", "feGaussianBlur", "feOffset", "feMerge", "feMergeNode", "feFlood",
    "feComposite", "feColorMatrix", "feBlend", "feDropShadow"))
#: Elements refused outright, with what to tell the uploader.
_REFUSED = {
    "script": "a script", "foreignObject": "a foreignObject (embedded HTML)",
    "animate": "animation", "animateTransform": "animation", "animateMotion": "animation",
    "set": "animation", "a": "a link", "iframe": "an iframe", "feImage": "an feImage",
    "handler": "a script", "listener": "an event listener", "audio": "audio",
    "video": "video", "embed": "embedded content", "object": "embedded content",
    "discard": "animation"}
_ATTRIBUTES = frozenset((
    "id", "class", "style", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "fx", "fy", "fr", "width", "height", "d", "points", "transform", "viewBox",
    "preserveAspectRatio", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-dasharray", "stroke-dashoffset", "opacity", "color", "display", "visibility",
    "font-family", "font-size", "font-weight", "font-style", "font-variant",
    "letter-spacing", "word-spacing", "text-anchor", "dominant-baseline",
    "alignment-baseline", "baseline-shift", "text-decoration", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "startOffset", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "clip-path", "clip-rule", "mask", "filter", "filterUnits",
    "primitiveUnits", "stdDeviation", "in", "in2", "result", "operator", "k1", "k2", "k3",
    "k4", "values", "type", "mode", "flood-color", "flood-opacity", "markerWidth",
    "markerHeight", "markerUnits", "refX", "refY", "orient", "marker-start", "marker-mid",
    "marker-end", "pathLength", "href", "role", "aria-label", "lang", "space",
    "vector-effect", "paint-order", "shape-rendering", "text-rendering",
    "image-rendering", "color-interpolation-filters", "mix-blend-mode", "isolation"))
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.:-]{0,200}")
_DATA_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)", re.IGNORECASE)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _css_safe(text: str, where: str) -> str:
    """CSS from a ``style`` element or attribute, if it references nothing outside."""
    if "\\" in text:  # an escape could spell "url(" or "@import" in disguise
        raise BadgeArtError(f"the SVG's {where} uses CSS escapes (\\), which badge art "
                            "may not")
    plain = text
    lowered = plain.lower()
    if "@import" in lowered:
        raise BadgeArtError(f"the SVG's {where} imports CSS from elsewhere (@import)")
    if "@" in lowered:
        raise BadgeArtError(f"the SVG's {where} has a CSS at-rule (@font-face, @media...), "
                            "which badge art may not")
    if re.search(r"(image-set|image|src|cross-fade)\s*\(", lowered):
        raise BadgeArtError(f"the SVG's {where} loads an image through CSS")
    if "expression(" in lowered or "javascript:" in lowered or "-moz-binding" in lowered \
            or "behavior:" in lowered:
        raise BadgeArtError(f"the SVG's {where} holds script in its CSS")
    for match in _URL.finditer(plain):
        if not _FRAGMENT.fullmatch(match.group(2).strip()):
            raise BadgeArtError(f"the SVG's {where} refers to an external resource "
                                f"(url({match.group(2).strip()[:60]}))")
    if "url(" in lowered.replace(" ", "") and not _URL.search(plain):
        raise BadgeArtError(f"the SVG's {where} has a malformed url()")
    return text


def _href(value: str, element: str, counter: _Counter) -> str:
    value = value.strip()
    if _FRAGMENT.fullmatch(value):
        return value
    found = _DATA_PNG.fullmatch(value)
    if element == "image" and found:
        try:
            raw = base64.b64decode("".join(found.group(1).split()), validate=True)
        except ValueError:
            raise BadgeArtError("an image embedded in the SVG is not valid base64") from None
        width, height = check_png(raw, min_side=1)  # bounded as an upload is
        counter.pixels += width * height
        if counter.pixels > MAX_PNG_PIXELS:
            raise BadgeArtError("the images embedded in the SVG have too many pixels in all")
        return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")
    shown = value[:60] + ("…" if len(value) > 60 else "")
    raise BadgeArtError(f"the SVG refers to an external resource ({shown!r}): only "
                        "references inside the file (#id) and embedded PNG images are allowed")


@dataclass
class _Counter:
    elements: int = 0
    pixels: int = 0


def _rebuild(source: Element, depth: int, counter: _Counter) -> Element | None:
    ns, name = _local(source.tag) if isinstance(source.tag, str) else ("", "")
    if ns != SVG_NS:
        return None  # editor metadata (sodipodi, inkscape, rdf...) and comments: dropped
    if name in _REFUSED:
        raise BadgeArtError(f"the SVG holds {_REFUSED[name]} (<{name}>), which badge art "
                            "may not contain")
    if name not in _ELEMENTS:
        return None
    counter.elements += 1
    if counter.elements > MAX_SVG_ELEMENTS:
        raise BadgeArtError(f"the SVG has more than {MAX_SVG_ELEMENTS:,} elements")
    if depth > MAX_SVG_DEPTH:
        raise BadgeArtError(f"the SVG nests elements more than {MAX_SVG_DEPTH} deep")
    attributes: dict[str, str] = {}
    for key, value in source.attrib.items():
        attr_ns, attr = _local(key)
        if attr.lower().startswith("on"):
            raise BadgeArtError(f"the SVG has an event handler ({attr}=…) on <{name}>: "
                                "scripts are not allowed")
        if attr == "href" and attr_ns in ("", XLINK_NS):
            attributes["href"] = _href(value, name, counter)
            continue
        if attr_ns == _XML_NS and attr in ("space", "lang"):
            attributes[attr] = value
            continue
        if attr_ns or attr not in _ATTRIBUTES:
            if "url(" in value.lower() or "javascript:" in value.lower():
                raise BadgeArtError(f"the SVG's {attr} attribute on <{name}> refers to "
                                    "something outside the file")
            continue
        attributes[attr] = _css_safe(value, f"{attr} attribute on <{name}>") \
            if attr == "style" or "url(" in value.lower() else value
    if name == "image" and "href" not in attributes:
        return None
    out = Element(name, attributes)
    text = source.text or ""
    if name == "style":
        out.text = _css_safe(text, "<style> element")
    elif name in ("text", "tspan", "textPath", "title", "desc"):
        out.text = source.text
    keeps_text = name in ("text", "tspan", "textPath")
    for child in source:
        rebuilt = _rebuild(child, depth + 1, counter)
        tail = child.tail if keeps_text else None
        if rebuilt is not None:
            rebuilt.tail = tail
            out.append(rebuilt)
        elif tail:  # the words after a dropped element stay in place
            if len(out):
                out[-1].tail = (out[-1].tail or "") + tail
            else:
                out.text = (out.text or "") + tail
    return out


#: The most elements an SVG may draw once every ``<use>`` is expanded.
MAX_DRAWN_ELEMENTS = 20_000


def _check_expansion(root: Element) -> None:
    """Refuse ``<use>`` cycles and "use bombs" (each level using the previous one many times).

    Raises:
        BadgeArtError: a reference to a missing id, a cycle, or more than
            :data:`MAX_DRAWN_ELEMENTS` elements once expanded.
    """
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(element: Element) -> int:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise BadgeArtError("the SVG's <use> elements refer to each other in a loop")
        visiting.add(key)
        total = 1 + sum(size(child) for child in element)
        href = element.get("href")
        if element.tag == "use" and href:
            target = ids.get(href[1:])
            if target is not None:
                total += size(target)
        visiting.discard(key)
        if total > MAX_DRAWN_ELEMENTS:
            raise BadgeArtError(f"the SVG draws more than {MAX_DRAWN_ELEMENTS:,} elements once "
                                "its <use> references are expanded")
        sizes[key] = total
        return total

    try:
        size(root)
    except RecursionError:
        raise BadgeArtError("the SVG's <use> references nest too deeply") from None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", value)
    return float(match.group(1)) if match else None


def clean_svg(data: bytes, alt: str) -> bytes:
    """The uploaded SVG checked and rebuilt from the allow-list, titled with ``alt``.

    Raises:
        BadgeArtError: not well-formed XML, a DTD or entity (billion laughs),
            not an SVG, no size, or any of the content the module docstring lists.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadgeArtError(f"the file is {len(data):,} bytes; badge art may be at most "
                            f"{MAX_UPLOAD_BYTES // 1024} KiB", status=413)
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except DTDForbidden:
        raise BadgeArtError("the SVG has a document type declaration (DTD); badge art may "
                            "not declare entities or load DTDs") from None
    except EntitiesForbidden:
        raise BadgeArtError("the SVG declares XML entities (a \"billion laughs\" attack?); "
                            "badge art may not") from None
    except ExternalReferenceForbidden:
        raise BadgeArtError("the SVG refers to an external entity") from None
    except (ParseError, ValueError) as exc:
        raise BadgeArtError(f"the SVG is not well-formed XML: {str(exc)[:120]}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BadgeArtError("the file is XML but not an SVG image (its root is not <svg> in "
                            "the SVG namespace)")
    rebuilt = _rebuild(root, 0, _Counter())
    assert rebuilt is not None  # noqa: S101 - the root is an <svg>
    _check_expansion(rebuilt)
    width, height = _number(rebuilt.get("width")), _number(rebuilt.get("height"))
    box = rebuilt.get("viewBox")
    if box is None:
        if not width or not height:
            raise BadgeArtError("the SVG has neither a viewBox nor a width and height in "
                                "pixels, so its size is unknown")
        box = f"0 0 {width:g} {height:g}"
    parts = box.replace(",", " ").split()
    try:
        box_w, box_h = float(parts[2]), float(parts[3])
    except (IndexError, ValueError):
        raise BadgeArtError(f"the SVG's viewBox {box[:40]!r} is not four numbers") from None
    if not (box_w > 0 and box_h > 0) or not 0.25 <= box_w / box_h <= 4:
        raise BadgeArtError("the SVG's viewBox must be roughly square (from 1:4 to 4:1)")
    attributes = {k: v for k, v in rebuilt.attrib.items()
                  if k not in ("width", "height", "viewBox", "role", "aria-label")}
    size = {"width": "256", "height": f"{256 * box_h / box_w:g}", "viewBox": box}
    titled = Element("svg", {**size, **attributes, "role": "img"})
    title = Element("title")
    title.text = alt
    titled.append(title)
    for child in rebuilt:
        if child.tag != "title":
            titled.append(child)
    return _serialize(titled)


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;") \
            .replace("\t", "&#9;")
    return text


def _write(element: Element, out: list[str], root: bool) -> None:
    attributes = "".join(
        f' {"xml:" + k if k in ("space", "lang") else k}="{_escape(v, True)}"'
        for k, v in element.attrib.items())
    if root:
        attributes = f' xmlns="{SVG_NS}"' + attributes
    out.append(f"<{element.tag}{attributes}")
    if element.text is None and not len(element):
        out.append("/>")
    else:
        out.append(">" + _escape(element.text or ""))
        for child in element:
            _write(child, out, False)
            out.append(_escape(child.tail or ""))
        out.append(f"</{element.tag}>")


def _serialize(root: Element) -> bytes:
    out: list[str] = []
    _write(root, out, True)
    return "".join(out).encode("utf-8")


# -- renditions -----------------------------------------------------------------------------

def _no_fetch(url: str, resource_type: str | None = None) -> bytes:
    """CairoSVG's only source of resources: the PNG images embedded in the SVG itself."""
    prefix = "data:image/png;base64,"
    if url.lower().startswith(prefix):
        return base64.b64decode(url[len(prefix):])
    raise BadgeArtError(f"badge art may not load {url[:60]!r}")


def render_png(svg: bytes) -> bytes:
    """The PNG rendition of a clean SVG, :data:`RENDER_WIDTH` pixels wide (CairoSVG).

    Raises:
        BadgeArtError: CairoSVG could not draw it.
    """
    from cairosvg.surface import PNGSurface

    try:
        png = PNGSurface.convert(bytestring=svg, output_width=RENDER_WIDTH,
                                 url_fetcher=_no_fetch, unsafe=False)
    except BadgeArtError:
        raise
    except Exception as exc:  # noqa: BLE001 - any drawing failure is a refusal
        raise BadgeArtError(f"the SVG could not be drawn: {type(exc).__name__}") from None
    if not isinstance(png, bytes):
        raise BadgeArtError("the SVG could not be drawn")
    return png


def wrap_png(png: bytes, alt: str) -> bytes:
    """The SVG rendition of PNG art: exactly those PNG bytes in one ``<image>``."""
    from PIL import Image

    with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
        width, height = image.size
    href = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{_escape(alt)}</title>'
            f'<image width="{width}" height="{height}" href="{href}"/></svg>').encode()


_WRAPPED = re.compile(rb'<svg xmlns="http://www.w3.org/2000/svg" width="\d+" height="\d+" '
                      rb'viewBox="0 0 \d+ \d+" role="img"><title>[^<]*</title><image '
                      rb'width="\d+" height="\d+" href="data:image/png;base64,'
                      rb'([A-Za-z0-9+/=]+)"/></svg>')


def png_of(svg: bytes) -> bytes:
    """The PNG rendition that goes with an SVG rendition (the wrapped PNG, or a drawing)."""
    wrapped = _WRAPPED.fullmatch(svg)
    if wrapped:
        return base64.b64decode(wrapped.group(1))
    return render_png(svg)


def from_upload(data: bytes, alt: str) -> Art:
    """Art from an uploaded file, checked by content.

    Raises:
        BadgeArtError: a refused file, or missing or over-long alternative text.
    """
    alt = check_alt(alt)
    if media_type_of(data) == "image/png":
        png = clean_png(data)
        art = Art(svg=wrap_png(png, alt), png=png, alt=alt, source="image/png")
    else:
        svg = clean_svg(data, alt)
        art = Art(svg=svg, png=render_png(svg), alt=alt, source="image/svg+xml")
    if len(art.png) > MAX_RENDITION_BYTES:
        raise BadgeArtError(f"the image is too detailed: as a plain PNG it takes "
                            f"{len(art.png):,} bytes, more than {MAX_RENDITION_BYTES // 1024} "
                            "KiB; export it smaller (512 pixels a side is plenty)")
    return art


def check_alt(alt: str | None) -> str:
    """Alternative text as stored: one line, 3 to :data:`MAX_ALT` characters.

    Raises:
        BadgeArtError: missing, too short or too long.
    """
    text = " ".join((alt or "").split())
    if len(text) < 3:
        raise BadgeArtError("describe the image in a few words (alternative text): people "
                            "using screen readers hear it in place of the picture")
    if len(text) > MAX_ALT:
        raise BadgeArtError(f"the alternative text is longer than {MAX_ALT} characters")
    return text


def colour_for(seed: str) -> tuple[str, str]:
    """The colour name and ``#rrggbb`` of the palette entry for ``seed`` (an issuer slug).

    Each colour has a contrast of at least 4.5:1 against white text.
    """
    return PALETTE[hashlib.sha256(seed.encode()).digest()[0] % len(PALETTE)]


@functools.lru_cache(maxsize=1024)
def default_alt(name: str, seed: str) -> str:
    """What the generated art shows, in words (see :mod:`issuer.badge_design`; cached).

    Every award of an achievement with the generated art names it as the image's
    caption; fitting the words measures them with the font, so it is kept.
    """
    from issuer import badge_design

    return badge_design.alt_text(name, seed)


def default_svg(name: str, seed: str) -> bytes:
    """The generated art as SVG: the medallion in the issuer's colour with the name's words."""
    from issuer import badge_design

    return badge_design.draw(name, seed)


@functools.lru_cache(maxsize=256)
def default_art(name: str, seed: str) -> Art:
    """The generated art for an achievement named ``name`` of issuer ``seed`` (cached)."""
    svg = default_svg(name, seed)
    return Art(svg=svg, png=render_png(svg), alt=default_alt(name, seed), source="generated")
