"""Input checks shared by the services: e-mail addresses, names, lengths, slugs."""

from __future__ import annotations

import re
import unicodedata

from issuer.services.errors import ServiceError

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def email(value: object) -> str:
    """A normalized (trimmed, lower-cased) e-mail address.

    Raises:
        ServiceError: ``invalid_email``.
    """
    if not isinstance(value, str):
        raise ServiceError("an e-mail address is required", code="invalid_email")
    address = value.strip().lower()
    if len(address) > 254 or not _EMAIL.match(address) or ".." in address:
        raise ServiceError(f"{value!r} is not a valid e-mail address", code="invalid_email")
    return address


def text(value: object, *, field: str, max_length: int, required: bool = True) -> str | None:
    """Trimmed text without control characters, within ``max_length``.

    Raises:
        ServiceError: ``missing_field``, ``field_too_long`` or ``invalid_text``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError(f"{field} is required", code="missing_field")
        return None
    if not isinstance(value, str):
        raise ServiceError(f"{field} must be text", code="invalid_text")
    cleaned = unicodedata.normalize("NFC", value.strip())
    if len(cleaned) > max_length:
        raise ServiceError(f"{field} is longer than {max_length} characters",
                           code="field_too_long")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in cleaned):
        raise ServiceError(f"{field} contains control characters", code="invalid_text")
    return cleaned


def slug(value: object, *, field: str = "slug") -> str:
    """A URL slug: lower-case letters, digits and dashes.

    Raises:
        ServiceError: ``invalid_slug``.
    """
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ServiceError(f"{field} must be lower-case letters, digits and dashes",
                           code="invalid_slug")
    return value
