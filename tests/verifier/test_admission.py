"""Costly verifications share a per-process CPU budget; normal credentials are never held up.

Issue #16: a stream of crafted slow credentials must leave normal requests'
latency within a bounded multiple of the quiet figure, and a hostile
credential still gets a clear answer (a report, or 429 with a reason), never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.verifier.conftest import DidWebIssuer
from tests.verifier.conftest import registry_file
from verifier.admission import COSTLY_BYTES
from verifier.admission import COSTLY_DEPTH
from verifier.admission import COSTLY_JSON_BYTES
from verifier.admission import COSTLY_VALUES
from verifier.admission import Busy
from verifier.admission import CostlyBudget
from verifier.admission import costly_by_size
from verifier.admission import is_costly
from verifier.service import UNPARSED
from verifier.service import json_size
from verifier.service import read_credential_json
from verifier.web import _state


def test_the_budget_admits_until_spent_then_refills_at_its_share() -> None:
    now = [0.0]
    budget = CostlyBudget(share=0.1, burst=0.05, clock=lambda: now[0])
    budget.admit()
    budget.charge(0.08)  # one costly verification may overdraw it
    with pytest.raises(Busy) as refused:
        budget.admit()
    assert refused.value.retry_after == 1  # 0.03 s of CPU at 10% of a core: 0.3 s
    now[0] = 0.31
    budget.admit()
    now[0] = 100.0
    assert budget.available == pytest.approx(0.05)  # never more than the burst


def test_size_predicts_cost_from_the_parsed_body() -> None:
    assert json_size({"a": [1, {"b": 2}], "c": "x"}, 64) == (6, 3)
    assert json_size({"a": {"b": {"c": {}}}}, 3) is None
    assert json_size({"a": {"b": {"c": 1}}}, 3) == (4, 3)
    assert read_credential_json(b'{"a": [1, 2]}') == ({"a": [1, 2]}, (4, 2))
    assert read_credential_json(b"[1]") == (None, UNPARSED)
    assert not is_costly(COSTLY_VALUES, COSTLY_DEPTH, 10**6)
    assert is_costly(COSTLY_VALUES + 1, 2, 10) and is_costly(20, COSTLY_DEPTH + 1, 10)
    assert is_costly(0, 0, COSTLY_BYTES + 1) and not is_costly(0, 0, COSTLY_BYTES)
    assert costly_by_size(b" {" + b" " * COSTLY_JSON_BYTES) and not costly_by_size(b"{}")
    assert not costly_by_size(b"\x89PNG" + b"\0" * COSTLY_JSON_BYTES)


def _large(credential: dict[str, Any]) -> dict[str, Any]:
    """``credential`` with a thousand values more (its proof no longer matches)."""
    return {**credential, "evidence": [{"type": ["Evidence"], "name": f"e{i}",
                                        "narrative": "n"} for i in range(COSTLY_VALUES // 4)]}


def test_large_credentials_wait_their_turn_while_normal_ones_are_served(
        verifier_app: Callable[..., Flask], issuer: DidWebIssuer, tmp_path: Path) -> None:
    app = verifier_app(registry=registry_file(tmp_path, {issuer.did: issuer.name}))
    client = app.test_client()
    credential = issuer.sign(issuer.credential())
    large = _large(credential)
    first = client.post("/api/v1/verify", json=large)
    assert first.status_code == 200 and first.get_json()["verdict"] == "forged"
    with app.app_context():
        budget = _state().costly
    budget.charge(budget.available + 1.0)  # costly verifications used this process's share
    refused = client.post("/api/v1/verify", json=large)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    error = refused.get_json()["error"]
    assert error["code"] == "busy_with_large_credentials" and "large" in error["message"]
    long_body = {**credential, "description": "x" * COSTLY_JSON_BYTES}  # refused unparsed
    assert client.post("/api/v1/verify", json=long_body).status_code == 429
    normal = client.post("/api/v1/verify", json=credential)
    assert normal.status_code == 200 and normal.get_json()["verified"] is True
    page = client.post("/verify?lang=es", data={"credential": json.dumps(large)})
    assert page.status_code == 429 and "credenciales muy grandes" in page.get_data(as_text=True)


def test_a_verification_measured_slow_is_charged_whatever_its_size(
        verifier_app: Callable[[], Flask], issuer: DidWebIssuer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = verifier_app()
    client = app.test_client()
    with app.app_context():
        budget = _state().costly
    credential = issuer.sign(issuer.credential())
    client.post("/api/v1/verify", json=credential)
    assert budget.available == pytest.approx(budget.burst)  # a normal one costs nothing here
    monkeypatch.setattr("verifier.web.COSTLY_CPU_SECONDS", 0.0)  # every one now "slow"
    assert client.post("/api/v1/verify", json=credential).status_code == 200
    assert budget.available < budget.burst - 1e-4
