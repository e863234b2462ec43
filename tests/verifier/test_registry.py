"""The known-issuer registry: file formats, URL loading, and the three answers it gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from badges.trust import TrustRegistry
from issuer.cli import main as cli
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from verifier.config import VerifierConfigError
from verifier.registry import RegistryError
from verifier.registry import RegistrySource
from verifier.registry import load_registry_file
from verifier.registry import parse_registry

YAML = """\
name: Districts of the Lake Region
issuers:
  - id: {did}
    name: Lakeside Unified School District
  - domain: Springfield.K12.example
    name: Springfield Public Schools
"""


def test_yaml_json_and_dcc_forms(tmp_path: Path) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(YAML.format(did="did:web:lakeside.example"), "utf-8")
    registry = load_registry_file(path)
    assert registry.lookup("did:web:lakeside.example") == "Lakeside Unified School District"
    assert registry.lookup("did:web:springfield.k12.example:issuers:east") == \
        "Springfield Public Schools"
    assert registry.lookup("https://springfield.k12.example/issuers/1") == \
        "Springfield Public Schools"
    assert registry.lookup("did:web:elsewhere.example") is None
    json_path = tmp_path / "known.json"
    json_path.write_text(json.dumps({"issuers": [{"id": "did:key:z6Mk1", "name": " A  B "}]}))
    assert load_registry_file(json_path).issuers == {"did:key:z6Mk1": "A B"}
    dcc = parse_registry({"meta": {}, "registry": {"did:web:x.example": {"name": "X"}}})
    assert dcc.lookup("did:web:x.example") == "X"


@pytest.mark.parametrize("data,fragment", [
    ([], "issuers"),
    ({"issuers": [{"name": "No id"}]}, "'id' or a 'domain'"),
    ({"issuers": [{"id": "did:web:x", "name": ""}]}, "display name"),
    ({"issuers": [{"id": "plain", "name": "X"}]}, "DID or a URL"),
    ({"issuers": [{"domain": "a/b", "name": "X"}]}, "host name"),
])
def test_malformed_registries_are_refused(data: Any, fragment: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_registry(data)
    assert fragment in caught.value.message


def test_unreadable_registry_stops_start_up(verifier_app: Callable[..., Flask],
                                            tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("issuers: [unclosed", "utf-8")
    with pytest.raises(VerifierConfigError):
        verifier_app(registry=str(bad))
    with pytest.raises(VerifierConfigError):
        verifier_app(registry=str(tmp_path / "missing.json"))


def _trust(client: Any, credential: dict[str, Any]) -> tuple[str, str, str]:
    payload = client.post("/api/v1/verify", json=credential).get_json()
    check = next(c for c in payload["checks"] if c["id"] == "issuer_trust")
    return check["outcome"], check["code"], payload["verdict"]


def test_known_unknown_and_impersonating_issuer(verifier_app: Callable[..., Flask], tmp_path: Path,
                                         issuer: DidWebIssuer, documents: Documents) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(YAML.format(did=issuer.did), "utf-8")
    client = verifier_app(registry=str(path)).test_client()
    assert _trust(client, issuer.sign(issuer.credential())) == (
        "passed", "known_issuer", "verified")
    # a genuine credential from a district nobody listed: a warning, and never the green
    # "verified" (issue #14): the verdict says the issuer is not on the list
    from badges import keys

    stranger_key = keys.generate("ed25519")
    stranger = DidWebIssuer(documents, stranger_key, stranger_key.controller,
                            name="Shelbyville Schools")
    assert _trust(client, stranger.sign(stranger.credential())) == (
        "warning", "unknown_issuer", "unknown_issuer")
    # the same stranger borrowing a listed district's name: impersonation
    impostor = DidWebIssuer(documents, stranger_key, stranger_key.controller,
                            name="Lakeside Unified School District")
    assert _trust(client, impostor.sign(impostor.credential())) == (
        "failed", "issuer_impersonation", "impersonation")
    page = client.post("/verify", data={"credential": json.dumps(
        stranger.sign(stranger.credential()))}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "Not on this verifier&#39;s lists of known issuers" in text
    assert 'data-verdict="unknown_issuer"' in text and stranger_key.controller in text


def test_registry_from_a_url_is_fetched_and_refreshed(documents: Documents) -> None:
    from verifier.fetch import Fetcher
    from verifier.fetch import FetchPolicy

    url = documents.json("/registry.json", {"issuers": [{"id": "did:web:a.example",
                                                         "name": "A"}]})
    now = [0.0]
    source = RegistrySource(url=url, fetch=Fetcher(FetchPolicy(**LOOPBACK,
                                                               cache_seconds=0)),
                            refresh_seconds=60, clock=lambda: now[0])
    assert source.refresh().lookup("did:web:a.example") == "A"
    documents.json("/registry.json", {"issuers": [{"id": "did:web:b.example", "name": "B"}]})
    assert source.current().lookup("did:web:a.example") == "A"  # type: ignore[union-attr]
    now[0] = 61
    assert source.current().lookup("did:web:b.example") == "B"  # type: ignore[union-attr]
    documents.routes.pop("/registry.json")
    now[0] = 200  # the registry is gone: the last good one stays
    current = source.current()
    assert isinstance(current, TrustRegistry) and current.lookup("did:web:b.example") == "B"


def test_cli_registry_option(tmp_path: Path, issuer: DidWebIssuer) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(YAML.format(did=issuer.did), "utf-8")
    cred = tmp_path / "credential.json"
    cred.write_text(json.dumps(issuer.sign(issuer.credential())), "utf-8")
    result = CliRunner().invoke(cli, ["verify", "--dev", "--json", "--registry", str(path),
                                      str(cred)])
    assert result.exit_code == 0, result.output
    trust = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "issuer_trust")
    assert trust["code"] == "known_issuer"
    result = CliRunner().invoke(cli, ["verify", "--registry", str(tmp_path / "no.yaml"),
                                      str(cred)])
    assert result.exit_code == 2 and "cannot read the registry" in result.output
