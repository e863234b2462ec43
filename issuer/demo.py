"""The demo district: schools, a framework, achievements with rubrics, a pathway, people.

``badges seed-demo`` creates it once (running it again changes nothing) so a
newcomer can walk the whole loop in a minute.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import ApiToken
from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Role
from issuer.services import achievements
from issuer.services import issuance
from issuer.services import organizations
from issuer.services import pathways as pathway_definitions
from issuer.services import recipients
from issuer.services import signing_keys
from issuer.services import status
from issuer.web.api import token_hash
from issuer.workflow import accounts
from issuer.workflow import catalogue

DISTRICT = "lakeside"

ISTE = "ISTE Standards for Educators"


def _levels(prefix: str) -> list[dict[str, Any]]:
    names = (("beginning", "Beginning", 1), ("developing", "Developing", 2),
             ("proficient", "Proficient", 3), ("exemplary", "Exemplary", 4))
    return [{"id": key, "name": name, "points": points,
             "description": f"{name} {prefix}."} for key, name, points in names]


ACHIEVEMENTS: list[dict[str, Any]] = [
    {"slug": "classroom-technology-integration", "name": "Classroom Technology Integration",
     "description": "Plans and teaches lessons where technology deepens learning, not just "
                    "replaces paper.",
     "criteria": "Submit a lesson plan that uses a digital tool for a clear learning purpose, "
                 "a short recording or observation note of the lesson, and a reflection on "
                 "its impact. Evidence is scored against the district rubric.",
     "evidence": "Lesson plan; observation notes or a recording; written reflection.",
     "hours": 10, "align": ("Learner 2.1.a", "Designer 2.5.a"),
     "rubric": [("purpose", "Purposeful use of technology"),
                ("impact", "Evidence of impact on learning")]},
    {"slug": "digital-literacy", "name": "Digital Literacy and Citizenship",
     "description": "Teaches students to evaluate online sources and act safely and "
                    "responsibly online.",
     "criteria": "Submit a unit or lesson sequence on evaluating sources or digital "
                 "citizenship, two student work samples with student data removed, and a "
                 "reflection.",
     "evidence": "Unit plan; two de-identified student work samples; reflection.",
     "hours": 8, "align": ("Citizen 2.3.b",),
     "rubric": [("instruction", "Quality of instruction"), ("student-work", "Student work")]},
    {"slug": "data-informed-instruction", "name": "Data-Informed Instruction",
     "description": "Uses assessment data to adjust instruction for groups and individuals.",
     "criteria": "Submit an analysis of a class assessment (student names removed), the "
                 "instructional changes it led to, and the results.",
     "evidence": "De-identified data analysis; adjusted lesson plans; results.",
     "hours": 12, "align": ("Analyst 2.7.c",), "validity_days": 3 * 365,
     "rubric": [("analysis", "Analysis of data"), ("action", "Instructional response")]},
    {"slug": "blended-learning-design", "name": "Blended Learning Design",
     "description": "Designs and teaches a unit that blends online and face-to-face learning.",
     "criteria": "Submit a unit plan, two lesson recordings or observation notes, and a "
                 "reflection; scored against the district rubric.",
     "evidence": "Unit plan; two recordings or observation notes; reflection.",
     "hours": 15, "align": ("Designer 2.5.a", "Facilitator 2.6.a"),
     "rubric": [("design", "Unit design"), ("facilitation", "Facilitation")]},
    {"slug": "peer-mentoring", "name": "Mentoring Colleagues in EdTech",
     "description": "Coaches colleagues to adopt technology in their own teaching.",
     "criteria": "Document a coaching cycle with at least one colleague: goals, sessions, "
                 "and the colleague's resulting practice, with a reflection.",
     "evidence": "Coaching log; colleague's artefact; reflection.",
     "hours": 20, "align": ("Leader 2.2.c", "Collaborator 2.4.a"),
     "rubric": [("coaching", "Coaching practice"), ("outcome", "Colleague outcome")]},
    {"slug": "edtech-coach", "name": "Certified EdTech Coach",
     "description": "Integrates technology with purpose, designs blended units and coaches "
                    "colleagues: the capstone of the Certified EdTech Coach pathway.",
     "criteria": "Awarded on completing every step of the Certified EdTech Coach pathway; "
                 "the credential names the micro-credentials that earned it.",
     "evidence": "The pathway's component credentials.",
     "hours": None, "align": ("Leader 2.2.a", "Leader 2.2.c"), "rubric": []},
]

#: The pathway to certification (issue #20), as README "Pathways" defines it:
#: María holds steps 1 and 2, so her wallet and the cohort page show progress.
COACH_PATHWAY: dict[str, Any] = {
    "slug": "edtech-coach", "name": "Certified EdTech Coach",
    "description": "Four steps to coaching colleagues: technology in class, digital "
                   "citizenship or data use, blended design, then mentoring a colleague.",
    "completion": "automatic", "capstone": "edtech-coach",
    "steps": [
        {"title": "Technology", "achievements": ["classroom-technology-integration"]},
        {"title": "Literacy or data", "choose": 1, "after": [1],
         "achievements": ["digital-literacy", "data-informed-instruction"]},
        {"title": "Design", "achievements": ["blended-learning-design"]},
        {"title": "Mentoring", "achievements": ["peer-mentoring"], "after": [2, 3]},
    ],
}

# Ready-to-use accounts for the evidence-and-review loop (development only; the
# command line refuses to set them in production).
DEMO_ACCOUNTS = [
    ("district admin", "dana.whitfield@lakeside.example.org", "admin-lakeside"),
    ("reviewer / mentor", "marcus.chen@lakeside.example.org", "review-lakeside"),
    ("teacher", "maria.lopez@lakeside.example.org", "teach-lakeside"),
]

PATHWAYS = [
    ("edtech-foundations", "EdTech Foundations",
     "Start here: purposeful technology use and digital citizenship.",
     ["classroom-technology-integration", "digital-literacy", "data-informed-instruction"]),
    ("edtech-leadership", "EdTech Leadership",
     "Design blended units and coach colleagues.",
     ["blended-learning-design", "peer-mentoring"]),
]

PEOPLE = [
    ("Dana Whitfield", "dana.whitfield@lakeside.example.org", Role.ADMIN, DISTRICT),
    ("Marcus Chen", "marcus.chen@lakeside.example.org", Role.REVIEWER, DISTRICT),
    ("Aisha Bello", "aisha.bello@lakeside.example.org", Role.REVIEWER, "lakeside-high"),
    ("María López", "maria.lopez@lakeside.example.org", Role.EARNER, "lakeside-high"),
    ("Tom Nakamura", "tom.nakamura@lakeside.example.org", Role.EARNER, "maple-elementary"),
    ("Grace Okafor", "grace.okafor@lakeside.example.org", Role.EARNER, "maple-elementary"),
]


@dataclass
class DemoResult:
    """What seed-demo created (or found)."""

    created: bool
    api_token: str | None = None
    #: ``(what it shows, share URL)`` of the sample credentials
    samples: list[tuple[str, str]] = field(default_factory=list)


def ensure_demo_passwords(session: so.Session, *, scrypt_n: int) -> list[tuple[str, str, str]]:
    """Give the demo accounts their passwords unless they have one; returns the accounts.

    Only for development: the command line never calls it in production.
    """
    for _role, email, password in DEMO_ACCOUNTS:
        person = recipients.find_by_email(session, email)
        if person is not None and not person.password_hash:
            accounts.set_password(person, password, n=scrypt_n)
    session.flush()
    return list(DEMO_ACCOUNTS)


def seed(session: so.Session, *, base_url: str, kek: bytes, now: datetime) -> DemoResult:
    """Create the demo district unless it exists."""
    if session.scalar(sa.select(Organization.id).where(Organization.slug == DISTRICT)):
        return DemoResult(created=False)
    actor = "seed-demo"
    district = organizations.create(
        session, slug=DISTRICT, name="Lakeside Unified School District",
        url="https://lakeside.example.org", email="pd@lakeside.example.org",
        description="Professional learning for 2,400 teachers across 31 schools.")
    schools = {
        "lakeside-high": organizations.create(session, slug="lakeside-high",
                                              name="Lakeside High School", parent=district),
        "maple-elementary": organizations.create(session, slug="maple-elementary",
                                                 name="Maple Elementary School",
                                                 parent=district),
    }
    orgs = {DISTRICT: district, **schools}
    for org in orgs.values():
        signing_keys.ensure_keys(session, org, kek=kek, base_url=base_url, now=now, actor=actor)
    for spec in ACHIEVEMENTS:
        achievements.create(
            session, district, slug=spec["slug"], name=spec["name"],
            description=spec["description"], criteria=spec["criteria"],
            evidence_expected=spec["evidence"], effort_hours=spec["hours"],
            validity_days=spec.get("validity_days"), tags=["edtech", "professional learning"],
            alignments=[{"targetName": f"ISTE Educator {code}", "targetFramework": ISTE,
                         "targetCode": code.split()[-1], "targetType": "ceasn:Competency",
                         "targetUrl": "https://iste.org/standards/educators"}
                        for code in spec["align"]],
            rubric={"name": f"{spec['name']} rubric", "reflectionPerCriterion": True,
                    "criteria": [{"id": cid, "name": cname, "levels": _levels(cname.lower())}
                                 for cid, cname in spec["rubric"]]} if spec["rubric"] else None)
    defined = {a.slug: a for a in achievements.list_for(session, district)}
    for slug, name, description, steps in PATHWAYS:
        catalogue.create_pathway(session, district, slug=slug, name=name,
                                 description=description,
                                 achievements=[defined[s] for s in steps])
    pathway_definitions.create(session, district, COACH_PATHWAY, actor=actor, now=now)
    for name, email, role, slug in PEOPLE:
        person = recipients.find_or_create(session, email=email, name=name)
        session.add(Membership(person_id=person.id, organization_id=orgs[slug].id, role=role))
    session.flush()
    # Aisha mentors María; with the district's rule on, another reviewer decides on her work.
    accounts.set_mentor_rule(session, district.id, on=True, actor=actor, now=now)
    aisha = recipients.find_or_create(session, email="aisha.bello@lakeside.example.org",
                                      name="Aisha Bello")
    maria = recipients.find_or_create(session, email="maria.lopez@lakeside.example.org",
                                      name="María López")
    accounts.set_mentoring(session, district.id, mentor=aisha, teacher=maria, on=True,
                           actor=actor, now=now)
    token = "demo-" + secrets.token_urlsafe(18)
    session.add(ApiToken(organization_id=district.id, name="demo", token_hash=token_hash(token)))
    session.flush()
    ctx = issuance.IssuerContext(base_url=base_url, kek=kek)
    result = DemoResult(created=True, api_token=token)
    # one of each state a hiring school may meet, and one for María to renew
    validity = timedelta(days=3 * 365)
    for label, slug, email, name, fmt, issued_at in (
            ("María López, JSON", "classroom-technology-integration",
             "maria.lopez@lakeside.example.org", "María López", "di", now),
            ("Tom Nakamura, VC-JWT", "digital-literacy", "tom.nakamura@lakeside.example.org",
             "Tom Nakamura", "jwt", now),
            ("María López, expires in 20 days: renew it from her wallet",
             "data-informed-instruction", "maria.lopez@lakeside.example.org", "María López",
             "di", now - validity + timedelta(days=20)),
            ("Sam Ortiz, revoked with a published reason", "blended-learning-design",
             "sam.ortiz@lakeside.example.org", "Sam Ortiz", "di", now - timedelta(days=40))):
        issued = issuance.award(session, ctx, issuer=DISTRICT, achievement=slug, email=email,
                                name=name, actor=actor, now=issued_at,
                                fmt=fmt)  # type: ignore[arg-type]
        if "revoked" in label:
            status.revoke(session, issued.credential_id, public=True, actor=actor, now=now,
                          reason="The evidence submitted was not the teacher's own work.")
        result.samples.append((label, issuance.share_url(base_url, issued)))
    return result
