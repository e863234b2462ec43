"""A strict N-Quads reader for the W3C rdf-canon test inputs (RDF 1.1 N-Quads grammar).

Written for the tests, so the canonicalizer is fed by something that is not
PyLD: every term comes back in the form :data:`badges.rdfc.Quad` expects, an
already-serialized *canonical* N-Quads term (RDFC-1.0 Appendix A): IRIs with
their ``\\u``/``\\U`` escapes decoded, literals re-escaped with
:func:`badges.rdfc.escape_literal`, ``xsd:string`` left implicit. Anything the
grammar does not allow raises :class:`NQuadsSyntaxError` naming the line.
"""

from __future__ import annotations

import re

from badges.rdfc import Quad
from badges.rdfc import escape_literal

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# N-Quads productions [7] IRIREF, [8] STRING_LITERAL_QUOTE, [141s] BLANK_NODE_LABEL,
# [144s] LANGTAG, [153s] ECHAR, [10] UCHAR (RDF 1.1 N-Quads §5).
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRIREF = re.compile(r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>")
_STRING = re.compile(r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"')
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_:"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_BLANK = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_SPACE = re.compile(r"[ \t]*")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
           "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")


class NQuadsSyntaxError(ValueError):
    """The text is not N-Quads."""


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        short, long, char = match.groups()
        if char is not None:
            return _ECHARS[char]
        return chr(int(short or long, 16))

    return _ESCAPE.sub(replace, text)


class _Line:
    def __init__(self, text: str, number: int) -> None:
        self.text = text
        self.pos = 0
        self.number = number

    def fail(self, what: str) -> NQuadsSyntaxError:
        return NQuadsSyntaxError(f"line {self.number}: expected {what} at column "
                                 f"{self.pos + 1}: {self.text!r}")

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        assert match is not None  # [ \t]* always matches
        self.pos = match.end()

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
        return match

    def iri(self) -> str | None:
        match = self.take(_IRIREF)
        return None if match is None else f"<{_unescape(match.group(1))}>"

    def blank(self) -> str | None:
        match = self.take(_BLANK)
        return None if match is None else match.group()

    def literal(self) -> str | None:
        match = self.take(_STRING)
        if match is None:
            return None
        value = escape_literal(_unescape(match.group(1)))
        if self.text.startswith("^^", self.pos):
            self.pos += 2
            datatype = self.iri()
            if datatype is None:
                raise self.fail("a datatype IRI")
            return f'"{value}"' if datatype == f"<{_XSD_STRING}>" else f'"{value}"^^{datatype}'
        language = self.take(_LANGTAG)
        return f'"{value}"{language.group()}' if language else f'"{value}"'


def parse_nquads(text: str) -> list[Quad]:
    """Read an N-Quads document into quads (duplicates kept, in document order).

    Args:
        text: the document (UTF-8 decoded).

    Returns:
        One ``(subject, predicate, object, graph)`` per statement; the graph
        is ``""`` for the default graph.

    Raises:
        NQuadsSyntaxError: the text does not follow the N-Quads grammar.
    """
    quads: list[Quad] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), 1):
        line = _Line(raw, number)
        line.skip_space()
        if line.pos == len(raw) or raw[line.pos] == "#":
            continue
        subject = line.iri() or line.blank()
        if subject is None:
            raise line.fail("an IRI or blank node subject")
        line.skip_space()
        predicate = line.iri()
        if predicate is None:
            raise line.fail("an IRI predicate")
        line.skip_space()
        obj = line.iri() or line.blank() or line.literal()
        if obj is None:
            raise line.fail("an object")
        line.skip_space()
        graph = line.iri() or line.blank() or ""
        line.skip_space()
        if not raw.startswith(".", line.pos):
            raise line.fail("'.'")
        line.pos += 1
        line.skip_space()
        if line.pos < len(raw) and raw[line.pos] != "#":
            raise line.fail("the end of the line")
        quads.append((subject, predicate, obj, graph))
    return quads
