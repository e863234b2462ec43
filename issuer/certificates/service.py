"""Certificates for stored credentials, previews, and districts' template uploads.

The functions here connect the database to the renderer: they turn an
:class:`~issuer.models.IssuedCredential` into a
:class:`~issuer.certificates.content.Certificate`, find the issuer's template
(its own, its district's, or the built-in one), and check an uploaded template
by rendering sample certificates with it before it is put in place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer import badge_art
from issuer import images
from issuer.certificates import store
from issuer.certificates import templates
from issuer.certificates.content import MAX_ALIGNMENTS
from issuer.certificates.content import Alignment
from issuer.certificates.content import Certificate
from issuer.certificates.errors import CertificateError
from issuer.certificates.errors import template_error
from issuer.certificates.render import DEFAULT_PAPER
from issuer.certificates.render import PAPERS
from issuer.certificates.render import Rendered
from issuer.certificates.render import renderer
from issuer.models import IssuedCredential
from issuer.models import Organization
from issuer.services import artwork
from issuer.services import audit
from issuer.services.errors import ServiceError
from issuer.services.issuance import share_url
from issuer.storage import Storage

#: How much of an achievement's description a certificate shows.
SHORT_DESCRIPTION = 320


def short_description(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """The first ``limit`` characters of a description, cut at a word, with an ellipsis."""
    text = " ".join(text[: limit * 2].split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def colour_of(org: Organization) -> str:
    """The issuer's colour, ``#rrggbb`` (the one its default badge artwork uses)."""
    r, g, b = images.colour_for(org.slug)
    return f"#{r:02x}{g:02x}{b:02x}"


_STAR = ("M128 82L139.5 112.2L171.7 113.8L146.5 134L155 165.2L128 147.5L101 165.2L109.5 134"
         "L84.3 113.8L116.5 112.2Z")


def medallion_svg(colour: str) -> bytes:
    """A plain medallion with a star, as SVG: a stand-in image for template tests and benches.

    Certificates of real credentials carry the achievement's art
    (:func:`issuer.services.artwork.art_for`), the same PNG every other output shows.
    """
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" '
            f'viewBox="0 0 256 256"><circle cx="128" cy="128" r="120" fill="{colour}"/>'
            f'<circle cx="128" cy="128" r="108" fill="none" stroke="#fff" stroke-width="4"/>'
            f'<circle cx="128" cy="128" r="94" fill="none" stroke="#fff" stroke-width="1.5" '
            f'stroke-opacity="0.45"/><path fill="#fff" d="{_STAR}"/></svg>').encode("ascii")


def _alignments(raw: Any) -> tuple[Alignment, ...]:
    found = []
    for item in (raw or [])[:MAX_ALIGNMENTS]:
        if isinstance(item, dict) and isinstance(item.get("targetName"), str):
            found.append(Alignment(name=item["targetName"],
                                   framework=item.get("targetFramework"),
                                   code=item.get("targetCode"), url=item.get("targetUrl")))
    return tuple(found)


def certificate_for(issued: IssuedCredential, *, base_url: str,
                    endorsed_by: tuple[str, ...] = ()) -> Certificate:
    """What the certificate of a stored credential shows, and the credential it carries.

    ``endorsed_by`` names the endorsers whose endorsements in the credential
    verified (the caller verifies them: :mod:`issuer.web.endorsed`).

    Raises:
        CertificateError: when a stored value breaks a certificate limit.
    """
    from sqlalchemy.orm import object_session

    from issuer.services import authoring

    db = object_session(issued)
    # the achievement as the credential holds it (its version's text and art)
    achievement = issued.achievement
    if db is not None:
        try:
            achievement = authoring.as_of(db, achievement, issued.achievement_version)
        except ServiceError:  # a version never recorded: the achievement as it is
            pass
    org = issued.organization
    art = artwork.art_for(db, achievement)
    return Certificate(
        credential_id=issued.credential_id, credential=issued.document,
        credential_format="jwt" if issued.format == "jwt" else "di",
        verification_url=share_url(base_url, issued),
        recipient_name=issued.recipient_name, achievement_name=achievement.name,
        achievement_description=short_description(achievement.description),
        issuer_name=org.name, issued_on=issued.issued_at.date(),
        expires_on=issued.valid_until.date() if issued.valid_until else None,
        alignments=_alignments(achievement.alignments),
        # the achievement's art, the very PNG every other output shows
        badge_image=art.png, badge_type="image/png", badge_alt=art.alt,
        colour=colour_of(org), endorsed_by=tuple(dict.fromkeys(endorsed_by)))


SAMPLE_ID = "urn:uuid:00000000-0000-4000-8000-000000000000"


def sample_certificate(org: Organization | None, *, base_url: str,
                       stress: bool = False) -> Certificate:
    """Sample data for a template preview; ``stress`` uses long names and many alignments.

    The attached "credential" is an unsigned sample: a preview never verifies.
    """
    issuer = org.name if org is not None else "Lakeside Unified School District"
    name = "Alexandra Montgomery-Castellanos de la Fuente Whitfield" if stress \
        else "Jordan Avery Sample"
    achievement = ("Designing Inclusive, Standards-Aligned Blended Learning Units for "
                   "Multilingual Learners in Grades 6 to 12") if stress \
        else "Sample Micro-credential"
    description = ("A sample description of what the teacher did to earn this "
                   "micro-credential: the evidence they submitted, how it was reviewed "
                   "against the rubric, and what it shows about their practice. ") * (
        3 if stress else 1)
    alignments = tuple(Alignment(name=f"Standard {i}.{i}.a", framework="Sample Framework "
                                 "for Educators") for i in range(1, (6 if stress else 3)))
    sample_art = badge_art.default_art(achievement, org.slug if org is not None else "sample")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": SAMPLE_ID, "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "SAMPLE: not a credential", "issuer": {"id": "urn:example:sample",
                                                      "type": ["Profile"], "name": issuer},
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name",
                            "hashed": False, "identityHash": name}],
            "achievement": {"name": achievement}},
    }
    return Certificate(
        credential_id=SAMPLE_ID, credential=json.dumps(credential, indent=2),
        credential_format="di", verification_url=f"{base_url}/c/SAMPLE-preview-only",
        recipient_name=name, achievement_name=achievement,
        achievement_description=short_description(description),
        issuer_name=issuer, issued_on=date(2026, 9, 1), expires_on=date(2029, 9, 1),
        alignments=alignments,
        badge_image=sample_art.png, badge_type="image/png", badge_alt=sample_art.alt,
        colour=colour_of(org) if org is not None else "#1f5a96")


def issuer_chain(org: Organization) -> list[str]:
    """The issuer's slug, then its parent's (schools use their district's templates)."""
    chain = [org.slug]
    if org.parent is not None:
        chain.append(org.parent.slug)
    return chain


def template_for(org: Organization, *, storage: Storage, name: str | None = None) -> Path:
    """The folder of the issuer's template ``name`` (default: ``default``).

    Raises:
        CertificateError: ``template_not_found`` or ``invalid_template_name``.
    """
    return store.resolve(storage, issuer_chain(org), name or templates.DEFAULT_TEMPLATE)


def withheld(issued: IssuedCredential) -> None:
    """Refuse the certificate of a revoked or suspended credential, saying since when.

    Raises:
        CertificateError: ``certificate_withheld_revoked`` (410, revocation is
            final) or ``certificate_withheld_suspended`` (409, until the issuer
            lifts the suspension).
    """
    from verifier.i18n import format_day

    org = issued.organization.name
    if issued.revoked_at is not None:
        raise CertificateError(
            f"{org} revoked this credential on {format_day(issued.revoked_at, 'en')}, so it has "
            "no certificate any more; its share page and the verifier show its status",
            code="certificate_withheld_revoked", status=410)
    if issued.suspended_at is not None:
        raise CertificateError(
            f"{org} suspended this credential on {format_day(issued.suspended_at, 'en')} "
            "while it reviews it; its certificate is available again if the suspension is lifted",
            code="certificate_withheld_suspended", status=409)


def render_issued(issued: IssuedCredential, *, base_url: str, storage: Storage,
                  template: str | Path | None = None,
                  paper: str = DEFAULT_PAPER, endorsed_by: tuple[str, ...] = ()) -> Rendered:
    """The certificate of a stored credential as a PDF.

    Args:
        issued: the credential.
        base_url: the service's public base URL (for the QR code).
        storage: where districts' templates are kept.
        template: a template name, or a template folder (for designers).
        paper: ``a4`` or ``letter``.
        endorsed_by: endorsers whose endorsements verified (:func:`certificate_for`).

    A revoked or suspended credential has no certificate: it is refused with
    ``certificate_withheld_revoked`` (410) or ``certificate_withheld_suspended``
    (409), as batch certificate runs withhold them, so that no clean-looking
    printable copy of a withdrawn badge can be made by any path (share page,
    wallet, CLI) or by a district template that would hide a mark.

    Raises:
        CertificateError: see :meth:`issuer.certificates.render.Renderer.render`;
            and the two codes above.
    """
    withheld(issued)
    folder = template if isinstance(template, Path) else template_for(
        issued.organization, storage=storage, name=template)
    return renderer().render(certificate_for(issued, base_url=base_url,
                                             endorsed_by=endorsed_by), template=folder,
                             paper_name=paper)


def find_issued(session: so.Session, ref: str) -> IssuedCredential:
    """A stored credential by credential id, row id, share token or share URL.

    Raises:
        ServiceError: ``unknown_credential`` (404).
    """
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        ref = ref.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
    column = IssuedCredential.credential_id if ref.startswith("urn:") else None
    query = sa.select(IssuedCredential).where(
        column == ref if column is not None else sa.or_(
            IssuedCredential.id == ref, IssuedCredential.share_token == ref))
    found = session.scalar(query)
    if found is None:
        raise ServiceError(f"no credential {ref[:80]!r} was found", code="unknown_credential",
                           status=404)
    return found


def preview(org: Organization | None, *, base_url: str, folder: Path,
            paper: str = DEFAULT_PAPER) -> Rendered:
    """A template rendered with sample data.

    Raises:
        CertificateError: when the template is broken.
    """
    return renderer().render(sample_certificate(org, base_url=base_url), template=folder,
                             paper_name=paper)


def check_template(folder: Path, org: Organization | None, *, base_url: str) -> Rendered:
    """Render a template with typical sample data, and long sample data on every paper.

    Each result must be one page that shows the recipient's name, the
    achievement's name and the credential id, and carries the attachment
    (read back with :mod:`badges.pdf`, as a verifier would).

    Returns:
        The typical sample on the default paper (with every warning seen).

    Raises:
        CertificateError: what is wrong, and with which paper and sample.
    """
    from badges import pdf
    from badges.errors import BadgesError

    first: Rendered | None = None
    warnings: list[str] = []
    runs = [(False, DEFAULT_PAPER)] + [(True, paper) for paper in PAPERS]
    for stress, paper in runs:
        cert = sample_certificate(org, base_url=base_url, stress=stress)
        label = f"{'long' if stress else 'typical'} sample on {PAPERS[paper].label}"
        try:
            rendered = renderer().render(cert, template=folder, paper_name=paper)
        except CertificateError as exc:
            raise CertificateError(f"{exc.message} ({label})", code=exc.code,
                                   status=exc.status) from None
        warnings.extend(rendered.warnings)
        try:
            document = pdf.read_pdf(rendered.pdf)
            attached = pdf.credential_file(document)
            pdf.check_binding(document, json.loads(attached.data))
        except BadgesError as exc:
            raise template_error(
                "a certificate must show the recipient's name, the achievement's name "
                f"and the credential id ({{{{ cert.credential_id }}}}) as text: "
                f"{exc.message} ({label})") from None
        if first is None:
            first = Rendered(rendered.pdf)
    assert first is not None
    return Rendered(first.pdf, tuple(dict.fromkeys(warnings))[:20])


@dataclass(frozen=True, slots=True)
class Uploaded:
    """A template that was checked and put in place.

    Attributes:
        name: its name.
        title: its manifest title.
        files: its files.
        warnings: what WeasyPrint ignored in its CSS or HTML.
    """

    name: str
    title: str
    files: tuple[str, ...]
    warnings: tuple[str, ...]


def upload_template(session: so.Session, org: Organization, *, storage: Storage,
                    base_url: str, name: str, files: Mapping[str, bytes], actor: str,
                    now: datetime) -> Uploaded:
    """Check a district's template, render samples with it, then put it in place.

    Nothing is written when any check fails; the previous template of that
    name keeps working until the new one replaces it.

    Raises:
        CertificateError: ``invalid_template_name``, ``template_invalid``,
            ``template_asset_refused`` (422), with what is wrong.
    """
    templates.check_name(name)
    manifest = templates.check_files(files)
    staged = store.stage(files)
    try:
        checked = check_template(staged, org, base_url=base_url)
    finally:
        store.discard(staged)
    store.publish(storage, org.slug, name, files)
    audit.record(session, actor=actor, action="certificate_template.uploaded",
                 organization_id=org.id, subject_type="certificate_template",
                 subject_id=name, at=now,
                 detail={"files": sorted(files), "title": manifest.title})
    return Uploaded(name=name, title=manifest.title, files=tuple(sorted(files)),
                    warnings=checked.warnings)
