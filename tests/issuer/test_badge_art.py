"""Badge art uploads are checked by content: PNG limits and SVG sanitizing (issue #17).

Each malicious SVG the issue names (script, event handler, external image,
billion laughs, xlink to http, CSS url()) is refused with a message that
says what was found; harmless editor leftovers are dropped when the SVG is
rebuilt from the allow-list. No database: these are the checks themselves.
"""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib

import pytest
from PIL import Image

from badges import baking
from issuer import badge_art
from issuer.badge_art import BadgeArtError

SVG = "http://www.w3.org/2000/svg"
ALT = "A green shield with a white check mark"


def svg(body: str, root: str = f'xmlns="{SVG}" viewBox="0 0 100 100"') -> bytes:
    return f"<svg {root}>{body}</svg>".encode()


def png(width: int = 96, height: int = 96, colour: tuple[int, int, int, int] = (30, 90, 150, 255),
        extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG")
    data = out.getvalue()
    if extra:  # insert a chunk right after IHDR
        data = data[:33] + extra + data[33:]
    return data


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def refused(data: bytes, alt: str = ALT) -> str:
    with pytest.raises(BadgeArtError) as caught:
        badge_art.from_upload(data, alt)
    assert caught.value.code == "invalid_badge_art"
    assert caught.value.status in (400, 413)
    return caught.value.message


# -- malicious SVGs -------------------------------------------------------------------------

@pytest.mark.parametrize("body,expected", [
    ("<script>alert(1)</script>", "a script (<script>)"),
    ('<g><script xlink:href="https://evil.test/x.js"/></g>', "a script"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>',
     "foreignObject"),
    ('<set attributeName="fill" to="red"/>', "animation"),
    ('<animate attributeName="href" values="javascript:alert(1)"/>', "animation"),
    ('<a href="https://evil.test"><circle r="5"/></a>', "a link"),
])
def test_scripts_and_active_content_are_refused(body: str, expected: str) -> None:
    root = f'xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"'
    assert expected in refused(svg(body, root))


@pytest.mark.parametrize("where", [
    f'<svg xmlns="{SVG}" viewBox="0 0 10 10" onload="alert(1)"/>',
    f'<svg xmlns="{SVG}" viewBox="0 0 10 10"><circle r="4" onclick="steal()"/></svg>',
    f'<svg xmlns="{SVG}" viewBox="0 0 10 10"><g ONMOUSEOVER="x()"/></svg>',
])
def test_event_handlers_are_refused(where: str) -> None:
    assert "event handler" in refused(where.encode())


@pytest.mark.parametrize("href", [
    "https://evil.test/tracker.png", "http://evil.test/a.png", "//evil.test/a.png",
    "file:///etc/passwd", "data:image/svg+xml;base64,PHN2Zy8+",
    "data:text/html;base64,PHNjcmlwdD48L3NjcmlwdD4=", "javascript:alert(1)", "other.svg#x"])
def test_external_images_and_references_are_refused(href: str) -> None:
    plain = svg(f'<image width="10" height="10" href="{href}"/>')
    assert "external resource" in refused(plain)
    root = f'xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"'
    assert "external resource" in refused(svg(f'<use xlink:href="{href}"/>', root))


def test_xlink_to_http_is_refused() -> None:
    root = f'xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"'
    message = refused(svg('<use xlink:href="http://evil.test/sprite.svg#icon"/>', root))
    assert "http://evil.test/sprite.svg#icon" in message


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]><svg xmlns="{SVG}">&lol9;</svg>'
    assert "document type declaration" in refused(bomb.encode())


def test_external_entities_and_dtds_are_refused() -> None:
    xxe = (f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<svg xmlns="{SVG}" viewBox="0 0 1 1"><text>&x;</text></svg>')
    assert "document type declaration" in refused(xxe.encode())
    dtd = (f'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           f'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="{SVG}"/>')
    assert "document type declaration" in refused(dtd.encode())


@pytest.mark.parametrize("css,expected", [
    ("<style>rect { fill: url(https://evil.test/p.png) }</style>", "external resource"),
    ("<style>@import url(//evil.test/x.css);</style>", "@import"),
    ("<style>rect { fill: u\\72l(http://evil.test/x) }</style>", "CSS escapes"),
    ("<style>@font-face { font-family: x; src: url(#f) }</style>", "at-rule"),
    ("<style>rect { fill: image-set('https://evil.test/a.png' 1x) }</style>",
     "loads an image"),
    ('<rect width="5" height="5" style="fill:url(\'http://evil.test/x\')"/>',
     "style attribute on <rect> refers to an external resource"),
    ('<rect width="5" height="5" fill="url(https://evil.test/g.svg#g)"/>',
     "external resource"),
    ('<rect width="5" height="5" style="background:url(javascript:alert(1))"/>', "script"),
])
def test_css_that_reaches_outside_is_refused(css: str, expected: str) -> None:
    assert expected in refused(svg(css))


def test_not_svg_or_not_xml_is_refused() -> None:
    assert "not well-formed" in refused(b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>")
    assert "not an SVG" in refused(b'<svg xmlns="http://example.test/not-svg"/>')
    assert "neither a viewBox" in refused(svg("", f'xmlns="{SVG}"'))
    assert "roughly square" in refused(svg("", f'xmlns="{SVG}" viewBox="0 0 1000 10"'))
    assert "neither a PNG nor an SVG" in refused(b"GIF89a....")
    assert "neither a PNG nor an SVG" in refused(b"<html><body>hello</body></html>")
    assert "empty" in refused(b"")


def test_deep_or_huge_svgs_are_refused() -> None:
    deep = svg("<g>" * 60 + "</g>" * 60)
    assert "nests" in refused(deep)
    many = svg('<circle r="1"/>' * 6000)
    assert "elements" in refused(many)
    assert "at most 512 KiB" in refused(svg("<!--" + "x" * 600_000 + "-->"))


def test_use_loops_and_use_bombs_are_refused() -> None:
    loop = svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>')
    assert "loop" in refused(loop)
    levels = ['<circle id="l0" r="1"/>'] + [
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 9)]
    assert "once its <use> references are expanded" in refused(svg("".join(levels)))
    chain = "".join(f'<g id="c{i}"><use href="#c{i + 1}"/></g>' for i in range(2000))
    assert "nest too deeply" in refused(svg(chain + '<circle id="c2000" r="1"/>'))


def test_a_clean_svg_is_rebuilt_from_the_allow_list() -> None:
    source = (
        f'<?xml version="1.0"?><svg xmlns="{SVG}" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200" '
        'data-tracking="1"><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
        'syntax-ns#"/></metadata><title>old title</title><defs><linearGradient id="g">'
        '<stop offset="0" stop-color="#2e7d32"/></linearGradient></defs>'
        '<g inkscape:label="Layer 1"><circle id="c" cx="100" cy="100" r="90" fill="url(#g)"/>'
        '<use xlink:href="#c" opacity="0.5"/><text x="100" y="110">Data <tspan '
        'font-weight="bold">Literacy</tspan> 2026<inkscape:x/> ok</text></g></svg>')
    art = badge_art.from_upload(source.encode(), ALT)
    text = art.svg.decode()
    assert art.source == "image/svg+xml"
    assert text.startswith(f'<svg xmlns="{SVG}" width="256" height="256" viewBox="0 0 200 200"')
    assert f"<title>{ALT}</title>" in text and "old title" not in text
    for gone in ("metadata", "inkscape", "rdf", "data-tracking", "xlink"):
        assert gone not in text
    assert '<use href="#c" opacity="0.5"/>' in text
    assert 'fill="url(#g)"' in text
    assert ">Data <tspan font-weight=\"bold\">Literacy</tspan> 2026 ok</text>" in text
    # the rebuilt SVG is itself acceptable, and draws as a PNG
    assert badge_art.clean_svg(art.svg, ALT) == art.svg
    with Image.open(io.BytesIO(art.png)) as drawn:
        assert drawn.size == (badge_art.RENDER_WIDTH, badge_art.RENDER_WIDTH)
    assert badge_art.png_of(art.svg) == art.png


def test_an_embedded_png_is_kept_and_checked() -> None:
    inner = png(8, 8)
    encoded = base64.b64encode(inner).decode()
    art = badge_art.from_upload(svg(f'<image width="10" height="10" '
                                    f'href="data:image/png;base64,{encoded}"/>'), ALT)
    assert b"data:image/png;base64," in art.svg
    damaged = base64.b64encode(inner[:-5] + b"xxxxx").decode()
    assert "damaged" in refused(svg(f'<image href="data:image/png;base64,{damaged}"/>'))
    # a bomb hidden in an embedded image is refused like an uploaded one
    header = struct.pack(">IIBBBBB", 9000, 9000, 8, 6, 0, 0, 0)
    compressor = zlib.compressobj(9)
    idat = compressor.compress(b"\x00" * 20_000_000) + compressor.flush()
    bomb = base64.b64encode(badge_art.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(
        b"IDAT", idat) + chunk(b"IEND", b"")).decode()
    assert "9000×9000 pixels" in refused(svg(f'<image href="data:image/png;base64,{bomb}"/>'))


# -- PNGs -----------------------------------------------------------------------------------

def test_a_png_is_re_encoded_without_its_metadata() -> None:
    baked = baking.bake_png(png(), '{"a": "credential someone else earned"}')
    with_text = png(extra=chunk(b"tEXt", b"Comment\x00tracking id 42"))
    for upload in (baked, with_text):
        art = badge_art.from_upload(upload, ALT)
        assert art.source == "image/png"
        assert b"tEXt" not in art.png and b"iTXt" not in art.png
        with Image.open(io.BytesIO(art.png)) as image:
            assert image.size == (96, 96) and image.mode == "RGBA"
            assert image.getpixel((5, 5)) == (30, 90, 150, 255)
        # its SVG rendition is exactly that PNG, wrapped
        assert badge_art.png_of(art.svg) == art.png
        assert f"<title>{ALT}</title>".encode() in art.svg


def test_png_checks() -> None:
    good = png()
    assert "neither a PNG nor an SVG" in refused(b"\x89PNX\r\n\x1a\n" + good[8:])
    assert "CRC" in refused(good[:40] + bytes([good[40] ^ 1]) + good[41:])
    assert "cut short" in refused(good[:60])
    assert "from 64 to 2048" in refused(png(32, 96))
    assert "from 64 to 2048" in refused(png(64, 3000))
    animated = png(extra=chunk(b"acTL", struct.pack(">II", 2, 0)))
    assert "animated" in refused(animated)
    assert "at most 512 KiB" in refused(png() + b"\x00" * 600_000)


def test_a_png_too_detailed_to_embed_is_refused() -> None:
    rng = random.Random(7)
    noise = Image.frombytes("1", (1950, 1950), rng.randbytes(-(-1950 // 8) * 1950))
    out = io.BytesIO()
    noise.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) <= badge_art.MAX_UPLOAD_BYTES
    assert "too detailed" in refused(out.getvalue())


def test_a_decompression_bomb_is_refused_without_inflating_it() -> None:
    # a 64×64 header whose image data inflates to 50 MB of zeros
    header = struct.pack(">IIBBBBB", 64, 64, 8, 6, 0, 0, 0)
    compressor = zlib.compressobj(9)
    idat = compressor.compress(b"\x00" * 50_000_000) + compressor.flush()
    assert len(idat) < badge_art.MAX_UPLOAD_BYTES
    bomb = badge_art.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + \
        chunk(b"IEND", b"")
    assert "decompression bomb" in refused(bomb)
    # and one whose data is short of what its dimensions need
    short = badge_art.PNG_SIGNATURE + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    assert "does not match its dimensions" in refused(short)


def test_the_content_decides_not_the_name() -> None:
    assert badge_art.media_type_of(png()) == "image/png"
    assert badge_art.media_type_of(b"\xef\xbb\xbf  " + svg("")) == "image/svg+xml"


def test_alt_text_is_required() -> None:
    assert "alternative text" in refused(png(), alt="  ")
    assert "longer than 300" in refused(png(), alt="x" * 301)
    assert badge_art.check_alt("  A   blue\nstar ") == "A blue star"


# -- the generated default ------------------------------------------------------------------

def test_the_default_is_drawn_once_and_described_truthfully() -> None:
    art = badge_art.default_art("Digital Literacy", "lakeside")
    assert art is badge_art.default_art("Digital Literacy", "lakeside")
    colour_name, colour = badge_art.colour_for("lakeside")
    assert art.alt == (f"Digital Literacy badge: a {colour_name} circle with a white ring and "
                       "the words “Digital Literacy”")
    assert b">Digital</text>" in art.svg and b">Literacy</text>" in art.svg
    assert "hexagon" not in art.alt
    assert f'fill="{colour}"'.encode() in art.svg
    assert badge_art.png_of(art.svg) == art.png
    with Image.open(io.BytesIO(art.png)) as image:
        assert image.size == (512, 512)
        centre = image.convert("RGB").getpixel((256, 60))
        assert centre == tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    # a name with markup stays text
    odd = badge_art.default_art("<script>A & B</script>", "x")
    assert b"<script>" not in odd.svg and b"&lt;script&gt;A &amp; B" in odd.svg
