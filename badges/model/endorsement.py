"""OB 3.0 §B.1.7 EndorsementCredential and its §B.1.8 EndorsementSubject.

An endorser's signed statement about an issuer, an achievement or a
credential (DIGEST §2.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges.model.common import _date
from badges.model.common import _put
from badges.model.common import _text
from badges.model.common import _tuple
from badges.model.common import format_datetime
from badges.model.credential import BitstringStatusListEntry
from badges.model.credential import _check_schemas
from badges.model.credential import _check_status_entries
from badges.model.credential import _check_validity_and_status
from badges.model.credential import _contexts
from badges.model.credential import _status_json
from badges.model.profile import Profile
from badges.model.vocab import DEFAULT_ENDORSEMENT_SCHEMA


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
        _check_validity_and_status(self)
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
