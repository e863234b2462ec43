"""Builders for Open Badges 3.0 documents.

Every class here is a frozen, keyword-only dataclass mirroring one class of
the OB 3.0 data model (OB 3.0 Appendix B.1), with ``to_json()`` emitting the
spec's JSON serialization (OB 3.0 §Serialization, DIGEST §2.1):

* multi-valued properties (``0..*``/``1..*``) and every ``type`` are arrays,
  even with one value; the exceptions are the classes whose ``type`` the
  JSON Schema pins to a single string (``Image``, ``IdentityObject``,
  ``IdentifierEntry``, ``GeoCoordinates``);
* ``None`` values and empty arrays are never emitted;
* DateTimeZ values always carry a timezone (``Z`` for UTC).

Inputs are checked when an object is built, so a builder that constructs
cannot emit a document the OB 3.0 JSON Schema rejects: enumerations
(``achievementType``, ``identityType``, ``resultType``, ``targetType``,
``status``; each extensible with ``ext:`` terms), timezone-aware datetimes,
``id``-or-``identifier`` on the subject and ``id``-or-``narrative`` on the
criteria (the two rules the schema cannot express, OB 3.0 §B.1.3, §B.1.6).
Violations raise :class:`ValueError` (or :class:`TypeError` for a value of
the wrong kind).

The module is pure: it never reads the clock (every timestamp is a
parameter), the network or files.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from types import MappingProxyType
from typing import Any

from badges.loader import OB_CONTEXT
from badges.loader import OB_EXTENSIONS
from badges.loader import VC_V2

__all__ = [
    "ACHIEVEMENT_TYPES",
    "ALIGNMENT_TARGET_TYPES",
    "DEFAULT_CREDENTIAL_SCHEMA",
    "DEFAULT_ENDORSEMENT_SCHEMA",
    "IDENTIFIER_TYPES",
    "JSON_SCHEMA_VALIDATOR_TYPE",
    "OB_CREDENTIAL_SCHEMA_URL",
    "OB_ENDORSEMENT_SCHEMA_URL",
    "RESULT_STATUSES",
    "RESULT_TYPES",
    "STATUS_PURPOSES",
    "Achievement",
    "AchievementSubject",
    "Address",
    "Alignment",
    "BitstringStatusListEntry",
    "Criteria",
    "EndorsementCredential",
    "Evidence",
    "GeoCoordinates",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "OpenBadgeCredential",
    "Profile",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "format_datetime",
    "identity_matches",
    "normalize_email",
    "parse_datetime",
]

# --------------------------------------------------------------------------
# Vocabularies (OB 3.0 §B.1.28-§B.1.32), schema URLs (OB 3.0 §B.1.21)
# --------------------------------------------------------------------------

#: AchievementType enumeration, OB 3.0 §B.1.28 (extensible with ``ext:``).
ACHIEVEMENT_TYPES: frozenset[str] = frozenset({
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
    "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
    "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
    "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram",
    "License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
    "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma",
})

#: AlignmentTargetType enumeration, OB 3.0 §B.1.29 (extensible with ``ext:``).
ALIGNMENT_TARGET_TYPES: frozenset[str] = frozenset({
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric",
    "CFRubricCriterion", "CFRubricCriterionLevel", "CTDL",
})

#: IdentifierTypeEnum, OB 3.0 §B.1.30 (extensible with ``ext:``).
IDENTIFIER_TYPES: frozenset[str] = frozenset({
    "name", "sourcedId", "systemId", "productId", "userName", "accountId",
    "emailAddress", "nationalIdentityNumber", "isbn", "issn", "lisSourcedId",
    "oneRosterSourcedId", "sisSourcedId", "ltiContextId", "ltiDeploymentId",
    "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
})

#: ResultType enumeration, OB 3.0 §B.1.31 (extensible with ``ext:``).
RESULT_TYPES: frozenset[str] = frozenset({
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel",
    "PredictedScore", "RawScore", "Result", "RubricCriterion",
    "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
})

#: ResultStatusType enumeration, OB 3.0 §B.1.32 (closed).
RESULT_STATUSES: frozenset[str] = frozenset({
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew",
})

#: ``statusPurpose`` values of Bitstring Status List v1.0 §2.1.
STATUS_PURPOSES: frozenset[str] = frozenset({"revocation", "suspension", "refresh", "message"})

#: The ``credentialSchema`` type defined by ``extensions.json`` (OB 3.0 §B.1.21).
JSON_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

#: The OB 3.0 AchievementCredential JSON Schema URL verifiers fetch (DIGEST §10.14).
OB_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)

#: The OB 3.0 EndorsementCredential JSON Schema URL (spec example endorsement).
OB_ENDORSEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_endorsementcredential_schema.json"
)

#: Default ``credentialSchema`` of an OpenBadgeCredential (OB 3.0 §B.1.21).
DEFAULT_CREDENTIAL_SCHEMA: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"id": OB_CREDENTIAL_SCHEMA_URL, "type": JSON_SCHEMA_VALIDATOR_TYPE}),
)

#: Default ``credentialSchema`` of an EndorsementCredential.
DEFAULT_ENDORSEMENT_SCHEMA: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"id": OB_ENDORSEMENT_SCHEMA_URL, "type": JSON_SCHEMA_VALIDATOR_TYPE}),
)

_EXT_TERM = re.compile(r"ext:[A-Za-z0-9._-]+", re.ASCII)
_LANGUAGE = re.compile(r"[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?", re.ASCII)
_COMPACT_JWS = re.compile(r"[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+", re.ASCII)
_IDENTITY_HASH = re.compile(r"(md5|sha256)\$([0-9a-fA-F]+)", re.ASCII)
_HASH_HEX_LENGTH = {"md5": 32, "sha256": 64}

# --------------------------------------------------------------------------
# Date-times (OB 3.0 §B.7 DateTimeZ)
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


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


def _uses_1edtech_type(node: Any) -> bool:
    """True when ``node`` uses a ``1EdTech*`` type (defined only by ``extensions.json``).

    Embedded documents with their own ``@context`` (endorsements) are skipped:
    their terms are their own context's business.
    """
    if isinstance(node, list):
        return any(_uses_1edtech_type(item) for item in node)
    if not isinstance(node, dict) or "@context" in node:
        return False
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if any(isinstance(k, str) and k.startswith("1EdTech") for k in kinds):
        return True
    return any(_uses_1edtech_type(v) for k, v in node.items() if k != "type")


def _contexts(body: dict[str, Any], extra: tuple[str | Mapping[str, Any], ...]) -> list[Any]:
    """``@context`` per OB 3.0 §B.1.2: VCDM v2, OB 3.0.3, extensions when needed, extras."""
    contexts: list[Any] = [VC_V2, OB_CONTEXT]
    if _uses_1edtech_type(body):
        contexts.append(OB_EXTENSIONS)
    for item in extra:
        entry = item if isinstance(item, str) else _copy_mapping(item)
        if entry not in contexts:
            contexts.append(entry)
    return contexts


def _check_status_entries(entries: tuple[Any, ...]) -> None:
    for entry in entries:
        if isinstance(entry, Mapping):
            for key in ("id", "type"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise ValueError(
                        f"credentialStatus entry needs a string {key!r} (OB 3.0 JSON Schema)")


def _status_json(entries: tuple[BitstringStatusListEntry | Mapping[str, Any], ...]) -> Any:
    """One entry as an object (OB 3.0 §B.1.2); several as an array (VCDM 2.0 §4.10).

    Bitstring Status List publishes revocation and suspension as separate
    entries, which VCDM 2.0 allows as an array; the 2024 OB JSON Schema build
    expects one object, so :mod:`badges.schema` checks each entry of an array.
    """
    if not entries:
        return None
    out = [e.to_json() if isinstance(e, BitstringStatusListEntry) else _copy_mapping(e)
           for e in entries]
    return out[0] if len(out) == 1 else out


def _check_schemas(entries: tuple[Mapping[str, str], ...]) -> None:
    for entry in entries:
        for key in ("id", "type"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValueError(f"credentialSchema entry needs a string {key!r} (OB 3.0 §B.1.21)")


def _check_jws(name: str, values: tuple[str, ...]) -> None:
    for value in values:
        if not _COMPACT_JWS.fullmatch(value):
            raise ValueError(f"{name} items must be compact JWS strings (RFC 7515)")


# --------------------------------------------------------------------------
# Small classes
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """An image (OB 3.0 §B.1.13).

    Serialized as ``{"id", "type": "Image", "caption"?}``: the JSON Schema pins
    ``type`` to the single string ``"Image"`` and allows no other properties.

    Attributes:
        id: the image URL or ``data:`` URI.
        caption: optional caption.
    """

    id: str
    caption: str | None = None

    def __post_init__(self) -> None:
        _text("Image.id", self.id)
        _opt_text("Image.caption", self.caption)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the image."""
        out: dict[str, Any] = {"id": self.id, "type": "Image"}
        _put(out, "caption", self.caption)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoCoordinates:
    """WGS84 coordinates (OB 3.0 §B.1.10); ``type`` is the single string ``"GeoCoordinates"``.

    Attributes:
        latitude: degrees, -90..90.
        longitude: degrees, -180..180.
    """

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _number("GeoCoordinates.latitude", self.latitude)
        _number("GeoCoordinates.longitude", self.longitude)
        if not -90 <= self.latitude <= 90 or not -180 <= self.longitude <= 180:
            raise ValueError("GeoCoordinates out of range")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the coordinates."""
        return {"type": "GeoCoordinates", "latitude": self.latitude, "longitude": self.longitude}


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address (OB 3.0 §B.1.4).

    Attributes:
        address_country: country name (``addressCountry``).
        address_country_code: ISO 3166-1 alpha-2 code (``addressCountryCode``).
        address_region: state or region (``addressRegion``).
        address_locality: city (``addressLocality``).
        street_address: street line (``streetAddress``).
        post_office_box_number: PO box (``postOfficeBoxNumber``).
        postal_code: ZIP / postal code (``postalCode``).
        geo: coordinates.
    """

    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None
    geo: GeoCoordinates | None = None

    def __post_init__(self) -> None:
        code = self.address_country_code
        if code is not None and not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"address_country_code {code!r} is not ISO 3166-1 alpha-2")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the address."""
        out: dict[str, Any] = {"type": ["Address"]}
        _put(out, "addressCountry", self.address_country)
        _put(out, "addressCountryCode", self.address_country_code)
        _put(out, "addressRegion", self.address_region)
        _put(out, "addressLocality", self.address_locality)
        _put(out, "streetAddress", self.street_address)
        _put(out, "postOfficeBoxNumber", self.post_office_box_number)
        _put(out, "postalCode", self.postal_code)
        _put(out, "geo", self.geo.to_json() if self.geo else None)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentifierEntry:
    """Another identifier of a profile or achievement (OB 3.0 §B.1.11).

    Example: a district's NCES id as ``IdentifierEntry(identifier="0612345",
    identifier_type="ext:NCESDistrictId")``.

    Attributes:
        identifier: the identifier value.
        identifier_type: an IdentifierTypeEnum term (OB 3.0 §B.1.30) or ``ext:`` term.
    """

    identifier: str
    identifier_type: str

    def __post_init__(self) -> None:
        _text("IdentifierEntry.identifier", self.identifier)
        _term("IdentifierEntry.identifier_type", self.identifier_type, IDENTIFIER_TYPES)

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``type`` is the single string ``"IdentifierEntry"``."""
        return {
            "type": "IdentifierEntry",
            "identifier": self.identifier,
            "identifierType": self.identifier_type,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """An issuer, creator, source or endorser (OB 3.0 §B.1.14).

    Always emitted as an object with ``type`` containing ``"Profile"``: the
    1EdTech validator rejects an issuer given as a bare URI (DIGEST §10.4).

    Attributes:
        id: unique URI of the profile (for an issuer, its DID or profile URL).
        name: display name of the person or organization.
        extra_types: more ``type`` values after ``"Profile"``.
        url: home page.
        email: contact e-mail.
        phone: contact phone number.
        description: short description.
        image: logo.
        parent_org: parent organization (e.g. the district of a school).
        address: postal address.
        official: name of an authorized official of the organization.
        other_identifier: other identifiers (``otherIdentifier``).
    """

    id: str
    name: str | None = None
    extra_types: tuple[str, ...] = ()
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    image: Image | None = None
    parent_org: Profile | None = None
    address: Address | None = None
    official: str | None = None
    other_identifier: tuple[IdentifierEntry, ...] = ()

    def __post_init__(self) -> None:
        _text("Profile.id", self.id)
        _opt_text("Profile.name", self.name)
        _tuple(self, "extra_types", str)
        _tuple(self, "other_identifier", IdentifierEntry)
        if self.parent_org is not None and not isinstance(self.parent_org, Profile):
            raise TypeError("Profile.parent_org must be a Profile")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the profile."""
        types = ["Profile", *(t for t in self.extra_types if t != "Profile")]
        out: dict[str, Any] = {"id": self.id, "type": types}
        _put(out, "name", self.name)
        _put(out, "url", self.url)
        _put(out, "phone", self.phone)
        _put(out, "description", self.description)
        _put(out, "image", self.image.to_json() if self.image else None)
        _put(out, "email", self.email)
        _put(out, "address", self.address.to_json() if self.address else None)
        _put(out, "otherIdentifier", [e.to_json() for e in self.other_identifier])
        _put(out, "official", self.official)
        _put(out, "parentOrg", self.parent_org.to_json() if self.parent_org else None)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Criteria:
    """How the achievement is earned (OB 3.0 §B.1.6).

    The spec says SHOULD give one of ``id``/``narrative``; the 1EdTech
    validator errors without either (DIGEST §2.4), so one is required here.

    Attributes:
        id: URL of a human-readable criteria page.
        narrative: Markdown text of the criteria.

    Raises:
        ValueError: neither ``id`` nor ``narrative`` given.
    """

    id: str | None = None
    narrative: str | None = None

    def __post_init__(self) -> None:
        _opt_text("Criteria.id", self.id)
        _opt_text("Criteria.narrative", self.narrative)
        if self.id is None and self.narrative is None:
            raise ValueError("Criteria needs an id or a narrative (OB 3.0 §B.1.6)")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the criteria."""
        out: dict[str, Any] = {}
        _put(out, "id", self.id)
        _put(out, "narrative", self.narrative)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Alignment:
    """An alignment to a framework node, e.g. a CASE ``CFItem`` (OB 3.0 §B.1.5).

    Attributes:
        target_name: name of the target (``targetName``).
        target_url: URL of the target's official description (``targetUrl``).
        target_code: code of the target in its framework (``targetCode``).
        target_description: short description (``targetDescription``).
        target_framework: framework name (``targetFramework``).
        target_type: AlignmentTargetType term, OB 3.0 §B.1.29 (``targetType``).
    """

    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None

    def __post_init__(self) -> None:
        _text("Alignment.target_name", self.target_name)
        _text("Alignment.target_url", self.target_url)
        _term("Alignment.target_type", self.target_type, ALIGNMENT_TARGET_TYPES)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the alignment."""
        out: dict[str, Any] = {"type": ["Alignment"]}
        _put(out, "targetCode", self.target_code)
        _put(out, "targetDescription", self.target_description)
        _put(out, "targetName", self.target_name)
        _put(out, "targetFramework", self.target_framework)
        _put(out, "targetType", self.target_type)
        _put(out, "targetUrl", self.target_url)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class RubricCriterionLevel:
    """One level of a rubric criterion (OB 3.0 §B.1.18).

    Attributes:
        id: URI of the level, referenced by ``Result.achievedLevel``.
        name: level name, e.g. ``"Proficient"``.
        description: what the level means.
        level: performance level label.
        points: points for the level (a string in OB 3.0).
        alignment: alignments of this level.
    """

    id: str
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def __post_init__(self) -> None:
        _text("RubricCriterionLevel.id", self.id)
        _text("RubricCriterionLevel.name", self.name)
        if self.points is not None and not isinstance(self.points, str):
            raise TypeError("RubricCriterionLevel.points is a string in OB 3.0 (§B.1.18)")
        _tuple(self, "alignment", Alignment)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the rubric level."""
        out: dict[str, Any] = {"id": self.id, "type": ["RubricCriterionLevel"]}
        _put(out, "alignment", [a.to_json() for a in self.alignment])
        _put(out, "description", self.description)
        _put(out, "level", self.level)
        _put(out, "name", self.name)
        _put(out, "points", self.points)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultDescription:
    """A possible result of an achievement, e.g. a rubric (OB 3.0 §B.1.17).

    Attributes:
        id: URI, referenced by ``Result.resultDescription``.
        name: name of the result, e.g. ``"Portfolio rubric"``.
        result_type: ResultType term, OB 3.0 §B.1.31 (``resultType``).
        rubric_criterion_level: ordered levels, low to high.
        allowed_value: ordered allowed values, low to high (``allowedValue``).
        required_level: id of the level required to pass; must be one of
            ``rubric_criterion_level`` when levels are given.
        required_value: value required to pass.
        value_min: lowest possible value.
        value_max: highest possible value.
        alignment: alignments of this result description.
    """

    id: str
    name: str
    result_type: str
    rubric_criterion_level: tuple[RubricCriterionLevel, ...] = ()
    allowed_value: tuple[str, ...] = ()
    required_level: str | None = None
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def __post_init__(self) -> None:
        _text("ResultDescription.id", self.id)
        _text("ResultDescription.name", self.name)
        _term("ResultDescription.result_type", self.result_type, RESULT_TYPES)
        _tuple(self, "rubric_criterion_level", RubricCriterionLevel)
        _tuple(self, "allowed_value", str)
        _tuple(self, "alignment", Alignment)
        level_ids = {level.id for level in self.rubric_criterion_level}
        if len(level_ids) != len(self.rubric_criterion_level):
            raise ValueError("ResultDescription rubric levels need distinct ids")
        if self.required_level is not None and level_ids and self.required_level not in level_ids:
            raise ValueError("ResultDescription.required_level must be the id of one of its levels")
        for name in ("required_value", "value_min", "value_max"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise TypeError(f"ResultDescription.{name} is a string in OB 3.0 (§B.1.17)")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the result description."""
        out: dict[str, Any] = {"id": self.id, "type": ["ResultDescription"]}
        _put(out, "alignment", [a.to_json() for a in self.alignment])
        _put(out, "allowedValue", list(self.allowed_value))
        _put(out, "name", self.name)
        _put(out, "requiredLevel", self.required_level)
        _put(out, "requiredValue", self.required_value)
        _put(out, "resultType", self.result_type)
        _put(out, "rubricCriterionLevel", [lv.to_json() for lv in self.rubric_criterion_level])
        _put(out, "valueMax", self.value_max)
        _put(out, "valueMin", self.value_min)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """A result the recipient achieved (OB 3.0 §B.1.16).

    Attributes:
        result_description: id of a ResultDescription of the awarded achievement.
        achieved_level: id of the RubricCriterionLevel reached.
        value: the result value, e.g. ``"A"`` or ``"92"``.
        status: ResultStatusType term, OB 3.0 §B.1.32 (closed vocabulary).
        alignment: extra alignments of this result.
    """

    result_description: str | None = None
    achieved_level: str | None = None
    value: str | None = None
    status: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def __post_init__(self) -> None:
        _opt_text("Result.result_description", self.result_description)
        _opt_text("Result.achieved_level", self.achieved_level)
        if self.value is not None and not isinstance(self.value, str):
            raise TypeError("Result.value is a string in OB 3.0 (§B.1.16)")
        _term("Result.status", self.status, RESULT_STATUSES, extensible=False)
        _tuple(self, "alignment", Alignment)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the result."""
        out: dict[str, Any] = {"type": ["Result"]}
        _put(out, "achievedLevel", self.achieved_level)
        _put(out, "alignment", [a.to_json() for a in self.alignment])
        _put(out, "resultDescription", self.result_description)
        _put(out, "status", self.status)
        _put(out, "value", self.value)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Evidence of the work done (OB 3.0 §B.1.9).

    Prefer an ``https:``/``urn:`` id over a ``data:`` URI: data URIs bloat
    RDF canonicalization (OB impl guide "Embedding Evidences", DIGEST §10.12).

    Attributes:
        id: URL of the evidence (the service's evidence pages are private;
            leave it out or use a link the earner controls).
        name: title, e.g. ``"Unit plan: fractions with manipulatives"``.
        description: longer description.
        narrative: Markdown narrative of the evidence.
        genre: kind of evidence, e.g. ``"Lesson Plan"``.
        audience: intended audience.
    """

    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None

    def __post_init__(self) -> None:
        _opt_text("Evidence.id", self.id)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the evidence."""
        out: dict[str, Any] = {}
        _put(out, "id", self.id)
        out["type"] = ["Evidence"]
        _put(out, "name", self.name)
        _put(out, "description", self.description)
        _put(out, "narrative", self.narrative)
        _put(out, "genre", self.genre)
        _put(out, "audience", self.audience)
        return out


# --------------------------------------------------------------------------
# Recipient identity (OB 3.0 §B.1.12 IdentityObject, §B.7 IdentityHash)
# --------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    """Normalize an e-mail address before hashing: strip whitespace, lowercase.

    OB 3.0 does not define a normalization. Lowercasing the whole address
    (local part too, though RFC 5321 lets a server treat it case-sensitively)
    matches what mail providers and earlier Open Badges issuers do, so the
    hash a teacher's ``Jane.Doe@District.org`` gets is the one a verifier
    computes from ``jane.doe@district.org``. No Unicode normalization or
    provider-specific rewriting (dots, ``+tags``) is applied.

    Args:
        email: the address as entered.

    Returns:
        ``email.strip().lower()``.
    """
    return email.strip().lower()


def _digest(alg: str, text: str) -> str:
    if alg == "sha256":
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityObject:
    """A recipient identifier (OB 3.0 §B.1.12).

    Salted e-mail hashes are weak privacy (an e-mail list can be brute
    forced against them); they identify, they do not hide.

    Attributes:
        identity_hash: an IdentityHash ``<md5|sha256>$<hex>`` when ``hashed``,
            otherwise the plain value (``identityHash``).
        identity_type: IdentifierTypeEnum term, OB 3.0 §B.1.30 (``identityType``).
        hashed: whether ``identity_hash`` is hashed.
        salt: the salt appended before hashing.
    """

    identity_hash: str
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None

    def __post_init__(self) -> None:
        _text("IdentityObject.identity_hash", self.identity_hash)
        _term("IdentityObject.identity_type", self.identity_type, IDENTIFIER_TYPES)
        if not isinstance(self.hashed, bool):
            raise TypeError("IdentityObject.hashed must be a bool")
        if self.salt is not None and not isinstance(self.salt, str):
            raise TypeError("IdentityObject.salt must be a string")
        if self.hashed:
            match = _IDENTITY_HASH.fullmatch(self.identity_hash)
            if match is None or len(match[2]) != _HASH_HEX_LENGTH[match[1]]:
                raise ValueError(
                    "a hashed identity_hash must be 'md5$<32 hex>' or 'sha256$<64 hex>' "
                    "(OB 3.0 §B.7 IdentityHash)")

    @classmethod
    def hashed_email(cls, email: str, salt: str) -> IdentityObject:
        """A salted SHA-256 e-mail identity (OB 3.0 §B.7 IdentityHash).

        ``identityHash = "sha256$" + hex(sha256(utf8(normalize_email(email) + salt)))``;
        see :func:`normalize_email` for the normalization. With ``a@example.com``
        and salt ``Kosher`` this gives the spec's worked example
        ``sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399``.

        Args:
            email: the recipient's e-mail address.
            salt: a per-recipient random salt (stored in the credential).

        Returns:
            ``IdentityObject(identityType="emailAddress", hashed=True, salt=salt)``.

        Raises:
            ValueError: empty e-mail or empty salt.
        """
        _text("email", email)
        if not isinstance(salt, str) or not salt:
            raise ValueError("salt must be a non-empty string")
        digest = _digest("sha256", normalize_email(email) + salt)
        return cls(identity_hash=f"sha256${digest}", identity_type="emailAddress",
                   hashed=True, salt=salt)

    @classmethod
    def plain_name(cls, name: str) -> IdentityObject:
        """The recipient's display name, unhashed (OB impl guide, recipient profile info).

        Args:
            name: the name as it should be displayed, e.g. ``"Zoë Müller"``.

        Returns:
            ``IdentityObject(identityType="name", hashed=False, identityHash=name)``.
        """
        return cls(identity_hash=name, identity_type="name", hashed=False)

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``type`` is the single string ``"IdentityObject"``."""
        out: dict[str, Any] = {
            "type": "IdentityObject",
            "identityHash": self.identity_hash,
            "identityType": self.identity_type,
            "hashed": self.hashed,
        }
        _put(out, "salt", self.salt)
        return out


def identity_matches(
    identity: Mapping[str, Any], value: str, *, identity_type: str | None = None
) -> bool:
    """Check a known recipient value against an IdentityObject (OB 3.0 §9 verify-identifier).

    Hashed identities (``md5$``/``sha256$``, upper- or lowercase hex) are
    compared by hashing ``value + salt``; plain ones by equality. For
    ``emailAddress`` identities both the value as given and its
    :func:`normalize_email` form are tried (issuers differ in normalization),
    and plain e-mails compare case-insensitively. Never raises: anything
    malformed is simply no match.

    Args:
        identity: the IdentityObject JSON from ``credentialSubject.identifier``.
        value: the value the verifier knows, e.g. the teacher's e-mail.
        identity_type: when given, ``identity["identityType"]`` must equal it.

    Returns:
        True when the identity designates ``value``.
    """
    if not isinstance(identity, Mapping) or not isinstance(value, str):
        return False
    kind = identity.get("identityType")
    stored = identity.get("identityHash")
    if not isinstance(stored, str) or not isinstance(kind, str):
        return False
    if identity_type is not None and kind != identity_type:
        return False
    hashed = identity.get("hashed")
    if not isinstance(hashed, bool):
        return False
    is_email = kind == "emailAddress"
    if not hashed:
        if is_email:
            return normalize_email(stored) == normalize_email(value)
        return hmac.compare_digest(stored.encode("utf-8"), value.encode("utf-8"))
    match = _IDENTITY_HASH.fullmatch(stored.strip())
    if match is None:
        return False
    alg, expected = match[1], match[2].lower()
    salt = identity.get("salt")
    salt = salt if isinstance(salt, str) else ""
    candidates = [value, normalize_email(value)] if is_email else [value]
    found = False
    for candidate in dict.fromkeys(candidates):
        found |= hmac.compare_digest(_digest(alg, candidate + salt), expected)
    return found


# --------------------------------------------------------------------------
# Achievement and subject
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Achievement:
    """The micro-credential definition (OB 3.0 §B.1.1).

    Attributes:
        id: stable URI of the achievement (same id = same achievement, newer
            credentials = newer version; DIGEST §2.4).
        name: e.g. ``"Blended Learning Design"``.
        description: short description.
        criteria: how it is earned.
        achievement_type: AchievementType term, OB 3.0 §B.1.28; ``None`` omits it.
        image: the unbaked badge image.
        alignment: competency-framework alignments.
        result_description: possible results (rubrics, scores).
        tag: search keywords.
        version: version label.
        in_language: BCP 47 language code, e.g. ``"en"`` or ``"es-MX"``.
        creator: who defined the achievement.
        field_of_study: e.g. ``"Educational Technology"``.
        human_code: short human code, e.g. ``"EDT-104"``.
        credits_available: credit hours possible (e.g. PD hours).
        specialization: focus area.
        other_identifier: other identifiers (``otherIdentifier``).
    """

    id: str
    name: str
    description: str
    criteria: Criteria
    achievement_type: str | None = "MicroCredential"
    image: Image | None = None
    alignment: tuple[Alignment, ...] = ()
    result_description: tuple[ResultDescription, ...] = ()
    tag: tuple[str, ...] = ()
    version: str | None = None
    in_language: str | None = None
    creator: Profile | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    credits_available: float | None = None
    specialization: str | None = None
    other_identifier: tuple[IdentifierEntry, ...] = ()

    def __post_init__(self) -> None:
        _text("Achievement.id", self.id)
        _text("Achievement.name", self.name)
        _text("Achievement.description", self.description)
        if not isinstance(self.criteria, Criteria):
            raise TypeError("Achievement.criteria must be a Criteria")
        _term("Achievement.achievement_type", self.achievement_type, ACHIEVEMENT_TYPES)
        _tuple(self, "alignment", Alignment)
        _tuple(self, "result_description", ResultDescription)
        _tuple(self, "tag", str)
        _tuple(self, "other_identifier", IdentifierEntry)
        _number("Achievement.credits_available", self.credits_available)
        if self.in_language is not None and not _LANGUAGE.fullmatch(self.in_language):
            raise ValueError(f"in_language {self.in_language!r} is not a BCP 47 code "
                             "of the form the OB 3.0 schema accepts (e.g. 'en', 'es-MX')")
        ids = [rd.id for rd in self.result_description]
        if len(set(ids)) != len(ids):
            raise ValueError("Achievement result descriptions need distinct ids")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the achievement."""
        out: dict[str, Any] = {"id": self.id, "type": ["Achievement"]}
        _put(out, "alignment", [a.to_json() for a in self.alignment])
        _put(out, "achievementType", self.achievement_type)
        _put(out, "creator", self.creator.to_json() if self.creator else None)
        _put(out, "creditsAvailable", self.credits_available)
        out["criteria"] = self.criteria.to_json()
        out["description"] = self.description
        _put(out, "fieldOfStudy", self.field_of_study)
        _put(out, "humanCode", self.human_code)
        _put(out, "image", self.image.to_json() if self.image else None)
        _put(out, "inLanguage", self.in_language)
        out["name"] = self.name
        _put(out, "otherIdentifier", [e.to_json() for e in self.other_identifier])
        _put(out, "resultDescription", [rd.to_json() for rd in self.result_description])
        _put(out, "specialization", self.specialization)
        _put(out, "tag", list(self.tag))
        _put(out, "version", self.version)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class AchievementSubject:
    """The recipient and what they achieved (OB 3.0 §B.1.3).

    Attributes:
        achievement: the achievement awarded.
        id: the recipient's URI (e.g. a DID); give it or an ``identifier``.
        identifier: recipient identity objects (hashed e-mail, name...).
        result: results achieved; each ``result_description`` must be the id of
            one of ``achievement.result_description`` and each ``achieved_level``
            a level of that description (OB 3.0 §B.1.16).
        source: who assessed on behalf of the issuer (e.g. a school).
        narrative: Markdown narrative connecting the evidence.
        image: the baked badge image.
        activity_start_date: when the activity started.
        activity_end_date: when it ended (not before the start).
        credits_earned: credits earned (e.g. PD hours).
        role: the recipient's role, e.g. ``"Grade 4 Teacher"``.
        term: academic term, e.g. ``"Fall 2025"``.
        license_number: license number issued with the credential.

    Raises:
        ValueError: neither ``id`` nor an ``identifier`` given (OB 3.0 §B.1.3),
            or a result that does not match the achievement.
    """

    achievement: Achievement
    id: str | None = None
    identifier: tuple[IdentityObject, ...] = ()
    result: tuple[Result, ...] = ()
    source: Profile | None = None
    narrative: str | None = None
    image: Image | None = None
    activity_start_date: datetime | None = None
    activity_end_date: datetime | None = None
    credits_earned: float | None = None
    role: str | None = None
    term: str | None = None
    license_number: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.achievement, Achievement):
            raise TypeError("AchievementSubject.achievement must be an Achievement")
        _opt_text("AchievementSubject.id", self.id)
        _tuple(self, "identifier", IdentityObject)
        _tuple(self, "result", Result)
        if self.id is None and not self.identifier:
            raise ValueError(
                "AchievementSubject needs an id or at least one identifier (OB 3.0 §B.1.3)")
        _aware("activity_start_date", self.activity_start_date)
        _aware("activity_end_date", self.activity_end_date)
        if (self.activity_start_date is not None and self.activity_end_date is not None
                and self.activity_end_date < self.activity_start_date):
            raise ValueError("activity_end_date is before activity_start_date")
        _number("AchievementSubject.credits_earned", self.credits_earned)
        descriptions = {rd.id: rd for rd in self.achievement.result_description}
        for result in self.result:
            if result.result_description is None:
                continue
            rd = descriptions.get(result.result_description)
            if rd is None:
                raise ValueError(
                    f"result references {result.result_description!r}, which is not a "
                    "resultDescription of the achievement (OB 3.0 §B.1.16)")
            levels = {level.id for level in rd.rubric_criterion_level}
            if result.achieved_level is not None and levels and result.achieved_level not in levels:
                raise ValueError(
                    f"achieved_level {result.achieved_level!r} is not a level of "
                    f"{rd.id!r} (OB 3.0 §B.1.16)")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the subject."""
        out: dict[str, Any] = {}
        _put(out, "id", self.id)
        out["type"] = ["AchievementSubject"]
        _put(out, "activityEndDate", _date(self.activity_end_date))
        _put(out, "activityStartDate", _date(self.activity_start_date))
        _put(out, "creditsEarned", self.credits_earned)
        out["achievement"] = self.achievement.to_json()
        _put(out, "identifier", [i.to_json() for i in self.identifier])
        _put(out, "image", self.image.to_json() if self.image else None)
        _put(out, "licenseNumber", self.license_number)
        _put(out, "narrative", self.narrative)
        _put(out, "result", [r.to_json() for r in self.result])
        _put(out, "role", self.role)
        _put(out, "source", self.source.to_json() if self.source else None)
        _put(out, "term", self.term)
        return out


# --------------------------------------------------------------------------
# Status and credentials
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BitstringStatusListEntry:
    """A W3C Bitstring Status List entry (BSL v1.0 §2.1; OB 3.0 1.3 status method).

    ``id`` is required here although BSL makes it optional, because the
    OB 3.0 JSON Schema's CredentialStatus requires one; by convention use
    ``f"{status_list_credential}#{status_list_index}"`` (BSL: it MUST NOT be
    the list URL itself).

    Attributes:
        id: URI of this entry.
        status_purpose: ``revocation``, ``suspension``, ``refresh`` or ``message``.
        status_list_index: bit position, emitted as a base-10 string (BSL §2.1).
        status_list_credential: URL of the BitstringStatusListCredential.
    """

    id: str
    status_purpose: str
    status_list_index: int
    status_list_credential: str

    def __post_init__(self) -> None:
        _text("BitstringStatusListEntry.id", self.id)
        _text("BitstringStatusListEntry.status_list_credential", self.status_list_credential)
        _term("status_purpose", self.status_purpose, STATUS_PURPOSES, extensible=False)
        index = self.status_list_index
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError("status_list_index must be an int")
        if index < 0:
            raise ValueError("status_list_index must be >= 0")
        if self.id == self.status_list_credential:
            raise ValueError("the entry id MUST NOT be the status list URL (BSL §2.1)")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the entry (``statusListIndex`` as a string)."""
        return {
            "id": self.id,
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.status_purpose,
            "statusListIndex": str(self.status_list_index),
            "statusListCredential": self.status_list_credential,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenBadgeCredential:
    """An unsigned OpenBadgeCredential (OB 3.0 §B.1.2, VCDM 2.0).

    ``@context`` is ``[VCDM v2, OB 3.0.3]``, plus ``extensions.json``
    whenever a ``1EdTech*`` type appears (the default ``credentialSchema``
    uses ``1EdTechJsonSchemaValidator2019``; DIGEST §1), then
    ``extra_contexts``. ``type`` is ``["VerifiableCredential",
    "OpenBadgeCredential"]``; the issuer is embedded as a Profile.

    Attributes:
        id: the credential URI (``urn:uuid:`` is fine).
        issuer: the issuing Profile; its ``id`` must be the signing key's controller.
        valid_from: when the credential becomes valid (``validFrom``).
        credential_subject: the recipient and achievement.
        name: display name for wallets.
        description: display description.
        valid_until: expiry (``validUntil``); must be after ``valid_from``.
        awarded_date: original award date kept across re-issues (``awardedDate``).
        image: display image.
        evidence: evidence items.
        credential_status: at most one status entry (a
            :class:`BitstringStatusListEntry` or a mapping with ``id`` and
            ``type``), emitted as a single object: OB 3.0 gives
            ``credentialStatus`` multiplicity 0..1.
        credential_schema: ``credentialSchema`` entries (default: the OB 3.0 schema).
        endorsement: signed EndorsementCredential documents to embed.
        endorsement_jwt: VC-JWT endorsements (compact JWS).
        extra_contexts: more ``@context`` entries appended at the end.
    """

    id: str
    issuer: Profile
    valid_from: datetime
    credential_subject: AchievementSubject
    name: str | None = None
    description: str | None = None
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    image: Image | None = None
    evidence: tuple[Evidence, ...] = ()
    credential_status: tuple[BitstringStatusListEntry | Mapping[str, Any], ...] = ()
    credential_schema: tuple[Mapping[str, str], ...] = DEFAULT_CREDENTIAL_SCHEMA
    endorsement: tuple[Mapping[str, Any], ...] = ()
    endorsement_jwt: tuple[str, ...] = ()
    extra_contexts: tuple[str | Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _text("OpenBadgeCredential.id", self.id)
        if not isinstance(self.issuer, Profile):
            raise TypeError("issuer must be a Profile (an embedded Profile object)")
        if not isinstance(self.credential_subject, AchievementSubject):
            raise TypeError("credential_subject must be an AchievementSubject")
        if self.valid_from is None:
            raise ValueError("valid_from is required")
        _aware("valid_from", self.valid_from)
        _aware("valid_until", self.valid_until)
        _aware("awarded_date", self.awarded_date)
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        _tuple(self, "evidence", Evidence)
        _tuple(self, "credential_status", (BitstringStatusListEntry, Mapping))
        _tuple(self, "credential_schema", Mapping)
        _tuple(self, "endorsement", Mapping)
        _tuple(self, "endorsement_jwt", str)
        _tuple(self, "extra_contexts", (str, Mapping))
        _check_status_entries(self.credential_status)
        _check_schemas(self.credential_schema)
        _check_jws("endorsement_jwt", self.endorsement_jwt)

    def to_json(self) -> dict[str, Any]:
        """The unsigned credential JSON (a fresh dict on every call)."""
        body: dict[str, Any] = {
            "id": self.id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
        }
        _put(body, "name", self.name)
        _put(body, "description", self.description)
        _put(body, "image", self.image.to_json() if self.image else None)
        body["issuer"] = self.issuer.to_json()
        body["validFrom"] = format_datetime(self.valid_from)
        _put(body, "validUntil", _date(self.valid_until))
        _put(body, "awardedDate", _date(self.awarded_date))
        body["credentialSubject"] = self.credential_subject.to_json()
        _put(body, "evidence", [e.to_json() for e in self.evidence])
        _put(body, "credentialStatus", _status_json(self.credential_status))
        _put(body, "credentialSchema", [dict(s) for s in self.credential_schema])
        _put(body, "endorsement", [_copy_mapping(e) for e in self.endorsement])
        _put(body, "endorsementJwt", list(self.endorsement_jwt))
        return {"@context": _contexts(body, self.extra_contexts), **body}


@dataclass(frozen=True, slots=True, kw_only=True)
class EndorsementCredential:
    """An unsigned EndorsementCredential (OB 3.0 §B.1.7, §B.1.8).

    Attributes:
        id: the endorsement credential URI.
        issuer: the endorser's Profile.
        valid_from: when the endorsement becomes valid.
        name: display name (required by OB 3.0 for endorsements).
        subject_id: id of what is endorsed (an issuer, achievement or credential).
        endorsement_comment: Markdown comment (``endorsementComment``).
        description: display description.
        valid_until: expiry; must be after ``valid_from``.
        awarded_date: original award date.
        credential_status: at most one status entry (see OpenBadgeCredential).
        credential_schema: ``credentialSchema`` (default: the OB endorsement schema).
        extra_contexts: more ``@context`` entries appended at the end.
    """

    id: str
    issuer: Profile
    valid_from: datetime
    name: str
    subject_id: str
    endorsement_comment: str | None = None
    description: str | None = None
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    credential_status: tuple[BitstringStatusListEntry | Mapping[str, Any], ...] = ()
    credential_schema: tuple[Mapping[str, str], ...] = DEFAULT_ENDORSEMENT_SCHEMA
    extra_contexts: tuple[str | Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _text("EndorsementCredential.id", self.id)
        _text("EndorsementCredential.name", self.name)
        _text("EndorsementCredential.subject_id", self.subject_id)
        if not isinstance(self.issuer, Profile):
            raise TypeError("issuer must be a Profile")
        if self.valid_from is None:
            raise ValueError("valid_from is required")
        _aware("valid_from", self.valid_from)
        _aware("valid_until", self.valid_until)
        _aware("awarded_date", self.awarded_date)
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        _tuple(self, "credential_status", (BitstringStatusListEntry, Mapping))
        _tuple(self, "credential_schema", Mapping)
        _tuple(self, "extra_contexts", (str, Mapping))
        _check_status_entries(self.credential_status)
        _check_schemas(self.credential_schema)

    def to_json(self) -> dict[str, Any]:
        """The unsigned endorsement JSON (a fresh dict on every call)."""
        subject: dict[str, Any] = {"id": self.subject_id, "type": ["EndorsementSubject"]}
        _put(subject, "endorsementComment", self.endorsement_comment)
        body: dict[str, Any] = {
            "id": self.id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": self.name,
        }
        _put(body, "description", self.description)
        body["issuer"] = self.issuer.to_json()
        body["validFrom"] = format_datetime(self.valid_from)
        _put(body, "validUntil", _date(self.valid_until))
        _put(body, "awardedDate", _date(self.awarded_date))
        body["credentialSubject"] = subject
        _put(body, "credentialStatus", _status_json(self.credential_status))
        _put(body, "credentialSchema", [dict(s) for s in self.credential_schema])
        return {"@context": _contexts(body, self.extra_contexts), **body}
