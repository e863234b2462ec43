"""Revocation and suspension with W3C Bitstring Status Lists (BSL v1.0).

Every credential gets one ``BitstringStatusListEntry`` per purpose of its
issuer (:func:`purposes`: revocation, plus suspension where the district
switched it on), at an index drawn at random from the issuer's
current list of :data:`LIST_LENGTH` entries (BSL §6.4 "herd privacy"); the
unique ``(list, index)`` constraint guarantees an index is never handed out
twice, even between processes. A full list is closed and the next one opened.

The bits themselves are never stored as a blob that concurrent writers could
overwrite: each entry row has its own ``set`` flag, and a list's bitstring is
rebuilt from those rows when it is signed. A partner's endorsements
(:mod:`issuer.services.endorsements`) hold indexes of its revocation list too,
their bit set once ``revoked_at`` is. A change bumps the list's
``version`` atomically; the signed list credential is refreshed right after
the change (and lazily on the next read, if another process changed it).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from badges import dataintegrity
from badges import model
from badges import status_list
from badges.jwt import sign_jwt
from badges.loader import VC_V2
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models import StatusEntry
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.services import audit
from issuer.services import pathways
from issuer.services import signing_keys
from issuer.services import validation
from issuer.services.context import IssuerContext
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found
from issuer.services.organizations import issuer_did

#: Entries per list: the BSL minimum (16 KB), for herd privacy.
LIST_LENGTH = status_list.MIN_LENGTH_BITS
#: How long verifiers may cache a list (BSL ``ttl``, milliseconds).
TTL_MS = 300_000
#: Random draws before the free indexes are listed (each lost draw costs a new signature).
_RANDOM_TRIES = 4
_SYSTEM_RANDOM = random.SystemRandom()


def list_url(base_url: str, org: Organization, purpose: str, number: int) -> str:
    """The stable URL of a status list credential."""
    return f"{base_url}/issuers/{org.slug}/status/{purpose}/{number}"


# --------------------------------------------------------------------------- allocation

def suspension_enabled(org: Organization) -> bool:
    """Whether ``org`` issues with a suspension entry (its own setting or its district's)."""
    return org.suspension_enabled or (org.parent is not None and org.parent.suspension_enabled)


def purposes(org: Organization) -> tuple[StatusPurpose, ...]:
    """The status purposes a new credential of ``org`` gets an entry for (BSL §2.1).

    Revocation always; suspension only where the district switched it on,
    because one entry keeps ``credentialStatus`` the single object the OB 3.0
    JSON Schema requires (OB 3.0 §B.1.2, DIGEST §6).
    """
    if suspension_enabled(org):
        return (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
    return (StatusPurpose.REVOCATION,)


def can_suspend(credential: IssuedCredential) -> bool:
    """Whether ``credential`` carries a suspension entry (it was issued with suspension on)."""
    return any(e.status_list.purpose == StatusPurpose.SUSPENSION
               for e in credential.status_entries)


def set_suspension(session: so.Session, org: Organization, *, enabled: bool, actor: str,
                   now: datetime) -> Organization:
    """Switch suspension on or off for credentials ``org`` issues from now on.

    Credentials already issued keep the entries they have. Switching it on
    makes ``credentialStatus`` an array, which the OB 3.0 JSON Schema rejects
    (the CLI ``badges issuers suspension`` states that trade-off).
    """
    if org.suspension_enabled != enabled:
        org.suspension_enabled = enabled
        audit.record(session, actor=actor, action="issuer.suspension_set",
                     organization_id=org.id, subject_type="organization", subject_id=org.slug,
                     at=now, detail={"enabled": enabled})
    return org


#: The issuer's open list for a purpose (built once: it is read by every award).
_OPEN_LIST = sa.select(StatusList).where(
    StatusList.organization_id == sa.bindparam("org"),
    StatusList.purpose == sa.bindparam("purpose"),
    StatusList.full.is_(False)).order_by(StatusList.number.desc()).limit(1)


def open_list(session: so.Session, org: Organization, purpose: StatusPurpose) -> StatusList:
    """The issuer's open (not full) list for ``purpose``, created when there is none."""
    current = session.scalar(_OPEN_LIST, {"org": org.id, "purpose": purpose})
    if current is not None:
        return current
    number = (session.scalar(sa.select(sa.func.max(StatusList.number)).where(
        StatusList.organization_id == org.id, StatusList.purpose == purpose)) or 0) + 1
    created = StatusList(organization_id=org.id, purpose=purpose, number=number,
                         length=LIST_LENGTH, version=1, signed_version=0)
    try:
        with session.begin_nested():
            session.add(created)
    except IntegrityError:  # another process opened it first
        return open_list(session, org, purpose)
    return created


def _free_index(session: so.Session, sl: StatusList) -> int | None:
    used = set(session.scalars(sa.select(StatusEntry.index).where(
        StatusEntry.status_list_id == sl.id)))
    free = [i for i in range(sl.length) if i not in used]
    return _SYSTEM_RANDOM.choice(free) if free else None


def _claim_statement(insert: Any) -> Any:
    held = sa.exists().where(Endorsement.status_list_id == sa.bindparam("list_id"),
                             Endorsement.status_index == sa.bindparam("index"))
    # SQLite needs the WHERE of INSERT ... SELECT ... ON CONFLICT (an upsert parsing rule)
    values = sa.select(sa.bindparam("list_id", type_=sa.Integer),
                       sa.bindparam("index", type_=sa.Integer),
                       sa.bindparam("credential", type_=sa.String), sa.false()).where(~held)
    return (insert(StatusEntry)
            .from_select(["status_list_id", "index", "credential_id", "set"], values)
            .on_conflict_do_nothing(index_elements=["status_list_id", "index"])
            .returning(StatusEntry.id)
            .execution_options(dml_strategy="raw"))  # one row, parameters bound by name


#: The claim of one index, built once per dialect (building it is a share of an award's CPU).
_CLAIM = {"postgresql": _claim_statement(postgresql.insert),
          "sqlite": _claim_statement(sqlite.insert)}


def _claim(session: so.Session, sl: StatusList, credential: IssuedCredential,
           index: int) -> bool:
    """Take ``index`` of ``sl`` for ``credential`` in one statement; False when it is held.

    The row is inserted only where no endorsement of this (partner) issuer holds
    the index (``NOT EXISTS``), and a concurrent award that took the index first
    makes it insert nothing (PostgreSQL and SQLite both have ``ON CONFLICT DO
    NOTHING ... RETURNING``): one round trip, no savepoint.
    """
    statement = _CLAIM[session.get_bind().dialect.name]
    return session.scalar(statement, {"list_id": sl.id, "index": index,
                                      "credential": credential.id}) is not None


class Allocation:
    """Status positions for one credential: drawn before it is signed, claimed after it is stored.

    One random index per purpose of :func:`purposes` is drawn in the issuer's
    open lists (BSL §6.4 herd privacy) with nothing written, so the
    credential can be signed with them and stored complete. :meth:`claim`
    then inserts the entries, one statement each; the unique ``(list,
    index)`` constraint still guarantees an index is never handed out twice.
    A position another award took meanwhile (or an endorsement holds) is
    drawn again, and the credential must be signed again with the new one:
    random draws first; after a run of collisions the free indexes are listed
    and one drawn from them; a list with none left is closed and the next
    one opened.
    """

    def __init__(self, session: so.Session, org: Organization) -> None:
        """Draw a position per purpose (one query per purpose for its open list)."""
        self._session = session
        self._org = org
        self._tries = 0
        self._drawn: dict[StatusPurpose, tuple[StatusList, int]] = {}
        self._claimed: set[StatusPurpose] = set()
        for purpose in purposes(org):
            self._draw(purpose)

    def entries(self, base_url: str, fmt: str = "di") -> list[model.BitstringStatusListEntry]:
        """The ``credentialStatus`` entries of the positions drawn (BSL §2.1)."""
        return [entry_model(base_url, self._org, purpose, sl.number, index, fmt=fmt)
                for purpose, (sl, index) in self._drawn.items()]

    def claim(self, credential: IssuedCredential) -> bool:
        """Take the positions for the stored ``credential``; False when it must be signed again.

        False when a position was taken meanwhile; another one is drawn
        (:meth:`entries` then names it) and the positions already taken stay
        the credential's. Its :class:`StatusEntry` rows are in the database,
        read through ``credential.status_entries``.
        """
        lost = False
        for purpose, (sl, index) in self._drawn.items():
            if purpose in self._claimed:
                continue
            if _claim(self._session, sl, credential, index):
                self._claimed.add(purpose)
            else:
                self._tries += 1
                self._draw(purpose)
                lost = True
        return not lost

    def _draw(self, purpose: StatusPurpose) -> None:
        while True:
            sl = open_list(self._session, self._org, purpose)
            index = _SYSTEM_RANDOM.randrange(sl.length) if self._tries < _RANDOM_TRIES \
                else _free_index(self._session, sl)
            if index is not None:
                self._drawn[purpose] = (sl, index)
                return
            sl.full = True
            self._session.flush()


def entry_model(base_url: str, org: Organization, purpose: StatusPurpose, number: int,
                index: int, *, fmt: str = "di") -> model.BitstringStatusListEntry:
    """One ``credentialStatus`` entry: position ``index`` of list ``number`` (BSL §2.1).

    A credential names the list in its own securing mechanism (VC-JOSE-COSE §3,
    BSL §3.2): a Data Integrity credential the Data Integrity list, a VC-JWT the
    same list signed as a VC-JWT (``….jwt``), which JWT-only verifiers (such as
    ``openbadgeslib``) can check without content negotiation. Both forms carry
    the same bits.
    """
    url = list_url(base_url, org, purpose.value, number)
    return model.BitstringStatusListEntry(
        id=entry_url(url, index), status_purpose=purpose.value, status_list_index=index,
        status_list_credential=f"{url}.jwt" if fmt == "jwt" else url)


def entry_url(list_url_: str, index: int) -> str:
    """A status entry's ``id``: a URL of its own that :func:`entry_details` answers.

    BSL §2.1 makes the entry ``id`` optional and forbids the list's URL; a
    dereferenceable id lets a verifier that found the bit set show when the
    credential was withdrawn and the reason the district chose to publish.
    """
    return f"{list_url_}/{index}"


#: What a set bit means, per purpose.
_WORDS = {StatusPurpose.REVOCATION: "revoked", StatusPurpose.SUSPENSION: "suspended"}


def entry_details(session: so.Session, base_url: str, org: Organization, purpose: str,
                  number: int, index: int) -> dict[str, Any]:
    """The public description of one status entry (what its ``id`` dereferences to).

    Plain JSON, informational and unsigned: the signed list stays the
    authority on whether the bit is set. It adds what a bitstring cannot
    carry: since when (``statusDate``) and, for a revocation whose reason the
    district chose to publish, the reason (``statusReason``).

    Every index of the list answers, held or not, and an index whose bit is
    clear says only ``active``: the answers must not tell which indexes are
    in use (how many credentials a district issued), as the list itself does not.

    Raises:
        ServiceError: ``unknown_status_list`` or ``unknown_status_entry`` (404,
            an index beyond the list's length).
    """
    sl = get_list(session, org, purpose, number)
    if not 0 <= index < sl.length:
        raise not_found(f"status entry {purpose}/{number}/{index}", "unknown_status_entry")
    entry = session.scalar(sa.select(StatusEntry).where(
        StatusEntry.status_list_id == sl.id, StatusEntry.index == index))
    is_set = entry is not None and entry.set
    endorsement_revoked = None if entry is not None else session.scalar(
        sa.select(Endorsement.revoked_at).where(Endorsement.status_list_id == sl.id,
                                                Endorsement.status_index == index))
    is_set = is_set or endorsement_revoked is not None
    url = list_url(base_url, org, sl.purpose.value, sl.number)
    details: dict[str, Any] = {
        "id": entry_url(url, index), "type": "BitstringStatusListEntry",
        "statusPurpose": sl.purpose.value, "statusListIndex": str(index),
        "statusListCredential": url,
        "status": _WORDS[sl.purpose] if is_set else "active"}
    if endorsement_revoked is not None:
        details["statusDate"] = model.format_datetime(endorsement_revoked.replace(microsecond=0))
    if entry is not None and is_set:
        cred = entry.credential
        since = cred.revoked_at if sl.purpose == StatusPurpose.REVOCATION else cred.suspended_at
        if since is not None:
            details["statusDate"] = model.format_datetime(since.replace(microsecond=0))
        if sl.purpose == StatusPurpose.REVOCATION and cred.reason_public \
                and cred.revocation_reason:
            details["statusReason"] = cred.revocation_reason
    return details


# --------------------------------------------------------------------------- changes


def find_credential(session: so.Session, ref: str,
                    organization: Organization | None = None) -> IssuedCredential:
    """A credential by its internal id or its ``urn:uuid:`` credential id.

    The credential id may also be given as the bare UUID, and in any case
    (``URN:UUID:...`` too), as it is often copied out of the ``urn:uuid:`` form.

    Raises:
        ServiceError: ``unknown_credential`` (404), also when it belongs to
            another organization than ``organization``.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ServiceError("a credential id is required", code="missing_field")
    ref = ref.strip()
    spellings = [ref]
    bare = ref[len("urn:uuid:"):] if ref.lower().startswith("urn:uuid:") else ref
    try:
        spellings.append(f"urn:uuid:{uuid.UUID(bare)}")
    except ValueError:
        pass
    found = session.scalar(sa.select(IssuedCredential).where(
        sa.or_(IssuedCredential.id == ref, IssuedCredential.credential_id.in_(spellings)))
        .limit(1))
    if found is None or (organization is not None and found.organization_id != organization.id
                         and found.organization.parent_id != organization.id):
        raise not_found(f"credential {ref!r}", "unknown_credential")
    return found


def _entry(credential: IssuedCredential, purpose: StatusPurpose) -> StatusEntry:
    for entry in credential.status_entries:
        if entry.status_list.purpose == purpose:
            return entry
    if purpose == StatusPurpose.SUSPENSION:
        raise ServiceError("this credential was issued without a suspension entry (suspension "
                           "was off for its issuer), so it can be revoked but not suspended",
                           code="no_status_entry", status=409)
    raise ServiceError("this credential was issued without a status list entry",
                       code="no_status_entry", status=409)


def _bump(session: so.Session, sl: StatusList) -> None:
    session.execute(sa.update(StatusList).where(StatusList.id == sl.id)
                    .values(version=StatusList.version + 1))


def mark_changed(session: so.Session, sl: StatusList) -> None:
    """Record that a bit of ``sl`` changed, so the list is signed again (its ``version``)."""
    _bump(session, sl)


def _set_bit(session: so.Session, entry: StatusEntry, value: bool) -> None:
    session.execute(sa.update(StatusEntry).where(StatusEntry.id == entry.id).values(set=value))
    _bump(session, entry.status_list)


def revoke(session: so.Session, ref: str, *, reason: str | None, public: bool, actor: str,
           now: datetime, organization: Organization | None = None) -> IssuedCredential:
    """Revoke a credential, permanently (BSL ``revocation`` purpose).

    Raises:
        ServiceError: ``unknown_credential``, ``already_revoked`` (409), text checks.
    """
    text = validation.text(reason, field="reason", max_length=1000, required=False)
    credential = find_credential(session, ref, organization)
    if credential.revoked_at is not None:
        raise ServiceError("this credential is already revoked; revocation cannot be undone",
                           code="already_revoked", status=409)
    _set_bit(session, _entry(credential, StatusPurpose.REVOCATION), True)
    credential.revoked_at = now
    credential.revocation_reason = text
    credential.reason_public = bool(public and text)
    audit.record(session, actor=actor, action="credential.revoked",
                 organization_id=credential.organization_id, subject_type="credential",
                 subject_id=credential.credential_id, at=now,
                 detail={"reason": text, "public": credential.reason_public})
    pathways.flag_revoked_component(session, credential, actor=actor, now=now)
    return credential


def suspend(session: so.Session, ref: str, *, actor: str, now: datetime,
            organization: Organization | None = None,
            note: str | None = None) -> IssuedCredential:
    """Suspend a credential (BSL ``suspension`` purpose) until it is unsuspended.

    ``note`` (optional, private) is kept in the audit event.

    Raises:
        ServiceError: ``unknown_credential``, ``already_suspended``, ``already_revoked``,
            text checks on ``note``.
    """
    text = validation.text(note, field="note", max_length=1000, required=False)
    credential = find_credential(session, ref, organization)
    if credential.revoked_at is not None:
        raise ServiceError("this credential is revoked", code="already_revoked", status=409)
    if credential.suspended_at is not None:
        raise ServiceError("this credential is already suspended", code="already_suspended",
                           status=409)
    _set_bit(session, _entry(credential, StatusPurpose.SUSPENSION), True)
    credential.suspended_at = now
    audit.record(session, actor=actor, action="credential.suspended",
                 organization_id=credential.organization_id, subject_type="credential",
                 subject_id=credential.credential_id, at=now,
                 detail={"note": text} if text else None)
    return credential


def unsuspend(session: so.Session, ref: str, *, actor: str, now: datetime,
              organization: Organization | None = None) -> IssuedCredential:
    """Lift a suspension.

    Raises:
        ServiceError: ``unknown_credential``, ``not_suspended`` (409).
    """
    credential = find_credential(session, ref, organization)
    if credential.suspended_at is None:
        raise ServiceError("this credential is not suspended", code="not_suspended", status=409)
    _set_bit(session, _entry(credential, StatusPurpose.SUSPENSION), False)
    credential.suspended_at = None
    audit.record(session, actor=actor, action="credential.unsuspended",
                 organization_id=credential.organization_id, subject_type="credential",
                 subject_id=credential.credential_id, at=now)
    return credential


@dataclass(frozen=True)
class BulkResult:
    """What happened to one id of a bulk revocation."""

    ref: str
    ok: bool
    code: str
    message: str


def revoke_many(session: so.Session, refs: Iterable[str], *, reason: str | None, public: bool,
                actor: str, now: datetime,
                organization: Organization | None = None) -> list[BulkResult]:
    """Revoke many credentials; each id succeeds or is reported, never silently skipped."""
    results = []
    for ref in refs:
        try:
            with session.begin_nested():
                revoke(session, ref, reason=reason, public=public, actor=actor, now=now,
                       organization=organization)
        except ServiceError as exc:
            results.append(BulkResult(ref, False, exc.code, exc.message))
        else:
            results.append(BulkResult(ref, True, "revoked", "revoked"))
    return results


# --------------------------------------------------------------------------- publishing


def get_list(session: so.Session, org: Organization, purpose: str, number: int) -> StatusList:
    """A status list of ``org``.

    Raises:
        ServiceError: ``unknown_status_list`` (404).
    """
    try:
        kind = StatusPurpose(purpose)
    except ValueError:
        raise not_found(f"status list {purpose}/{number}", "unknown_status_list") from None
    found = session.scalar(sa.select(StatusList).where(
        StatusList.organization_id == org.id, StatusList.purpose == kind,
        StatusList.number == number))
    if found is None:
        raise not_found(f"status list {purpose}/{number}", "unknown_status_list")
    return found


def signed_list(session: so.Session, ctx: IssuerContext, sl: StatusList,
                now: datetime) -> tuple[str, str]:
    """The signed BitstringStatusListCredential (BSL §2.2) and its ETag.

    Re-signs when the list changed since it was last signed; the stored copy
    is replaced only by a newer version, so concurrent signers never go back.
    """
    _ensure_signed(session, ctx, sl, now)
    assert sl.signed_document is not None and sl.etag is not None
    return sl.signed_document, sl.etag


def signed_list_jwt(session: so.Session, ctx: IssuerContext, sl: StatusList,
                    now: datetime) -> tuple[str, str]:
    """The same status list credential as a VC-JWT (BSL §2.2, VC-JOSE-COSE) and its ETag.

    Signed with the issuer's Ed25519 key (EdDSA, RFC 8037; ``kid`` in its DID
    document), the key of the Data Integrity form, whenever that form is
    signed, from the same unsigned credential,
    for verifiers that read status lists only as VC-JWTs (OB 3.0 §8.2).
    """
    _ensure_signed(session, ctx, sl, now)
    assert sl.signed_jwt is not None and sl.jwt_etag is not None
    return sl.signed_jwt, sl.jwt_etag


def _ensure_signed(session: so.Session, ctx: IssuerContext, sl: StatusList,
                   now: datetime) -> None:
    session.refresh(sl)
    if sl.signed_document is not None and sl.signed_jwt is not None \
            and sl.signed_version >= sl.version and sl.etag and sl.jwt_etag:
        return
    version = sl.version
    bits = status_list.Bitstring(sl.length)
    for index in session.scalars(sa.select(StatusEntry.index).where(
            StatusEntry.status_list_id == sl.id, StatusEntry.set.is_(True))):
        bits.set(index)
    for index in session.scalars(sa.select(Endorsement.status_index).where(
            Endorsement.status_list_id == sl.id, Endorsement.revoked_at.is_not(None))):
        bits.set(index)
    org = sl.organization
    url = list_url(ctx.base_url, org, sl.purpose.value, sl.number)
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(ctx.base_url, org),
        "validFrom": model.format_datetime(now.replace(microsecond=0)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": sl.purpose.value,
            "encodedList": status_list.encode_list(bits),
            "ttl": TTL_MS,
        },
    }
    signer = signing_keys.current_signer(session, org, "ed25519", kek=ctx.kek,
                                         base_url=ctx.base_url)
    signed = dataintegrity.sign_credential(credential, key=signer.pair,
                                           created=credential["validFrom"])
    document = json.dumps(signed, indent=2)
    etag = hashlib.sha256(document.encode()).hexdigest()[:32]
    # the same key signs both forms (EdDSA, RFC 8037): the issuer's first verification
    # method, which JWT-only verifiers such as openbadgeslib check a status list with
    token = sign_jwt(credential, key=signer.pair)
    jwt_etag = hashlib.sha256(token.encode()).hexdigest()[:32]
    session.execute(sa.update(StatusList).where(
        StatusList.id == sl.id, StatusList.signed_version < version).values(
        signed_document=document, signed_version=version, etag=etag, signed_at=now,
        signed_jwt=token, jwt_etag=jwt_etag))
    session.execute(sa.update(StatusList).where(  # a list signed before it had a JWT form
        StatusList.id == sl.id, StatusList.signed_jwt.is_(None)).values(
        signed_document=document, signed_version=version, etag=etag, signed_at=now,
        signed_jwt=token, jwt_etag=jwt_etag))
    session.refresh(sl)


def publish_changes(session: so.Session, ctx: IssuerContext, lists: Iterable[StatusList],
                    now: datetime) -> None:
    """Re-sign the given lists now, so verifiers see a change within one ``ttl``."""
    for sl in {id(s): s for s in lists}.values():
        signed_list(session, ctx, sl, now)


def lists_of(credentials: Iterable[IssuedCredential]) -> list[StatusList]:
    """The status lists the credentials' entries are in."""
    return [e.status_list for c in credentials for e in c.status_entries]
