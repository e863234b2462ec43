"""The fast path of ``POST /api/v1/verify`` answers exactly as the Flask view does.

Each request goes to two verifiers built alike: one through the app's WSGI
entry (the fast path, :mod:`verifier.fastpath`), one straight to Flask
(``inner``); status, headers and body must be identical, for good and tampered
credentials, unreadable bodies, rate-limited and busy answers, and an
unexpected error. Requests the fast path leaves to Flask are shown to reach it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import registry_file
from verifier.admission import COSTLY_JSON_BYTES
from verifier.admission import CostlyBudget
from verifier.fastpath import VerifyFastPath

Answer = tuple[str, dict[str, str], bytes]


def _call(wsgi: Callable[..., Any], body: bytes, content_type: str = "application/json",
          query: str = "", remote: str = "127.0.0.1", headers: dict[str, str] | None = None,
          ) -> Answer:
    environ = EnvironBuilder(path="/api/v1/verify", method="POST", data=body,
                             content_type=content_type, query_string=query,
                             headers=headers or {},
                             environ_base={"REMOTE_ADDR": remote}).get_environ()
    seen: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        seen.extend([status, response_headers])
        return lambda data: None

    chunks = wsgi(environ, start_response)
    try:
        out = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return seen[0], dict(seen[1]), out


class Pair:
    """Two verifiers built alike: requests to ``fast`` take the fast path, to ``flask`` not."""

    def __init__(self, build: Callable[[], Flask]) -> None:
        self.fast_app, self.flask_app = build(), build()
        assert isinstance(self.fast_app.wsgi_app, VerifyFastPath)
        assert isinstance(self.flask_app.wsgi_app, VerifyFastPath)

    def both(self, body: bytes, **kwargs: Any) -> Answer:
        fast = _call(self.fast_app.wsgi_app, body, **kwargs)
        flask = _call(self.flask_app.wsgi_app.inner, body, **kwargs)  # type: ignore[attr-defined]
        assert fast[0] == flask[0]
        assert fast[1] == flask[1]
        assert fast[2] == flask[2]
        return fast

    def states(self) -> list[Any]:
        return [self.fast_app.extensions["verifier"], self.flask_app.extensions["verifier"]]


@pytest.fixture
def pair(verifier_app: Callable[..., Flask], issuer: DidWebIssuer, tmp_path: Path) -> Pair:
    known = registry_file(tmp_path, {issuer.did: issuer.name})
    return Pair(lambda: verifier_app(registry=known))


def _json(answer: Answer) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(answer[2])
    return document


def test_a_credential_good_or_tampered_gets_the_same_answer(pair: Pair,
                                                            issuer: DidWebIssuer) -> None:
    signed = issuer.sign(issuer.credential())
    good = pair.both(json.dumps(signed).encode())
    assert good[0] == "200 OK" and _json(good)["verdict"] == "verified"
    assert good[1]["Access-Control-Allow-Origin"] == "*"
    assert good[1]["X-Content-Type-Options"] == "nosniff"
    signed["credentialSubject"]["achievement"]["name"] = "Something else"
    tampered = pair.both(json.dumps(signed).encode(), content_type="application/ld+json; "
                                                                  "charset=utf-8")
    assert _json(tampered)["verdict"] != "verified"
    with_text = issuer.credential()  # a lone surrogate is reported, and not signable
    with_text["credentialSubject"]["achievement"]["name"] = "Lone \ud800 surrogate"
    odd = pair.both(json.dumps(with_text).encode())
    assert "\\ud800" in odd[2].decode()


@pytest.mark.parametrize("body", [b"{not json", b"[]", b"42", b"", b"\xff\xfe{}",
                                  b'{"@context": []}', b"{" * 5000 + b"}" * 5000])
def test_unreadable_bodies_get_the_same_answer(pair: Pair, body: bytes) -> None:
    answer = pair.both(body)
    assert answer[0].split()[0] in ("200", "422")


def test_rate_limited_requests_get_the_same_429(verifier_app: Callable[..., Flask],
                                                issuer: DidWebIssuer, tmp_path: Path) -> None:
    pair = Pair(lambda: verifier_app(rate_limit=1))
    body = json.dumps(issuer.sign(issuer.credential())).encode()
    statuses = [pair.both(body)[0] for _ in range(12)]
    assert statuses[0] == "200 OK" and statuses[-1] == "429 TOO MANY REQUESTS"
    answer = pair.both(body)
    assert _json(answer)["error"]["code"] == "rate_limited" and "Retry-After" in answer[1]
    # another client has its own allowance
    assert pair.both(body, remote="192.0.2.7")[0] == "200 OK"


def test_busy_with_costly_credentials_gets_the_same_429(pair: Pair,
                                                        issuer: DidWebIssuer) -> None:
    for state in pair.states():
        state.costly = CostlyBudget(share=0.1, burst=-1.0, clock=lambda: 0.0)
    large = issuer.sign(issuer.credential(description="x" * COSTLY_JSON_BYTES))
    answer = pair.both(json.dumps(large).encode())
    assert answer[0] == "429 TOO MANY REQUESTS"
    assert _json(answer)["error"]["code"] == "busy_with_large_credentials"
    assert answer[1]["Retry-After"] == "11"


def test_an_unexpected_error_is_a_json_500_both_ways(verifier_app: Callable[..., Flask],
                                                     issuer: DidWebIssuer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pair = Pair(lambda: verifier_app(env="development"))  # testing mode re-raises in Flask

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    for state in pair.states():
        monkeypatch.setattr(state.verifier, "verify", broken)
    answer = pair.both(json.dumps(issuer.sign(issuer.credential())).encode())
    assert answer[0] == "500 INTERNAL SERVER ERROR"
    assert _json(answer)["error"]["code"] == "internal_server_error"


@pytest.mark.parametrize(("query", "content_type", "to_flask"), [
    ("", "application/json", False),
    ("", "application/vc+ld+json", False),
    ("receipt=true", "application/json", True),
    ("recipient=a%40b.org", "application/json", True),
    ("", "text/plain", True),
    ("", "multipart/form-data; boundary=x", True),
])
def test_only_plain_json_posts_take_the_fast_path(pair: Pair, issuer: DidWebIssuer, query: str,
                                                 content_type: str, to_flask: bool) -> None:
    fast = pair.fast_app.wsgi_app
    assert isinstance(fast, VerifyFastPath)
    inner, reached = fast.inner, []

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        reached.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    fast.inner = spy
    body = json.dumps(issuer.sign(issuer.credential())).encode()
    answer = _call(fast, body, content_type=content_type, query=query)
    assert reached == (["/api/v1/verify"] if to_flask else [])
    assert answer[0] in ("200 OK", "422 UNPROCESSABLE ENTITY")
    chunked = EnvironBuilder(path="/api/v1/verify", method="POST", data=body,
                             content_type="application/json").get_environ()
    del chunked["CONTENT_LENGTH"]
    chunked["HTTP_TRANSFER_ENCODING"] = "chunked"
    assert fast._length(chunked) is None


def test_behind_a_proxy_each_forwarded_client_has_its_own_allowance(
        verifier_app: Callable[..., Flask], issuer: DidWebIssuer) -> None:
    """The fast path sits inside ProxyFix: it limits the address the proxy forwarded."""
    app = verifier_app(rate_limit=1, trusted_proxies=1)
    body = json.dumps(issuer.sign(issuer.credential())).encode()
    first = [_call(app.wsgi_app, body, headers={"X-Forwarded-For": "198.51.100.1"})[0]
             for _ in range(12)]
    assert first[-1] == "429 TOO MANY REQUESTS"
    other = _call(app.wsgi_app, body, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other[0] == "200 OK"
