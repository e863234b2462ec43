"""Open Badges 3.0 credential core: pure, with no network, database, clock or file access.

The public surface is re-exported here; see the modules for the spec sections
they implement. The one file access at import is :mod:`badges.native` comparing
the compiled hot-path modules with their sources.
"""

from badges import native as _native

_native.install()
