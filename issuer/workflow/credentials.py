"""The district's register of issued credentials: search, status filter, pages, bulk revocation.

Everything is limited to the organizations an admin's role covers (the
scope from :mod:`issuer.workflow.access`); a credential outside it is
reported exactly like one that does not exist. Changes go through
:mod:`issuer.services.status`, which audits them and flips the status-list
bits; the caller commits and re-signs the lists.

A credential's status, first match wins: *revoked* (permanent), *suspended*,
*expired* (its ``validUntil`` has passed), *active*.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.services import status
from issuer.services.errors import ServiceError
from issuer.workflow.access import NotVisible

STATUSES = ("active", "suspended", "revoked", "expired")
STATUS_LABELS = {"active": "Active", "suspended": "Suspended", "revoked": "Revoked",
                 "expired": "Expired"}
PER_PAGE = 50
#: As many ids as the JSON API takes in one request.
MAX_BULK_IDS = 10_000
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Query:
    """What the admin asked the list for.

    ``after`` / ``before`` are cursors (:func:`cursor_of`) from a previous
    page's ``next_cursor`` / ``prev_cursor``: the page then starts right after
    (or ends right before) that credential, found through an index on
    ``(issued_at, id)`` however deep the page (keyset pagination). ``page``
    alone skips rows (``OFFSET``) and is kept for links people saved; with a
    cursor it is only the number shown.
    """

    text: str = ""
    status: str | None = None
    page: int = 1
    after: str | None = None
    before: str | None = None


class BadCursor(ServiceError):
    """A page link's cursor that this service did not make (or a mangled one): 400."""

    def __init__(self) -> None:
        super().__init__("this page link is not one the credentials list made: start again "
                         "from the first page", code="bad_page_link", status=400)


def cursor_of(credential: IssuedCredential) -> str:
    """An opaque page cursor naming ``credential``'s place in the list (issued_at, id)."""
    raw = f"{credential.issued_at.isoformat()}|{credential.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(value: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        at = datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError):
        raise BadCursor() from None
    if at.tzinfo is None or not ident or len(ident) > 36:
        raise BadCursor()
    return at, ident


@dataclass(frozen=True)
class Row:
    """One credential with its status as of the page's time."""

    credential: IssuedCredential
    status: str
    status_at: datetime | None
    note: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of the list."""

    rows: tuple[Row, ...]
    total: int
    number: int
    per_page: int
    #: cursors for the following and the preceding page (None: there is none)
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        """How many pages the filtered list has (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def status_of(credential: IssuedCredential, now: datetime) -> tuple[str, datetime | None]:
    """The credential's status and since when (None for active)."""
    if credential.revoked_at is not None:
        return "revoked", credential.revoked_at
    if credential.suspended_at is not None:
        return "suspended", credential.suspended_at
    if credential.valid_until is not None and credential.valid_until <= now:
        return "expired", credential.valid_until
    return "active", None


def _status_filter(value: str, now: datetime) -> sa.ColumnElement[bool]:
    live = sa.and_(IssuedCredential.revoked_at.is_(None), IssuedCredential.suspended_at.is_(None))
    if value == "revoked":
        return IssuedCredential.revoked_at.is_not(None)
    if value == "suspended":
        return sa.and_(IssuedCredential.revoked_at.is_(None),
                       IssuedCredential.suspended_at.is_not(None))
    if value == "expired":
        return sa.and_(live, IssuedCredential.valid_until.is_not(None),
                       IssuedCredential.valid_until <= now)
    return sa.and_(live, sa.or_(IssuedCredential.valid_until.is_(None),
                                IssuedCredential.valid_until > now))


#: What the text search looks in: the teacher's name and address and the credential id,
#: as one lower-cased string (PostgreSQL keeps a trigram index on exactly this expression,
#: migration 0010, so a "%needle%" search reads the index rather than every row).
_HAYSTACK = sa.func.lower(sa.literal_column(
    "issued_credentials.recipient_name || ' ' || issued_credentials.recipient_email || ' ' "
    "|| issued_credentials.credential_id", sa.Text))


def _text_filter(session: so.Session, text: str) -> sa.ColumnElement[bool]:
    needle = text.lower()
    # the few achievements whose name matches, looked up first: then every arm of the
    # OR below has an index of its own (trigram, achievement, primary key)
    named = list(session.scalars(sa.select(Achievement.id).where(
        sa.func.lower(Achievement.name).contains(needle, autoescape=True))))
    arms = [_HAYSTACK.contains(needle, autoescape=True), IssuedCredential.id == text]
    if named:
        arms.append(IssuedCredential.achievement_id.in_(named))
    return sa.or_(*arms)


def search(session: so.Session, scope: frozenset[int], query: Query, *, now: datetime,
           per_page: int = PER_PAGE) -> Page:
    """One page of the credentials issued by ``scope``, newest first.

    Args:
        session: the transaction.
        scope: organization ids whose credentials the admin may see.
        query: search text (teacher name or e-mail, achievement, credential id),
            status (one of :data:`STATUSES`, or None for all), and the page: a
            cursor (``after``/``before``) or a page number.
        now: the time that decides what has expired.
        per_page: rows per page; only those rows (and one count) are read.

    Raises:
        BadCursor: ``after`` or ``before`` is not a cursor this list made.
    """
    where: list[sa.ColumnElement[bool]] = [IssuedCredential.organization_id.in_(scope)]
    text = query.text.strip()[:200]
    if text:
        where.append(_text_filter(session, text))
    if query.status in STATUSES:
        where.append(_status_filter(query.status, now))
    total = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                           .where(*where)) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(query.page, 1), pages)
    key = sa.tuple_(IssuedCredential.issued_at, IssuedCredential.id)
    newest_first = (IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
    select = (sa.select(IssuedCredential)
              .join(Achievement, IssuedCredential.achievement_id == Achievement.id)
              .where(*where)
              .options(so.contains_eager(IssuedCredential.achievement),
                       so.joinedload(IssuedCredential.organization),
                       so.defer(IssuedCredential.document)))
    if query.before:  # the page before a cursor: read upwards from it, then turn round
        found = list(session.scalars(
            select.where(key > _read_cursor(query.before))
            .order_by(IssuedCredential.issued_at.asc(), IssuedCredential.id.asc())
            .limit(per_page + 1)))
        earlier = len(found) > per_page
        found = found[:per_page][::-1]
        later = True
        number = max(1, min(query.page, pages))
    elif query.after:
        found = list(session.scalars(select.where(key < _read_cursor(query.after))
                                     .order_by(*newest_first).limit(per_page + 1)))
        later, found, earlier = len(found) > per_page, found[:per_page], True
        number = max(1, min(query.page, pages))
    else:
        found = list(session.scalars(select.order_by(*newest_first)
                                     .limit(per_page + 1).offset((number - 1) * per_page)))
        later, found, earlier = len(found) > per_page, found[:per_page], number > 1
    notes = _suspension_notes(session, [c.credential_id for c in found
                                        if c.suspended_at is not None])
    rows = []
    for credential in found:
        state, since = status_of(credential, now)
        rows.append(Row(credential, state, since,
                        notes.get(credential.credential_id) if state == "suspended" else None))
    return Page(rows=tuple(rows), total=total, number=number, per_page=per_page,
                next_cursor=cursor_of(found[-1]) if later and found else None,
                prev_cursor=cursor_of(found[0]) if earlier and found else None)


def _suspension_notes(session: so.Session, credential_ids: list[str]) -> dict[str, str]:
    """The note of each credential's latest suspension, from the audit log."""
    if not credential_ids:
        return {}
    notes: dict[str, str] = {}
    for subject, detail in session.execute(
            sa.select(AuditEvent.subject_id, AuditEvent.detail).where(
                AuditEvent.action == "credential.suspended",
                AuditEvent.subject_id.in_(credential_ids)).order_by(AuditEvent.id)):
        note = detail.get("note") if isinstance(detail, dict) else None
        if isinstance(note, str) and note:
            notes[subject] = note
        else:
            notes.pop(subject, None)
    return notes


def suspension_note(session: so.Session, credential: IssuedCredential) -> str | None:
    """The note of the credential's current suspension, if it has one."""
    if credential.suspended_at is None:
        return None
    return _suspension_notes(session, [credential.credential_id]).get(credential.credential_id)


def visible(session: so.Session, scope: frozenset[int], ref: str) -> IssuedCredential:
    """The credential ``ref`` names, if its organization is in ``scope``.

    Raises:
        NotVisible: no such credential, or one outside ``scope`` (404).
    """
    try:
        found = status.find_credential(session, ref)
    except ServiceError:
        raise NotVisible("credential") from None
    if found.organization_id not in scope:
        raise NotVisible("credential")
    return found


def parse_ids(text: str) -> list[str]:
    """Credential ids pasted one per line (commas, semicolons and spaces also separate)."""
    found: list[str] = []
    for part in _SEPARATORS.split(text):
        if part and part not in found:
            found.append(part)
    return found


@dataclass(frozen=True)
class BulkReport:
    """Exactly what a bulk revocation did, id by id (as the admin wrote them)."""

    revoked: tuple[str, ...]
    not_found: tuple[str, ...]
    already_revoked: tuple[str, ...]
    duplicates: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]

    @property
    def asked(self) -> int:
        """How many ids were given."""
        return (len(self.revoked) + len(self.not_found) + len(self.already_revoked)
                + len(self.duplicates) + len(self.failed))


def revoke_many(session: so.Session, scope: frozenset[int], refs: list[str], *,
                reason: str, public: bool, actor: str,
                now: datetime) -> tuple[BulkReport, list[IssuedCredential]]:
    """Revoke every credential ``refs`` name in ``scope``; report each id.

    Ids that are unknown or outside ``scope`` are reported together (as the
    pages answer 404 for both); two ids naming one credential revoke it once.

    Returns:
        The report and the credentials revoked (whose lists need re-signing).
    """
    not_found: list[str] = []
    duplicates: list[str] = []
    allowed: list[str] = []
    seen: set[str] = set()
    for ref in refs:
        try:
            credential = visible(session, scope, ref)
        except ServiceError:
            not_found.append(ref)
            continue
        if credential.id in seen:
            duplicates.append(ref)
            continue
        seen.add(credential.id)
        allowed.append(ref)
    results = status.revoke_many(session, allowed, reason=reason, public=public, actor=actor,
                                 now=now)
    revoked = tuple(r.ref for r in results if r.ok)
    report = BulkReport(
        revoked=revoked, not_found=tuple(not_found), duplicates=tuple(duplicates),
        already_revoked=tuple(r.ref for r in results if r.code == "already_revoked"),
        failed=tuple((r.ref, r.message) for r in results
                     if not r.ok and r.code != "already_revoked"))
    return report, [status.find_credential(session, ref) for ref in revoked]
