"""The verifier's web surface. For now the JSON API; the page for people comes next.

``POST /api/v1/verify`` takes ``application/json`` (a credential), ``text/plain``
(a JWT) or a multipart ``file`` and answers with the same report object as
``badges verify --json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request

from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.service import Verifier

bp = Blueprint("verifier", __name__)


def _verifier() -> Verifier:
    state = current_app.extensions.setdefault("verifier", {})
    if "verifier" not in state:
        settings = current_app.extensions.get("badges", {}).get("settings")
        dev = bool(settings and settings.development)
        allow = settings.fetch_allow_hosts if settings else frozenset()
        state["verifier"] = Verifier(fetcher=Fetcher(FetchPolicy(
            allow_hosts=allow, allow_http_loopback=dev)))
    verifier: Verifier = state["verifier"]
    return verifier


@bp.post("/api/v1/verify")
def verify_api() -> Any:
    """Verify one credential and return the report."""
    upload = request.files.get("file")
    data: bytes = upload.read() if upload is not None else request.get_data(cache=False)
    report = _verifier().verify(data)
    return jsonify(report.to_json())
