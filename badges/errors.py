"""Errors raised by the credential core.

Every error carries a stable machine-readable ``code`` (snake_case) and a
human message. :func:`badges.verify.verify_credential` never lets one escape:
it turns each into a failed check of its report.
"""

from __future__ import annotations


class BadgesError(Exception):
    """Base class: a problem with an input, with a stable ``code``."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable message."""
        return str(self.args[0]) if self.args else self.code


class InputError(BadgesError):
    """The input could not be read (bad JSON, bad image, too large...)."""

    code = "unreadable_input"


class JsonLdError(BadgesError):
    """JSON-LD processing failed (unknown context, undefined term...)."""

    code = "jsonld_error"


class ProofError(BadgesError):
    """A proof could not be created or checked."""

    code = "proof_error"


class KeyError_(BadgesError):
    """A key is malformed or of an unsupported kind."""

    code = "invalid_key"


class SchemaError(BadgesError):
    """A document does not pass the Open Badges JSON Schema."""

    code = "schema_invalid"


class CanonicalizationError(BadgesError):
    """Canonicalization was refused: the dataset needs more work than allowed.

    Raised when a dataset exceeds the ``max_work`` budget of
    :func:`badges.rdfc.canonicalize`, which is how RDFC-1.0 §7.1 (Dataset
    Poisoning) asks implementations to protect themselves against datasets
    crafted to make canonicalization take exponential time. Defined here, not in
    the compiled :mod:`badges.rdfc`, because a class compiled by mypyc does not
    keep a subclass's class-level ``code`` (see :mod:`badges.native`).
    """

    code = "canonicalization_limit"


class MultibaseError(BadgesError):
    """A multibase string is malformed (defined here for the reason above)."""

    code = "invalid_multibase"
