"""Open Badges 3.0 JSON Schema checks, plus the conformance rules no schema expresses.

The 1EdTech JSON Schemas (draft 2019-09) are bundled in ``badges/schemas``
(OBS-gh ``docs/schema/*.json``, see ``SOURCES.md``) and run with
:class:`jsonschema.Draft201909Validator`. Each validator is built once per
process and cached. A format checker is enabled for ``date-time`` (via
:func:`badges.model.parse_datetime`, so ``"2010-01-01"`` or a time without a
zone fails) and ``date``; jsonschema's default checkers are not used, so the
result does not depend on which optional packages are installed.

VCDM 1.1 credentials. The bundled schemas only describe VCDM 2.0
credentials, and the "Any...Credential" schemas (OB 3.0 §B.9) are not
available offline. A credential whose ``@context[0]`` is the VCDM 1.1 URL is
therefore validated as a *view* (OB 3.0 §B.9.2 AchievementCredentialv1p1 and
§B.9.4 EndorsementCredentialv1p1 are the 2.0 classes with
``issuanceDate``/``expirationDate`` in place of ``validFrom``/``validUntil``
and ``name`` required): in a copy, every object whose ``@context`` starts
with the v1 URL (the credential and any embedded endorsement) gets the v2
URL first and its ``issuanceDate``/``expirationDate`` renamed; the issues
are reported with the original names and paths, and a missing ``name`` is
reported for a v1.1 credential. The input is never modified.

Issue paths are JSON Pointers (RFC 6901) into the checked document; for a
missing required property the path names the missing member (e.g.
``/credentialSubject/achievement/criteria``). When an object fails a
``oneOf``/``anyOf`` (an issuer Profile object, say), the issues of the branch
that matches the instance's JSON type are reported instead of one opaque
"not valid under any of the given schemas".
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError

from badges.errors import SchemaError
from badges.loader import VC_V1
from badges.loader import VC_V2
from badges.model import parse_datetime

__all__ = [
    "CredentialSchemaError",
    "SchemaIssue",
    "assert_valid_credential",
    "check_credential",
    "check_endorsement",
    "check_issuable",
    "check_profile",
    "conformance_issues",
]

_SCHEMA_FILES = {
    "credential": "ob_v3p0_achievementcredential-jsonschema1.json",
    "endorsement": "ob_v3p0_endorsementcredential-jsonschema1.json",
    "profile": "ob_v3p0_profile-jsonschema1.json",
}

#: The OB context URL pattern of the OB 3.0 JSON Schema (``@context`` item 1).
_OB_CONTEXT_RE = re.compile(
    r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json", re.ASCII)
#: Alias the 1EdTech validator also accepts for the legacy OB context (DIGEST §1).
_OB_CONTEXT_ALIASES = frozenset({"https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"})
_OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_V1_DATES = {"validFrom": "issuanceDate", "validUntil": "expirationDate"}
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MESSAGE_LIMIT = 240


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One schema or conformance problem.

    Attributes:
        path: JSON Pointer to the offending member ("" for the whole document).
        message: what is wrong, in one sentence.
        rule: ``"schema"`` for a JSON Schema failure, otherwise the
            conformance rule: ``context``, ``type``, ``issuer_profile``,
            ``subject_identity``, ``criteria``, ``vcdm_dates``.
    """

    path: str
    message: str
    rule: str = "schema"

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class CredentialSchemaError(SchemaError):
    """A credential failed :func:`assert_valid_credential`; code ``schema_invalid``.

    Attributes:
        issues: every issue found.
    """

    def __init__(self, message: str, issues: Iterable[SchemaIssue]) -> None:
        super().__init__(message, code="schema_invalid")
        self.issues: tuple[SchemaIssue, ...] = tuple(issues)


# --------------------------------------------------------------------------
# Validators (built once)
# --------------------------------------------------------------------------


def _is_date_time(instance: object) -> bool:
    """``format: date-time``: an OB 3.0 DateTimeZ (raises ValueError otherwise)."""
    if isinstance(instance, str):
        parse_datetime(instance)
    return True


def _is_date(instance: object) -> bool:
    """``format: date``: an RFC 3339 full-date ``YYYY-MM-DD`` (raises ValueError otherwise)."""
    if isinstance(instance, str):
        if not _FULL_DATE.fullmatch(instance):
            raise ValueError(f"{instance[:64]!r} is not a YYYY-MM-DD date")
        date.fromisoformat(instance)
    return True


def _format_checker() -> FormatChecker:
    """A checker with only our ``date-time`` and ``date`` (no optional-package formats)."""
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("date", raises=ValueError)(_is_date)
    return checker


def _load_schema(kind: str) -> dict[str, Any]:
    text = resources.files("badges").joinpath("schemas", _SCHEMA_FILES[kind]).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(kind: str) -> Draft201909Validator:
    """The cached jsonschema validator for ``credential``, ``endorsement`` or ``profile``."""
    schema = _load_schema(kind)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_format_checker())


# --------------------------------------------------------------------------
# Fast path: the schema compiled to closures (yes/no only)
# --------------------------------------------------------------------------
#
# jsonschema spends ~2.5 ms on a typical 3.5 KB credential, almost all of it
# in its generic descend/evolve machinery. The OB schemas use a small keyword
# set, so they are compiled once into plain Python predicates that answer
# "valid?" with the same draft 2019-09 semantics (same format functions). A
# valid document returns at once; an invalid one is re-run through jsonschema,
# which stays the authority for every reported issue. Any keyword outside the
# supported set disables the fast path for that schema (no silent divergence);
# tests/badges/test_schema.py cross-checks both engines on valid and mutated
# documents.

_Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "$defs"})
_KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "additionalItems",
    "minItems", "contains", "enum", "pattern", "format", "allOf", "oneOf", "anyOf", "$ref",
})
_FORMATS: dict[str, Callable[[object], bool]] = {"date-time": _is_date_time, "date": _is_date}


class _Unsupported(Exception):
    """The schema uses something the fast path does not implement."""


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:
    if isinstance(x, float):
        return x.is_integer()
    return isinstance(x, int) and not isinstance(x, bool)


_TYPES: dict[str, _Check] = {  # jsonschema's default TypeChecker
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _all_of(checks: list[_Check]) -> _Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool:
        for c in checks:
            if not c(x):
                return False
        return True

    return check


def _any_of(checks: list[_Check]) -> _Check:
    def check(x: Any) -> bool:
        for c in checks:
            if c(x):
                return True
        return False

    return check


def _format_check(name: str) -> _Check:
    func = _FORMATS.get(name)
    if func is None:  # unknown formats are annotations for our FormatChecker too
        return _always

    def check(x: Any) -> bool:
        if not isinstance(x, str):
            return True
        try:
            return func(x)
        except ValueError:
            return False

    return check


class _Compiler:
    """Compiles one root schema (draft 2019-09 subset) into a predicate."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, _Check] = {}

    def ref(self, pointer: str) -> _Check:
        if pointer not in self.refs:
            prefix = "#/$defs/"
            defs = self.root.get("$defs", {})
            name = pointer[len(prefix):]
            if not pointer.startswith(prefix) or name not in defs:
                raise _Unsupported(f"$ref {pointer}")
            box: list[_Check] = []
            self.refs[pointer] = lambda x: box[0](x)  # placeholder: refs may recurse
            box.append(self.build(defs[name]))
        return self.refs[pointer]

    def build(self, schema: Any) -> _Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema)[:40])
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise _Unsupported(f"keywords {sorted(unknown)}")
        checks: list[_Check] = []
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests = [_TYPES[k] for k in kinds]
            checks.append(tests[0] if len(tests) == 1 else _any_of(tests))
        if "enum" in schema:
            values = schema["enum"]
            if not all(isinstance(v, str) for v in values):
                raise _Unsupported("non-string enum")
            allowed = frozenset(values)
            checks.append(lambda x: isinstance(x, str) and x in allowed)
        if "pattern" in schema:
            regex = re.compile(schema["pattern"])
            checks.append(lambda x: not isinstance(x, str) or regex.search(x) is not None)
        if "format" in schema:
            checks.append(_format_check(schema["format"]))
        checks.extend(self._object_checks(schema))
        checks.extend(self._array_checks(schema))
        if "allOf" in schema:
            checks.append(_all_of([self.build(s) for s in schema["allOf"]]))
        if "anyOf" in schema:
            checks.append(_any_of([self.build(s) for s in schema["anyOf"]]))
        if "oneOf" in schema:
            one = [self.build(s) for s in schema["oneOf"]]
            checks.append(lambda x: sum(1 for s in one if s(x)) == 1)
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        return _all_of(checks)

    def _object_checks(self, schema: Mapping[str, Any]) -> list[_Check]:
        checks: list[_Check] = []
        props = {k: self.build(v) for k, v in schema.get("properties", {}).items()}
        if props:
            def properties(x: Any) -> bool:
                if not isinstance(x, dict):
                    return True
                # over the instance's members (fewer than the schema's, as a rule)
                for k, v in x.items():
                    check = props.get(k)
                    if check is not None and not check(v):
                        return False
                return True
            checks.append(properties)
        required = tuple(schema.get("required", ()))
        if required:
            def has_required(x: Any) -> bool:
                if not isinstance(x, dict):
                    return True
                for k in required:
                    if k not in x:
                        return False
                return True
            checks.append(has_required)
        extra = schema.get("additionalProperties", True)
        if extra is not True:
            known = frozenset(props)
            extra_check = self.build(extra)

            def additional(x: Any) -> bool:
                if not isinstance(x, dict):
                    return True
                for k, v in x.items():
                    if k not in known and not extra_check(v):
                        return False
                return True
            checks.append(additional)
        return checks

    def _array_checks(self, schema: Mapping[str, Any]) -> list[_Check]:
        checks: list[_Check] = []
        items = schema.get("items", True)
        if isinstance(items, list):
            positional = [self.build(s) for s in items]
            rest = self.build(schema.get("additionalItems", True))
            checks.append(lambda x: not isinstance(x, list) or (
                all(c(v) for c, v in zip(positional, x, strict=False))
                and all(rest(v) for v in x[len(positional):])))
        elif items is not True:
            each = self.build(items)

            def every_item(x: Any) -> bool:
                if not isinstance(x, list):
                    return True
                for v in x:
                    if not each(v):
                        return False
                return True
            checks.append(every_item)
        if "minItems" in schema:
            low = schema["minItems"]
            checks.append(lambda x: not isinstance(x, list) or len(x) >= low)
        if "contains" in schema:
            contains = self.build(schema["contains"])
            checks.append(lambda x: not isinstance(x, list) or any(contains(v) for v in x))
        return checks


@cache
def _fast(kind: str) -> _Check | None:
    """The compiled yes/no predicate for a schema, or None when it cannot be compiled."""
    schema = _load_schema(kind)
    try:
        return _Compiler(schema).build(schema)
    except _Unsupported:
        return None


@cache
def _fast_status_entry(kind: str) -> _Check | None:
    """The compiled predicate of the schema's ``credentialStatus`` property alone."""
    schema = _load_schema(kind)
    sub = schema.get("properties", {}).get("credentialStatus")
    if sub is None:
        return None
    try:
        return _Compiler(schema).build(sub)
    except _Unsupported:
        return None


# --------------------------------------------------------------------------
# Turning jsonschema errors into issues
# --------------------------------------------------------------------------


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else type(value).__name__


def _message(error: ValidationError) -> str:
    kind, expected = error.validator, error.validator_value
    if kind == "type":
        return f"must be of type {expected!r}, not {_json_type(error.instance)}"
    if kind == "contains" and isinstance(expected, Mapping) and "enum" in expected:
        return f"must contain {' or '.join(map(repr, expected['enum']))}"
    if kind == "enum":
        return f"{_short(error.instance)} is not one of {expected!r}"
    if kind in ("oneOf", "anyOf"):
        return f"{_short(error.instance)} does not match any allowed form"
    message = str(error.message)
    return message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT - 3] + "..."


def _branch(error: ValidationError) -> list[ValidationError] | None:
    """For a failed oneOf/anyOf, the errors of the one branch that fits the instance type."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible = [
        subs for subs in branches.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    return plausible[0] if len(plausible) == 1 else None


def _flatten(error: ValidationError) -> Iterator[SchemaIssue]:
    if error.validator in ("oneOf", "anyOf") and error.context:
        subs = _branch(error)
        if subs is not None:
            for sub in subs:
                yield from _flatten(sub)
            return
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        for name in error.validator_value:
            if name not in error.instance and error.message == f"{name!r} is a required property":
                yield SchemaIssue(_pointer([*path, name]), "is required")
                return
    yield SchemaIssue(_pointer(path), _message(error))


#: Most jsonschema errors worked out for one document. Reporting an error costs
#: about 0.1 ms (jsonschema's generic machinery, with the branches of a
#: ``oneOf``), so a document built with hundreds of wrong members would
#: otherwise cost tens of milliseconds; reports list 20 issues anyway.
MAX_SCHEMA_ERRORS = 32


def _run(kind: str, doc: Any) -> list[SchemaIssue]:
    try:
        fast = _fast(kind)
        if fast is not None and fast(doc):
            return []
        issues: dict[tuple[str, str], SchemaIssue] = {}
        for count, error in enumerate(_validator(kind).iter_errors(doc)):
            if count == MAX_SCHEMA_ERRORS:
                issues[("", "")] = SchemaIssue(
                    "", f"has more than {MAX_SCHEMA_ERRORS} problems; the first "
                        f"{MAX_SCHEMA_ERRORS} found are listed")
                break
            for issue in _flatten(error):
                issues.setdefault((issue.path, issue.message), issue)
    except RecursionError:
        return [SchemaIssue("", "document is nested too deeply to check")]
    return sorted(issues.values(), key=lambda i: (i.path, i.message))


# --------------------------------------------------------------------------
# VCDM 1.1 view
# --------------------------------------------------------------------------


def _first_context(node: Any) -> Any:
    if isinstance(node, Mapping):
        ctx = node.get("@context")
        if isinstance(ctx, list) and ctx:
            return ctx[0]
        return ctx
    return None


def _v1_view(doc: Any) -> tuple[Any, list[str]]:
    """A copy of ``doc`` with every VCDM 1.1 object mapped to VCDM 2.0 names.

    Returns:
        The view and the JSON Pointers of the objects that were mapped.
    """
    view = copy.deepcopy(doc)
    mapped: list[str] = []

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            if _first_context(node) == VC_V1 and isinstance(node["@context"], list):
                node["@context"][0] = VC_V2
                for new, old in _V1_DATES.items():
                    node.pop(new, None)
                    if old in node:
                        node[new] = node.pop(old)
                mapped.append(_pointer(path))
            for key, value in node.items():
                walk(value, [*path, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*path, index])

    walk(view, [])
    return view, mapped


def _unmap(issues: list[SchemaIssue], mapped: list[str]) -> list[SchemaIssue]:
    out: list[SchemaIssue] = []
    for issue in issues:
        path, message = issue.path, issue.message
        for base in mapped:
            for new, old in _V1_DATES.items():
                prefix = f"{base}/{new}"
                if path == prefix or path.startswith(prefix + "/"):
                    path = f"{base}/{old}" + path[len(prefix):]
                    message = message.replace(repr(new), repr(old))
        out.append(SchemaIssue(path, message, issue.rule))
    return out


def _status_entries_checked(kind: str, doc: Any) -> list[SchemaIssue] | None:
    """Check an array ``credentialStatus`` entry by entry (VCDM 2.0 §4.10 allows arrays).

    The OB 3.0 JSON Schema (2024 build) describes ``credentialStatus`` as one
    object, while VCDM 2.0 and Bitstring Status List use an array for
    revocation plus suspension; each entry must pass the schema's own
    ``CredentialStatus`` definition. Returns the issues of the whole document
    checked that way, or None when ``credentialStatus`` is not an array.
    """
    if not isinstance(doc, Mapping) or not isinstance(doc.get("credentialStatus"), list):
        return None
    entries = doc["credentialStatus"]
    if not entries:
        return [SchemaIssue("/credentialStatus", "must not be an empty array")]
    fast, fast_entry = _fast(kind), _fast_status_entry(kind)
    if fast is not None and fast_entry is not None and fast(
            {**doc, "credentialStatus": entries[0]}) and all(fast_entry(e) for e in entries[1:]):
        return []  # the common case: one schema run, not one per entry
    issues: list[SchemaIssue] = []
    for i, entry in enumerate(entries[1:], 1):
        probe = {**doc, "credentialStatus": entry}
        issues += [SchemaIssue(i_.path.replace("/credentialStatus", f"/credentialStatus/{i}", 1),
                               i_.message, i_.rule)
                   for i_ in _run(kind, probe) if i_.path.startswith("/credentialStatus")]
    first = [SchemaIssue(i_.path.replace("/credentialStatus", "/credentialStatus/0", 1)
                         if i_.path.startswith("/credentialStatus") else i_.path,
                         i_.message, i_.rule)
             for i_ in _run(kind, {**doc, "credentialStatus": entries[0]})]
    return first + issues


def _check(kind: str, doc: Any) -> list[SchemaIssue]:
    status_issues = _status_entries_checked(kind, doc)
    if status_issues is not None:
        return status_issues
    if _first_context(doc) != VC_V1:
        return _run(kind, doc)
    view, mapped = _v1_view(doc)
    issues = _unmap(_run(kind, view), mapped)
    if kind == "credential" and isinstance(doc, Mapping) and "name" not in doc:
        issues.append(SchemaIssue(
            "/name", "is required for a VCDM 1.1 credential (OB 3.0 §B.9.2)"))
    return issues


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def check_credential(doc: Any) -> list[SchemaIssue]:
    """Validate against the OB 3.0 AchievementCredential JSON Schema (OB 3.0 §B.1.2).

    Covers OpenBadgeCredential and its alias AchievementCredential. A VCDM
    1.1 credential is checked as described in the module docstring. Never
    raises for bad input.

    Args:
        doc: the credential JSON (without a VC-JWT envelope).

    Returns:
        The issues, sorted by path; empty when the document is valid.
    """
    return _check("credential", doc)


def check_endorsement(doc: Any) -> list[SchemaIssue]:
    """Validate against the OB 3.0 EndorsementCredential JSON Schema (OB 3.0 §B.1.7).

    Args:
        doc: the endorsement credential JSON.

    Returns:
        The issues, sorted by path; empty when valid.
    """
    return _check("endorsement", doc)


def check_profile(doc: Any) -> list[SchemaIssue]:
    """Validate against the OB 3.0 Profile JSON Schema (OB 3.0 §B.1.14).

    Args:
        doc: the Profile JSON (e.g. an issuer profile served at its id).

    Returns:
        The issues, sorted by path; empty when valid.
    """
    return _run("profile", doc)


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def conformance_issues(doc: Any) -> list[SchemaIssue]:
    """The OB 3.0 rules the JSON Schema cannot express (DIGEST §5, §10.4, §10.11).

    Rules (the ``rule`` of each issue):

    * ``context``: ``@context`` is an array; item 0 is the VCDM 2.0 URL (or
      the VCDM 1.1 URL, legacy); item 1 is an OB 3.0 context URL (any
      ``context-3.x.y.json``, the unversioned file or its alias; the
      1EdTech validator only warns about older versions). OB 3.0 §B.1.2.
    * ``type``: ``type`` contains ``VerifiableCredential`` and
      ``OpenBadgeCredential`` or ``AchievementCredential`` (a single string
      is read as a one-item set; the schema flags the missing array).
    * ``issuer_profile``: ``issuer`` is an object whose ``type`` contains
      ``Profile``; a bare URI is schema-valid but the 1EdTech validator
      errors ("issuer is not of type Profile", IssuerProbe).
    * ``subject_identity``: ``credentialSubject`` has an ``id`` or at least
      one ``identifier`` (OB 3.0 §B.1.3; validator CredentialSubjectProbe).
    * ``criteria``: ``credentialSubject.achievement.criteria`` has an ``id``
      or a ``narrative`` (OB 3.0 §B.1.6 SHOULD; the validator errors).
    * ``vcdm_dates``: no VCDM 1.1 date terms (``issuanceDate``,
      ``expirationDate``) under the VCDM 2.0 context, and no ``validFrom``/
      ``validUntil`` under VCDM 1.1: each is undefined in the other context
      (DIGEST §10.1, §10.2).

    Args:
        doc: the credential JSON.

    Returns:
        The issues found, in rule order; empty when the document conforms.
    """
    if not isinstance(doc, Mapping):
        return [SchemaIssue("", "a credential must be a JSON object", "type")]
    issues: list[SchemaIssue] = []

    ctx = doc.get("@context")
    if not isinstance(ctx, list) or not ctx:
        issues.append(SchemaIssue("/@context", "must be an array starting with the VCDM "
                                  f"context {VC_V2!r} then the OB 3.0 context", "context"))
    else:
        if ctx[0] not in (VC_V2, VC_V1):
            issues.append(SchemaIssue(
                "/@context/0", f"must be {VC_V2!r} (or {VC_V1!r} for a VCDM 1.1 credential), "
                f"not {_short(ctx[0])}", "context"))
        second = ctx[1] if len(ctx) > 1 else None
        if not (isinstance(second, str) and (
                _OB_CONTEXT_RE.fullmatch(second) or second in _OB_CONTEXT_ALIASES)):
            issues.append(SchemaIssue(
                "/@context/1", "must be the OB 3.0 context "
                "'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'", "context"))

    types = _types(doc.get("type"))
    if "VerifiableCredential" not in types:
        issues.append(SchemaIssue("/type", "must contain 'VerifiableCredential'", "type"))
    if not types & _OB_TYPES:
        issues.append(SchemaIssue(
            "/type", "must contain 'OpenBadgeCredential' or 'AchievementCredential'", "type"))

    issuer = doc.get("issuer")
    if issuer is None:
        issues.append(SchemaIssue("/issuer", "is required (an embedded Profile object)",
                                  "issuer_profile"))
    elif not isinstance(issuer, Mapping):
        issues.append(SchemaIssue(
            "/issuer", "must be an embedded Profile object, not a bare URI "
            "(the 1EdTech validator rejects it)", "issuer_profile"))
    elif "Profile" not in _types(issuer.get("type")):
        issues.append(SchemaIssue("/issuer/type", "must contain 'Profile'", "issuer_profile"))

    subject = doc.get("credentialSubject")
    if isinstance(subject, Mapping):
        identifier = subject.get("identifier")
        has_identifier = isinstance(identifier, Mapping) or (
            isinstance(identifier, list) and len(identifier) > 0)
        if not _has_text(subject.get("id")) and not has_identifier:
            issues.append(SchemaIssue(
                "/credentialSubject", "needs an id or at least one identifier "
                "(OB 3.0 §B.1.3)", "subject_identity"))
        achievement = subject.get("achievement")
        if isinstance(achievement, Mapping):
            criteria = achievement.get("criteria")
            if not isinstance(criteria, Mapping) or not (
                    _has_text(criteria.get("id")) or _has_text(criteria.get("narrative"))):
                issues.append(SchemaIssue(
                    "/credentialSubject/achievement/criteria",
                    "needs an id or a narrative (OB 3.0 §B.1.6)", "criteria"))
    elif subject is None:
        issues.append(SchemaIssue("/credentialSubject", "is required", "subject_identity"))

    first = ctx[0] if isinstance(ctx, list) and ctx else None
    wrong = {VC_V2: ("issuanceDate", "expirationDate"), VC_V1: ("validFrom", "validUntil")}
    for name in wrong.get(first, ()) if isinstance(first, str) else ():
        if name in doc:
            version = "2.0" if first == VC_V2 else "1.1"
            issues.append(SchemaIssue(
                f"/{name}", f"is not defined by the VCDM {version} context "
                "(VCDM 1.1 uses issuanceDate/expirationDate, 2.0 validFrom/validUntil)",
                "vcdm_dates"))
    return issues


def check_issuable(doc: Any, *, status_array: bool = False) -> list[SchemaIssue]:
    """The issues that must stop an issuer from signing ``doc`` (OB 3.0 §B.1.2, §8).

    Stricter than :func:`check_credential`, which a *verifier* uses and which
    reads an array ``credentialStatus`` entry by entry (VCDM 2.0 §4.10): here
    the credential must pass the 1EdTech OB 3.0 AchievementCredential JSON
    Schema exactly as the 1EdTech validator and verifier-core run it, where
    ``credentialStatus`` is one object (DIGEST §6). Plus
    :func:`conformance_issues`.

    Args:
        doc: the credential JSON to be signed (the VC-JWT payload is this
            document plus the registered claims, which the schema allows).
        status_array: accept an array of status entries, each checked on its
            own; for an issuer that chose suspension knowing the trade-off.

    Returns:
        The issues; empty when ``doc`` may be signed.
    """
    if status_array:
        return check_credential(doc) + conformance_issues(doc)
    if isinstance(doc, Mapping) and isinstance(doc.get("credentialStatus"), list):
        return [SchemaIssue(
            "/credentialStatus", "must be one object, not an array (the OB 3.0 JSON Schema; "
            "several status entries need the issuer's suspension setting)", "status_object"),
            *conformance_issues(doc)]
    return _check("credential", doc) + conformance_issues(doc)


def assert_valid_credential(doc: Any, *, status_array: bool = False) -> None:
    """Raise unless :func:`check_issuable` finds nothing in ``doc``.

    Meant for the issuing side: every credential is checked before signing
    (ARCHITECTURE "Credential format").

    Args:
        doc: the credential JSON.
        status_array: see :func:`check_issuable`.

    Raises:
        CredentialSchemaError: a :class:`~badges.errors.SchemaError` with code
            ``schema_invalid``; the message lists the first five issues and
            ``.issues`` holds them all.
    """
    issues = check_issuable(doc, status_array=status_array)
    if not issues:
        return
    shown = "; ".join(str(issue) for issue in issues[:5])
    more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
    raise CredentialSchemaError(
        f"credential is not a valid Open Badges 3.0 credential: {shown}{more}", issues)
