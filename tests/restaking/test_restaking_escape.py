"""With the key safety rule switched off (the UNSAFE test hook), Hypothesis finds a trace in
which a prover escapes a restaked slash; the committed trace it found replays as a regression."""
import json
from pathlib import Path

import attrs
from hypothesis import HealthCheck, Phase, settings

import spec
from properties import invariants as inv
from properties.crosschain import find_escape, replay, trace_document

TRACE = Path(__file__).with_name("escape_trace.json")
UNSAFE = attrs.evolve(spec.DEFAULT_ENV, unsafe_skip_key_safety_rule=True)
FIND = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _escapes_and_safe_rejection(document):
    escaped_state, rejected_unsafe = replay(document, UNSAFE)
    safe_state, rejected_safe = replay(document, spec.DEFAULT_ENV)
    return inv.escaped_slashes(escaped_state), rejected_unsafe, inv.escaped_slashes(safe_state), rejected_safe


def test_hypothesis_finds_an_escape_when_the_rule_is_off():
    trace = find_escape(FIND)
    assert trace is not None, "no escape found with the key safety rule off"
    escaped, _, escaped_safe, rejected_safe = _escapes_and_safe_rejection(trace_document(trace, "found"))
    assert escaped
    assert not escaped_safe
    assert any(code == "KEY_SAFETY_RULE" for _, _, code in rejected_safe)


def test_committed_escape_trace_escapes_only_without_the_rule():
    document = json.loads(TRACE.read_text())
    escaped, rejected_unsafe, escaped_safe, rejected_safe = _escapes_and_safe_rejection(document)
    assert rejected_unsafe == []
    assert len(escaped) == 1 and "slash 0 of task 0 (p0, vault v0, capture 100) arrived at 901" in escaped[0]
    assert escaped_safe == []
    assert [(op.name, code) for _, op, code in rejected_safe][0] == ("assign_task", "KEY_SAFETY_RULE")
    state, _ = replay(document, UNSAFE)
    request = state.restaking.vault_chain.requests[0]
    assert (request.status.value, request.received_at, request.veto_deadline) == ("EXPIRED", 901, 1101)
    assert request.capture_ts + state.restaking.vault_chain.vaults["v0"].epoch_duration == 1100


def test_the_rule_without_its_plus_one_lets_the_committed_trace_escape(monkeypatch):
    """DESIGN's continuous-time form, deadline + bridge_delay_max + veto_duration <= capture +
    epoch_duration, admits the committed trace: the slash can only be requested at deadline + 1."""
    import spec.restaked_stake as restaked

    document = json.loads(TRACE.read_text())

    def without_plus_one(params, deadline, capture_ts):
        return deadline + params.bridge_delay_max + params.veto_duration <= capture_ts + params.epoch_duration

    monkeypatch.setattr(restaked, "key_safety_rule_holds", without_plus_one)
    state, rejected = replay(document, spec.DEFAULT_ENV)
    assert rejected == [] and inv.escaped_slashes(state)
