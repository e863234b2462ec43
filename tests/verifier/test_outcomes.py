"""The outcome table, run: every result the verifier reports, as a person and a program see it.

For each row of :data:`tests.verifier.outcome_rows.ROWS`, in each of its
formats (Data Integrity JSON, VC-JWT) and roles:

* **top**: the credential goes to the JSON API and to the report page in
  English and Spanish, through the verifier app with its real fetcher on the
  loopback server. The API's verdict and check, the page's verdict, heading,
  explanation and the check's sentence in both languages, and the signed
  receipt's result must all say the same thing.
* **endorsement**: the credential is an endorsement embedded in a good badge.
  :func:`badges.verify.verify_embedded` must report the row's result and
  verdict for it, and the badge's ``endorsements`` check (API and page, both
  languages) must name the matching endorsement outcome.

Coverage is checked both ways: every result in the catalogue
(:data:`badges.verdict.CODES`) has a row that produces it, and every code the
sources can emit is in the catalogue, so a new code without a row fails here.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from badges.report import CHECK_IDS
from badges.report import CheckResult
from badges.report import Outcome
from badges.status import make_status_checker
from badges.trust import TrustRegistry
from badges.verdict import CODES
from badges.verdict import Verdict
from badges.verdict import decide_checks
from badges.verify import verify_credential
from badges.verify import verify_embedded
from tests.conftest import NOW
from tests.verifier.conftest import LOOPBACK
from tests.verifier.conftest import Documents
from tests.verifier.conftest import multipart
from tests.verifier.outcome_rows import GUARDS
from tests.verifier.outcome_rows import ROWS
from tests.verifier.outcome_rows import Row
from tests.verifier.outcomes import Maker
from tests.verifier.outcomes import Subject
from tests.verifier.outcomes import World
from tests.verifier.outcomes import host_badge
from verifier import create_app
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.i18n import Translator
from verifier.i18n import explanation_key
from verifier.i18n import verdict_key
from verifier.service import Verifier

#: What an endorsement's verdict makes of the badge's endorsements check.
ENDORSEMENT_RESULT = {
    Verdict.VERIFIED: (Outcome.PASSED, "endorsements_valid"),
    Verdict.UNKNOWN_ISSUER: (Outcome.WARNING, "endorsement_unknown_endorser"),
    Verdict.EXPIRED: (Outcome.WARNING, "endorsement_expired"),
    Verdict.UNCONFIRMED: (Outcome.INDETERMINATE, "endorsement_unchecked"),
    Verdict.FORGED: (Outcome.FAILED, "endorsement_forged"),
    Verdict.IMPERSONATION: (Outcome.FAILED, "endorsement_impersonation"),
    Verdict.INVALID: (Outcome.FAILED, "endorsement_invalid"),
    Verdict.UNREADABLE: (Outcome.FAILED, "endorsement_invalid"),
    Verdict.REVOKED: (Outcome.FAILED, "endorsement_revoked"),
    Verdict.SUSPENDED: (Outcome.FAILED, "endorsement_suspended"),
}
#: ... and of the badge's verdict: an expired endorsement is a warning only.
HOST_VERDICT = {Verdict.VERIFIED: Verdict.VERIFIED, Verdict.EXPIRED: Verdict.VERIFIED,
                Verdict.UNCONFIRMED: Verdict.UNCONFIRMED,
                Verdict.UNKNOWN_ISSUER: Verdict.VERIFIED}
#: The words the page shows for each endorsement outcome (English, Spanish).
ENDORSEMENT_WORDS = {
    "endorsements_valid": ("All 1 endorsements verified", "Todos los avales se verificaron"),
    "endorsement_expired": ("validity period has ended", "su periodo de validez terminó"),
    "endorsement_unknown_endorser": ("is not on this verifier's lists of known issuers",
                                     "no figura en las listas de emisores conocidos"),
    "endorsement_unchecked": ("could not be fully checked", "no se pudo comprobar por completo"),
    "endorsement_forged": ("is not genuine", "no es auténtico"),
    "endorsement_impersonation": ("borrows a known issuer's name",
                                  "usa el nombre de un emisor conocido"),
    "endorsement_invalid": ("did not verify", "no se pudo verificar"),
    "endorsement_revoked": ("has revoked its endorsement", "ha revocado su aval"),
    "endorsement_suspended": ("has suspended its endorsement", "ha suspendido su aval"),
}
#: Endorsement outcomes whose sentence repeats the reason (the endorsement's own check).
WITH_REASON = {"endorsement_forged", "endorsement_impersonation", "endorsement_invalid",
               "endorsement_unchecked"}


def _variants() -> Iterator[Any]:
    for name, row in ROWS.items():
        for fmt in row.formats:
            for role in row.roles:
                # a trickling server is cut by a timed wait, which libfaketime's shifted
                # clock makes hang: those rows read no dates and stay out of that run
                marks = [pytest.mark.realtime] if "trickles" in name else []
                yield pytest.param(name, fmt, role, id=f"{name}[{fmt},{role}]", marks=marks)


@pytest.fixture(scope="module")
def docs() -> Iterator[Documents]:
    server = Documents()
    yield server
    server.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    # hundreds of verifications from one test client: no per-client rate limit here
    return create_app({"env": "testing", "rate_limit": "0", "link_rate_limit": "0",
                       "instance_path": str(tmp_path_factory.mktemp("outcomes"))})


def _maker(docs: Documents, name: str, fmt: str, role: str) -> Maker:
    prefix = re.sub(r"[^a-z0-9]+", "-", f"{name}-{fmt}-{role}".lower())
    world = World(docs, prefix, offline=ROWS[name.removeprefix("cli ")].offline)
    if role == "top":
        issuer = world.issuer("Lakeside Unified School District")
        return Maker(world, fmt, role, issuer, issuer)  # type: ignore[arg-type]
    host = world.did_key_issuer("Lakeside Unified School District")
    endorser = world.issuer("State Board of Education")
    return Maker(world, fmt, role, endorser, host)  # type: ignore[arg-type]


def _use_verifier(app: Flask, maker: Maker, row: Row) -> Verifier:
    # a short deadline, so the rows about servers that trickle stay quick
    fetcher = None if row.offline else Fetcher(FetchPolicy(**LOOPBACK, timeout=2.0,
                                                           total_timeout=2.0))
    # the rows' issuers are on the verifier's list unless a row is about the list itself
    registry = row.registry(maker) if row.registry else TrustRegistry(
        issuers={maker.issuer.id: maker.issuer.name, maker.host.id: maker.host.name},
        name="the table's districts")
    maker.world.registry = registry
    verifier = Verifier(fetcher=fetcher, registry=registry, clock=lambda: NOW)
    app.extensions["verifier"].verifier = verifier
    return verifier


def _api(app: Flask, subject: Subject, row: Row) -> dict[str, Any]:
    client = app.test_client()
    url = "/api/v1/verify" + (f"?recipient={row.recipient}" if row.recipient else "")
    if isinstance(subject, bytes):
        response = client.post(url, **multipart({
            row.upload or "file": (io.BytesIO(subject), "input.bin")}))
    elif isinstance(subject, str):
        response = client.post(url, data=subject, content_type="text/plain")
    else:
        response = client.post(url, data=json.dumps(subject), content_type="application/json")
    payload: dict[str, Any] = response.get_json()
    assert payload is not None, response.get_data(as_text=True)[:500]
    return payload


def _page(app: Flask, subject: Subject, row: Row, lang: str) -> str:
    client = app.test_client()
    if isinstance(subject, bytes):
        fields: dict[str, Any] = {row.upload or "file": (io.BytesIO(subject), "input.bin")}
    else:
        fields = {"credential": subject if isinstance(subject, str) else json.dumps(subject)}
    if row.recipient:
        fields["recipient"] = row.recipient
    response = client.post("/verify", **multipart({**fields, "lang": lang}))
    page: str = response.get_data(as_text=True)
    return page


def _checks(payload: dict[str, Any]) -> list[CheckResult]:
    return [CheckResult(c["id"], Outcome(c["outcome"]), c["code"], c["message"],
                        c.get("detail", {})) for c in payload["checks"]]


def _seen(payload: dict[str, Any]) -> str:
    return "; ".join(f"{c['id']} {c['outcome']} {c['code']}" for c in payload["checks"])


def _has(payload: dict[str, Any], result: tuple[str, Outcome, str]) -> bool:
    check, outcome, code = result
    return any((c["id"], c["outcome"], c["code"]) == (check, outcome.value, code)
               for c in payload["checks"])


def _check_item(page: str, check: str) -> str:
    found = re.search(rf'<li id="check-{check}" data-outcome="(\w+)" data-code="(\w+)">'
                      r"(.*?)</li>", page, re.DOTALL)
    assert found is not None, f"no {check} check on the page"
    return found.group(0)


def _receipt(page: str) -> dict[str, Any]:
    found = re.search(r'id="receipt" href="data:application/json;base64,([^"]+)"', page)
    assert found is not None
    receipt: dict[str, Any] = json.loads(base64.b64decode(found.group(1)))
    return receipt


def _assert_page(page: str, lang: str, verdict: Verdict, checks: list[CheckResult],
                 check: str, outcome: Outcome, code: str, words: tuple[str, ...],
                 fmt: str = "") -> None:
    t = Translator(lang)
    assert f'data-verdict="{verdict.value}"' in page
    assert f'<html lang="{lang}">' in page
    text = html.unescape(page)
    assert t(verdict_key(verdict.value, fmt)) in text
    assert t(explanation_key(decide_checks(checks), fmt)) in text
    item = _check_item(page, check)
    assert f'data-outcome="{outcome.value}" data-code="{code}"' in item
    shown = html.unescape(re.sub(r"<details>.*", "", item, flags=re.DOTALL))
    for fragment in words:
        assert fragment in shown, f"{lang} page does not show {fragment!r}: {shown!r}"
    receipt = _receipt(page)
    assert receipt["credentialSubject"]["result"] == verdict.value
    assert receipt["credentialSubject"]["verified"] is (verdict == Verdict.VERIFIED)


@pytest.mark.parametrize(("name", "fmt", "role"), list(_variants()))
def test_outcome(name: str, fmt: str, role: str, app: Flask, docs: Documents) -> None:
    row = ROWS[name]
    maker = _maker(docs, name, fmt, role)
    verifier = _use_verifier(app, maker, row)
    built = row.build(maker)
    if role == "top":
        _top(app, row, built)
    else:
        _endorsed(app, row, maker, verifier, built)


def _top(app: Flask, row: Row, subject: Subject) -> None:
    payload = _api(app, subject, row)
    check, outcome, code = row.expect
    assert _has(payload, row.expect), _seen(payload)
    for other in row.also:
        assert _has(payload, other), (other, _seen(payload))
    assert payload["verdict"] == row.verdict.value, _seen(payload)
    assert payload["verified"] is (row.verdict == Verdict.VERIFIED)
    checks = _checks(payload)
    for lang, fragment in (("en", row.en), ("es", row.es)):
        page = _page(app, subject, row, lang)
        _assert_page(page, lang, row.verdict, checks, check, outcome, code, (fragment,),
                     payload["format"])


def _endorsed(app: Flask, row: Row, maker: Maker, verifier: Verifier, item: Any) -> None:
    fetcher = verifier.fetcher
    checker = None if fetcher is None else make_status_checker(fetch_document=fetcher, now=NOW)
    inner = verify_embedded(item, kind="endorsement", now=NOW, fetch_document=fetcher,
                            check_status=checker, registry=maker.world.registry)
    found = [(c.id, c.outcome, c.code) for c in inner.checks]
    seen = "; ".join(f"{c.id} {c.outcome.value} {c.code}" for c in inner.checks)
    assert row.expect in found, seen
    for other in row.also:
        assert other in found, (other, seen)
    assert inner.verdict == row.verdict, seen
    badge = host_badge(maker, item)
    payload = _api(app, badge, row)
    outcome, code = ENDORSEMENT_RESULT[row.verdict]
    assert _has(payload, ("endorsements", outcome, code)), _seen(payload)
    host = HOST_VERDICT.get(row.verdict, Verdict.INVALID)
    assert payload["verdict"] == host.value, _seen(payload)
    checks = _checks(payload)
    reason_is_row = inner.decision.because[:1] and \
        (inner.decision.because[0].id, inner.decision.because[0].outcome,
         inner.decision.because[0].code) == row.expect
    for index, lang in enumerate(("en", "es")):
        words = (ENDORSEMENT_WORDS[code][index],)
        if code in WITH_REASON and reason_is_row:
            words += ((row.en, row.es)[index],)
        _assert_page(_page(app, badge, row, lang), lang, host, checks, "endorsements",
                     outcome, code, words)


# --------------------------------------------------------------------------- coverage


def _produced() -> set[tuple[str, Outcome, str]]:
    """Every result some row asserts: its own, the others it lists, its endorsement outcome."""
    out: set[tuple[str, Outcome, str]] = set()
    for row in ROWS.values():
        out.add(row.expect)
        out.update(row.also)
        if "endorsement" in row.roles:
            out.add(("endorsements", *ENDORSEMENT_RESULT[row.verdict]))
    return out


def test_every_catalogued_result_has_a_row() -> None:
    catalogue = {(c.check, c.outcome, c.code) for c in CODES}
    missing = catalogue - _produced() - RECEIPT_RESULTS - LIBRARY_RESULTS - {
        r for r in catalogue if r[2] in GUARDS}
    assert sorted(missing) == [], "catalogued results no row of the table produces"
    assert {(check, Outcome.FAILED, code) for check in CHECK_IDS for code in GUARDS} \
        <= catalogue


#: Results only the core gives to a library caller: with no registry at all, issuer trust is
#: not assessed. The verifier service always passes a list (perhaps empty), so it never shows
#: it (test below).
LIBRARY_RESULTS = {("issuer_trust", Outcome.SKIPPED, "no_registry")}


def test_no_registry_is_for_library_callers_only(app: Flask, docs: Documents) -> None:
    maker = _maker(docs, "a known issuer", "di", "top")
    signed = maker.signed()
    fetcher = Fetcher(FetchPolicy(**LOOPBACK))
    core = verify_credential(signed, now=NOW, fetch_document=fetcher)
    assert core.check("issuer_trust").code == "no_registry"  # type: ignore[union-attr]
    app.extensions["verifier"].verifier = Verifier(fetcher=fetcher, clock=lambda: NOW)
    payload = _api(app, signed, ROWS["a known issuer"])
    assert _has(payload, ("issuer_trust", Outcome.WARNING, "unknown_issuer")), _seen(payload)
    assert payload["verdict"] == "unknown_issuer"
    assert "has no list of known issuers" in json.dumps(payload)


#: Results of the receipt check (``POST /api/v1/receipts/verify``, :func:`check_receipt`).
RECEIPT_RESULTS = {("format", Outcome.FAILED, "not_a_receipt"),
                   ("format", Outcome.FAILED, "other_verifier")}


def test_receipt_outcomes(app: Flask, docs: Documents) -> None:
    """A document that is not a receipt, and a receipt from another verifier."""
    from verifier.receipts import ReceiptSigner
    from verifier.receipts import check_receipt

    client = app.test_client()
    refused = client.post("/api/v1/receipts/verify", json={"type": ["VerifiableCredential"]})
    assert refused.status_code == 200
    payload = refused.get_json()
    assert payload["verdict"] == "unreadable" and payload["verified"] is False
    assert _has(payload, ("format", Outcome.FAILED, "not_a_receipt"))
    world = World(docs, "receipts")
    issuer = world.issuer()
    maker = Maker(world, "di", "top", issuer, issuer)
    other = ReceiptSigner(Path(app.instance_path) / "other-receipt-key.json", "Elsewhere")
    receipt = other.issue(verify_embedded(maker.signed(), kind="credential", now=NOW),
                          submission=None, now=NOW)
    mine = app.extensions["verifier"].receipts.did
    report = check_receipt(receipt, expected_issuer=mine)
    assert [(c.id, c.outcome, c.code) for c in report.checks] == [
        ("format", Outcome.FAILED, "other_verifier")]
    assert report.verdict == Verdict.UNREADABLE
    assert check_receipt(receipt).verified  # genuine, only from someone else


def test_every_row_is_in_the_catalogue_with_its_verdict() -> None:
    meaning = {(c.check, c.outcome, c.code): c.verdict for c in CODES}
    for name, row in ROWS.items():
        assert row.expect in meaning, name
        for other in row.also:
            assert other in meaning, (name, other)


_CODE_PATTERNS = (
    re.compile(r'\bcode\s*=\s*"([a-z][a-z0-9_]*)"'),
    re.compile(r'Outcome\.[A-Z]+,\s*"([a-z][a-z0-9_]*)"'),
    re.compile(r'_fail\(\s*"([a-z][a-z0-9_]*)"'),
)
#: Codes the sources hold that never reach a verification report, and why.
_DIDAUTH = ("raised only when checking a wallet's DIDAuth presentation (badges.didauth); "
            "the exchange endpoint answers it")
NOT_REPORTED = {
    "invalid_credential_text": "raised only when baking a credential into an image",
    "registry_invalid": "a start-up error: the issuer registry cannot be read",
    "receipt_error": "a start-up error: the receipt key cannot be read",
    "empty": "the form answers 'nothing was submitted' with the form, not a report",
    "status_list_malformed": "caught by the status check, reported as status_list_invalid",
    "status_list_too_small": "caught by the status check, reported as status_list_invalid",
    "status_list_too_large": "caught by the status check, reported as status_list_invalid",
    "status_size_invalid": "caught by the status check, reported as status_list_invalid",
    "invalid_multibase": "wrapped by the key and proof readers (key_invalid, "
                         "proof_value_invalid)",
    "key_unresolved": "the default of ResolutionError; every raise gives its own code",
    "jsonld_error": "the default of JsonLdError; every raise gives its own code",
    "proof_error": "the default of ProofError; every raise gives its own code",
    "error": "the default of BadgesError; every raise gives its own code",
    "credential_not_json": "raised only when signing a VC-JWT",
    "jwt_claim_missing": "a missing claim is not a failure (OB 3.0 §8.2.4.3 compares claims "
                         "that are present)",
    "endorsement_overflow": "a key of the Spanish sentences, not a code",
    "input_unreadable": "a Spanish sentence key for the skips after unreadable input",
    "ob2_baked_badge": "raised by badges.baking.unbake for callers that read only OB 3.0; "
                       "the verifier reads OB 2.0 baked badges (badges.ob2) first",
    "no_credentials": "raised only when building a CLR (badges.clr.build_clr)",
    "invalid_name": "raised only when building a CLR (badges.clr.build_clr)",
    "invalid_association": "raised only when building a CLR (badges.clr.build_clr)",
    "not_embeddable": "raised only when building a CLR (badges.clr.build_clr)",
    "invalid_challenge": _DIDAUTH,
    "invalid_presentation": _DIDAUTH,
    "invalid_domain": _DIDAUTH,
    "invalid_proof": _DIDAUTH,
    "invalid_signature": _DIDAUTH,
    "unsupported_cryptosuite": _DIDAUTH,
    "unsupported_did": _DIDAUTH,
    "fetch_budget_exceeded": "a verification's first fetches never exceed its budget; later "
                             "ones reach the report as status_list_unreachable, "
                             "controller_unreachable or endorsement_unchecked, with it as "
                             "their cause",
}


def test_every_code_in_the_sources_is_catalogued() -> None:
    """A code added to badges/ or verifier/ without a catalogue entry (and so a row) fails."""
    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for package in ("badges", "verifier"):
        for path in (root / package).rglob("*.py"):
            source = path.read_text("utf-8")
            for pattern in _CODE_PATTERNS:
                found.update(pattern.findall(source))
    assert len(found) > 120  # the scan finds the codes at all
    catalogued = {c.code for c in CODES}
    unknown = sorted(found - catalogued - {k for k, why in NOT_REPORTED.items() if why})
    assert unknown == [], "codes with neither a catalogue entry nor a reason"


def test_every_catalogued_code_has_spanish() -> None:
    from verifier.i18n import _ES_CODES

    skips = {"proof_not_verified", "input_unreadable", "not_open_badge"}
    missing = sorted({c.code for c in CODES} - set(_ES_CODES)
                     - {f"{c.check}:{c.code}" for c in CODES} - skips)
    assert missing == []


def test_the_api_describes_every_verdict() -> None:
    spec = json.loads((Path(__file__).resolve().parents[2] / "verifier" / "openapi.json")
                      .read_text("utf-8"))
    enum = spec["components"]["schemas"]["Report"]["properties"]["verdict"]["enum"]
    assert enum == [v.value for v in Verdict]


def test_the_table_itself_is_varied() -> None:
    """Both formats and both roles are exercised, and each verdict has several rows."""
    variants = list(_variants())
    assert {p.values[1] for p in variants} == {"di", "jwt"}
    assert {p.values[2] for p in variants} == {"top", "endorsement"}
    per_verdict = {v: sum(1 for r in ROWS.values() if r.verdict == v) for v in Verdict}
    assert all(count >= 2 for count in per_verdict.values()), per_verdict


# --------------------------------------------------------------------------- the CLI too

CLI_ROWS = ("intact", "revoked", "a stranger's did:key", "a status list that is not there",
            "a listed issuer's name under another identity", "unreadable bytes")


@pytest.mark.parametrize("name", CLI_ROWS)
def test_the_cli_reads_the_same_verdict(name: str, app: Flask, docs: Documents,
                                        tmp_path: Path) -> None:
    """``badges verify --json`` prints the verdict the API gives, and exits by it."""
    from click.testing import CliRunner

    from issuer.cli import main

    row = ROWS[name]
    maker = _maker(docs, f"cli {name}", "di", "top")
    _use_verifier(app, maker, row)
    subject = row.build(maker)
    api = _api(app, subject, row)
    path = tmp_path / "input"
    path.write_bytes(subject if isinstance(subject, bytes) else text_of(subject).encode())
    args = ["verify", "--json", "--dev", str(path)]
    if maker.world.registry is not None:
        registry = tmp_path / "known.json"
        registry.write_text(json.dumps({"issuers": [
            {"id": issuer, "name": named}
            for issuer, named in maker.world.registry.issuers.items()]}), "utf-8")
        args[1:1] = ["--registry", str(registry)]
    result = CliRunner().invoke(main, args)
    printed = json.loads(result.stdout)
    assert printed["verdict"] == api["verdict"] == row.verdict.value
    assert [(c["id"], c["code"]) for c in printed["checks"]] == [
        (c["id"], c["code"]) for c in api["checks"]]
    assert result.exit_code == {"verified": 0, "unreadable": 2}.get(row.verdict.value, 1)


def text_of(subject: Subject) -> str:
    return subject if isinstance(subject, str) else json.dumps(subject)
