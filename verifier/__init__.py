"""The verification service: intake, SSRF-safe resolvers, reports for people and machines.

``verifier.create_app()`` builds the standalone web verifier (see
:mod:`verifier.app`); it is imported lazily so the command line does not load
Flask.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from verifier.app import create_app

        return create_app
    raise AttributeError(f"module 'verifier' has no attribute {name!r}")
