"""The live service's credentials against PyPI ``openbadgeslib``'s OB 3.0 verifiers, status on.

openbadgeslib (an independent Python implementation, pinned with its ``ldp``
extra in the test tools) verifies OB 3.0 VC-JWTs (``OB3Verifier``) and Data
Integrity ``eddsa-rdfc-2022`` credentials (``OB3LdpVerifier``). Both check
status with their defaults: ``verify(check_status=True)`` with
``verify_status_list=True``, which reads a status list only as a VC-JWT whose
signature it checks under the issuer's DID and binds to the badge's issuer.

* A VC-JWT credential names the ``….jwt`` form of its list, so that works by URL.
* A Data Integrity credential names the list's own URL, which Digital Bazaar
  and DCC verifier-core fetch asking for JSON(-LD). openbadgeslib's fetcher
  (``util.download_file``) sends no ``Accept`` header at all; the service
  answers such a request with the VC-JWT form (``issuer/web/status.py``), so
  openbadgeslib's default check works there too.

The one adaptation is the transport: openbadgeslib resolves
``did:web:127.0.0.1%3APORT:…`` to ``https://``, and the test service speaks
plain HTTP on loopback, so the download function given to it calls
openbadgeslib's own ``download_file`` (the same request, headers included)
on the same path over HTTP with its ``allow_insecure``/``allow_private``
switches, and only for the test service's origin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pytest
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError
from openbadgeslib.ob3.verifier import OB3Verifier
from openbadgeslib.util import download_file

from issuer.services import issuance
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import LiveServer


def _loopback_download(base_url: str, asked: list[str]) -> Callable[[str], bytes]:
    """openbadgeslib's own fetcher, pointed at the test service's plain-HTTP loopback port."""
    served = urlsplit(base_url)

    def download(url: str) -> bytes:
        asked.append(url)
        parts = urlsplit(url)
        assert parts.netloc == served.netloc, f"openbadgeslib asked for {url}"
        plain = urlunsplit(("http", parts.netloc, parts.path, parts.query, ""))
        return download_file(plain, allow_insecure=True, allow_private=True)

    return download


@pytest.fixture(params=["jwt", "di"])
def awarded(request: pytest.FixtureRequest,
            live_server: LiveServer) -> tuple[LiveServer, list[issuance.IssuedCredential]]:
    app = live_server.app
    settings = app.extensions["badges"]["settings"]
    ctx = IssuerContext(base_url=live_server.base_url, kek=settings.key_encryption_key)
    issued = []
    with app.extensions["badges"]["db"].session() as session:
        seed.district(session, ctx)
    for n in range(2):
        with app.extensions["badges"]["db"].session() as session:
            issued.append(issuance.award(
                session, ctx, issuer="lakeside", achievement="blended-learning-design",
                email=f"t{n}@lakeside.example.org", name=f"Teacher {n}", actor="test",
                now=seed.now_of(app), fmt=request.param))
    return live_server, issued


def _tampered(document: str) -> str:
    if document.startswith("{"):  # Data Integrity: change a signed claim
        credential = json.loads(document)
        credential["credentialSubject"]["achievement"]["name"] = "Forged Achievement"
        return json.dumps(credential)
    return document[:-4] + ("AAAA" if not document.endswith("AAAA") else "BBBB")


def test_openbadgeslib_verifies_our_credentials_with_status_and_sees_a_revocation(
        awarded: tuple[LiveServer, list[issuance.IssuedCredential]]) -> None:
    server, issued = awarded
    asked: list[str] = []
    download = _loopback_download(server.base_url, asked)
    did = f"did:web:127.0.0.1%3A{urlsplit(server.base_url).port}:issuers:lakeside"
    is_di = issued[0].document.startswith("{")
    verifier: Any = (OB3LdpVerifier.for_issuer_did(did, download=download) if is_di
                     else OB3Verifier.for_issuer_did(did, download=download))
    for credential in issued:
        # openbadgeslib's defaults: status checked, the list's own signature verified
        checked = verifier.verify(credential.document, check_status=True, download=download)
        assert checked.issuer.id == did
    list_url = f"{server.base_url}/issuers/lakeside/status/revocation/1"
    # the DI credential names the list itself (its JWT form is negotiated), the JWT the .jwt
    assert (list_url if is_di else f"{list_url}.jwt") in asked, asked

    with server.app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued[0].credential_id, reason="awarded in error",
                      public=False, actor="test", now=seed.now_of(server.app))
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(issued[0].document, check_status=True, download=download)
    # the other credential on the same list is untouched
    verifier.verify(issued[1].document, check_status=True, download=download)

    tampered = _tampered(issued[1].document)
    assert tampered != issued[1].document
    with pytest.raises(OB3VerificationError):
        verifier.verify(tampered, check_status=True, download=download)
