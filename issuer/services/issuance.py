"""Awarding an achievement: build, check, sign and store a credential in one transaction.

The credential follows OB 3.0 §B.1.2 with the issuer's ``did:web`` Profile, a
``MicroCredential`` achievement, and the recipient identified by a salted
``sha256$`` e-mail hash plus their name (OB 3.0 §B.1.11 IdentityObject).
Before signing it must pass the OB JSON Schema and JSON-LD safe mode.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime
from datetime import timedelta
from typing import Literal

import sqlalchemy.orm as so

from badges import dataintegrity
from badges import jsonld
from badges import model
from badges import schema
from badges.jwt import sign_jwt
from badges.keys import KeyType
from issuer.models import IssuedCredential
from issuer.services import achievements as achievement_service
from issuer.services import audit
from issuer.services import organizations
from issuer.services import recipients
from issuer.services import signing_keys
from issuer.services import status as status_service
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError

Format = Literal["di", "jwt"]
__all__ = ["Format", "IssuerContext", "award", "renew", "share_url"]


def share_url(base_url: str, issued: IssuedCredential) -> str:
    """The credential's public share URL (unguessable)."""
    return f"{base_url}/c/{issued.share_token}"


def award(session: so.Session, ctx: IssuerContext, *, issuer: str, achievement: str,
          email: str, name: str, actor: str, now: datetime, fmt: Format = "di",
          narrative: str | None = None,
          renews: IssuedCredential | None = None) -> IssuedCredential:
    """Award ``achievement`` of ``issuer`` to the person with ``email``.

    Args:
        session: the transaction to work in (nothing is committed here).
        ctx: base URL and key-encryption key.
        issuer: organization slug.
        achievement: achievement id or slug.
        email: the recipient's e-mail address.
        name: the recipient's name as it should appear on the credential.
        actor: who awards (for the audit log).
        now: the issue time.
        fmt: ``di`` (eddsa-rdfc-2022, default) or ``jwt`` (ES256 VC-JWT).
        narrative: optional note on how it was earned (credentialSubject.narrative).
        renews: the credential this one renews (named in its evidence).

    Returns:
        The stored credential.

    Raises:
        ServiceError: unknown issuer or achievement, invalid e-mail or name,
            a credential that fails the schema or safe mode.
    """
    if fmt not in ("di", "jwt"):
        raise ServiceError("format must be 'di' or 'jwt'", code="invalid_format")
    org = organizations.get(session, issuer)
    definition = achievement_service.get(session, org, achievement)
    if not definition.active:
        raise ServiceError(f"achievement {definition.slug!r} is retired",
                           code="achievement_retired", status=409)
    address = validation.email(email)
    display = validation.text(name, field="name", max_length=200) or ""
    note = validation.text(narrative, field="narrative", max_length=10_000, required=False)
    person = recipients.find_or_create(session, email=address, name=display)
    issued_at = now.replace(microsecond=0)
    valid_until = issued_at + timedelta(days=definition.validity_days) \
        if definition.validity_days else None
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    key_type: KeyType = "ed25519" if fmt == "di" else "p256"
    try:
        signer = signing_keys.current_signer(session, org, key_type, kek=ctx.kek,
                                             base_url=ctx.base_url)
    except LookupError:
        raise ServiceError(f"{org.slug} has no current signing key; run "
                           f"'badges keys rotate --issuer {org.slug}'",
                           code="no_signing_key", status=409) from None
    issued = IssuedCredential(
        credential_id=credential_id, organization_id=org.id, achievement_id=definition.id,
        person_id=person.id, recipient_email=address, recipient_name=display, format=fmt,
        document="", signing_key_id=signer.row.id, share_token=secrets.token_urlsafe(24),
        issued_at=issued_at, valid_from=issued_at, valid_until=valid_until,
        renews_id=renews.id if renews is not None else None)
    session.add(issued)
    session.flush()
    entries = status_service.allocate(session, org, issued)
    evidence = (model.Evidence(
        id=share_url(ctx.base_url, renews), name="Previous credential",
        narrative=f"Renews credential {renews.credential_id}, first awarded "
                  f"{model.format_datetime(renews.issued_at)}."),) if renews is not None else ()
    subject = model.AchievementSubject(
        achievement=achievement_service.to_model(definition, base_url=ctx.base_url),
        identifier=(model.IdentityObject.hashed_email(address, secrets.token_hex(8)),
                    model.IdentityObject.plain_name(display)),
        narrative=note)
    credential = model.OpenBadgeCredential(
        id=credential_id, issuer=organizations.profile(ctx.base_url, org),
        valid_from=issued_at, valid_until=valid_until, awarded_date=issued_at,
        credential_subject=subject, name=definition.name,
        description=definition.description, evidence=evidence,
        credential_status=tuple(status_service.entries_json(ctx.base_url, org, entries)),
    ).to_json()
    _check(credential)
    if fmt == "di":
        signed = dataintegrity.sign_credential(
            credential, key=signer.pair, created=model.format_datetime(issued_at))
        issued.document = json.dumps(signed, indent=2, ensure_ascii=False)
    else:
        issued.document = sign_jwt(credential, key=signer.pair)
    session.flush()
    audit.record(session, actor=actor, action="credential.awarded", organization_id=org.id,
                 subject_type="credential", subject_id=credential_id, at=issued_at,
                 detail={"achievement": definition.slug, "recipient": address,
                         "format": fmt, "key": signer.row.key_id,
                         "renews": renews.credential_id if renews is not None else None})
    return issued


def renew(session: so.Session, ctx: IssuerContext, ref: str, *, actor: str, now: datetime,
          fmt: Format | None = None) -> IssuedCredential:
    """Issue a new credential for the same person and achievement, referring to ``ref``.

    The new credential names the prior one in its evidence; the prior one is
    left as it is (it expires on its own date). Revoked credentials are not renewed.

    Raises:
        ServiceError: ``unknown_credential``, ``already_revoked``.
    """
    prior = status_service.find_credential(session, ref)
    if prior.revoked_at is not None:
        raise ServiceError("a revoked credential cannot be renewed", code="already_revoked",
                           status=409)
    return award(session, ctx, issuer=prior.organization.slug,
                 achievement=prior.achievement_id, email=prior.recipient_email,
                 name=prior.recipient_name, actor=actor, now=now,
                 fmt=fmt or prior.format, renews=prior)  # type: ignore[arg-type]


def _check(credential: dict[str, object]) -> None:
    issues = schema.check_credential(credential) + schema.conformance_issues(credential)
    if issues:
        raise ServiceError("the credential would not pass the Open Badges 3.0 schema: "
                           + "; ".join(f"{i.path}: {i.message}" for i in issues[:3]),
                           code="schema_invalid", status=422)
    terms, types = jsonld.undefined_terms(credential)
    if terms or types:
        raise ServiceError("the credential uses undefined JSON-LD terms: "
                           + ", ".join([*terms, *types]), code="undefined_term", status=422)
