"""The cross-chain timing model: the key safety rule rules out every escape, weakened rules let a
prover escape (and the escaping schedules really escape), and the synthesized region is right."""
import pytest

from properties.z3 import synthesize_parameters
from properties.z3.timing import SLASH_LAG, check_rule, key_safety_rule, max_proof_time, rule_safe_for, rule_without_veto

DEFAULTS = dict(epoch_duration=7 * 86_400, offset=600, bridge_delay_max=3_600, veto_duration=86_400, epoch_length=3_600)


@pytest.fixture(scope="module")
def synthesis():
    return synthesize_parameters()


def test_key_safety_rule_is_sufficient(synthesis):
    assert synthesis.checks[0].rule == "key_safety_rule" and synthesis.checks[0].sufficient


def test_weakened_rules_let_a_prover_escape(synthesis):
    escapes = {c.rule: c.schedule for c in synthesis.checks[1:]}
    assert set(escapes) == {"design_rule_as_written", "rule_without_veto", "rule_without_bridge_delay"}
    for rule, s in escapes.items():
        assert s is not None, rule
        assert s["assigned_at"] >= s["capture_ts"] + s["offset"] and 1 <= s["proof_time"] <= s["max_proof_time"]
        assert 0 <= s["bridge_delay"] <= s["bridge_delay_max"]
        executes = s["assigned_at"] + s["proof_time"] + SLASH_LAG + s["bridge_delay"] + s["veto_duration"]
        assert executes == s["slash_executes_at"] > s["capture_ts"] + s["epoch_duration"]


def test_dropping_the_veto_window_escapes_by_the_veto_duration():
    check = check_rule(rule_without_veto)
    assert not check.sufficient and check.schedule["veto_duration"] > 0


def test_region_closed_form_matches_quantifier_elimination(synthesis):
    assert synthesis.closed_form_equivalent
    assert "epoch_length" in synthesis.region_always and "epoch_length" not in synthesis.region


def test_max_proof_time_at_the_defaults():
    room = DEFAULTS["epoch_duration"] - DEFAULTS["offset"] - SLASH_LAG - DEFAULTS["bridge_delay_max"] - DEFAULTS["veto_duration"]
    assert max_proof_time(DEFAULTS) == room
    assert max_proof_time(DEFAULTS, always=True) == room - (DEFAULTS["epoch_length"] - 1)
    assert max_proof_time({**DEFAULTS, "epoch_duration": 600}) is None


def test_rule_boundary_for_one_task():
    params = dict(epoch_duration=100, offset=5, bridge_delay_max=10, veto_duration=20)
    assert rule_safe_for(params, deadline=69, capture_ts=0)
    assert not rule_safe_for(params, deadline=70, capture_ts=0)
    assert key_safety_rule is not None
