"""What a certificate shows: plain, bounded values, checked before anything renders.

A :class:`Certificate` is built from a stored credential (see
:mod:`issuer.certificates.service`) or from sample data (template previews).
It holds no database object, so it pickles cheaply into a batch worker. Every
text an earner or administrator typed is bounded here: an over-long value is
refused with a clear message before any template or layout work starts, and
the length is checked before the content is looked at, so a 10 MB string costs
nothing. Escaping is the template engine's job (autoescape is always on).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Literal

from issuer.certificates.errors import CertificateError

#: Longest recipient, achievement, issuer or signatory name shown.
MAX_NAME = 200
#: Longest achievement description accepted (the certificate shows the first lines).
MAX_DESCRIPTION = 2_000
#: Most competency alignments accepted (the certificate shows the first few).
MAX_ALIGNMENTS = 12
#: Longest alignment name or framework name.
MAX_ALIGNMENT_TEXT = 300
#: Longest signed credential embedded (JSON text or compact JWS).
MAX_CREDENTIAL_BYTES = 512 * 1024
#: Largest badge image embedded.
MAX_BADGE_BYTES = 1024 * 1024
#: Longest URL (verification page, alignment target).
MAX_URL = 512

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$")
_URL = re.compile(r"^https?://[^\s<>\"']+$")

BadgeType = Literal["image/svg+xml", "image/png"]


def _refuse(message: str, code: str = "invalid_field") -> CertificateError:
    return CertificateError(message, code=code, status=422)


def check_text(value: object, *, field_name: str, max_length: int,
               required: bool = True, multiline: bool = False) -> None:
    """Refuse text that is missing, too long, or holds control characters.

    The length is checked first, so a huge value is refused in constant time.

    Raises:
        CertificateError: ``field_too_long`` or ``invalid_field`` (422).
    """
    if value is None or value == "":
        if required:
            raise _refuse(f"the certificate needs a {field_name}")
        return
    if not isinstance(value, str):
        raise _refuse(f"the {field_name} must be text")
    if len(value) > max_length:
        raise _refuse(f"the {field_name} is {len(value):,} characters long; a certificate "
                      f"shows at most {max_length:,}", code="field_too_long")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in value):
        raise _refuse(f"the {field_name} contains control characters")


def check_url(value: object, *, field_name: str, required: bool = True) -> None:
    """Refuse a missing, over-long or non-HTTP(S) URL.

    Raises:
        CertificateError: ``field_too_long`` or ``invalid_field`` (422).
    """
    check_text(value, field_name=field_name, max_length=MAX_URL, required=required)
    if value and not _URL.match(str(value)):
        raise _refuse(f"the {field_name} must be an http(s) URL")


@dataclass(frozen=True, slots=True)
class Alignment:
    """One competency the achievement aligns to (OB 3.0 §B.1.3 Alignment).

    Attributes:
        name: ``targetName``, e.g. "ISTE Educator 2.5.a".
        framework: ``targetFramework``, e.g. "ISTE Standards for Educators".
        code: ``targetCode``.
        url: ``targetUrl`` (printed, never fetched).
    """

    name: str
    framework: str | None = None
    code: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        check_text(self.name, field_name="alignment name", max_length=MAX_ALIGNMENT_TEXT)
        check_text(self.framework, field_name="alignment framework",
                   max_length=MAX_ALIGNMENT_TEXT, required=False)
        check_text(self.code, field_name="alignment code", max_length=100, required=False)
        check_url(self.url, field_name="alignment URL", required=False)


@dataclass(frozen=True, slots=True)
class Signatory:
    """Who signs the certificate: a reviewer or an officer of the issuer."""

    name: str
    title: str | None = None

    def __post_init__(self) -> None:
        check_text(self.name, field_name="signatory name", max_length=MAX_NAME)
        check_text(self.title, field_name="signatory title", max_length=MAX_NAME,
                   required=False)


@dataclass(frozen=True, slots=True)
class Certificate:
    """Everything one certificate shows, and the signed credential it carries.

    Attributes:
        credential_id: the credential's ``id`` (printed, and written to the PDF's keywords).
        credential: the signed credential exactly as issued: JSON text or a compact JWS.
        credential_format: ``di`` (JSON with an embedded proof) or ``jwt``.
        verification_url: the credential's public page, carried by the QR code.
        recipient_name: the teacher's name as it appears on the credential.
        achievement_name: the micro-credential's name.
        achievement_description: its short description (the first lines are shown).
        issuer_name: the district or school that issued it.
        issued_on: the issue date.
        expires_on: the expiry date, if any.
        alignments: competencies the achievement aligns to.
        signatory: who signs the certificate, if the template names someone.
        badge_image: the badge artwork (SVG or PNG bytes).
        badge_type: its media type.
        badge_alt: the badge's alternate text.
        colour: the issuer's colour, ``#rrggbb``.
        lang: the language of the certificate's text (BCP 47).
        achievement_type: how the achievement is named on the page.
        endorsed_by: the partners whose endorsements the credential carries
            and which verified (issue #20; never one that did not).
    """

    credential_id: str
    credential: str
    credential_format: Literal["di", "jwt"]
    verification_url: str
    recipient_name: str
    achievement_name: str
    achievement_description: str
    issuer_name: str
    issued_on: date
    badge_image: bytes
    badge_type: BadgeType
    badge_alt: str
    colour: str
    expires_on: date | None = None
    alignments: tuple[Alignment, ...] = field(default=())
    signatory: Signatory | None = None
    lang: str = "en"
    achievement_type: str = "Micro-credential"
    endorsed_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text(self.recipient_name, field_name="recipient name", max_length=MAX_NAME)
        check_text(self.achievement_name, field_name="achievement name", max_length=MAX_NAME)
        check_text(self.achievement_description, field_name="achievement description",
                   max_length=MAX_DESCRIPTION, multiline=True)
        check_text(self.issuer_name, field_name="issuer name", max_length=MAX_NAME)
        check_text(self.badge_alt, field_name="badge alternate text", max_length=MAX_NAME + 100)
        check_text(self.achievement_type, field_name="achievement type", max_length=60)
        check_text(self.credential_id, field_name="credential id", max_length=200)
        check_url(self.verification_url, field_name="verification URL")
        if len(self.credential) > MAX_CREDENTIAL_BYTES or not self.credential.strip():
            raise _refuse(f"the signed credential must be 1 to {MAX_CREDENTIAL_BYTES:,} "
                          "characters", code="field_too_long")
        if self.credential_format not in ("di", "jwt"):
            raise _refuse("the credential format must be 'di' or 'jwt'")
        if self.badge_type not in ("image/svg+xml", "image/png") \
                or not 0 < len(self.badge_image) <= MAX_BADGE_BYTES:
            raise _refuse(f"the badge image must be an SVG or PNG of at most "
                          f"{MAX_BADGE_BYTES:,} bytes")
        if not isinstance(self.colour, str) or not _COLOUR.match(self.colour):
            raise _refuse("the colour must be written #rrggbb")
        if not isinstance(self.lang, str) or not _LANG.match(self.lang):
            raise _refuse("the language must be a BCP 47 tag such as 'en' or 'es-US'")
        if len(self.endorsed_by) > MAX_ALIGNMENTS:
            raise _refuse(f"a certificate names at most {MAX_ALIGNMENTS} endorsers")
        for name in self.endorsed_by:
            check_text(name, field_name="endorser name", max_length=MAX_NAME)
        if len(self.alignments) > MAX_ALIGNMENTS:
            raise _refuse(f"a certificate shows at most {MAX_ALIGNMENTS} alignments")
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise _refuse("the expiry date is before the issue date")

    @property
    def credential_filename(self) -> str:
        """The attachment's file name: ``credential.json`` or ``credential.jwt``."""
        return "credential.json" if self.credential_format == "di" else "credential.jwt"

    @property
    def credential_media_type(self) -> str:
        """The attachment's media type (VC-JOSE-COSE §6 for a VC-JWT)."""
        return "application/vc+ld+json" if self.credential_format == "di" \
            else "application/vc+jwt"
