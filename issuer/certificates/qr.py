"""The certificate's QR code: the credential's public verification URL as vector SVG.

ISO/IEC 18004:2015 (QR Code): error correction level Q (about 25% of the
symbol may be lost to a fold, a stain or a staple and it still reads) and the
four-module quiet zone of §9.1. The mask pattern is fixed (§7.8.2 lets an
encoder choose any of the eight): trying all eight to pick the best penalty
score is most of the encoding time, and any decoder reads any mask.

Two renditions: :func:`png`, one pixel per module, which the certificate uses
(WeasyPrint embeds a PNG as it is, while it parses an SVG path character by
character: 40 ms for one QR code), and :func:`svg`, one ``<path>`` of
horizontal runs, for pages and templates that want vector art. Printed at the
certificate's 27 mm a module is over 0.5 mm, far above what a phone needs.
"""

from __future__ import annotations

import struct
import zlib
from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

#: Modules of white space around the symbol (ISO/IEC 18004 §9.1).
QUIET_ZONE = 4
#: The mask pattern used for every symbol (ISO/IEC 18004 §7.8.2).
MASK_PATTERN = 2
#: Longest URL encoded (a share URL is about 80 characters).
MAX_URL_LENGTH = 512


def matrix(url: str) -> list[list[bool]]:
    """The QR symbol's modules for ``url`` (True is dark), without the quiet zone.

    Raises:
        ValueError: when the URL is empty or longer than :data:`MAX_URL_LENGTH`.
    """
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValueError(f"a QR code URL must be 1 to {MAX_URL_LENGTH} characters")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0,
                         mask_pattern=MASK_PATTERN)
    code.add_data(url.encode("utf-8"), optimize=0)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def svg(url: str, *, title: str, colour: str = "#000000") -> str:
    """An inline SVG QR code carrying ``url``, with a ``<title>`` for screen readers.

    Args:
        url: the text to encode (the credential's verification URL).
        title: the accessible name (PDF tags use it as the figure's alternate text).
        colour: the dark modules' colour; keep it dark enough for phones (default black).

    Returns:
        An ``<svg>`` element; its size is set by the stylesheet (``width``/``height``).
    """
    modules = matrix(url)
    size = len(modules) + 2 * QUIET_ZONE
    runs: list[str] = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" role="img" '
            f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
            f"<title>{escape(title)}</title>"
            f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
            f'<path fill="{escape(colour)}" d="{"".join(runs)}"/></svg>')


def png(url: str, *, dark: int = 0) -> bytes:
    """A QR code carrying ``url`` as an 8-bit grey PNG, one pixel per module.

    Drawn at print size with ``image-rendering: pixelated`` (no interpolation),
    it is as sharp as vector art, and WeasyPrint embeds it without decoding
    and re-encoding it (the PNG's own compressed data becomes the PDF stream).

    Args:
        url: the text to encode.
        dark: the grey level of dark modules (0 is black).
    """
    modules = matrix(url)
    size = len(modules) + 2 * QUIET_ZONE
    light_row = b"\x00" + b"\xff" * size
    rows = [light_row] * QUIET_ZONE
    margin = b"\xff" * QUIET_ZONE
    shade = bytes((dark,))
    for row in modules:
        rows.append(b"\x00" + margin + b"".join(shade if m else b"\xff" for m in row) + margin)
    rows += [light_row] * QUIET_ZONE

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
