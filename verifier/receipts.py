"""Verification receipts: a signed record of who verified what, when, with which result.

A hiring school keeps the receipt in its hiring file. It is a W3C Verifiable
Credential (VCDM 2.0) issued by the verifier itself and signed with
``eddsa-rdfc-2022`` under the verifier's own ``did:key``, so anyone can check
it later, offline, with any Data Integrity verifier:

* ``credentialSubject.input.sha256``: the SHA-256 of exactly the bytes that
  were verified (the JSON file, the JWT, the baked image, the PDF);
* ``credentialSubject.verifiedAt``, ``result`` (the verdict) and ``verified``;
* ``credentialSubject.checks``: every check's id, outcome and code;
* ``credentialSubject.credential``: what the credential says (id, issuer,
  achievement, recipient, dates);
* ``credentialSubject.requestedBy``: who asked, as typed on the form (optional).

Terms beyond VCDM 2.0's own are defined by an inline context whose
``@vocab`` is :data:`RECEIPT_VOCAB`, so every field is part of the signed RDF
(a term no context defines would be dropped from it, and could be changed
without breaking the signature).

The signing key is an Ed25519 key kept in the instance folder
(``verifier-receipt-key.json``, mode 600), generated on first use.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

from badges import dataintegrity
from badges import keys
from badges.errors import BadgesError
from badges.loader import VC_V2
from badges.model import format_datetime
from badges.report import VerificationReport
from badges.verify import verify_signature
from verifier.intake import Submission
from verifier.render import encodable
from verifier.render import summary

RECEIPT_TYPE = "VerificationReceipt"
#: The vocabulary of the receipt's own terms (``verifiedAt``, ``checks``...).
RECEIPT_VOCAB = "urn:badges:verification-receipt#"
RECEIPT_CONTEXT: list[Any] = [VC_V2, {"@vocab": RECEIPT_VOCAB}]


class ReceiptError(BadgesError):
    """The receipt key could not be loaded or a receipt could not be made."""

    code = "receipt_error"


def _load_or_create(path: Path) -> keys.KeyPair:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pair = keys.generate("ed25519")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first: read theirs
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(pair.to_json(), indent=2) + "\n")
            return pair
    try:
        data = json.loads(path.read_text("utf-8"))
        pair = keys.load_key_file(data)
    except (OSError, ValueError, BadgesError) as exc:
        raise ReceiptError(f"cannot read the receipt key {path}: {exc}") from None
    if pair.type != "ed25519":
        raise ReceiptError(f"the receipt key {path} must be an Ed25519 key")
    return pair


@dataclass
class ReceiptSigner:
    """Issues receipts under the verifier's own key (loaded or created on first use).

    Attributes:
        key_path: the key file.
        name: the verifier's display name (the receipt's issuer name).
    """

    key_path: Path
    name: str = "Badges verifier"
    _key: keys.KeyPair | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def key(self) -> keys.KeyPair:
        """The signing key (created on first use)."""
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = _load_or_create(self.key_path)
        return self._key

    @property
    def did(self) -> str:
        """The verifier's ``did:key``: the receipts' issuer."""
        return self.key.controller

    def describe(self) -> dict[str, Any]:
        """Who signs receipts: name, DID and public key (for ``GET /api/v1/verifier``)."""
        key = self.key
        return {"id": key.controller, "name": self.name,
                "verificationMethod": key.id, "publicKeyMultibase": key.public.multibase}

    def issue(self, report: VerificationReport, *, submission: Submission | None,
              now: datetime, requested_by: str | None = None) -> dict[str, Any]:
        """Sign a receipt for ``report``.

        Args:
            report: the verification report.
            submission: what was verified (its hash goes on the receipt).
            now: the verification time.
            requested_by: who asked (free text from the form), if given.

        Returns:
            The signed receipt credential.
        """
        when = format_datetime(now.replace(microsecond=0))
        facts = {k: encodable(v) for k, v in summary(report).items()
                 if k in ("credential_id", "achievement", "achievement_id", "issuer",
                          "issuer_id", "recipient", "issued", "expires")
                 and isinstance(v, str) and v}
        subject: dict[str, Any] = {
            "type": "VerificationRecord",
            "verifiedAt": when,
            "result": report.verdict.value,
            "verified": report.verified,
            "checks": [{"check": c.id, "outcome": c.outcome.value, "code": c.code}
                       for c in report.checks],
        }
        if facts:
            subject["credential"] = facts
        if submission is not None:
            subject["input"] = {k: v for k, v in submission.to_json().items()
                                if k in ("source", "sha256", "url", "filename")}
        who = encodable(" ".join((requested_by or "").split())[:200])
        if who:
            subject["requestedBy"] = who
        receipt = {
            "@context": json.loads(json.dumps(RECEIPT_CONTEXT)),
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": ["VerifiableCredential", RECEIPT_TYPE],
            "name": "Verification receipt",
            "description": "A record of an Open Badges credential verification: what was "
                           "checked, when, and with which result.",
            "issuer": {"id": self.key.controller, "name": self.name},
            "validFrom": when,
            "credentialSubject": subject,
        }
        return dataintegrity.sign_credential(receipt, key=self.key, created=when)


def check_receipt(receipt: Mapping[str, Any], *,
                  expected_issuer: str | None = None) -> VerificationReport:
    """Check a receipt's signature offline (it is signed under a ``did:key``).

    Args:
        receipt: the receipt credential.
        expected_issuer: the verifier DID it must come from, if known.

    Returns:
        A report with ``format``, ``proof`` and ``key_binding`` checks; the
        format check fails for a document that is not a receipt or comes from
        another verifier.
    """
    from badges.report import CheckResult
    from badges.report import Outcome

    types = receipt.get("type")
    issuer = receipt.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(types, list) or RECEIPT_TYPE not in types:
        return VerificationReport((CheckResult("format", Outcome.FAILED, "not_a_receipt",
                                               "The document is not a verification receipt."),))
    if expected_issuer is not None and issuer_id != expected_issuer:
        return VerificationReport((CheckResult(
            "format", Outcome.FAILED, "other_verifier",
            "The receipt was issued by another verifier.", {"issuer": issuer_id}),))
    if not isinstance(issuer_id, str) or not issuer_id.startswith("did:key:"):
        return VerificationReport((CheckResult("format", Outcome.FAILED, "not_a_receipt",
                                               "A receipt is issued under a did:key."),))
    return verify_signature(receipt, fetch_document=None)
