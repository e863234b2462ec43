"""The error types services raise: a stable code, a message, an HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; nothing has been written.

    Attributes:
        code: stable snake_case code (``unknown_issuer``, ``invalid_email``...).
        status: the HTTP status an API answers with (4xx).
        problems: for a refused document (an achievement definition), every
            problem found, each ``{"field": "rubric.criteria[0].levels[1].description",
            "problem": "..."}``; empty otherwise.
    """

    def __init__(self, message: str, *, code: str, status: int = 400,
                 problems: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.problems: list[dict[str, str]] = list(problems or [])

    @property
    def message(self) -> str:
        """The human-readable message."""
        return str(self.args[0])


class ProtocolError(Exception):
    """A refused wallet protocol request (OpenID4VCI, VC-API), answered in that protocol's JSON.

    Attributes:
        error: a stable code (``invalid_grant``, ``exchange_not_found``...).
        description: for people.
        status: the HTTP status.
    """

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def not_found(what: str, code: str) -> ServiceError:
    """A 404 ServiceError."""
    return ServiceError(f"{what} was not found", code=code, status=404)
