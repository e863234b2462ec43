"""Hypothesis strategies for realistic, valid-by-construction EdTech micro-credentials.

Everything is built through :mod:`badges.model`, so every generated credential
passes :func:`badges.schema.check_credential` and
:func:`badges.schema.conformance_issues` (tests/badges/test_schema.py checks
this property). Typical use in sign/verify property tests::

    from tests.badges.strategies import credentials

    @given(credentials(issuer_id="did:key:z6Mk..."))
    def test_round_trip(doc): ...

``credentials()`` yields unsigned credential dicts (fresh per example);
``credential_models()`` yields the :class:`~badges.model.OpenBadgeCredential`
objects. Dates fall between 2020 and 2035 with a timezone (UTC or a fixed US /
other offset), ``validUntil`` is optional and always after ``validFrom``.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

from hypothesis import strategies as st

from badges.model import Achievement
from badges.model import AchievementSubject
from badges.model import Address
from badges.model import Alignment
from badges.model import BitstringStatusListEntry
from badges.model import Criteria
from badges.model import EndorsementCredential
from badges.model import Evidence
from badges.model import IdentifierEntry
from badges.model import IdentityObject
from badges.model import Image
from badges.model import OpenBadgeCredential
from badges.model import Profile
from badges.model import Result
from badges.model import ResultDescription
from badges.model import RubricCriterionLevel

#: The OB impl-guide test key as a did:key (a convenient default issuer id).
DEFAULT_ISSUER_ID = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"

TEACHER_NAMES = (
    "Maria Hernández", "José García", "Zoë Müller", "Nguyễn Thị Mai", "Siobhán O'Connor",
    "Łukasz Żółkiewski", "Aiyana Yazzie", "陈静", "Fatima Al-Sayed", "Øyvind Ødegård",
    "Chloé Lefèvre", "Kwame Mensah", "Priya Raghunathan", "Dmitri Ivanov", "Ngozi Okafor",
    "Sean-Paul Tremblay", "Ayşe Yılmaz", "Mei-Ling Chen", "David Kim", "Ana Lucía Rojas",
)

ACHIEVEMENT_NAMES = (
    "Blended Learning Design", "Google Classroom Fundamentals", "Digital Citizenship Leader",
    "Coding in the Classroom", "Assistive Technology Integration", "Data-Driven Instruction",
    "Flipped Classroom Practitioner", "Canvas Course Design", "AI Literacy for Educators",
    "Universal Design for Learning with Technology", "Online Assessment Design",
    "Student Data Privacy", "Computational Thinking K-5", "Podcasting with Students",
    "Aprendizaje Híbrido", "Média numérique en classe", "Interactive Whiteboard Pedagogy",
    "Virtual Field Trips", "Accessible Digital Content", "Formative Assessment with Quizzes",
)

DISTRICTS = (
    ("Springfield Public Schools", "springfield.k12.il.us", "IL"),
    ("Riverside Unified School District", "riversideusd.org", "CA"),
    ("Cedar Rapids Community Schools", "crschools.us", "IA"),
    ("Distrito Escolar de Las Cruces", "lcps.net", "NM"),
    ("Lakeview Independent School District", "lakeviewisd.org", "TX"),
)

SCHOOLS = ("Lincoln Elementary", "Roosevelt Middle School", "Jefferson High School",
           "César Chávez Academy", "Maple Grove Elementary")

ROLES = ("Grade 3 Teacher", "Science Teacher", "Instructional Coach", "Media Specialist",
         "Special Education Teacher", "ESL Teacher")

TERMS = ("Fall 2024", "Spring 2025", "Summer 2025", "Fall 2025", "2025-2026")

#: ISTE Standards for Educators indicators, as alignment targets.
ISTE_INDICATORS = (
    ("2.1.a", "Learner: set professional learning goals"),
    ("2.3.b", "Citizen: foster safe, ethical use of technology"),
    ("2.5.a", "Designer: personalize learning with technology"),
    ("2.5.b", "Designer: design authentic learning activities"),
    ("2.6.a", "Facilitator: foster student ownership of learning"),
    ("2.7.a", "Analyst: offer alternative ways to demonstrate competency"),
)

EVIDENCE_GENRES = ("Lesson Plan", "Classroom Video", "Student Work Sample", "Reflection",
                   "Unit Plan", "Peer Observation")

RUBRIC_LEVELS = ("Beginning", "Developing", "Proficient", "Exemplary")

TIMEZONES = (
    UTC,
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=-6)),
    timezone(timedelta(hours=-8)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=1)),
)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words) or "badge"


def uuid_urns() -> st.SearchStrategy[str]:
    """``urn:uuid:`` identifiers."""
    return st.uuids().map(lambda u: f"urn:uuid:{u}")


def teacher_names() -> st.SearchStrategy[str]:
    """Realistic teacher names (many non-ASCII), sometimes freely generated Unicode."""
    generated = st.text(
        alphabet=st.characters(categories=["L", "M"]), min_size=1, max_size=20,
    ).map(str.strip).filter(bool)
    return st.one_of(st.sampled_from(TEACHER_NAMES), st.tuples(generated, generated).map(" ".join))


def emails(domain: str | None = None) -> st.SearchStrategy[str]:
    """School e-mail addresses, sometimes with odd case or surrounding spaces."""
    local = st.tuples(st.sampled_from(TEACHER_NAMES), st.integers(0, 999)).map(
        lambda t: f"{_slug(t[0]).replace('-', '.')}{t[1] or ''}")
    domains = st.just(domain) if domain else st.sampled_from([d[1] for d in DISTRICTS])
    plain = st.builds(lambda lp, d: f"{lp}@{d}", local, domains)
    return st.one_of(plain, plain.map(str.title), plain.map(lambda e: f" {e.upper()} "))


def aware_datetimes(
    min_value: datetime = datetime(2020, 1, 1), max_value: datetime = datetime(2035, 12, 31),
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes (UTC or fixed offsets), microseconds sometimes set."""
    return st.datetimes(min_value=min_value, max_value=max_value,
                        timezones=st.sampled_from(TIMEZONES))


def alignments() -> st.SearchStrategy[Alignment]:
    """CASE CFItem alignments to ISTE-like indicators, or a plain URL alignment."""
    case = st.builds(
        lambda ind, u: Alignment(
            target_name=ind[1], target_code=ind[0],
            target_url=f"https://casenetwork.imsglobal.org/uri/{u}",
            target_framework="ISTE Standards for Educators", target_type="CFItem",
            target_description=f"ISTE indicator {ind[0]}"),
        st.sampled_from(ISTE_INDICATORS), st.uuids())
    plain = st.builds(
        lambda ind: Alignment(target_name=ind[1],
                              target_url=f"https://www.iste.org/standards/educators#{ind[0]}"),
        st.sampled_from(ISTE_INDICATORS))
    return st.one_of(case, plain)


@st.composite
def rubrics(draw: st.DrawFn, base: str) -> ResultDescription:
    """A rubric ResultDescription with 3-4 ordered levels and a required level.

    Ids hang off ``base`` when it is a URL; under a ``urn:uuid:`` base each
    gets its own UUID URN (a UUID URN cannot take a path).
    """
    count = draw(st.integers(3, 4))
    names = RUBRIC_LEVELS[-count:]
    if base.startswith("urn:"):
        rubric_id = draw(uuid_urns())
        level_ids = [draw(uuid_urns()) for _ in names]
    else:
        rubric_id = f"{base}/rubric"
        level_ids = [f"{base}/rubric/levels/{_slug(name)}" for name in names]
    levels = tuple(
        RubricCriterionLevel(
            id=level_id, name=name, level=name,
            description=f"{name} use of the practice in daily teaching.",
            points=str(i + 1) if draw(st.booleans()) else None)
        for i, (level_id, name) in enumerate(zip(level_ids, names, strict=True)))
    return ResultDescription(
        id=rubric_id, name="Portfolio review rubric", result_type="RubricCriterionLevel",
        rubric_criterion_level=levels, required_level=levels[-2].id)


@st.composite
def achievements(draw: st.DrawFn, creator: Profile | None = None) -> Achievement:
    """A MicroCredential with criteria, optional image, alignments, rubric and tags."""
    name = draw(st.sampled_from(ACHIEVEMENT_NAMES))
    district = draw(st.sampled_from(DISTRICTS))
    base = draw(st.one_of(
        st.just(f"https://badges.{district[1]}/achievements/{_slug(name)}"), uuid_urns()))
    narrative = (f"Design and teach a lesson that uses **{name.lower()}** practices, then "
                 "submit the plan, a classroom artifact and a short reflection.")
    criteria = draw(st.sampled_from([
        Criteria(narrative=narrative),
        Criteria(id=f"https://badges.{district[1]}/criteria/{_slug(name)}"),
        Criteria(id=f"https://badges.{district[1]}/criteria/{_slug(name)}", narrative=narrative),
    ]))
    rubric = draw(st.one_of(st.none(), rubrics(base)))
    return Achievement(
        id=base, name=name,
        description=f"Recognizes educators who apply {name} in their classrooms.",
        criteria=criteria,
        image=draw(st.one_of(st.none(), st.just(Image(
            id=f"https://badges.{district[1]}/images/{_slug(name)}.png", caption=name)))),
        alignment=tuple(draw(st.lists(alignments(), max_size=3, unique_by=lambda a: a.target_url))),
        result_description=(rubric,) if rubric else (),
        tag=tuple(draw(st.lists(st.sampled_from(
            ["edtech", "professional-learning", "pedagogy", "micro-credential"]),
            max_size=3, unique=True))),
        version=draw(st.sampled_from([None, "1.0", "2.1"])),
        in_language=draw(st.sampled_from([None, "en", "en-US", "es", "es-MX", "fr-CA"])),
        creator=creator,
        field_of_study=draw(st.sampled_from([None, "Educational Technology", "Pedagogy"])),
        human_code=draw(st.sampled_from([None, "EDT-101", "EDT-204", "PD-17"])),
        credits_available=draw(st.sampled_from([None, 1.0, 3.0, 10.0, 15.5])),
    )


def evidence_items(base: str = "https://badges.example.org") -> st.SearchStrategy[Evidence]:
    """One evidence item: a lesson plan, video, reflection... id optional."""
    return st.builds(
        lambda genre, ident, name, with_narr: Evidence(
            id=ident, name=f"{genre}: {name}", genre=genre,
            description=f"{genre} submitted for review.",
            narrative=(f"The teacher {name.lower()} and reflected on student outcomes."
                       if with_narr else None),
            audience=None if with_narr else "District reviewers"),
        st.sampled_from(EVIDENCE_GENRES),
        st.one_of(st.none(), uuid_urns(), st.uuids().map(lambda u: f"{base}/evidence/{u}")),
        st.sampled_from(["Taught a station-rotation lesson", "Built a choice board",
                         "Recorded a screencast tutorial", "Co-planned with a peer"]),
        st.booleans(),
    )


@st.composite
def issuer_profiles(draw: st.DrawFn, issuer_id: str = DEFAULT_ISSUER_ID,
                    issuer_name: str | None = None) -> Profile:
    """A district issuer Profile with the given id (the signing key's controller)."""
    name, domain, region = draw(st.sampled_from(DISTRICTS))
    return Profile(
        id=issuer_id, name=issuer_name or name, url=f"https://www.{domain}",
        email=draw(st.sampled_from([None, f"pd@{domain}"])),
        description=draw(st.sampled_from([None, f"Professional learning at {name}."])),
        image=draw(st.sampled_from([None, Image(id=f"https://www.{domain}/logo.png")])),
        address=draw(st.sampled_from([None, Address(
            address_country="United States", address_country_code="US",
            address_region=region)])),
        other_identifier=draw(st.one_of(st.just(()), st.integers(1000000, 9999999).map(
            lambda n: (IdentifierEntry(identifier=str(n), identifier_type="ext:NCESDistrictId"),)
        ))),
    )


@st.composite
def subjects(draw: st.DrawFn, achievement: Achievement) -> AchievementSubject:
    """The teacher: an id, a hashed e-mail, or both; optional name, results, role."""
    mode = draw(st.sampled_from(["id", "email", "both"]))
    identifiers: list[IdentityObject] = []
    if mode != "id":
        salt = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=8,
                            max_size=16))
        identifiers.append(IdentityObject.hashed_email(draw(emails()), salt))
        if draw(st.booleans()):
            identifiers.append(IdentityObject.plain_name(draw(teacher_names())))
    subject_id = None
    if mode != "email":
        subject_id = draw(st.one_of(
            uuid_urns(),
            st.uuids().map(lambda u: f"did:web:badges.example.org:learners:{u.hex[:12]}"),
            st.just("did:key:z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x")))
    results: list[Result] = []
    for rd in achievement.result_description:
        if draw(st.booleans()):
            passing = rd.rubric_criterion_level[-2:]
            level = draw(st.sampled_from(passing))
            results.append(Result(result_description=rd.id, achieved_level=level.id,
                                  status="Completed"))
    start = draw(st.one_of(st.none(), aware_datetimes(max_value=datetime(2030, 1, 1))))
    end = None if start is None else start + draw(
        st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=180)))
    return AchievementSubject(
        achievement=achievement, id=subject_id, identifier=tuple(identifiers),
        result=tuple(results),
        source=draw(st.one_of(st.none(), st.sampled_from(SCHOOLS).map(
            lambda s: Profile(id=f"https://badges.example.org/schools/{_slug(s)}", name=s)))),
        narrative=draw(st.sampled_from([None, "Evidence was reviewed by two coaches."])),
        activity_start_date=start, activity_end_date=end,
        credits_earned=draw(st.sampled_from([None, 1.0, 3.0, 10.0])),
        role=draw(st.one_of(st.none(), st.sampled_from(ROLES))),
        term=draw(st.one_of(st.none(), st.sampled_from(TERMS))),
    )


@st.composite
def credential_models(
    draw: st.DrawFn, issuer_id: str = DEFAULT_ISSUER_ID, issuer_name: str | None = None,
    valid_from: datetime | None = None, with_status: bool | None = None,
) -> OpenBadgeCredential:
    """An unsigned OpenBadgeCredential model.

    Args:
        draw: hypothesis draw function.
        issuer_id: the issuer Profile id (must be the signing key's controller).
        issuer_name: fixed issuer name (default: a sample district).
        valid_from: fixed ``validFrom`` (default: drawn from 2020-2035).
        with_status: force a BitstringStatusListEntry on or off (default: drawn).
    """
    issuer = draw(issuer_profiles(issuer_id, issuer_name))
    achievement = draw(achievements(creator=draw(st.sampled_from([None, issuer]))))
    subject = draw(subjects(achievement))
    start = valid_from if valid_from is not None else draw(aware_datetimes())
    until = draw(st.one_of(st.none(), st.timedeltas(
        min_value=timedelta(days=1), max_value=timedelta(days=3650)).map(lambda d: start + d)))
    awarded = draw(st.one_of(st.none(), st.just(start), st.timedeltas(
        min_value=timedelta(0), max_value=timedelta(days=700)).map(lambda d: start - d)))
    status: tuple[BitstringStatusListEntry, ...] = ()
    if with_status if with_status is not None else draw(st.booleans()):
        index = draw(st.integers(0, 131071))
        list_url = "https://badges.example.org/status/1"
        status = (BitstringStatusListEntry(
            id=f"{list_url}#{index}", status_purpose="revocation", status_list_index=index,
            status_list_credential=list_url),)
    teacher = next((i.identity_hash for i in subject.identifier if i.identity_type == "name"),
                   None)
    return OpenBadgeCredential(
        id=draw(uuid_urns()), issuer=issuer, valid_from=start, credential_subject=subject,
        name=f"{achievement.name}" + (f" — {teacher}" if teacher else ""),
        description=draw(st.sampled_from([None, achievement.description])),
        valid_until=until, awarded_date=awarded,
        image=draw(st.sampled_from([None, achievement.image])),
        evidence=tuple(draw(st.lists(evidence_items(), max_size=3))),
        credential_status=status,
    )


def credentials(
    issuer_id: str = DEFAULT_ISSUER_ID, issuer_name: str | None = None,
    valid_from: datetime | None = None, with_status: bool | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Unsigned OpenBadgeCredential dicts; see :func:`credential_models` for the arguments."""
    return credential_models(issuer_id=issuer_id, issuer_name=issuer_name,
                             valid_from=valid_from, with_status=with_status).map(
        lambda c: c.to_json())


@st.composite
def endorsement_models(draw: st.DrawFn, issuer_id: str = "https://state.example.gov/ed",
                       subject_id: str | None = None) -> EndorsementCredential:
    """An unsigned EndorsementCredential by a state education agency."""
    start = draw(aware_datetimes())
    return EndorsementCredential(
        id=draw(uuid_urns()),
        issuer=Profile(id=issuer_id, name="State Department of Education"),
        valid_from=start,
        name="State endorsement of the district micro-credential program",
        subject_id=subject_id or f"https://badges.{draw(st.sampled_from(DISTRICTS))[1]}/issuer",
        endorsement_comment=draw(st.sampled_from(
            [None, "The program meets state professional-learning standards."])),
        valid_until=draw(st.one_of(st.none(), st.just(start + timedelta(days=365)))),
    )


def endorsements(issuer_id: str = "https://state.example.gov/ed",
                 subject_id: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Unsigned EndorsementCredential dicts."""
    return endorsement_models(issuer_id=issuer_id, subject_id=subject_id).map(
        lambda e: e.to_json())
