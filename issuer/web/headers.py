"""Security headers every response of the district service carries, whatever made it.

Blueprints set the policy their pages need (a share page's images, an SVG's
sandbox); this app-wide hook runs after them and makes the rest total:

* no page may be framed by another site (clickjacking): ``X-Frame-Options:
  DENY`` and ``frame-ancestors 'none'`` added to whatever Content Security
  Policy the page has, or a strict default policy for an HTML page without one
  (CSP Level 3 §6.4.2; RFC 7034);
* ``X-Content-Type-Options: nosniff`` on everything;
* in production, ``Strict-Transport-Security`` on every response (RFC 6797),
  so a browser that once reached the service never falls back to plain HTTP.
"""

from __future__ import annotations

from flask import Flask
from flask import Response

#: The policy of an HTML page whose blueprint set none.
DEFAULT_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
#: Two years, sub-domains included (the value hstspreload.org asks for).
HSTS = "max-age=63072000; includeSubDomains"


def with_frame_ancestors(policy: str) -> str:
    """``policy`` with ``frame-ancestors 'none'`` (an existing ``frame-ancestors`` is replaced)."""
    kept = [part.strip() for part in policy.split(";")
            if part.strip() and not part.strip().lower().startswith("frame-ancestors")]
    return "; ".join([*kept, "frame-ancestors 'none'"])


def init_app(app: Flask, *, production: bool) -> None:
    """Add the headers to every response of ``app`` (after the blueprints' own hooks).

    Args:
        app: the district service.
        production: whether to send HSTS (only a production service is HTTPS-only).
    """

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("X-Content-Type-Options", "nosniff")
        policy = headers.get("Content-Security-Policy")
        if policy:
            headers["Content-Security-Policy"] = with_frame_ancestors(policy)
        elif response.mimetype == "text/html":
            headers["Content-Security-Policy"] = DEFAULT_POLICY
        if production:
            headers["Strict-Transport-Security"] = HSTS
        return response
