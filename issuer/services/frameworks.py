"""Competency frameworks to align achievements with: ISTE bundled, CASE 1.0 imported.

* **ISTE Standards for Educators** ship with the service
  (``issuer/frameworks/iste-educators.json``: the seven standards' codes and
  short names only, attributed in ``SOURCES.md``).
* Any framework published as a **1EdTech CASE 1.0** package (a ``CFPackage``
  JSON document: ``CFDocument`` and ``CFItems``, CASE 1.0 §4.3) is imported
  from a file or a URL (fetched by the caller through the service's SSRF-safe
  :class:`verifier.fetch.Fetcher`), per organization.

Each item is offered as a ready-made OB 3.0 ``Alignment`` (§B.1.5), as
1EdTech's OB 3.0 implementation guide shows for CASE items: ``targetType``
``CFItem``, ``targetCode`` the item's identifier, ``targetName`` its full
statement, ``targetUrl`` its URI and ``targetFramework`` the document's title.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import CompetencyFramework
from issuer.models import Organization
from issuer.services import audit
from issuer.services.errors import ServiceError

ISTE = "iste-educators"
MAX_PACKAGE_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5000


@dataclass(frozen=True)
class Choice:
    """One framework item an achievement can align with.

    Attributes:
        code: what people recognize it by (a human coding scheme, or the identifier).
        label: a short statement.
        alignment: the OB 3.0 Alignment, in the authoring API's field names.
    """

    code: str
    label: str
    alignment: dict[str, str]


@dataclass(frozen=True)
class Framework:
    """A framework and its items, as alignment choices."""

    identifier: str
    title: str
    creator: str
    uri: str
    bundled: bool
    attribution: str | None
    choices: tuple[Choice, ...]

    def to_json(self) -> dict[str, Any]:
        """The API's shape."""
        return {"identifier": self.identifier, "title": self.title, "creator": self.creator,
                "uri": self.uri, "bundled": self.bundled, "attribution": self.attribution,
                "items": [{"code": c.code, "label": c.label, "alignment": c.alignment}
                          for c in self.choices]}


def iste() -> Framework:
    """The bundled ISTE Standards for Educators (codes and short names, attributed)."""
    data = json.loads((resources.files("issuer") / "frameworks" / f"{ISTE}.json")
                      .read_text("utf-8"))
    choices = tuple(Choice(code=item["code"], label=item["name"], alignment={
        "targetName": item["name"], "targetCode": item["code"],
        "targetFramework": data["title"], "targetUrl": f"{data['uri']}#{item['code']}"})
        for item in data["items"])
    return Framework(identifier=data["identifier"], title=data["title"],
                     creator=data["creator"], uri=data["uri"], bundled=True,
                     attribution=data["attribution"], choices=choices)


def _refuse(problem: str, field: str = "(document)") -> ServiceError:
    return ServiceError(f"the CASE package cannot be imported: {problem}",
                        code="invalid_case_package", status=422,
                        problems=[{"field": field, "problem": problem}])


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refuse("is required (text)", field)
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise _refuse(f"is longer than {limit} characters", field)
    return cleaned


def _uri(value: object, field: str) -> str:
    text = _text(value, field, 1000)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("must be an http or https URI", field)
    return text


def parse_package(data: bytes) -> dict[str, Any]:
    """A CASE 1.0 ``CFPackage`` reduced to what alignments need; pure (no I/O).

    Returns:
        ``{"identifier", "title", "creator", "uri", "items": [{"identifier",
        "uri", "code", "statement", "abbreviated", "type"}]}``.

    Raises:
        ServiceError: ``invalid_case_package`` (422), naming the field at fault.
    """
    if len(data) > MAX_PACKAGE_BYTES:
        raise _refuse(f"it is larger than {MAX_PACKAGE_BYTES // (1024 * 1024)} MiB")
    try:
        package = json.loads(data)
    except (ValueError, RecursionError):
        raise _refuse("it is not JSON (or it nests too deeply)") from None
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise _refuse("a CFPackage has a CFDocument object", "CFDocument")
    doc = package["CFDocument"]
    out: dict[str, Any] = {
        "identifier": _text(doc.get("identifier"), "CFDocument.identifier", 100),
        "title": _text(doc.get("title"), "CFDocument.title", 300),
        "creator": _text(doc.get("creator"), "CFDocument.creator", 300),
        "uri": _uri(doc.get("uri"), "CFDocument.uri"),
        "items": [],
    }
    items = package.get("CFItems", [])
    if not isinstance(items, list):
        raise _refuse("must be a list", "CFItems")
    if not items:
        raise _refuse("the package has no items to align with", "CFItems")
    if len(items) > MAX_ITEMS:
        raise _refuse(f"has more than {MAX_ITEMS} items", "CFItems")
    seen: set[str] = set()
    for i, item in enumerate(items):
        at = f"CFItems[{i}]"
        if not isinstance(item, dict):
            raise _refuse("must be an object", at)
        identifier = _text(item.get("identifier"), f"{at}.identifier", 100)
        if identifier in seen:
            raise _refuse(f"repeats the identifier {identifier!r}", f"{at}.identifier")
        seen.add(identifier)
        code = item.get("humanCodingScheme")
        abbreviated = item.get("abbreviatedStatement")
        kind = item.get("CFItemType")
        out["items"].append({
            "identifier": identifier, "uri": _uri(item.get("uri"), f"{at}.uri"),
            "statement": _text(item.get("fullStatement"), f"{at}.fullStatement", 1000),
            "code": code.strip()[:100] if isinstance(code, str) and code.strip() else None,
            "abbreviated": abbreviated.strip()[:300]
            if isinstance(abbreviated, str) and abbreviated.strip() else None,
            "type": kind.strip()[:100] if isinstance(kind, str) and kind.strip() else None,
        })
    return out


def import_package(session: so.Session, org: Organization, data: bytes, *, source: str | None,
                   actor: str, now: datetime) -> CompetencyFramework:
    """Import (or re-import) a CASE package for ``org``; its items become choices.

    Raises:
        ServiceError: ``invalid_case_package`` (422); nothing is stored.
    """
    parsed = parse_package(data)
    found = session.scalar(sa.select(CompetencyFramework).where(
        CompetencyFramework.organization_id == org.id,
        CompetencyFramework.identifier == parsed["identifier"]))
    if found is None:
        found = CompetencyFramework(organization_id=org.id, identifier=parsed["identifier"])
        session.add(found)
    found.title, found.creator, found.uri = parsed["title"], parsed["creator"], parsed["uri"]
    found.items, found.source = parsed["items"], source
    found.imported_at, found.imported_by = now, actor
    session.flush()
    audit.record(session, actor=actor, action="framework.imported", organization_id=org.id,
                 subject_type="framework", subject_id=str(found.id), at=now,
                 detail={"identifier": found.identifier, "title": found.title,
                         "items": len(found.items), "source": source})
    return found


def _imported(row: CompetencyFramework) -> Framework:
    choices = []
    for item in row.items:
        alignment = {"targetName": item["statement"], "targetUrl": item["uri"],
                     "targetType": "CFItem", "targetCode": item["identifier"],
                     "targetFramework": row.title}
        choices.append(Choice(code=item.get("code") or item["identifier"],
                              label=item.get("abbreviated") or item["statement"],
                              alignment=alignment))
    return Framework(identifier=row.identifier, title=row.title, creator=row.creator,
                     uri=row.uri, bundled=False, attribution=None, choices=tuple(choices))


def available(session: so.Session, org: Organization) -> list[Framework]:
    """The frameworks ``org`` can align with: ISTE, then those it or its district imported."""
    owners = [org.id] + ([org.parent_id] if org.parent_id is not None else [])
    rows = session.scalars(sa.select(CompetencyFramework).where(
        CompetencyFramework.organization_id.in_(owners)).order_by(CompetencyFramework.title))
    return [iste(), *(_imported(row) for row in rows)]


def fetch_package(url: str, *, allow_hosts: frozenset[str], development: bool,
                  own_url: str | None = None) -> tuple[bytes, str]:
    """A CASE package's bytes from ``url``, through the project's SSRF-safe fetcher.

    Public HTTPS only, unless the host is allow-listed (``BADGES_FETCH_ALLOW_HOSTS``)
    or, in development, the service's own; size- and time-limited; each redirect
    checked again.

    Returns:
        The body and the final URL.

    Raises:
        ServiceError: ``case_fetch_failed`` (422) with the fetcher's reason.
    """
    from badges.did import ResolutionError
    from verifier.fetch import Fetcher
    from verifier.fetch import FetchPolicy
    from verifier.fetch import own_host

    if not isinstance(url, str) or not url.strip():
        raise ServiceError("give the package's URL", code="missing_field")
    own = own_host(own_url) if own_url and development else frozenset()
    fetcher = Fetcher(FetchPolicy(allow_hosts=allow_hosts | own,
                                  allow_http=(allow_hosts | own) if development
                                  else frozenset(), max_bytes=MAX_PACKAGE_BYTES))
    try:
        fetched = fetcher.fetch_bytes(url.strip(), accept="application/json",
                                      max_bytes=MAX_PACKAGE_BYTES)
    except ResolutionError as exc:
        raise ServiceError(f"the CASE package could not be fetched from {url}: "
                           f"{exc.message} ({exc.code})", code="case_fetch_failed",
                           status=422, problems=[{"field": "url", "problem": exc.message}]
                           ) from None
    return fetched.body, fetched.url
