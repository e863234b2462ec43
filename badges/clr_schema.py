"""The 1EdTech CLR 2.0 ``ClrCredential`` JSON Schema, in the VC Data Model 2.0 view we issue.

The bundled file ``schemas/clr_v2p0_clrcredential_schema_draft4.json`` is
1EdTech's ClrCredential schema (``$id``
``https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json``)
as 1EdTech's validator carries it (JSON Schema draft 4; provenance in
``SOURCES.md``). It is the VCDM 1.1 edition of CLR 2.0: the credential and
every embedded credential must have ``issuanceDate``, and ``CredentialStatus``
allows only ``id`` and ``type``. CLR 2.0 as published with VCDM 2.0 (context
``context-2.0.1.json``, CLR 2.0 §ClrCredential) uses ``validFrom`` /
``validUntil`` and the Bitstring Status List entries OB 3.0 credentials
carry. So, at load time and in memory only (the file is never changed), two
named changes make the VCDM 2.0 view (:data:`VCDM2_CHANGES`):

1. ``issuanceDate`` -> ``validFrom`` and ``expirationDate`` -> ``validUntil``
   (properties and ``required``) in the ClrCredential itself and in the
   ``VerifiableCredential`` and ``EndorsementCredential`` definitions: the
   VCDM 2.0 names of the same properties (VCDM 2.0 §4.9), exactly the rename
   1EdTech made between the OB 3.0 VCDM 1.1 and 2.0 schemas (OB 3.0 §B.9.2).
2. ``CredentialStatus`` open to more members (``statusPurpose``,
   ``statusListIndex``, ``statusListCredential`` of a
   ``BitstringStatusListEntry``, Bitstring Status List §2.1), as OB 3.0's
   own ``CredentialStatus`` definition is.
3. ``EndorsementCredential`` gets the members the VCDM 1.1 build lacks
   and OB 3.0's EndorsementCredential has (OB 3.0 §B.1.7; CLR 2.0 uses
   OB 3.0's class): ``name`` (required there, so required here),
   ``description``, ``awardedDate`` and ``termsOfUse``, each defined exactly
   as in the bundled 1EdTech ``ob_v3p0_endorsementcredential-jsonschema1.json``
   (its ``TermsOfUse`` definition comes along). Without it, no endorsement
   that passes the OB 3.0 schema (which *requires* ``name``) could sit in a
   CLR's achievements or embedded badges: the two 1EdTech schemas contradict
   each other there, and the record follows the OB 3.0 one. The rest of the
   definition (closed, ``credentialSubject`` an ``EndorsementSubject``) is
   the CLR file's.

The schema's ``date-time`` formats (``validFrom``, ``validUntil`` included)
are checked with :func:`badges.model.parse_datetime`, as for OB 3.0
credentials; its description says only ``format: date`` was removed.

Everything else (every ``required``, every closed object, every type) is the
1EdTech schema as shipped. Nothing here does I/O beyond reading the bundled
package data once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError

from badges.model import parse_datetime
from badges.schema import SchemaIssue

__all__ = ["CLR_SCHEMA_ID", "VCDM2_CHANGES", "check_clr", "clr_schema"]

#: The schema's ``$id``, which a ClrCredential names in ``credentialSchema``.
CLR_SCHEMA_ID = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
_FILE = "clr_v2p0_clrcredential_schema_draft4.json"
_RENAMES = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}
_DATED = ("VerifiableCredential", "EndorsementCredential")

#: The changes made to the bundled VCDM 1.1 schema to read VCDM 2.0 CLRs (module notes).
VCDM2_CHANGES: tuple[str, ...] = (
    "issuanceDate/expirationDate renamed validFrom/validUntil in ClrCredential, "
    "VerifiableCredential and EndorsementCredential",
    "CredentialStatus accepts the members of a BitstringStatusListEntry",
    "EndorsementCredential has OB 3.0's name (required), description, awardedDate and "
    "termsOfUse",
)
_OB_ENDORSEMENT_FILE = "ob_v3p0_endorsementcredential-jsonschema1.json"
_OB_ENDORSEMENT_MEMBERS = ("name", "description", "awardedDate", "termsOfUse")
_MESSAGE_LIMIT = 240


def _renamed(node: dict[str, Any]) -> None:
    props = node.get("properties", {})
    for old, new in _RENAMES.items():
        if old in props:
            props[new] = {**props.pop(old), "format": "date-time"}
    if "required" in node:
        node["required"] = [_RENAMES.get(name, name) for name in node["required"]]


@cache
def clr_schema() -> dict[str, Any]:
    """The VCDM 2.0 view of the bundled 1EdTech ClrCredential schema (a shared object)."""
    text = resources.files("badges").joinpath("schemas", _FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    view = copy.deepcopy(schema)
    _renamed(view)
    for name in _DATED:
        _renamed(view["$defs"][name])
    view["$defs"]["CredentialStatus"]["additionalProperties"] = True
    ob = json.loads(resources.files("badges").joinpath(
        "schemas", _OB_ENDORSEMENT_FILE).read_text("utf-8"))
    endorsement = view["$defs"]["EndorsementCredential"]
    for name in _OB_ENDORSEMENT_MEMBERS:
        endorsement["properties"][name] = copy.deepcopy(ob["properties"][name])
    endorsement["required"] = [*endorsement["required"], "name"]
    view["$defs"]["TermsOfUse"] = copy.deepcopy(ob["$defs"]["TermsOfUse"])
    return view


def _is_date_time(instance: object) -> bool:
    if isinstance(instance, str):
        parse_datetime(instance)
    return True


@cache
def _validator() -> Draft4Validator:
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    schema = clr_schema()
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=checker)


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _issue(error: ValidationError) -> SchemaIssue:
    path = _pointer(error.absolute_path)
    if error.validator == "required" and isinstance(error.message, str):
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else ""
        if missing:
            path = f"{path}/{missing}"
    message = error.message
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: len(list(e.absolute_path)))
        return _issue(deepest)
    return SchemaIssue(path, message)


def check_clr(doc: Any) -> list[SchemaIssue]:
    """Validate ``doc`` against the ClrCredential schema (CLR 2.0 §ClrCredential).

    Besides the schema, two rules of CLR 2.0 §ClrCredential the schema only
    states in prose: ``type`` must include ``VerifiableCredential`` and
    ``ClrCredential``, and ``credentialSubject.type`` must include ``ClrSubject``.

    Args:
        doc: the credential (any JSON value).

    Returns:
        Every issue, sorted by path; empty when valid. Never raises for bad input.
    """
    if not isinstance(doc, Mapping):
        return [SchemaIssue("", "a ClrCredential must be a JSON object")]
    issues = sorted({(i.path, i.message): i for i in map(_issue, _validator().iter_errors(
        dict(doc)))}.values(), key=lambda i: i.path)
    types = doc.get("type")
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if not {"VerifiableCredential", "ClrCredential"} <= set(listed):
        issues.append(SchemaIssue("/type", "type must include VerifiableCredential and "
                                  "ClrCredential", "type"))
    subject = doc.get("credentialSubject")
    if isinstance(subject, Mapping):
        kinds = subject.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
        if "ClrSubject" not in kinds:
            issues.append(SchemaIssue("/credentialSubject/type",
                                      "credentialSubject.type must include ClrSubject", "type"))
    return issues
