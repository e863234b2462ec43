"""Rendering: a :class:`~issuer.certificates.content.Certificate` and a template to PDF/A-3.

WeasyPrint lays out the template's HTML and CSS; the PDF it writes is:

* PDF/A-3b (ISO 19005-3), tagged for screen readers (ISO 32000-1 §14.8), with
  the document language, title, author (the issuer), subject and keywords;
* carrying the signed credential, exactly as issued, as an embedded file
  (``credential.json`` or ``credential.jwt``) whose relationship to the
  document is ``Source`` (ISO 19005-3 §6.8 associated files), so the PDF itself
  verifies (:mod:`badges.pdf` reads it back);
* one page, with the credential's verification URL in a QR code and its id in
  the text and in the keywords, so a verifier can tell whether the attached
  credential is the one the page shows.

A :class:`Renderer` keeps what is expensive and shareable between
certificates: the font configuration, each template's compiled Jinja and
parsed CSS, and decoded images. It is meant to live for a process (a web
worker, a batch worker); it is not thread-safe, so a threaded server keeps one
per thread (:func:`renderer`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time
from pathlib import Path
from typing import Any

from issuer.certificates import qr
from issuer.certificates import templates
from issuer.certificates.content import Certificate
from issuer.certificates.errors import CertificateError
from issuer.certificates.errors import template_error
from issuer.certificates.fetcher import AssetRefused
from issuer.certificates.fetcher import TemplateFetcher

#: The PDF flavour written (WeasyPrint's name for PDF/A-3b).
PDF_VARIANT = "pdf/a-3b"
#: Most templates a renderer keeps prepared.
MAX_PREPARED = 32
#: Most decoded images a renderer keeps (template assets and badge artwork).
MAX_CACHED_IMAGES = 256


@dataclass(frozen=True, slots=True)
class Paper:
    """A landscape page size."""

    name: str
    label: str
    width_mm: float
    height_mm: float


PAPERS: dict[str, Paper] = {
    "a4": Paper("a4", "A4", 297.0, 210.0),
    "letter": Paper("letter", "US Letter", 279.4, 215.9),
}
#: The paper used when none is named (the service's districts are mostly in the US).
DEFAULT_PAPER = "letter"


def paper(name: str) -> Paper:
    """The paper called ``name`` (``a4`` or ``letter``).

    Raises:
        CertificateError: ``invalid_paper`` (422).
    """
    found = PAPERS.get(name)
    if found is None:
        raise CertificateError(f"paper must be one of {', '.join(PAPERS)}",
                               code="invalid_paper", status=422)
    return found


@dataclass
class _Prepared:
    template: templates.CertificateTemplate
    jinja: Any
    stylesheets: list[Any]
    fetcher: TemplateFetcher
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered certificate and what WeasyPrint had to say about the template.

    Attributes:
        pdf: the PDF bytes.
        warnings: CSS or HTML WeasyPrint ignored (unknown properties...), for previews.
    """

    pdf: bytes
    warnings: tuple[str, ...] = ()


_DATA_URL = re.compile(r"data:[^\s\"')]{24,}")


class _Collector(logging.Handler):
    """Collects WeasyPrint's log records of one thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = _DATA_URL.sub("data:…", record.getMessage())[:300]
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


@contextmanager
def _weasyprint_log() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


class Renderer:
    """Renders certificates, reusing fonts, compiled templates, parsed CSS and images."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self._fonts = FontConfiguration()
        self._srgb = _srgb_profile()
        self._images: dict[str, Any] = {}
        self._prepared: dict[Path, _Prepared] = {}
        self._paper_css: dict[str, Any] = {}

    def prepare(self, root: Path, *, name: str | None = None) -> _Prepared:
        """Load, check, compile and parse a template folder (cached until it changes).

        Raises:
            CertificateError: when the template is missing or invalid.
        """
        from weasyprint import CSS

        key = root.resolve()
        cached = self._prepared.get(key)
        if cached is not None and cached.template.fingerprint == templates.fingerprint(key):
            return cached
        template = templates.load(key, name=name)
        jinja = template.compile()
        fetcher = TemplateFetcher(template.root)
        sheets: list[Any] = []
        with _weasyprint_log() as log:
            for css_name in template.manifest.stylesheets:
                try:
                    sheets.append(CSS(filename=str(template.root / css_name),
                                      url_fetcher=fetcher, font_config=self._fonts))
                except AssetRefused as exc:
                    raise _refused(css_name, exc) from None
        if log.errors:
            raise template_error(f"{template.manifest.stylesheets[0]}: "
                                 + "; ".join(log.errors[:3]))
        if len(self._prepared) >= MAX_PREPARED:
            self._prepared.clear()
        prepared = _Prepared(template, jinja, sheets, fetcher, tuple(log.warnings[:20]))
        self._prepared[key] = prepared
        return prepared

    def _page_stylesheet(self, sheet: Paper, colour: str) -> Any:
        """The page size and the issuer colour's custom properties, parsed once per pair."""
        from weasyprint import CSS

        key = f"{sheet.name} {colour}"
        css = self._paper_css.get(key)
        if css is None:
            if len(self._paper_css) >= MAX_PREPARED:
                self._paper_css.clear()
            css = CSS(string=f"@page {{ size: {sheet.width_mm}mm {sheet.height_mm}mm; "
                             f"margin: 0 }} :root {{ --district: {colour}; "
                             f"--district-tint: {_tint(colour)}; "
                             f"--district-ring: {_tint(colour, 0.65)} }}",
                      font_config=self._fonts)
            self._paper_css[key] = css
        return css

    def render(self, cert: Certificate, *, template: Path,
               paper_name: str = DEFAULT_PAPER) -> Rendered:
        """Render one certificate to PDF/A-3b with the credential attached.

        Args:
            cert: what the certificate shows, and the credential it carries.
            template: the template folder.
            paper_name: ``a4`` or ``letter`` (landscape).

        Returns:
            The PDF and any warnings about the template.

        Raises:
            CertificateError: ``template_*`` for a broken template (a missing
                file, a refused URL, an image without alternate text, more than
                one page...), ``render_failed`` for anything else.
        """
        from weasyprint import HTML
        from weasyprint import Attachment

        sheet = paper(paper_name)
        prepared = self.prepare(template)
        manifest = prepared.template.manifest
        badge_url = _data_url(cert.badge_type, cert.badge_image)
        qr_url = _data_url("image/png", qr.png(cert.verification_url))
        credential_url = _data_url(cert.credential_media_type, cert.credential.encode("utf-8"))
        context = _context(cert, prepared.template, sheet, badge_url, qr_url)
        html_text = templates.render_html(prepared.jinja, context, source=manifest.html)
        fetcher = prepared.fetcher.with_generated((badge_url, qr_url, credential_url))
        issued = datetime.combine(cert.issued_on, time(0, 0), UTC)
        options: dict[str, Any] = {
            "pdf_variant": PDF_VARIANT, "pdf_tags": True,
            "pdf_identifier": hashlib.sha256(cert.credential_id.encode()).hexdigest()[:32]
            .encode("ascii"),
            "cache": self._images,
            "output_intent": _SRGB,
            "stylesheets": [*prepared.stylesheets, self._page_stylesheet(
                sheet, manifest.colour or cert.colour)],
        }
        if len(self._images) > MAX_CACHED_IMAGES:
            self._images.clear()
        with _weasyprint_log() as log:
            try:
                html = HTML(string=html_text, base_url=prepared.template.root.as_uri() + "/",
                            url_fetcher=fetcher)
                document = html.render(font_config=self._fonts,
                                       color_profiles={_SRGB: self._srgb}, **options)
                if log.errors:
                    raise template_error(f"{manifest.html}: " + "; ".join(log.errors[:3]))
                if len(document.pages) != 1:
                    raise template_error(
                        f"{manifest.html} makes {len(document.pages)} pages on "
                        f"{sheet.label}; a certificate is one page (check sizes and margins)")
                _set_metadata(document.metadata, cert, issued)
                attachment = Attachment(
                    url=credential_url, url_fetcher=fetcher, name=cert.credential_filename,
                    description=f"Signed Open Badges 3.0 credential {cert.credential_id}",
                    created=issued, modified=issued, relationship="Source")
                pdf: bytes = document.write_pdf(attachments=[attachment], **options)
            except AssetRefused as exc:
                raise _refused(manifest.html, exc) from None
            except CertificateError:
                raise
            except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many kinds
                raise CertificateError(f"the certificate could not be rendered: "
                                       f"{type(exc).__name__}: {str(exc)[:300]}",
                                       code="render_failed", status=500) from exc
            finally:
                _forget(self._images, qr_url)
            if log.errors:
                raise template_error(f"{manifest.html}: " + "; ".join(log.errors[:3]))
        return Rendered(pdf, prepared.warnings + tuple(dict.fromkeys(log.warnings))[:20])


_SRGB = "srgb-iec61966"


def _srgb_profile() -> Any:
    """WeasyPrint's sRGB ICC profile, read once (the PDF/A output intent, ISO 19005-3 §6.2.3).

    Handing WeasyPrint the profile ourselves, under our own name, keeps it from
    opening (and leaving open) the profile file on every PDF/A it writes.
    """
    from importlib.resources import files

    from weasyprint.css import ColorProfile

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def _forget(cache: dict[str, Any], url: str) -> None:
    """Drop one certificate's own image (its QR code) from the shared image cache.

    WeasyPrint keys a raster image by its URL, and its data by the URL's MD5
    plus a slot name; template assets and badge artwork stay cached.
    """
    cache.pop(url, None)
    prefix = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
    for key in [k for k in cache if k.startswith(prefix)]:
        del cache[key]


def _refused(source: str, exc: AssetRefused) -> CertificateError:
    return template_error(
        f"{source} refers to {exc.url[:200]!r}: {exc.reason}. A certificate template may use "
        "only its own files, never a web address or a file elsewhere",
        code="template_asset_refused")


def _data_url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _tint(colour: str, amount: float = 0.3) -> str:
    """``colour`` mixed with white: ``amount`` of the colour, the rest white."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


_SMALL_WORDS = frozenset({"of", "the", "and", "for", "at", "de", "del", "la", "el", "y", "&"})


def initials(name: str) -> str:
    """Up to four initials of an issuer's name ("Lakeside Unified School District" → LUSD)."""
    words = [w for w in name.replace("-", " ").split() if w.casefold() not in _SMALL_WORDS]
    return "".join(w[0] for w in words if w[0].isalnum())[:4].upper() or "·"


def _length_class(text: str, steps: tuple[int, int, int]) -> str:
    size = len(text)
    return "" if size <= steps[0] else "long" if size <= steps[1] else "xlong" \
        if size <= steps[2] else "xxlong"


def _day(value: Any) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def _context(cert: Certificate, template: templates.CertificateTemplate, sheet: Paper,
             badge_url: str, qr_url: str) -> dict[str, Any]:
    """What a template sees (documented in README "Certificate templates")."""
    manifest = template.manifest
    colour = manifest.colour or cert.colour
    signatory = manifest.signatory or cert.signatory
    logo = None
    if manifest.logo:
        logo = {"src": manifest.logo, "alt": manifest.logo_alt or f"{cert.issuer_name} logo"}
    qr_title = f"QR code: verification page for this credential, {cert.verification_url}"
    return {
        "cert": {
            "recipient_name": cert.recipient_name,
            "achievement_name": cert.achievement_name,
            "achievement_description": cert.achievement_description,
            "achievement_type": cert.achievement_type,
            "issuer_name": cert.issuer_name,
            "issuer_initials": initials(cert.issuer_name),
            "issued_on": _day(cert.issued_on),
            "issued_on_iso": cert.issued_on.isoformat(),
            "expires_on": _day(cert.expires_on) if cert.expires_on else None,
            "expires_on_iso": cert.expires_on.isoformat() if cert.expires_on else None,
            "alignments": [{"name": a.name, "framework": a.framework, "code": a.code,
                            "url": a.url} for a in cert.alignments],
            "endorsed_by": list(cert.endorsed_by),
            "signatory": {"name": signatory.name, "title": signatory.title}
            if signatory else None,
            "credential_id": cert.credential_id,
            "verification_url": cert.verification_url,
            "lang": manifest.lang or cert.lang,
            "colour": colour,
            "colour_tint": _tint(colour),
            "colour_ring": _tint(colour, 0.65),
            "name_length": _length_class(cert.recipient_name, (24, 36, 60)),
            "achievement_length": _length_class(cert.achievement_name, (50, 90, 140)),
        },
        "badge": {"src": badge_url, "alt": cert.badge_alt},
        "qr": {"src": qr_url, "alt": qr_title, "url": cert.verification_url},
        "logo": logo,
        "paper": {"name": sheet.name, "label": sheet.label, "width_mm": sheet.width_mm,
                  "height_mm": sheet.height_mm},
    }


def _set_metadata(metadata: Any, cert: Certificate, issued: datetime) -> None:
    """Title, author, subject and keywords (ISO 32000-1 §14.3.3), whatever the template says."""
    metadata.title = f"{cert.achievement_name}: {cert.recipient_name}"
    metadata.authors = [cert.issuer_name]
    metadata.description = (f"{cert.achievement_type} certificate: {cert.recipient_name} "
                            f"earned {cert.achievement_name}, issued by {cert.issuer_name} "
                            f"on {cert.issued_on.isoformat()}. The signed Open Badges 3.0 "
                            f"credential is attached ({cert.credential_filename}).")
    metadata.keywords = ["Open Badges 3.0", "verifiable credential", cert.achievement_type,
                         cert.credential_id]
    metadata.generator = "badges (Open Badges 3.0 service)"
    stamp = issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.created = stamp
    metadata.modified = stamp


_local = threading.local()


def renderer() -> Renderer:
    """This thread's renderer (created on first use)."""
    found: Renderer | None = getattr(_local, "renderer", None)
    if found is None:
        found = Renderer()
        _local.renderer = found
    return found
