"""Badge images of issued credentials: the achievement's art with the credential baked in.

The art itself (an upload or the generated default, and its alternative
text) comes from :mod:`issuer.services.artwork`, so the baked images show
the very picture the catalogue, wallet, share page and certificate show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from badges import baking
from issuer import badge_art

if TYPE_CHECKING:
    from issuer.models import IssuedCredential


def colour_for(seed: str) -> tuple[int, int, int]:
    """The issuer's colour as RGB (contrast ≥ 4.5:1 against white text)."""
    value = badge_art.colour_for(seed)[1]
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def baked_badge(issued: IssuedCredential, ext: str) -> tuple[bytes, str] | None:
    """The credential baked into its achievement's art (OB 3.0 §5.3): bytes and media type.

    Returns None for an extension other than ``png`` or ``svg``.
    """
    from issuer.services import artwork

    if ext not in ("png", "svg"):
        return None
    art = artwork.art_for(None, issued.achievement)
    if ext == "png":
        return baking.bake_png(art.png, issued.document), "image/png"
    return baking.bake_svg(art.svg, issued.document), "image/svg+xml"
