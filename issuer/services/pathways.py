"""Pathway definitions: authored, checked all at once, stored all or nothing (issue #20).

A pathway is a named goal made of steps. Each step is earned by ``choose``
of its achievements (one achievement: a required step; several: an elective
"any N of these M"), and may be locked until earlier steps are done
(``after``, by step number). Completing every step earns the ``capstone``
achievement: issued at once (``completion: automatic``) or after a final
review (``completion: review``). The definition, in YAML or JSON (the CLI,
the JSON API and the admin form share it; an edit sends the whole definition
again, see :func:`revise`)::

    slug: edtech-coach
    name: Certified EdTech Coach
    description: Four steps to coaching colleagues.
    completion: automatic
    capstone: edtech-coach
    steps:
      - title: Technology integration
        achievements: [classroom-technology-integration]
      - title: Any one of two
        choose: 1
        achievements: [digital-literacy, data-informed-instruction]
        after: [1]

A definition with problems raises one :class:`ServiceError`
(``invalid_pathway``, 422) listing every problem by field, before anything
is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_workflow import Pathway
from issuer.models_workflow import PathwayCompletion
from issuer.models_workflow import PathwayComponent
from issuer.models_workflow import PathwayStage
from issuer.models_workflow import PathwayStep
from issuer.services import audit
from issuer.services import validation
from issuer.services.definition import Problem
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found

COMPLETIONS = ("automatic", "review")
_FIELDS = {"slug", "name", "description", "completion", "capstone", "steps"}
_STEP_FIELDS = {"title", "achievements", "choose", "after"}
MAX_STEPS = 20
MAX_OPTIONS = 20


def refused(problems: list[Problem]) -> ServiceError:
    """The one error for a pathway definition with problems."""
    listed = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return ServiceError(f"the pathway has {len(problems)} problem"
                        f"{'s' if len(problems) != 1 else ''}: {listed}{more}",
                        code="invalid_pathway", status=422, problems=problems)


def _achievement(session: so.Session, org: Organization, ref: Any, field: str,
                 problems: list[Problem]) -> Achievement | None:
    if not isinstance(ref, str) or not ref.strip():
        problems.append({"field": field, "problem": "name an achievement by its slug or id"})
        return None
    found = session.scalar(sa.select(Achievement).where(
        Achievement.organization_id == org.id,
        sa.or_(Achievement.id == ref.strip(), Achievement.slug == ref.strip())))
    if found is None:
        problems.append({"field": field, "problem": f"{org.slug} has no achievement {ref!r}"})
        return None
    if found.status != "published" or not found.active:
        problems.append({"field": field, "problem": f"achievement {found.slug!r} is "
                         f"{found.status}: only published achievements make a pathway"})
        return None
    return found


def _text(data: Mapping[str, Any], key: str, problems: list[Problem], *, max_length: int,
          required: bool = True) -> str | None:
    try:
        return validation.text(data.get(key), field=key, max_length=max_length,
                               required=required)
    except ServiceError as exc:
        problems.append({"field": key, "problem": exc.message})
        return None


def _steps(session: so.Session, org: Organization, raw: Any, problems: list[Problem]
           ) -> list[tuple[str, int, list[int], list[Achievement]]]:
    if not isinstance(raw, list) or not raw:
        problems.append({"field": "steps", "problem": "list at least one step"})
        return []
    if len(raw) > MAX_STEPS:
        problems.append({"field": "steps", "problem": f"at most {MAX_STEPS} steps"})
        return []
    steps: list[tuple[str, int, list[int], list[Achievement]]] = []
    seen: dict[str, str] = {}
    for number, step in enumerate(raw, start=1):
        at = f"steps[{number - 1}]"
        if not isinstance(step, Mapping):
            problems.append({"field": at, "problem": "a step is an object with title and "
                             "achievements"})
            continue
        for key in sorted(set(step) - _STEP_FIELDS):
            problems.append({"field": f"{at}.{key}", "problem": "unknown field"})
        title = step.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            problems.append({"field": f"{at}.title",
                             "problem": "give the step a title (at most 200 characters)"})
            title = ""
        refs = step.get("achievements")
        options: list[Achievement] = []
        if not isinstance(refs, list) or not refs or len(refs) > MAX_OPTIONS:
            problems.append({"field": f"{at}.achievements", "problem":
                             f"list 1 to {MAX_OPTIONS} achievements"})
            refs = []
        for index, ref in enumerate(refs):
            found = _achievement(session, org, ref, f"{at}.achievements[{index}]", problems)
            if found is None:
                continue
            if found.id in seen:
                problems.append({"field": f"{at}.achievements[{index}]", "problem":
                                 f"{found.slug!r} is already in {seen[found.id]}"})
                continue
            seen[found.id] = f"step {number}"
            options.append(found)
        choose = step.get("choose", 1 if len(refs) <= 1 else None)
        if choose is None:
            problems.append({"field": f"{at}.choose", "problem": "an elective step says how "
                             "many of its achievements to earn (choose: N)"})
            choose = 1
        elif isinstance(choose, bool) or not isinstance(choose, int) \
                or not 1 <= choose <= max(len(refs), 1):
            problems.append({"field": f"{at}.choose", "problem":
                             f"a whole number from 1 to {max(len(refs), 1)} (the step's "
                             "achievements)"})
            choose = 1
        after = step.get("after", [])
        if not isinstance(after, list) or any(
                isinstance(n, bool) or not isinstance(n, int) or not 1 <= n < number
                for n in after):
            problems.append({"field": f"{at}.after", "problem": "list earlier step numbers "
                             f"(1 to {number - 1}) that unlock this step"
                             if number > 1 else "the first step cannot wait for another"})
            after = []
        steps.append((title.strip(), choose, sorted(set(after)), options))
    return steps


def check(session: so.Session, org: Organization, data: Any, *,
          existing: Pathway | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Read a definition; every problem by field (nothing is written).

    Args:
        session: the database session.
        org: the organization the pathway belongs to.
        data: the definition (a mapping, as read from YAML or JSON).
        existing: the pathway an edit replaces: its slug is its identity, so
            the definition may leave ``slug`` out or repeat it, never change it.

    Returns:
        The checked values (``slug``, ``name``, ``description``, ``completion``,
        ``capstone``, ``steps``) and the problems found.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return {}, [{"field": "(definition)", "problem": "a pathway is an object (a YAML or "
                     "JSON mapping)"}]
    for key in sorted(set(data) - _FIELDS):
        problems.append({"field": key, "problem": "unknown field"})
    found: dict[str, Any] = {}
    if existing is not None:
        found["slug"] = existing.slug
        if data.get("slug", existing.slug) != existing.slug:
            problems.append({"field": "slug", "problem": "the slug is the pathway's identity "
                             f"and cannot change (it is {existing.slug!r}); create a new "
                             "pathway for a new slug"})
    else:
        try:
            found["slug"] = validation.slug(data.get("slug"))
        except ServiceError as exc:
            problems.append({"field": "slug", "problem": exc.message})
    found["name"] = _text(data, "name", problems, max_length=200)
    found["description"] = _text(data, "description", problems, max_length=5000,
                                 required=False)
    completion = data.get("completion", "automatic")
    if completion not in COMPLETIONS:
        problems.append({"field": "completion", "problem": "automatic or review"})
    found["completion"] = completion
    found["capstone"] = _achievement(session, org, data.get("capstone"), "capstone", problems)
    found["steps"] = _steps(session, org, data.get("steps"), problems)
    capstone = found["capstone"]
    if capstone is not None and any(capstone.id == a.id for s in found["steps"] for a in s[3]):
        problems.append({"field": "capstone", "problem": "the capstone cannot also be a step"})
    slug = found.get("slug")
    if existing is None and slug and session.scalar(sa.select(Pathway.id).where(
            Pathway.organization_id == org.id, Pathway.slug == slug)):
        problems.append({"field": "slug", "problem": f"{org.slug} already has a pathway "
                         f"{slug!r}"})
    return found, problems


def _fill(pathway: Pathway, found: Mapping[str, Any]) -> None:
    """Give ``pathway`` the checked values of a definition: fields, steps, capstone."""
    pathway.name = found["name"]
    pathway.description = found["description"]
    pathway.completion = found["completion"]
    for number, (title, choose, after, options) in enumerate(found["steps"], start=1):
        pathway.stages.append(PathwayStage(position=number, title=title, choose=choose,
                                           after=after))
        for option in options:
            pathway.steps.append(PathwayStep(achievement=option, position=number))
    pathway.steps.append(PathwayStep(achievement=found["capstone"], position=0,
                                     capstone=True))


def create(session: so.Session, org: Organization, data: Any, *, actor: str,
           now: datetime) -> Pathway:
    """Store a new pathway, all or nothing.

    Raises:
        ServiceError: ``invalid_pathway`` (422) with every problem.
    """
    found, problems = check(session, org, data)
    if problems:
        raise refused(problems)
    pathway = Pathway(organization_id=org.id, slug=found["slug"], created_at=now)
    _fill(pathway, found)
    session.add(pathway)
    session.flush()
    audit.record(session, actor=actor, action="pathway.created", organization_id=org.id,
                 subject_type="pathway", subject_id=str(pathway.id), at=now,
                 detail={"slug": pathway.slug, "steps": len(found["steps"]),
                         "completion": pathway.completion})
    return pathway


def capstone_counts(session: so.Session, pathway: Pathway) -> tuple[int, int]:
    """How many capstones of ``pathway`` were issued, and how many wait in a final review."""
    issued, total = session.execute(sa.select(
        sa.func.count(PathwayCompletion.credential_id), sa.func.count()).where(
        PathwayCompletion.pathway_id == pathway.id)).one()
    return int(issued or 0), int(total or 0) - int(issued or 0)


def _capstone_locked(pathway: Pathway, issued: int, waiting: int) -> ServiceError:
    said = []
    if issued:
        said.append(f"{issued} capstone{'s were' if issued != 1 else ' was'} already issued "
                    "(they stay as issued)")
    if waiting:
        said.append(f"{waiting} teacher{'s are' if waiting != 1 else ' is'} in its final "
                    "review")
    return ServiceError(
        f"the capstone of “{pathway.name}” cannot change: {' and '.join(said)}; keep the "
        "capstone, or archive this pathway and create a new one",
        code="capstone_locked", status=409)


def revise(session: so.Session, org: Organization, ref: str, data: Any, *, actor: str,
           now: datetime) -> tuple[Pathway, dict[str, Any]]:
    """Replace a pathway's definition (all but its slug), all or nothing; audited.

    Name, description, completion mode, steps, choices and prerequisites may
    change. The capstone may change only until a capstone was issued (or a
    teacher reached the final review): a credential already issued names its
    achievement, so the pathway keeps it. Teachers' progress is not stored
    (it is read from their credentials), so it follows the new steps at once;
    :func:`issuer.workflow.pathways.update` then completes the pathway for
    those the edit finishes. Completions already recorded stay as they are.

    Returns:
        The pathway and what changed: for each changed field of
        :func:`document`, ``{"from": ..., "to": ...}`` (also the audit detail).

    Raises:
        ServiceError: ``unknown_pathway`` (404), ``pathway_archived`` (409),
            ``invalid_pathway`` (422, every problem by field),
            ``capstone_locked`` (409, saying how many capstones were issued).
    """
    pathway = get(session, org, ref)
    session.execute(sa.select(Pathway.id).where(Pathway.id == pathway.id).with_for_update())
    if pathway.archived_at is not None:
        raise ServiceError(f"“{pathway.name}” is archived: an archived pathway cannot be "
                           "edited", code="pathway_archived", status=409)
    found, problems = check(session, org, data, existing=pathway)
    if problems:
        raise refused(problems)
    before = document(pathway)
    current = capstone_of(pathway)
    if current is not None and found["capstone"].id != current.id:
        issued, waiting = capstone_counts(session, pathway)
        if issued or waiting:
            raise _capstone_locked(pathway, issued, waiting)
    pathway.steps.clear()
    pathway.stages.clear()
    session.flush()  # the old rows go before the new ones (same keys)
    _fill(pathway, found)
    session.flush()
    after = document(pathway)
    changes = {key: {"from": before[key], "to": after[key]}
               for key in ("name", "description", "completion", "capstone", "steps")
               if before[key] != after[key]}
    audit.record(session, actor=actor, action="pathway.updated", organization_id=org.id,
                 subject_type="pathway", subject_id=str(pathway.id), at=now,
                 detail={"slug": pathway.slug, "changes": changes})
    return pathway, changes


def list_for(session: so.Session, org: Organization, *, archived: bool = False
             ) -> list[Pathway]:
    """The organization's pathways by name (archived ones only when asked)."""
    query = sa.select(Pathway).where(Pathway.organization_id == org.id).order_by(Pathway.name)
    if not archived:
        query = query.where(Pathway.archived_at.is_(None))
    return list(session.scalars(query))


def get(session: so.Session, org: Organization, ref: str) -> Pathway:
    """A pathway of ``org`` by slug or id.

    Raises:
        ServiceError: ``unknown_pathway`` (404).
    """
    query = sa.select(Pathway).where(Pathway.organization_id == org.id)
    found = session.scalar(query.where(
        sa.or_(Pathway.slug == ref, Pathway.id == int(ref)) if ref.isdigit()
        else Pathway.slug == ref))
    if found is None:
        raise not_found(f"pathway {ref!r} of {org.slug}", "unknown_pathway")
    return found


def archive(session: so.Session, org: Organization, ref: str, *, actor: str,
            now: datetime) -> Pathway:
    """Archive a pathway: no new progress or capstones; capstones issued stay valid.

    Raises:
        ServiceError: ``unknown_pathway``, ``already_archived`` (409).
    """
    pathway = get(session, org, ref)
    if pathway.archived_at is not None:
        raise ServiceError("this pathway is already archived", code="already_archived",
                           status=409)
    pathway.archived_at = now
    audit.record(session, actor=actor, action="pathway.archived", organization_id=org.id,
                 subject_type="pathway", subject_id=str(pathway.id), at=now,
                 detail={"slug": pathway.slug})
    session.flush()
    return pathway


def capstone_of(pathway: Pathway) -> Achievement | None:
    """The pathway's capstone achievement (None for a pathway defined before issue #20)."""
    return next((s.achievement for s in pathway.steps if s.capstone), None)


def stages_of(pathway: Pathway) -> list[tuple[PathwayStage, list[Achievement]]]:
    """Each step with its achievements, in order (a position without a stage row is required)."""
    by_position: dict[int, list[Achievement]] = {}
    for step in pathway.steps:
        if not step.capstone:
            by_position.setdefault(step.position, []).append(step.achievement)
    stages = {s.position: s for s in pathway.stages}
    out = []
    for position in sorted(by_position):
        options = sorted(by_position[position], key=lambda a: a.name)
        stage = stages.get(position) or PathwayStage(
            position=position, title=options[0].name, choose=len(options), after=[])
        out.append((stage, options))
    return out


def document(pathway: Pathway) -> dict[str, Any]:
    """The pathway as the API and ``--json`` print it (the definition's field names)."""
    capstone = capstone_of(pathway)
    numbers = {stage.position: n for n, (stage, _o) in enumerate(stages_of(pathway), start=1)}
    return {
        "id": pathway.id, "slug": pathway.slug, "name": pathway.name,
        "description": pathway.description, "completion": pathway.completion,
        "capstone": capstone.slug if capstone else None,
        "archived": pathway.archived_at is not None,
        "steps": [{"title": stage.title, "choose": stage.choose,
                   "after": [numbers[p] for p in stage.after if p in numbers],
                   "achievements": [a.slug for a in options]}
                  for stage, options in stages_of(pathway)],
    }


def flag_revoked_component(session: so.Session, credential: IssuedCredential, *,
                           actor: str, now: datetime) -> list[PathwayCompletion]:
    """Flag each capstone that names ``credential`` (just revoked) for the district.

    Called by the revocation itself, in its transaction: the capstone is never
    silently kept or revoked; it shows as flagged (dashboard, credential page)
    with an audit entry until the district decides.
    """
    flagged = list(session.scalars(sa.select(PathwayCompletion).join(PathwayComponent).where(
        PathwayComponent.credential_id == credential.id)))
    for completion in flagged:
        completion.flagged_at = now
        completion.decision = None
        completion.flag_reason = (f"component “{credential.achievement.name}” "
                                  f"({credential.credential_id}) was revoked")
        audit.record(session, actor=actor, action="pathway.capstone_flagged",
                     organization_id=completion.pathway.organization_id,
                     subject_type="credential",
                     subject_id=completion.credential.credential_id
                     if completion.credential else str(completion.id), at=now,
                     detail={"pathway": completion.pathway.slug,
                             "component": credential.credential_id,
                             "reason": completion.flag_reason})
    return flagged
