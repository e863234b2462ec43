"""The verification service: the pure core wired to the network, the clock and a registry.

:class:`Verifier` is what the CLI, the JSON API and the report page call. It
supplies :func:`badges.verify.verify_credential` with the SSRF-safe
:class:`~verifier.fetch.Fetcher` (or nothing, offline), a status checker
over that fetcher, a trust registry and the current time.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from badges.report import VerificationReport
from badges.status import make_status_checker
from badges.verify import TrustRegistry
from badges.verify import verify_credential
from verifier.fetch import Fetcher


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class Verifier:
    """Verifies credentials with network access (or offline, with ``fetcher=None``)."""

    fetcher: Fetcher | None = None
    registry: TrustRegistry | None = None
    clock: Callable[[], datetime] = utc_now

    def verify(self, data: bytes | str | Mapping[str, Any]) -> VerificationReport:
        """Verify one credential in any accepted form; never raises for bad input."""
        now = self.clock()
        checker = None
        if self.fetcher is not None:
            checker = make_status_checker(fetch_document=self.fetcher, now=now)
        return verify_credential(data, now=now, fetch_document=self.fetcher,
                                 check_status=checker, registry=self.registry)
