"""A small, independent OB 3.0 API client (a badge host), on the standard library only.

It does what a host does (OB 3.0 §6): read the discovery document, register
itself (RFC 7591), send the teacher's browser to the authorization URL with
PKCE S256 and a state, receive the code on its own loopback redirect URI,
trade it for tokens with HTTP Basic, call the resource endpoints and refresh.
It knows nothing of the service's code: only URLs and JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import HTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler
from urllib.request import Request
from urllib.request import build_opener

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(method: str, url: str, *, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> Answer:
    """One request; errors and redirects are answers, not exceptions."""
    request = Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.received.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<!doctype html><html lang='en'><title>Connected</title>"
                         b"<main><h1>Connected</h1></main></html>")

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class ObApiClient:
    """A badge host talking to one service."""

    discovery_url: str
    scopes: list[str] = field(default_factory=lambda: [
        SCOPE + "credential.readonly", SCOPE + "credential.upsert",
        SCOPE + "profile.readonly", SCOPE + "profile.update"])
    discovery: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    client_secret: str = ""
    verifier: str = ""
    state: str = ""
    access_token: str = ""
    refresh_token: str = ""

    def __post_init__(self) -> None:
        self._server = HTTPServer(("127.0.0.1", 0), _Callback)
        self._server.received = []  # type: ignore[attr-defined]
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_port}/callback"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def flow(self) -> dict[str, Any]:
        scheme = self.discovery["components"]["securitySchemes"]["OAuth2ACG"]
        flow: dict[str, Any] = scheme["flows"]["authorizationCode"]
        return flow

    @property
    def api(self) -> str:
        url: str = self.discovery["servers"][0]["url"]
        return url

    def discover(self) -> Answer:
        answer = http("GET", self.discovery_url)
        self.discovery = answer.json()
        return answer

    def register(self, **changes: Any) -> Answer:
        registration = self.discovery["components"]["securitySchemes"]["OAuth2ACG"][
            "x-imssf-registrationUrl"]
        metadata = {"client_name": "Test Badge Host", "client_uri": "https://host.example",
                    "logo_uri": "https://host.example/logo.png",
                    "tos_uri": "https://host.example/terms",
                    "policy_uri": "https://host.example/privacy",
                    "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
                    "software_version": "1.0", "redirect_uris": [self.redirect_uri],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"], "scope": " ".join(self.scopes), **changes}
        answer = http("POST", registration, body=json.dumps(metadata).encode(),
                      headers={"Content-Type": "application/json"})
        if answer.status == 201:
            body = answer.json()
            self.client_id, self.client_secret = body["client_id"], body["client_secret"]
        return answer

    def authorization_url(self, *, scope: str | None = None, redirect_uri: str | None = None,
                          method: str = "S256") -> str:
        self.verifier = secrets.token_urlsafe(48)
        self.state = secrets.token_urlsafe(16)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(self.verifier.encode()).digest()).decode().rstrip("=")
        query = {"response_type": "code", "client_id": self.client_id,
                 "redirect_uri": redirect_uri or self.redirect_uri,
                 "scope": " ".join(self.scopes) if scope is None else scope,
                 "state": self.state, "code_challenge": challenge,
                 "code_challenge_method": method}
        return f"{self.flow['authorizationUrl']}?{urlencode(query)}"

    def received(self) -> dict[str, str]:
        """The query of the last redirect to the callback."""
        path = [p for p in self._server.received  # type: ignore[attr-defined]
                if p.startswith("/callback?")][-1]
        return {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}

    def _basic(self) -> dict[str, str]:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode(),
                "Content-Type": "application/x-www-form-urlencoded"}

    def token(self, code: str, *, redirect_uri: str | None = None,
              verifier: str | None = None) -> Answer:
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri or self.redirect_uri,
                "code_verifier": verifier or self.verifier}
        answer = http("POST", self.flow["tokenUrl"], body=urlencode(form).encode(),
                      headers=self._basic())
        self._keep(answer)
        return answer

    def refresh(self, refresh_token: str | None = None) -> Answer:
        form = {"grant_type": "refresh_token",
                "refresh_token": refresh_token or self.refresh_token}
        answer = http("POST", self.flow["refreshUrl"], body=urlencode(form).encode(),
                      headers=self._basic())
        self._keep(answer)
        return answer

    def _keep(self, answer: Answer) -> None:
        if answer.status == 200:
            body = answer.json()
            self.access_token, self.refresh_token = body["access_token"], body["refresh_token"]

    def _bearer(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.access_token}"}

    def get_credentials(self, query: str = "", token: str | None = None) -> Answer:
        return http("GET", f"{self.api}/credentials{query}", headers=self._bearer(token))

    def upsert_credential(self, credential: dict[str, Any] | str) -> Answer:
        if isinstance(credential, str):
            body, kind = credential.encode(), "text/plain"
        else:
            body, kind = json.dumps(credential).encode(), "application/json"
        return http("POST", f"{self.api}/credentials", body=body,
                    headers={**self._bearer(None), "Content-Type": kind})

    def get_profile(self, token: str | None = None) -> Answer:
        return http("GET", f"{self.api}/profile", headers=self._bearer(token))

    def put_profile(self, profile: dict[str, Any]) -> Answer:
        return http("PUT", f"{self.api}/profile", body=json.dumps(profile).encode(),
                    headers={**self._bearer(None), "Content-Type": "application/json"})
