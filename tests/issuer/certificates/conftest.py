"""Certificates: signed credentials to certify, and real tools to read the PDFs back.

Nothing here is mocked: credentials are signed with the core (``did:key``, so
they verify offline), PDFs are rasterized with poppler's ``pdftoppm``, QR codes
are decoded with zxing-cpp, and the text layer is read with poppler's
``pdftotext`` (an independent reader: the verifier itself uses pypdf).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from badges import dataintegrity
from badges import keys
from badges.jwt import sign_jwt
from issuer.certificates.content import Alignment
from issuer.certificates.content import Certificate
from issuer.certificates.content import Signatory
from issuer.certificates.render import Renderer
from issuer.certificates.service import medallion_svg

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "certificates"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
URL = "https://badges.lakeside.example.org/c/Zm9yLXRoZS1zaGFyZS1wYWdlLW9ubHk"

if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:  # pragma: no cover
    raise RuntimeError("poppler-utils (pdftoppm, pdftotext) is needed: run scripts/setup --dev")


def unsigned(*, cred_id: str, issuer: str, name: str = "María López",
             achievement: str = "Blended Learning Design") -> dict[str, Any]:
    """An OB 3.0 credential shaped like the service's (name identifier, micro-credential)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": cred_id, "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Lakeside Unified School District"},
        "validFrom": "2026-11-23T12:00:00Z", "name": achievement,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name",
                            "hashed": False, "identityHash": name}],
            "achievement": {
                "id": "https://badges.lakeside.example.org/achievements/bld",
                "type": ["Achievement"], "achievementType": "MicroCredential",
                "name": achievement,
                "description": "Designs a unit that blends online and face-to-face learning.",
                "criteria": {"narrative": "Unit plan, two recordings and a reflection."}}},
    }


class Signed:
    """A credential signed with a fresh did:key (verifies offline)."""

    def __init__(self, fmt: str = "di", *, number: int = 1, **fields: Any) -> None:
        pair = keys.generate("ed25519" if fmt == "di" else "p256")
        self.id = f"urn:uuid:3f1c2a9e-8b7d-4c21-9a55-{number:012d}"
        self.json = unsigned(cred_id=self.id, issuer=pair.controller, **fields)
        self.format = fmt
        if fmt == "di":
            self.text = json.dumps(dataintegrity.sign_credential(
                self.json, key=pair, created="2026-11-23T12:00:00Z"), indent=2)
        else:
            self.text = sign_jwt(self.json, key=pair)


def certificate(signed: Signed, **overrides: Any) -> Certificate:
    """The certificate of ``signed``, as the service would fill it in."""
    subject = signed.json["credentialSubject"]
    values: dict[str, Any] = {
        "credential_id": signed.id, "credential": signed.text,
        "credential_format": signed.format, "verification_url": URL,
        "recipient_name": subject["identifier"][0]["identityHash"],
        "achievement_name": subject["achievement"]["name"],
        "achievement_description": "Designs a unit that blends online and face-to-face "
                                   "learning, with a rubric-scored unit plan, two classroom "
                                   "recordings and a written reflection.",
        "issuer_name": "Lakeside Unified School District",
        "issued_on": date(2026, 11, 23), "expires_on": date(2029, 11, 23),
        "alignments": (Alignment(name="2.5.a Designer", framework="ISTE Standards for "
                                 "Educators", url="https://iste.org/standards"),
                       Alignment(name="Standard 4: Planning Instruction",
                                 framework="California Standards for the Teaching "
                                           "Profession")),
        "signatory": Signatory(name="Dr. Angela Reyes",
                               title="Director of Professional Learning"),
        "badge_image": medallion_svg("#1f5a96"),
        "badge_type": "image/svg+xml", "badge_alt": "Blended Learning Design badge",
        "colour": "#1f5a96",
    }
    values.update(overrides)
    return Certificate(**values)


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    """One renderer for the session, as a worker process keeps one."""
    return Renderer()


def rasterize(pdf: bytes, *, dpi: int = 110) -> bytes:
    """The first page as PNG, by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source),
                        str(Path(tmp) / "page")], check=True, timeout=60)
        return (Path(tmp) / "page.png").read_bytes()


def page_count_and_size(pdf: bytes) -> tuple[int, str]:
    """Pages and page size (points) as poppler's pdfinfo reports them."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        out = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True,
                             text=True, timeout=60).stdout
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return int(info["Pages"].strip()), info["Page size"].strip()


def text_layer(pdf: bytes) -> str:
    """The text layer, by poppler's pdftotext."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True,
                              capture_output=True, timeout=60).stdout.decode("utf-8")


def decode_qr(png: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in a page image."""
    import io

    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


def save_artifact(name: str, png: bytes) -> Path:
    """Keep a page image for people to look at (artifacts/ is not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(png)
    return path


def tamper(document: bytes, *, data: bytes | None = None, compressed: bytes | None = None,
           keywords: str | None = None, extra: bytes | None = None,
           password: str | None = None) -> bytes:
    """What someone holding a certificate could do to it, with pypdf.

    Args:
        document: the certificate.
        data: new content for the embedded credential.
        compressed: new raw FlateDecode data for it (a decompression bomb).
        keywords: new document keywords.
        extra: a second credential to attach.
        password: encrypt the result.
    """
    import io

    from pypdf import PdfReader
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    spec = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    stream = spec["/EF"]["/F"].get_object()
    if data is not None:
        stream.set_data(data)
    if compressed is not None:
        stream._data = compressed
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    if keywords is not None:
        writer.add_metadata({"/Keywords": keywords})
    if extra is not None:
        writer.add_attachment("other.json", extra)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
