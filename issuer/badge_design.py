"""Designed badge art: a few district-branded templates drawn as SVG (issue #17).

A design is a shape (medallion, shield, hexagon, tile), a colour from the
district palette (:data:`issuer.badge_art.PALETTE`, every one at least 4.5:1
against white), an optional white icon and the badge's words. The generated
default art is the medallion in the issuer's colour with no icon; the
in-browser designer previews and saves the same drawing, so what an admin
sees is what every output shows.

Readable at 64 px and on print: the words are the name's significant words,
at most three lines of at most :data:`MAX_LINE` characters, drawn at least
:data:`MIN_FONT` units high in a 256-unit box (8.5 px at 64 px, bold); a name that
does not fit is shown as its initials, large. The full name is in the
alternative text, which says what the picture shows (shape, colour, icon,
the words), OB 3.0 §B.1.1 ``Image.caption``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from issuer.badge_art import PALETTE
from issuer.badge_art import SVG_NS
from issuer.badge_art import BadgeArtError
from issuer.badge_art import check_alt
from issuer.badge_art import colour_for

#: Longest line of words on a badge, in characters.
MAX_LINE = 10
#: Most lines of words.
MAX_LINES = 3
#: Smallest font size in the 256-unit box: 8.5 px (bold) when the badge is shown 64 px wide.
MIN_FONT = 34
#: Width the words may take in each shape (256-unit box).
_ROOM = {"medallion": 188, "hexagon": 188, "tile": 196, "shield": 176}
FONT = "DejaVu Sans, Verdana, sans-serif"
WHITE = "#fff"

_STOP = frozenset(("a", "an", "and", "the", "of", "for", "in", "on", "with", "to", "&", "+"))

#: Shapes: (what the alt text calls it, the SVG drawing it).
SHAPES: dict[str, tuple[str, str]] = {
    "medallion": ("circle with a white ring",
                  '<circle cx="128" cy="128" r="124" fill="{c}"/>'
                  '<circle cx="128" cy="128" r="110" fill="none" stroke="#fff" '
                  'stroke-width="6"/>'),
    "shield": ("shield with a white border",
               '<path d="M128 4 L240 38 V118 C240 188 192 230 128 252 C64 230 16 188 16 118 '
               'V38 Z" fill="{c}"/>'
               '<path d="M128 20 L226 49 V118 C226 178 184 215 128 236 C72 215 30 178 30 118 '
               'V49 Z" fill="none" stroke="#fff" stroke-width="5"/>'),
    "hexagon": ("hexagon with a white border",
                '<polygon points="128,2 237,65 237,191 128,254 19,191 19,65" fill="{c}"/>'
                '<polygon points="128,18 223,73 223,183 128,238 33,183 33,73" fill="none" '
                'stroke="#fff" stroke-width="5"/>'),
    "tile": ("rounded square with a white border",
             '<rect x="4" y="4" width="248" height="248" rx="40" fill="{c}"/>'
             '<rect x="17" y="17" width="222" height="222" rx="30" fill="none" stroke="#fff" '
             'stroke-width="5"/>'),
}

#: Icons, drawn white in a 48-unit box: (what the alt text calls it, the SVG).
ICONS: dict[str, tuple[str, str]] = {
    "star": ("star", '<polygon points="24,2 30,17 46,18 34,29 38,45 24,36 10,45 14,29 2,18 '
                     '18,17" fill="#fff"/>'),
    "check": ("check mark", '<path d="M6 26 L19 39 L43 10" fill="none" stroke="#fff" '
                            'stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>'),
    "book": ("open book", '<path d="M3 10 Q13 5 23 11 V43 Q13 37 3 42 Z M25 11 Q35 5 45 10 V42 '
                          'Q35 37 25 43 Z" fill="#fff"/>'),
    "bulb": ("light bulb", '<circle cx="24" cy="18" r="15" fill="#fff"/><rect x="16" y="31" '
                           'width="16" height="8" fill="#fff"/><rect x="18" y="41" width="12" '
                           'height="5" rx="2" fill="#fff"/>'),
    "laptop": ("laptop", '<rect x="8" y="7" width="32" height="23" rx="2" fill="none" '
                         'stroke="#fff" stroke-width="5"/><path d="M1 35 H47 L42 43 H6 Z" '
                         'fill="#fff"/>'),
    "people": ("two people", '<circle cx="16" cy="13" r="8" fill="#fff"/><circle cx="33" '
                             'cy="13" r="8" fill="#fff"/><path d="M2 44 Q2 25 16 25 Q30 25 30 '
                             '44 Z M19 44 Q21 25 33 25 Q46 25 46 44 Z" fill="#fff"/>'),
}


@dataclass(frozen=True)
class Design:
    """What the designer chose. ``words`` empty: the achievement's name."""

    shape: str = "medallion"
    colour: str = ""
    icon: str = ""
    words: str = ""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=1)
def _measure() -> Callable[[str], float]:
    """Width of a line in ems of DejaVu Sans Bold (what CairoSVG draws with)."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 100)
    except OSError:  # no DejaVu: a wide average, so the estimate errs on the safe side
        return lambda line: len(line) * 0.72
    return lambda line: float(font.getlength(line)) / 100


def fit_words(text: str, shape: str = "medallion") -> tuple[list[str], int]:
    """The lines drawn for ``text`` and their font size (in the 256-unit box).

    The significant words (no "and", "of", "the"...) in at most
    :data:`MAX_LINES` lines of :data:`MAX_LINE` characters (short words
    sharing a line, or a word a line, whichever is drawn larger), as large as
    the shape's width allows up to 40; when that is under :data:`MIN_FONT`,
    the initials of at most four words instead, larger.
    """
    words = text.split()
    kept = [w for w in words if w.lower() not in _STOP] or words or ["?"]
    joined: list[str] = []
    for word in kept:
        if joined and len(joined[-1]) + 1 + len(word) <= MAX_LINE:
            joined[-1] += " " + word
        else:
            joined.append(word)
    room = _ROOM.get(shape, 176)
    best: tuple[list[str], int] | None = None
    for lines in (joined, kept):  # short words shared on a line, or a word a line
        if len(lines) > MAX_LINES or any(len(line) > MAX_LINE for line in lines):
            continue
        widest = max(_measure()(line) for line in lines)
        font = min(40 if len(lines) <= 2 else 34, int(room / widest))
        if font >= MIN_FONT and (best is None or font > best[1]):
            best = (lines, font)
    if best is not None:
        return best
    initials = "".join(w[0] for w in kept if w[0].isalnum())[:4].upper() or kept[0][:4]
    return [initials], min(72, int(room / max(_measure()(initials), 0.1)))


def _colour(design: Design, seed: str) -> tuple[str, str]:
    if not design.colour:
        return colour_for(seed)
    for name, value in PALETTE:
        if design.colour in (name, value):
            return name, value
    raise BadgeArtError(f"colour {design.colour[:20]!r} is not one of the district palette's "
                        "(" + ", ".join(n for n, _ in PALETTE) + ")")


def check(design: Design) -> None:
    """Refuse an unknown shape or icon (the colour is checked when drawn).

    Raises:
        BadgeArtError: naming the field and the choices.
    """
    if design.shape not in SHAPES:
        raise BadgeArtError(f"shape {design.shape[:20]!r} is not one of "
                            + ", ".join(SHAPES))
    if design.icon and design.icon not in ICONS:
        raise BadgeArtError(f"icon {design.icon[:20]!r} is not one of " + ", ".join(ICONS))
    if len(design.words) > 60:
        raise BadgeArtError("the words on the badge may be at most 60 characters")


def alt_text(name: str, seed: str, design: Design = Design()) -> str:
    """What the drawing shows, in words (its alternative text)."""
    check(design)
    colour = _colour(design, seed)[0]
    lines, font = fit_words(design.words or name, design.shape)
    what = "the letters" if len(lines) == 1 and font > 40 else "the words"
    icon = f", a white {ICONS[design.icon][0]} and" if design.icon else " and"
    return check_alt(f"{name} badge: a {colour} {SHAPES[design.shape][0]}{icon} {what} "
                     f"“{' '.join(lines)}”"[:300])


def draw(name: str, seed: str, design: Design = Design()) -> bytes:
    """The design as SVG (256 × 256), titled with its alternative text.

    Raises:
        BadgeArtError: an unknown shape, colour or icon.
    """
    check(design)
    colour = _colour(design, seed)[1]
    lines, font = fit_words(design.words or name, design.shape)
    step = round(font * 1.12)
    icon_h = 48 + 10 if design.icon else 0
    height = icon_h + step * (len(lines) - 1) + font
    top = (134 if design.shape != "shield" else 124) - height / 2
    parts = [SHAPES[design.shape][1].format(c=colour)]
    if design.icon:
        parts.append(f'<g transform="translate(104 {top:g})">{ICONS[design.icon][1]}</g>')
    baseline = top + icon_h + font * 0.8
    for i, line in enumerate(lines):
        parts.append(f'<text x="128" y="{baseline + i * step:g}" text-anchor="middle" '
                     f'font-family="{FONT}" font-size="{font}" font-weight="bold" '
                     f'fill="{WHITE}">{_escape(line)}</text>')
    return (f'<svg xmlns="{SVG_NS}" width="256" height="256" viewBox="0 0 256 256" '
            f'role="img"><title>{_escape(alt_text(name, seed, design))}</title>'
            + "".join(parts) + "</svg>").encode()
