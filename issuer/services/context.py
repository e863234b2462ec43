"""What services need from the configuration, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssuerContext:
    """The service's public base URL and its key-encryption key."""

    base_url: str
    kek: bytes
