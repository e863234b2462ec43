"""Partners' endorsements of a district's programme (OB 3.0 §B.1.7 EndorsementCredential).

A district invites a partner (a university, a state agency): the partner is
an organization of its own in this service, with its own ``did:web`` and
keys (:func:`add_partner`; the district's admin then invites the partner's
admin by e-mail). The partner's admin endorses one of the district's
achievements, or the district's issuer profile, with a comment
(:func:`endorse`): an ``EndorsementCredential`` whose ``EndorsementSubject``
is the achievement's id or the district's DID, checked against the 1EdTech
EndorsementCredential JSON Schema and JSON-LD safe mode before it is signed
(Data Integrity ``eddsa-rdfc-2022``, the partner's Ed25519 key). It has a
revocation entry in the partner's own status list, so :func:`withdraw` is
seen by every verifier.

Where endorsements go (OB 3.0 §B.1.1 ``Achievement.endorsement``, §B.1.14
``Profile.endorsement``): the achievement's and the profile's published
JSON-LD list them, and every badge awarded afterwards embeds the current
ones in its achievement and its issuer (:func:`for_award`, :func:`embed_into`),
each with its own proof, so any verifier checks them (OB 3.0 §9.1 step 6).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from badges import dataintegrity
from badges import jsonld
from badges import model
from badges import schema
from issuer.models import Achievement
from issuer.models import Organization
from issuer.models import StatusEntry
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.models_endorsements import Partnership
from issuer.services import achievements as achievement_service
from issuer.services import audit
from issuer.services import organizations
from issuer.services import signable
from issuer.services import signing_keys
from issuer.services import status as status_service
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found

__all__ = ["ForAward", "Subject", "add_partner", "current", "embed_into", "endorse",
           "for_award", "partner_of",
           "partners_of", "subjects_for", "withdraw"]

_RANDOM = random.SystemRandom()
_TRIES = 24
#: Longest endorsement comment (Markdown).
MAX_COMMENT = 2000


def partner_of(session: so.Session, org: Organization) -> Partnership | None:
    """The partnership ``org`` is the partner of, if it is a partner."""
    return session.scalar(sa.select(Partnership).where(Partnership.partner_id == org.id))


def partners_of(session: so.Session, district: Organization) -> list[Partnership]:
    """The district's partners, by name."""
    return list(session.scalars(sa.select(Partnership).join(
        Organization, Organization.id == Partnership.partner_id).where(
        Partnership.district_id == district.id).order_by(Organization.name)))


def add_partner(session: so.Session, ctx: IssuerContext, *, district: Organization, slug: str,
                name: str, url: str | None, actor: str, now: datetime) -> Partnership:
    """Create a partner organization for ``district``, with its own did:web and keys.

    Raises:
        ServiceError: ``not_a_district`` (a school or a partner cannot invite
            partners), ``slug_taken`` and the text checks.
    """
    if district.parent_id is not None or partner_of(session, district) is not None:
        raise ServiceError("only a district can invite partners", code="not_a_district",
                           status=422)
    partner = organizations.create(session, slug=slug, name=name, url=url)
    signing_keys.ensure_keys(session, partner, kek=ctx.kek, base_url=ctx.base_url, now=now,
                             actor=actor)
    link = Partnership(district_id=district.id, partner_id=partner.id, created_by=actor,
                       created_at=now)
    session.add(link)
    session.flush()
    audit.record(session, actor=actor, action="partner.added", organization_id=district.id,
                 subject_type="organization", subject_id=partner.slug, at=now,
                 detail={"name": partner.name})
    return link


@dataclass(frozen=True)
class Subject:
    """What a partner may endorse: an achievement, or (``achievement`` None) the district."""

    id: str
    name: str
    achievement: Achievement | None


def subjects_for(session: so.Session, ctx: IssuerContext, link: Partnership) -> list[Subject]:
    """The district's profile, then its and its schools' published achievements."""
    district = link.district
    found = [Subject(organizations.issuer_did(ctx.base_url, district), district.name, None)]
    orgs = [district.id, *session.scalars(sa.select(Organization.id).where(
        Organization.parent_id == district.id))]
    for achievement in session.scalars(sa.select(Achievement).where(
            Achievement.organization_id.in_(orgs), Achievement.status == "published")
            .order_by(Achievement.name)):
        found.append(Subject(achievement_service.achievement_url(ctx.base_url, achievement),
                             achievement.name, achievement))
    return found


def _reserve(session: so.Session, partner: Organization) -> tuple[StatusList, int]:
    """A random index of the partner's revocation list that no credential or endorsement holds."""
    while True:
        sl = status_service.open_list(session, partner, StatusPurpose.REVOCATION)
        used = set(session.scalars(sa.select(StatusEntry.index).where(
            StatusEntry.status_list_id == sl.id))) | set(session.scalars(
                sa.select(Endorsement.status_index).where(Endorsement.status_list_id == sl.id)))
        if len(used) < sl.length:
            for _ in range(_TRIES):
                index = _RANDOM.randrange(sl.length)
                if index not in used:
                    return sl, index
            return sl, _RANDOM.choice([i for i in range(sl.length) if i not in used])
        sl.full = True
        session.flush()


def check_endorsement(document: dict[str, Any]) -> jsonld.Prepared:
    """Refuse an endorsement that fails the 1EdTech EndorsementCredential schema or safe mode.

    Raises:
        ServiceError: ``schema_invalid`` or ``undefined_term`` (422).
    """
    return signable.prepared(document, schema.check_endorsement(document), what="endorsement",
                             schema_name="Open Badges 3.0 EndorsementCredential schema")


def endorse(session: so.Session, ctx: IssuerContext, *, partner: Organization,
            subject_id: str, comment: str, actor: str, now: datetime) -> Endorsement:
    """Sign and store the partner's endorsement of ``subject_id`` (OB 3.0 §B.1.7).

    Args:
        session: the transaction to work in (nothing is committed here).
        ctx: base URL and key-encryption key.
        partner: the endorsing organization (a district's partner).
        subject_id: one of :func:`subjects_for` (an achievement's id or the district's DID).
        comment: the ``endorsementComment`` (Markdown, required).
        actor: who endorses (for the audit log).
        now: the endorsement's time (``validFrom``).

    Raises:
        ServiceError: ``not_a_partner`` (403), ``unknown_subject`` (404),
            ``schema_invalid``/``undefined_term`` (422) and the text checks.
    """
    link = partner_of(session, partner)
    if link is None:
        raise ServiceError(f"{partner.name} is not a district's partner", code="not_a_partner",
                           status=403)
    chosen = next((s for s in subjects_for(session, ctx, link) if s.id == subject_id), None)
    if chosen is None:
        raise not_found("what to endorse", "unknown_subject")
    text = validation.text(comment, field="comment", max_length=MAX_COMMENT)
    sl, index = _reserve(session, partner)
    at = now.replace(microsecond=0)
    entry = status_service.entry_model(ctx.base_url, partner, StatusPurpose.REVOCATION,
                                       sl.number, index)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    document = model.EndorsementCredential(
        id=credential_id, issuer=organizations.profile(ctx.base_url, partner),
        valid_from=at, name=f"{partner.name} endorses {chosen.name}"[:300],
        subject_id=chosen.id, endorsement_comment=text,
        credential_status=(entry,)).to_json()
    prepared = check_endorsement(document)
    signer = signing_keys.current_signer(session, partner, "ed25519", kek=ctx.kek,
                                         base_url=ctx.base_url)
    signed = dataintegrity.sign_credential(document, key=signer.pair,
                                           created=model.format_datetime(at),
                                           prepared=prepared)
    row = Endorsement(credential_id=credential_id, partner_id=partner.id,
                      district_id=link.district_id,
                      achievement_id=chosen.achievement.id if chosen.achievement else None,
                      subject_id=chosen.id, comment=text,
                      document=json.dumps(signed, indent=2, ensure_ascii=False),
                      signing_key_id=signer.row.id, status_list_id=sl.id, status_index=index,
                      issued_at=at, issued_by=actor)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process took that index first: try again
        return endorse(session, ctx, partner=partner, subject_id=subject_id, comment=comment,
                       actor=actor, now=now)
    audit.record(session, actor=actor, action="endorsement.issued",
                 organization_id=partner.id, subject_type="endorsement",
                 subject_id=credential_id, at=now, detail={"about": chosen.id})
    return row


def withdraw(session: so.Session, ctx: IssuerContext, *, partner: Organization,
             endorsement_id: str, actor: str, now: datetime) -> Endorsement:
    """Revoke one of the partner's endorsements: its status bit is set, it is no longer shown.

    Raises:
        ServiceError: ``unknown_endorsement`` (404), ``already_revoked`` (409).
    """
    row = session.scalar(sa.select(Endorsement).where(
        Endorsement.partner_id == partner.id,
        sa.or_(Endorsement.id == endorsement_id, Endorsement.credential_id == endorsement_id)))
    if row is None:
        raise not_found("endorsement", "unknown_endorsement")
    if row.revoked_at is not None:
        raise ServiceError("this endorsement is already withdrawn", code="already_revoked",
                           status=409)
    row.revoked_at = now
    status_service.mark_changed(session, row.status_list)
    session.flush()
    status_service.publish_changes(session, ctx, [row.status_list], now)
    audit.record(session, actor=actor, action="endorsement.revoked",
                 organization_id=partner.id, subject_type="endorsement",
                 subject_id=row.credential_id, at=now)
    return row


def current(session: so.Session, *, subject_id: str) -> list[Endorsement]:
    """The endorsements of ``subject_id`` not withdrawn, oldest first."""
    return list(session.scalars(sa.select(Endorsement).where(
        Endorsement.subject_id == subject_id, Endorsement.revoked_at.is_(None))
        .order_by(Endorsement.issued_at, Endorsement.id)))


def documents(rows: list[Endorsement]) -> list[dict[str, Any]]:
    """The signed EndorsementCredentials of ``rows``, as stored."""
    return [json.loads(row.document) for row in rows]


@dataclass(frozen=True)
class ForAward:
    """The signed endorsements an award embeds: of its issuer, and of its achievement."""

    issuer: tuple[dict[str, Any], ...]
    achievement: tuple[dict[str, Any], ...]
    achievement_id: str


#: The current endorsements of an issuer and an achievement, in one query (built once:
#: it is read by every award).
_FOR_AWARD = sa.select(Endorsement).where(
    sa.or_(Endorsement.subject_id == sa.bindparam("issuer"),
           Endorsement.subject_id == sa.bindparam("achievement")),
    Endorsement.revoked_at.is_(None)).order_by(Endorsement.issued_at, Endorsement.id)


def for_award(session: so.Session, ctx: IssuerContext, *, issuer_id: str,
              achievement_id: str) -> ForAward:
    """The current endorsements of ``issuer_id`` (a DID) and of the achievement (its row id)."""
    url = f"{ctx.base_url}/achievements/{achievement_id}"
    rows = list(session.scalars(_FOR_AWARD, {"issuer": issuer_id, "achievement": url}))
    return ForAward(tuple(documents([r for r in rows if r.subject_id == issuer_id])),
                    tuple(documents([r for r in rows if r.subject_id == url])), url)


def embed_into(credential: dict[str, Any], found: ForAward) -> dict[str, Any]:
    """``credential`` with ``found`` embedded (OB 3.0 §B.1.1, §B.1.14); a new dict.

    ``issuer.endorsement`` and ``credentialSubject.achievement.endorsement``,
    each a signed EndorsementCredential, only where the subject is that very
    issuer or achievement (a verifier refuses one about anything else).
    """
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    held = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(issuer, dict) or not isinstance(subject, dict) \
            or not isinstance(held, dict):
        return credential
    result = dict(credential)
    mine = [e for e in found.issuer if e["credentialSubject"]["id"] == issuer.get("id")]
    if mine:
        result["issuer"] = {**issuer, "endorsement": mine}
    if found.achievement and held.get("id") == found.achievement_id:
        result["credentialSubject"] = {**subject, "achievement": {
            **held, "endorsement": list(found.achievement)}}
    return result
