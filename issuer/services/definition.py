"""An achievement definition as districts write it: checked field by field.

The definition is a JSON object (or the same YAML) with the API's field names;
:func:`check` reads the whole of it and returns every problem at once, each
as ``{"field", "problem"}``, so an author fixes a file in one pass. Nothing
here touches the database: :mod:`issuer.services.authoring` stores what
passes. The fields become an OB 3.0 ``Achievement`` (§B.1.1): ``criteria``
its ``Criteria.narrative`` (§B.1.7), ``rubric`` its ``resultDescription``
list of ``RubricCriterionLevel`` (§B.1.17, §B.1.18), ``alignments`` its
``alignment`` (§B.1.5, ``targetType`` from §B.1.29), ``achievementType`` a
term of §B.1.28.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from badges.model import ACHIEVEMENT_TYPES
from badges.model import ALIGNMENT_TARGET_TYPES

Problem = dict[str, str]

#: Every field a definition may have (the API's names).
FIELDS = ("slug", "name", "description", "achievementType", "criteria",
          "evidenceRequirements", "rubric", "alignments", "tags", "validityDays",
          "effortHours", "reviewers", "catalogueVisible")
MENTOR_RULES = ("district", "block", "allow")
MAX_VALIDITY_DAYS = 36_500
MAX_REVIEWERS = 5
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


@dataclass
class Definition:
    """A checked definition, in the stored shapes of :class:`issuer.models.Achievement`."""

    slug: str = ""
    name: str = ""
    description: str = ""
    achievement_type: str = "MicroCredential"
    criteria: str = ""
    evidence_expected: str | None = None
    rubric: dict[str, Any] | None = None
    alignments: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    validity_days: int | None = None
    effort_hours: float | None = None
    reviewers_required: int = 1
    mentor_conflict: str = "district"
    catalogue_visible: bool = True


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append({"field": where, "problem": problem})

    def text(self, value: object, where: str, *, max_length: int,
             required: bool = True) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, "is required")
            return None
        if not isinstance(value, str):
            self.add(where, "must be text")
            return None
        cleaned = unicodedata.normalize("NFC", value.strip())
        if len(cleaned) > max_length:
            self.add(where, f"is longer than {max_length} characters")
            return None
        if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in cleaned):
            self.add(where, "contains control characters")
            return None
        return cleaned

    def ident(self, value: object, where: str, fallback: str | None) -> str | None:
        """A rubric id: given (a slug) or made from the name."""
        if value is None:
            if fallback is None:
                return None
            made = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize(
                "NFKD", fallback).encode("ascii", "ignore").decode().lower()).strip("-")[:64]
            if not made:
                self.add(where, "is required when the name has no letters or digits")
                return None
            return made.strip("-")
        if not isinstance(value, str) or not _SLUG.match(value):
            self.add(where, "must be lower-case letters, digits and dashes")
            return None
        return value


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def _term(value: str, allowed: frozenset[str]) -> bool:
    return value in allowed or (value.startswith("ext:") and len(value) > 4)


def _rubric(c: _Checker, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        c.add("rubric", "must be an object with a list of criteria")
        return None
    for key in sorted(set(value) - {"name", "criteria", "reflectionPerCriterion"}):
        c.add(f"rubric.{key}", "is not a rubric field")
    out: dict[str, Any] = {}
    name = c.text(value.get("name"), "rubric.name", max_length=200, required=False)
    if name:
        out["name"] = name
    if "reflectionPerCriterion" in value:
        if not isinstance(value["reflectionPerCriterion"], bool):
            c.add("rubric.reflectionPerCriterion", "must be true or false")
        else:
            out["reflectionPerCriterion"] = value["reflectionPerCriterion"]
    criteria = value.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        c.add("rubric.criteria", "must list at least one criterion")
        return None
    if len(criteria) > 20:
        c.add("rubric.criteria", "has more than 20 criteria")
        return None
    out["criteria"] = []
    seen: set[str] = set()
    for i, criterion in enumerate(criteria):
        at = f"rubric.criteria[{i}]"
        if not isinstance(criterion, Mapping):
            c.add(at, "must be an object with a name and levels")
            continue
        for key in sorted(set(criterion) - {"id", "name", "description", "levels",
                                            "reflection"}):
            c.add(f"{at}.{key}", "is not a criterion field")
        cname = c.text(criterion.get("name"), f"{at}.name", max_length=200)
        cid = c.ident(criterion.get("id"), f"{at}.id", cname)
        if cid is not None and cid in seen:
            c.add(f"{at}.id", f"repeats the criterion id {cid!r}")
        if cid is not None:
            seen.add(cid)
        item: dict[str, Any] = {"id": cid, "name": cname}
        cdesc = c.text(criterion.get("description"), f"{at}.description", max_length=2000,
                       required=False)
        if cdesc:
            item["description"] = cdesc
        if "reflection" in criterion:
            if not isinstance(criterion["reflection"], bool):
                c.add(f"{at}.reflection", "must be true or false")
            else:
                item["reflection"] = criterion["reflection"]
        levels = criterion.get("levels")
        if not isinstance(levels, list) or len(levels) < 2:
            c.add(f"{at}.levels", "must list at least two levels")
            levels = levels if isinstance(levels, list) else []
        if len(levels) > 10:
            c.add(f"{at}.levels", "has more than 10 levels")
            levels = []
        item["levels"] = []
        level_ids: set[str] = set()
        for j, level in enumerate(levels):
            lat = f"{at}.levels[{j}]"
            if not isinstance(level, Mapping):
                c.add(lat, "must be an object with a name, description and points")
                continue
            for key in sorted(set(level) - {"id", "name", "description", "points"}):
                c.add(f"{lat}.{key}", "is not a level field")
            lname = c.text(level.get("name"), f"{lat}.name", max_length=200)
            lid = c.ident(level.get("id"), f"{lat}.id", lname)
            if lid is not None and lid in level_ids:
                c.add(f"{lat}.id", f"repeats the level id {lid!r}")
            if lid is not None:
                level_ids.add(lid)
            ldesc = c.text(level.get("description"), f"{lat}.description", max_length=2000)
            points = level.get("points")
            if points is None:
                c.add(f"{lat}.points", "is required")
            elif not _number(points) or points < 0 or points > 1000:
                c.add(f"{lat}.points", "must be a number from 0 to 1000")
                points = None
            item["levels"].append({"id": lid, "name": lname, "description": ldesc,
                                   "points": points})
        out["criteria"].append(item)
    return out


def _alignments(c: _Checker, value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("alignments", "must be a list")
        return []
    if len(value) > 50:
        c.add("alignments", "has more than 50 alignments")
        return []
    out: list[dict[str, Any]] = []
    urls: set[str] = set()
    for i, item in enumerate(value):
        at = f"alignments[{i}]"
        if not isinstance(item, Mapping):
            c.add(at, "must be an object with targetName and targetUrl")
            continue
        for key in sorted(set(item) - {"targetName", "targetUrl", "targetType", "targetCode",
                                       "targetFramework", "targetDescription"}):
            c.add(f"{at}.{key}", "is not an alignment field")
        entry: dict[str, Any] = {}
        entry["targetName"] = c.text(item.get("targetName"), f"{at}.targetName",
                                     max_length=1000)
        url = c.text(item.get("targetUrl"), f"{at}.targetUrl", max_length=1000)
        if url is not None and not _url(url):
            c.add(f"{at}.targetUrl", "must be an http or https address")
        elif url is not None and url in urls:
            c.add(f"{at}.targetUrl", "repeats an earlier alignment")
        if url is not None:
            urls.add(url)
        entry["targetUrl"] = url
        kind = c.text(item.get("targetType"), f"{at}.targetType", max_length=100,
                      required=False)
        if kind is not None and not _term(kind, ALIGNMENT_TARGET_TYPES):
            c.add(f"{at}.targetType", "must be one of " + ", ".join(
                sorted(ALIGNMENT_TARGET_TYPES)) + " (or start with ext:)")
        for key, limit in (("targetCode", 100), ("targetFramework", 300),
                           ("targetDescription", 2000)):
            found = c.text(item.get(key), f"{at}.{key}", max_length=limit, required=False)
            if found is not None:
                entry[key] = found
        if kind is not None:
            entry["targetType"] = kind
        out.append(entry)
    return out


def _tags(c: _Checker, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("tags", "must be a list of words")
        return []
    if len(value) > 30:
        c.add("tags", "has more than 30 tags")
        return []
    out: list[str] = []
    for i, tag in enumerate(value):
        text = c.text(tag, f"tags[{i}]", max_length=50)
        if text is not None and text in out:
            c.add(f"tags[{i}]", f"repeats the tag {text!r}")
        elif text is not None:
            out.append(text)
    return out


def check(data: object, *, slug_required: bool = True) -> tuple[Definition, list[Problem]]:
    """Read a definition; return it with every problem found (none: it may be stored).

    Args:
        data: the parsed JSON or YAML document.
        slug_required: False when the achievement is named otherwise (an update).
    """
    c = _Checker()
    out = Definition()
    if not isinstance(data, Mapping):
        c.add("(document)", "must be an object (a mapping of field names to values)")
        return out, c.problems
    for key in sorted(set(data) - set(FIELDS), key=str):
        c.add(str(key), "is not a field of an achievement (fields: "
              + ", ".join(FIELDS) + ")")
    raw_slug = data.get("slug")
    if raw_slug is None and not slug_required:
        pass
    elif not isinstance(raw_slug, str) or not _SLUG.match(raw_slug):
        c.add("slug", "is required: lower-case letters, digits and dashes (at most 64)"
              if raw_slug is None else "must be lower-case letters, digits and dashes "
              "(at most 64)")
    else:
        out.slug = raw_slug
    out.name = c.text(data.get("name"), "name", max_length=200) or ""
    out.description = c.text(data.get("description"), "description", max_length=5000) or ""
    out.criteria = c.text(data.get("criteria"), "criteria", max_length=10_000) or ""
    kind = data.get("achievementType", "MicroCredential")
    if not isinstance(kind, str) or not _term(kind, ACHIEVEMENT_TYPES):
        c.add("achievementType", "must be an Open Badges achievement type such as "
              "MicroCredential, Badge, Competency or Certificate (or start with ext:)")
    else:
        out.achievement_type = kind
    out.evidence_expected = c.text(data.get("evidenceRequirements"), "evidenceRequirements",
                                   max_length=5000, required=False)
    out.rubric = _rubric(c, data.get("rubric"))
    out.alignments = _alignments(c, data.get("alignments"))
    out.tags = _tags(c, data.get("tags"))
    validity = data.get("validityDays")
    if validity is not None:
        if not isinstance(validity, int) or isinstance(validity, bool) \
                or not 1 <= validity <= MAX_VALIDITY_DAYS:
            c.add("validityDays", f"must be a whole number of days from 1 to "
                  f"{MAX_VALIDITY_DAYS} (leave it out for a badge that does not expire)")
        else:
            out.validity_days = validity
    effort = data.get("effortHours")
    if effort is not None:
        if not _number(effort) or not 0 < effort <= 10_000:
            c.add("effortHours", "must be a number of hours above 0 and at most 10000")
        else:
            out.effort_hours = float(effort)
    reviewers = data.get("reviewers")
    if reviewers is not None:
        if not isinstance(reviewers, Mapping):
            c.add("reviewers", "must be an object with required and mentorConflict")
        else:
            for key in sorted(set(reviewers) - {"required", "mentorConflict"}, key=str):
                c.add(f"reviewers.{key}", "is not a reviewer rule")
            needed = reviewers.get("required", 1)
            if not isinstance(needed, int) or isinstance(needed, bool) \
                    or not 1 <= needed <= MAX_REVIEWERS:
                c.add("reviewers.required", f"must be a whole number from 1 to {MAX_REVIEWERS}")
            else:
                out.reviewers_required = needed
            rule = reviewers.get("mentorConflict", "district")
            if rule not in MENTOR_RULES:
                c.add("reviewers.mentorConflict", "must be 'district' (the district's rule), "
                      "'block' (mentors never decide for their mentees) or 'allow'")
            else:
                out.mentor_conflict = rule
    visible = data.get("catalogueVisible", True)
    if not isinstance(visible, bool):
        c.add("catalogueVisible", "must be true or false")
    else:
        out.catalogue_visible = visible
    return out, c.problems


def to_document(definition: Definition) -> dict[str, Any]:
    """The definition in the API's field names (what :func:`check` reads back the same)."""
    doc: dict[str, Any] = {
        "slug": definition.slug, "name": definition.name,
        "description": definition.description,
        "achievementType": definition.achievement_type, "criteria": definition.criteria,
        "evidenceRequirements": definition.evidence_expected, "rubric": definition.rubric,
        "alignments": definition.alignments, "tags": definition.tags,
        "validityDays": definition.validity_days, "effortHours": definition.effort_hours,
        "reviewers": {"required": definition.reviewers_required,
                      "mentorConflict": definition.mentor_conflict},
        "catalogueVisible": definition.catalogue_visible,
    }
    return doc


def from_document(doc: Mapping[str, Any]) -> Definition:
    """A stored snapshot (:func:`to_document`'s shape) back as a Definition, unchecked."""
    reviewers = doc.get("reviewers") or {}
    return Definition(
        slug=doc.get("slug") or "", name=doc.get("name") or "",
        description=doc.get("description") or "",
        achievement_type=doc.get("achievementType") or "MicroCredential",
        criteria=doc.get("criteria") or "", evidence_expected=doc.get("evidenceRequirements"),
        rubric=doc.get("rubric"), alignments=list(doc.get("alignments") or []),
        tags=list(doc.get("tags") or []), validity_days=doc.get("validityDays"),
        effort_hours=doc.get("effortHours"),
        reviewers_required=reviewers.get("required", 1),
        mentor_conflict=reviewers.get("mentorConflict", "district"),
        catalogue_visible=doc.get("catalogueVisible", True))


MAX_DOCUMENT_BYTES = 1_000_000
MAX_DEPTH = 20


def load(data: bytes, *, name: str = "the file") -> Any:
    """A definition document's value, from JSON or YAML bytes (YAML 1.1 ``safe_load``).

    JSON is YAML too, so one reader takes both; anchors and aliases are refused
    (an alias bomb expands into billions of nodes when serialized again).

    Raises:
        ServiceError: ``invalid_document`` with the problem as ``problems``.
    """
    import yaml

    from issuer.services.errors import ServiceError

    def refuse(problem: str) -> ServiceError:
        return ServiceError(f"{name} cannot be read: {problem}", code="invalid_document",
                            status=422, problems=[{"field": "(document)", "problem": problem}])

    if len(data) > MAX_DOCUMENT_BYTES:
        raise refuse(f"it is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("it is not UTF-8 text") from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise refuse("YAML anchors and aliases (&, *) are not accepted")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise refuse(f"it nests lists and objects deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.safe_load(text)
    except RecursionError:
        raise refuse(f"it nests lists and objects deeper than {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
        raise refuse(f"{problem}{where}") from None
