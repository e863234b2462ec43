"""Endorsements as the public pages show them: "endorsed by …" only once verified.

The district service's own verifier (:meth:`verifier.service.Verifier.verify_endorsement`,
which reads this deployment's DID documents and status lists from its
database) checks each endorsement when a page is drawn, so a withdrawn
endorsement or one whose signature is not its endorser's is never shown as
an endorsement (OB 3.0 §9.1 step 6; :mod:`badges.endorsements`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from flask import current_app

from badges.endorsements import Shown
from badges.endorsements import shown_about
from badges.endorsements import shown_in
from badges.errors import BadgesError
from badges.jwt import decode_jwt
from issuer.models import IssuedCredential
from verifier.service import Verifier


def _verifier() -> Verifier:
    verifier: Verifier = current_app.extensions["verifier"].verifier
    return verifier


def about(documents: Iterable[Mapping[str, Any]], subject_id: str) -> list[Shown]:
    """Published endorsements of ``subject_id`` (an achievement or issuer), each verified."""
    verify = _verifier().verify_endorsement
    return [shown_about(doc, subject_id=subject_id, verify=verify) for doc in documents]


def carried(document: str, fmt: str) -> list[Shown]:
    """The endorsements a stored credential (JSON or VC-JWT text) carries, each verified."""
    try:
        credential = decode_jwt(document, check_header=False).credential if fmt == "jwt" \
            else json.loads(document)
    except (ValueError, BadgesError):
        return []
    if not isinstance(credential, Mapping):
        return []
    return shown_in(credential, verify=_verifier().verify_endorsement)


def verified_endorsers(issued: IssuedCredential) -> tuple[str, ...]:
    """The names of the endorsers whose endorsements in ``issued`` verified (certificates)."""
    return tuple(e.endorser for e in carried(issued.document, issued.format) if e.verified)
