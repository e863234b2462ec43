"""Recognising Open Badges 2.0 input, and reading its documents.

OB 2.0 "Assertion", "BadgeClass", "Profile", "VerificationObject",
"IdentityObject", "CryptographicKey" and "RevocationList" (the data model of
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).
Input is an OB 2.0 assertion when its ``@context`` is the OB 2.0 context or
its ``type`` is ``Assertion``; it may arrive as JSON, as a compact JWS whose
payload is the assertion (a signed badge), or baked in a PNG or SVG (as any of
those, or as the hosted assertion's URL).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal

from badges import baking
from badges.errors import InputError
from badges.intake import MAX_IMAGE_BYTES
from badges.intake import MAX_TEXT_BYTES
from badges.intake import parse_json

#: The OB 2.0 JSON-LD context (OB 2.0 "JSON-LD Context").
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
#: Older spellings of the same context that issuers still publish.
OB2_CONTEXTS = frozenset({OB2_CONTEXT, "https://w3id.org/openbadges/v2/",
                          "https://openbadgespec.org/v2/context.json",
                          "https://w3id.org/openbadges/v2/context.json"})

Source = Literal["json", "jws", "png", "svg", "url"]


@dataclass(frozen=True, slots=True)
class Ob2Input:
    """An Open Badges 2.0 assertion as it was handed over.

    Attributes:
        source: ``json``, ``jws`` (a signed assertion), ``png`` or ``svg`` (baked).
        assertion: the assertion JSON, when it came as JSON or as a JWS payload.
        jws: the compact JWS of a signed assertion.
        url: the hosted assertion's URL, when a baked badge carries only that.
    """

    source: Source
    assertion: dict[str, Any] | None = None
    jws: str | None = None
    url: str | None = None


def types(value: Any) -> list[str]:
    """The ``type`` values of a node (a string or an array of strings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def node_id(value: Any) -> str | None:
    """The IRI a property names: itself when a string, else its object's ``id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def has_ob2_context(document: Mapping[str, Any]) -> bool:
    """True when ``@context`` is (or lists) the OB 2.0 context."""
    context = document.get("@context")
    listed = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and c in OB2_CONTEXTS for c in listed)


def is_assertion(document: Any) -> bool:
    """True for an OB 2.0 Assertion: its context is OB 2.0 or its type is ``Assertion``.

    An OB 3.0 credential (a ``VerifiableCredential``) never is.
    """
    if not isinstance(document, Mapping):
        return False
    kinds = types(document.get("type"))
    if "VerifiableCredential" in kinds:
        return False
    return "Assertion" in kinds or (has_ob2_context(document) and "BadgeClass" not in kinds
                                    and "Issuer" not in kinds and "Profile" not in kinds)


def _b64(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, TypeError):
        return None


def jws_payload(token: str) -> dict[str, Any] | None:
    """The JSON object a compact JWS carries (unverified), or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    raw = _b64(parts[1])
    if raw is None:
        return None
    try:
        value = parse_json(raw, max_bytes=MAX_TEXT_BYTES)
    except InputError:
        return None
    return value if isinstance(value, dict) else None


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text) \
        and len(text) <= 4096


def _from_text(text: str, source: Source) -> Ob2Input | None:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = parse_json(stripped)
        except InputError:
            return None  # the OB 3.0 reader reports what is wrong with it
        return Ob2Input(source, assertion=value) if is_assertion(value) else None
    if source in ("png", "svg") and _is_url(stripped):
        return Ob2Input(source, url=stripped)
    if stripped.count(".") == 2 and len(stripped) <= MAX_TEXT_BYTES:
        payload = jws_payload(stripped)
        if payload is not None and is_assertion(payload):
            return Ob2Input("jws" if source == "json" else source, assertion=payload,
                            jws=stripped)
        return None
    return None


def detect(data: bytes | str | Mapping[str, Any]) -> Ob2Input | None:
    """The OB 2.0 assertion in ``data``, or None when ``data`` is not OB 2.0.

    Reads a JSON object, JSON text, a compact JWS (a signed assertion), or a
    PNG/SVG baked the OB 2.0 way (OB 2.0 "Baking"), bounded like every other
    input (:mod:`badges.intake`).

    Args:
        data: what was handed over.

    Returns:
        The :class:`Ob2Input`, or None (then it is read as OB 3.0).

    Raises:
        InputError: a baked image that is OB 2.0 but cannot be read
            (``malformed_image``, ``not_baked``...), or that is too large.
    """
    if isinstance(data, Mapping):
        return Ob2Input("json", assertion=dict(data)) if is_assertion(data) else None
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    kind = baking.sniff_image(raw)
    if kind is not None:
        if len(raw) > MAX_IMAGE_BYTES:
            return None  # refused by the OB 3.0 reader with its usual code
        try:
            text = baking.unbake_ob2(raw)
        except InputError as exc:
            if exc.code in ("image_too_large", "unsupported_image"):
                return None
            raise
        if text is None:
            return None
        found = _from_text(text, kind)
        if found is None:
            raise InputError("the image is an Open Badges 2.0 badge, but what it carries is "
                             "neither an assertion, a signed assertion nor a link to one",
                             code="ob2_baked_unreadable")
        return found
    if len(raw) > MAX_TEXT_BYTES:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return _from_text(text, "json")


def dump(value: Any) -> str:
    """Canonical JSON of ``value`` (sorted keys), for comparisons."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
