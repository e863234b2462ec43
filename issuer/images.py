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
    """The credential baked into its achievement's art (OB 3.0 §5.3): bytes and media type.

    Returns None for an extension other than ``png`` or ``svg``.

    Raises:
        ServiceError: the credential is revoked or suspended (see :func:`withheld`).
    """
    from issuer.services import artwork

    if ext not in ("png", "svg"):
        return None
    withheld(issued)
    art = artwork.art_for(None, issued.achievement, issued.achievement_version)
    if ext == "png":
        return baking.bake_png(art.png, issued.document), "image/png"
    return baking.bake_svg(art.svg, issued.document), "image/svg+xml"
