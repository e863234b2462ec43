"""OB 3.0 vocabularies and ``credentialSchema`` defaults.

The enumerations of OB 3.0 §B.1.28 AchievementType, §B.1.29
AlignmentTargetType, §B.1.30 IdentifierTypeEnum, §B.1.31 ResultType and
§B.1.32 ResultStatusType (DIGEST §2.3-§2.5), the ``statusPurpose`` values of
Bitstring Status List v1.0 §2.1, and the OB 3.0 JSON Schema entries of
``credentialSchema`` (OB 3.0 §B.1.21, DIGEST §2.2, §10.14).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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
