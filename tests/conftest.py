"""Test-wide fixtures: fixture files, a fixed clock, and no network for unit tests."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = FIXTURES / "examples"
VECTORS = FIXTURES / "vectors"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Keep the machine's own badges instance and settings out of every test.

    ``badges verify`` and the app factory read ``BADGES_*`` variables and the
    default instance folder under ``$XDG_DATA_HOME``; a developer's demo district
    there must not change what a test (or a subprocess it starts) sees.
    """
    test_knobs = ("BADGES_TEST_", "BADGES_SKIP_", "BADGES_CHROMIUM", "BADGES_WRITE_DOC_")
    for name in [key for key in os.environ if key.startswith("BADGES_")]:
        if not name.startswith(test_knobs):
            del os.environ[name]
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="badges-test-data-")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that drives a real browser ``browser``.

    The run with the clock three years ahead (``scripts/test``) leaves them out:
    the dates they show come from the same services and page handlers that the
    shifted run checks without a browser, and Chromium is the slowest part.
    """
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def load_json(path: Path | str) -> Any:
    """A fresh copy of a JSON fixture."""
    return json.loads((FIXTURES / path).read_text("utf-8"))


class NetworkBlocked(AssertionError):
    """Raised when a test that must stay offline opens a connection."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any outgoing connection (to anything but loopback) made during the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")):
            return real_connect(self, address)
        raise NetworkBlocked(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse_dns)
    yield


def _refuse_dns(host: str, *args: Any, **kwargs: Any) -> Any:
    raise NetworkBlocked(f"DNS lookup attempted for {host!r}")
