"""The differential kind sees a disagreement, names it by rule and shrinks its trace: one side is
made to answer differently on purpose (the spec session refuses `advance_blocks` of 100 blocks)."""
from __future__ import annotations

import pytest

from reference.campaign.kinds import differential
from reference.campaign.tasks import derived_seed


@pytest.fixture(autouse=True)
def _contracts():
    if differential.missing({}):
        pytest.skip(f"the differential kind needs the contracts and the npm toolchain: {differential.missing({})}")


def test_the_same_trace_agrees_on_both_sides_and_is_deterministic():
    params = dict(differential.KIND.defaults, steps=15)
    payload = {"seed": derived_seed(1, "differential", 0)}
    first = differential.run(payload, params)
    assert first == differential.run(payload, params)
    assert first["agree"] is True and first["operations"] > 15
    assert any(c.endswith(":accepted") for c in first["coverage"]) and any(not c.endswith(":accepted") for c in first["coverage"])


def test_a_disagreement_is_named_by_its_rule_and_shrunk(monkeypatch):
    from spec.adapter import Session

    handle = Session.handle

    def lying(self, request):
        op = request.get("op") if isinstance(request, dict) else None
        if request.get("cmd") == "apply" and op and op["op"] == "advance_blocks" and op["args"]["blocks"] == "100":
            return {"ok": False, "error_code": "INVALID_TIME_STEP"}
        return handle(self, request)

    monkeypatch.setattr(Session, "handle", lying)
    params = dict(differential.KIND.defaults, steps=10)
    for i in range(10):  # the first trace that sets up a market meets the lie
        result = differential.run({"seed": derived_seed(5, "differential", i)}, params)
        if not result["agree"]:
            break
    finding = result["finding"]
    assert finding["rule"] == "advance_blocks: spec rejects with INVALID_TIME_STEP, chain accepts"
    assert finding["size"] == 1 and '"blocks": "100"' in finding["trace"]
