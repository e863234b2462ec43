"""Open Badges 3.0 credential core: pure, with no network, database, clock or file access.

The public surface is re-exported here; see the modules for the spec sections
they implement.
"""
