"""Resolvers through the API: controller documents at URLs, the older 1EdTech revocation list."""

from __future__ import annotations

import uuid
from typing import Any

from badges import dataintegrity
from badges import keys
from badges.loader import OB_EXTENSIONS
from tests.conftest import load_json
from tests.verifier.conftest import Documents
from tests.verifier.conftest import did_document


def _verify(client: Any, credential: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/v1/verify", json=credential)
    assert answer.status_code == 200
    payload: dict[str, Any] = answer.get_json()
    return payload


def _check(payload: dict[str, Any], check_id: str) -> tuple[str, str]:
    found = next(c for c in payload["checks"] if c["id"] == check_id)
    return found["outcome"], found["code"]


def _url_issuer(documents: Documents) -> tuple[str, keys.KeyPair]:
    """An issuer identified by a URL whose controller document lists its key."""
    issuer = documents.base + "/issuers/harbor"
    key = keys.generate("ed25519").with_controller(issuer, f"{issuer}#key-1")
    documents.json("/issuers/harbor", did_document(issuer, (key.id, key.public.multibase)),
                   "application/ld+json")
    return issuer, key


def _credential(issuer: str, **changes: Any) -> dict[str, Any]:
    cred: dict[str, Any] = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["id"] = f"urn:uuid:{uuid.uuid4()}"
    cred["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Harbor Charter Schools"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    cred.update(changes)
    return cred


def test_key_published_in_a_controller_document_at_the_issuer_url(
        client: Any, documents: Documents) -> None:
    issuer, key = _url_issuer(documents)
    signed = dataintegrity.sign_credential(_credential(issuer), key=key,
                                           created="2026-01-05T09:00:00Z")
    payload = _verify(client, signed)
    assert _check(payload, "key_binding") == ("passed", "key_published")
    # bound and intact; its issuer is on no list of this verifier's, so not "verified"
    assert payload["verdict"] == "unknown_issuer", payload
    # the controller document no longer lists the key: not bound
    documents.json("/issuers/harbor", did_document(issuer), "application/ld+json")
    client.application.extensions["verifier"].verifier.fetcher.clear()
    payload = _verify(client, signed)
    assert payload["verified"] is False


def test_1edtech_revocation_list(client: Any, documents: Documents) -> None:
    issuer, key = _url_issuer(documents)
    revoked = _credential(issuer)
    kept = _credential(issuer)
    url = documents.json("/issuers/harbor/revocations", {
        "id": documents.base + "/issuers/harbor/revocations", "issuer": issuer,
        "revokedCredential": [{"id": revoked["id"], "revocationReason": "Issued in error"}]})
    for cred in (revoked, kept):
        cred["@context"] = [*cred["@context"], OB_EXTENSIONS]  # defines the 1EdTech type
        cred["credentialStatus"] = {"id": url, "type": "1EdTechRevocationList"}
    created = "2026-01-05T09:00:00Z"
    payload = _verify(client, dataintegrity.sign_credential(revoked, key=key, created=created))
    assert _check(payload, "status") == ("failed", "revoked")
    assert payload["verdict"] == "revoked", [c for c in payload["checks"]
                                             if c["outcome"] == "failed"]
    payload = _verify(client, dataintegrity.sign_credential(kept, key=key, created=created))
    assert _check(payload, "status") == ("passed", "not_revoked")
