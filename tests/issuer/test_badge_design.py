"""Designed and generated badge art: readable at 64 px, described truthfully (issue #17)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from issuer import badge_art
from issuer import badge_design
from issuer.badge_design import Design

NAMES = ("Digital Literacy", "Blended Learning Design", "Classroom Technology Integration",
         "Mentoring Colleagues", "Data-Informed Instruction and Assessment for Teachers",
         "Coach", "Supercalifragilistic Pedagogy", "A B C D E F G H")
_TEXT = re.compile(r'<text x="128" y="([0-9.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</text>')


@pytest.mark.parametrize("shape", sorted(badge_design.SHAPES))
def test_the_words_are_large_enough_for_64_px_and_fit_the_shape(shape: str) -> None:
    measure = badge_design._measure()
    for name in NAMES:
        for icon in ("", "laptop"):
            svg = badge_design.draw(name, "lakeside", Design(shape=shape, icon=icon)).decode()
            lines = _TEXT.findall(svg)
            assert 1 <= len(lines) <= badge_design.MAX_LINES, (name, svg)
            for y, size, text in lines:
                # at least 8.5 px high when the whole badge is 64 px wide
                assert int(size) * 64 / 256 >= 8.5, (name, shape, text, size)
                assert measure(text) * int(size) <= badge_design._ROOM[shape], (name, text)
                assert 40 <= float(y) <= 236, (name, shape, y)
            # every significant word is shown, or the initials are
            shown = " ".join(t for _, _, t in lines)
            kept = [w for w in name.split() if w.lower() not in ("a", "and", "for")]
            if len(lines) == 1 and int(lines[0][1]) > 40:
                assert shown == "".join(w[0] for w in kept)[:4].upper(), (name, shown)
            else:
                assert shown.split() == kept, (name, shown)


def test_drawn_at_64_px_the_letters_show_in_white_inside_the_shape() -> None:
    svg = badge_design.draw("Mentoring Colleagues", "lakeside", Design(shape="hexagon"))
    from cairosvg import svg2png

    small = svg2png(bytestring=svg, output_width=64)
    without_words = svg2png(bytestring=re.sub(rb"<text\b.*?</text>", b"", svg), output_width=64)
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(without_words)) as b:
        changed = [(x, y) for y in range(64) for x in range(64)
                   if a.convert("RGB").getpixel((x, y)) != b.convert("RGB").getpixel((x, y))]
    assert len(changed) > 150  # the words are drawn, not a speck
    # all of them inside the hexagon's inner border (x 8..56 of 64)
    assert all(9 <= x <= 55 for x, _ in changed), sorted({x for x, _ in changed})


def test_the_alt_text_says_what_is_drawn() -> None:
    design = Design(shape="shield", colour="teal", icon="laptop", words="Tech Coach")
    svg = badge_design.draw("Classroom Technology Integration", "lakeside", design)
    alt = badge_design.alt_text("Classroom Technology Integration", "lakeside", design)
    assert alt == ("Classroom Technology Integration badge: a teal shield with a white border, "
                   "a white laptop and the words “Tech Coach”")
    assert f"<title>{alt}</title>".encode() in svg
    assert b'fill="#00697c"' in svg and b"M1 35 H47 L42 43 H6 Z" in svg
    assert b">Tech</text>" in svg and b">Coach</text>" in svg  # a word a line, larger
    initials = badge_design.alt_text("Classroom Technology Integration", "lakeside")
    assert initials.endswith("a white ring and the letters “CTI”")
    # the district's own colour by default
    colour_name, colour = badge_art.colour_for("lakeside")
    assert f"a {colour_name} circle" in initials
    assert f'fill="{colour}"'.encode() in badge_design.draw("Coach", "lakeside")


@pytest.mark.parametrize(("design", "message"), [
    (Design(shape="star"), "shape 'star' is not one of medallion, shield, hexagon, tile"),
    (Design(icon="skull"), "icon 'skull' is not one of"),
    (Design(colour="#ff0000"), "not one of the district palette's"),
    (Design(words="x" * 61), "at most 60 characters"),
])
def test_unknown_choices_are_refused(design: Design, message: str) -> None:
    with pytest.raises(badge_art.BadgeArtError, match=re.escape(message)):
        badge_design.draw("Coach", "lakeside", design)


def test_every_design_passes_the_upload_checks() -> None:
    shapes = list(badge_design.SHAPES) * 2
    icons = ["", *badge_design.ICONS, ""]
    for shape, icon in zip(shapes, icons, strict=True):  # every shape and every icon
        design = Design(shape=shape, icon=icon)
        svg = badge_design.draw("Blended Learning Design", "x", design)
        alt = badge_design.alt_text("Blended Learning Design", "x", design)
        art = badge_art.from_upload(svg, alt)
        assert art.source == "image/svg+xml" and art.alt == alt
        # the sanitizer keeps the drawing: the same pixels as the design itself
        with Image.open(io.BytesIO(art.png)) as drawn, \
                Image.open(io.BytesIO(badge_art.render_png(svg))) as direct:
            assert drawn.convert("RGB").tobytes() == direct.convert("RGB").tobytes()
