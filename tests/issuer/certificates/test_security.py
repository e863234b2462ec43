"""Hostile content: what earners and administrators type, and what templates hold.

Typed text is escaped and bounded; templates may use only their own files;
nothing reaches the network while a certificate renders (``no_network`` makes
any connection or DNS lookup fail the test).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from issuer.certificates import templates
from issuer.certificates.content import Alignment
from issuer.certificates.errors import CertificateError
from issuer.certificates.fetcher import AssetRefused
from issuer.certificates.fetcher import TemplateFetcher
from issuer.certificates.render import Renderer
from issuer.certificates.templates import builtin
from tests.issuer.certificates.conftest import Signed
from tests.issuer.certificates.conftest import certificate
from tests.issuer.certificates.conftest import rasterize
from tests.issuer.certificates.conftest import save_artifact
from tests.issuer.certificates.conftest import text_layer

HOSTILE_NAME = '<img src="http://evil.example/pixel.png"> Robert\'); DROP TABLE x;'
TEN_MB = "x" * (10 * 1024 * 1024)


@pytest.mark.usefixtures("no_network")
def test_markup_in_names_is_shown_as_text_and_fetches_nothing(renderer: Renderer) -> None:
    signed = Signed("di", number=21, name=HOSTILE_NAME)
    cert = certificate(signed, achievement_description='<style>@import "http://evil.example/'
                       'x.css";</style><script>alert(1)</script> url(file:///etc/passwd)',
                       alignments=(Alignment(name='<a href="file:///etc/passwd">2.5.a</a>'),))
    rendered = renderer.render(cert, template=builtin())
    text = " ".join(text_layer(rendered.pdf).split())
    assert HOSTILE_NAME in text
    assert '<style>@import "http://evil.example/x.css";</style>' in text
    assert '<a href="file:///etc/passwd">2.5.a</a>' in text
    save_artifact("certificate-hostile-name.png", rasterize(rendered.pdf))


@pytest.mark.parametrize("field", ["recipient_name", "achievement_name",
                                   "achievement_description", "issuer_name"])
def test_a_ten_megabyte_string_is_refused_at_once(field: str) -> None:
    signed = Signed("di", number=22)
    started = time.perf_counter()
    with pytest.raises(CertificateError) as refused:
        certificate(signed, **{field: TEN_MB})
    assert time.perf_counter() - started < 0.05
    assert refused.value.code == "field_too_long" and refused.value.status == 422
    assert "10,485,760 characters" in refused.value.message


@pytest.mark.parametrize(("overrides", "code"), [
    ({"recipient_name": "Ana\x00Ruiz"}, "invalid_field"),
    ({"recipient_name": ""}, "invalid_field"),
    ({"colour": "red; background: url(http://x)"}, "invalid_field"),
    ({"lang": "en\" onload=\"x"}, "invalid_field"),
    ({"verification_url": "javascript:alert(1)"}, "invalid_field"),
    ({"alignments": tuple(Alignment(name=f"A{i}") for i in range(13))}, "invalid_field"),
    ({"badge_image": b"x" * (1024 * 1024 + 1)}, "invalid_field"),
])
def test_certificate_values_are_checked(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(CertificateError) as refused:
        certificate(Signed("di", number=23), **overrides)
    assert refused.value.code == code


def test_the_fetcher_serves_only_the_template_folder(tmp_path: Path) -> None:
    root = tmp_path / "tpl"
    root.mkdir()
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "template.json").write_text("{}")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    fetcher = TemplateFetcher(root, generated=["data:image/png;base64,iVBORw0KGgo="])
    assert fetcher.fetch((root / "logo.png").as_uri()).read() == b"\x89PNG\r\n\x1a\n"
    assert fetcher.fetch("data:image/png;base64,iVBORw0KGgo=").read() == b"\x89PNG\r\n\x1a\n"
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.png", "https://evil.example/x.css",
                "ftp://evil.example/x", "data:text/plain,hello",
                (root / ".." / "secret.png").as_uri(), (root / "link.png").as_uri(),
                (root / "template.json").as_uri(), (root / "missing.png").as_uri(),
                "file://evil.example/share/x.png", "//evil.example/x.png"):
        with pytest.raises(AssetRefused):
            fetcher.fetch(url)


def _template(tmp_path: Path, *, html: str | None = None, css: str = "",
              extra: dict[str, bytes] | None = None) -> Path:
    folder = tmp_path / "district"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(builtin(), folder)
    if html is not None:
        (folder / "certificate.html").write_text(html, "utf-8")
    if css:
        with (folder / "certificate.css").open("a", encoding="utf-8") as sheet:
            sheet.write(css)
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("css", "needle"), [
    ("body { background: url(file:///etc/passwd) }", "file:///etc/passwd"),
    ("body { background: url('http://evil.example/x.png') }", "http://evil.example/x.png"),
    ("@import url(https://evil.example/x.css);", "https://evil.example/x.css"),
    ("@font-face { font-family: X; src: url(//evil.example/f.woff2) }", "//evil.example"),
    (".a { background-image: image-set('../../etc/passwd' 1x) }", "../../etc/passwd"),
])
def test_a_template_that_refers_outside_itself_is_refused(renderer: Renderer, tmp_path: Path,
                                                          css: str, needle: str) -> None:
    folder = _template(tmp_path, css="\n" + css + "\n")
    with pytest.raises(CertificateError) as refused:
        renderer.render(certificate(Signed("di", number=24)), template=folder)
    assert refused.value.code == "template_asset_refused"
    assert needle in refused.value.message and "only its own files" in refused.value.message


@pytest.mark.usefixtures("no_network")
def test_the_fetcher_refuses_what_the_static_check_cannot_see(tmp_path: Path) -> None:
    # A URL that only Jinja knows passes the file check; rendering stops at the fetcher.
    html = (builtin() / "certificate.html").read_text("utf-8").replace(
        '<p class="eyebrow">', '<img alt="x" src="{{ cert.verification_url }}">'
        '<p class="eyebrow">')
    folder = _template(tmp_path, html=html)
    with pytest.raises(CertificateError) as refused:
        Renderer().render(certificate(Signed("di", number=25)), template=folder)
    assert refused.value.code == "template_asset_refused"
    assert "never fetches anything from the network" in refused.value.message


@pytest.mark.parametrize(("html", "message"), [
    ("{% if %}", "certificate.html line 1"),
    ("{{ cert.no_such_thing }}", "no_such_thing"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ cert.__class__ }}", "__class__"),
    ("{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}",
     "more than 524,288 characters"),
    ("<html lang='en'><body><img src='{{ badge.src }}'></body></html>",
     "no required alt description"),
    ("<html lang='en'><body style='height: auto; overflow: visible'>{% for i in range(300) %}"
     "<p>{{ cert.recipient_name }}</p>{% endfor %}</body></html>", "a certificate is one page"),
    ("<html lang='en'><body><img alt='logo' src='missing.png'></body></html>", "missing.png"),
])
def test_a_broken_template_gives_a_clear_error(tmp_path: Path, html: str, message: str) -> None:
    folder = _template(tmp_path, html=html)
    started = time.perf_counter()
    with pytest.raises(CertificateError) as broken:
        Renderer().render(certificate(Signed("di", number=26)), template=folder)
    assert broken.value.code.startswith("template_"), broken.value.message
    assert message in broken.value.message
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(("html", "message"), [
    # the adversarial probe's template: nested loops that write nothing ran for 35 s
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
     "loops ran more than 100,000 times"),
    ("{% for i in range(100000) %}{% endfor %}", "range() may have at most 10,000 items"),
    ("{% set s = 'x' * 5000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
     "loops ran more than 100,000 times"),
    ("{% for a in range(400)|list %}{% for b in cert.recipient_name * 400 %}{% if b %}"
     "{% endif %}{% endfor %}{% endfor %}", "loops ran more than 100,000 times"),
    ("{{ 'x' * 10000000 }}", "built with * are limited"),
    ("{{ [1] * 10000000 }}", "built with * are limited"),
    ("{{ 9 ** 99999999 }}", "exponents up to 64"),
    ("{% macro m(n) %}{% for i in range(10) %}{{ m(n - 1) if n else '' }}{% endfor %}"
     "{% endmacro %}{{ m(8) }}", "loops ran more than"),
])
def test_a_costly_template_is_refused_quickly(tmp_path: Path, html: str, message: str) -> None:
    folder = _template(tmp_path, html=html)
    started = time.perf_counter()
    with pytest.raises(CertificateError) as costly:
        Renderer().render(certificate(Signed("di", number=26)), template=folder)
    assert costly.value.code == "template_too_costly" and costly.value.status == 422
    assert message in costly.value.message, costly.value.message
    assert "too costly to render" in costly.value.message
    assert time.perf_counter() - started < 6


def test_a_render_past_its_deadline_is_refused(tmp_path: Path) -> None:
    from issuer.certificates import sandbox

    folder = _template(tmp_path, html="{% for i in range(50) %}{{ cert.recipient_name|upper }}"
                                      "{% endfor %}")
    template = templates.load(folder)
    jinja = template.compile()
    with sandbox.budget(seconds=-1), pytest.raises(CertificateError) as late:
        sandbox.charge()
    assert late.value.code == "template_too_costly" and "longer than" in late.value.message
    sandbox.charge()  # outside a render: nothing to charge
    assert "<" not in templates.render_html(jinja, {"cert": {"recipient_name": "ann"}})


@pytest.mark.parametrize(("files", "message"), [
    ({"certificate.html": b"<p>x</p>", "run.sh": b"#!/bin/sh"}, "run.sh"),
    ({"certificate.html": b"<p>x</p>", "../evil.css": b""}, "not an allowed file name"),
    ({"certificate.html": b"<p>x</p>", "sub/dir.css": b""}, "not an allowed file name"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"", "logo.png": b"GIF89a"},
     "logo.png is not a image/png file"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"",
      "bomb.svg": b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>'},
     "DOCTYPE"),
    ({"certificate.html": b"\xff\xfe", "certificate.css": b""}, "not UTF-8"),
    ({"certificate.html": b"<p>x</p>"}, "certificate.css is missing"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"",
      "template.json": b'{"colour": "red"}'}, "#rrggbb"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"",
      "template.json": b'{"script": "x"}'}, "unknown keys script"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"",
      "template.json": b'{"lang": "en\\" onload=\\"x"}'}, "BCP 47"),
    ({"certificate.html": b"<p>x</p>", "certificate.css": b"",
      "big.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024)}, "larger than"),
    ({"certificate.html": b"<base href='http://evil.example/'><p>x</p>",
      "certificate.css": b""}, "http://evil.example/"),
])
def test_uploaded_files_are_checked_before_anything_renders(files: dict[str, bytes],
                                                            message: str) -> None:
    with pytest.raises(CertificateError) as refused:
        templates.check_files(files)
    assert message in refused.value.message


def test_a_symlink_in_a_template_folder_is_refused(tmp_path: Path) -> None:
    folder = _template(tmp_path)
    (folder / "passwd.css").symlink_to("/etc/passwd")
    with pytest.raises(CertificateError, match="only plain files"):
        templates.load(folder)
