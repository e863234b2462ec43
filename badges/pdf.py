"""Reading a PDF certificate: the credential embedded in it, and what its page shows.

A certificate PDF carries its signed credential as an embedded file (ISO
32000-1 §7.11.4; an *associated file* with relationship ``Source`` in PDF/A-3,
ISO 19005-3 §6.8), so the PDF itself can be verified: this module finds that
file, and reads what the PDF *claims* about it (the credential id in the
document keywords, ISO 32000-1 §14.3.3) and what its page *shows* (the text
layer), so :func:`check_binding` can tell a certificate whose attachment was
swapped for another credential from a genuine one.

Everything is bounded: the input size, every stream's declared and decoded
size and decoding work (pypdf's configuration, applied per call), the number
of attachments and pages read, the name-tree depth. The attachment itself is
inflated here with an explicit output cap, so a decompression bomb stops at
the cap. Encrypted PDFs are refused. No file, network or clock is touched.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges.errors import InputError

#: Largest PDF read.
MAX_PDF_BYTES = 10 * 1024 * 1024
#: Largest embedded file extracted (the same cap as a JSON or JWT credential).
MAX_EMBEDDED_BYTES = 2 * 1024 * 1024
#: Most embedded files looked at.
MAX_ATTACHMENTS = 16
#: Pages whose text is read (a certificate has one).
MAX_TEXT_PAGES = 2
#: Longest text layer kept.
MAX_TEXT_CHARS = 64 * 1024
#: Deepest name tree walked.
MAX_NAME_TREE_DEPTH = 8

#: Media types of an embedded credential (VC-JOSE-COSE §6; VCDM 2.0 §C).
CREDENTIAL_MEDIA_TYPES = frozenset({"application/vc+ld+json", "application/vc",
                                    "application/vc+jwt", "application/vc+ld+jwt",
                                    "application/json", "application/ld+json",
                                    "application/jwt"})

_LIMITS: Mapping[str, Any] = {
    "maximum_declared_stream_length": MAX_PDF_BYTES,
    "array_based_stream_maximum_output_length": 8 * 1024 * 1024,
    "array_maximum_element_count": 100_000,
    "dictionary_maximum_element_count": 10_000,
    "jbig2_maximum_output_length": 1024 * 1024,
    "lzw_maximum_output_length": 8 * 1024 * 1024,
    "run_length_maximum_output_length": 8 * 1024 * 1024,
    "zlib_maximum_output_length": 8 * 1024 * 1024,
    "zlib_maximum_recovery_input_length": 1024 * 1024,
    "brotli_maximum_output_length": 8 * 1024 * 1024,
    "image_maximum_buffer_size": 8 * 1024 * 1024,
    "stream_filters_maximum_length": 4,
    "stream_decoding_work_maximum_length": 32 * 1024 * 1024,
    "stream_parsing_work_maximum_count": 500_000,
    "xmp_maximum_input_length": 1024 * 1024,
    "xmp_maximum_element_count": 10_000,
    "outline_maximum_entries": 1_000,
    "outline_maximum_depth": 20,
    "page_tree_maximum_entries": 1_000,
    "page_tree_maximum_depth": 20,
    "page_tree_maximum_page_entries": 10_000,
    "form_fields_maximum_entries": 1_000,
    "form_fields_maximum_depth": 20,
    "named_destinations_maximum_entries": 1_000,
    "named_destinations_maximum_depth": 20,
    "xform_maximum_invocations_per_extraction": 50,
    "xfa_decoding_work_maximum_length": 1024 * 1024,
    "jbig2dec_binary": None,
    "disable_legacy_handling": True,
}


@dataclass(frozen=True, slots=True)
class EmbeddedFile:
    """A file embedded in a PDF.

    Attributes:
        name: its file name (``/UF`` or ``/F``).
        media_type: its ``/Subtype`` (``application/vc+ld+json``...), if given.
        relationship: its PDF/A-3 ``/AFRelationship`` (``Source``...), if given.
        data: its content, inflated (at most :data:`MAX_EMBEDDED_BYTES`).
    """

    name: str
    media_type: str | None
    relationship: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class PdfDocument:
    """What a PDF holds that matters for verification.

    Attributes:
        attachments: its embedded files.
        keywords: the document keywords (Info ``/Keywords``).
        text: the text layer of its first pages.
    """

    attachments: tuple[EmbeddedFile, ...]
    keywords: str
    text: str


def is_pdf(data: bytes) -> bool:
    """True when ``data`` starts like a PDF file (``%PDF-``, ISO 32000-1 §7.5.2)."""
    return data[:1024].lstrip(b"\x00\t\n\f\r \xef\xbb\xbf").startswith(b"%PDF-")


def read_pdf(data: bytes, *, with_text: bool = True) -> PdfDocument:
    """Read a PDF's embedded files, keywords and (optionally) text, all bounded.

    Args:
        data: the PDF file.
        with_text: also read the text layer of the first pages.

    Returns:
        The attachments, keywords and text.

    Raises:
        InputError: ``input_too_large``, ``encrypted_pdf`` or ``unreadable_pdf``.
    """
    if len(data) > MAX_PDF_BYTES:
        raise InputError(f"PDF is larger than {MAX_PDF_BYTES} bytes", code="input_too_large")
    if not is_pdf(data):
        raise InputError("input is not a PDF file", code="unreadable_pdf")
    from pypdf import PdfReader
    from pypdf import apply_configuration

    try:
        with apply_configuration(**_LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False,
                               xref_stream_maximum_entries=100_000)
            if reader.is_encrypted:
                raise InputError("encrypted PDFs are not read", code="encrypted_pdf")
            catalog = reader.trailer["/Root"]
            attachments = tuple(_attachments(catalog))
            keywords = _keywords(reader)
            text = _text(reader) if with_text else ""
    except InputError:
        raise
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - pypdf raises many kinds
        raise InputError(f"the PDF could not be read ({type(exc).__name__})",
                         code="unreadable_pdf") from None
    return PdfDocument(attachments, keywords, text)


def _filespecs(catalog: Any) -> Iterator[Any]:
    """File specifications from the EmbeddedFiles name tree and the catalog's /AF."""
    names = catalog.get("/Names")
    tree = names.get("/EmbeddedFiles") if names is not None else None
    if tree is not None:
        yield from _name_tree(tree.get_object(), 0)
    yield from catalog.get("/AF") or []


def _name_tree(node: Any, depth: int) -> Iterator[Any]:
    if depth > MAX_NAME_TREE_DEPTH:
        raise InputError("the PDF's attachment list is nested too deeply", code="unreadable_pdf")
    pairs = node.get("/Names") or []
    yield from (pairs[i] for i in range(1, min(len(pairs), 2 * MAX_ATTACHMENTS + 1), 2))
    for kid in (node.get("/Kids") or [])[:MAX_ATTACHMENTS]:
        yield from _name_tree(kid.get_object(), depth + 1)


def _attachments(catalog: Any) -> Iterator[EmbeddedFile]:
    seen: set[tuple[int, int]] = set()
    count = 0
    for ref in _filespecs(catalog):
        key = (getattr(ref, "idnum", id(ref)), getattr(ref, "generation", 0))
        if key in seen:
            continue
        seen.add(key)
        count += 1
        if count > MAX_ATTACHMENTS:
            raise InputError(f"the PDF has more than {MAX_ATTACHMENTS} attachments",
                             code="unreadable_pdf")
        spec = ref.get_object()
        if not hasattr(spec, "get"):
            continue
        streams = spec.get("/EF")
        stream_ref = streams.get("/UF") or streams.get("/F") if streams is not None else None
        if stream_ref is None:
            continue
        stream = stream_ref.get_object()
        name = str(spec.get("/UF") or spec.get("/F") or "")[:255]
        subtype = stream.get("/Subtype")
        relationship = spec.get("/AFRelationship")
        yield EmbeddedFile(name=name,
                           media_type=str(subtype)[1:] if subtype is not None else None,
                           relationship=str(relationship)[1:] if relationship else None,
                           data=_stream_data(stream, name))


def _stream_data(stream: Any, name: str) -> bytes:
    """An embedded file's bytes, inflated here with an explicit cap."""
    raw = getattr(stream, "_data", None)
    if not isinstance(raw, bytes):
        raise InputError(f"attachment {name!r} is not a stream", code="unreadable_pdf")
    filters = stream.get("/Filter")
    if filters is not None and not isinstance(filters, str):
        filters = list(filters)
        if len(filters) > 1:
            raise InputError(f"attachment {name!r} uses several filters",
                             code="unreadable_pdf")
        filters = filters[0] if filters else None
    if filters is None:
        data = raw
    elif filters == "/FlateDecode" and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_EMBEDDED_BYTES + 1)
        except zlib.error:
            raise InputError(f"attachment {name!r} is corrupt", code="unreadable_pdf") from None
    else:
        raise InputError(f"attachment {name!r} uses an unsupported filter {filters}",
                         code="unreadable_pdf")
    if len(data) > MAX_EMBEDDED_BYTES:
        raise InputError(f"attachment {name!r} is larger than {MAX_EMBEDDED_BYTES} bytes",
                         code="input_too_large")
    return data


def _keywords(reader: Any) -> str:
    info = reader.trailer.get("/Info")
    if info is None:
        return ""
    value = info.get_object().get("/Keywords")
    return str(value)[:4096] if value is not None else ""


def _text(reader: Any) -> str:
    parts: list[str] = []
    for index, page in enumerate(reader.pages):
        if index >= MAX_TEXT_PAGES:
            break
        parts.append(page.extract_text() or "")
    return "\n".join(parts)[:MAX_TEXT_CHARS]


def credential_file(document: PdfDocument) -> EmbeddedFile:
    """The embedded file that holds a credential: JSON or a compact JWS.

    Attachments are looked at in order; those that are neither a JSON object
    nor three dot-separated segments are skipped (a certificate may carry other
    files). Two different credentials make the PDF ambiguous.

    Raises:
        InputError: ``no_credential_in_pdf`` or ``several_credentials_in_pdf``.
    """
    found: list[EmbeddedFile] = []
    for item in document.attachments:
        text = item.data.lstrip(b"\xef\xbb\xbf \t\r\n")
        looks_json = text.startswith(b"{")
        looks_jwt = text.count(b".") == 2 and re.fullmatch(
            rb"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*\s*", text) is not None
        if (looks_json or looks_jwt) and all(f.data != item.data for f in found):
            found.append(item)
    if not found:
        raise InputError("the PDF has no credential attached (a certificate carries its "
                         "signed credential as an embedded file)", code="no_credential_in_pdf")
    if len(found) > 1:
        raise InputError("the PDF has several credentials attached; it is not clear which one "
                         "it certifies", code="several_credentials_in_pdf")
    return found[0]


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _folded(text: str) -> str:
    """Text for comparison: NFKC (ligatures, no-break spaces), case-folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold().split())


def declared_ids(keywords: str) -> list[str]:
    """Credential ids a PDF declares in its keywords (``urn:…``, ``https://…``)."""
    return [k for k in (part.strip() for part in keywords.split(","))
            if k.startswith(("urn:", "https://", "http://", "did:"))]


#: A UUID URN as it appears in a page's folded text (no spaces, case-folded).
_UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _strings(value: Any, out: set[str]) -> set[str]:
    """Every string value in a JSON document."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.add(node)
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def shown_ids(text: str, credential: Mapping[str, Any]) -> list[str]:
    """Credential ids a page shows that the attached credential does not contain.

    A UUID URN printed on the page that appears nowhere in the credential
    (not as its id, nor as its achievement's or anything else's) can only be
    another credential's id.
    """
    mine = {_folded(s) for s in _strings(credential, set())}
    found = dict.fromkeys(_UUID_URN.findall(_folded(text)))
    return [u for u in found if u not in mine]


def check_binding(document: PdfDocument, credential: Mapping[str, Any]) -> None:
    """Check that the attached credential is the one the certificate shows.

    A certificate made by this project declares its credential id in the
    document keywords and prints it, with the recipient's name and the
    achievement's name, on the page. The page is compared with the attached
    credential whenever the PDF makes a claim about which credential it
    certifies, keywords or not:

    * the keywords declare an id: the attached credential must have it;
    * the keywords declare an id, or the page shows the attached credential's
      id: the page must show the id, the recipient's name and the
      achievement's name of the attached credential;
    * the page shows a credential id (a ``urn:uuid:``) that is not the
      attached credential's (nor anything else in it): the attachment was
      swapped, keywords or not.

    A PDF that shows no credential id and declares none (made elsewhere) is
    not judged here: the verification report shows whose credential it carries.

    Raises:
        InputError: ``certificate_mismatch``.
    """
    declared = declared_ids(document.keywords)
    cred_id = credential.get("id") or credential.get("jti")
    page = _folded(document.text)
    if not isinstance(cred_id, str):
        if declared or shown_ids(document.text, credential):
            raise InputError("the credential attached to this PDF has no id, but the "
                             "certificate names one: the attachment was replaced",
                             code="certificate_mismatch")
        return
    if declared and cred_id not in declared:
        raise InputError(
            f"the credential attached to this PDF ({cred_id[:100]}) is not the one the "
            f"certificate shows ({declared[0][:100]}): the attachment was replaced",
            code="certificate_mismatch")
    if not (declared or _folded(cred_id) in page):
        others = shown_ids(document.text, credential)
        if others:
            raise InputError(
                f"the certificate's page shows credential {others[0][:100]}, but the "
                f"credential attached to it is {cred_id[:100]}: the attachment was replaced",
                code="certificate_mismatch")
        return
    shown = [("credential id", cred_id), *_shown_names(credential)]
    missing = [label for label, value in shown if _folded(value) not in page]
    if missing:
        raise InputError(
            f"the certificate's page does not show the {' and the '.join(missing)} of the "
            "credential attached to it: the page or the attachment was changed",
            code="certificate_mismatch")


def _shown_names(credential: Mapping[str, Any]) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping):
        return shown
    for ident in subject.get("identifier") or []:
        if isinstance(ident, Mapping) and ident.get("identityType") == "name" \
                and ident.get("hashed") is False and isinstance(ident.get("identityHash"), str):
            shown.append(("recipient's name", ident["identityHash"]))
            break
    achievement = subject.get("achievement")
    if isinstance(achievement, Mapping) and isinstance(achievement.get("name"), str):
        shown.append(("achievement's name", achievement["name"]))
    return shown
