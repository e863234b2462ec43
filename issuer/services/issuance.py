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
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Literal

import sqlalchemy.orm as so

from badges import dataintegrity
from badges import jsonld
from badges import model
from badges import schema
from badges.jwt import sign_jwt
from badges.keys import KeyPair
from badges.keys import KeyType
from issuer import metrics
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.services import achievements as achievement_service
from issuer.services import audit
from issuer.services import authoring
from issuer.services import endorsements as endorsement_service
from issuer.services import organizations
from issuer.services import recipients
from issuer.services import signable
from issuer.services import signing_keys
from issuer.services import status as status_service
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError

Format = Literal["di", "jwt"]
__all__ = ["Format", "IssuerContext", "award", "build_credential", "check_credential",
           "renew", "share_url", "sign_document"]


def share_url(base_url: str, issued: IssuedCredential) -> str:
    """The credential's public share URL (unguessable)."""
    return f"{base_url}/c/{issued.share_token}"


def award(session: so.Session, ctx: IssuerContext, *, issuer: str | Organization,
          achievement: str,
          email: str, name: str, actor: str, now: datetime, fmt: Format = "di",
          narrative: str | None = None,
          renews: IssuedCredential | None = None,
          source: model.Profile | None = None,
          results: tuple[model.Result, ...] = (),
          evidence: tuple[model.Evidence, ...] = (),
          version: int | None = None) -> IssuedCredential:
    """Award ``achievement`` of ``issuer`` to the person with ``email``.

    Args:
        session: the transaction to work in (nothing is committed here).
        ctx: base URL and key-encryption key.
        issuer: the organization, or its slug.
        achievement: achievement id or slug.
        email: the recipient's e-mail address.
        name: the recipient's name as it should appear on the credential.
        actor: who awards (for the audit log).
        now: the issue time.
        fmt: ``di`` (eddsa-rdfc-2022, default) or ``jwt`` (ES256 VC-JWT).
        narrative: optional note on how it was earned (credentialSubject.narrative).
        renews: the credential this one renews (named in its evidence).
        source: who assessed on the issuer's behalf (credentialSubject.source,
            e.g. the reviewer who approved the evidence).
        results: rubric results (credentialSubject.result); each must reference a
            ResultDescription of the achievement and one of its levels (OB 3.0 §B.1.16).
        evidence: evidence to include (after the renewal reference, if any).
        version: the achievement version to award (the one a submission was
            reviewed against); None for the current one.

    Returns:
        The stored credential.

    Raises:
        ServiceError: unknown issuer or achievement, invalid e-mail or name,
            a credential that fails the schema or safe mode, results that do not
            match the achievement's rubric (``invalid_result``).
    """
    if fmt not in ("di", "jwt"):
        raise ServiceError("format must be 'di' or 'jwt'", code="invalid_format")
    # Everything is read first and written last: the person, the signed credential and
    # the audit event in one flush, then the status entries (a position another award
    # took meanwhile is drawn again, and the credential signed again with it).
    org = issuer if isinstance(issuer, Organization) else organizations.get(session, issuer)
    current, alt = achievement_service.get_with_alt(session, org, achievement)
    if not current.active and current.status == "draft":
        raise ServiceError(f"achievement {current.slug!r} is a draft: publish it first",
                           code="achievement_draft", status=409)
    if not current.active:
        raise ServiceError(f"achievement {current.slug!r} is retired",
                           code="achievement_retired", status=409)
    definition = authoring.as_of(session, current, version)
    address = validation.email(email)
    display = validation.text(name, field="name", max_length=200) or ""
    note = validation.text(narrative, field="narrative", max_length=10_000, required=False)
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
    profile = organizations.profile(ctx.base_url, org)
    # partners' current endorsements of the achievement and the issuer (OB 3.0 §B.1.7)
    endorsed = endorsement_service.for_award(session, ctx, issuer_id=str(profile.id),
                                             achievement_id=definition.id)
    # built before anything is added: an older version's art is looked up (a query that
    # would autoflush a credential row that has no document yet)
    achieved = achievement_service.to_model(definition, base_url=ctx.base_url,
                                            alt=alt if definition is current else None)
    positions = status_service.Allocation(session, org)
    person = recipients.find_or_add(session, email=address, name=display)
    issued = IssuedCredential(
        credential_id=credential_id, organization_id=org.id, achievement_id=definition.id,
        person=person, recipient_email=address, recipient_name=display, format=fmt,
        signing_key_id=signer.row.id, share_token=secrets.token_urlsafe(24),
        issued_at=issued_at, valid_from=issued_at, valid_until=valid_until,
        renews_id=renews.id if renews is not None else None,
        achievement_version=authoring.version_number(definition))
    session.add(issued)
    audit.record(session, actor=actor, action="credential.awarded", organization_id=org.id,
                 subject_type="credential", subject_id=credential_id, at=issued_at,
                 detail={"achievement": definition.slug, "recipient": address,
                         "format": fmt, "key": signer.row.key_id,
                         "renews": renews.credential_id if renews is not None else None})
    prior = (model.Evidence(
        id=share_url(ctx.base_url, renews), name="Previous credential",
        narrative=f"Renews credential {renews.credential_id}, first awarded "
                  f"{model.format_datetime(renews.issued_at)}."),) if renews is not None else ()
    claimed = False
    while not claimed:
        status = positions.entries(ctx.base_url, fmt)
        credential = build_credential(
            credential_id=credential_id, issuer=profile, achievement=achieved,
            email=address, name=display, issued_at=issued_at, valid_until=valid_until,
            status=status, narrative=note, evidence=prior + evidence, source=source,
            results=results)
        issued.document = sign_document(endorsement_service.embed_into(credential, endorsed),
                                        key=signer.pair, fmt=fmt, created=issued_at,
                                        status_array=len(status) > 1)
        session.flush()
        claimed = positions.claim(issued)
    metrics.award_pending(session, fmt)
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


def build_credential(*, credential_id: str, issuer: model.Profile,
                     achievement: model.Achievement, email: str, name: str,
                     issued_at: datetime, valid_until: datetime | None,
                     status: Iterable[model.BitstringStatusListEntry],
                     narrative: str | None = None, evidence: tuple[model.Evidence, ...] = (),
                     source: model.Profile | None = None,
                     results: tuple[model.Result, ...] = ()) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one award (OB 3.0 §B.1.2), as :func:`award` builds it.

    The recipient is a salted ``sha256$`` e-mail hash (a fresh salt each
    time) plus their name (OB 3.0 §B.1.12); ``validFrom`` and
    ``awardedDate`` are ``issued_at``.

    Args:
        credential_id: the ``urn:uuid:`` id.
        issuer: the issuer Profile (:func:`organizations.profile`).
        achievement: the OB Achievement (:func:`achievements.to_model`).
        email: the normalized recipient address.
        name: the recipient's name.
        issued_at: award time (whole seconds).
        valid_until: expiry, or None.
        status: the credential's status list entries.
        narrative: credentialSubject.narrative.
        evidence: evidence items.
        source: who assessed on the issuer's behalf (credentialSubject.source).
        results: rubric results (credentialSubject.result).

    Raises:
        ServiceError: ``invalid_result`` when the results do not match the achievement.
    """
    try:
        subject = model.AchievementSubject(
            achievement=achievement,
            identifier=(model.IdentityObject.hashed_email(email, secrets.token_hex(8)),
                        model.IdentityObject.plain_name(name)),
            narrative=narrative, source=source, result=results)
    except (ValueError, TypeError) as exc:
        raise ServiceError(f"the results do not match the achievement: {exc}",
                           code="invalid_result", status=422) from None
    return model.OpenBadgeCredential(
        id=credential_id, issuer=issuer, valid_from=issued_at, valid_until=valid_until,
        awarded_date=issued_at, credential_subject=subject, name=achievement.name,
        description=achievement.description, evidence=evidence,
        credential_status=tuple(status)).to_json()


def sign_document(credential: dict[str, Any], *, key: KeyPair, fmt: Format,
                  created: datetime, status_array: bool = False) -> str:
    """The credential checked and signed: JSON with an eddsa-rdfc-2022 proof, or a VC-JWT.

    This is the issuer's only way to sign a credential, and it always runs
    :func:`check_credential` first, in both formats (OB 3.0 §8.2 VC-JWT and
    §8.3 Data Integrity): nothing that fails the 1EdTech OB 3.0 JSON Schema
    is ever signed. A VC-JWT payload is the checked credential plus the
    registered claims ``iss``/``jti``/``nbf``/``sub``/``exp`` (OB 3.0 §8.2.3),
    which the schema allows (it has no ``additionalProperties: false``).

    Args:
        credential: the unsigned credential.
        key: the issuer's Ed25519 (``di``) or P-256 (``jwt``) key.
        fmt: ``di`` or ``jwt``.
        created: the proof's ``created`` time (``di``).
        status_array: the issuer issues revocation and suspension entries (an
            array ``credentialStatus``, see :func:`schema.check_issuable`).

    Raises:
        ServiceError: ``schema_invalid`` or ``undefined_term`` (422), from
            :func:`check_credential`.
    """
    prepared = check_credential(credential, status_array=status_array)
    if fmt == "di":
        signed = dataintegrity.sign_credential(
            credential, key=key, created=model.format_datetime(created), prepared=prepared)
        return json.dumps(signed, indent=2, ensure_ascii=False)
    return sign_jwt(credential, key=key)


def check_credential(credential: dict[str, Any], *,
                     status_array: bool = False) -> jsonld.Prepared:
    """Refuse a credential that fails the OB 3.0 JSON Schema, its conformance rules or safe mode.

    The schema check is :func:`schema.check_issuable`: ``credentialStatus``
    must be one object unless ``status_array`` (OB 3.0 §B.1.2, DIGEST §6).

    Returns:
        The credential as JSON-LD processing read it, for signing.

    Raises:
        ServiceError: ``schema_invalid`` or ``undefined_term`` (422).
    """
    issues = schema.check_issuable(credential, status_array=status_array)
    return signable.prepared(credential, issues, what="credential",
                             schema_name="Open Badges 3.0 schema")
