"""The JavaScript side checks itself against the published vectors (js/selftest.mjs).

If this fails, the other interop results are not trustworthy: the reference
implementation or its offline loader is broken, not (necessarily) badges.
"""

from __future__ import annotations

import subprocess

from tests.interop.node import JS_DIR
from tests.interop.node import node_executable


def test_js_selftest() -> None:
    node = node_executable()
    assert node is not None
    proc = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [node, str(JS_DIR / "selftest.mjs")],
        capture_output=True, text=True, timeout=120, cwd=JS_DIR, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all JavaScript self-checks passed" in proc.stdout
