"""Organizations (districts and schools) as issuers, and where they are published.

Each organization is an issuer whose identifier is a ``did:web`` under the
service's public base URL (did:web §3.1), e.g. ``did:web:badges.lakeside.org:
issuers:lakeside``, resolving to ``{base}/issuers/lakeside/did.json``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from badges import model
from badges.did import did_web_for
from issuer.models import Organization
from issuer.services import validation
from issuer.services.errors import ServiceError
from issuer.services.errors import not_found


def issuer_url(base_url: str, org: Organization) -> str:
    """The issuer's public page (HTML or JSON-LD by content negotiation)."""
    return f"{base_url}/issuers/{org.slug}"


def issuer_did(base_url: str, org: Organization) -> str:
    """The issuer's ``did:web``."""
    parts = urlsplit(base_url)
    return did_web_for(parts.netloc, f"{parts.path}/issuers/{org.slug}")


#: An organization by slug (built once: it is read by every award and page).
_BY_SLUG = sa.select(Organization).where(Organization.slug == sa.bindparam("slug"))


def get(session: so.Session, slug: str) -> Organization:
    """The organization with this slug.

    Raises:
        ServiceError: ``unknown_issuer`` (404).
    """
    org = session.scalar(_BY_SLUG, {"slug": slug})
    if org is None:
        raise not_found(f"issuer {slug!r}", "unknown_issuer")
    return org


def list_all(session: so.Session) -> list[Organization]:
    """Every organization, districts before their schools."""
    return list(session.scalars(sa.select(Organization).order_by(
        Organization.parent_id.is_not(None), Organization.name)))


def create(session: so.Session, *, slug: str, name: str, url: str | None = None,
           email: str | None = None, description: str | None = None,
           image_url: str | None = None, parent: Organization | None = None) -> Organization:
    """Create an organization.

    Raises:
        ServiceError: ``invalid_slug``, ``slug_taken`` and the text checks.
    """
    slug = validation.slug(slug)
    if session.scalar(sa.select(Organization.id).where(Organization.slug == slug)):
        raise ServiceError(f"an organization {slug!r} already exists", code="slug_taken",
                           status=409)
    org = Organization(
        slug=slug, name=validation.text(name, field="name", max_length=200),
        url=validation.text(url, field="url", max_length=500, required=False),
        email=validation.email(email) if email else None,
        description=validation.text(description, field="description", max_length=5000,
                                    required=False),
        image_url=validation.text(image_url, field="image_url", max_length=500,
                                  required=False),
        parent=parent)
    session.add(org)
    session.flush()
    return org


def profile(base_url: str, org: Organization, *, with_parent: bool = True) -> model.Profile:
    """The issuer's OB 3.0 Profile, with its did:web as id (OB 3.0 §B.1.14)."""
    parent = profile(base_url, org.parent, with_parent=False) \
        if with_parent and org.parent is not None else None
    image = model.Image(id=org.image_url, caption=f"{org.name} logo") if org.image_url else None
    return model.Profile(id=issuer_did(base_url, org), name=org.name,
                         url=org.url or issuer_url(base_url, org), email=org.email,
                         description=org.description, image=image, parent_org=parent)
