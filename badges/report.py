"""The verification report: one result per check, with stable ids and codes.

Shaped after OB 3.0 §9 (Verification and Validation) and the 1EdTech
validator's probe levels: each check has an ``id`` from :data:`CHECK_IDS`, an
:class:`Outcome`, a stable snake_case ``code`` and a plain-language
``message``. The report's verdict, and so ``verified``, is decided by
:mod:`badges.verdict`, the one place that reads the checks as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from badges.verdict import Decision
    from badges.verdict import Verdict

#: The checks, in the order they run.
CHECK_IDS: tuple[str, ...] = (
    "format",
    "schema",
    "context",
    "proof",
    "key_binding",
    "validity_period",
    "status",
    "issuer_trust",
    "endorsements",
)

#: Checks that run only when asked: ``recipient`` (an Open Badges 2.0 badge checked
#: against the recipient the verifier's user names), after every other check.
OPTIONAL_CHECK_IDS: tuple[str, ...] = ("recipient",)


class Outcome(StrEnum):
    """How a check ended."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    INDETERMINATE = "indeterminate"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome.

    Attributes:
        id: one of :data:`CHECK_IDS`.
        outcome: the :class:`Outcome`.
        code: a stable snake_case code (``signature_invalid``, ``revoked``...).
        message: one plain-language sentence for people.
        detail: technical detail (paths, ids, hashes) for experts.
    """

    id: str
    outcome: Outcome
    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``{id, outcome, code, message[, detail]}``."""
        out: dict[str, Any] = {
            "id": self.id,
            "outcome": self.outcome.value,
            "code": self.code,
            "message": self.message,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of :func:`badges.verify.verify_credential`.

    Attributes:
        checks: every check, in :data:`CHECK_IDS` order.
        credential: the credential that was examined (JSON), when it could be read.
        format: ``json`` (embedded proof), ``jwt``, ``ob2_hosted`` or
            ``ob2_signed`` (an Open Badges 2.0 assertion), or ``unknown``.
        linked: for Open Badges 2.0, the documents the assertion leads to
            (``badge``: its BadgeClass, ``issuer``: the issuer Profile), as read.
    """

    checks: tuple[CheckResult, ...]
    credential: dict[str, Any] | None = None
    format: str = "unknown"
    linked: dict[str, Any] | None = None
    #: :attr:`decision`, worked out once (the API, the page and the metrics each ask)
    _decision: Decision | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def standard(self) -> str:
        """``Open Badges 2.0`` for an OB 2.0 assertion, else ``Open Badges 3.0``."""
        return "Open Badges 2.0" if self.format.startswith("ob2") else "Open Badges 3.0"

    @property
    def decision(self) -> Decision:
        """The verdict and the checks that decided it (:func:`badges.verdict.decide`)."""
        if self._decision is None:
            from badges.verdict import decide  # the classifier reads reports: import late

            object.__setattr__(self, "_decision", decide(self))
        assert self._decision is not None
        return self._decision

    @property
    def verdict(self) -> Verdict:
        """One word for the whole report (:class:`badges.verdict.Verdict`)."""
        return self.decision.verdict

    @property
    def verified(self) -> bool:
        """True only when the verdict is ``verified``: nothing failed or stayed unchecked."""
        from badges.verdict import Verdict

        return self.verdict == Verdict.VERIFIED

    def check(self, check_id: str) -> CheckResult | None:
        """The result of check ``check_id``, if it ran."""
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that failed or stayed indeterminate."""
        return tuple(
            c for c in self.checks if c.outcome in (Outcome.FAILED, Outcome.INDETERMINATE)
        )

    def to_json(self) -> dict[str, Any]:
        """JSON form, as printed by ``badges verify --json`` and the API."""
        verdict = self.verdict
        return {
            "verified": verdict == "verified",
            "verdict": verdict.value,
            "format": self.format,
            "checks": [c.to_json() for c in self.checks],
        }
