"""PDF certificates that verify themselves (issue #7).

* :mod:`~issuer.certificates.content`: what a certificate shows, bounded;
* :mod:`~issuer.certificates.templates`: template folders, checked;
* :mod:`~issuer.certificates.fetcher`: WeasyPrint may read the template's files, nothing else;
* :mod:`~issuer.certificates.qr`: the verification URL as a QR code;
* :mod:`~issuer.certificates.render`: WeasyPrint to PDF/A-3b with the credential attached;
* :mod:`~issuer.certificates.batch`: many at once on a process pool;
* :mod:`~issuer.certificates.store` and :mod:`~issuer.certificates.service`:
  districts' templates on disk, certificates for stored credentials, previews.

Reading a certificate back (its attachment, and whether the page shows that
credential) is the core's job: :mod:`badges.pdf`.
"""

from __future__ import annotations

from issuer.certificates.batch import BatchItem
from issuer.certificates.batch import BatchResult
from issuer.certificates.batch import CertificatePool
from issuer.certificates.batch import render_batch
from issuer.certificates.content import Alignment
from issuer.certificates.content import Certificate
from issuer.certificates.content import Signatory
from issuer.certificates.errors import CertificateError
from issuer.certificates.render import DEFAULT_PAPER
from issuer.certificates.render import PAPERS
from issuer.certificates.render import Rendered
from issuer.certificates.render import Renderer

__all__ = [
    # types
    "Alignment", "BatchItem", "BatchResult", "Certificate", "CertificateError",
    "CertificatePool", "Rendered", "Renderer", "Signatory",
    # methods
    "render_batch",
    # consts
    "DEFAULT_PAPER", "PAPERS",
]
