"""The catalogue: micro-credentials a person may earn or oversee, with their pathways."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Achievement
from issuer.models import Organization
from issuer.models_workflow import Pathway
from issuer.models_workflow import PathwayStep
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services import validation
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer


@dataclass(frozen=True)
class Entry:
    """An achievement in the catalogue, its pathways and the viewer's progress on it."""

    achievement: Achievement
    pathways: tuple[Pathway, ...]
    status: SubmissionStatus | None
    submission_id: str | None


def _pathways_of(session: so.Session, ids: list[str]) -> dict[str, list[Pathway]]:
    found: dict[str, list[Pathway]] = {}
    if not ids:
        return found
    for step in session.scalars(sa.select(PathwayStep).where(
            PathwayStep.achievement_id.in_(ids)).order_by(PathwayStep.pathway_id)):
        found.setdefault(step.achievement_id, []).append(step.pathway)
    return found


def entries(session: so.Session, viewer: Viewer, *, pathway_id: int | None = None
            ) -> list[Entry]:
    """Active achievements the viewer may browse, by name (optionally one pathway's)."""
    query = sa.select(Achievement).where(
        Achievement.organization_id.in_(viewer.achievement_orgs()),
        Achievement.active.is_(True), Achievement.catalogue_visible.is_(True)
    ).order_by(Achievement.name)
    if pathway_id is not None:
        query = query.join(PathwayStep, PathwayStep.achievement_id == Achievement.id).where(
            PathwayStep.pathway_id == pathway_id)
    found = list(session.scalars(query))
    paths = _pathways_of(session, [a.id for a in found])
    progress: dict[str, Submission] = {}
    for sub in session.scalars(sa.select(Submission).where(
            Submission.person_id == viewer.person_id).order_by(Submission.created_at)):
        progress[sub.achievement_id] = sub
    return [Entry(achievement=a, pathways=tuple(paths.get(a.id, [])),
                  status=progress[a.id].status if a.id in progress else None,
                  submission_id=progress[a.id].id if a.id in progress else None)
            for a in found]


def pathways(session: so.Session, viewer: Viewer) -> list[Pathway]:
    """Pathways of the organizations whose catalogue the viewer sees."""
    return list(session.scalars(sa.select(Pathway).where(
        Pathway.organization_id.in_(viewer.achievement_orgs())).order_by(Pathway.name)))


def achievement(session: so.Session, viewer: Viewer, achievement_id: str) -> Entry:
    """One achievement from the viewer's catalogue.

    Raises:
        NotVisible: unknown or outside the viewer's districts (404).
    """
    found = session.get(Achievement, achievement_id)
    if found is None or found.organization_id not in viewer.achievement_orgs() \
            or found.status == "draft":
        raise NotVisible("micro-credential")
    sub = session.scalar(sa.select(Submission).where(
        Submission.person_id == viewer.person_id, Submission.achievement_id == found.id)
        .order_by(Submission.created_at.desc()).limit(1))
    return Entry(achievement=found, pathways=tuple(_pathways_of(session, [found.id]).get(
        found.id, [])), status=sub.status if sub else None, submission_id=sub.id if sub else None)


def create_pathway(session: so.Session, org: Organization, *, slug: str, name: str,
                   description: str | None, achievements: list[Achievement]) -> Pathway:
    """Define a pathway: an ordered list of the organization's achievements."""
    pathway = Pathway(organization_id=org.id, slug=validation.slug(slug),
                      name=validation.text(name, field="name", max_length=200) or "",
                      description=description)
    for position, item in enumerate(achievements):
        pathway.steps.append(PathwayStep(achievement_id=item.id, position=position))
    session.add(pathway)
    session.flush()
    return pathway
