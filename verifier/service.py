"""The verification service: the pure core wired to the network, the clock and a registry.

:class:`Verifier` is what the CLI, the JSON API and the report page call. It
supplies :func:`badges.verify.verify_credential` with the SSRF-safe
:class:`~verifier.fetch.Fetcher` (or nothing, offline), a status checker
over that fetcher, a trust registry and the current time.

Status lists are fetched through the fetcher's cache, and a list whose
signature was checked is remembered by its URL and the SHA-256 of its content
(:class:`ListVerifications`), so a busy verifier checks each published
version of a list once, not once per credential. Nothing else is remembered
between verifications: every credential is verified in full.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import Any
from typing import Final
from typing import NamedTuple
from typing import Protocol

from badges.clr_verify import ClrReport
from badges.clr_verify import is_clr
from badges.clr_verify import verify_clr
from badges.errors import BadgesError
from badges.intake import MAX_JSON_DEPTH
from badges.intake import MAX_TEXT_BYTES
from badges.report import CHECK_IDS
from badges.report import CheckResult
from badges.report import Outcome
from badges.report import VerificationReport
from badges.status import make_status_checker
from badges.trust import Registries
from badges.trust import RegistryLike
from badges.trust import TrustRegistry
from badges.verify import verify_credential
from badges.verify import verify_embedded
from badges.verify import verify_signature
from verifier.clock import Clock
from verifier.clock import system_clock
from verifier.fetch import Budget
from verifier.fetch import Fetcher
from verifier.intake import Submission
from verifier.intake import unreadable


class RegistrySourceLike(Protocol):
    """Anything that yields the current lists (:class:`verifier.registry.RegistryChain`)."""

    def current(self) -> TrustRegistry | Registries | None:
        """The lists to use now."""
        ...


@dataclass
class ListVerifications:
    """Signature checks of status list credentials, by URL and content hash, for a while.

    A status list changes only when its issuer republishes it, and then its
    content (and hash) changes. A remembered check expires after ``ttl``
    seconds so a key the issuer withdrew stops vouching for a list soon.
    """

    fetch: Callable[[str], Mapping[str, Any]] | None = None
    ttl: float = 300.0
    size: int = 256
    clock: Callable[[], float] = time.monotonic
    _done: OrderedDict[tuple[str, str], tuple[float, VerificationReport]] = field(
        default_factory=OrderedDict, repr=False)
    #: digests of the list objects last seen (the fetcher's cache hands out the
    #: same object until it expires), held so an ``id`` is never reused
    _digests: OrderedDict[int, tuple[Mapping[str, Any], str]] = field(
        default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _digest(self, listing: Mapping[str, Any]) -> str:
        with self._lock:
            known = self._digests.get(id(listing))
        if known is not None and known[0] is listing:
            return known[1]
        digest = hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()
        with self._lock:
            self._digests[id(listing)] = (listing, digest)
            while len(self._digests) > 16:
                self._digests.popitem(last=False)
        return digest

    def __call__(self, listing: Mapping[str, Any],
                 fetch: Callable[[str], Mapping[str, Any]] | None = None) -> VerificationReport:
        """Check ``listing``'s proof and key binding (remembered by content).

        ``fetch`` resolves the list's key (the verification's own, with its
        budget); without it, the one given at construction.
        """
        fetch = fetch or self.fetch
        try:
            digest = self._digest(listing)
        except (TypeError, ValueError):  # pragma: no cover - fetched JSON always serializes
            return verify_signature(listing, fetch_document=fetch)
        key = (str(listing.get("id")), digest)
        now = self.clock()
        with self._lock:
            hit = self._done.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        report = verify_signature(listing, fetch_document=fetch)
        if report.verified:
            with self._lock:
                self._done[key] = (now + self.ttl, report)
                self._done.move_to_end(key)
                while len(self._done) > self.size:
                    self._done.popitem(last=False)
        return report


class JsonSize(NamedTuple):
    """A parsed JSON value's size: its JSON values and its depth (1: no nesting)."""

    values: int
    depth: int


#: The size of what was not parsed here (the core reads it).
UNPARSED: Final = JsonSize(0, 0)


def json_size(value: Any, max_depth: int) -> JsonSize | None:
    """How many JSON values ``value`` holds and how deep, or None when deeper than ``max_depth``.

    ``value`` comes from :func:`json.loads`, so its containers are exactly
    ``dict`` and ``list`` (compared by ``type``, much cheaper than
    ``isinstance``). One pass, level by level: the size predicts what
    verifying it costs (:mod:`verifier.admission`).
    """
    level: list[Any] = [value]
    count = 1
    for depth in range(1, max_depth + 1):
        deeper: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            count += len(children)
            for child in children:
                kind = type(child)
                if kind is dict or kind is list:
                    deeper.append(child)
        if not deeper:
            return JsonSize(count, depth)
        level = deeper
    return None


def read_credential_json(data: bytes | str) -> tuple[dict[str, Any] | None, JsonSize]:
    """Parse a JSON credential object quickly: ``(the object, its size)``.

    ``(None, UNPARSED)`` lets the core read ``data`` itself: the same bounds as
    :func:`badges.intake.parse_json` (size, nesting) are checked on the parsed
    value instead of by scanning the text first, and anything that is not
    plainly a JSON object within bounds then gets the core's usual result and
    error code.
    """
    if len(data) > MAX_TEXT_BYTES or data.lstrip()[:1] not in (b"{", "{"):
        return None, UNPARSED
    try:
        value = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None, UNPARSED
    if not isinstance(value, dict):
        return None, UNPARSED
    size = json_size(value, MAX_JSON_DEPTH)
    return (value, size) if size is not None else (None, UNPARSED)


def parse_credential_json(data: bytes | str) -> dict[str, Any] | None:
    """Parse a JSON credential object quickly, or None to let the core read ``data``.

    See :func:`read_credential_json`.
    """
    return read_credential_json(data)[0]


def unreadable_report(exc: BadgesError) -> VerificationReport:
    """The report for an input that could not be read at all (format failed)."""
    first = CheckResult("format", Outcome.FAILED, exc.code, unreadable(exc))
    rest = tuple(CheckResult(c, Outcome.SKIPPED, "input_unreadable",
                             "Not checked, because the input is not a readable Open Badge.")
                 for c in CHECK_IDS[1:])
    return VerificationReport((first, *rest))


#: Answers for documents a deployment publishes itself, or None for any other target.
LocalDocuments = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True, slots=True)
class _LocalFirst:
    """Fetch through ``local`` when it knows the target, else through the network."""

    local: LocalDocuments
    network: Callable[[str], Mapping[str, Any]]

    def __call__(self, target: str) -> Mapping[str, Any]:
        found = self.local(target)
        return found if found is not None else self.network(target)


@dataclass
class Verifier:
    """Verifies credentials with network access (or offline, with ``fetcher=None``).

    Attributes:
        fetcher: the SSRF-safe network fetcher, or None to fetch nothing.
        registry: the known issuers (or a source of the current registry).
        clock: the source of "now".
        local: documents this deployment publishes itself, answered without
            the network or its cache (the district service passes its
            :class:`issuer.services.published.PublishedDocuments`, so its own
            revocations are seen at once); used only with a fetcher.
        max_fetches: network fetches one verification may make.
        max_seconds: the time every fetch of one verification must fit in.
    """

    fetcher: Fetcher | None = None
    registry: TrustRegistry | Registries | RegistrySourceLike | None = None
    clock: Clock = system_clock
    local: LocalDocuments | None = None
    max_fetches: int = 12
    max_seconds: float = 20.0
    _lists: ListVerifications | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.fetcher is not None and self._lists is None:
            self._lists = ListVerifications(ttl=self.fetcher.policy.cache_seconds)

    def budget(self) -> Budget:
        """A fresh network allowance for one verification."""
        return Budget.start(fetches=self.max_fetches, seconds=self.max_seconds)

    def fetch_for(self, budget: Budget) -> Callable[[str], Mapping[str, Any]] | None:
        """The document fetch of one verification: our own documents first, then the network."""
        if self.fetcher is None:
            return None
        network = self.fetcher.with_budget(budget)
        return network if self.local is None else _LocalFirst(self.local, network)

    def current_registry(self) -> RegistryLike:
        """The lists of known issuers in force now (none configured: an empty list).

        The verifier always judges issuer trust: with no list, every issuer is
        unknown, and no badge reads "verified" on its signature alone.
        """
        found = self.registry.current() if self.registry is not None and \
            hasattr(self.registry, "current") else self.registry
        if isinstance(found, TrustRegistry | Registries):
            return found
        return Registries()

    def read(self, data: bytes | str | Mapping[str, Any]) -> bytes | str | Mapping[str, Any]:
        """``data`` parsed once when it is plainly a JSON object (:func:`parse_credential_json`).

        What :meth:`clr_of` and :meth:`verify` then both take, so a request's
        body is parsed once, not once per question asked of it.
        """
        return self.read_sized(data)[0]

    def read_sized(self, data: bytes | str | Mapping[str, Any],
                   ) -> tuple[bytes | str | Mapping[str, Any], JsonSize]:
        """:meth:`read`, with the JSON measured (:data:`UNPARSED` when not parsed here)."""
        if isinstance(data, bytes | str):
            found, size = read_credential_json(data)
            return (found, size) if found is not None else (data, UNPARSED)
        return data, UNPARSED

    def verify(self, data: bytes | str | Mapping[str, Any], *,
               recipient: str | None = None) -> VerificationReport:
        """Verify one credential in any accepted form; never raises for bad input.

        ``recipient`` (an e-mail address) adds the recipient check to an Open
        Badges 2.0 badge (:func:`badges.ob2.verify.check_recipient`).
        """
        data = self.read(data)
        now = self.clock()
        fetch = self.fetch_for(self.budget())
        checker = None
        if fetch is not None and self._lists is not None:
            checker = make_status_checker(fetch_document=fetch, now=now,
                                          verify_list=partial(self._lists, fetch=fetch))
        return verify_credential(data, now=now, fetch_document=fetch,
                                 check_status=checker, registry=self.current_registry(),
                                 recipient=recipient)

    def verify_endorsement(self, item: Any) -> VerificationReport:
        """Verify one EndorsementCredential (JSON or compact JWS) with every check (OB 3.0 §9.1).

        :func:`badges.verify.verify_embedded` with ``kind="endorsement"``: what
        the endorsements check does for each endorsement a credential carries,
        for pages that show an endorsement on its own (an achievement page).
        """
        now = self.clock()
        fetch = self.fetch_for(self.budget())
        checker = None
        if fetch is not None and self._lists is not None:
            checker = make_status_checker(fetch_document=fetch, now=now,
                                          verify_list=partial(self._lists, fetch=fetch))
        return verify_embedded(item, kind="endorsement", now=now, fetch_document=fetch,
                               check_status=checker, registry=self.current_registry())

    def clr_of(self, data: bytes | str | Mapping[str, Any]) -> dict[str, Any] | None:
        """``data`` as a CLR 2.0 ``ClrCredential`` JSON object, or None when it is not one."""
        found = self.read(data)
        return dict(found) if isinstance(found, Mapping) and is_clr(found) else None

    def verify_clr(self, record: Mapping[str, Any]) -> ClrReport:
        """Verify a CLR and every credential it embeds (:func:`badges.clr_verify.verify_clr`).

        One network allowance covers the whole record (its issuer's DID and
        status lists are fetched once and cached by the fetcher).
        """
        now = self.clock()
        fetch = self.fetch_for(Budget.start(fetches=self.max_fetches * 4,
                                            seconds=self.max_seconds * 2))
        checker = None
        if fetch is not None and self._lists is not None:
            checker = make_status_checker(fetch_document=fetch, now=now,
                                          verify_list=partial(self._lists, fetch=fetch))
        return verify_clr(record, now=now, fetch_document=fetch, check_status=checker,
                          registry=self.current_registry())

    def verify_submission(self, submission: Submission, *,
                          recipient: str | None = None) -> VerificationReport:
        """Verify what :mod:`verifier.intake` read (``recipient`` as for :meth:`verify`)."""
        return self.verify(submission.data, recipient=recipient)
