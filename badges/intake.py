"""Reading a credential from whatever a person hands over.

OB 3.0 §5.3 (Document Formats): a credential arrives as JSON (embedded
proof), as a compact JWS (VC-JWT), or baked into a PNG or SVG image; a PDF
certificate carries it as an embedded file (:mod:`badges.pdf`). Every input
is bounded before it is parsed: a size cap, a nesting cap, image parsing that
never decompresses anything, and PDF reading with capped inflation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal

from badges import baking
from badges import pdf
from badges.errors import BadgesError
from badges.errors import InputError
from badges.jwt import DecodedJwt
from badges.jwt import decode_jwt

#: Largest JSON or JWT text accepted.
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: Largest image (PNG/SVG) accepted.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: Deepest JSON nesting accepted.
MAX_JSON_DEPTH = 64

Source = Literal["json", "jwt", "png", "svg", "pdf"]


@dataclass(frozen=True, slots=True)
class Intake:
    """A credential read from an input.

    Attributes:
        credential: the credential JSON (for a JWT, the ``vc`` claim or the payload).
        format: ``json`` (embedded proof) or ``jwt``.
        source: where it came from: ``json``, ``jwt``, ``png``, ``svg`` or ``pdf``.
        jwt: the decoded token for a VC-JWT.
    """

    credential: dict[str, Any]
    format: Literal["json", "jwt"]
    source: Source
    jwt: DecodedJwt | None = None


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth(text: str) -> int:
    """The deepest bracket nesting of JSON text, without parsing it."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def parse_json(text: str | bytes, *, max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """Parse JSON text, bounded in size and depth.

    Raises:
        InputError: ``input_too_large``, ``json_too_deep`` or ``invalid_json``.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise InputError(f"input is larger than {max_bytes} bytes", code="input_too_large")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("input is not UTF-8 text", code="invalid_json") from None
    if len(text) > max_bytes:
        raise InputError(f"input is larger than {max_bytes} bytes", code="input_too_large")
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep",
                         code="json_too_deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"input is not valid JSON: {exc}", code="invalid_json") from None


def read_credential(data: bytes | str | Mapping[str, Any]) -> Intake:
    """Read a credential from JSON, a compact JWS, a baked PNG/SVG, or a PDF certificate.

    Args:
        data: a parsed JSON object, text, or raw bytes (file contents).

    Returns:
        The credential and how it was found.

    Raises:
        InputError: with a stable code saying what is wrong with the input.
    """
    if isinstance(data, Mapping):
        return _from_json_value(dict(data), "json")
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if pdf.is_pdf(raw):
        return _from_pdf(raw)
    kind = baking.sniff_image(raw)
    if kind is not None:
        if len(raw) > MAX_IMAGE_BYTES:
            raise InputError(f"image is larger than {MAX_IMAGE_BYTES} bytes",
                             code="input_too_large")
        text = baking.unbake(raw)
        return _from_text(text, kind)
    if len(raw) > MAX_TEXT_BYTES:
        raise InputError(f"input is larger than {MAX_TEXT_BYTES} bytes", code="input_too_large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("input is neither text nor a PNG or SVG image",
                         code="unreadable_input") from None
    return _from_text(text, None)


def _from_text(text: str, source: Source | None) -> Intake:
    stripped = text.strip()
    if not stripped:
        raise InputError("input is empty", code="unreadable_input")
    if stripped.startswith("{"):
        return _from_json_value(parse_json(stripped), source or "json")
    if stripped.startswith(("[", '"')):
        raise InputError("input is JSON but not a credential object", code="not_a_credential")
    try:
        decoded = decode_jwt(stripped, max_length=MAX_TEXT_BYTES, check_header=False)
    except BadgesError as exc:
        if stripped.count(".") == 2:
            raise
        raise InputError("input is not JSON, a JWT, or a PNG/SVG image",
                         code="unreadable_input") from exc
    return Intake(decoded.credential, "jwt", source or "jwt", decoded)


def _from_pdf(raw: bytes) -> Intake:
    """The credential embedded in a PDF certificate, if it is the one the PDF shows."""
    document = pdf.read_pdf(raw)
    attached = pdf.credential_file(document)
    try:
        text = attached.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the credential attached to the PDF is not UTF-8 text",
                         code="unreadable_input") from None
    intake = _from_text(text, "pdf")
    pdf.check_binding(document, intake.credential)
    return intake


def _from_json_value(value: Any, source: Source) -> Intake:
    if not isinstance(value, dict):
        raise InputError("input is JSON but not a credential object", code="not_a_credential")
    return Intake(value, "json", source)
