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

The package is pure: it never reads the clock (every timestamp is a
parameter), the network or files. One module per group of OB 3.0 classes,
each importing only the ones above it:

* :mod:`~badges.model.common`: DateTimeZ (§B.7) and the validation and
  serialization helpers;
* :mod:`~badges.model.vocab`: enumerations (§B.1.28-§B.1.32) and the
  ``credentialSchema`` defaults (§B.1.21);
* :mod:`~badges.model.image`: Image (§B.1.13);
* :mod:`~badges.model.profile`: Profile, Address, GeoCoordinates,
  IdentifierEntry (§B.1.14, §B.1.4, §B.1.10, §B.1.11);
* :mod:`~badges.model.achievement`: Achievement, Criteria, Alignment,
  ResultDescription, RubricCriterionLevel (§B.1.1, §B.1.6, §B.1.5, §B.1.17,
  §B.1.18);
* :mod:`~badges.model.identity`: IdentityObject and IdentityHash (§B.1.12, §B.7);
* :mod:`~badges.model.subject`: AchievementSubject and Result (§B.1.3, §B.1.16);
* :mod:`~badges.model.credential`: OpenBadgeCredential, Evidence,
  BitstringStatusListEntry (§B.1.2, §B.1.9, BSL §2.1);
* :mod:`~badges.model.endorsement`: EndorsementCredential (§B.1.7, §B.1.8).

Import the public names from here (``from badges.model import Profile``).
"""

from __future__ import annotations

from badges.model.achievement import Achievement
from badges.model.achievement import Alignment
from badges.model.achievement import Criteria
from badges.model.achievement import ResultDescription
from badges.model.achievement import RubricCriterionLevel
from badges.model.common import format_datetime
from badges.model.common import parse_datetime
from badges.model.credential import BitstringStatusListEntry
from badges.model.credential import Evidence
from badges.model.credential import OpenBadgeCredential
from badges.model.endorsement import EndorsementCredential
from badges.model.identity import IdentityObject
from badges.model.identity import identity_matches
from badges.model.identity import normalize_email
from badges.model.image import Image
from badges.model.profile import Address
from badges.model.profile import GeoCoordinates
from badges.model.profile import IdentifierEntry
from badges.model.profile import Profile
from badges.model.subject import AchievementSubject
from badges.model.subject import Result
from badges.model.vocab import ACHIEVEMENT_TYPES
from badges.model.vocab import ALIGNMENT_TARGET_TYPES
from badges.model.vocab import DEFAULT_CREDENTIAL_SCHEMA
from badges.model.vocab import DEFAULT_ENDORSEMENT_SCHEMA
from badges.model.vocab import IDENTIFIER_TYPES
from badges.model.vocab import JSON_SCHEMA_VALIDATOR_TYPE
from badges.model.vocab import OB_CREDENTIAL_SCHEMA_URL
from badges.model.vocab import OB_ENDORSEMENT_SCHEMA_URL
from badges.model.vocab import RESULT_STATUSES
from badges.model.vocab import RESULT_TYPES
from badges.model.vocab import STATUS_PURPOSES

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
