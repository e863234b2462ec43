"""Small PDFs with an attached credential (ISO 32000 §7.11.4 embedded files, PDF/A-3 ``/AF``)."""

from __future__ import annotations

import zlib


def pdf_with_attachment(data: bytes, *, name: str = "credential.json",
                        mime: bytes = b"application#2Fld+json", compress: bool = False) -> bytes:
    """A one-page PDF carrying ``data`` as an associated embedded file."""
    stream = zlib.compress(data, 9) if compress else data
    flate = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [("
        + name.encode() + b") 4 0 R] >> >> /AF [4 0 R] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Type /Filespec /F (" + name.encode() + b") /UF (" + name.encode()
        + b") /AFRelationship /Data /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Subtype /" + mime + b" " + flate + b"/Length "
        + str(len(stream)).encode() + b" /Params << /Size " + str(len(data)).encode()
        + b" >> >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


def pdf_bomb(megabytes: int = 256) -> bytes:
    """A PDF whose attached "credential" inflates to ``megabytes`` MB of zeros."""
    stream = zlib.compressobj(9)
    block = b"\x00" * (1024 * 1024)
    packed = b"".join(stream.compress(block) for _ in range(megabytes)) + stream.flush()
    pdf = pdf_with_attachment(b"", compress=False)
    # swap the empty stream for the bomb, declared FlateDecode
    head, _, tail = pdf.partition(b"/Length 0 /Params << /Size 0 >> >>\nstream\n\nendstream")
    body = (b"/Filter /FlateDecode /Length " + str(len(packed)).encode()
            + b" >>\nstream\n" + packed + b"\nendstream")
    return _reindex(head + body + tail.split(b"xref\n", 1)[0])


def _reindex(pdf_without_xref: bytes) -> bytes:
    import re

    out = bytearray(pdf_without_xref)
    offsets = [m.start() for m in re.finditer(rb"(?m)^\d+ 0 obj\n", out)]
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)
