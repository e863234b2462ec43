"""Who may see and do what: roles held in organizations, and the district tree.

A membership gives a role in one organization and, for a district, in every
school under it: a reviewer of Lakeside reviews for all its schools, a
reviewer of Lakeside High only for that school. Teachers (``earner``) see the
catalogue of their school and its district, and only their own submissions.
Anything outside a viewer's scope is reported as not found (404), so object
ids from another district reveal nothing; a page the role never opens is
forbidden (403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Person
from issuer.models import Role
from issuer.models_workflow import Mentorship
from issuer.models_workflow import Submission
from issuer.services.errors import ServiceError


class Forbidden(ServiceError):
    """The viewer's roles do not allow this page or action (403)."""

    def __init__(self, message: str = "you do not have access to this page") -> None:
        super().__init__(message, code="forbidden", status=403)


class NotVisible(ServiceError):
    """The object does not exist or is outside the viewer's scope (404)."""

    def __init__(self, what: str = "page") -> None:
        super().__init__(f"this {what} does not exist or is not yours to see",
                         code="not_found", status=404)


@dataclass(frozen=True)
class OrgTree:
    """Every organization's parent, for walking up to the district and down to schools."""

    parent: dict[int, int | None]

    @classmethod
    def load(cls, session: so.Session) -> OrgTree:
        """The tree as it is in the database."""
        rows = session.execute(sa.select(Organization.id, Organization.parent_id)).all()
        return cls(parent={row[0]: row[1] for row in rows})

    def ancestors_or_self(self, org_id: int) -> list[int]:
        """``org_id`` and each organization above it, nearest first."""
        out: list[int] = []
        current: int | None = org_id
        while current is not None and current not in out:
            out.append(current)
            current = self.parent.get(current)
        return out

    def district_of(self, org_id: int) -> int:
        """The top of ``org_id``'s tree (its district)."""
        return self.ancestors_or_self(org_id)[-1]

    def descendants_or_self(self, org_ids: Iterable[int]) -> frozenset[int]:
        """The given organizations and everything under them."""
        found = set(org_ids)
        changed = True
        while changed:
            changed = False
            for child, parent in self.parent.items():
                if parent in found and child not in found:
                    found.add(child)
                    changed = True
        return frozenset(found)


@dataclass(frozen=True)
class Viewer:
    """A signed-in person with their roles, resolved against the organization tree."""

    person_id: int
    name: str
    email: str
    direct: dict[Role, frozenset[int]]
    tree: OrgTree

    def has(self, *roles: Role) -> bool:
        """True when the person holds any of ``roles`` anywhere."""
        return any(self.direct.get(role) for role in roles)

    def scope(self, *roles: Role) -> frozenset[int]:
        """Organizations where any of ``roles`` applies (held there or above)."""
        held: set[int] = set()
        for role in roles:
            held |= self.direct.get(role, frozenset())
        return self.tree.descendants_or_self(held)

    def teacher_orgs(self) -> frozenset[int]:
        """Organizations the person teaches in (submits evidence through)."""
        return self.direct.get(Role.EARNER, frozenset())

    def districts(self) -> frozenset[int]:
        """The districts of every organization the person belongs to."""
        return frozenset(self.tree.district_of(o) for ids in self.direct.values() for o in ids)

    def achievement_orgs(self) -> frozenset[int]:
        """Organizations whose achievements the person may browse.

        Those of every organization they belong to and the ones above it (a
        teacher sees the district's catalogue), plus everything a reviewer or
        admin role covers.
        """
        found: set[int] = set()
        for ids in self.direct.values():
            for org in ids:
                found.update(self.tree.ancestors_or_self(org))
        return frozenset(found) | self.scope(Role.REVIEWER, Role.ADMIN)

    def can_view_submission(self, submission: Submission) -> bool:
        """The teacher themself, or a reviewer or admin whose scope covers its school."""
        return (submission.person_id == self.person_id
                or submission.organization_id in self.scope(Role.REVIEWER, Role.ADMIN))


def load_viewer(session: so.Session, person: Person) -> Viewer:
    """``person`` with their memberships and the organization tree."""
    direct: dict[Role, set[int]] = {}
    for membership in session.scalars(sa.select(Membership).where(
            Membership.person_id == person.id)):
        direct.setdefault(membership.role, set()).add(membership.organization_id)
    email = person.emails[0].address if person.emails else ""
    for entry in person.emails:
        if entry.primary:
            email = entry.address
    return Viewer(person_id=person.id, name=person.display_name, email=email,
                  direct={role: frozenset(ids) for role, ids in direct.items()},
                  tree=OrgTree.load(session))


#: Why a reviewer may not decide, by code (``verifier.i18n`` words them per language
#: as ``blocker_<code>``).
BLOCKERS = {
    "not_in_scope": "Only a reviewer for this school or district can decide on this "
                    "submission.",
    "own_submission": "You cannot review your own submission.",
    "mentor": "You mentor this teacher, and the district asks that another reviewer decide "
              "on their submissions.",
}


def decision_blocker(session: so.Session, viewer: Viewer, submission: Submission, *,
                     mentor_rule: bool) -> str | None:
    """Why ``viewer`` may not decide on ``submission``, or None when they may.

    Args:
        session: the transaction.
        viewer: the reviewer.
        submission: the submission under review.
        mentor_rule: the district's conflict-of-interest rule for mentors is on.
    """
    if submission.organization_id not in viewer.scope(Role.REVIEWER):
        return BLOCKERS["not_in_scope"]
    if submission.person_id == viewer.person_id:
        return BLOCKERS["own_submission"]
    if mentor_rule:
        district = viewer.tree.district_of(submission.organization_id)
        mentoring = session.scalar(sa.select(Mentorship.id).where(
            Mentorship.organization_id == district,
            Mentorship.mentor_id == viewer.person_id,
            Mentorship.teacher_id == submission.person_id))
        if mentoring is not None:
            return BLOCKERS["mentor"]
    return None
