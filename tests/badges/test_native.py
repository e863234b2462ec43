"""The compiled hot path (badges.native): built by setup, never stale, same answers as the source.

``./scripts/setup`` compiles the modules of :data:`badges.native.COMPILED` with
mypyc. These tests check that the running modules are the compiled ones (or all
the source ones under ``BADGES_PURE_PYTHON=1``), that an edited source is
detected, and that the compiled walk, RDFC-1.0 and multibase give byte for byte
the answers of the Python source on generated credentials, odd ones included
(a fresh interpreter with ``BADGES_PURE_PYTHON=1`` computes the source's).
"""

from __future__ import annotations

import copy
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import multibase
from badges import native
from tests.badges import test_ldrdf

ROOT = Path(__file__).resolve().parents[2]
PURE = native.source_reason() == "asked"  # this run set BADGES_PURE_PYTHON=1

#: What one document gives: canonical N-Quads and the safe-mode report of the walk
#: (or the reason it was refused or handed over), the public API's canonical form (or
#: its error code), and the multibase round trip of its canonical bytes.
_ANSWERS = """
import json, sys
from badges import jsonld, ldrdf, multibase, native, rdfc
from badges.errors import BadgesError
from badges.ldcontext import Unsupported

def answer(doc):
    try:
        quads, terms, types = ldrdf.to_rdf(json.loads(json.dumps(doc)))
        walked = [rdfc.canonicalize(quads), list(terms), list(types)]
    except Unsupported:
        walked = "unsupported"
    except BadgesError as exc:
        walked = exc.code
    try:
        canonical = jsonld.prepare(doc).canonize()
    except BadgesError as exc:
        canonical = exc.code
    data = canonical.encode()[:64]
    encoded = multibase.encode(data)
    return [walked, canonical, encoded, multibase.decode(encoded) == data]

docs = json.load(sys.stdin)
print(json.dumps({"compiled": native.compiled(), "answers": [answer(d) for d in docs]}))
"""


def _answers(docs: list[Any], *, pure: bool) -> dict[str, Any]:
    env = {**os.environ, native.PURE_ENV: "1" if pure else "0"}
    run = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", _ANSWERS],
                         input=json.dumps(docs), capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    answers: dict[str, Any] = json.loads(run.stdout)
    return answers


def _samples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` examples of ``strategy``, the same ones on every run."""
    found: list[Any] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(doc: Any) -> None:
        found.append(copy.deepcopy(doc))

    collect()
    return found[:count]


def test_the_hot_path_runs_compiled_after_setup_or_all_from_source_when_asked() -> None:
    """After ``./scripts/setup`` (gcc is one of its packages), every module is compiled."""
    assert native.source_reason() in (None, "asked"), "a stale build: run ./scripts/setup"
    running = native.compiled()
    assert set(running) == set(native.module_names())
    assert set(running.values()) == {not PURE}, running


def test_the_source_is_run_when_asked_with_the_same_answers() -> None:
    docs = _samples(test_ldrdf.varied_credentials(), 40) + _samples(
        test_ldrdf.junk_credentials(), 40)
    compiled = _answers(docs, pure=False)
    source = _answers(docs, pure=True)
    assert set(source["compiled"].values()) == {False}
    if not PURE:  # (with BADGES_PURE_PYTHON=1 the build may hold no extensions at all)
        assert set(compiled["compiled"].values()) == {True}
    assert compiled["answers"] == source["answers"]
    outcomes = {a[0] if isinstance(a[0], str) else "read" for a in source["answers"]}
    assert "read" in outcomes and len(outcomes) > 1, outcomes  # both kinds were compared


def _touch(path: Path, mtime: float) -> None:
    path.write_text("")
    os.utime(path, (mtime, mtime))


def test_a_source_edited_after_the_build_is_found_stale(tmp_path: Path) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    _touch(tmp_path / "fresh.py", 1_000_000)
    _touch(tmp_path / f"fresh{suffix}", 1_000_001)
    _touch(tmp_path / "edited.py", 1_000_100)
    _touch(tmp_path / f"edited{suffix}", 1_000_000)
    _touch(tmp_path / "close.py", 1_000_001)  # written a moment after its build: not stale
    _touch(tmp_path / f"close{suffix}", 1_000_000)
    _touch(tmp_path / "unbuilt.py", 1_000_100)
    names = ["fresh.py", "edited.py", "close.py", "unbuilt.py"]
    assert native.stale(tmp_path, names) == ["edited.py"]
    assert native.extension_of(tmp_path, "unbuilt.py") is None
    assert native.extension_of(tmp_path, "fresh.py") == tmp_path / f"fresh{suffix}"


def test_a_stale_build_warns_and_the_whole_group_runs_from_source(tmp_path: Path) -> None:
    """A copy of the package whose ldrdf.py is newer than its build loads every module from .py."""
    if PURE:
        pytest.skip("runs the compiled build; this run asked for the source "
                    f"({native.PURE_ENV}=1)")
    copy_root = tmp_path / "copy"
    package = copy_root / "badges"
    _copy_tree(ROOT / "badges", package)
    for name in ("badges_native__mypyc",):
        for built in ROOT.glob(f"{name}*"):
            (copy_root / built.name).write_bytes(built.read_bytes())
    source = package / "ldrdf.py"
    newer = (native.extension_of(package, "ldrdf.py") or source).stat().st_mtime + 60
    os.utime(source, (newer, newer))
    env = {**os.environ, native.PURE_ENV: "0", "PYTHONPATH": str(copy_root)}
    run = subprocess.run(
        [sys.executable, "-c", "import json, badges.native as n; print(json.dumps(n.compiled()))"],
        capture_output=True, text=True, env=env, cwd=copy_root, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "ldrdf.py changed after the compiled build" in run.stderr
    assert set(json.loads(run.stdout).values()) == {False}


def _copy_tree(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if "__pycache__" in path.parts:
            continue
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
            os.utime(destination, (path.stat().st_mtime, path.stat().st_mtime))


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=80))
def test_multibase_round_trips_whatever_runs(data: bytes) -> None:
    assert multibase.decode(multibase.encode(data)) == data


_DEEP = """
import sys
from badges import endorsements, jsonld, ldrdf
from badges.errors import BadgesError
from badges.ldcontext import Unsupported

levels = int(sys.argv[1])
doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
node, scoped = doc, {}
doc["@context"].append(scoped)
for _ in range(levels):
    node["fooBar"] = [{"type": "Nope"}]
    node = node["fooBar"][0]
    inner = {}
    scoped["t"] = {"@id": "https://example.org/t", "@context": inner}
    scoped = inner
for run in (lambda: ldrdf.to_rdf(doc), lambda: jsonld.prepare(doc).canonize()):
    try:
        run()
        print("read")
    except (BadgesError, Unsupported) as exc:
        print(getattr(exc, "code", "unsupported"))
print(len(endorsements.find(doc)))
"""


def test_a_document_nested_far_too_deep_is_refused_not_a_crash() -> None:
    """Compiled code does not count Python's recursion limit: depth is bounded before it recurses.

    A compiled function recursing 100,000 levels would overflow the C stack and kill
    the process (seen with badges/schema.py compiled, which is why it is not).
    """
    run = subprocess.run([sys.executable, "-c", _DEEP, "100000"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["too_deep", "too_deep", "0"]
