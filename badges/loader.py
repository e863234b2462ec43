"""The strict, offline JSON-LD document loader over the bundled contexts.

Verification never fetches a context from the network (DIGEST §10, PRODUCT
"contexts bundled and pinned"): every ``@context`` URL must be one of the
copies shipped in ``badges/contexts`` (attribution in ``SOURCES.md``).
Anything else raises :class:`~badges.errors.JsonLdError` with code
``context_not_allowed``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from badges.errors import JsonLdError

#: The OB 3.0 and VCDM 2.0 context URLs every new credential starts with (OB §C.1).
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"


@cache
def _url_map() -> Mapping[str, str]:
    text = resources.files("badges").joinpath("contexts/url-map.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


@cache
def _load(url: str) -> Any:
    path = _url_map()[url]
    return json.loads(resources.files("badges").joinpath("contexts", path).read_text("utf-8"))


def bundled_urls() -> frozenset[str]:
    """Every context URL this loader serves."""
    return frozenset(_url_map())


def get_context(url: str) -> Any:
    """The parsed bundled document for ``url`` (shared; do not mutate).

    Raises:
        JsonLdError: ``context_not_allowed`` for a URL that is not bundled.
    """
    if url not in _url_map():
        raise JsonLdError(
            f"context {url!r} is not one of the bundled contexts; remote contexts are "
            "never fetched", code="context_not_allowed")
    return _load(url)


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader that serves only bundled contexts.

    Args:
        url: the context URL PyLD asks for.
        options: PyLD's loader options (ignored).

    Returns:
        PyLD's remote-document mapping, with a private copy of the document
        (PyLD may annotate what it is given), tagged ``static`` so that PyLD
        caches the resolved context by URL.

    Raises:
        JsonLdError: ``context_not_allowed`` for any URL that is not bundled.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(get_context(url)),
        # a bundled context never changes: PyLD may keep its resolved form in its
        # shared cache instead of loading and resolving it again for every document
        "tag": "static",
    }
