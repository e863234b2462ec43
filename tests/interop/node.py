"""Run the JavaScript interop scripts in ``tests/interop/js`` from Python.

Each script reads one JSON request on stdin and writes one JSON answer on
stdout (see the header comment of each ``.mjs`` file). A request of the form
``{"batch": [item, ...], **shared}`` is answered with ``{"results": [...]}``,
one result per item, so many cases cost a single Node process.

The JavaScript dependencies are installed from the lockfile with::

    npm ci --prefix tests/interop/js
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js"
INSTALL_COMMAND = "npm ci --prefix tests/interop/js"


class NodeScriptError(RuntimeError):
    """A script crashed (non-zero exit) or printed something that is not JSON."""


def node_executable() -> str | None:
    """The ``node`` binary on PATH, if any."""
    return shutil.which("node")


@cache
def _pinned_dependencies() -> dict[str, str]:
    package = json.loads((JS_DIR / "package.json").read_text("utf-8"))
    return dict(package.get("dependencies", {}))


def missing_js_dependencies() -> list[str]:
    """The pinned packages that are not installed at their pinned version.

    Returns:
        ``name@version`` strings; empty when ``node_modules`` matches
        ``package.json`` (as after ``npm ci``).
    """
    missing = []
    for name, version in _pinned_dependencies().items():
        manifest = JS_DIR / "node_modules" / name / "package.json"
        try:
            installed = json.loads(manifest.read_text("utf-8")).get("version")
        except (OSError, ValueError):
            installed = None
        if installed != version:
            missing.append(f"{name}@{version}")
    return missing


def unavailable_reason() -> str | None:
    """Why the interop checks cannot run, or None when they can."""
    if node_executable() is None:
        return "Node.js ('node') is not on PATH"
    missing = missing_js_dependencies()
    if missing:
        return (f"the JavaScript dependencies are not installed in {JS_DIR}/node_modules "
                f"(missing or wrong version: {', '.join(missing)}); "
                f"run `{INSTALL_COMMAND}`")
    return None


def node_available() -> bool:
    """True when ``node`` is on PATH and ``js/node_modules`` holds the pinned packages."""
    return unavailable_reason() is None


def run_js(script: str, request: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    """Run ``js/<script>`` with ``request`` as JSON on stdin; return its JSON answer.

    Args:
        script: the file name in ``tests/interop/js`` (e.g. ``"verify-di.mjs"``).
        request: the JSON request (a ``batch`` request answers ``{"results": [...]}``).
        timeout: seconds before the Node process is killed.

    Returns:
        The parsed JSON object the script printed.

    Raises:
        NodeScriptError: when Node is missing, the script exits non-zero (a
            crash; "not verified" answers exit 0) or prints no JSON object.
        subprocess.TimeoutExpired: when the script runs longer than ``timeout``.
    """
    node = node_executable()
    if node is None:
        raise NodeScriptError("Node.js ('node') is not on PATH")
    path = JS_DIR / script
    if not path.is_file():
        raise NodeScriptError(f"no such interop script: {path}")
    proc = subprocess.run(  # noqa: S603 - fixed interpreter and script path
        [node, str(path)],
        input=json.dumps(request).encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        cwd=JS_DIR,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise NodeScriptError(f"{script} exited with status {proc.returncode}:\n{stderr}")
    try:
        answer = json.loads(proc.stdout.decode("utf-8"))
    except ValueError as exc:
        raise NodeScriptError(
            f"{script} printed no JSON ({exc}):\n{proc.stdout[:2000]!r}\n{stderr}") from None
    if not isinstance(answer, dict):
        raise NodeScriptError(f"{script} printed JSON that is not an object: {answer!r}")
    return answer


def run_batch(script: str, items: list[dict[str, Any]], timeout: float = 60,
              **shared: Any) -> list[dict[str, Any]]:
    """Run ``script`` once over ``items`` (each merged over ``shared``); one result per item."""
    answer = run_js(script, {**shared, "batch": items}, timeout=timeout)
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(items):
        raise NodeScriptError(f"{script} answered {len(results or [])} results for "
                              f"{len(items)} items")
    return results
