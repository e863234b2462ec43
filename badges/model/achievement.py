"""OB 3.0 §B.1.1 Achievement: the micro-credential definition.

With the classes an Achievement is made of: §B.1.6 Criteria, §B.1.5
Alignment, §B.1.17 ResultDescription and §B.1.18 RubricCriterionLevel
(DIGEST §2.4, §2.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from badges.model.common import _number
from badges.model.common import _opt_text
from badges.model.common import _put
from badges.model.common import _term
from badges.model.common import _text
from badges.model.common import _tuple
from badges.model.image import Image
from badges.model.profile import IdentifierEntry
from badges.model.profile import Profile
from badges.model.vocab import ACHIEVEMENT_TYPES
from badges.model.vocab import ALIGNMENT_TARGET_TYPES
from badges.model.vocab import RESULT_TYPES

_LANGUAGE = re.compile(r"[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?", re.ASCII)


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
