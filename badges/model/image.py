"""OB 3.0 §B.1.13 Image, shown by profiles, achievements, subjects and credentials.

DIGEST §2.5: ``{id, type: "Image", caption?}``, never a bare URL string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from badges.model.common import _opt_text
from badges.model.common import _put
from badges.model.common import _text


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """An image (OB 3.0 §B.1.13).

    Serialized as ``{"id", "type": "Image", "caption"?}``: the JSON Schema pins
    ``type`` to the single string ``"Image"`` and allows no other properties.

    Attributes:
        id: the image URL or ``data:`` URI.
        caption: optional caption.
    """

    id: str
    caption: str | None = None

    def __post_init__(self) -> None:
        _text("Image.id", self.id)
        _opt_text("Image.caption", self.caption)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the image."""
        out: dict[str, Any] = {"id": self.id, "type": "Image"}
        _put(out, "caption", self.caption)
        return out
