"""Baked badges: a credential embedded in a PNG or SVG image (OB 3.0 §5.3).

Implements Open Badges 3.0 "Baked Badge" (OBS ``ob_v3p0/docformat.md``):

* **PNG** (§5.3.1): one ``iTXt`` chunk with keyword ``openbadgecredential``,
  compression flag 0, method 0, empty language tag and translated keyword,
  whose text is the credential JSON or its compact JWS. It is written right
  after ``IHDR``. Reading takes the first such chunk; a compressed one is
  refused (the chunk "MUST NOT" be compressed).
* **SVG** (§5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"``
  on the root and an ``<openbadges:credential>`` element directly after the
  ``<svg>`` start tag. A compact JWS goes in its ``verify`` attribute, JSON in
  its body inside ``<![CDATA[ ... ]]>``.

Everything is bounded and pure: input size is capped, image data is never
decompressed, and SVG is parsed with expat with every DTD feature that could
expand or fetch anything refused. Baking edits bytes in place, so the rest
of the image is preserved byte for byte.

Open Badges 2.0 baked badges (OB 2.0 "Baking": a PNG ``iTXt``/``tEXt`` chunk with
keyword ``openbadges``; an SVG ``<openbadges:assertion>`` element in namespace
``http://openbadges.org`` whose ``verify`` attribute holds a signature or a
hosted assertion's URL, or whose body holds the assertion JSON) are read by
:func:`unbake_ob2`, with the same bounds.

Error codes (:class:`~badges.errors.InputError`): ``unsupported_image``,
``malformed_image``, ``image_too_large``, ``image_too_complex`` (more chunks
or elements than :data:`MAX_PNG_CHUNKS`, :data:`MAX_PNG_TEXT_CHUNKS`,
:data:`MAX_SVG_ELEMENTS`, :data:`MAX_SVG_DEPTH` allow: work is bounded, not
only bytes), ``unsafe_image``, ``not_baked``, ``ob2_baked_badge``,
``invalid_credential_text``.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from dataclasses import field
from typing import Literal
from xml.parsers import expat

from badges.errors import InputError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Default cap on the size of an image to bake or unbake."""

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_KEYWORD = "openbadgecredential"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_MAX_CHUNK = 2**31 - 1
_OB3_ITXT_PREFIX = PNG_KEYWORD.encode("latin-1") + b"\x00"
# Keyword NUL, compression flag 0, method 0, empty language tag NUL, empty
# translated keyword NUL (PNG §11.3.4.5).
_OB3_ITXT_HEADER = _OB3_ITXT_PREFIX + b"\x00\x00\x00\x00"
_OB2_TEXT_PREFIX = b"openbadges\x00"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")

MAX_PNG_CHUNKS = 10_000
"""Most chunks a PNG may have: bytes alone do not bound the work (690,000 tiny
``tEXt`` chunks fit in 10 MB); real images have a few hundred at most
(``IDAT`` chunks are usually 8 KiB or more)."""
MAX_PNG_TEXT_CHUNKS = 1_000
"""Most text chunks (``tEXt``, ``zTXt``, ``iTXt``) a PNG may have."""
MAX_SVG_ELEMENTS = 100_000
"""Most elements an SVG may have (each costs a Python call while parsing)."""
MAX_SVG_DEPTH = 256
"""Deepest element nesting an SVG may have."""

_NS_SEP = " "
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_OB3_ELEMENT = OB3_NAMESPACE + _NS_SEP + "credential"
_OB2_ELEMENT = "http://openbadges.org" + _NS_SEP + "assertion"
_PREFIX = "openbadges"
_UTF8_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_SNIFF_BYTES = 64 * 1024
_SVG_ROOT_HINT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]")
# A start tag: name, then quoted values or other characters up to '>'.
_START_TAG = re.compile(rb"""<([^\s/>]+)(?:"[^"]*"|'[^']*'|[^'">])*>""")

_XML_WHITESPACE = " \t\n\r"
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def _fail(code: str, message: str) -> InputError:
    """Build an :class:`InputError` with ``code``."""
    return InputError(message, code=code)


# --------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------


def sniff_image(data: bytes) -> Literal["png", "svg"] | None:
    """Tell a PNG from an SVG by content (OB 3.0 §5.3: only these can be baked).

    PNG: the 8-byte PNG signature. SVG: ASCII-compatible (UTF-8) text that
    starts with ``<`` (after an optional BOM and whitespace) and has an
    ``<svg`` tag in its first 64 KB. This is a guess; the parsers validate.

    Args:
        data: The image bytes.

    Returns:
        ``"png"``, ``"svg"`` or ``None``.
    """
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    head = data[:_SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if head.startswith(b"<") and _SVG_ROOT_HINT.search(head):
        return "svg"
    return None


def bake(image: bytes, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Bake ``credential`` into a PNG or SVG image (OB 3.0 §5.3).

    Args:
        image: PNG or SVG bytes.
        credential: The credential JSON text or its compact JWS.
        max_bytes: Refuse images larger than this.

    Returns:
        The baked image bytes.

    Raises:
        InputError: ``unsupported_image`` if neither PNG nor SVG; see
            :func:`bake_png` and :func:`bake_svg` for the rest.
    """
    kind = sniff_image(image)
    if kind == "png":
        return bake_png(image, credential, max_bytes=max_bytes)
    if kind == "svg":
        return bake_svg(image, credential, max_bytes=max_bytes)
    raise _fail("unsupported_image", "only PNG and SVG images can be baked (OB 3.0 §5.3)")


def unbake(image: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Extract the credential text from a baked PNG or SVG (OB 3.0 §5.3).

    Args:
        image: PNG or SVG bytes.
        max_bytes: Refuse images larger than this.

    Returns:
        The credential text (JSON or compact JWS), without surrounding
        whitespace.

    Raises:
        InputError: ``unsupported_image``, ``malformed_image``,
            ``image_too_large``, ``image_too_complex``, ``unsafe_image``, ``not_baked`` or
            ``ob2_baked_badge`` (an Open Badges 2.0 baked badge).
    """
    kind = sniff_image(image)
    if kind == "png":
        return unbake_png(image, max_bytes=max_bytes)
    if kind == "svg":
        return unbake_svg(image, max_bytes=max_bytes)
    raise _fail("unsupported_image", "not a PNG or SVG image (OB 3.0 §5.3)")


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise _fail("image_too_large", f"image is {len(data)} bytes; the limit is {max_bytes}")


def _prepare_credential(credential: str) -> str:
    """Validate the text to bake; strip surrounding XML whitespace."""
    if not isinstance(credential, str):
        raise _fail("invalid_credential_text", "the credential to bake must be text")
    text = credential.strip(_XML_WHITESPACE)
    if not text:
        raise _fail("invalid_credential_text", "the credential to bake is empty")
    bad = _NOT_XML_CHAR.search(text)
    if bad:
        raise _fail(
            "invalid_credential_text",
            f"the credential contains U+{ord(bad.group()):04X}, which cannot be baked",
        )
    return text


def _extracted(text: str) -> str:
    """Strip an extracted credential; an empty one means "not baked"."""
    text = text.strip(_XML_WHITESPACE)
    if not text:
        raise _fail("not_baked", "the badge's credential element or chunk is empty")
    return text


# --------------------------------------------------------------------------
# PNG (OB 3.0 §5.3.1)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """One PNG chunk: its type, data, and byte span (length field to CRC)."""

    type: bytes
    data: bytes
    start: int
    end: int


def bake_png(png: bytes, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Bake ``credential`` into a PNG (OB 3.0 §5.3.1).

    Writes one uncompressed ``iTXt`` chunk (keyword ``openbadgecredential``)
    right after ``IHDR``, and drops any existing one, so re-baking replaces
    the credential. Every other chunk is copied byte for byte; bytes after
    ``IEND`` are dropped.

    Args:
        png: The PNG bytes.
        credential: The credential JSON text or compact JWS.
        max_bytes: Refuse PNGs larger than this.

    Returns:
        The baked PNG.

    Raises:
        InputError: ``unsupported_image`` (not a PNG), ``malformed_image``,
            ``image_too_large`` or ``invalid_credential_text``.
    """
    text = _prepare_credential(credential)
    chunks = _read_png(png, max_bytes)
    payload = _OB3_ITXT_HEADER + text.encode("utf-8")
    if len(payload) > _PNG_MAX_CHUNK:
        raise _fail("invalid_credential_text", "the credential is too large for a PNG chunk")
    out = [_PNG_SIGNATURE, png[chunks[0].start : chunks[0].end], _png_chunk(b"iTXt", payload)]
    out.extend(png[c.start : c.end] for c in chunks[1:] if not _is_ob3_itxt(c))
    return b"".join(out)


def unbake_png(png: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Extract the credential from a baked PNG (OB 3.0 §5.3.1).

    The whole file is checked (signature, chunk bounds, CRCs, ``IHDR``
    first, ``IEND`` present); the first ``iTXt`` chunk with keyword
    ``openbadgecredential`` wins.

    Args:
        png: The PNG bytes.
        max_bytes: Refuse PNGs larger than this.

    Returns:
        The credential text.

    Raises:
        InputError: ``unsupported_image``, ``malformed_image`` (including a
            compressed credential chunk), ``image_too_large``,
            ``image_too_complex``, ``not_baked`` or ``ob2_baked_badge``.
    """
    ob2 = False
    for chunk in _read_png(png, max_bytes):
        if _is_ob3_itxt(chunk):
            return _extracted(_itxt_text(chunk.data))
        if chunk.type in _PNG_TEXT_CHUNKS and chunk.data.startswith(_OB2_TEXT_PREFIX):
            ob2 = True
    if ob2:
        raise _fail(
            "ob2_baked_badge", "this is an Open Badges 2.0 baked badge (keyword 'openbadges')"
        )
    raise _fail("not_baked", "the PNG has no 'openbadgecredential' iTXt chunk")


def _png_chunk(ctype: bytes, data: bytes) -> bytes:
    """Serialize a chunk: length, type, data, CRC-32 of type and data."""
    crc = zlib.crc32(data, zlib.crc32(ctype))
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def _is_ob3_itxt(chunk: _Chunk) -> bool:
    return chunk.type == b"iTXt" and chunk.data.startswith(_OB3_ITXT_PREFIX)


def _itxt_text(data: bytes) -> str:
    """Text of an ``openbadgecredential`` iTXt chunk (PNG §11.3.4.5); refuses compression."""
    rest = data[len(_OB3_ITXT_PREFIX) :]
    if len(rest) < 2:
        raise _fail("malformed_image", "the credential iTXt chunk is truncated")
    if rest[0] != 0:
        raise _fail(
            "malformed_image",
            "the credential iTXt chunk is compressed; OB 3.0 §5.3.1 forbids compression",
        )
    _language, sep1, rest = rest[2:].partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not (sep1 and sep2):
        raise _fail("malformed_image", "the credential iTXt chunk is truncated")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("malformed_image", "the credential iTXt text is not UTF-8") from None


def _read_png(png: bytes, max_bytes: int) -> list[_Chunk]:
    """Split a PNG into chunks up to ``IEND``, checking structure and CRCs."""
    _check_size(png, max_bytes)
    if not png.startswith(_PNG_SIGNATURE):
        raise _fail("unsupported_image", "not a PNG (bad signature)")
    chunks: list[_Chunk] = []
    pos = len(_PNG_SIGNATURE)
    texts = 0
    while not chunks or chunks[-1].type != b"IEND":
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise _fail("image_too_complex",
                        f"the PNG has more than {MAX_PNG_CHUNKS:,} chunks; refused")
        chunk = _read_chunk(png, pos)
        _check_order(chunk, chunks)
        if chunk.type in _PNG_TEXT_CHUNKS:
            texts += 1
            if texts > MAX_PNG_TEXT_CHUNKS:
                raise _fail("image_too_complex",
                            f"the PNG has more than {MAX_PNG_TEXT_CHUNKS:,} text chunks; refused")
        chunks.append(chunk)
        pos = chunk.end
    if not any(c.type == b"IDAT" for c in chunks):
        raise _fail("malformed_image", "the PNG has no IDAT chunk")
    return chunks


def _read_chunk(png: bytes, pos: int) -> _Chunk:
    """Read and CRC-check the chunk at ``pos``."""
    if pos + 8 > len(png):
        raise _fail("malformed_image", "the PNG ends before its IEND chunk")
    length, ctype = struct.unpack_from(">I4s", png, pos)
    if length > _PNG_MAX_CHUNK or not ctype.isalpha():
        raise _fail("malformed_image", f"invalid PNG chunk header at offset {pos}")
    data_end = pos + 8 + length
    if data_end + 4 > len(png):
        raise _fail("malformed_image", f"PNG chunk {ctype!r} runs past the end of the file")
    data = png[pos + 8 : data_end]
    (crc,) = struct.unpack_from(">I", png, data_end)
    if zlib.crc32(data, zlib.crc32(ctype)) != crc:
        raise _fail("malformed_image", f"PNG chunk {ctype!r} at offset {pos} has a bad CRC")
    return _Chunk(ctype, data, pos, data_end + 4)


def _check_order(chunk: _Chunk, before: list[_Chunk]) -> None:
    """IHDR must come first, exactly once, with 13 bytes of data; IEND is empty."""
    if not before and chunk.type != b"IHDR":
        raise _fail("malformed_image", "the first PNG chunk is not IHDR")
    if chunk.type == b"IHDR" and (before or len(chunk.data) != 13):
        raise _fail("malformed_image", "the PNG IHDR chunk is misplaced or malformed")
    if chunk.type == b"IEND" and chunk.data:
        raise _fail("malformed_image", "the PNG IEND chunk is not empty")


# --------------------------------------------------------------------------
# SVG (OB 3.0 §5.3.2)
# --------------------------------------------------------------------------


@dataclass
class _SvgScan:
    """What a safe parse of an SVG found, with byte offsets into the input."""

    root: str = ""
    root_start: int = -1
    root_prefixes: dict[str, str] = field(default_factory=dict)
    credential_spans: list[tuple[int, int]] = field(default_factory=list)
    verify: str | None = None
    text: list[str] = field(default_factory=list)
    ob2: bool = False
    ob2_verify: str | None = None
    ob2_text: list[str] = field(default_factory=list)


class _SvgScanner:
    """Expat handlers that collect an :class:`_SvgScan` and refuse DTD tricks.

    A DOCTYPE with only an external identifier (as in the OB samples) is
    allowed: expat never fetches it. An internal subset, any entity or
    notation declaration, external entity reference or undefined entity
    reference is refused (no XXE, no billion laughs).
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scan = _SvgScan()
        self.parser = expat.ParserCreate(namespace_separator=_NS_SEP)
        self._open: tuple[int, int | None] | None = None
        self._depth = 0
        self._elements = 0
        self._nesting = 0
        self._ob2_depth = 0
        self._wire()

    def _wire(self) -> None:
        p = self.parser
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.XmlDeclHandler = self._xml_decl
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._refuse
        p.UnparsedEntityDeclHandler = self._refuse
        p.NotationDeclHandler = self._refuse
        p.ExternalEntityRefHandler = self._refuse
        p.SkippedEntityHandler = self._refuse
        p.StartNamespaceDeclHandler = self._namespace
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._chars

    def run(self) -> _SvgScan:
        try:
            self.parser.Parse(self.data, True)
        except expat.ExpatError as exc:
            raise _fail("malformed_image", f"the SVG is not well-formed XML: {exc}") from None
        return self.scan

    def _refuse(self, *_args: object) -> int:
        raise _fail("unsafe_image", "the SVG declares or references entities; refused for safety")

    def _xml_decl(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in _UTF8_ENCODINGS:
            raise _fail("unsupported_image", f"only UTF-8 SVG is supported, not {encoding}")

    def _doctype(self, _name: str, _sys: str | None, _pub: str | None, internal: int) -> None:
        if internal:
            self._refuse()

    def _namespace(self, prefix: str | None, uri: str) -> None:
        if self.scan.root_start < 0:
            self.scan.root_prefixes[prefix or ""] = uri

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self._elements += 1
        self._nesting += 1
        if self._elements > MAX_SVG_ELEMENTS or self._nesting > MAX_SVG_DEPTH:
            raise _fail("image_too_complex",
                        f"the SVG has more than {MAX_SVG_ELEMENTS:,} elements or nests them "
                        f"deeper than {MAX_SVG_DEPTH}; refused")
        index = self.parser.CurrentByteIndex
        if self.scan.root_start < 0:
            self.scan.root, self.scan.root_start = name, index
        if self._ob2_depth:
            self._ob2_depth += 1
        if self._open is not None:
            self._depth += 1
        elif name == _OB3_ELEMENT:
            tag = _start_tag(self.data, index)
            self._open = (index, tag.end() if tag.group().endswith(b"/>") else None)
            if not self.scan.credential_spans:
                self.scan.verify = attrs.get("verify")
        elif name == _OB2_ELEMENT and not self.scan.ob2:
            self.scan.ob2 = True
            self.scan.ob2_verify = attrs.get("verify")
            self._ob2_depth = 1

    def _end(self, _name: str) -> None:
        self._nesting -= 1
        if self._ob2_depth:
            self._ob2_depth -= 1
        if self._open is None:
            return
        if self._depth:
            self._depth -= 1
            return
        start, end = self._open
        if end is None:
            end = self.data.find(b">", self.parser.CurrentByteIndex) + 1
        self.scan.credential_spans.append((start, end))
        self._open = None

    def _chars(self, text: str) -> None:
        if self._open is not None and not self.scan.credential_spans:
            self.scan.text.append(text)
        if self._ob2_depth == 1:
            self.scan.ob2_text.append(text)


def _start_tag(data: bytes, index: int) -> re.Match[bytes]:
    """Match the start tag at byte ``index`` (after expat accepted it)."""
    tag = _START_TAG.match(data, index)
    if tag is None:
        raise _fail("malformed_image", f"cannot locate the SVG start tag at offset {index}")
    return tag


def _scan_svg(data: bytes, max_bytes: int) -> _SvgScan:
    """Parse ``data`` safely and check that its root is an ``svg`` element."""
    _check_size(data, max_bytes)
    if sniff_image(data) != "svg":
        raise _fail("unsupported_image", "not an SVG image")
    scan = _SvgScanner(data).run()
    namespace, _, local = scan.root.rpartition(_NS_SEP)
    if local != "svg" or namespace not in ("", _SVG_NAMESPACE):
        raise _fail("unsupported_image", "the XML root element is not <svg>")
    return scan


def bake_svg(svg: bytes | str, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Bake ``credential`` into an SVG (OB 3.0 §5.3.2).

    The SVG is parsed (safely) first; then, at the byte level, the
    ``xmlns:openbadges`` declaration is added to the root if missing, an
    ``<openbadges:credential>`` element is inserted right after the root
    start tag, and every existing one is removed. All other bytes are kept.
    A compact JWS goes in ``verify="..."``; other text (JSON) goes in CDATA.

    Args:
        svg: The SVG (UTF-8 bytes, or text).
        credential: The credential JSON text or compact JWS.
        max_bytes: Refuse SVGs larger than this.

    Returns:
        The baked SVG, UTF-8.

    Raises:
        InputError: ``unsupported_image`` (not SVG, not UTF-8, or the
            ``openbadges`` prefix already bound elsewhere on the root),
            ``malformed_image``, ``unsafe_image``, ``image_too_large`` or
            ``invalid_credential_text``.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else bytes(svg)
    text = _prepare_credential(credential)
    scan = _scan_svg(data, max_bytes)
    tag = _start_tag(data, scan.root_start)
    edits = [(start, end, b"") for start, end in scan.credential_spans]
    declared = scan.root_prefixes.get(_PREFIX)
    if declared is None:
        name_end = tag.end(1)
        edits.append((name_end, name_end, f' xmlns:{_PREFIX}="{OB3_NAMESPACE}"'.encode()))
    elif declared != OB3_NAMESPACE:
        raise _fail("unsupported_image", f"the SVG binds prefix '{_PREFIX}' to {declared}")
    element = _credential_element(text)
    if tag.group().endswith(b"/>"):
        closing = b"</" + tag.group(1) + b">"
        edits.append((tag.end() - 2, tag.end(), b">" + element + closing))
    else:
        edits.append((tag.end(), tag.end(), element))
    return _apply_edits(data, edits)


def unbake_svg(svg: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Extract the credential from a baked SVG (OB 3.0 §5.3.2).

    Matches the element by namespace ``https://purl.imsglobal.org/ob/v3p0``
    and local name ``credential`` (any prefix); the first one wins. Its
    ``verify`` attribute (JWS) is used if present and non-empty, else its
    text content (JSON).

    Args:
        svg: The SVG (UTF-8 bytes, or text).
        max_bytes: Refuse SVGs larger than this.

    Returns:
        The credential text.

    Raises:
        InputError: ``unsupported_image``, ``malformed_image``,
            ``unsafe_image``, ``image_too_large``, ``not_baked`` or
            ``ob2_baked_badge``.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else bytes(svg)
    scan = _scan_svg(data, max_bytes)
    if not scan.credential_spans:
        if scan.ob2:
            raise _fail("ob2_baked_badge", "this is an Open Badges 2.0 baked badge")
        raise _fail("not_baked", "the SVG has no <openbadges:credential> element")
    if scan.verify and scan.verify.strip(_XML_WHITESPACE):
        return _extracted(scan.verify)
    return _extracted("".join(scan.text))


def _credential_element(text: str) -> bytes:
    """The ``<openbadges:credential>`` element for ``text`` (OB 3.0 §5.3.2)."""
    tag = f"{_PREFIX}:credential"
    if _COMPACT_JWS.fullmatch(text):
        return f'<{tag} verify="{text}"></{tag}>'.encode()
    return f"<{tag}>{_cdata(text)}</{tag}>".encode()


def _cdata(text: str) -> str:
    """Wrap ``text`` in CDATA so that a parser returns it unchanged.

    ``]]>`` is split across two sections, and CR, which XML line-end
    normalization would turn into LF even inside CDATA, is written as the
    character reference ``&#13;`` between sections.
    """
    parts: list[str] = []
    for i, piece in enumerate(text.split("\r")):
        if i:
            parts.append("&#13;")
        if piece:
            parts.append("<![CDATA[" + piece.replace("]]>", "]]]]><![CDATA[>") + "]]>")
    return "".join(parts)


def _apply_edits(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace the non-overlapping byte spans ``[start, end)`` in ``data``."""
    out = bytearray()
    cursor = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        out += data[cursor:start]
        out += replacement
        cursor = end
    out += data[cursor:]
    return bytes(out)


# --------------------------------------------------------------------------
# Open Badges 2.0 baked badges (OB 2.0 "Baking")
# --------------------------------------------------------------------------


def unbake_ob2(image: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """The Open Badges 2.0 assertion baked into a PNG or SVG, or None.

    OB 2.0 "Baking" (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/
    baking/index.html): a PNG carries an ``iTXt`` chunk with keyword
    ``openbadges`` (``tEXt``, as OB 1.x wrote it, is read too) whose text is
    the assertion JSON, its compact JWS, or a hosted assertion's URL; an SVG
    carries ``<openbadges:assertion>`` (namespace ``http://openbadges.org``)
    whose ``verify`` attribute is a JWS or a URL, else whose body is the JSON.
    The same bounded reading as :func:`unbake`: nothing is decompressed, and a
    compressed chunk is refused. An image that also carries an OB 3.0
    credential is not an OB 2.0 badge here (OB 3.0 wins, as in :func:`unbake`).

    Args:
        image: PNG or SVG bytes.
        max_bytes: Refuse images larger than this.

    Returns:
        The assertion text (JSON, compact JWS or URL), or None when the image
        carries no OB 2.0 assertion.

    Raises:
        InputError: ``unsupported_image``, ``malformed_image`` (including a
            compressed ``openbadges`` chunk), ``image_too_large``,
            ``unsafe_image`` or ``not_baked`` (an empty assertion).
    """
    kind = sniff_image(image)
    if kind == "png":
        return _unbake_ob2_png(image, max_bytes)
    if kind == "svg":
        scan = _scan_svg(image, max_bytes)
        if scan.credential_spans or not scan.ob2:
            return None
        if scan.ob2_verify and scan.ob2_verify.strip(_XML_WHITESPACE):
            return _extracted(scan.ob2_verify)
        return _extracted("".join(scan.ob2_text))
    raise _fail("unsupported_image", "not a PNG or SVG image")


def _unbake_ob2_png(png: bytes, max_bytes: int) -> str | None:
    found: _Chunk | None = None
    for chunk in _read_png(png, max_bytes):
        if _is_ob3_itxt(chunk):
            return None
        if found is None and chunk.type in _PNG_TEXT_CHUNKS \
                and chunk.data.startswith(_OB2_TEXT_PREFIX):
            found = chunk
    if found is None:
        return None
    rest = found.data[len(_OB2_TEXT_PREFIX):]
    if found.type == b"zTXt" or (found.type == b"iTXt" and rest[:1] != b"\x00"):
        raise _fail("malformed_image", "the 'openbadges' chunk is compressed; it is not "
                    "decompressed, for safety")
    if found.type == b"tEXt":
        return _extracted(rest.decode("latin-1"))
    if len(rest) < 2:
        raise _fail("malformed_image", "the 'openbadges' iTXt chunk is truncated")
    _language, sep1, rest = rest[2:].partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not (sep1 and sep2):
        raise _fail("malformed_image", "the 'openbadges' iTXt chunk is truncated")
    try:
        return _extracted(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise _fail("malformed_image", "the 'openbadges' iTXt text is not UTF-8") from None
