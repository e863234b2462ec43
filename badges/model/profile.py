"""OB 3.0 §B.1.14 Profile: the issuer, creator, source or endorser.

With the classes a Profile is made of: §B.1.4 Address, §B.1.10
GeoCoordinates and §B.1.11 IdentifierEntry (DIGEST §2.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from badges.model.common import _number
from badges.model.common import _opt_text
from badges.model.common import _put
from badges.model.common import _term
from badges.model.common import _text
from badges.model.common import _tuple
from badges.model.image import Image
from badges.model.vocab import IDENTIFIER_TYPES


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoCoordinates:
    """WGS84 coordinates (OB 3.0 §B.1.10); ``type`` is the single string ``"GeoCoordinates"``.

    Attributes:
        latitude: degrees, -90..90.
        longitude: degrees, -180..180.
    """

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _number("GeoCoordinates.latitude", self.latitude)
        _number("GeoCoordinates.longitude", self.longitude)
        if not -90 <= self.latitude <= 90 or not -180 <= self.longitude <= 180:
            raise ValueError("GeoCoordinates out of range")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the coordinates."""
        return {"type": "GeoCoordinates", "latitude": self.latitude, "longitude": self.longitude}


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address (OB 3.0 §B.1.4).

    Attributes:
        address_country: country name (``addressCountry``).
        address_country_code: ISO 3166-1 alpha-2 code (``addressCountryCode``).
        address_region: state or region (``addressRegion``).
        address_locality: city (``addressLocality``).
        street_address: street line (``streetAddress``).
        post_office_box_number: PO box (``postOfficeBoxNumber``).
        postal_code: ZIP / postal code (``postalCode``).
        geo: coordinates.
    """

    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None
    geo: GeoCoordinates | None = None

    def __post_init__(self) -> None:
        code = self.address_country_code
        if code is not None and not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"address_country_code {code!r} is not ISO 3166-1 alpha-2")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the address."""
        out: dict[str, Any] = {"type": ["Address"]}
        _put(out, "addressCountry", self.address_country)
        _put(out, "addressCountryCode", self.address_country_code)
        _put(out, "addressRegion", self.address_region)
        _put(out, "addressLocality", self.address_locality)
        _put(out, "streetAddress", self.street_address)
        _put(out, "postOfficeBoxNumber", self.post_office_box_number)
        _put(out, "postalCode", self.postal_code)
        _put(out, "geo", self.geo.to_json() if self.geo else None)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentifierEntry:
    """Another identifier of a profile or achievement (OB 3.0 §B.1.11).

    Example: a district's NCES id as ``IdentifierEntry(identifier="0612345",
    identifier_type="ext:NCESDistrictId")``.

    Attributes:
        identifier: the identifier value.
        identifier_type: an IdentifierTypeEnum term (OB 3.0 §B.1.30) or ``ext:`` term.
    """

    identifier: str
    identifier_type: str

    def __post_init__(self) -> None:
        _text("IdentifierEntry.identifier", self.identifier)
        _term("IdentifierEntry.identifier_type", self.identifier_type, IDENTIFIER_TYPES)

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``type`` is the single string ``"IdentifierEntry"``."""
        return {
            "type": "IdentifierEntry",
            "identifier": self.identifier,
            "identifierType": self.identifier_type,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """An issuer, creator, source or endorser (OB 3.0 §B.1.14).

    Always emitted as an object with ``type`` containing ``"Profile"``: the
    1EdTech validator rejects an issuer given as a bare URI (DIGEST §10.4).

    Attributes:
        id: unique URI of the profile (for an issuer, its DID or profile URL).
        name: display name of the person or organization.
        extra_types: more ``type`` values after ``"Profile"``.
        url: home page.
        email: contact e-mail.
        phone: contact phone number.
        description: short description.
        image: logo.
        parent_org: parent organization (e.g. the district of a school).
        address: postal address.
        official: name of an authorized official of the organization.
        other_identifier: other identifiers (``otherIdentifier``).
    """

    id: str
    name: str | None = None
    extra_types: tuple[str, ...] = ()
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    image: Image | None = None
    parent_org: Profile | None = None
    address: Address | None = None
    official: str | None = None
    other_identifier: tuple[IdentifierEntry, ...] = ()

    def __post_init__(self) -> None:
        _text("Profile.id", self.id)
        _opt_text("Profile.name", self.name)
        _tuple(self, "extra_types", str)
        _tuple(self, "other_identifier", IdentifierEntry)
        if self.parent_org is not None and not isinstance(self.parent_org, Profile):
            raise TypeError("Profile.parent_org must be a Profile")

    def to_json(self) -> dict[str, Any]:
        """JSON form of the profile."""
        types = ["Profile", *(t for t in self.extra_types if t != "Profile")]
        out: dict[str, Any] = {"id": self.id, "type": types}
        _put(out, "name", self.name)
        _put(out, "url", self.url)
        _put(out, "phone", self.phone)
        _put(out, "description", self.description)
        _put(out, "image", self.image.to_json() if self.image else None)
        _put(out, "email", self.email)
        _put(out, "address", self.address.to_json() if self.address else None)
        _put(out, "otherIdentifier", [e.to_json() for e in self.other_identifier])
        _put(out, "official", self.official)
        _put(out, "parentOrg", self.parent_org.to_json() if self.parent_org else None)
        return out
