"""The timing model against the restaking spec, on concrete values: the spec's key safety rule
accepts a (deadline, capture) exactly when the model finds no escaping bridge delay, and the
spec's longest restaked proof time is the model's synthesized maximum."""
from hypothesis import given, settings, strategies as st

from properties.z3.timing import max_proof_time, rule_safe_for
from spec.restaked_stake import key_safety_rule_holds, max_restaked_proof_time
from spec.restaking_state import RestakingParams

PARAMS = st.builds(
    RestakingParams,
    epoch_length=st.integers(1, 50),
    offset=st.integers(0, 60),
    epoch_duration=st.integers(1, 400),
    veto_duration=st.integers(0, 120),
    bridge_delay_max=st.integers(1, 120),
)


def _model_params(p: RestakingParams) -> dict:
    return dict(epoch_duration=p.epoch_duration, offset=p.offset, bridge_delay_max=p.bridge_delay_max,
                veto_duration=p.veto_duration, epoch_length=p.epoch_length)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(PARAMS, st.integers(0, 600), st.integers(0, 600))
def test_spec_rule_is_the_models_no_escape_condition(params, deadline, capture_ts):
    model = _model_params(params)
    del model["offset"], model["epoch_length"]
    assert key_safety_rule_holds(params, deadline, capture_ts) == rule_safe_for(model, deadline, capture_ts)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(PARAMS)
def test_spec_longest_restaked_proof_time_is_the_synthesized_maximum(params):
    room = max_restaked_proof_time(params)
    assert max_proof_time(_model_params(params)) == (room if room >= 1 else None)
