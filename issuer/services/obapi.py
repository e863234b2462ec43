"""The resources of the 1EdTech Open Badges 3.0 API: credentials and profile (OB 3.0 §6).

* :func:`list_credentials`: ``getCredentials``: the teacher's badges, the
  district's own and those hosts stored for them, oldest first, with
  ``since``, ``limit`` and ``offset``;
* :func:`upsert_credential`: ``upsertCredential``: a credential the teacher
  holds, checked by our verifier before it is stored (OB 3.0 "equality and
  comparison": same issuer id and credential id replace, a newer
  ``validFrom`` wins);
* :func:`profile_of`, :func:`update_profile`: ``getProfile``/``putProfile``;
* :func:`connections`, :func:`disconnect`: the hosts a teacher let in, and
  ending one's access (the wallet's "Connected apps");
* :func:`status_info`: the ``imsx_StatusInfo`` error body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges.model import parse_datetime
from badges.report import VerificationReport
from badges.schema import check_profile
from issuer.models import IssuedCredential
from issuer.models import Membership
from issuer.models import Person
from issuer.models_obapi import HeldCredential
from issuer.models_obapi import OAuthClient
from issuer.models_obapi import OAuthToken
from issuer.services import audit
from issuer.services.errors import ServiceError

#: Verdicts (:class:`badges.verdict.Verdict`) a pushed credential may have and still be
#: stored: its proof holds and nothing revoked it; the issuer may be one we do not know
#: and the badge may have expired (it stays a record of what was earned).
ACCEPTED_VERDICTS = frozenset({"verified", "unknown_issuer", "expired"})
MAX_LIMIT = 100
_MAX_REF = 500


def home_organization(session: so.Session, person_id: int) -> int | None:
    """The organization whose admins see a teacher's API events in the audit log.

    The teacher's first membership (people usually have one); None for
    someone with no membership, whose events stay in the log unseen by admins.
    """
    found: int | None = session.scalar(sa.select(Membership.organization_id).where(
        Membership.person_id == person_id).order_by(Membership.id).limit(1))
    return found


def status_info(description: str, minor: str, *, major: str = "failure",
                severity: str = "error") -> dict[str, Any]:
    """An ``imsx_StatusInfo`` body (OB 3.0 §6.3, ``Imsx_StatusInfo``)."""
    return {"imsx_codeMajor": major, "imsx_severity": severity,
            "imsx_description": description,
            "imsx_codeMinor": {"imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem",
                 "imsx_codeMinorFieldValue": minor}]}}


# ------------------------------------------------------------------------------ credentials


@dataclass(frozen=True, slots=True)
class Page:
    """One page of ``getCredentials``: JSON credentials, compact JWSs, and the total."""

    credential: list[dict[str, Any]]
    compact_jws: list[str]
    total: int


def list_credentials(session: so.Session, person_id: int, *, since: datetime | None,
                     limit: int, offset: int) -> Page:
    """The teacher's credentials, oldest first (OB 3.0 ``getCredentials``).

    Args:
        session: the database session.
        person_id: the teacher.
        since: only credentials issued (or stored) at or after this time.
        limit: at most this many.
        offset: skip this many (0-based).
    """
    own = sa.select(IssuedCredential.issued_at, IssuedCredential.id).where(
        IssuedCredential.person_id == person_id)
    held = sa.select(HeldCredential.updated_at, HeldCredential.id).where(
        HeldCredential.person_id == person_id)
    if since is not None:
        own = own.where(IssuedCredential.issued_at >= since)
        held = held.where(HeldCredential.updated_at >= since)
    rows = [(at, "own", str(key)) for at, key in session.execute(own)] + \
        [(at, "held", str(key)) for at, key in session.execute(held)]
    rows.sort()
    chosen = rows[offset:offset + limit]
    credential: list[dict[str, Any]] = []
    compact: list[str] = []
    for _at, kind, key in chosen:
        found: IssuedCredential | HeldCredential | None = (
            session.get(IssuedCredential, key) if kind == "own"
            else session.get(HeldCredential, int(key)))
        assert found is not None
        if found.format == "jwt":
            compact.append(found.document)
        else:
            credential.append(json.loads(found.document))
    return Page(credential, compact, len(rows))


def _ref(value: Any, name: str) -> str:
    """An id as OB 3.0 compares them: percent-decoded and trimmed."""
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not unquote(value).strip():
        raise ServiceError(f"the credential has no {name}", code="invalid_data")
    found = unquote(value).strip()
    if len(found) > _MAX_REF:
        raise ServiceError(f"the credential's {name} is too long", code="invalid_data")
    return found


def _text(value: Any, default: str) -> str:
    return value.strip()[:300] if isinstance(value, str) and value.strip() else default


@dataclass(frozen=True, slots=True)
class Upserted:
    """What :func:`upsert_credential` did: ``created``, ``replaced`` or ``unchanged``.

    ``held`` is None when the credential is one the district issued to this
    teacher (its record is the district's, never a copy).
    """

    outcome: str
    held: HeldCredential | None


def upsert_credential(session: so.Session, person: Person, document: str | dict[str, Any], *,
                      verify: Callable[[str | dict[str, Any]], VerificationReport],
                      source: str, now: datetime) -> Upserted:
    """Store a credential a host pushed for ``person`` once our verifier accepts it.

    Args:
        session: the database session.
        person: the teacher the token was granted by.
        document: the credential as JSON, or a compact JWS (VC-JWT).
        verify: the service's verifier.
        source: who pushed it (for the wallet and the audit log).
        now: the time.

    Raises:
        ServiceError: ``invalid_data`` (400) when it is unreadable, not an Open
            Badges 3.0 credential, or does not verify (forged, revoked...).
    """
    report = verify(document)
    credential = report.credential
    if credential is None or report.format not in ("json", "jwt"):
        raise ServiceError("this is not an Open Badges 3.0 credential", code="invalid_data")
    verdict = report.verdict.value
    if verdict not in ACCEPTED_VERDICTS:
        failed = [c.code for c in report.checks if c.outcome.value in ("failed", "indeterminate")]
        raise ServiceError(f"the credential did not verify ({verdict}: "
                           f"{', '.join(failed) or 'not confirmed'})", code="invalid_data")
    issuer_ref = _ref(credential.get("issuer"), "issuer id")
    credential_ref = _ref(credential.get("id"), "id")
    valid_from = None
    if isinstance(credential.get("validFrom"), str):
        valid_from = parse_datetime(credential["validFrom"])
    text = document if isinstance(document, str) else json.dumps(document)
    ours = session.scalar(sa.select(IssuedCredential).where(
        IssuedCredential.credential_id == credential_ref,
        IssuedCredential.person_id == person.id))
    if ours is not None:
        return Upserted("unchanged", None)  # the district's own record already lists it
    existing = session.scalar(sa.select(HeldCredential).where(
        HeldCredential.person_id == person.id, HeldCredential.issuer_ref == issuer_ref,
        HeldCredential.credential_ref == credential_ref))
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = _text(achievement.get("name") if isinstance(achievement, dict) else None,
                 _text(credential.get("name"), "A badge"))
    issuer = credential.get("issuer")
    issuer_name = _text(issuer.get("name") if isinstance(issuer, dict) else None, issuer_ref)
    if existing is not None:
        older = (existing.valid_from is not None and valid_from is not None
                 and valid_from < existing.valid_from)
        if existing.document == text or older:
            return Upserted("unchanged", existing)
        outcome = "replaced"
        held = existing
    else:
        outcome = "created"
        held = HeldCredential(person_id=person.id, issuer_ref=issuer_ref,
                              credential_ref=credential_ref, received_at=now)
        session.add(held)
    held.format = report.format
    held.document = text
    held.name = name
    held.issuer_name = issuer_name
    held.valid_from = valid_from
    held.verdict = verdict
    held.received_from = source[:200]
    held.updated_at = now
    audit.record(session, actor=source, action=f"obapi.credential_{outcome}",
                 organization_id=home_organization(session, person.id),
                 subject_type="person", subject_id=str(person.id),
                 at=now, detail={"credential": credential_ref, "issuer": issuer_ref,
                                 "verdict": verdict})
    return Upserted(outcome, held)


def held_credentials(session: so.Session, person_id: int) -> list[HeldCredential]:
    """What hosts stored for the teacher, newest first (the wallet's "from elsewhere")."""
    return list(session.scalars(sa.select(HeldCredential).where(
        HeldCredential.person_id == person_id).order_by(HeldCredential.updated_at.desc(),
                                                        HeldCredential.id)))


# ------------------------------------------------------------------------------ connections


def revoke_all(session: so.Session, client_pk: int, person_id: int, *, at: datetime) -> int:
    """Revoke every token pair one client holds for one teacher; returns how many were live."""
    live = session.execute(sa.update(OAuthToken).where(
        OAuthToken.client_pk == client_pk, OAuthToken.person_id == person_id,
        OAuthToken.refresh_revoked_at.is_(None)).values(refresh_revoked_at=at))
    session.execute(sa.update(OAuthToken).where(
        OAuthToken.client_pk == client_pk, OAuthToken.person_id == person_id,
        OAuthToken.access_revoked_at.is_(None)).values(access_revoked_at=at))
    return int(getattr(live, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class Connection:
    """A host the teacher let in that can still reach their badges."""

    client: OAuthClient
    scopes: tuple[str, ...]
    since: datetime


def connections(session: so.Session, person_id: int, *, now: datetime) -> list[Connection]:
    """The hosts holding a live access or refresh token for the teacher, oldest grant first."""
    rows = session.scalars(sa.select(OAuthToken).where(
        OAuthToken.person_id == person_id, sa.or_(
            sa.and_(OAuthToken.access_revoked_at.is_(None), OAuthToken.expires_at > now),
            sa.and_(OAuthToken.refresh_revoked_at.is_(None),
                    OAuthToken.refresh_expires_at > now))).order_by(OAuthToken.issued_at))
    found: dict[int, Connection] = {}
    for row in rows:
        known = found.get(row.client_pk)
        scopes = set(row.scope.split()) | set(known.scopes if known else ())
        found[row.client_pk] = Connection(row.client, tuple(sorted(scopes)),
                                          known.since if known else row.issued_at)
    return list(found.values())


def disconnect(session: so.Session, person_id: int, client_id: str, *, actor: str,
               now: datetime) -> OAuthClient:
    """The teacher ends a host's access: every token it holds for them is revoked.

    Raises:
        ServiceError: ``not_found`` (404) for a client id that is not registered.
    """
    client = session.scalar(sa.select(OAuthClient).where(OAuthClient.client_id == client_id))
    if client is None:
        raise ServiceError("no such connected app", code="not_found", status=404)
    revoke_all(session, client.id, person_id, at=now)
    audit.record(session, actor=actor, action="obapi.connection_removed",
                 organization_id=home_organization(session, person_id),
                 subject_type="oauth_client", subject_id=client.client_id, at=now,
                 detail={"client_name": client.client_metadata.get("client_name", "")})
    return client


# ------------------------------------------------------------------------------ profile


def profile_of(person: Person, base_url: str) -> dict[str, Any]:
    """The teacher's OB 3.0 ``Profile`` (``getProfile``).

    Its ``id`` is a stable URN for this person at this service (people have no
    public page), ``name`` their display name and ``email`` their primary address.
    """
    emails = sorted(person.emails, key=lambda e: (not e.primary, e.id))
    profile: dict[str, Any] = {
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url}/people/{person.id}')}",
        "type": ["Profile"], "name": person.display_name}
    if emails:
        profile["email"] = emails[0].address
    return profile


def update_profile(session: so.Session, person: Person, body: Any, *, base_url: str,
                   source: str, now: datetime) -> dict[str, Any]:
    """Take the ``name`` of a Profile a host sends (``putProfile``); returns the profile.

    Only the name is the teacher's to change this way: the id is the
    service's, and e-mail addresses are changed by the district (who the
    badges are issued to must not change through a third party).

    Raises:
        ServiceError: ``invalid_data`` (400) for a body that is not a valid
            Profile, or without a usable name.
    """
    if not isinstance(body, dict):
        raise ServiceError("the body must be a Profile (a JSON object)", code="invalid_data")
    issues = check_profile(body)
    if issues:
        raise ServiceError(f"not a valid Profile: {issues[0].path or '/'} "
                           f"{issues[0].message}", code="invalid_data")
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        raise ServiceError("the Profile needs a name of 1 to 200 characters",
                           code="invalid_data")
    if name.strip() != person.display_name:
        audit.record(session, actor=source, action="obapi.profile_updated",
                     organization_id=home_organization(session, person.id),
                 subject_type="person", subject_id=str(person.id),
                     at=now, detail={"name": name.strip()})
        person.display_name = name.strip()
    return profile_of(person, base_url)


__all__ = ["ACCEPTED_VERDICTS", "MAX_LIMIT", "Connection", "Page", "Upserted", "connections",
           "disconnect", "held_credentials", "home_organization", "list_credentials",
           "profile_of", "revoke_all", "status_info", "update_profile", "upsert_credential"]
