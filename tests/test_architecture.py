"""Layering contracts (ARCHITECTURE.md): imports only point down, and the core does no I/O."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# badges/ may read its own bundled data through importlib.resources, nothing else.
CORE_FORBIDDEN = ("issuer", "verifier", "flask", "sqlalchemy", "socket", "http", "urllib.request",
                  "requests", "subprocess", "ssl", "os", "shutil", "pathlib", "time", "random",
                  "threading.Timer")
VERIFIER_FORBIDDEN = ("issuer",)
# badges/native.py is import machinery: it compares file times of the compiled modules
# with their sources once, at import, so that an edited checkout never runs a stale build.
CORE_LOADER = {"badges/native.py": ("os", "pathlib")}


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _offending(package: str, forbidden: tuple[str, ...],
               allowed: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    allowed = allowed or {}
    return [f"{path.relative_to(ROOT)} imports {name}" for path, name in _imports(package)
            if any(name == f or name.startswith(f + ".") for f in forbidden)
            and name not in allowed.get(path.relative_to(ROOT).as_posix(), ())]


def test_core_imports_nothing_above_it_and_no_io() -> None:
    assert _offending("badges", CORE_FORBIDDEN, CORE_LOADER) == []


def test_verifier_never_imports_issuer() -> None:
    assert _offending("verifier", VERIFIER_FORBIDDEN) == []


@pytest.mark.parametrize("pattern", [r"datetime\.now\(", r"date\.today\(", r"\bopen\(",
                                     r"time\.time\("])
def test_core_reads_no_clock_and_no_files(pattern: str) -> None:
    hits = [f"{p.relative_to(ROOT)}" for p in (ROOT / "badges").rglob("*.py")
            if re.search(pattern, p.read_text("utf-8"))]
    assert hits == []


@pytest.mark.parametrize("pattern", [r"datetime\.now\(", r"date\.today\(", r"time\.time\(",
                                     r"\.utcnow\("])
def test_the_services_read_the_wall_clock_in_one_place(pattern: str) -> None:
    """Pages, APIs, jobs and commands take "now" from their configured clock (issue #13)."""
    hits = [str(p.relative_to(ROOT)) for package in ("issuer", "verifier")
            for p in (ROOT / package).rglob("*.py")
            if re.search(pattern, p.read_text("utf-8"))]
    assert hits == (["verifier/clock.py"] if pattern == r"datetime\.now\(" else [])


# badges/model/: one module per OB 3.0 class group, each importing only those before it.
MODEL_ORDER = ("common", "vocab", "image", "profile", "achievement", "identity", "subject",
               "credential", "endorsement")


def test_model_modules_import_only_the_groups_before_them() -> None:
    """The badges.model modules form a chain, so they can never import one another in a cycle."""
    modules = {p.stem for p in (ROOT / "badges" / "model").glob("*.py")} - {"__init__"}
    assert modules == set(MODEL_ORDER), "place each badges/model module in MODEL_ORDER"
    upward = [f"{path.relative_to(ROOT)} imports {name}"
              for path, name in _imports("badges/model")
              if path.stem != "__init__" and name.startswith("badges.model.")
              and MODEL_ORDER.index(name.rsplit(".", 1)[1]) >= MODEL_ORDER.index(path.stem)]
    assert upward == []
