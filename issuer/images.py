"""Default badge artwork: a simple, accessible SVG and PNG per achievement.

Districts upload their own artwork later; until then every achievement gets a
clean medallion in its organization's colour, generated without any image
library (the PNG is written directly with zlib).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from html import escape
from typing import TYPE_CHECKING

from badges import baking

if TYPE_CHECKING:
    from issuer.models import IssuedCredential

PALETTE = ((0x1F, 0x5A, 0x96), (0x2E, 0x7D, 0x32), (0x6A, 0x1B, 0x9A), (0xB2, 0x3C, 0x17),
           (0x00, 0x69, 0x7C), (0x8E, 0x24, 0x4D))


def colour_for(seed: str) -> tuple[int, int, int]:
    """A stable colour from the palette (contrast ≥ 4.5:1 against white text)."""
    return PALETTE[hashlib.sha256(seed.encode()).digest()[0] % len(PALETTE)]


def badge_svg(name: str, seed: str) -> bytes:
    """An SVG medallion with the achievement's name and a title for screen readers."""
    r, g, b = colour_for(seed)
    words = name.split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) > 14 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    lines = lines[:4]
    start = 128 - (len(lines) - 1) * 11
    text = "".join(
        f'<text x="128" y="{start + i * 22}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="18" font-weight="bold" fill="#fff">{escape(t)}</text>'
        for i, t in enumerate(lines))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" '
           f'viewBox="0 0 256 256" role="img" aria-labelledby="t"><title id="t">'
           f'{escape(name)} badge</title><circle cx="128" cy="128" r="120" '
           f'fill="rgb({r},{g},{b})"/><circle cx="128" cy="128" r="108" fill="none" '
           f'stroke="#fff" stroke-width="4"/>{text}</svg>')
    return svg.encode("utf-8")


def badge_png(seed: str, size: int = 128) -> bytes:
    """A PNG medallion (RGBA) in the achievement's colour."""
    r, g, b = colour_for(seed)
    centre, outer, ring_out, ring_in = size / 2, size / 2 - 2, size / 2 - 8, size / 2 - 12
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            d = ((x + 0.5 - centre) ** 2 + (y + 0.5 - centre) ** 2) ** 0.5
            if d > outer:
                rows += b"\x00\x00\x00\x00"
            elif ring_in < d < ring_out:
                rows += b"\xff\xff\xff\xff"
            else:
                rows += bytes((r, g, b, 255))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def withheld(issued: IssuedCredential) -> None:
    """Refuse the baked image of a revoked or suspended credential, saying since when.

    A baked badge (OB 3.0 §5.3) is what people post and print: offered for a
    withdrawn credential, it would look as valid as any other. The stored
    JSON or JWT stays available, since a verifier reading it sees the status
    (VC Bitstring Status List §3).

    Raises:
        ServiceError: ``image_withheld_revoked`` (410, revocation is final) or
            ``image_withheld_suspended`` (409, until the issuer lifts it).
    """
    from issuer.services.errors import ServiceError
    from verifier.i18n import format_day

    org = issued.organization.name
    if issued.revoked_at is not None:
        raise ServiceError(
            f"{org} revoked this credential on {format_day(issued.revoked_at, 'en')}, so its "
            "badge image is no longer offered; its share page and the verifier show its status",
            code="image_withheld_revoked", status=410)
    if issued.suspended_at is not None:
        raise ServiceError(
            f"{org} suspended this credential on {format_day(issued.suspended_at, 'en')} "
            "while it reviews it; its badge image is offered again if the suspension is lifted",
            code="image_withheld_suspended", status=409)


def baked_badge(issued: IssuedCredential, ext: str) -> tuple[bytes, str] | None:
    """The credential baked into its achievement's badge (OB 3.0 §5.3): bytes and media type.

    Returns None for an extension other than ``png`` or ``svg``.

    Raises:
        ServiceError: the credential is revoked or suspended (see :func:`withheld`).
    """
    if ext not in ("png", "svg"):
        return None
    withheld(issued)
    seed = issued.organization.slug + issued.achievement.slug
    if ext == "png":
        return baking.bake_png(badge_png(seed), issued.document), "image/png"
    if ext == "svg":
        return (baking.bake_svg(badge_svg(issued.achievement.name, seed), issued.document),
                "image/svg+xml")
    return None
