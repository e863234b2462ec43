"""The live service's VC-JWTs against PyPI ``openbadgeslib``'s OB 3.0 verifier, status on.

openbadgeslib (an independent Python implementation, pinned in the test tools)
verifies OB 3.0 credentials only as VC-JWTs and reads status lists only as
VC-JWTs whose signature it checks with the badge's own key. Our VC-JWT
credentials name the VC-JWT form of their revocation list (``….jwt``), so it
checks them with its defaults: ``verify(check_status=True)``, the list's own
proof verified and bound to the issuer.

The one adaptation is its download function: openbadgeslib resolves
``did:web:127.0.0.1%3APORT:…`` to an ``https://`` URL, and the test service
speaks plain HTTP on loopback, so the function given to it fetches the same
path over HTTP (what its ``allow_insecure``/``allow_private`` switches are for).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.parse import urlunsplit
from urllib.request import urlopen

import pytest
from openbadgeslib.ob3.verifier import OB3VerificationError
from openbadgeslib.ob3.verifier import OB3Verifier

from issuer.services import issuance
from issuer.services import status
from issuer.services.issuance import IssuerContext
from tests.issuer import seed
from tests.issuer.conftest import LiveServer


def _loopback_download(base_url: str) -> Callable[[str], bytes]:
    """Fetch ``url`` from the test service only, over its plain-HTTP loopback port."""
    served = urlsplit(base_url)

    def download(url: str) -> bytes:
        parts = urlsplit(url)
        assert parts.netloc == served.netloc, f"openbadgeslib asked for {url}"
        with urlopen(urlunsplit(("http", parts.netloc, parts.path, parts.query, "")),  # noqa: S310
                     timeout=10) as response:
            body: bytes = response.read()
            return body

    return download


@pytest.fixture
def awarded(live_server: LiveServer) -> tuple[LiveServer, list[issuance.IssuedCredential]]:
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
                now=seed.now_of(app), fmt="jwt"))
    return live_server, issued


def test_openbadgeslib_verifies_our_jwts_with_status_and_sees_a_revocation(
        awarded: tuple[LiveServer, list[issuance.IssuedCredential]]) -> None:
    server, issued = awarded
    download = _loopback_download(server.base_url)
    did = f"did:web:127.0.0.1%3A{urlsplit(server.base_url).port}:issuers:lakeside"
    verifier = OB3Verifier.for_issuer_did(did, download=download)
    for credential in issued:
        checked = verifier.verify(credential.document, check_status=True, download=download)
        assert checked.issuer.id == did

    with server.app.extensions["badges"]["db"].session() as session:
        status.revoke(session, issued[0].credential_id, reason="awarded in error",
                      public=False, actor="test", now=seed.now_of(server.app))
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(issued[0].document, check_status=True, download=download)
    # the other credential on the same list is untouched
    verifier.verify(issued[1].document, check_status=True, download=download)

    tampered = issued[1].document[:-4] + ("AAAA" if not issued[1].document.endswith("AAAA")
                                          else "BBBB")
    with pytest.raises(OB3VerificationError):
        verifier.verify(tampered, check_status=True, download=download)
