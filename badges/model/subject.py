"""OB 3.0 §B.1.3 AchievementSubject (``credentialSubject``) and §B.1.16 Result.

The subject names the recipient (an ``id`` or IdentityObjects) and the
Achievement awarded; its Results must point into that achievement's
ResultDescriptions (DIGEST §2.3, §2.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges.model.achievement import Achievement
from badges.model.achievement import Alignment
from badges.model.common import _aware
from badges.model.common import _date
from badges.model.common import _number
from badges.model.common import _opt_text
from badges.model.common import _put
from badges.model.common import _term
from badges.model.common import _tuple
from badges.model.identity import IdentityObject
from badges.model.image import Image
from badges.model.profile import Profile
from badges.model.vocab import RESULT_STATUSES


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
