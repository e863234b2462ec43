"""Which core modules are compiled to C, and a guard that never runs a stale build.

The JSON-LD walk, the context compiler, RDFC-1.0 and multibase are the hot path
of every verification (JSON-LD to RDF, W3C JSON-LD 1.1 Processing Algorithms
§8; RDFC-1.0 §4). ``setup.py`` compiles the modules named in :data:`COMPILED`
with mypyc (mypy's compiler: the same typed source, checked by the same type
checker, turned into a C extension) when a C compiler is present; without one,
the build warns and installs the Python source, which gives the same answers.

A compiled module sits beside its source (an editable install builds in place).
Python prefers the extension, so after an edit to one of these files the old
build would run. :func:`install`, called once by :mod:`badges`, prevents that:
when any extension of the group is older than its source (or when
``BADGES_PURE_PYTHON=1`` is set), it makes the whole group load from source,
with a :class:`RuntimeWarning` naming the stale files. The group is all or
nothing because its modules call each other through the compiled group's
shared library.

Reading file times is the only I/O here; it happens once, at import.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: The modules ``setup.py`` compiles, as file names inside ``badges/``.
COMPILED: tuple[str, ...] = ("ldcontext.py", "ldrdf.py", "rdfc.py", "multibase.py")

#: Set to ``1`` to run the Python source even where compiled modules are installed.
PURE_ENV = "BADGES_PURE_PYTHON"

#: An extension this much older than its source is stale (seconds); the slack
#: covers installers that write the two files a moment apart.
SLACK = 2.0

_FOLDER = Path(__file__).resolve().parent


def module_names() -> tuple[str, ...]:
    """The dotted names of the compiled group (``badges.ldrdf``, ...)."""
    return tuple(f"badges.{name.removesuffix('.py')}" for name in COMPILED)


def extension_of(folder: Path, name: str) -> Path | None:
    """The compiled extension built for source file ``name`` in ``folder``, if any."""
    stem = name.removesuffix(".py")
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def stale(folder: Path, names: Sequence[str] = COMPILED) -> list[str]:
    """The source files in ``folder`` edited after their extension was built."""
    found = []
    for name in names:
        extension = extension_of(folder, name)
        source = folder / name
        if extension is None or not source.is_file():
            continue
        if source.stat().st_mtime - extension.stat().st_mtime > SLACK:
            found.append(name)
    return found


def compiled() -> dict[str, bool]:
    """For each module of the group: is the imported module the compiled one?"""
    result = {}
    for dotted in module_names():
        module = sys.modules.get(dotted) or importlib.import_module(dotted)
        result[dotted] = _is_extension(module)
    return result


def _is_extension(module: ModuleType) -> bool:
    origin = getattr(module, "__file__", None) or ""
    return any(origin.endswith(suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def source_reason() -> str | None:
    """Why the group runs from source here: ``asked``, ``stale``, or None when it does not."""
    for finder in sys.meta_path:
        if isinstance(finder, _SourceFinder):
            return finder.reason
    return None


class _SourceFinder:
    """A meta path finder that loads the compiled group from its ``.py`` files."""

    def __init__(self, folder: Path, reason: str) -> None:
        self.folder = folder
        self.reason = reason
        self.names = set(module_names())

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        source = self.folder / f"{fullname.rpartition('.')[2]}.py"
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def install() -> None:
    """Load the group from source when asked to, or when its build is stale."""
    if source_reason() is not None:  # installed already
        return
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        sys.meta_path.insert(0, _SourceFinder(_FOLDER, "asked"))
        return
    edited = stale(_FOLDER)
    if edited:
        warnings.warn(
            f"badges: {', '.join(edited)} changed after the compiled build; running the "
            "Python source (run `pip install -e .` again to rebuild)",
            RuntimeWarning, stacklevel=2)
        sys.meta_path.insert(0, _SourceFinder(_FOLDER, "stale"))
