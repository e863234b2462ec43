"""Open Badges 2.0 verification: hosted and signed assertions, plain or baked.

Open Badges 2.0 (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html)
is what most badges teachers already hold carry (Credly, Badgr/Canvas
Credentials, Open Badge Factory). It is not a verifiable credential: an
*Assertion* names a *BadgeClass* by URL, which names an issuer *Profile* by URL,
and it is verified in one of two ways (OB 2.0 "Verification"):

* **hosted**: the issuer's server publishes the assertion at its ``id``; the
  badge is good while that server says so (no signature at all);
* **signed**: the assertion is the payload of a compact JWS, signed with a key
  the issuer profile publishes (a ``CryptographicKey`` with ``publicKeyPem``).

:mod:`badges.ob2.model` recognises OB 2.0 input, :mod:`badges.ob2.jws` checks a
signature with a fixed list of algorithms, :mod:`badges.ob2.verify` runs the
verification steps and answers with the same
:class:`~badges.report.VerificationReport` as OB 3.0. Like the rest of the core,
nothing here does I/O: documents come from a loader function the caller passes.
"""

from __future__ import annotations

from badges.ob2.model import Ob2Input
from badges.ob2.model import detect
from badges.ob2.verify import verify_assertion

__all__ = ["Ob2Input", "detect", "verify_assertion"]
