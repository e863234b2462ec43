"""Service internals: the JSON fast path, status lists checked once per content, the fetcher."""

from __future__ import annotations

import json
from typing import Any

import pytest

from badges.did import ResolutionError
from badges.verify import verify_credential
from tests.badges.test_verify import HOSTILE
from tests.conftest import NOW
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import Documents
from verifier.config import load_settings
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.intake import credential_link
from verifier.intake import from_text
from verifier.service import ListVerifications
from verifier.service import Verifier
from verifier.service import parse_credential_json


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_fast_json_path_gives_the_cores_answer(name: str) -> None:
    data = HOSTILE[name][0]
    fast = Verifier(clock=lambda: NOW).verify(data)
    core = verify_credential(data, now=NOW)
    assert fast.to_json() == core.to_json()


def test_fast_json_path_refuses_what_the_core_refuses() -> None:
    deep: Any = {"a": 1}
    for _ in range(70):
        deep = {"x": deep}
    assert parse_credential_json(json.dumps(deep)) is None
    assert parse_credential_json("\ufeff{}".encode()) is None
    assert parse_credential_json("{}".encode("utf-16")) is None
    assert parse_credential_json(b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_status_list_signature_is_checked_once_per_content(issuer: DidWebIssuer,
                                                           documents: Documents) -> None:
    url = issuer.status_list("revocation", set_bits=(2,))
    fetcher = Fetcher(FetchPolicy(**LOOPBACK, cache_seconds=0))
    checks: list[str] = []
    verifier = Verifier(fetcher=fetcher, clock=lambda: NOW, _lists=ListVerifications(fetcher))
    import verifier.service as service

    original = service.verify_signature

    def spy(document: Any, **kwargs: Any) -> Any:
        checks.append(str(document.get("id")))
        return original(document, **kwargs)

    service.verify_signature = spy  # type: ignore[assignment]
    try:
        for index in (1, 2, 3):
            cred = issuer.sign(issuer.credential(
                credentialStatus=issuer.status_entry(url, "revocation", index)))
            report = verifier.verify(cred)
            assert report.check("status").code == (  # type: ignore[union-attr]
                "revoked" if index == 2 else "not_revoked")
        assert checks == [url]
        # the issuer republishes the list: its new content is checked again
        issuer.status_list("revocation", set_bits=(1,))
        cred = issuer.sign(issuer.credential(
            credentialStatus=issuer.status_entry(url, "revocation", 1)))
        assert verifier.verify(cred).check("status").code == "revoked"  # type: ignore[union-attr]
        assert checks == [url, url]
        # a list whose signature fails is never remembered
        issuer.status_list("revocation", tamper=True)
        for _ in range(2):
            assert verifier.verify(cred).check("status").code == \
                "status_list_signature_invalid"  # type: ignore[union-attr]
        assert checks == [url] * 4
    finally:
        service.verify_signature = original  # type: ignore[assignment]


def test_fetcher_refuses_other_schemes_before_any_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("looked up a host for a URL it must refuse")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    fetcher = Fetcher()
    for url in ("ftp://example.org/x", "file:///etc/passwd", "gopher://h/"):
        with pytest.raises(ResolutionError) as caught:
            fetcher.fetch_bytes(url, accept="*/*")
        assert caught.value.code == "scheme_not_allowed"


def test_fetcher_bad_ports_and_hosts_are_clean_errors() -> None:
    fetcher = Fetcher()
    for url in ("https://example.org:99999/x", "https://exa mple.org/", "https://\u2603.invalid/",
                "https:///nohost"):
        with pytest.raises(ResolutionError):
            fetcher.fetch_bytes(url, accept="*/*")


def test_fetch_bytes_limits(documents: Documents) -> None:
    fetcher = Fetcher(FetchPolicy(**LOOPBACK))
    documents.raw("/big", b"x" * 5000, "application/octet-stream")
    with pytest.raises(ResolutionError) as caught:
        fetcher.fetch_bytes(documents.base + "/big", accept="*/*", max_bytes=1000)
    assert caught.value.code == "response_too_large"
    for hop in range(5):
        documents.redirect(f"/loop{hop}", f"/loop{hop + 1}")
    with pytest.raises(ResolutionError) as caught:
        fetcher.fetch_bytes(documents.base + "/loop0", accept="*/*")
    assert "redirected too many times" in caught.value.message


def test_share_page_links() -> None:
    base = "https://badges.example/c/tok"
    page = b'<link rel="alternate" type="application/ld+json" href="tok.json">'
    assert credential_link(page, base) == "https://badges.example/c/tok.json"
    assert credential_link(b'<a href="javascript:x.json">x</a>', base) is None
    assert credential_link(b"<p>no links</p>", base) is None


def test_pasted_text_that_is_not_a_link_is_kept_as_is() -> None:
    assert from_text("  eyJh.eyJi.c2ln  ", fetcher=None).data == b"eyJh.eyJi.c2ln"
    assert from_text("https://a.example/x y", fetcher=None).source == "paste"


def test_settings_from_the_environment(tmp_path: Any) -> None:
    settings = load_settings(environ={
        "BADGES_VERIFIER_ENV": "production", "BADGES_ENV": "development",
        "BADGES_FETCH_ALLOW_HOSTS": "a.example, b.example:8443",
        "BADGES_VERIFIER_NAME": "Westfield HR verifier",
        "BADGES_INSTANCE_PATH": str(tmp_path)})
    assert settings.env == "production" and not settings.development
    assert settings.allow_hosts == {"a.example", "b.example:8443"}
    assert settings.name == "Westfield HR verifier"
    assert settings.instance_path == tmp_path.resolve()
    inherited = load_settings(environ={}, defaults={"env": "testing"})
    assert inherited.development
    with pytest.raises(Exception):  # noqa: B017 - VerifierConfigError
        load_settings(environ={"BADGES_VERIFIER_ENV": "staging"})
