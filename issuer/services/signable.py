"""The last check before anything is signed: its JSON Schema, then JSON-LD safe mode.

Awards (:func:`issuer.services.issuance.check_credential`) and partners'
endorsements (:func:`issuer.services.endorsements.check_endorsement`) both
refuse to sign a document with schema issues (OB 3.0 §B.1.2, §B.1.7) or
with a term its JSON-LD contexts do not define (VC-DM 2.0 §4.2, safe mode),
with the same errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from badges import jsonld
from badges.schema import SchemaIssue
from issuer.services.errors import ServiceError


def prepared(document: dict[str, Any], issues: Sequence[SchemaIssue], *, what: str,
             schema_name: str) -> jsonld.Prepared:
    """``document`` as JSON-LD processing read it, for signing, or a refusal.

    Args:
        document: the unsigned document.
        issues: what its JSON Schema check found (refused when any).
        what: the document's kind in messages (``credential``, ``endorsement``).
        schema_name: the schema in messages (``Open Badges 3.0 schema``).

    Raises:
        ServiceError: ``schema_invalid`` (422) with the first three issues, or
            ``undefined_term`` (422) naming the terms and types safe mode refused.
    """
    if issues:
        raise ServiceError(f"the {what} would not pass the {schema_name}: "
                           + "; ".join(f"{i.path}: {i.message}" for i in issues[:3]),
                           code="schema_invalid", status=422)
    found = jsonld.prepare(document)
    terms, types = found.undefined
    if terms or types:
        raise ServiceError(f"the {what} uses undefined JSON-LD terms: "
                           + ", ".join([*terms, *types]), code="undefined_term", status=422)
    return found
