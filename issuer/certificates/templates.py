"""Certificate templates: a folder of HTML, CSS, images and fonts, checked before use.

A template is a flat folder::

    template.json      optional manifest (see :class:`Manifest`)
    certificate.html   Jinja HTML, rendered in a sandbox with autoescape on
    certificate.css    stylesheets, parsed once per worker and reused
    logo.svg ...       images (PNG, JPEG, SVG) and fonts (WOFF, WOFF2, TTF, OTF)

The built-in templates live in ``templates/certificates/<name>/``; a district's
uploaded ones in the instance folder (:mod:`issuer.certificates.store`). The
same rules apply to both: only known file types, bounded sizes, no sub-folders
or links, and every URL the HTML or CSS would fetch must name a file of the
template itself (a hyperlink in ``<a href>`` is not fetched and may point
anywhere). Rendering enforces the same rule again in the URL fetcher
(:mod:`issuer.certificates.fetcher`), so a missed case fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tinycss2
from jinja2 import FileSystemLoader
from jinja2 import StrictUndefined
from jinja2 import Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import TemplateSyntaxError

from badges_templates import ROOT as TEMPLATES
from issuer.certificates import sandbox
from issuer.certificates.content import Signatory
from issuer.certificates.errors import CertificateError
from issuer.certificates.errors import template_error

#: Where the built-in templates are.
BUILTIN_ROOT: Path = TEMPLATES / "certificates"
#: The template used when none is named.
DEFAULT_TEMPLATE = "default"
#: The manifest's file name.
MANIFEST = "template.json"

#: File types a template may hold, by suffix.
FILE_TYPES: Mapping[str, str] = {
    ".html": "text/html", ".css": "text/css", ".json": "application/json",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf",
}
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/svg+xml"})
#: Largest single file, largest HTML or CSS source, largest template, most files.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SOURCE_BYTES = 256 * 1024
MAX_TEMPLATE_BYTES = 6 * 1024 * 1024
MAX_FILES = 40
#: Largest HTML a template may produce for one certificate.
MAX_OUTPUT_CHARS = 512 * 1024

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}(?:\.[A-Za-z0-9]{1,8})$")
_MAGIC: Mapping[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
    "font/woff": (b"wOFF",), "font/woff2": (b"wOF2",),
    "font/ttf": (b"\x00\x01\x00\x00", b"true"), "font/otf": (b"OTTO",),
}
# Attributes that make a renderer fetch something, and the tags that carry them.
_TAG = re.compile(r"<\s*([A-Za-z][\w:-]*)([^>]*)>", re.DOTALL)
_ATTR = re.compile(r"""\b(src|href|xlink:href|data|poster|srcset)\s*=\s*"""
                   r"""("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_JINJA_ONLY = re.compile(r"^\{\{[^{}]*\}\}$")


def check_name(name: str) -> str:
    """A template name: lower-case letters, digits and dashes, at most 40.

    Raises:
        CertificateError: ``invalid_template_name`` (422).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise CertificateError("a template name is 1 to 40 lower-case letters, digits and "
                               "dashes", code="invalid_template_name", status=422)
    return name


_DEFAULT_TITLE = "Certificate"
_DEFAULT_HTML = "certificate.html"
_DEFAULT_STYLESHEETS = ("certificate.css",)


@dataclass(frozen=True, slots=True)
class Manifest:
    """A template's ``template.json``.

    Attributes:
        title: a name for people ("Lakeside classic").
        html: the Jinja HTML file.
        stylesheets: CSS files, applied in order (parsed once, reused).
        colour: the issuer colour to use instead of the issuer's own, ``#rrggbb``.
        logo: an image file of the template shown as the issuer's logo.
        logo_alt: its alternate text (default: "<issuer> logo").
        signatory: who signs every certificate made with this template.
        lang: the language of the template's fixed text (BCP 47).
    """

    title: str = _DEFAULT_TITLE
    html: str = _DEFAULT_HTML
    stylesheets: tuple[str, ...] = _DEFAULT_STYLESHEETS
    colour: str | None = None
    logo: str | None = None
    logo_alt: str | None = None
    signatory: Signatory | None = None
    lang: str | None = None


_MANIFEST_KEYS = frozenset({"title", "html", "stylesheets", "colour", "logo", "logo_alt",
                            "signatory", "lang"})


def parse_manifest(data: bytes | None) -> Manifest:
    """Read ``template.json`` (absent means every default).

    Raises:
        CertificateError: ``template_invalid`` with what is wrong.
    """
    if data is None:
        return Manifest()
    from badges.errors import BadgesError
    from badges.intake import parse_json

    try:
        raw = parse_json(data, max_bytes=64 * 1024)
    except BadgesError as exc:
        raise template_error(f"{MANIFEST}: {exc.message}") from None
    if not isinstance(raw, dict):
        raise template_error(f"{MANIFEST} must be a JSON object")
    unknown = sorted(set(raw) - _MANIFEST_KEYS)
    if unknown:
        raise template_error(f"{MANIFEST}: unknown keys {', '.join(unknown)} (known: "
                             f"{', '.join(sorted(_MANIFEST_KEYS))})")
    try:
        signatory = raw.get("signatory")
        if signatory is not None:
            if not isinstance(signatory, dict) or set(signatory) - {"name", "title"} \
                    or not isinstance(signatory.get("name"), str):
                raise template_error(f"{MANIFEST}: signatory is {{\"name\": ..., "
                                     "\"title\": ...}")
            signatory = Signatory(name=signatory["name"], title=signatory.get("title"))
        stylesheets = raw.get("stylesheets", list(_DEFAULT_STYLESHEETS))
        if not isinstance(stylesheets, list) or len(stylesheets) > 10 \
                or not all(isinstance(s, str) for s in stylesheets):
            raise template_error(f"{MANIFEST}: stylesheets is a list of at most 10 file names")
        manifest = Manifest(
            title=_opt_str(raw, "title", 100) or _DEFAULT_TITLE,
            html=_opt_str(raw, "html", 64) or _DEFAULT_HTML,
            stylesheets=tuple(stylesheets), colour=_opt_str(raw, "colour", 7),
            logo=_opt_str(raw, "logo", 64), logo_alt=_opt_str(raw, "logo_alt", 300),
            signatory=signatory, lang=_opt_str(raw, "lang", 35))
    except CertificateError as exc:
        if exc.code == "template_invalid":
            raise
        raise template_error(f"{MANIFEST}: {exc.message}") from None
    if manifest.colour is not None and not re.match(r"^#[0-9a-fA-F]{6}$", manifest.colour):
        raise template_error(f"{MANIFEST}: colour must be written #rrggbb")
    if manifest.lang is not None and not _LANG.match(manifest.lang):
        raise template_error(f"{MANIFEST}: lang must be a BCP 47 tag such as 'en' or 'es-US'")
    return manifest


def _opt_str(raw: Mapping[str, Any], key: str, max_length: int) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise template_error(f"{MANIFEST}: {key} must be text of at most {max_length} "
                             "characters")
    return value


def check_files(files: Mapping[str, bytes]) -> Manifest:
    """Check a template's files (an upload, or a folder read from disk).

    Args:
        files: file name → content, for every file of the template.

    Returns:
        The template's manifest.

    Raises:
        CertificateError: ``template_invalid`` or ``template_asset_refused``
            (422), naming the file and the problem.
    """
    if not files:
        raise template_error("the template has no files")
    if len(files) > MAX_FILES:
        raise template_error(f"a template has at most {MAX_FILES} files")
    total = 0
    for name, data in files.items():
        kind = _file_type(name)
        if len(data) > MAX_FILE_BYTES:
            raise template_error(f"{name} is larger than {MAX_FILE_BYTES:,} bytes")
        total += len(data)
        _check_content(name, kind, data)
    if total > MAX_TEMPLATE_BYTES:
        raise template_error(f"the template is larger than {MAX_TEMPLATE_BYTES:,} bytes")
    manifest = parse_manifest(files.get(MANIFEST))
    for role, name in (("html", manifest.html), *(("stylesheet", s)
                                                   for s in manifest.stylesheets)):
        _file_type(name)
        if name not in files:
            raise template_error(f"the {role} file {name} is missing")
    if manifest.logo is not None:
        if manifest.logo not in files:
            raise template_error(f"the logo file {manifest.logo} is missing")
        if _file_type(manifest.logo) not in IMAGE_TYPES:
            raise template_error("the logo must be a PNG, JPEG or SVG file")
    for name, data in files.items():
        kind = FILE_TYPES[Path(name).suffix.lower()]
        if kind == "text/css":
            _check_css_urls(name, data.decode("utf-8"), files)
        elif kind == "text/html":
            _check_html_urls(name, data.decode("utf-8"), files)
        elif kind == "image/svg+xml":
            _check_html_urls(name, data.decode("utf-8"), files)
    return manifest


def _file_type(name: str) -> str:
    if not isinstance(name, str) or not _FILE.match(name) or ".." in name:
        raise template_error(f"{name!r} is not an allowed file name: use letters, digits, "
                             "dashes and underscores, one extension, and no folders")
    kind = FILE_TYPES.get(Path(name).suffix.lower())
    if kind is None:
        raise template_error(f"{name}: a template holds only "
                             f"{', '.join(sorted(FILE_TYPES))} files")
    return kind


def _check_content(name: str, kind: str, data: bytes) -> None:
    if kind in ("text/html", "text/css", "application/json", "image/svg+xml"):
        if kind != "image/svg+xml" and len(data) > MAX_SOURCE_BYTES:
            raise template_error(f"{name} is larger than {MAX_SOURCE_BYTES:,} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise template_error(f"{name} is not UTF-8 text") from None
        if "\x00" in text:
            raise template_error(f"{name} contains NUL characters")
        if kind == "image/svg+xml":
            from badges.baking import sniff_image

            if sniff_image(data) != "svg":
                raise template_error(f"{name} is not an SVG image")
            if "<!ENTITY" in text or "<!DOCTYPE" in text.upper():
                raise template_error(f"{name}: SVG files may not declare a DOCTYPE or entities")
        return
    if not data.startswith(_MAGIC[kind]):
        raise template_error(f"{name} is not a {kind} file")


def _check_reference(source: str, value: str, files: Mapping[str, bytes]) -> None:
    """One URL the template would fetch: it must name a file of the template."""
    ref = value.strip().strip("\"'").strip()
    if not ref or ref.startswith("#") or _JINJA_ONLY.match(ref):
        return
    target = ref.split("#", 1)[0].split("?", 1)[0]
    if target in files and _FILE.match(target):
        return
    raise template_error(
        f"{source} refers to {ref[:200]!r}: a template may use only its own files "
        f"({', '.join(sorted(files))}), never a web address, a data: URL or a path outside "
        "its folder", code="template_asset_refused")


def _css_urls(tokens: Any) -> Iterator[str]:
    for token in tokens:
        kind = getattr(token, "type", None)
        if kind == "url":
            yield token.value
        elif kind == "function":
            if token.lower_name in ("url", "src", "image-set", "image"):
                for arg in token.arguments:
                    if getattr(arg, "type", None) == "string":
                        yield arg.value
            yield from _css_urls(token.arguments)
        elif kind == "at-rule":
            if token.lower_at_keyword == "import":
                for part in token.prelude:
                    if getattr(part, "type", None) == "string":
                        yield part.value
            yield from _css_urls(token.prelude)
            yield from _css_urls(token.content or [])
        elif kind in ("qualified-rule",):
            yield from _css_urls(token.prelude)
            yield from _css_urls(token.content)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _css_urls(token.content)


def _check_css_urls(source: str, css: str, files: Mapping[str, bytes]) -> None:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for url in _css_urls(rules):
        _check_reference(source, url, files)


def _check_html_urls(source: str, html: str, files: Mapping[str, bytes]) -> None:
    for tag in _TAG.finditer(html):
        if tag.group(1).lower() == "a":
            continue
        for attr in _ATTR.finditer(tag.group(2)):
            value = attr.group(2)
            if attr.group(1).lower() == "srcset":
                for candidate in value.strip("\"'").split(","):
                    _check_reference(source, candidate.strip().split(" ", 1)[0], files)
            else:
                _check_reference(source, value, files)
    for style in re.finditer(r"url\(\s*([^)]*)\)|@import\s+([^;]+);", html, re.IGNORECASE):
        _check_reference(source, style.group(1) or style.group(2), files)


@dataclass(frozen=True)
class CertificateTemplate:
    """A checked template folder, ready to render.

    Attributes:
        name: the template's name (``default``, or a district's own).
        root: its folder (resolved).
        manifest: its ``template.json``.
        fingerprint: names, inodes, sizes and modification times of its files;
            a renderer re-reads a template whose fingerprint changed.
    """

    name: str
    root: Path
    manifest: Manifest
    fingerprint: tuple[tuple[str, int, int, int], ...]

    def environment(self) -> sandbox.BoundedSandbox:
        """A Jinja sandbox over this folder: autoescape on, undefined names are errors.

        Bounded in work per render (:mod:`issuer.certificates.sandbox`).
        """
        return sandbox.BoundedSandbox(
            loader=FileSystemLoader(str(self.root)), autoescape=True,
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False)

    def compile(self) -> Template:
        """The compiled HTML template.

        Raises:
            CertificateError: ``template_invalid`` with the file, line and problem.
        """
        try:
            return self.environment().get_template(self.manifest.html)
        except TemplateSyntaxError as exc:
            raise template_error(f"{exc.name or self.manifest.html} line {exc.lineno}: "
                                 f"{exc.message}") from None
        except JinjaTemplateError as exc:
            raise template_error(f"{self.manifest.html}: {exc.message}") from None


def render_html(template: Template, context: Mapping[str, Any], *,
                source: str = "the template") -> str:
    """Render the Jinja HTML, bounded in output size and in work.

    Raises:
        CertificateError: ``template_invalid`` for an undefined name, a sandbox
            violation, or output over :data:`MAX_OUTPUT_CHARS`;
            ``template_too_costly`` for too many loop iterations or a render
            past its deadline (:mod:`issuer.certificates.sandbox`).
    """
    parts: list[str] = []
    size = 0
    try:
        with sandbox.budget() as spent:
            for chunk in template.generate(context):
                spent.charge()
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise template_error(f"{source} produced more than {MAX_OUTPUT_CHARS:,} "
                                         "characters of HTML")
                parts.append(chunk)
    except JinjaTemplateError as exc:
        raise template_error(f"{source}: {exc.message}") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError,
            ZeroDivisionError, OverflowError, RecursionError) as exc:
        raise template_error(f"{source} failed: {type(exc).__name__}: {exc}") from None
    return "".join(parts)


def read_folder(root: Path) -> dict[str, bytes]:
    """Every file of a template folder, refusing folders, links and special files.

    Raises:
        CertificateError: ``template_not_found`` (404) or ``template_invalid``.
    """
    if not root.is_dir():
        raise CertificateError(f"the certificate template {root.name!r} does not exist",
                               code="template_not_found", status=404)
    files: dict[str, bytes] = {}
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() or not entry.is_file():
            raise template_error(f"{entry.name}: a template holds only plain files")
        _file_type(entry.name)
        if entry.stat().st_size > MAX_FILE_BYTES:
            raise template_error(f"{entry.name} is larger than {MAX_FILE_BYTES:,} bytes")
        files[entry.name] = entry.read_bytes()
        if len(files) > MAX_FILES:
            raise template_error(f"a template has at most {MAX_FILES} files")
    return files


def fingerprint(root: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Names, inodes, sizes and modification times of a folder's files (a cheap change check).

    A replaced template (:func:`issuer.certificates.store.activate`) has new inodes.
    """
    try:
        return tuple(sorted((e.name, st.st_ino, st.st_size, st.st_mtime_ns)
                            for e in root.iterdir() for st in (e.stat(),)))
    except FileNotFoundError:
        return ()


def load(root: Path, *, name: str | None = None) -> CertificateTemplate:
    """Read and check a template folder.

    Raises:
        CertificateError: ``template_not_found`` or the :func:`check_files` errors.
    """
    resolved = root.resolve()
    files = read_folder(resolved)
    manifest = check_files(files)
    return CertificateTemplate(name=name or resolved.name, root=resolved, manifest=manifest,
                               fingerprint=fingerprint(resolved))


def builtin(name: str = DEFAULT_TEMPLATE) -> Path:
    """The folder of a built-in template.

    Raises:
        CertificateError: ``template_not_found`` (404).
    """
    check_name(name)
    root = BUILTIN_ROOT / name
    if not root.is_dir():
        raise CertificateError(f"there is no built-in certificate template {name!r}",
                               code="template_not_found", status=404)
    return root
