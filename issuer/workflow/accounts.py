"""Accounts: passwords, sign-in, invitations by e-mail link, memberships and mentoring.

Sign-in is throttled per e-mail address and per client address
(:mod:`issuer.workflow.throttle`); a forgotten password is reset through a
single-use e-mail link. Invitation and reset links carry a random token of
which only the SHA-256 is stored (:func:`_new_token`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Membership
from issuer.models import Organization
from issuer.models import Person
from issuer.models import PersonEmail
from issuer.models import Role
from issuer.models_workflow import DistrictPolicy
from issuer.models_workflow import Invitation
from issuer.models_workflow import MailMessage
from issuer.models_workflow import Mentorship
from issuer.models_workflow import PasswordReset
from issuer.services import audit
from issuer.services import recipients
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.workflow import notifications
from issuer.workflow import passwords
from issuer.workflow import throttle
from verifier.i18n import Translator

MIN_PASSWORD = 10
MAX_PASSWORD = 200
ROLE_NAMES = {Role.ADMIN: "District admin", Role.REVIEWER: "Reviewer / mentor",
              Role.EARNER: "Teacher"}


def check_new_password(password: object) -> str:
    """A password good enough to set (NIST SP 800-63B §5.1.1.2: length, not composition).

    Raises:
        ServiceError: ``weak_password``.
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ServiceError(f"choose a password of at least {MIN_PASSWORD} characters",
                           code="weak_password")
    if len(password) > MAX_PASSWORD:
        raise ServiceError(f"a password may have at most {MAX_PASSWORD} characters",
                           code="weak_password")
    if len(set(password)) < 4:
        raise ServiceError("choose a less repetitive password", code="weak_password")
    return password


def set_password(person: Person, password: str, *, n: int) -> None:
    """Give ``person`` a new password (checked, then hashed with scrypt)."""
    person.password_hash = passwords.hash_password(check_new_password(password), n=n)


def auth_version(person: Person) -> str:
    """A short fingerprint of the password hash: sessions made before a change stop working."""
    return hashlib.sha256((person.password_hash or "").encode()).hexdigest()[:16]


def authenticate(session: so.Session, email: str, password: str, *, n: int) -> Person | None:
    """The person with this e-mail address and password, or None.

    The hash is upgraded to the current cost when it was made with another.
    """
    try:
        address = validation.email(email)
    except ServiceError:
        passwords.check_password(None, password, n=n)
        return None
    person = recipients.find_by_email(session, address)
    stored = person.password_hash if person is not None else None
    if not passwords.check_password(stored, password, n=n) or person is None or stored is None:
        return None
    if passwords.needs_rehash(stored, n=n):
        person.password_hash = passwords.hash_password(password, n=n)
    return person


def sign_in(session: so.Session, email: str, password: str, *, client: str,
            limits: throttle.Limits, now: datetime, n: int) -> Person | None:
    """:func:`authenticate`, throttled per e-mail address and per client address.

    A failure is counted against both; a success forgets the failures counted
    against the person's addresses (not those of the client address, so signing
    in to one's own account does not reset a spray across others). A held-back
    attempt still takes one scrypt computation and says the same for any
    address, so neither time nor text tells whether an account exists.

    Args:
        session: the transaction (the caller commits, also after a failure).
        email: the address as typed.
        password: the password as typed.
        client: the client address (:func:`throttle.address_key`).
        limits: the throttles.
        now: the time.
        n: the scrypt cost.

    Raises:
        Throttled: too many recent failures for this address or client (429).
    """
    account = throttle.account_key(email)
    try:
        throttle.check(session, [(limits.sign_in_address, client),
                                 (limits.sign_in_account, account)], now=now)
    except throttle.Throttled:
        passwords.check_password(None, password, n=n)
        raise
    person = authenticate(session, email, password, n=n)
    if person is None:
        throttle.record(session, limits.sign_in_account, account, now=now)
        throttle.record(session, limits.sign_in_address, client, now=now)
        return None
    clear_sign_in_failures(session, person, limits)
    return person


def clear_sign_in_failures(session: so.Session, person: Person,
                           limits: throttle.Limits) -> None:
    """Forget the failed sign-ins of each of ``person``'s addresses.

    After a success or a new password, so a hold on the account ends at once.
    """
    for entry in person.emails:
        throttle.clear(session, limits.sign_in_account, entry.address)


def primary_email(person: Person) -> str:
    """The person's primary address (their first one when none is marked)."""
    for entry in person.emails:
        if entry.primary:
            return entry.address
    return person.emails[0].address if person.emails else ""


def add_membership(session: so.Session, person: Person, org: Organization,
                   role: Role) -> Membership:
    """Give ``person`` ``role`` in ``org`` (nothing changes when they already have it)."""
    found = session.scalar(sa.select(Membership).where(
        Membership.person_id == person.id, Membership.organization_id == org.id,
        Membership.role == role))
    if found is not None:
        return found
    membership = Membership(person_id=person.id, organization_id=org.id, role=role)
    session.add(membership)
    session.flush()
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """A secret for an e-mail link and the SHA-256 that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def parse_roles(values: list[str]) -> list[Role]:
    """Roles from form or command-line values.

    Raises:
        ServiceError: ``invalid_role`` for an unknown name or none at all.
    """
    try:
        roles = sorted({Role(v) for v in values})
    except ValueError:
        raise ServiceError("roles are admin, reviewer and earner", code="invalid_role") from None
    if not roles:
        raise ServiceError("choose at least one role", code="invalid_role")
    return roles


def invite(session: so.Session, *, org: Organization, email: str, roles: list[Role],
           invited_by: Person | None, now: datetime, days: int) -> tuple[Invitation, str]:
    """Create an invitation; returns it and the secret token for the link.

    Args:
        session: the transaction.
        org: where the roles are given (a district or a school).
        email: who is invited.
        roles: the roles to give.
        invited_by: the admin who invites (None from the command line).
        now: the time.
        days: how long the link works.
    """
    address = validation.email(email)
    token, token_hash = _new_token()
    invitation = Invitation(organization_id=org.id, email=address,
                            roles=[r.value for r in parse_roles([r.value for r in roles])],
                            token_hash=token_hash,
                            invited_by_id=invited_by.id if invited_by else None,
                            created_at=now, expires_at=now + timedelta(days=days))
    session.add(invitation)
    session.flush()
    audit.record(session, actor=primary_email(invited_by) if invited_by else "command-line",
                 action="person.invited", organization_id=org.id, subject_type="invitation",
                 subject_id=str(invitation.id), at=now,
                 detail={"email": address, "roles": invitation.roles})
    return invitation, token


def open_invitation(session: so.Session, token: str, *, now: datetime) -> Invitation:
    """The invitation a link's token stands for, when it can still be accepted.

    Raises:
        ServiceError: ``invalid_invitation`` (404) for an unknown, used or expired link.
    """
    invitation = session.scalar(sa.select(Invitation).where(
        Invitation.token_hash == _token_hash(token)))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < now:
        raise ServiceError("this invitation link is not valid any more: ask your district "
                           "administrator for a new one", code="invalid_invitation", status=404)
    return invitation


@dataclass(frozen=True)
class Accepted:
    """The outcome of accepting an invitation."""

    person: Person
    created: bool


def accept_invitation(session: so.Session, token: str, *, name: str | None,
                      password: str | None, signed_in: Person | None, now: datetime,
                      n: int) -> Accepted:
    """Accept an invitation: create the account (or add roles to an existing one).

    A new address gets an account with ``name`` and ``password``. An address
    that already has a password can only accept while signed in as its owner,
    so a forwarded link never resets someone's password.

    Raises:
        ServiceError: ``invalid_invitation``, ``sign_in_first``, ``wrong_account``,
            ``weak_password``, text checks.
    """
    invitation = open_invitation(session, token, now=now)
    person = recipients.find_by_email(session, invitation.email)
    created = False
    if person is not None and person.password_hash:
        if signed_in is None:
            raise ServiceError("you already have an account: sign in, then open the link "
                               "again", code="sign_in_first", status=409)
        if signed_in.id != person.id:
            raise ServiceError("this invitation is for another account", code="wrong_account",
                               status=403)
    else:
        display = validation.text(name, field="name", max_length=200) or ""
        secret = check_new_password(password)
        if person is None:
            person = Person(display_name=display)
            person.emails.append(PersonEmail(address=invitation.email, primary=True))
            session.add(person)
            created = True
        else:
            person.display_name = display
        person.password_hash = passwords.hash_password(secret, n=n)
        session.flush()
    for role in invitation.roles:
        add_membership(session, person, invitation.organization, Role(role))
    invitation.accepted_at = now
    invitation.accepted_by_id = person.id
    audit.record(session, actor=invitation.email, action="invitation.accepted",
                 organization_id=invitation.organization_id, subject_type="invitation",
                 subject_id=str(invitation.id), at=now, detail={"roles": invitation.roles})
    return Accepted(person=person, created=created)


_RESET_LINK = re.compile(r"\S*/reset-password/\S+")


def reset_url(base_url: str, token: str) -> str:
    """The link a password reset e-mail carries."""
    return f"{base_url}/reset-password/{token}"


def forget_sent_reset_links(session: so.Session) -> int:
    """Remove the link from password reset e-mails already sent; returns how many.

    The outbox keeps what it sent; once a reset message has gone out its link
    has no business staying in the database in clear. Called right after
    delivering (in the same transaction) and on every reset request.
    """
    rows = session.scalars(sa.select(MailMessage).where(
        MailMessage.kind == "password_reset", MailMessage.sent_at.is_not(None),
        MailMessage.body.contains("/reset-password/"))).all()
    for row in rows:
        row.body = _RESET_LINK.sub("[link removed once sent]", row.body)
    return len(rows)


def request_password_reset(session: so.Session, email: str, *, client: str, base_url: str,
                           limits: throttle.Limits, now: datetime, minutes: int,
                           seal_key: bytes | None = None,
                           lang: str = "en") -> PasswordReset | None:
    """E-mail a password reset link (through the outbox) if the address has an account.

    The answer to the person is the same either way; every request counts
    against the address typed and the client address, whether or not an
    account exists. Only accounts with a password get a link (a badge
    recipient without an account is invited instead). Older links stay valid
    until they expire or one of them is used.

    Args:
        session: the transaction (the caller commits, then delivers the outbox).
        email: the address as typed.
        client: the client address (:func:`throttle.address_key`).
        base_url: the service's base URL, for the link.
        limits: the throttles.
        now: the time.
        minutes: how long the link works.
        seal_key: the outbox key (:func:`notifications.outbox_key`): the message
            waits sealed, so the link is never in the database in clear.
        lang: the language of the e-mail (the one the person asked in).

    Returns:
        The new reset (None when the address has no account).

    Raises:
        Throttled: too many requests for this address or client (429).
        ServiceError: ``invalid_email``.
    """
    account = throttle.account_key(email)
    throttle.check(session, [(limits.reset_address, client), (limits.reset_account, account)],
                   now=now, advice=". If an account exists for that address, a link is "
                                   "already on its way: check your inbox and spam folder")
    address = validation.email(email)
    throttle.record(session, limits.reset_account, address, now=now)
    throttle.record(session, limits.reset_address, client, now=now)
    forget_sent_reset_links(session)
    person = recipients.find_by_email(session, address)
    if person is None or not person.password_hash:
        return None
    token, token_hash = _new_token()
    reset = PasswordReset(person_id=person.id, email=address, token_hash=token_hash,
                          created_at=now, expires_at=now + timedelta(minutes=minutes))
    session.add(reset)
    session.flush()
    words = Translator(lang)
    notifications.queue(
        session, kind="password_reset", to=address, now=now, seal_key=seal_key,
        subject=words("mail_reset_subject"),
        body=words("mail_reset_body", name=person.display_name, minutes=minutes,
                   link=reset_url(base_url, token)))
    audit.record(session, actor=address, action="password.reset_requested",
                 organization_id=None, subject_type="person", subject_id=str(person.id),
                 at=now, detail={"email": address, "client": client})
    return reset


def open_password_reset(session: so.Session, token: str, *, now: datetime) -> PasswordReset:
    """The password reset a link's token stands for, when it can still be used.

    Raises:
        ServiceError: ``invalid_reset`` (404) for an unknown, used or expired link.
    """
    reset = session.scalar(sa.select(PasswordReset).where(
        PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise ServiceError("this password reset link is not valid any more: it was used, "
                           "it expired, or a newer one replaced it. Ask for a new link",
                           code="invalid_reset", status=404)
    return reset


def complete_password_reset(session: so.Session, token: str, *, password: str | None,
                            limits: throttle.Limits, now: datetime, n: int) -> Person:
    """Set a new password through a reset link.

    The link is claimed with a conditional update, so of two uses at once only
    one succeeds; every other outstanding link of the person stops working,
    the sign-in failures counted against their addresses are forgotten, and
    sessions made with the old password end (:func:`auth_version`).

    Raises:
        ServiceError: ``invalid_reset`` (404), ``weak_password`` (the link stays usable).
    """
    reset = open_password_reset(session, token, now=now)
    email = reset.email
    secret = check_new_password(password)
    claimed = session.execute(sa.update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise ServiceError("this password reset link was just used", code="invalid_reset",
                           status=404)
    person = reset.person
    person.password_hash = passwords.hash_password(secret, n=n)
    session.execute(sa.update(PasswordReset).where(
        PasswordReset.person_id == person.id, PasswordReset.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    clear_sign_in_failures(session, person, limits)
    session.expire(reset)
    audit.record(session, actor=email, action="password.reset_completed",
                 organization_id=None, subject_type="person", subject_id=str(person.id),
                 at=now, detail={"email": email})
    return person


def policy(session: so.Session, district_id: int) -> DistrictPolicy:
    """The district's workflow rules (the defaults when none were set)."""
    found = session.get(DistrictPolicy, district_id)
    return found if found is not None else DistrictPolicy(organization_id=district_id,
                                                          mentor_conflict=False)


def set_mentor_rule(session: so.Session, district_id: int, *, on: bool, actor: str,
                    now: datetime) -> DistrictPolicy:
    """Turn the mentor conflict-of-interest rule on or off for a district."""
    found = session.get(DistrictPolicy, district_id)
    if found is None:
        found = DistrictPolicy(organization_id=district_id)
        session.add(found)
    found.mentor_conflict = on
    found.updated_at = now
    audit.record(session, actor=actor, action="policy.mentor_conflict", at=now,
                 organization_id=district_id, subject_type="organization",
                 subject_id=str(district_id), detail={"on": on})
    session.flush()
    return found


def set_mentoring(session: so.Session, district_id: int, *, mentor: Person, teacher: Person,
                  on: bool, actor: str, now: datetime) -> None:
    """Mark (or unmark) ``mentor`` as mentoring ``teacher`` in the district.

    Raises:
        ServiceError: ``invalid_mentoring`` when someone would mentor themself.
    """
    if mentor.id == teacher.id:
        raise ServiceError("a person cannot mentor themself", code="invalid_mentoring")
    found = session.scalar(sa.select(Mentorship).where(
        Mentorship.organization_id == district_id, Mentorship.mentor_id == mentor.id,
        Mentorship.teacher_id == teacher.id))
    if on and found is None:
        session.add(Mentorship(organization_id=district_id, mentor_id=mentor.id,
                               teacher_id=teacher.id, created_at=now))
    elif not on and found is not None:
        session.delete(found)
    audit.record(session, actor=actor, action="mentoring.set" if on else "mentoring.unset",
                 organization_id=district_id, subject_type="person",
                 subject_id=str(teacher.id), at=now, detail={"mentor": mentor.id})
    session.flush()


def members(session: so.Session, org_ids: frozenset[int]) -> list[tuple[Person, list[Membership]]]:
    """People with a role in any of ``org_ids``, by name, with those memberships."""
    rows = session.scalars(sa.select(Membership).join(Person).where(
        Membership.organization_id.in_(org_ids)).order_by(
        Person.display_name, Membership.organization_id, Membership.role)).all()
    grouped: dict[int, tuple[Person, list[Membership]]] = {}
    for membership in rows:
        grouped.setdefault(membership.person_id, (membership.person, []))[1].append(membership)
    return list(grouped.values())


def mentorships(session: so.Session, district_id: int) -> list[Mentorship]:
    """The district's mentoring pairs."""
    return list(session.scalars(sa.select(Mentorship).where(
        Mentorship.organization_id == district_id).order_by(Mentorship.id)))
