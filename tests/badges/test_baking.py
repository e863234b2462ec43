"""Tests for badges.baking (OB 3.0 §5.3 Baked Badge)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import baking
from badges.errors import InputError

BAKED = Path(__file__).parent.parent / "fixtures" / "examples" / "baked"
SIG = b"\x89PNG\r\n\x1a\n"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
JSON_CRED = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x"})
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!-- a comment -->\n"
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-x="a>b">\n'
    b'  <circle cx="5" cy="5" r="4"/>\n'
    b"</svg>\n"
)


# ---------------------------------------------------------------- helpers


def chunk(ctype: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(ctype + data)
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def tiny_png(*extra: bytes) -> bytes:
    """A 1x1 8-bit greyscale PNG, built by hand; ``extra`` chunks go before IDAT."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x7f")  # filter type 0, one grey pixel
    return SIG + chunk(b"IHDR", ihdr) + b"".join(extra) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def chunks_of(png: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    pos = 8
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        out.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def ob3_chunks(png: bytes) -> list[bytes]:
    return [d for t, d in chunks_of(png) if t == b"iTXt" and d.startswith(b"openbadgecredential\0")]


def itxt(keyword: bytes, text: bytes, flag: int = 0) -> bytes:
    return chunk(b"iTXt", keyword + b"\0" + bytes([flag, 0]) + b"\0\0" + text)


def code_of(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    return excinfo.value.code


def assert_json_or_jws(text: str) -> None:
    if text.startswith("{"):
        assert isinstance(json.loads(text), dict)
    else:
        assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", text)


# ---------------------------------------------------------------- spec samples


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ob30-simple-json.png", "json"),
        ("ob30-simple-jwt.png", "jwt"),
        ("ob30-simple-json.svg", "json"),
        ("ob30-simple-jwt.svg", "jwt"),
    ],
)
def test_unbake_spec_samples(name: str, kind: str) -> None:
    text = baking.unbake((BAKED / name).read_bytes())
    if kind == "json":
        doc = json.loads(text)
        assert isinstance(doc, dict)
        assert "OpenBadgeCredential" in doc["type"] or "AchievementCredential" in doc["type"]
    else:
        assert len(text.split(".")) == 3
        assert all(re.fullmatch(r"[\w-]+", part) for part in text.split("."))


@pytest.mark.parametrize("name", sorted(p.name for p in BAKED.iterdir()))
def test_rebake_spec_samples_replaces_credential(name: str) -> None:
    baked = baking.bake((BAKED / name).read_bytes(), JWS)
    assert baking.unbake(baked) == JWS
    if name.endswith(".png"):
        assert len(ob3_chunks(baked)) == 1
        assert chunks_of(baked)[1][0] == b"iTXt"  # right after IHDR
    else:
        assert baked.count(b"<openbadges:credential") == 1
        assert baked.count(b'xmlns:openbadges="' + OB3_NS.encode() + b'"') == 1


def test_sniff_image() -> None:
    assert baking.sniff_image(tiny_png()) == "png"
    assert baking.sniff_image(SVG) == "svg"
    assert baking.sniff_image(b"\xef\xbb\xbf  <svg/>") == "svg"
    assert baking.sniff_image(b"GIF89a....") is None
    assert baking.sniff_image(b"<html><body/></html>") is None
    assert baking.sniff_image(b"") is None


# ---------------------------------------------------------------- PNG


@pytest.mark.parametrize("credential", [JSON_CRED, JWS])
def test_png_round_trip(credential: str) -> None:
    png = tiny_png()
    baked = baking.bake_png(png, credential)
    assert baking.unbake(baked) == credential
    assert baking.bake(png, credential) == baked


def test_png_chunk_layout() -> None:
    baked = baking.bake_png(tiny_png(), JWS)
    types = [t for t, _ in chunks_of(baked)]
    assert types == [b"IHDR", b"iTXt", b"IDAT", b"IEND"]
    # keyword NUL, flag 0, method 0, empty language NUL, empty translated NUL, text
    assert chunks_of(baked)[1][1] == b"openbadgecredential\0\0\0\0\0" + JWS.encode()


def test_png_bake_preserves_other_chunks() -> None:
    png = tiny_png(chunk(b"tEXt", b"Comment\0hello"), chunk(b"pHYs", bytes(9)))
    baked = baking.bake_png(png, JSON_CRED)
    ours = itxt(b"openbadgecredential", JSON_CRED.encode())
    assert baked.replace(ours, b"", 1) == png


def test_png_rebake_leaves_exactly_one_chunk() -> None:
    png = tiny_png(itxt(b"openbadgecredential", b"old1"), itxt(b"openbadgecredential", b"old2"))
    baked = baking.bake_png(baking.bake_png(png, "first"), "second")
    assert ob3_chunks(baked) == [b"openbadgecredential\0\0\0\0\0second"]
    assert baking.unbake(baked) == "second"


def test_png_first_chunk_wins() -> None:
    png = tiny_png(itxt(b"openbadgecredential", b"one"), itxt(b"openbadgecredential", b"two"))
    assert baking.unbake(png) == "one"


def test_png_compressed_credential_refused() -> None:
    png = tiny_png(itxt(b"openbadgecredential", zlib.compress(b"{}"), flag=1))
    with pytest.raises(InputError) as exc:
        baking.unbake(png)
    assert code_of(exc) == "malformed_image"
    assert "compress" in exc.value.message


def test_png_other_itxt_keywords_ignored() -> None:
    png = tiny_png(itxt(b"openbadgecredentialX", b"no"), itxt(b"Comment", b"no"))
    with pytest.raises(InputError) as exc:
        baking.unbake(png)
    assert code_of(exc) == "not_baked"


@pytest.mark.parametrize(
    "extra",
    [
        itxt(b"openbadges", b'{"ob2": true}'),
        chunk(b"tEXt", b"openbadges\0https://example.org/assertion"),
    ],
)
def test_png_ob2_badge_reported(extra: bytes) -> None:
    with pytest.raises(InputError) as exc:
        baking.unbake(tiny_png(extra))
    assert code_of(exc) == "ob2_baked_badge"


def test_png_ob3_wins_over_ob2() -> None:
    png = tiny_png(itxt(b"openbadges", b"ob2"), itxt(b"openbadgecredential", b"ob3"))
    assert baking.unbake(png) == "ob3"


def test_png_not_baked() -> None:
    with pytest.raises(InputError) as exc:
        baking.unbake(tiny_png())
    assert code_of(exc) == "not_baked"


def test_png_bad_utf8_refused() -> None:
    with pytest.raises(InputError) as exc:
        baking.unbake(tiny_png(itxt(b"openbadgecredential", b"\xff\xfe")))
    assert code_of(exc) == "malformed_image"


def _bad_crc(png: bytes) -> bytes:
    return png[:-5] + bytes([png[-5] ^ 1]) + png[-4:]  # flip a bit in IEND's CRC


def _corrupt_idat_crc(png: bytes) -> bytes:
    at = png.index(b"IDAT") + 4
    return png[:at] + bytes([png[at] ^ 0xFF]) + png[at + 1 :]


def _length_past_eof(png: bytes) -> bytes:
    at = png.index(b"IDAT") - 4
    return png[:at] + struct.pack(">I", 10_000) + png[at + 4 :]


def _huge_length(png: bytes) -> bytes:
    at = png.index(b"IDAT") - 4
    return png[:at] + b"\xff\xff\xff\xff" + png[at + 4 :]


def _chunk_before_ihdr(png: bytes) -> bytes:
    return SIG + chunk(b"tEXt", b"a\0b") + png[8:]


def _two_ihdr(png: bytes) -> bytes:
    ihdr = png[8:33]
    return png[:33] + ihdr + png[33:]


def _short_ihdr(png: bytes) -> bytes:
    return SIG + chunk(b"IHDR", bytes(12)) + png[33:]


def _bad_type(png: bytes) -> bytes:
    return png[:33] + chunk(b"a1b2", b"") + png[33:]


def _no_idat(png: bytes) -> bytes:
    return SIG + png[8:33] + chunk(b"IEND", b"")


def _nonempty_iend(png: bytes) -> bytes:
    return png[:-12] + chunk(b"IEND", b"x")


@pytest.mark.parametrize(
    "mutate",
    [
        _bad_crc,
        _corrupt_idat_crc,
        _length_past_eof,
        _huge_length,
        lambda p: p[:-1],  # truncated inside IEND
        lambda p: p[:40],  # truncated inside a chunk
        lambda p: p[:-12],  # missing IEND
        lambda p: SIG,  # signature only
        _chunk_before_ihdr,
        _two_ihdr,
        _short_ihdr,
        _bad_type,
        _no_idat,
        _nonempty_iend,
    ],
)
def test_png_structure_errors(mutate: Callable[[bytes], bytes]) -> None:
    bad = mutate(baking.bake_png(tiny_png(), JWS))
    for call in (baking.unbake, lambda b: baking.bake_png(b, JWS)):
        with pytest.raises(InputError) as exc:
            call(bad)
        assert code_of(exc) == "malformed_image"


def test_png_trailing_bytes_after_iend_ignored_and_dropped() -> None:
    baked = baking.bake_png(tiny_png(), JWS)
    assert baking.unbake(baked + b"junk") == JWS
    assert baking.bake_png(baked + b"junk", JWS) == baked


def test_png_bad_signature() -> None:
    with pytest.raises(InputError) as exc:
        baking.bake_png(b"\x89PNG\r\n\x1a\x00" + tiny_png()[8:], JWS)
    assert code_of(exc) == "unsupported_image"


def test_png_size_cap() -> None:
    png = tiny_png()
    baking.unbake_png(baking.bake_png(png, JWS), max_bytes=200)
    for call in (
        lambda: baking.bake(png, JWS, max_bytes=50),
        lambda: baking.unbake(png, max_bytes=50),
    ):
        with pytest.raises(InputError) as exc:
            call()
        assert code_of(exc) == "image_too_large"


@pytest.mark.parametrize("image", [b"GIF89a\x01\x00", b"", b"<html/>", b"\xff\xfe<\x00s\x00"])
def test_bake_unsupported_image(image: bytes) -> None:
    with pytest.raises(InputError) as exc:
        baking.bake(image, JWS)
    assert code_of(exc) == "unsupported_image"
    with pytest.raises(InputError) as exc:
        baking.unbake(image)
    assert code_of(exc) == "unsupported_image"


@pytest.mark.parametrize("bad", ["", "  \n\t", "a\x00b", "a\x1bb", "\ufffe", "\ud800"])
def test_invalid_credential_text(bad: str) -> None:
    for image in (tiny_png(), SVG):
        with pytest.raises(InputError) as exc:
            baking.bake(image, bad)
        assert code_of(exc) == "invalid_credential_text"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from(["flip", "truncate", "insert"]),
)
def test_png_mutations_only_raise_input_error(data: st.DataObject, how: str) -> None:
    baked = bytearray(baking.bake_png(tiny_png(), JSON_CRED))
    at = data.draw(st.integers(0, len(baked) - 1))
    if how == "flip":
        baked[at] ^= data.draw(st.integers(1, 255))
    elif how == "truncate":
        del baked[at:]
    else:
        baked[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        baking.unbake(bytes(baked))
    except InputError:
        pass


# ---------------------------------------------------------------- SVG


@pytest.mark.parametrize("credential", [JSON_CRED, JWS])
def test_svg_round_trip(credential: str) -> None:
    baked = baking.bake_svg(SVG, credential)
    assert baking.unbake(baked) == credential
    assert baking.bake(SVG, credential) == baked
    assert baking.bake_svg(SVG.decode(), credential) == baked


def test_svg_jwt_goes_in_verify_attribute() -> None:
    baked = baking.bake_svg(SVG, JWS)
    expected = f'<openbadges:credential verify="{JWS}"></openbadges:credential>'
    root_end = SVG.index(b">\n  <circle") + 1
    assert baked.startswith(SVG[:56])  # XML declaration and comment untouched
    assert expected.encode() in baked
    assert baked.index(expected.encode()) == root_end + len(
        b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    )


def test_svg_json_goes_in_cdata() -> None:
    baked = baking.bake_svg(SVG, JSON_CRED)
    element = f"<openbadges:credential><![CDATA[{JSON_CRED}]]></openbadges:credential>"
    assert element.encode() in baked
    assert b"verify=" not in baked


def test_svg_bake_is_byte_level_insertion() -> None:
    baked = baking.bake_svg(SVG, JWS)
    element = f'<openbadges:credential verify="{JWS}"></openbadges:credential>'.encode()
    xmlns = f' xmlns:openbadges="{OB3_NS}"'.encode()
    assert baked.replace(element, b"").replace(xmlns, b"") == SVG


def test_svg_rebake_leaves_exactly_one_element() -> None:
    once = baking.bake_svg(SVG, JSON_CRED)
    twice = baking.bake_svg(once, JWS)
    assert twice == baking.bake_svg(SVG, JWS)
    assert twice.count(b"openbadges:credential") == 2  # start and end tag
    assert twice.count(b"xmlns:openbadges=") == 1
    assert baking.unbake(twice) == JWS


def test_svg_rebake_removes_every_existing_element_any_prefix() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="' + OB3_NS.encode() + b'">'
        b'<ob:credential verify="a.b.c"/>'
        b"<g><ob:credential><![CDATA[{}]]><ob:credential>nested</ob:credential></ob:credential></g>"
        b"</svg>"
    )
    assert baking.unbake(svg) == "a.b.c"
    baked = baking.bake_svg(svg, "x.y.z")
    assert baked.count(b"credential") == 2
    assert b"<g></g>" in baked
    assert baking.unbake(baked) == "x.y.z"


def test_svg_unbake_matches_namespace_not_prefix() -> None:
    fake = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:other">'
    fake += b'<openbadges:credential verify="a.b.c"/></svg>'
    with pytest.raises(InputError) as exc:
        baking.unbake(fake)
    assert code_of(exc) == "not_baked"
    with pytest.raises(InputError) as exc:
        baking.bake(fake, JWS)
    assert code_of(exc) == "unsupported_image"


def test_svg_first_element_wins() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="' + OB3_NS.encode() + b'">'
        b"<openbadges:credential> one </openbadges:credential>"
        b"<openbadges:credential>two</openbadges:credential></svg>"
    )
    assert baking.unbake(svg) == "one"


def test_svg_self_closing_root() -> None:
    svg = b"<svg:svg xmlns:svg='http://www.w3.org/2000/svg' width='1' />"
    baked = baking.bake_svg(svg, JSON_CRED)
    assert baked.endswith(b"]]></openbadges:credential></svg:svg>")
    assert baking.unbake(baked) == JSON_CRED


def test_svg_existing_namespace_declaration_reused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="' + OB3_NS.encode() + b'"/>'
    baked = baking.bake_svg(svg, JWS)
    assert baked.count(b"xmlns:openbadges") == 1


@pytest.mark.parametrize(
    "credential",
    [
        '{"a": "]]>"}',
        "]]>",
        "]]]]>>]]>",
        '{"a":\r\n "b"}',
        "a\rb",
        "x\r\r\ny",
        "<tag attr='&amp;'>",
        "tab\there",
    ],
)
def test_svg_cdata_edge_cases(credential: str) -> None:
    baked = baking.bake_svg(SVG, credential)
    assert baking.unbake(baked) == credential.strip(" \t\r\n")


def test_svg_billion_laughs_refused() -> None:
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n'
        + b"".join(
            b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>'
    )
    for call in (baking.unbake, lambda b: baking.bake(b, JWS)):
        with pytest.raises(InputError) as exc:
            call(lol)
        assert code_of(exc) == "unsafe_image"


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]>',
        b'<!DOCTYPE svg [<!ENTITY e "x">]>',
        b"<!DOCTYPE svg []>",
    ],
)
def test_svg_external_entities_and_internal_subsets_refused(doctype: bytes) -> None:
    svg = doctype + b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>'
    with pytest.raises(InputError) as exc:
        baking.unbake(svg)
    assert code_of(exc) == "unsafe_image"


def test_svg_undefined_entity_with_external_dtd_refused() -> None:
    svg = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>'
    )
    with pytest.raises(InputError) as exc:
        baking.unbake(svg)
    assert code_of(exc) == "unsafe_image"


def test_svg_ob2_badge_reported() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="a.b.c"/></svg>'
    )
    with pytest.raises(InputError) as exc:
        baking.unbake(svg)
    assert code_of(exc) == "ob2_baked_badge"


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (SVG, "not_baked"),
        (SVG.replace(b"</svg>", b""), "malformed_image"),
        (b"<svg><unclosed></svg>", "malformed_image"),
        (SVG.replace(b"UTF-8", b"ISO-8859-1"), "unsupported_image"),
        (b'<svg xmlns="urn:not-svg"/>', "unsupported_image"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>', "unsupported_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">\xff</svg>', "malformed_image"),
        (
            b"<svg xmlns:openbadges='" + OB3_NS.encode() + b"'><openbadges:credential/></svg>",
            "not_baked",
        ),
    ],
)
def test_svg_unbake_errors(svg: bytes, code: str) -> None:
    with pytest.raises(InputError) as exc:
        baking.unbake(svg)
    assert code_of(exc) == code


def _ten_mb_of_text_chunks() -> bytes:
    """The adversarial probe's PNG: about 690,000 empty-ish tEXt chunks in 10 MB."""
    one = chunk(b"tEXt", b"k\x00")
    return tiny_png(one * ((10 * 1024 * 1024 - 100) // len(one)))


def test_png_of_many_text_chunks_is_refused_quickly() -> None:
    import time

    png = _ten_mb_of_text_chunks()
    assert len(png) <= baking.DEFAULT_MAX_BYTES
    for call in (baking.unbake, lambda image: baking.bake(image, JWS)):
        started = time.perf_counter()
        with pytest.raises(InputError) as exc:
            call(png)
        assert code_of(exc) == "image_too_complex"
        assert "more than 1,000 text chunks" in str(exc.value)
        assert time.perf_counter() - started < 0.5


def test_png_chunk_count_is_capped_and_real_sizes_pass() -> None:
    idat = chunk(b"IDAT", b"")
    many = SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) \
        + idat * baking.MAX_PNG_CHUNKS + chunk(b"IEND", b"")
    with pytest.raises(InputError) as exc:
        baking.unbake(many)
    assert code_of(exc) == "image_too_complex" and "more than 10,000 chunks" in str(exc.value)
    texts = tiny_png(*[chunk(b"tEXt", b"Comment\x00x")] * 100)
    assert baking.unbake(baking.bake(texts, JWS)) == JWS


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 100_001 + b"</svg>",
    b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 257 + b"</g>" * 257 + b"</svg>",
])
def test_svg_of_too_many_or_too_deep_elements_is_refused(svg: bytes) -> None:
    import time

    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        baking.unbake(svg)
    assert code_of(exc) == "image_too_complex"
    assert time.perf_counter() - started < 0.5
    fine = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100 + b"</g>" * 100 + b"</svg>"
    assert baking.unbake(baking.bake(fine, JWS)) == JWS


def test_svg_size_cap() -> None:
    with pytest.raises(InputError) as exc:
        baking.bake_svg(SVG, JWS, max_bytes=len(SVG) - 1)
    assert code_of(exc) == "image_too_large"


# ---------------------------------------------------------------- properties

XML_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]).filter(
        lambda c: c in "\t\n\r" or ("\x20" <= c and c not in "\ufffe\uffff")
    ),
    min_size=1,
).filter(lambda s: s.strip(" \t\r\n") != "")
TRICKY = st.lists(
    st.sampled_from(["]]>", "\r", "\r\n", "]]", "<![CDATA[", "&", "<", '"', "{", "x"])
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(XML_TEXT, TRICKY.map("".join).filter(lambda s: s.strip(" \t\r\n") != "")))
def test_round_trip_arbitrary_text(credential: str) -> None:
    expected = credential.strip(" \t\r\n")
    assert baking.unbake(baking.bake(SVG, credential)) == expected
    assert baking.unbake(baking.bake(tiny_png(), credential)) == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True), min_size=3, max_size=3))
def test_round_trip_jws_shape(parts: list[str]) -> None:
    jws = ".".join(parts)
    baked = baking.bake_svg(SVG, jws)
    assert f'verify="{jws}"'.encode() in baked
    assert baking.unbake(baked) == jws


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_svg_mutations_only_raise_input_error(data: st.DataObject) -> None:
    baked = bytearray(baking.bake_svg(SVG, JSON_CRED))
    at = data.draw(st.integers(0, len(baked) - 1))
    baked[at : at + 1] = data.draw(
        st.sampled_from([b"", b"<", b">", b"&", b'"', b"]]>", b"\xff", b"/"])
    )
    try:
        baking.unbake(bytes(baked))
    except InputError:
        pass
