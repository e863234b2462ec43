"""Renewal by resubmitting evidence (issue #6): who may renew what, and when.

A credential with a ``validUntil`` (OB 3.0 §B.1.2, from the achievement's
validity period) can be renewed by its own recipient from
:data:`RENEWAL_WINDOW_DAYS` before it expires, and at any time after: the
teacher starts a new submission marked as renewing it, and approval issues a
new credential whose evidence names the prior one (see
:func:`issuer.services.issuance.award`). A revoked or suspended credential is
not renewed, nor one that a newer credential already renews; one renewal
that is not declined exists per credential (a unique index makes sure of it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Literal

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.models_workflow import Submission
from issuer.models_workflow import SubmissionStatus
from issuer.services.errors import ServiceError
from issuer.workflow import submissions
from issuer.workflow.access import NotVisible
from issuer.workflow.access import Viewer

#: How long before expiry renewal opens (the widest reminder window).
RENEWAL_WINDOW_DAYS = 30

State = Literal["renewable", "in_progress", "renewed", "not_yet", "none"]


@dataclass(frozen=True)
class Renewal:
    """Where one credential stands on renewal, for the wallet.

    Attributes:
        state: ``renewable`` (offer "Renew"), ``in_progress`` (a renewal
            submission exists), ``renewed`` (a newer credential renews it),
            ``not_yet`` (renewal opens at ``opens``) or ``none`` (no expiry,
            revoked or suspended).
        submission_id: the renewal submission, when ``in_progress``.
        opens: when renewal opens, when ``not_yet``.
    """

    state: State
    submission_id: str | None = None
    opens: datetime | None = None


def renew_url(base_url: str, credential_id: str) -> str:
    """The wallet page that starts a renewal of a credential (by row id; linked from reminders)."""
    return f"{base_url}/wallet/{credential_id}/renew"


def opens_at(issued: IssuedCredential) -> datetime | None:
    """When renewal opens for ``issued`` (None without an expiry date)."""
    if issued.valid_until is None:
        return None
    return issued.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def _renewed(session: so.Session, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    if not wanted:
        return set()
    return {r for r in session.scalars(sa.select(IssuedCredential.renews_id).where(
        IssuedCredential.renews_id.in_(wanted))) if r is not None}


def _open_renewals(session: so.Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(sa.select(Submission.renews_credential_id, Submission.id).where(
        Submission.renews_credential_id.in_(wanted),
        Submission.status != SubmissionStatus.DECLINED))
    return {prior: sub for prior, sub in rows if prior is not None}


def overview(session: so.Session, credentials: Iterable[IssuedCredential], *,
             now: datetime) -> dict[str, Renewal]:
    """Each credential's :class:`Renewal` (two queries for the whole wallet)."""
    found = list(credentials)
    ids = [c.id for c in found]
    renewed, open_ = _renewed(session, ids), _open_renewals(session, ids)
    out: dict[str, Renewal] = {}
    for c in found:
        opens = opens_at(c)
        if c.id in renewed:
            out[c.id] = Renewal("renewed")
        elif c.id in open_:
            out[c.id] = Renewal("in_progress", submission_id=open_[c.id])
        elif opens is None or c.revoked_at is not None or c.suspended_at is not None:
            out[c.id] = Renewal("none")
        elif now < opens:
            out[c.id] = Renewal("not_yet", opens=opens)
        else:
            out[c.id] = Renewal("renewable")
    return out


def own_credential(session: so.Session, viewer: Viewer, credential_id: str) -> IssuedCredential:
    """One of the viewer's own credentials (by its row id).

    Raises:
        NotVisible: unknown or someone else's (404): only the recipient renews.
    """
    found = session.get(IssuedCredential, credential_id)
    if found is None or found.person_id != viewer.person_id:
        raise NotVisible("badge")
    return found


def check_renewable(session: so.Session, prior: IssuedCredential, *, now: datetime,
                    starting: bool = True) -> None:
    """Refuse a renewal the rules do not allow.

    Args:
        session: the transaction.
        prior: the credential to renew.
        now: the time.
        starting: True when a renewal is being started (the expiry rules and an
            open renewal are checked too); False at the approval of one.

    Raises:
        ServiceError: ``already_revoked``, ``suspended``, ``already_renewed``,
            ``not_expiring``, ``too_early``, ``renewal_in_progress`` (409).
    """
    if prior.revoked_at is not None:
        raise ServiceError("a revoked credential cannot be renewed", code="already_revoked",
                           status=409)
    if prior.suspended_at is not None:
        raise ServiceError("this badge is suspended: it cannot be renewed until the district "
                           "lifts the suspension", code="suspended", status=409)
    if _renewed(session, [prior.id]):
        raise ServiceError("this badge has already been renewed: the new one is in your wallet",
                           code="already_renewed", status=409)
    if not starting:
        return
    opens = opens_at(prior)
    if opens is None:
        raise ServiceError("this badge does not expire, so it needs no renewal",
                           code="not_expiring", status=409)
    if now < opens:
        raise ServiceError(f"this badge can be renewed from {opens:%d %B %Y}, "
                           f"{RENEWAL_WINDOW_DAYS} days before it expires",
                           code="too_early", status=409)
    if _open_renewals(session, [prior.id]):
        raise ServiceError("a renewal of this badge is already in progress: continue it from "
                           "My evidence", code="renewal_in_progress", status=409)


def open_renewal(session: so.Session, prior: IssuedCredential) -> Submission | None:
    """The renewal submission of ``prior`` that is not declined, if there is one."""
    found = _open_renewals(session, [prior.id]).get(prior.id)
    return session.get(Submission, found) if found is not None else None


def _earned_school(session: so.Session, prior: IssuedCredential) -> int | None:
    """The school of the submission that earned ``prior`` (None when it was awarded directly)."""
    return session.scalar(sa.select(Submission.organization_id).where(
        Submission.credential_id == prior.id))


def school_choices(session: so.Session, viewer: Viewer,
                   prior: IssuedCredential) -> list[Organization]:
    """The schools a renewal could go through, when the teacher must pick one (else empty)."""
    eligible = submissions.eligible_schools(viewer, prior.achievement)
    if len(eligible) < 2 or _earned_school(session, prior) in eligible:
        return []
    return list(session.scalars(sa.select(Organization).where(
        Organization.id.in_(eligible)).order_by(Organization.name)))


def start(session: so.Session, viewer: Viewer, credential_id: str, *,
          organization_id: int | None, now: datetime) -> Submission:
    """Start a submission that renews one of the viewer's credentials.

    It goes through the school of the submission that earned the credential
    when that still applies, otherwise as :func:`submissions.choose_school` decides.

    Args:
        session: the transaction (the caller commits).
        viewer: the teacher, who must be the credential's recipient.
        credential_id: the credential's row id.
        organization_id: the school, when the teacher must choose one.
        now: the time.

    Raises:
        NotVisible: not the viewer's credential.
        Forbidden: the viewer no longer teaches where the achievement is offered.
        ServiceError: see :func:`check_renewable`, and ``choose_school``,
            ``achievement_retired``.
    """
    prior = own_credential(session, viewer, credential_id)
    check_renewable(session, prior, now=now)
    achievement = prior.achievement
    earned = _earned_school(session, prior)
    if organization_id is None and earned in submissions.eligible_schools(viewer, achievement):
        organization_id = earned
    school = submissions.choose_school(viewer, achievement, organization_id)
    try:
        with session.begin_nested():
            return submissions.create(session, viewer, achievement=achievement,
                                      organization_id=school, now=now, renews=prior)
    except sa_exc.IntegrityError:
        # another request started a renewal of the same credential at the same moment
        raise ServiceError("a renewal of this badge is already in progress: continue it from "
                           "My evidence", code="renewal_in_progress", status=409) from None
