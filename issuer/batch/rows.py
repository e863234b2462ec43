"""Checking award rows and giving each its idempotency key.

A row's key is the SHA-256 of what makes an award the same award: the
issuer, the achievement, the normalized e-mail address and, when given, the
issue date and the run key (or an external id pushed by another system).
Re-running a file therefore finds every key already issued; a row that
repeats an earlier row of the same batch is a duplicate, never a second
credential.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy.orm as so

from issuer.batch.intake import Intake
from issuer.batch.intake import RawRow
from issuer.batch.intake import cell_text
from issuer.models import Achievement
from issuer.models import Organization
from issuer.services import achievements as achievement_service
from issuer.services import validation
from issuer.services.errors import ServiceError

_URL_CHARS = re.compile(r"^[^\s<>\"{}|\\^`]+$")
_KEY_VERSION = "badges-award-v1"


@dataclass(frozen=True)
class RowError:
    """One problem with one line: what, where, and a sentence for people."""

    line: int
    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (``line``, ``field``, ``code``, ``message``)."""
        return {"line": self.line, "field": self.field, "code": self.code,
                "message": self.message}


@dataclass(frozen=True)
class AwardRow:
    """A checked row, ready to be issued."""

    line: int
    key: str
    email: str
    name: str
    achievement_id: str
    evidence_url: str | None = None
    evidence_narrative: str | None = None
    issued_on: datetime | None = None
    expires_on: datetime | None = None


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be issued, with every problem found in it."""

    line: int
    email: str
    name: str
    errors: tuple[RowError, ...]


@dataclass
class Checked:
    """Every row of an intake, sorted into valid, duplicate and bad rows."""

    total: int
    valid: list[AwardRow] = field(default_factory=list)
    duplicates: list[tuple[AwardRow, int]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        """Every problem, by line."""
        return [e for row in self.bad for e in row.errors]


def award_key(organization_id: int, achievement_id: str, email: str, *,
              issued_on: datetime | None = None, run_key: str | None = None,
              external: str | None = None) -> str:
    """The idempotency key of one award (64 hex characters).

    Args:
        organization_id: the issuer.
        achievement_id: the achievement's id.
        email: the normalized recipient address.
        issued_on: the award's date, when the row gives one (only the date counts).
        run_key: the run's key, when the caller gives one (``--run-key``): awards
            of the same achievement to the same person in different runs.
        external: an id given by the system that pushed the row; it alone
            identifies the award within the issuer.
    """
    if external is not None:
        parts = [_KEY_VERSION + "-external", str(organization_id), external]
    else:
        day = issued_on.date().isoformat() if issued_on is not None else ""
        parts = [_KEY_VERSION, str(organization_id), achievement_id, email, day, run_key or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _as_text(value: object) -> str:
    value = cell_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def parse_day(value: object, *, field_name: str, end_of_day: bool = False) -> datetime:
    """A date (``YYYY-MM-DD``, an ISO date-time, or a spreadsheet date) as an aware UTC time.

    A plain date means the start of that day (UTC), or its last second with
    ``end_of_day`` (an expiry date is valid through that day).

    Raises:
        ServiceError: ``invalid_date``.
    """
    value = cell_text(value)
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59, 59) if end_of_day else time(0))
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                moment = datetime.combine(day, time(23, 59, 59) if end_of_day else time(0))
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
    if moment is None:
        raise ServiceError(f"{field_name} must be a date written YYYY-MM-DD "
                           f"(got {_as_text(value)[:40]!r})", code="invalid_date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _url(value: object) -> str:
    text = unicodedata.normalize("NFC", _as_text(value).strip())
    parts = urlsplit(text)
    if (len(text) > 1000 or parts.scheme not in ("http", "https") or not parts.netloc
            or not _URL_CHARS.match(text)):
        raise ServiceError("evidence_url must be an http(s) link without spaces",
                           code="invalid_url")
    return text


class _Achievements:
    """Achievement references of one intake, looked up once each."""

    def __init__(self, session: so.Session, org: Organization) -> None:
        self._session, self._org = session, org
        self._found: dict[str, Achievement | ServiceError] = {}

    def get(self, ref: str) -> Achievement:
        if ref not in self._found:
            try:
                found: Achievement | ServiceError = achievement_service.get(
                    self._session, self._org, ref)
            except ServiceError as exc:
                found = exc
            if isinstance(found, Achievement) and not found.active:
                found = ServiceError(f"the achievement {found.slug!r} is retired",
                                     code="achievement_retired")
            self._found[ref] = found
        result = self._found[ref]
        if isinstance(result, ServiceError):
            raise result
        return result


def _check(raw: RawRow, values: Mapping[str, Any], *, org: Organization,
           achievements: _Achievements, default_achievement: str | None,
           run_key: str | None, now: datetime) -> AwardRow | BadRow:
    errors: list[RowError] = []

    def attempt(field_name: str, fn: Any) -> Any:
        try:
            return fn()
        except ServiceError as exc:
            errors.append(RowError(raw.line, exc.code, exc.message, field_name))
            return None

    email = attempt("email", lambda: validation.email(_as_text(values.get("email"))))
    name = attempt("name", lambda: validation.text(
        _as_text(values.get("name")), field="name", max_length=200))
    ref = _as_text(values.get("achievement")).strip() or (default_achievement or "")
    if not ref:
        errors.append(RowError(raw.line, "missing_field", "achievement is required "
                               "(a column, or a default for the whole file)", "achievement"))
        definition = None
    else:
        definition = attempt("achievement", lambda: achievements.get(ref))
    evidence_url = evidence_text = None
    loose = values.get("evidence")
    if loose is not None and _as_text(loose).strip().lower().startswith(("http://", "https://")):
        evidence_url = attempt("evidence", lambda: _url(loose))
    elif loose is not None:
        evidence_text = attempt("evidence", lambda: validation.text(
            _as_text(loose), field="evidence", max_length=10_000))
    if values.get("evidence_url") is not None:
        evidence_url = attempt("evidence_url", lambda: _url(values["evidence_url"]))
    if values.get("evidence_narrative") is not None:
        evidence_text = attempt("evidence_narrative", lambda: validation.text(
            _as_text(values["evidence_narrative"]), field="evidence_narrative",
            max_length=10_000))
    issued_on = expires_on = None
    if values.get("issued_on") is not None:
        issued_on = attempt("issued_on", lambda: parse_day(values["issued_on"],
                                                           field_name="issued_on"))
        if issued_on is not None and issued_on > now:
            errors.append(RowError(raw.line, "issue_date_in_future",
                                   "issued_on is in the future", "issued_on"))
    if values.get("expires_on") is not None:
        expires_on = attempt("expires_on", lambda: parse_day(
            values["expires_on"], field_name="expires_on", end_of_day=True))
        start = issued_on or now
        if expires_on is not None and expires_on <= start:
            errors.append(RowError(raw.line, "expiry_before_issue",
                                   "expires_on must be after the issue date", "expires_on"))
    external = None
    if values.get("idempotency_key") is not None:
        external = attempt("idempotency_key", lambda: validation.text(
            _as_text(values["idempotency_key"]), field="idempotency_key", max_length=200))
    if errors or email is None or name is None or definition is None:
        return BadRow(raw.line, _as_text(values.get("email"))[:320],
                      _as_text(values.get("name"))[:200], tuple(errors))
    key = award_key(org.id, definition.id, email, issued_on=issued_on, run_key=run_key,
                    external=external)
    return AwardRow(raw.line, key, email, name, definition.id, evidence_url, evidence_text,
                    issued_on, expires_on)


def check_rows(session: so.Session, org: Organization, intake: Intake, *,
               achievement: str | None, run_key: str | None, now: datetime) -> Checked:
    """Check every row of ``intake`` for ``org``; nothing is written.

    Args:
        session: to look achievements up.
        org: the issuer.
        intake: the rows.
        achievement: the achievement for rows that name none (id or slug).
        run_key: the run's key, part of every row's idempotency key.
        now: the current time (issue dates may not be later).

    Returns:
        The valid rows (first of each key), the duplicates (with the line of
        the first), and the bad rows with all their problems.
    """
    achievements = _Achievements(session, org)
    checked = Checked(total=len(intake.rows))
    first_line: dict[str, int] = {}
    for raw in intake.rows:
        result = _check(raw, raw.values, org=org, achievements=achievements,
                        default_achievement=achievement, run_key=run_key, now=now)
        if isinstance(result, BadRow):
            checked.bad.append(result)
        elif result.key in first_line:
            checked.duplicates.append((result, first_line[result.key]))
        else:
            first_line[result.key] = result.line
            checked.valid.append(result)
    return checked
