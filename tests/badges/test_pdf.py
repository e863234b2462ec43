"""badges.pdf.check_binding: a certificate's page, keywords and attachment must agree.

Table-driven over what a PDF can claim (keywords, the page's text) and what it
carries; the rendered-certificate tests in tests/issuer/certificates exercise
the same rule on real PDFs.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badges.errors import InputError
from badges.pdf import PdfDocument
from badges.pdf import check_binding
from badges.pdf import shown_ids

MINE = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000031"
THEIRS = "urn:uuid:3f1c2a9e-8b7d-4c21-9a55-000000000032"
ACHIEVEMENT = "urn:uuid:0b6e7d1c-1111-4c21-9a55-00000000aaaa"


def credential(cred_id: str | None = MINE, name: str = "María López",
               achievement: str = "Blended Learning Design") -> dict[str, Any]:
    cred: dict[str, Any] = {
        "credentialSubject": {
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": name}],
            "achievement": {"id": ACHIEVEMENT, "name": achievement}}}
    if cred_id is not None:
        cred["id"] = cred_id
    return cred


def page(cred_id: str = MINE, name: str = "María López",
         achievement: str = "Blended Learning Design") -> str:
    # as text extraction gives it: the id broken over two lines
    return (f"Certificate\n{name}\nhas earned\n{achievement}\nCredential ID "
            f"{cred_id[:20]}\n{cred_id[20:]}\n")


def pdf(text: str, keywords: str = "") -> PdfDocument:
    return PdfDocument(attachments=(), keywords=keywords, text=text)


KEYWORDS = f"Open Badges 3.0, verifiable credential, MicroCredential, {MINE}"

# name -> (document, attached credential, refused?)
CASES: dict[str, tuple[PdfDocument, dict[str, Any], bool]] = {
    "genuine, with keywords": (pdf(page(), KEYWORDS), credential(), False),
    "genuine, keywords stripped": (pdf(page()), credential(), False),
    "made elsewhere: no id anywhere": (pdf("A certificate for María López"), credential(),
                                       False),
    "made elsewhere: shows only ids inside the credential": (
        pdf(f"María López, achievement {ACHIEVEMENT}"), credential(), False),
    "swapped attachment, keywords kept": (pdf(page(), KEYWORDS), credential(THEIRS, "Sam"),
                                          True),
    "swapped attachment, keywords stripped": (pdf(page()), credential(THEIRS, "Sam"), True),
    "swapped attachment and keywords rewritten": (
        pdf(page(), KEYWORDS.replace(MINE, THEIRS)), credential(THEIRS, "Sam"), True),
    "page shows the attached id, but another recipient": (
        pdf(page(name="Mallory Doe")), credential(), True),
    "page shows the attached id, but another achievement": (
        pdf(page(achievement="Superintendent Licence")), credential(), True),
    "attached credential has no id, page shows one": (pdf(page()), credential(None), True),
    "attached credential has no id, keywords declare one": (pdf("x", KEYWORDS),
                                                            credential(None), True),
    "attached credential has no id, nothing claimed": (pdf("x"), credential(None), False),
    "upper-case UUID on the page": (pdf(page(THEIRS.upper())), credential(), True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_binding(name: str) -> None:
    document, attached, refused = CASES[name]
    if not refused:
        check_binding(document, attached)
        return
    with pytest.raises(InputError) as caught:
        check_binding(document, attached)
    assert caught.value.code == "certificate_mismatch"


def test_the_refusal_names_both_credentials() -> None:
    with pytest.raises(InputError) as caught:
        check_binding(pdf(page()), credential(THEIRS, "Sam"))
    assert MINE in caught.value.message and THEIRS in caught.value.message


@given(shown=st.uuids(), attached=st.uuids(), keywords=st.booleans())
def test_any_other_credential_id_on_the_page_refuses_the_attachment(
        shown: uuid.UUID, attached: uuid.UUID, keywords: bool) -> None:
    shown_id, attached_id = f"urn:uuid:{shown}", f"urn:uuid:{attached}"
    document = pdf(page(shown_id), f"Open Badges 3.0, {shown_id}" if keywords else "")
    if shown == attached:
        check_binding(document, credential(attached_id))
    else:
        with pytest.raises(InputError):
            check_binding(document, credential(attached_id))


def test_shown_ids_ignores_what_the_credential_itself_contains() -> None:
    text = f"{MINE} {ACHIEVEMENT} {THEIRS}"
    assert shown_ids(text, credential()) == [THEIRS]
