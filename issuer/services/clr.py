"""A teacher's Comprehensive Learner Record (CLR 2.0) from one issuer (issue #20).

Collects the teacher's credentials from the issuer (by any of the teacher's
e-mail addresses), embeds each signed Open Badge unchanged in a
``ClrCredential`` (:func:`badges.clr.build_clr`) and signs the record with the
issuer's current Ed25519 key, as awards are signed. Credentials that cannot
stand in a record a hiring school will check are left out and named, and the
record is then marked ``partial`` (CLR 2.0 §ClrCredential): revoked,
suspended or expired ones, and VC-JWT ones (a CLR embeds JSON credentials).
The record carries the structure of the issuer's pathways the teacher is on
(CLR 2.0 §Association, from :func:`issuer.workflow.pathways.record_associations`):
each component ``isPartOf`` its capstone, earlier steps ``precede`` later
ones, kept only where both ends are achievements of embedded credentials.
The record is not stored; issuing it is audited.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges.clr import Association
from badges.clr import ClrError
from badges.clr import build_clr
from badges.clr import sign_clr
from issuer.models import IssuedCredential
from issuer.services import audit
from issuer.services import organizations
from issuer.services import recipients
from issuer.services import signing_keys
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError

__all__ = ["ClrResult", "StructureSource", "reason_left_out", "teacher_clr", "within_record"]


@dataclass
class ClrResult:
    """A signed record and what went into it.

    Attributes:
        document: the signed ``ClrCredential``.
        included: the credentials embedded, in order.
        left_out: ``(credential, reason)`` for each credential not embedded.
    """

    document: dict[str, Any]
    included: list[IssuedCredential] = field(default_factory=list)
    left_out: list[tuple[IssuedCredential, str]] = field(default_factory=list)


def reason_left_out(issued: IssuedCredential, now: datetime) -> str | None:
    """Why ``issued`` cannot go in a record at ``now`` (None when it can)."""
    if issued.revoked_at is not None:
        return "revoked"
    if issued.suspended_at is not None:
        return "suspended"
    if issued.valid_until is not None and issued.valid_until <= now:
        return "expired"
    if issued.format != "di":
        return "a VC-JWT (a CLR embeds JSON credentials)"
    return None


#: Where a record's associations come from: ``(session, person_id, issuer org id)`` to the
#: candidate associations (:func:`issuer.workflow.pathways.record_associations`, which the
#: CLI and the wallet pass; the service layer does not import the workflow layer).
StructureSource = Callable[[so.Session, int, int], Sequence[Association]]


def within_record(links: Iterable[Association], credentials: Sequence[Mapping[str, Any]]
                  ) -> list[Association]:
    """The associations whose two ends are achievements of ``credentials``, once each.

    CLR 2.0 §Association links achievements of the record; :func:`badges.clr.build_clr`
    refuses any other, so a pathway's links to steps the teacher has not earned
    (or left out) are dropped here.
    """
    held = set()
    for credential in credentials:
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
            held.add(achievement["id"])
    return [link for link in dict.fromkeys(links)
            if link.source_id in held and link.target_id in held]


def teacher_clr(session: so.Session, ctx: IssuerContext, *, issuer: str, email: str,
                now: datetime, actor: str,
                credential_ids: Sequence[str] = (),
                structure: StructureSource | None = None) -> ClrResult:
    """Build and sign the CLR of the teacher with ``email``'s credentials from ``issuer``.

    Args:
        session: the transaction (the audit event is added to it).
        ctx: base URL and key-encryption key.
        issuer: the issuer's slug.
        email: any of the teacher's e-mail addresses; the record's subject is
            identified by its salted hash.
        now: the record's ``validFrom`` and proof time.
        actor: who asked (for the audit log).
        credential_ids: only these credentials (``urn:uuid:...`` ids); empty
            for all of the teacher's credentials from the issuer.
        structure: where the pathway associations come from (none when None);
            only those between embedded credentials' achievements are kept.

    Returns:
        The :class:`ClrResult`.

    Raises:
        ServiceError: unknown issuer or teacher (404), an id that is not one of
            the teacher's credentials from the issuer (``unknown_credential``,
            404), nothing left to embed (``no_credentials``, 404), no signing
            key (409), a record the CLR schema or safe mode refuses (422).
    """
    org = organizations.get(session, issuer)
    address = validation.email(email)
    person = recipients.find_by_email(session, address)
    if person is None:
        raise ServiceError(f"nobody with the address {address} has credentials here",
                           code="unknown_recipient", status=404)
    rows = list(session.scalars(sa.select(IssuedCredential).where(
        IssuedCredential.organization_id == org.id,
        IssuedCredential.person_id == person.id).order_by(IssuedCredential.issued_at,
                                                          IssuedCredential.credential_id)))
    chosen = rows
    if credential_ids:
        by_id = {row.credential_id: row for row in rows}
        missing = [ref for ref in credential_ids if ref not in by_id]
        if missing:
            raise ServiceError(f"{missing[0]} is not one of {address}'s credentials from "
                               f"{org.slug}", code="unknown_credential", status=404)
        chosen = [by_id[ref] for ref in dict.fromkeys(credential_ids)]
    result = ClrResult(document={})
    for row in chosen:
        reason = reason_left_out(row, now)
        if reason is None:
            result.included.append(row)
        else:
            result.left_out.append((row, reason))
    if not result.included:
        raise ServiceError(f"{address} has no credentials from {org.slug} that can go in a "
                           "record (revoked, suspended, expired and VC-JWT ones are left out)",
                           code="no_credentials", status=404)
    try:
        signer = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                             base_url=ctx.base_url)
    except LookupError:
        raise ServiceError(f"{org.slug} has no current signing key; run "
                           f"'badges keys rotate --issuer {org.slug}'",
                           code="no_signing_key", status=409) from None
    issued_at = now.replace(microsecond=0)
    clr_id = f"urn:uuid:{uuid.uuid4()}"
    embedded = [json.loads(row.document) for row in result.included]
    links = within_record(structure(session, person.id, org.id), embedded) if structure \
        else []
    try:
        unsigned = build_clr(
            clr_id=clr_id, issuer=organizations.profile(ctx.base_url, org),
            learner_email=address, salt=secrets.token_hex(16),
            credentials=embedded, associations=links,
            valid_from=issued_at, name=f"{person.display_name}: learner record from {org.name}",
            description=f"Micro-credentials {org.name} awarded to {person.display_name}.",
            partial=len(result.included) < len(rows))
        result.document = sign_clr(unsigned, key=signer.pair, created=issued_at)
    except ClrError as exc:
        raise ServiceError(exc.message, code=exc.code, status=422) from None
    audit.record(session, actor=actor, action="clr.issued", organization_id=org.id,
                 subject_type="clr", subject_id=clr_id, at=issued_at,
                 detail={"recipient": address, "key": signer.row.key_id,
                         "credentials": [row.credential_id for row in result.included],
                         "associations": len(links),
                         "left_out": {row.credential_id: why for row, why in result.left_out}})
    return result
