"""Reading award rows: CSV and XLSX files, and JSON rows from the API.

Every format becomes a list of :class:`RawRow`: the line (or spreadsheet
row) number a person would look for, and the values under canonical column
names. Headers are matched loosely (``E-mail``, ``email_address`` and
``Recipient email`` are all ``email``); unknown columns are reported, not
fatal. Nothing here checks values: :mod:`issuer.batch.rows` does.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from issuer.services.errors import ServiceError

#: The most rows one batch may hold (files of a district's largest run fit easily).
MAX_ROWS = 100_000

#: Canonical columns, in report order.
COLUMNS = ("email", "name", "achievement", "evidence", "evidence_url", "evidence_narrative",
           "issued_on", "expires_on", "idempotency_key")

_ALIASES: Mapping[str, str] = {
    "e_mail": "email", "email_address": "email", "e_mail_address": "email",
    "recipient_email": "email", "recipient_e_mail": "email", "mail": "email",
    "recipient_name": "name", "full_name": "name",
    "display_name": "name", "teacher": "name", "teacher_name": "name",
    "badge": "achievement", "achievement_slug": "achievement", "achievement_id": "achievement",
    "micro_credential": "achievement", "microcredential": "achievement",
    "evidence_link": "evidence_url", "evidence_uri": "evidence_url",
    "evidence_text": "evidence_narrative", "narrative": "evidence_narrative",
    "issue_date": "issued_on", "issued": "issued_on", "issued_date": "issued_on",
    "awarded_on": "issued_on", "award_date": "issued_on",
    "awarded_date": "issued_on", "issuedon": "issued_on",
    "expiry": "expires_on", "expiry_date": "expires_on", "expires": "expires_on",
    "expiration_date": "expires_on", "valid_until": "expires_on", "expireson": "expires_on",
    "idempotencykey": "idempotency_key",
    "external_id": "idempotency_key",
}
_JSON_KEYS: Mapping[str, str] = {
    "email": "email", "name": "name", "achievement": "achievement", "evidence": "evidence",
    "evidenceUrl": "evidence_url", "evidenceNarrative": "evidence_narrative",
    "issuedOn": "issued_on", "expiresOn": "expires_on", "idempotencyKey": "idempotency_key",
}
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RawRow:
    """One line of input: where it was and what it said (canonical column names)."""

    line: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Intake:
    """Rows read from one source, and the columns that were not understood."""

    source: str
    rows: list[RawRow]
    ignored_columns: list[str] = field(default_factory=list)


def canonical_column(header: object) -> str | None:
    """The canonical name of a header cell, or None when it is not one we know."""
    if header is None:
        return None
    text = re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")
    if text in COLUMNS:
        return text
    return _ALIASES.get(text)


def _columns(headers: Sequence[object]) -> tuple[list[str | None], list[str]]:
    names: list[str | None] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for header in headers:
        name = canonical_column(header)
        if name is not None and name in seen:
            raise ServiceError(f"the column {name!r} appears twice", code="duplicate_column")
        if name is None and header is not None and str(header).strip():
            ignored.append(str(header).strip())
        if name is not None:
            seen.add(name)
        names.append(name)
    if "email" not in seen:
        raise ServiceError("the file has no e-mail column (a header row with 'email' is "
                           "required)", code="missing_column")
    if "name" not in seen:
        raise ServiceError("the file has no name column (a header row with 'name' is "
                           "required)", code="missing_column")
    return names, ignored


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(records: Iterable[tuple[int, Sequence[object]]],
          names: list[str | None]) -> Iterator[RawRow]:
    count = 0
    for line, record in records:
        if all(_blank(v) for v in record):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ServiceError(f"a batch holds at most {MAX_ROWS:,} rows; split the file",
                               code="too_many_rows", status=413)
        values = {name: value for name, value in zip(names, record, strict=False)
                  if name is not None and not _blank(value)}
        yield RawRow(line, values)


def read_csv(data: bytes) -> Intake:
    """Rows of a CSV file (UTF-8 with or without BOM, or Windows-1252; ``,`` ``;`` or tab).

    Raises:
        ServiceError: ``empty_file``, ``missing_column``, ``duplicate_column``,
            ``too_many_rows``, ``unreadable_file``.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ServiceError("this is not a CSV text file", code="unreadable_file")
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ServiceError("the file is empty", code="empty_file")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for record in reader:
            yield start, record
            start = reader.line_num + 1

    try:
        iterator = records()
        header: list[str] = []
        for _line, record in iterator:
            if any(cell.strip() for cell in record):
                header = record
                break
        names, ignored = _columns(header)
        rows = list(_rows(iterator, names))
    except csv.Error as exc:
        raise ServiceError(f"the CSV file cannot be read: {exc}", code="unreadable_file") from None
    return Intake("csv", rows, ignored)


def read_xlsx(data: bytes) -> Intake:
    """Rows of the first worksheet of an XLSX workbook (row numbers as Excel shows them).

    Raises:
        ServiceError: ``unreadable_file``, ``empty_file``, ``missing_column``,
            ``duplicate_column``, ``too_many_rows``.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ServiceError(f"the workbook cannot be read: {exc}", code="unreadable_file") \
            from None
    try:
        if not workbook.worksheets:
            raise ServiceError("the workbook has no worksheet", code="empty_file")
        sheet = workbook.worksheets[0]
        iterator = ((n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), 1))
        header: list[object] | None = None
        for _line, record in iterator:
            if not all(_blank(v) for v in record):
                header = record
                break
        if header is None:
            raise ServiceError("the worksheet is empty", code="empty_file")
        names, ignored = _columns(header)
        rows = list(_rows(iterator, names))
    finally:
        workbook.close()
    return Intake("xlsx", rows, ignored)


def read_file(data: bytes, filename: str | None = None) -> Intake:
    """Rows of a CSV or XLSX file, told apart by content (an XLSX is a ZIP archive).

    Raises:
        ServiceError: as :func:`read_csv` and :func:`read_xlsx`.
    """
    if not data.strip():
        raise ServiceError("the file is empty", code="empty_file")
    if data.startswith(_XLSX_MAGIC):
        return read_xlsx(data)
    if filename and filename.lower().endswith((".xls", ".xlsm", ".xlsb", ".ods")):
        raise ServiceError("save the spreadsheet as .xlsx or .csv", code="unsupported_file")
    return read_csv(data)


def from_json(rows: object) -> Intake:
    """Rows pushed as JSON objects; a row's line is its position (from 1).

    Keys: ``email``, ``name``, ``achievement``, ``evidence``, ``evidenceUrl``,
    ``evidenceNarrative``, ``issuedOn``, ``expiresOn``, ``idempotencyKey``.

    Raises:
        ServiceError: ``invalid_json`` (not a list of objects, unknown keys),
            ``too_many_rows``, ``empty_file``.
    """
    if not isinstance(rows, list):
        raise ServiceError("'rows' must be a list of objects", code="invalid_json")
    if not rows:
        raise ServiceError("'rows' is empty", code="empty_file")
    if len(rows) > MAX_ROWS:
        raise ServiceError(f"a batch holds at most {MAX_ROWS:,} rows", code="too_many_rows",
                           status=413)
    out = []
    for line, item in enumerate(rows, 1):
        if not isinstance(item, dict):
            raise ServiceError(f"row {line} is not an object", code="invalid_json")
        unknown = sorted(set(item) - set(_JSON_KEYS))
        if unknown:
            raise ServiceError(f"row {line} has unknown fields: {', '.join(unknown)}",
                               code="unknown_field")
        out.append(RawRow(line, {_JSON_KEYS[k]: v for k, v in item.items()
                                 if not _blank(v)}))
    return Intake("json", out)


def cell_text(value: object) -> object:
    """A cell as text where it is a number or date (spreadsheets type cells themselves)."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value
