"""Helpers shared by the OB 3.0 builders: DateTimeZ and the serialization rules.

* :func:`parse_datetime` and :func:`format_datetime` read and write OB 3.0
  §B.7 DateTimeZ values (DIGEST §5, §10.7).
* The underscored checks run by every builder's ``__post_init__``: non-blank
  text, vocabulary terms with their ``ext:`` extension (OB 3.0
  §B.1.28-§B.1.32), finite numbers, timezone-aware datetimes, sequences frozen
  into tuples.
* ``_put`` applies OB 3.0 §Serialization (DIGEST §2.1): ``None`` values and
  empty arrays are never emitted.

The underscored names are private to :mod:`badges.model`; other code uses the
public names the package re-exports.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

_EXT_TERM = re.compile(r"ext:[A-Za-z0-9._-]+", re.ASCII)
_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|(?P<sign>[+-])(?P<zh>\d{2}):(?P<zm>\d{2}))",
    re.ASCII,
)


def parse_datetime(value: str) -> datetime:
    """Parse an OB 3.0 DateTimeZ (RFC 3339 ``date-time`` / ``xsd:dateTime`` with zone).

    Accepted: ``YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)``, the common ground
    of RFC 3339 §5.6 and ``xsd:dateTime``, which is also what the 1EdTech
    validator's ``ZonedDateTime.parse`` takes (DIGEST §5, §10.7). Deliberately
    refused: a missing timezone, a date without a time, lowercase ``t``/``z``
    (RFC 3339 allows them, xsd and Java do not), leap second ``60`` (Python
    cannot represent it) and offsets of 24 hours or more. Fractions beyond
    microseconds are truncated. ``-00:00`` is read as UTC.

    Args:
        value: the timestamp text, e.g. ``"2024-05-01T10:00:00Z"``.

    Returns:
        A timezone-aware :class:`~datetime.datetime`.

    Raises:
        ValueError: ``value`` is not a string or not a valid DateTimeZ.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected a date-time string, got {type(value).__name__}")
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value[:64]!r} is not a date-time with a timezone "
            "(expected YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm))")
    if match["zone"] == "Z":
        tz = UTC
    else:
        hours, minutes = int(match["zh"]), int(match["zm"])
        if hours > 23 or minutes > 59:
            raise ValueError(f"{value!r} has an out-of-range timezone offset")
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-offset if match["sign"] == "-" else offset) if offset else UTC
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    try:
        return datetime(
            int(match["year"]), int(match["month"]), int(match["day"]),
            int(match["hour"]), int(match["minute"]), int(match["second"]),
            int(fraction), tzinfo=tz)
    except ValueError as exc:  # e.g. month 13, Feb 30, hour 24, second 60, year 0
        raise ValueError(f"{value!r} is not a valid date-time: {exc}") from None


def format_datetime(value: datetime) -> str:
    """Format a timezone-aware datetime as an OB 3.0 DateTimeZ string.

    UTC is written ``Z``; other offsets are kept as ``±hh:mm`` (an offset
    with a seconds part, as some historical zoneinfo offsets have, is
    converted to UTC since RFC 3339 cannot express it). Fractional seconds
    appear only when non-zero, as six digits.

    Args:
        value: an aware :class:`~datetime.datetime`.

    Returns:
        E.g. ``"2024-05-01T10:00:00Z"`` or ``"2024-05-01T10:00:00.250000-05:00"``.

    Raises:
        TypeError: ``value`` is not a datetime.
        ValueError: ``value`` is naive (OB 3.0 §B.7 DateTimeZ requires a zone).
    """
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(
            f"naive datetime {value.isoformat()} refused: OB 3.0 DateTimeZ needs a timezone")
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
        offset = timedelta(0)
    text = value.replace(tzinfo=None).isoformat(
        timespec="microseconds" if value.microsecond else "seconds")
    if not offset:
        return text + "Z"
    sign = "-" if offset < timedelta(0) else "+"
    hours, minutes = divmod(abs(offset) // timedelta(minutes=1), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _text(name: str, value: object) -> None:
    """Require a non-blank string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")


def _opt_text(name: str, value: object) -> None:
    """Require ``None`` or a non-blank string."""
    if value is not None:
        _text(name, value)


def _term(name: str, value: object, allowed: frozenset[str], *, extensible: bool = True) -> None:
    """Require a vocabulary term (or an ``ext:`` term when extensible)."""
    if value is None:
        return
    _text(name, value)
    if isinstance(value, str) and (
            value in allowed or (extensible and _EXT_TERM.fullmatch(value))):
        return
    hint = " or an 'ext:' term" if extensible else ""
    raise ValueError(f"{name} {value!r} is not one of {sorted(allowed)}{hint}")


def _number(name: str, value: object) -> None:
    """Require ``None`` or a finite JSON number (bool refused)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")


def _aware(name: str, value: object) -> None:
    """Require ``None`` or a timezone-aware datetime."""
    if value is None:
        return
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (OB 3.0 DateTimeZ)")


def _tuple(obj: object, name: str, item_type: type | tuple[type, ...]) -> None:
    """Freeze a sequence field into a tuple and check its items' type."""
    value = getattr(obj, name)
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence, got {type(value).__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, item_type):
            raise TypeError(f"{name} items must be {item_type}, got {type(item).__name__}")
    object.__setattr__(obj, name, items)


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``out[key]`` unless the value is ``None`` or an empty list (OB serialization)."""
    if value is None or (isinstance(value, list) and not value):
        return
    out[key] = value


def _date(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def _copy_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(value))
