"""The pure CLR 2.0 core: building, the 1EdTech ClrCredential schema view, signing, verifying.

Offline and in memory (did:key issuers): what the record must hold, what
cannot go in it, what the schema view changes and does not change, and that
the record's verification names each embedded credential. Revocation and
the district's own keys are covered in tests/issuer/test_clr.py.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC
from datetime import datetime
from importlib import resources
from typing import Any

import pytest

from badges import dataintegrity
from badges import keys
from badges.clr import CLR_CONTEXT
from badges.clr import Association
from badges.clr import ClrError
from badges.clr import build_clr
from badges.clr import sign_clr
from badges.clr_schema import check_clr
from badges.clr_schema import clr_schema
from badges.clr_verify import verify_clr
from badges.loader import bundled_urls
from badges.loader import get_context
from badges.model import Profile
from badges.verdict import Verdict
from tests.conftest import load_json

pytestmark = pytest.mark.usefixtures("no_network")

DISTRICT = keys.ed25519_from_seed(bytes(range(32)))
STRANGER = keys.ed25519_from_seed(bytes(range(2, 34)))
NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
NAMES = ("Blended Learning Design", "Data-Informed Instruction",
         "Classroom Technology Integration", "Digital Literacy Instruction", "Peer Mentoring")


def badge(position: int, name: str, key: keys.KeyPair = DISTRICT) -> dict[str, Any]:
    cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
    cred["id"] = f"urn:uuid:3f1c2a9e-8b7d-4c21-9a55-00000000004{position}"
    cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Lakeside USD"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    achievement = cred["credentialSubject"]["achievement"]
    achievement["id"] = f"https://badges.test/achievements/{position}"
    achievement["name"] = name
    return dataintegrity.sign_credential(cred, key=key, created="2026-01-05T09:00:00Z")


def record(credentials: list[dict[str, Any]] | None = None,
           **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "clr_id": "urn:uuid:8a4f0000-0000-4000-8000-00000000c1a0",
        "issuer": Profile(id=DISTRICT.controller, name="Lakeside USD"),
        "learner_email": "maria@lakeside.example.org", "salt": "5a1t",
        "credentials": credentials if credentials is not None else
        [badge(i, n) for i, n in enumerate(NAMES)],
        "valid_from": NOW, "name": "María López: learner record", **changes}
    return build_clr(**args)


def test_the_bundled_context_and_schema_are_the_1edtech_files() -> None:
    assert CLR_CONTEXT in bundled_urls()
    assert "ClrSubject" in get_context(CLR_CONTEXT)["@context"]
    raw = json.loads(resources.files("badges").joinpath(
        "schemas/clr_v2p0_clrcredential_schema_draft4.json").read_text("utf-8"))
    # the file is the VCDM 1.1 edition, unchanged; the view renames in memory only
    assert "issuanceDate" in raw["required"]
    assert raw["$defs"]["CredentialStatus"]["additionalProperties"] is False
    view = clr_schema()
    assert "validFrom" in view["required"] and "issuanceDate" not in view["required"]
    assert "validFrom" in view["$defs"]["VerifiableCredential"]["required"]
    assert view["$defs"]["CredentialStatus"]["additionalProperties"] is True
    # nothing else moved: every other definition is the file's
    for name, definition in raw["$defs"].items():
        if name not in ("VerifiableCredential", "EndorsementCredential", "CredentialStatus"):
            assert view["$defs"][name] == definition, name


def test_a_signed_record_of_five_passes_the_schema_and_verifies_offline() -> None:
    unsigned = record()
    assert check_clr(unsigned) == []
    assert unsigned["@context"][:2] == ["https://www.w3.org/ns/credentials/v2", CLR_CONTEXT]
    subject = unsigned["credentialSubject"]
    assert [a["name"] for a in subject["achievement"]] == list(NAMES)
    assert subject["identifier"][0]["identityType"] == "emailAddress"
    signed = sign_clr(unsigned, key=DISTRICT, created=NOW)
    report = verify_clr(signed, now=NOW)
    assert report.verdict == Verdict.VERIFIED, report.problems()
    assert [c.name for c in report.credentials] == list(NAMES)
    assert report.record.check("schema").message == \
        "The credential has every field CLR 2.0 requires."  # type: ignore[union-attr]


@pytest.mark.parametrize("position", range(5))
def test_tampering_any_embedded_credential_names_it(position: int) -> None:
    signed = sign_clr(record(), key=DISTRICT, created=NOW)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["verifiableCredential"][position]["validFrom"] = \
        "2025-01-05T09:00:00Z"
    report = verify_clr(changed, now=NOW)
    assert report.verdict == Verdict.FORGED
    named = [(c.name, c.verdict) for c in report.credentials if c.verdict != Verdict.VERIFIED]
    assert named == [(NAMES[position], Verdict.FORGED)]
    assert report.problems()[0].startswith("The record itself: forged.")
    assert report.problems()[1].startswith(f"{NAMES[position]}: forged.")


def test_a_credential_signed_by_someone_else_is_named_as_such() -> None:
    credentials = [badge(i, n) for i, n in enumerate(NAMES)]
    # a stranger's key under the district's did:key in the issuer field: forged
    credentials[1] = badge(1, NAMES[1], STRANGER)
    credentials[1] = {**credentials[1], "issuer": {"id": DISTRICT.controller,
                                                   "type": ["Profile"], "name": "Lakeside"}}
    report = verify_clr(sign_clr(record(credentials), key=DISTRICT, created=NOW), now=NOW)
    assert report.record.verdict == Verdict.VERIFIED
    assert [c.name for c in report.credentials if c.verdict != Verdict.VERIFIED] == [NAMES[1]]


def test_associations_go_in_and_are_checked() -> None:
    links = [Association("precedes", "https://badges.test/achievements/0",
                         "https://badges.test/achievements/4")]
    unsigned = record(associations=links)
    assert unsigned["credentialSubject"]["association"] == [{
        "type": "Association", "associationType": "precedes",
        "sourceId": "https://badges.test/achievements/0",
        "targetId": "https://badges.test/achievements/4"}]
    assert check_clr(unsigned) == []
    assert verify_clr(sign_clr(unsigned, key=DISTRICT, created=NOW),
                      now=NOW).verdict == Verdict.VERIFIED
    with pytest.raises(ClrError, match="unknown association type"):
        record(associations=[Association("isCousinOf", links[0].source_id,
                                         links[0].target_id)])
    with pytest.raises(ClrError, match="not an achievement of this record"):
        record(associations=[Association("precedes", links[0].source_id,
                                         "https://elsewhere.test/a")])


def test_what_cannot_go_in_a_record_is_refused_clearly() -> None:
    good = badge(0, NAMES[0])
    unsigned_badge = {k: v for k, v in good.items() if k != "proof"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"credentials": []}, "no_credentials"),
        ({"credentials": ["eyJhbGciOiJFUzI1NiJ9.e30.c2ln"]}, "not_embeddable"),
        ({"credentials": [unsigned_badge]}, "not_embeddable"),
        ({"credentials": [{**good, "type": ["VerifiableCredential"]}]}, "not_open_badge"),
        ({"valid_from": datetime(2026, 2, 1)}, "invalid_date"),
        ({"name": "  "}, "invalid_name"),
    ]
    for changes, code in cases:
        with pytest.raises(ClrError) as caught:
            record(**changes)
        assert caught.value.code == code, changes


def test_signing_refuses_a_record_the_schema_or_safe_mode_refuses() -> None:
    no_subject_type = record()
    no_subject_type["credentialSubject"]["type"] = ["Thing"]
    with pytest.raises(ClrError) as caught:
        sign_clr(no_subject_type, key=DISTRICT, created=NOW)
    assert caught.value.code == "schema_invalid" and "ClrSubject" in caught.value.message
    missing = record()
    del missing["validFrom"]
    with pytest.raises(ClrError, match="validFrom"):
        sign_clr(missing, key=DISTRICT, created=NOW)
    undefined = record()
    undefined["favouriteColour"] = "blue"
    with pytest.raises(ClrError) as caught:
        sign_clr(undefined, key=DISTRICT, created=NOW)
    assert caught.value.code == "undefined_term"


def test_not_a_record_and_an_empty_record_never_read_verified() -> None:
    for data in ({"type": ["VerifiableCredential", "OpenBadgeCredential"]}, "not json", 42,
                 {"type": ["VerifiableCredential", "ClrCredential"]}):
        report = verify_clr(data, now=NOW)
        assert report.verdict != Verdict.VERIFIED, data
    assert check_clr([]) != []


def _full_badge(position: int) -> dict[str, Any]:
    """The spec's most complete OpenBadgeCredential (about 320 JSON values), signed."""
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items()
                    if k not in ("endorsement", "endorsementJwt", "proof", "validUntil",
                                 "credentialStatus")}
        return [strip(v) for v in node] if isinstance(node, list) else node

    cred = strip(load_json("examples/spec/complete-openbadgecredential.unsigned.json"))
    cred["id"] = f"urn:uuid:3f1c2a9e-8b7d-4c21-9a55-0000000001{position:02d}"
    cred["issuer"] = {"id": DISTRICT.controller, "type": ["Profile"], "name": "Lakeside USD"}
    cred["validFrom"] = "2026-01-05T09:00:00Z"
    cred["credentialSubject"]["achievement"]["name"] = f"Micro-credential {position + 1}"
    return dataintegrity.sign_credential(cred, key=DISTRICT, created="2026-01-05T09:00:00Z")


def test_a_record_of_twenty_full_badges_is_not_refused_as_too_large() -> None:
    """20 badges of ~320 values each pass 5,000 values: a CLR's limit grows per badge."""
    from badges import jsonld

    credentials = [_full_badge(i) for i in range(20)]
    signed = sign_clr(record(credentials), key=DISTRICT, created=NOW)
    assert jsonld.value_limit(signed) == jsonld.MAX_VALUES + 20 * jsonld.MAX_VALUES_PER_EMBEDDED
    report = verify_clr(signed, now=NOW)
    assert report.verdict == Verdict.VERIFIED, report.problems()
    assert len(report.credentials) == 20


def test_the_value_limit_stays_bounded_however_many_credentials_are_claimed() -> None:
    from badges import jsonld
    from badges.errors import JsonLdError

    claimed = {"credentialSubject": {"verifiableCredential": [{}] * 1000}}
    ceiling = jsonld.MAX_VALUES + jsonld.MAX_EMBEDDED_COUNTED * jsonld.MAX_VALUES_PER_EMBEDDED
    assert jsonld.value_limit(claimed) == ceiling
    assert jsonld.value_limit({"verifiableCredential": {}}) == \
        jsonld.MAX_VALUES + jsonld.MAX_VALUES_PER_EMBEDDED
    padded = {"@context": [CLR_CONTEXT], "credentialSubject": {
        "verifiableCredential": [{"n": list(range(200))} for _ in range(200)]}}  # 40,000+
    with pytest.raises(JsonLdError) as caught:
        jsonld.prepare(padded)
    assert caught.value.code == "too_large"
    assert str(ceiling) in str(caught.value)


def test_endorsed_badges_pass_the_clr_schema_view_and_it_stays_closed() -> None:
    """OB 3.0 endorsements (``name`` required) inside a record: the view's third change."""
    from tests.badges.test_endorsements import BOARD
    from tests.badges.test_endorsements import endorsement
    from tests.badges.test_endorsements import signed as endorsement_signed

    endorsed = endorsement_signed(endorsement(DISTRICT.controller, BOARD))
    credentials = [badge(i, n) for i, n in enumerate(NAMES)]
    unsigned = {k: v for k, v in credentials[0].items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "endorsement": [endorsed]}
    credentials[0] = dataintegrity.sign_credential(unsigned, key=DISTRICT,
                                                   created="2026-01-05T09:00:00Z")
    assert check_clr(record(credentials)) == []
    view = clr_schema()["$defs"]["EndorsementCredential"]
    assert "name" in view["required"] and view["additionalProperties"] is False
    # still closed: a member neither schema defines is refused
    odd = copy.deepcopy(credentials)
    odd[0]["issuer"]["endorsement"][0]["colour"] = "green"
    assert any("colour" in i.message for i in check_clr(record(odd)))
    # and a record built with it verifies (an embedded badge's endorsements are not followed)
    report = verify_clr(sign_clr(record(credentials), key=DISTRICT, created=NOW), now=NOW)
    assert report.verdict == Verdict.VERIFIED, report.problems()
