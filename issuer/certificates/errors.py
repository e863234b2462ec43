"""The error certificates raise: a :class:`ServiceError` that survives a process pool."""

from __future__ import annotations

from typing import Any

from issuer.services.errors import ServiceError


class CertificateError(ServiceError):
    """A certificate that cannot be made, with a stable code and a clear message.

    Codes: ``field_too_long``, ``invalid_field`` (certificate content);
    ``template_invalid``, ``template_too_costly``, ``template_asset_refused``,
    ``template_not_found``, ``invalid_paper`` (templates); ``render_failed``
    (anything else WeasyPrint reports).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by message, code and status (batch workers send errors back)."""
        return (_rebuild, (self.message, self.code, self.status))


def _rebuild(message: str, code: str, status: int) -> CertificateError:
    return CertificateError(message, code=code, status=status)


def template_error(message: str, *, code: str = "template_invalid") -> CertificateError:
    """A 422 error about a certificate template."""
    return CertificateError(message, code=code, status=422)
