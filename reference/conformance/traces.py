"""Seeded random traces drawn from the Hypothesis strategies of `properties.strategies`.

Hypothesis runs with an explicit `@seed`, no example database and only the generate phase, so
the same seed and Hypothesis version give the same traces on every run and machine (Hypothesis's
habit of also drawing literals found in whatever local modules are loaded is switched off, since
it would make the traces depend on what else was imported). Each trace
starts from a funded, bootstrapped state (its pre-state) and draws `steps` operations, each
against the state reached so far; rejected operations stay in the trace (they pin error codes).
"""
from __future__ import annotations

import contextlib

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import spec
from properties import strategies as strat
from spec import operations as ops
from spec.containers import State
from spec.errors import SpecError
from spec.types import AskState

DEFAULT_SEED = 20261124


def _apply_valid(state: State, operations) -> State:
    for op in operations:
        try:
            state, _ = spec.apply(state, op)
        except SpecError:
            pass
    return state


NEEDS_ASK_IN = {
    "cancel_ask": AskState.UNASSIGNED, "expire_ask": AskState.UNASSIGNED, "assign_task": AskState.UNASSIGNED,
    "submit_proof": AskState.ASSIGNED, "submit_invalid_inputs": AskState.ASSIGNED,
    "slash_missed_deadline": AskState.ASSIGNED, "discard_task": AskState.ASSIGNED,
}


def enabled(state: State, names: list[str]) -> list[str]:
    """The operations worth drawing now: those acting on an ask in a given state only while such
    an ask exists (as the preconditions of `properties.machines.LifecycleMachine`)."""
    present = {a.state for a in state.asks.values()}
    return [n for n in names if n not in NEEDS_ASK_IN or NEEDS_ASK_IN[n] in present]


@contextlib.contextmanager
def without_local_constants():
    """Hypothesis >= 6.131 draws, now and then, constants found in the loaded local modules;
    make it see none while traces are drawn."""
    try:
        from hypothesis.internal.conjecture import providers
        original, cache, empty = providers._get_local_constants, providers.CONSTANTS_CACHE.cache, providers.Constants()
    except (ImportError, AttributeError):
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


def random_traces(count: int, steps: int, seed: int = DEFAULT_SEED) -> list[tuple[State, list]]:
    """`count` traces of `steps` operations each: `(pre_state, operations)`."""
    traces: list[tuple[State, list]] = []
    names = sorted(strat.OPERATION_STRATEGIES)

    @settings(database=None, max_examples=count, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck), derandomize=False, print_blob=False)
    @hypothesis.seed(seed)
    @given(config=strat.configs(), amount=st.integers(1_000, 5_000), data=st.data())
    def draw(config, amount, data):
        state = spec.genesis(config, time=data.draw(st.integers(0, 10_000)))
        state = _apply_valid(state, [ops.Mint(a, t, amount) for a in strat.ACCOUNTS for t in state.config.tokens])
        pre = _apply_valid(state, data.draw(strat.bootstrap(state)))
        state, trace = pre, []
        for _ in range(steps):
            name = data.draw(st.sampled_from(enabled(state, names)))
            op = data.draw(strat.OPERATION_STRATEGIES[name](state))
            trace.append(op)
            state = _apply_valid(state, [op])
        traces.append((pre, trace))

    with without_local_constants():
        draw()
    if len(traces) != count:
        raise RuntimeError(f"Hypothesis produced {len(traces)} traces, {count} requested (seed {seed})")
    return traces
