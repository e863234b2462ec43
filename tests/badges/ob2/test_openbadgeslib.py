"""Cross-check with an independent implementation: PyPI ``openbadgeslib`` (its ``ob2``).

Badges that openbadgeslib signs and bakes verify here, and the test issuer's
signed and hosted badges verify there. openbadgeslib is pinned in the test
tools (``pip install -e '.[dev]'``, which ``scripts/setup --dev`` runs).
"""

from __future__ import annotations

import json
from typing import Any

import openbadgeslib.ob2 as ob2lib
import pytest
from cryptography.hazmat.primitives import serialization

from badges.trust import TrustRegistry
from badges.verdict import Verdict
from badges.verify import verify_credential
from tests.badges.ob2.issuer import EMAIL
from tests.badges.ob2.issuer import SALT
from tests.badges.ob2.issuer import Ob2Issuer
from tests.badges.ob2.issuer import plain_png
from tests.conftest import NOW

BASE = "https://badges.lakeside.example.org"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def _private_pem(issuer: Ob2Issuer) -> bytes:
    return issuer.key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())


def _their_assertion(issuer: Ob2Issuer, kind: str, ident: str | None = None) -> Any:
    return ob2lib.Assertion(
        recipient=ob2lib.IdentityObject.create(EMAIL, SALT), badge=issuer.badge_id,
        verification=ob2lib.Verification(kind, issuer.key_id if kind == "SignedBadge" else None),
        id=ident, issued_on=NOW.replace(month=3))


def _ours(issuer: Ob2Issuer, data: Any) -> Verdict:
    registry = TrustRegistry(issuers={issuer.issuer_id: issuer.name})
    return verify_credential(data, now=NOW, fetch_document=issuer.load, registry=registry,
                             recipient=EMAIL).verdict


def test_their_signed_badges_verify_here() -> None:
    issuer = Ob2Issuer(BASE)
    signer = ob2lib.OB2Signer(_private_pem(issuer), "RS256")
    assertion = _their_assertion(issuer, "SignedBadge")
    assert _ours(issuer, signer.sign(assertion)) == Verdict.VERIFIED
    assert _ours(issuer, signer.sign_into_png(assertion, plain_png())) == Verdict.VERIFIED
    assert _ours(issuer, signer.sign_into_svg(assertion, SVG)) == Verdict.VERIFIED


def test_their_baked_hosted_badge_verifies_here() -> None:
    issuer = Ob2Issuer(BASE)
    assertion = _their_assertion(issuer, "HostedBadge", f"{issuer.base}/assertions/t.json")
    issuer.put(assertion.to_dict())
    signer = ob2lib.OB2Signer(_private_pem(issuer), "RS256")
    assert _ours(issuer, signer.sign_into_png(assertion, plain_png())) == Verdict.VERIFIED


def test_our_badges_verify_there() -> None:
    issuer = Ob2Issuer(BASE)
    public = issuer.documents[issuer.key_id]["publicKeyPem"]
    token = issuer.sign(issuer.assertion("1", signed=True))
    verified = ob2lib.OB2Verifier(public).verify(token, expected_recipient=EMAIL)
    assert verified.badge == issuer.badge_id
    hosted = issuer.assertion("2")

    def download(url: str) -> bytes:
        return json.dumps(issuer.documents[url]).encode()

    their = ob2lib.OB2Verifier(download=download)
    assert their.verify_hosted(hosted, expected_recipient=EMAIL).id == hosted["id"]
    issuer.revoke(hosted["id"])
    with pytest.raises(ob2lib.OB2VerificationError):
        their.verify_hosted(hosted, check_revocation=True)
