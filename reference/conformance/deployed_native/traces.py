"""Random differential traces of the deployed_native fork: seeded action lists (the abstract
actions of `properties.deployed_native_search`) expanded from genesis, every step kept (rejected
ones too, with their error code), as genesis cases any adapter can replay: the EVM adapter on the
bytecode must agree with the fork on every step and the final projection."""
from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from properties.deployed_native_search import ACTIONS, MORE_ACTIONS, expand
from reference.conformance.cases import spec_version
from spec.codec import encode_event
from spec.deployed_native.codec import encode_config, encode_op
from spec.deployed_native.containers import Config, genesis
from spec.deployed_native.projection import project
from spec.deployed_native.transition import apply
from spec.env import DEFAULT_ENV
from spec.errors import SpecError


def trace_case(actions, config: Config = Config()) -> dict:
    """The case of one action list: every operation it expands to, with what the fork does."""
    state, steps = genesis(config), []
    for action in actions:
        for op in expand(state, action):
            try:
                state, events = apply(state, op, DEFAULT_ENV)
                expect = {"ok": True, "events": [encode_event(e) for e in events]}
            except SpecError as error:
                expect = {"ok": False, "error_code": error.code}
            steps.append({**encode_op(op), "expect": expect})
    return {"format_version": 1, "spec_version": spec_version(), "fork": "deployed_native",
            "description": f"random trace of {len(actions)} actions", "genesis": {"config": encode_config(config)},
            "operations": steps, "post_state": project(state)}


def random_action_lists(count: int, seed: int, max_actions: int = 12) -> list:
    """`count` action lists drawn by Hypothesis from `seed` (the same lists for the same seed),
    each starting with `ready` (engine, an active market, a prover with stake and compute)."""
    drawn: list = []

    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(st.lists(st.one_of(ACTIONS, MORE_ACTIONS), min_size=3, max_size=max_actions))
    def collect(actions):
        drawn.append([("ready", 40_000, 500)] + actions)  # from a working market: traces reach tasks

    collect._hypothesis_internal_use_seed = seed
    collect()
    return drawn[:count]
