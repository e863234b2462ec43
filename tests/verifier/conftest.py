"""Fixtures for the verifier: loopback document servers, a test issuer, the apps.

Everything on the network is a server these fixtures start on 127.0.0.1; the
``network_guard`` fixture fails any connection to another address (and records
the attempt), so tests prove the verifier refuses private addresses *before*
connecting.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from badges import dataintegrity
from badges import keys
from badges import status_list
from tests.conftest import load_json

# The issuer fixtures of tests/issuer, for the tests against the live issuer service.
from tests.issuer.conftest import db_url  # noqa: F401
from tests.issuer.conftest import live_server  # noqa: F401
from tests.issuer.conftest import make_app  # noqa: F401
from tests.issuer.conftest import templates  # noqa: F401
from verifier import create_app

CREATED = "2026-01-05T09:00:00Z"


@dataclass
class Route:
    """What the loopback server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds between bytes of the body (a server that trickles), 0 to send at once
    trickle: float = 0.0


class Documents:
    """A loopback HTTP server serving documents a test puts in it."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                hits.append(self.path)
                route = routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if not route.trickle:
                    self.wfile.write(route.body)
                    return
                try:
                    for byte in route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.trickle)
                except OSError:  # the client gave up, as it should
                    return

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, path: str, document: Any, content_type: str = "application/json") -> str:
        self.routes[path] = Route(body=json.dumps(document).encode(),
                                  headers={"Content-Type": content_type})
        return self.base + path

    def raw(self, path: str, body: bytes, content_type: str) -> str:
        self.routes[path] = Route(body=body, headers={"Content-Type": content_type})
        return self.base + path

    def slow(self, path: str, body: bytes, content_type: str = "application/json",
             trickle: float = 0.5) -> str:
        """A route whose body arrives one byte every ``trickle`` seconds."""
        self.routes[path] = Route(body=body, headers={"Content-Type": content_type},
                                  trickle=trickle)
        return self.base + path

    def redirect(self, path: str, location: str) -> str:
        self.routes[path] = Route(status=302, headers={"Location": location})
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@pytest.fixture
def documents() -> Iterator[Documents]:
    server = Documents()
    yield server
    server.close()


@dataclass
class DidWebIssuer:
    """A did:web issuer on the loopback document server, with its signing key."""

    docs: Documents
    key: keys.KeyPair
    did: str
    name: str = "Lakeside Unified School District"

    def credential(self, **changes: Any) -> dict[str, Any]:
        """An unsigned OB 3.0 credential from this issuer (the spec's basic example)."""
        cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
        cred["issuer"] = {"id": self.did, "type": ["Profile"], "name": self.name}
        cred["validFrom"] = "2026-01-05T09:00:00Z"
        cred.update(changes)
        return cred

    def sign(self, credential: dict[str, Any], key: keys.KeyPair | None = None) -> dict[str, Any]:
        return dataintegrity.sign_credential(credential, key=key or self.key, created=CREATED)

    def status_list(self, purpose: str, set_bits: tuple[int, ...] = (),
                    path: str | None = None, tamper: bool = False) -> str:
        """Publish a signed BitstringStatusListCredential; returns its URL."""
        path = path or f"/status/{purpose}/1"
        url = self.docs.base + path
        bits = status_list.Bitstring()
        for index in set_bits:
            bits.set(index)
        listing = self.sign({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did, "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": purpose,
                                  "encodedList": status_list.encode_list(bits)},
        })
        if tamper:
            # the list now says something else than what was signed
            other = status_list.Bitstring()
            other.set(3)
            listing["credentialSubject"]["encodedList"] = status_list.encode_list(other)
        return self.docs.json(path, listing)

    @staticmethod
    def status_entry(url: str, purpose: str, index: int) -> dict[str, Any]:
        return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
                "statusPurpose": purpose, "statusListIndex": str(index),
                "statusListCredential": url}


def did_document(did: str, *methods: tuple[str, str]) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did,
                                "publicKeyMultibase": mb} for vm, mb in methods],
        "assertionMethod": [vm for vm, _ in methods],
    }


@pytest.fixture
def issuer(documents: Documents) -> DidWebIssuer:
    did = f"did:web:127.0.0.1%3A{documents.port}:issuers:lakeside"
    key = keys.generate("ed25519").with_controller(did, f"{did}#ed-1")
    documents.json("/issuers/lakeside/did.json",
                   did_document(did, (key.id, key.public.multibase)),
                   "application/did+ld+json")
    return DidWebIssuer(documents, key, did)


#: A fetch policy that reaches the tests' loopback servers (any port) over plain HTTP.
LOOPBACK: dict[str, Any] = {"allow_hosts": frozenset({"127.0.0.1"}),
                            "allow_http": frozenset({"127.0.0.1"})}


@pytest.fixture
def verifier_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build a standalone verifier; in testing mode the loopback test servers are allow-listed.

    Nothing else on loopback or a private network is reachable, in testing or
    development mode alike: only what the allow-list names.
    """

    def build(**config: Any) -> Flask:
        settings = {"env": "testing", "instance_path": str(tmp_path / "instance"), **config}
        if settings["env"] != "production":
            settings.setdefault("fetch_allow_hosts", "127.0.0.1")
        return create_app(settings)

    return build


def registry_file(folder: Path, issuers: dict[str, str], name: str = "Test districts") -> str:
    """A known-issuers file (``BADGES_VERIFIER_REGISTRY``) naming ``issuers`` (id → name)."""
    path = folder / "known-issuers.json"
    path.write_text(json.dumps({"name": name, "issuers": [
        {"id": ident, "name": title} for ident, title in issuers.items()]}))
    return str(path)


@pytest.fixture
def client(verifier_app: Callable[..., Flask], issuer: DidWebIssuer, tmp_path: Path) -> Any:
    """The standalone verifier, whose list of known issuers names the test ``issuer``."""
    known = registry_file(tmp_path, {issuer.did: issuer.name})
    return verifier_app(registry=known).test_client()


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """Test-client keywords for a multipart body encoded in memory.

    The test client spools a body over 500 KB to a temporary file that stays
    open (a ResourceWarning) when it is not read to the end; this one is bytes.
    Values are strings or ``(stream, filename)`` pairs.
    """
    boundary, body = encode_multipart({
        name: FileStorage(stream=value[0], filename=value[1]) if isinstance(value, tuple)
        else value for name, value in fields.items()})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


class Attempts(list[Any]):
    """Connections the code under test tried to open to non-loopback addresses."""


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Attempts:
    """Refuse (and record) any connection to an address outside 127.0.0.0/8 and ::1."""
    attempts = Attempts()
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def loopback(host: Any) -> bool:
        return isinstance(host, str) and (host.startswith("127.") or host in ("::1",
                                                                              "localhost"))

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if not loopback(host):
            attempts.append(address)
            raise ConnectionRefusedError(f"test network guard: {address!r} is not loopback")
        return real_connect(self, address)

    def guarded_create(address: Any, *args: Any, **kwargs: Any) -> Any:
        if not loopback(address[0]):
            attempts.append(address)
            raise ConnectionRefusedError(f"test network guard: {address!r} is not loopback")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create)
    return attempts
