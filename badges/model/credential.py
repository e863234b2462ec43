"""OB 3.0 §B.1.2 AchievementCredential, built as an OpenBadgeCredential.

With what it carries besides its subject: §B.1.9 Evidence and a W3C Bitstring
Status List v1.0 §2.1 ``credentialStatus`` entry (DIGEST §2.2, §6). The
``@context`` (OB 3.0 §B.1.2, DIGEST §1), ``credentialStatus``,
``credentialSchema`` (§B.1.21) and ``endorsementJwt`` helpers here are shared
with :mod:`badges.model.endorsement`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges.loader import OB_CONTEXT
from badges.loader import OB_EXTENSIONS
from badges.loader import VC_V2
from badges.model.common import _aware
from badges.model.common import _copy_mapping
from badges.model.common import _date
from badges.model.common import _opt_text
from badges.model.common import _put
from badges.model.common import _term
from badges.model.common import _text
from badges.model.common import _tuple
from badges.model.common import format_datetime
from badges.model.image import Image
from badges.model.profile import Profile
from badges.model.subject import AchievementSubject
from badges.model.vocab import DEFAULT_CREDENTIAL_SCHEMA
from badges.model.vocab import STATUS_PURPOSES

_COMPACT_JWS = re.compile(r"[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+", re.ASCII)


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


def _check_validity_and_status(credential: Any) -> None:
    """The checks every credential class shares.

    VCDM 2.0 §4.9 validity period, OB 3.0 §B.1.2/§B.1.8 credentialStatus and
    credentialSchema: ``valid_from`` present and every date timezone-aware,
    ``valid_until`` after ``valid_from``, status and schema entries as tuples of
    the right kinds.
    """
    if credential.valid_from is None:
        raise ValueError("valid_from is required")
    _aware("valid_from", credential.valid_from)
    _aware("valid_until", credential.valid_until)
    _aware("awarded_date", credential.awarded_date)
    if credential.valid_until is not None and credential.valid_until <= credential.valid_from:
        raise ValueError("valid_until must be after valid_from")
    _tuple(credential, "credential_status", (BitstringStatusListEntry, Mapping))
    _tuple(credential, "credential_schema", Mapping)


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
        _tuple(self, "evidence", Evidence)
        _check_validity_and_status(self)
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
