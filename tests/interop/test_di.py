"""Data Integrity ``eddsa-rdfc-2022`` interop with Digital Bazaar's JavaScript stack.

The independent implementation is ``@digitalbazaar/vc`` 7 +
``@digitalbazaar/data-integrity`` + ``@digitalbazaar/eddsa-rdfc-2022-cryptosuite``
(jsonld.js + rdf-canonize), run in Node with a strictly offline document
loader over the same bundled contexts (tests/interop/js/loader.mjs).

Checked in both directions, for every content case in ``credentials.CASES``
(including value objects with ``@language``/``@direction``, tampered by flipping
either):

* badges signs -> Digital Bazaar verifies; any one-character change -> rejected;
* Digital Bazaar signs -> badges verifies; any one-character change -> proof failed;
* same key + same ``created`` -> the *identical* proof (Ed25519 is
  deterministic, so equal proofValues mean both sides hashed byte-identical
  canonical N-Quads).

All JavaScript work is done in two Node processes per module (sign, verify).
"""

from __future__ import annotations

from typing import Any

import pytest

from badges import jsonld
from badges import keys
from badges.dataintegrity import proofs_of
from badges.dataintegrity import sign_credential
from badges.dataintegrity import verify_proof
from badges.errors import BadgesError
from tests.interop.credentials import CASES
from tests.interop.credentials import CREATED
from tests.interop.credentials import HTTPS_CASES
from tests.interop.credentials import HTTPS_ISSUER
from tests.interop.credentials import I18N_CASES
from tests.interop.credentials import I18N_TAMPERS
from tests.interop.credentials import NOW
from tests.interop.credentials import NOW_ISO
from tests.interop.credentials import TAMPERS
from tests.interop.credentials import case_credential
from tests.interop.credentials import controller_document
from tests.interop.credentials import tampered
from tests.interop.node import run_batch

#: Every signed case: content case x issuer form (did:key, https URL + #z6Mk...).
SIGNED_CASES = [f"didkey-{c}" for c in CASES] + [f"https-{c}" for c in HTTPS_CASES]
#: Tampered variants checked in each direction.
TAMPERED = [(case, t) for case in SIGNED_CASES for t in TAMPERS] + [
    (case, t) for case in SIGNED_CASES if case.split("-", 1)[1] in I18N_CASES
    for t in I18N_TAMPERS]

#: Known deviation of the JavaScript side, not of badges: rdf-canonize sorts
#: N-Quads with JavaScript's default sort (UTF-16 code units), while RDFC-1.0
#: requires Unicode code point order. They disagree when one literal has an
#: astral character (surrogate pair, D800-DFFF) where another has U+E000-U+FFFF.
#: strict: if either side changes, this turns into a failure to look at.
RDF_CANONIZE_SORT = pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # only a mismatch is expected; setup errors still fail
    reason="rdf-canonize 5.0.0 sorts N-Quads by UTF-16 code unit, not code point as "
           "RDFC-1.0 requires (digitalbazaar/rdf-canonize#52, open)")
KNOWN_JS_DEVIATIONS = {"sort_order_astral": RDF_CANONIZE_SORT}


def cases(names: list[str]) -> list[Any]:
    """``names`` as pytest params, with the known-deviation marks applied."""
    out = []
    for name in names:
        mark = KNOWN_JS_DEVIATIONS.get(name.split("-", 1)[1])
        out.append(pytest.param(name, marks=mark) if mark else name)
    return out


class Setup:
    """Everything computed once per module (keys, credentials, Node answers)."""

    def __init__(self) -> None:
        did_key = keys.generate("ed25519")
        https_key = did_key.with_controller(HTTPS_ISSUER)
        self.keys = {"didkey": did_key, "https": https_key}
        self.documents = {HTTPS_ISSUER: controller_document(https_key.to_json())}
        self.unsigned: dict[str, dict[str, Any]] = {}
        for name in SIGNED_CASES:
            form, case = name.split("-", 1)
            self.unsigned[name] = case_credential(case, self.keys[form].controller)
        self._db_signed: dict[str, dict[str, Any]] | None = None
        self._db_canonical: dict[str, dict[str, Any]] | None = None
        self._db_verdicts: dict[tuple[str, ...], dict[str, Any]] | None = None

    def key(self, name: str) -> keys.KeyPair:
        return self.keys[name.split("-", 1)[0]]

    # badges side -------------------------------------------------------------------------

    @property
    def badges_signed(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_badges_signed"):
            self._badges_signed = {
                name: sign_credential(cred, key=self.key(name), created=CREATED)
                for name, cred in self.unsigned.items()
            }
        return self._badges_signed

    # Digital Bazaar side ------------------------------------------------------------------

    @property
    def db_signed(self) -> dict[str, dict[str, Any]]:
        """Digital Bazaar's answers to sign-di.mjs: {credential} or {error}."""
        if self._db_signed is None:
            items = [{"credential": cred, "key": self.key(name).to_json()}
                     for name, cred in self.unsigned.items()]
            results = run_batch("sign-di.mjs", items, created=CREATED)
            self._db_signed = dict(zip(self.unsigned, results, strict=True))
        return self._db_signed

    def db_credential(self, name: str) -> dict[str, Any]:
        result = self.db_signed[name]
        assert "credential" in result, f"Digital Bazaar could not sign {name}: {result}"
        cred: dict[str, Any] = result["credential"]
        return cred

    @property
    def db_canonical(self) -> dict[str, dict[str, Any]]:
        """canonize.mjs answers ({nquads} or {error}) for each unsigned credential."""
        if self._db_canonical is None:
            items = [{"document": cred} for cred in self.unsigned.values()]
            results = run_batch("canonize.mjs", items)
            self._db_canonical = dict(zip(self.unsigned, results, strict=True))
        return self._db_canonical

    @property
    def db_verdicts(self) -> dict[tuple[str, ...], dict[str, Any]]:
        """verify-di.mjs answers, one Node run for every credential this module checks.

        Keys: ("badges", case), ("badges", case, tamper), ("db", case).
        """
        if self._db_verdicts is None:
            jobs: dict[tuple[str, ...], dict[str, Any]] = {}
            for name, cred in self.badges_signed.items():
                jobs["badges", name] = cred
            for name, tamper in TAMPERED:
                jobs["badges", name, tamper] = tampered(self.badges_signed[name], tamper)
            for name, result in self.db_signed.items():
                if "credential" in result:
                    jobs["db", name] = result["credential"]
            results = run_batch("verify-di.mjs", [{"credential": c} for c in jobs.values()],
                                now=NOW_ISO, documents=self.documents, timeout=120)
            self._db_verdicts = dict(zip(jobs, results, strict=True))
        return self._db_verdicts


@pytest.fixture(scope="module")
def setup() -> Setup:
    return Setup()


def badges_proof_outcome(credential: dict[str, Any]) -> tuple[str, Any]:
    """badges' full verifier: the ``proof`` check's outcome (and the check, for messages)."""
    from badges.verify import verify_credential  # the lead's verifier (may land later)

    report = verify_credential(credential, now=NOW)
    check = report.check("proof")
    assert check is not None, f"no proof check in report: {report.to_json()}"
    return str(check.outcome), check


# --- badges -> Digital Bazaar ----------------------------------------------------------


@pytest.mark.parametrize("name", cases(SIGNED_CASES))
def test_badges_signed_db_verifies(setup: Setup, name: str) -> None:
    verdict = setup.db_verdicts["badges", name]
    assert verdict["verified"] is True, (
        f"Digital Bazaar rejects the badges-signed credential: {verdict['errors']}")


@pytest.mark.parametrize(("name", "tamper"), TAMPERED)
def test_badges_signed_tampered_db_rejects(setup: Setup, name: str, tamper: str) -> None:
    verdict = setup.db_verdicts["badges", name, tamper]
    assert verdict["verified"] is False
    assert verdict["errors"], "rejected without a reason"


# --- Digital Bazaar -> badges ----------------------------------------------------------


@pytest.mark.parametrize("name", SIGNED_CASES)
def test_db_signs(setup: Setup, name: str) -> None:
    """Digital Bazaar signs every case and accepts its own signature (sanity check)."""
    cred = setup.db_credential(name)
    assert setup.db_verdicts["db", name]["verified"] is True, setup.db_verdicts["db", name]
    proof = proofs_of(cred)[0]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == setup.key(name).id


@pytest.mark.parametrize("name", cases(SIGNED_CASES))
def test_db_signed_badges_proof_check(setup: Setup, name: str) -> None:
    """The low-level check: badges' eddsa-rdfc-2022 verification with the known key."""
    cred = setup.db_credential(name)
    assert verify_proof(cred, proofs_of(cred)[0], setup.key(name).public) is True


@pytest.mark.parametrize("name", cases(SIGNED_CASES))
def test_db_signed_badges_verifies(setup: Setup, name: str) -> None:
    """The full verifier (key resolved from the proof's verificationMethod)."""
    outcome, check = badges_proof_outcome(setup.db_credential(name))
    assert outcome == "passed", check


@pytest.mark.parametrize(("name", "tamper"), TAMPERED)
def test_db_signed_tampered_badges_rejects(setup: Setup, name: str, tamper: str) -> None:
    bad = tampered(setup.db_credential(name), tamper)
    try:
        ok = verify_proof(bad, proofs_of(bad)[0], setup.key(name).public)
    except BadgesError:  # a refusal (e.g. malformed proofValue) is a rejection too
        ok = False
    assert ok is False
    outcome, check = badges_proof_outcome(bad)
    assert outcome == "failed", check


# --- canonical identity ----------------------------------------------------------------


@pytest.mark.parametrize("name", cases(SIGNED_CASES))
def test_identical_proof(setup: Setup, name: str) -> None:
    """Same key, same ``created``: both implementations produce the same proof.

    Ed25519 is deterministic (RFC 8032), so an identical proofValue proves the
    two sides signed the same 64 bytes: identical RDFC-1.0 canonical N-Quads of
    both the document and the proof configuration.
    """
    ours = proofs_of(setup.badges_signed[name])
    theirs = proofs_of(setup.db_credential(name))
    assert len(ours) == len(theirs) == 1
    assert ours[0]["proofValue"] == theirs[0]["proofValue"], (
        "different signatures over the same credential: the canonical N-Quads differ")
    assert ours[0] == theirs[0]
    # and apart from the proof (array vs object), the documents are the same
    ours_doc = {k: v for k, v in setup.badges_signed[name].items() if k != "proof"}
    theirs_doc = {k: v for k, v in setup.db_credential(name).items() if k != "proof"}
    assert ours_doc == theirs_doc


def _nquads_diff(ours: str, theirs: str) -> str:
    a, b = ours.split("\n"), theirs.split("\n")
    only_ours = [q for q in a if q not in b]
    only_theirs = [q for q in b if q not in a]
    if not only_ours and not only_theirs:
        return "same quads, different order"
    return ("quads only in badges:\n  " + "\n  ".join(map(ascii, only_ours))
            + "\nquads only in Digital Bazaar:\n  " + "\n  ".join(map(ascii, only_theirs)))


@pytest.mark.parametrize("name", cases(SIGNED_CASES))
def test_identical_canonical_nquads(setup: Setup, name: str) -> None:
    """RDFC-1.0 canonical N-Quads of the unsigned credential are byte-identical.

    The diagnostic behind a proofValue mismatch: names the differing quads.
    """
    theirs = setup.db_canonical[name]
    assert "nquads" in theirs, f"Digital Bazaar could not canonicalize {name}: {theirs}"
    ours = jsonld.canonize(setup.unsigned[name])
    assert ours == theirs["nquads"], _nquads_diff(ours, theirs["nquads"])


def _utf16_key(line: str) -> bytes:
    return line.encode("utf-16-be")


def test_sort_order_deviation_is_only_ordering(setup: Setup) -> None:
    """Pin down the known rdf-canonize deviation exactly (see RDF_CANONIZE_SORT).

    Same quads on both sides; badges orders them by code point (RDFC-1.0 §4.4.3
    via "Unicode code point order"), Digital Bazaar by UTF-16 code unit.
    """
    name = "didkey-sort_order_astral"
    ours = jsonld.canonize(setup.unsigned[name]).splitlines()
    theirs = setup.db_canonical[name]["nquads"].splitlines()
    assert sorted(ours) == sorted(theirs)
    assert ours == sorted(ours)  # Python str order is code point order
    assert theirs == sorted(theirs, key=_utf16_key)
    assert ours != theirs, "the case no longer separates the two orders"
