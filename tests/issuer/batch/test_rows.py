"""Checking rows: every problem by line, stable idempotency keys, duplicates; and the preview."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from issuer.batch import intake
from issuer.batch import service
from issuer.batch.rows import award_key
from issuer.batch.rows import check_rows
from issuer.db import Database
from issuer.services import organizations
from tests.issuer.batch.conftest import award_csv
from tests.issuer.batch.conftest import make_batch

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

FILE = b"""email,name,achievement,evidence,issued_on,expires_on
ann@lakeside.example.org,Ann,blended-learning-design,https://lms.example.org/u/1,2025-08-15,
not-an-email,,blended-learning-design,,,
cy@lakeside.example.org,Cy,no-such-achievement,,,
dee@lakeside.example.org,Dee,blended-learning-design,,08/15/2025,
eve@lakeside.example.org,Eve,blended-learning-design,,2999-01-01,
fay@lakeside.example.org,Fay,blended-learning-design,,2025-08-15,2025-08-01
gus@lakeside.example.org,Gus,blended-learning-design,javascript:alert(1),,
hal@lakeside.example.org,Hal,,,,
ANN@Lakeside.example.org,Ann L.,blended-learning-design,,2025-08-15,
ivy@lakeside.example.org,Ivy,data-informed-instruction,Observed two lessons.,,2027-06-30
"""


@pytest.mark.usefixtures("district")
def test_every_problem_is_reported_by_line_and_field(database: Database) -> None:
    with database.sessions() as session:
        org = organizations.get(session, "lakeside")
        checked = check_rows(session, org, intake.read_csv(FILE), achievement=None,
                             run_key=None, now=NOW)
    errors = {(e.line, e.field, e.code) for e in checked.errors}
    assert errors == {
        (3, "email", "invalid_email"), (3, "name", "missing_field"),
        (4, "achievement", "unknown_achievement"), (5, "issued_on", "invalid_date"),
        (6, "issued_on", "issue_date_in_future"), (7, "expires_on", "expiry_before_issue"),
        (9, "achievement", "missing_field")}
    # "javascript:alert(1)" is not a link, so it is kept as an evidence narrative.
    assert [r.line for r in checked.valid] == [2, 8, 11]
    assert [(r.line, first) for r, first in checked.duplicates] == [(10, 2)]
    ann, gus, ivy = checked.valid
    assert ann.evidence_url == "https://lms.example.org/u/1" and ann.email.islower()
    assert ann.issued_on == datetime(2025, 8, 15, tzinfo=UTC)
    assert gus.evidence_narrative == "javascript:alert(1)" and gus.evidence_url is None
    assert ivy.expires_on == datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC)


def test_keys_are_stable_and_say_what_makes_an_award_the_same() -> None:
    base = award_key(1, "a", "t@x.org")
    assert base == award_key(1, "a", "t@x.org") and len(base) == 64
    day = datetime(2025, 8, 15, 9, 30, tzinfo=UTC)
    assert award_key(1, "a", "t@x.org", issued_on=day) == \
        award_key(1, "a", "t@x.org", issued_on=day.replace(hour=0, minute=0))
    different = {award_key(2, "a", "t@x.org"), award_key(1, "b", "t@x.org"),
                 award_key(1, "a", "u@x.org"), award_key(1, "a", "t@x.org", issued_on=day),
                 award_key(1, "a", "t@x.org", run_key="2026-27"),
                 award_key(1, "a", "t@x.org", external="lms-1")}
    assert base not in different and len(different) == 6
    assert award_key(1, "a", "t@x.org", external="lms-1") == \
        award_key(1, "b", "u@x.org", external="lms-1")


@pytest.mark.usefixtures("district")
def test_default_achievement_and_run_key(database: Database) -> None:
    data = b"email,name\nann@lakeside.example.org,Ann\n"
    with database.sessions() as session:
        org = organizations.get(session, "lakeside")
        one = check_rows(session, org, intake.read_csv(data),
                         achievement="blended-learning-design", run_key=None, now=NOW)
        two = check_rows(session, org, intake.read_csv(data),
                         achievement="blended-learning-design", run_key="2026-27", now=NOW)
    assert one.valid[0].key != two.valid[0].key


@pytest.mark.usefixtures("district")
def test_preview_counts_what_a_run_would_do_and_writes_nothing(database: Database) -> None:
    data = award_csv(40, bad_every=10)
    with database.sessions() as session:
        org = organizations.get(session, "lakeside")
        preview = service.preview(session, org, intake.read_csv(data + data[data.index(b"\n")
                                                                          + 1:]), now=NOW)
    assert (preview.total, preview.to_issue, preview.duplicates, preview.failing) == \
        (80, 36, 36, 8)
    assert preview.already_issued == 0
    batch_id = make_batch(database, data, backend="inprocess")
    with database.sessions() as session:
        batch = service.get(session, batch_id)
        assert (batch.total, batch.failed, batch.skipped, batch.chunks) == (40, 4, 0, 1)
        assert service.count_rows(session, batch)["pending"] == 36
