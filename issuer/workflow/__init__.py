"""The evidence-and-review workflow (issue #4): accounts, access, submissions, reviews.

Services here take a SQLAlchemy session and the time, like :mod:`issuer.services`;
the web layer (``issuer/web/{auth,catalogue,submissions,reviews,wallet,dashboard}.py``)
only parses requests, calls them and renders.
"""
