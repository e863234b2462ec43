"""A CLR 2.0 record signed by badges verifies with Digital Bazaar's ``@digitalbazaar/vc`` (#20).

The record (CLR context 2.0.1 from the bundled copies, five embedded Open
Badges each with its own proof) is signed by :func:`badges.clr.sign_clr` with
a did:key and checked by ``verify-di.mjs`` (``@digitalbazaar/vc`` 7 +
``eddsa-rdfc-2022``, offline loader over the same bundled contexts): the
record's proof verifies, each embedded badge verifies on its own, and a
change to any embedded badge breaks the record's proof there too.
"""

from __future__ import annotations

import copy
from datetime import UTC
from datetime import datetime
from typing import Any

from badges import dataintegrity
from badges import keys
from badges.clr import build_clr
from badges.clr import sign_clr
from badges.model import Profile
from tests.conftest import load_json
from tests.interop.node import run_batch

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
NAMES = ("Blended Learning Design", "Data-Informed Instruction",
         "Classroom Technology Integration", "Digital Literacy Instruction", "Peer Mentoring")


def _record(key: keys.KeyPair) -> dict[str, Any]:
    credentials = []
    for position, name in enumerate(NAMES):
        cred = load_json("examples/spec/basic-openbadgecredential.unsigned.json")
        cred["id"] = f"urn:uuid:3f1c2a9e-8b7d-4c21-9a55-00000000005{position}"
        cred["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Lakeside USD"}
        cred["validFrom"] = "2026-01-05T09:00:00Z"
        cred["credentialSubject"]["achievement"]["id"] = f"https://badges.test/a/{position}"
        cred["credentialSubject"]["achievement"]["name"] = name
        credentials.append(dataintegrity.sign_credential(cred, key=key,
                                                         created="2026-01-05T09:00:00Z"))
    unsigned = build_clr(clr_id="urn:uuid:8a4f0000-0000-4000-8000-00000000c1a1",
                         issuer=Profile(id=key.controller, name="Lakeside USD"),
                         learner_email="maria@lakeside.example.org", salt="5a1t",
                         credentials=credentials, valid_from=NOW, name="Learner record")
    return sign_clr(unsigned, key=key, created=NOW)


def test_digital_bazaar_verifies_the_record_and_each_embedded_badge() -> None:
    key = keys.generate("ed25519")
    record = _record(key)
    embedded = record["credentialSubject"]["verifiableCredential"]
    tampered = copy.deepcopy(record)
    tampered["credentialSubject"]["verifiableCredential"][3]["validFrom"] = \
        "2025-01-05T09:00:00Z"
    items = [{"credential": record}, *({"credential": c} for c in embedded),
             {"credential": tampered},
             {"credential": tampered["credentialSubject"]["verifiableCredential"][3]}]
    results = run_batch("verify-di.mjs", items, now="2026-02-02T00:00:00Z", ignoreStatus=True)
    assert results[0] == {"verified": True, "errors": []}, results[0]
    for name, result in zip(NAMES, results[1:6], strict=True):
        assert result["verified"] is True, (name, result)
    assert results[6]["verified"] is False
    assert results[7]["verified"] is False
