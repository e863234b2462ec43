"""Recipients: people and their e-mail addresses (one person may have several)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Person
from issuer.models import PersonEmail
from issuer.services import validation
from issuer.services.errors import ServiceError

#: The owner of an address (built once: it is read by every award).
_BY_ADDRESS = sa.select(Person).join(PersonEmail).where(
    PersonEmail.address == sa.bindparam("address"))


def find_by_email(session: so.Session, address: str) -> Person | None:
    """The person who owns this address (any of their addresses)."""
    return session.scalar(_BY_ADDRESS, {"address": validation.email(address)})


def find_or_create(session: so.Session, *, email: str, name: str) -> Person:
    """The person with this address, created (with ``name``) if nobody has it."""
    person = find_or_add(session, email=email, name=name)
    if person.id is None:
        session.flush()
    return person


def find_or_add(session: so.Session, *, email: str, name: str) -> Person:
    """:func:`find_or_create`, but a new person is only added to ``session``, not yet written.

    The row is inserted at the session's next flush, with whatever else is
    pending then (the award that names the person, see :mod:`issuer.services.issuance`).
    """
    address = validation.email(email)
    display = validation.text(name, field="name", max_length=200) or ""
    person = find_by_email(session, address)
    if person is None:
        person = Person(display_name=display)
        person.emails.append(PersonEmail(address=address, primary=True))
        session.add(person)
    return person


def add_email(session: so.Session, person: Person, email: str) -> PersonEmail:
    """Give ``person`` another address.

    Raises:
        ServiceError: ``email_taken`` when another person already has it.
    """
    address = validation.email(email)
    owner = find_by_email(session, address)
    if owner is not None and owner.id != person.id:
        raise ServiceError(f"{address} belongs to someone else", code="email_taken",
                           status=409)
    if owner is not None:
        return next(e for e in person.emails if e.address == address)
    entry = PersonEmail(address=address, primary=not person.emails)
    person.emails.append(entry)
    session.flush()
    return entry
