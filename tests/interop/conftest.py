"""Interop suite setup: mark every test here ``interop`` and require Node.js.

The checks in this folder run independent JavaScript implementations
(Digital Bazaar's vc / data-integrity / eddsa-rdfc-2022, panva's jose) under
Node.js. When Node or the pinned packages are missing, every test here
*fails* with instructions: a check that did not run must never look like a
pass. Set ``BADGES_SKIP_INTEROP=1`` to skip them deliberately instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.interop.node import INSTALL_COMMAND
from tests.interop.node import unavailable_reason

HERE = Path(__file__).resolve().parent
SKIP_ENV = "BADGES_SKIP_INTEROP"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.interop)


@pytest.fixture(autouse=True, scope="session")
def _interop_requirements() -> None:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"interop checks skipped: {SKIP_ENV}=1 is set")
    reason = unavailable_reason()
    if reason is not None:
        pytest.fail(
            f"Interop checks cannot run: {reason}.\n"
            "Run the project's test script, which installs the pinned JavaScript "
            f"packages from the lockfile (or run `{INSTALL_COMMAND}` yourself; it needs "
            f"Node.js >= 20 and npm). To skip these checks on purpose, set {SKIP_ENV}=1.",
            pytrace=False,
        )
