"""Building and signing a CLR 2.0 ``ClrCredential`` of a teacher's Open Badges (issue #20).

A Comprehensive Learner Record 2.0 (1EdTech CLR 2.0 §ClrCredential) is a
verifiable credential whose ``credentialSubject`` is a ``ClrSubject``
(CLR 2.0 §ClrSubject): the learner's identity (``identifier``), the
achievements (``achievement``), how they relate (``association``, CLR 2.0
§Association) and the learner's credentials themselves
(``verifiableCredential``), each embedded unchanged with its own proof, so
each can be verified on its own as well as as part of the record.

The record is signed like our Open Badges: a Data Integrity
``eddsa-rdfc-2022`` proof (VC-DI-EdDSA §3.2.1) with the issuer's Ed25519
key, after it passed the CLR JSON Schema (:mod:`badges.clr_schema`) and
JSON-LD safe mode. Only Data Integrity (JSON) credentials can be embedded: a
VC-JWT is not a JSON object the CLR schema's ``VerifiableCredential``
accepts. Pure: no I/O, no clock (callers pass the time).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges import dataintegrity
from badges import jsonld
from badges.clr_schema import CLR_SCHEMA_ID
from badges.clr_schema import check_clr
from badges.errors import BadgesError
from badges.keys import KeyPair
from badges.loader import OB_CONTEXT
from badges.loader import OB_EXTENSIONS
from badges.loader import VC_V2
from badges.model import IdentityObject
from badges.model import Profile
from badges.model import format_datetime

__all__ = ["ASSOCIATION_TYPES", "CLR_CONTEXT", "Association", "ClrError", "achievement_name",
           "build_clr", "sign_clr"]

#: The CLR 2.0 JSON-LD context (bundled; CLR 2.0 §ClrCredential ``@context``).
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: CLR 2.0 §AssociationType.
ASSOCIATION_TYPES = frozenset({"exactMatchOf", "isChildOf", "isParentOf", "isPartOf",
                               "isPeerOf", "isRelatedTo", "precedes", "replacedBy"})
_OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


class ClrError(BadgesError):
    """A CLR that cannot be built or signed as asked (a clear message and ``code``)."""


@dataclass(frozen=True, slots=True)
class Association:
    """How two achievements of the record relate (CLR 2.0 §Association).

    Attributes:
        association_type: one of :data:`ASSOCIATION_TYPES`.
        source_id: the ``id`` of the source achievement.
        target_id: the ``id`` of the target achievement.
    """

    association_type: str
    source_id: str
    target_id: str

    def to_json(self) -> dict[str, Any]:
        """JSON form (``type`` ``Association``)."""
        return {"type": "Association", "associationType": self.association_type,
                "sourceId": self.source_id, "targetId": self.target_id}


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def achievement_name(credential: Any, fallback: str = "a credential") -> str:
    """The name people know an embedded Open Badge by: its achievement's name.

    Falls back to the credential's own ``name``, then ``fallback``; never raises.
    """
    if isinstance(credential, Mapping):
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("name"), str) \
                and achievement["name"].strip():
            return str(achievement["name"]).strip()
        if isinstance(credential.get("name"), str) and credential["name"].strip():
            return str(credential["name"]).strip()
    return fallback


def _embeddable(index: int, credential: Any) -> dict[str, Any]:
    if not isinstance(credential, Mapping):
        raise ClrError(f"credential {index + 1} is not a JSON credential (a VC-JWT cannot be "
                       "embedded in a CLR; issue it as Data Integrity JSON)",
                       code="not_embeddable")
    name = achievement_name(credential, f"credential {index + 1}")
    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types or not _OB_TYPES.intersection(types):
        raise ClrError(f"{name} is not an Open Badges 3.0 credential", code="not_open_badge")
    if not dataintegrity.proofs_of(credential):
        raise ClrError(f"{name} has no embedded proof; a CLR embeds each credential with its "
                       "own proof", code="not_embeddable")
    return dict(credential)


def _achievements(credentials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for credential in credentials:
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
            seen.setdefault(achievement["id"], dict(achievement))
    return list(seen.values())


def build_clr(*, clr_id: str, issuer: Profile, learner_email: str, salt: str,
              credentials: Iterable[Mapping[str, Any]], valid_from: datetime,
              name: str, description: str | None = None,
              associations: Iterable[Association] = (), partial: bool = False) -> dict[str, Any]:
    """An unsigned ``ClrCredential`` (CLR 2.0 §ClrCredential, VCDM 2.0).

    Args:
        clr_id: the record's URI (``urn:uuid:`` is fine).
        issuer: the issuing Profile (its ``id`` is the signing key's controller).
        learner_email: the teacher's e-mail address; the subject is identified
            by its salted SHA-256 hash (OB 3.0 §B.1.12 IdentityObject), as the
            teacher's Open Badges are.
        salt: a random salt for that hash.
        credentials: the signed Open Badges to embed, each unchanged, in order
            (at least one: the schema's ``verifiableCredential`` has ``minItems`` 1).
        valid_from: the record's ``validFrom`` (timezone-aware).
        name: the record's name (CLR 2.0: required).
        description: an optional description.
        associations: how achievements relate; both ends must be achievements
            of the embedded credentials.
        partial: True when the record leaves out credentials the issuer knows
            of for this learner (CLR 2.0 ``partial``).

    Returns:
        The credential JSON, ``credentialSchema`` naming the CLR schema.

    Raises:
        ClrError: no credentials, a credential that cannot be embedded (a
            VC-JWT, no proof, not an Open Badge), an association with an unknown
            type or an achievement not in the record, a naive ``valid_from``.
    """
    embedded = [_embeddable(i, c) for i, c in enumerate(credentials)]
    if not embedded:
        raise ClrError("a CLR needs at least one credential", code="no_credentials")
    if valid_from.tzinfo is None:
        raise ClrError("valid_from must have a time zone", code="invalid_date")
    if not isinstance(name, str) or not name.strip():
        raise ClrError("a CLR needs a name", code="invalid_name")
    achievements = _achievements(embedded)
    known = {a["id"] for a in achievements}
    links = list(associations)
    for link in links:
        if link.association_type not in ASSOCIATION_TYPES:
            raise ClrError(f"unknown association type {link.association_type!r}; use one of "
                           + ", ".join(sorted(ASSOCIATION_TYPES)), code="invalid_association")
        for end in (link.source_id, link.target_id):
            if end not in known:
                raise ClrError(f"association end {end!r} is not an achievement of this record",
                               code="invalid_association")
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": [IdentityObject.hashed_email(learner_email, salt).to_json()],
        "achievement": achievements,
        "verifiableCredential": embedded,
    }
    if links:
        subject["association"] = [link.to_json() for link in links]
    body: dict[str, Any] = {
        "@context": [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS],
        "id": clr_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name.strip(),
    }
    if description:
        body["description"] = description
    body["issuer"] = issuer.to_json()
    body["validFrom"] = format_datetime(valid_from.replace(microsecond=0))
    if partial:
        body["partial"] = True
    body["credentialSubject"] = subject
    body["credentialSchema"] = [{"id": CLR_SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}]
    return body


def sign_clr(clr: Mapping[str, Any], *, key: KeyPair, created: datetime) -> dict[str, Any]:
    """Check ``clr`` against the CLR schema and JSON-LD safe mode, then sign it.

    Args:
        clr: the unsigned record (:func:`build_clr`); not modified.
        key: the issuer's Ed25519 key (``key.id`` is the verification method).
        created: the proof's ``created`` time.

    Returns:
        The record with an ``eddsa-rdfc-2022`` ``DataIntegrityProof``.

    Raises:
        ClrError: ``schema_invalid`` (the CLR schema's first issues named) or
            ``undefined_term`` (a term no context defines).
        badges.dataintegrity.ProofError: a key that is not Ed25519.
    """
    issues = check_clr(clr)
    if issues:
        raise ClrError("the CLR would not pass the CLR 2.0 schema: "
                       + "; ".join(str(i) for i in issues[:3]), code="schema_invalid")
    prepared = jsonld.prepare(dict(clr))
    terms, types = prepared.undefined
    if terms or types:
        raise ClrError("the CLR uses undefined JSON-LD terms: " + ", ".join([*terms, *types]),
                       code="undefined_term")
    return dataintegrity.sign_credential(clr, key=key, created=format_datetime(created),
                                         prepared=prepared)
