"""A teacher's CLR 2.0 carries the pathway structure, and the wallet downloads it (issue #20).

On SQLite and PostgreSQL (the ``app`` fixture's two engines): a teacher who
completed a 2-step pathway gets a signed ``ClrCredential`` whose associations
link each component to the capstone (``isPartOf``/``isParentOf``) and the
first step to the second (``precedes``); it passes the CLR 2.0 schema, it
verifies in the district's verifier, whose page (English and Spanish) reads
the structure by name, and tampering one embedded badge is still reported
for that badge. The wallet's "Download my learner record (CLR)" gives the
teacher the signed file of the badges they chose, audited, and refuses
anybody else's badges.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from badges.clr import Association
from badges.clr_schema import check_clr
from badges.clr_verify import record_structure
from badges.clr_verify import verify_clr
from issuer.models import AuditEvent
from issuer.models import IssuedCredential
from issuer.services import clr as clr_service
from issuer.services import pathways as definitions
from issuer.services.context import IssuerContext
from issuer.workflow import pathways
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_pathways import _earn
from tests.issuer.workflow.test_pathways import _lakeside
from tests.issuer.workflow.test_pathways import definition
from verifier.clr_text import to_text


@pytest.fixture
def ctx(app: Flask) -> IssuerContext:
    settings = app.extensions["badges"]["settings"]
    return IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)


@pytest.fixture
def completed(app: Flask, world: World, ctx: IssuerContext) -> Iterator[dict[str, str]]:
    """The teacher completed "EdTech Coach" (Tech, then Literacy or Data Use): ids by slug."""
    with app.extensions["badges"]["db"].session() as db:
        org = _lakeside(db)
        doc = definition(steps=[{"title": "Technology", "achievements": ["tech"]},
                                {"title": "Literacy or data", "choose": 1,
                                 "achievements": ["literacy", "data-use"], "after": [1]}])
        definitions.create(db, org, doc, actor="t", now=NOW)
        teacher = world.people["teacher"]
        _earn(db, ctx, teacher, "tech")
        _earn(db, ctx, teacher, "literacy")
        held = {c.achievement.slug: c.credential_id for c in db.scalars(
            sa.select(IssuedCredential).where(IssuedCredential.person_id == teacher))}
        db.commit()
    assert sorted(held) == ["coach", "literacy", "tech"]
    yield held


def _verifier_page(app: Flask, record: dict[str, Any], lang: str) -> str:
    return app.test_client().post(f"/verify?lang={lang}",
                                  data={"credential": json.dumps(record)},
                                  content_type="multipart/form-data").get_data(as_text=True)


def _verdicts(html: str) -> dict[str, str]:
    found = re.findall(r'<li id="clr-credential-\d+" data-verdict="([a-z_]+)">.*?'
                       r'<strong class="clr-credential-name">([^<]+)</strong>', html, re.S)
    return {name: verdict for verdict, name in found}


def test_the_record_links_the_components_to_the_capstone_and_verifies(
        app: Flask, ctx: IssuerContext, completed: dict[str, str]) -> None:
    with app.extensions["badges"]["db"].session() as db:
        result = clr_service.teacher_clr(
            db, ctx, issuer="lakeside", email="maria@lakeside.test", now=NOW, actor="test",
            structure=partial(pathways.record_associations, base_url=ctx.base_url))
        db.commit()
    record = result.document
    assert check_clr(record) == []
    subject = record["credentialSubject"]
    url = {a["name"]: a["id"] for a in subject["achievement"]}
    assert sorted(url) == ["Coach", "Literacy", "Tech"]
    triples = {(a["associationType"], a["sourceId"], a["targetId"])
               for a in subject["association"]}
    assert triples == {("isPartOf", url["Tech"], url["Coach"]),
                       ("isPartOf", url["Literacy"], url["Coach"]),
                       ("isParentOf", url["Coach"], url["Tech"]),
                       ("isParentOf", url["Coach"], url["Literacy"]),
                       ("precedes", url["Tech"], url["Literacy"])}  # not Data Use: not held
    assert all(a["type"] == "Association" for a in subject["association"])
    lines = [(s.name, s.relation, s.targets) for s in record_structure(record)]
    assert sorted(lines) == [("Literacy", "isPartOf", ("Coach",)),  # isParentOf restates these
                             ("Tech", "isPartOf", ("Coach",)), ("Tech", "precedes", ("Literacy",))]
    assert lines.index(("Tech", "isPartOf", ("Coach",))) + 1 == lines.index(
        ("Tech", "precedes", ("Literacy",)))

    text = to_text(verify_clr(record, now=NOW))  # ``badges verify`` (offline here)
    assert "  Tech — Part of: Coach\n" in text and "  Tech — Comes before: Literacy\n" in text
    html = _verifier_page(app, record, "en")
    assert 'data-verdict="verified" data-kind="clr"' in html
    assert "How these achievements fit together" in html
    assert "<strong>Tech</strong> — Part of: Coach" in html
    assert "<strong>Tech</strong> — Comes before: Literacy" in html
    es = _verifier_page(app, record, "es")
    assert "<strong>Literacy</strong> — Forma parte de: Coach" in es
    assert "Va antes de: Literacy" in es

    tampered = copy.deepcopy(record)
    literacy = next(c for c in tampered["credentialSubject"]["verifiableCredential"]
                    if c["id"] == completed["literacy"])
    literacy["validFrom"] = "2020-01-01T00:00:00Z"
    html = _verifier_page(app, tampered, "en")
    assert 'data-verdict="forged" data-kind="clr"' in html
    assert _verdicts(html) == {"Tech": "verified", "Literacy": "forged", "Coach": "verified"}
    assert "Part of: Coach" not in html  # a forged record's structure is not the issuer's

    without = clr_service.within_record(
        [Association("isPartOf", url["Tech"], url["Coach"]),
         Association("precedes", url["Tech"], "https://elsewhere/achievements/x")],
        subject["verifiableCredential"])
    assert [(a.association_type, a.target_id) for a in without] == [("isPartOf", url["Coach"])]


def test_the_wallet_downloads_the_chosen_record_for_the_teacher_only(
        app: Flask, completed: dict[str, str], as_user: Callable[[str], Browser]) -> None:
    teacher = as_user("teacher")
    page = teacher.get("/wallet").get_data(as_text=True)
    assert "Download my learner record (CLR)" in page
    assert page.count('name="credential" value="urn:uuid:') == 3

    chosen = [completed["tech"], completed["coach"]]
    response = teacher.post("/wallet/clr", {"issuer": "lakeside", "credential": chosen})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Learner record from Lakeside Unified - Maria Lopez.json"' in disposition
    record = json.loads(response.get_data())
    assert check_clr(record) == []
    subject = record["credentialSubject"]
    assert sorted(c["id"] for c in subject["verifiableCredential"]) == sorted(chosen)
    assert record["partial"] is True  # Literacy left out by choice
    assert {a["associationType"] for a in subject["association"]} == {"isPartOf", "isParentOf"}
    assert 'data-verdict="verified"' in _verifier_page(app, record, "en")
    with app.extensions["badges"]["db"].session() as db:
        event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "clr.issued"))
        assert event is not None and event.actor == "maria@lakeside.test"
        assert event.subject_id == record["id"]

    forged_form = teacher.client.post("/wallet/clr", data={"issuer": "lakeside",
                                                           "credential": chosen})
    assert forged_form.status_code == 400  # no CSRF token: refused before anything is signed
    empty = teacher.post("/wallet/clr", {"issuer": "lakeside"})
    assert empty.status_code == 303 and empty.headers["Location"].endswith("#learner-record")
    assert "Choose at least one badge" in teacher.get("/wallet").get_data(as_text=True)

    spanish = teacher.get("/wallet?lang=es").get_data(as_text=True)  # the choice then holds
    assert "Descargar mi registro del aprendiz (CLR)" in spanish
    assert "Insignias de Lakeside Unified que incluir" in spanish
    response = teacher.post("/wallet/clr", {"issuer": "lakeside", "credential": chosen})
    assert 'filename="Registro del aprendiz de Lakeside Unified - Maria Lopez.json"' in \
        response.headers["Content-Disposition"]

    other = as_user("teacher2")
    refused = other.post("/wallet/clr", {"issuer": "lakeside", "credential": chosen},
                         headers={"Accept": "text/html"})
    assert refused.status_code == 404
    assert "Download my learner record" not in other.get("/wallet").get_data(as_text=True)
    anonymous = as_user("anonymous").post("/wallet/clr", {"issuer": "lakeside",
                                                          "credential": chosen})
    assert anonymous.status_code in (302, 303, 401, 403)
    with app.extensions["badges"]["db"].session() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "clr.issued")) == 2
