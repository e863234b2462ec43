"""PyLD as the reference implementation, with one correction.

PyLD 3.3.0 writes canonical N-Quads escaping only backslash, tab, line feed,
carriage return and the double quote. RDFC-1.0 (canonical N-Quads, RDF 1.2)
and the JavaScript stack also escape the other control characters, and so do
we (:func:`badges.rdfc.escape_literal`). For the differential tests PyLD's
serializer is given the spec's escaping, so PyLD still checks everything else:
expansion, blank-node labelling and ordering.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyld import nquads

from badges.rdfc import escape_literal


@pytest.fixture(autouse=True)
def _pyld_with_spec_escaping(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(nquads, "escape", escape_literal)
    yield
