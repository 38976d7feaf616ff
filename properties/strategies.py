"""Hypothesis strategies for protocol operations: the generators of `properties.generators` run
on a source that draws from Hypothesis' public strategies (so examples shrink), plus reachable
states built from them. `OPERATION_STRATEGIES[name](state)` (also `strategies.<name>(state)`)
is the strategy of one operation against `state`."""
from __future__ import annotations

from typing import Callable, Sequence

from hypothesis import strategies as st

import spec
from properties import generators as gen
from properties.fixtures import (  # noqa: F401 (names the machines and tests read from here)
    ACCOUNTS, ENGINE_KEYS, ENGINE_SECRETS, PROVERS, REQUESTERS, RESOLVER, SECRET_OF_KEY, STAKERS, TRANSMITTER,
)
from properties.generators import latest_capture  # noqa: F401
from spec import operations as ops
from spec.containers import State
from spec.errors import SpecError


def pick(options: Sequence) -> st.SearchStrategy:
    """One of `options`, sampled as its index. Not `st.sampled_from(options)`: Hypothesis labels
    that strategy with the `hash()` of its elements, and strings hash differently under each
    PYTHONHASHSEED, which made the machines' draws depend on the hash seed (integers hash alike)."""
    options = tuple(options)
    return st.sampled_from(range(len(options))).map(options.__getitem__)


class HypothesisSource:
    """A generator source drawing from Hypothesis inside `st.composite` or `st.data()`."""

    def __init__(self, draw: Callable):
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, options: Sequence):
        return self.draw(pick(options))

    def binary(self, min_size: int, max_size: int) -> bytes:
        return self.draw(st.binary(min_size=min_size, max_size=max_size))


def strategy(generator: Callable) -> Callable[..., st.SearchStrategy]:
    """The Hypothesis strategy of a generator `(source, *args) -> value`, as a function of `args`."""

    @st.composite
    def drawn(draw, *args):
        return generator(HypothesisSource(draw), *args)

    drawn.__name__ = drawn.__qualname__ = generator.__name__
    drawn.__doc__ = generator.__doc__
    return drawn


MARKET_STRATEGIES = {name: strategy(g) for name, g in gen.MARKET_GENERATORS.items()}
"""The strategy of each market-chain operation (the lifecycle machine has one rule per entry)."""
RESTAKING_STRATEGIES = {name: strategy(g) for name, g in gen.RESTAKING_GENERATORS.items()}
OPERATION_STRATEGIES = {**MARKET_STRATEGIES, **RESTAKING_STRATEGIES}
"""The strategy of every operation."""
globals().update(OPERATION_STRATEGIES)

_config = strategy(gen.config)
bootstrap = strategy(gen.bootstrap)


def configs() -> st.SearchStrategy:
    """Protocol parameters worth exploring: short withdrawal delays, any slash split."""
    return _config()


def operations(state: State):
    """Any protocol operation, drawn against `state` (the kind first, then its fields)."""
    return pick(sorted(OPERATION_STRATEGIES)).flatmap(lambda name: OPERATION_STRATEGIES[name](state))


def apply_leniently(state: State, op) -> State:
    """`op` applied to `state`, or `state` itself where the op is rejected."""
    try:
        return spec.apply(state, op)[0]
    except SpecError:
        return state


@st.composite
def reachable_states(draw, max_steps: int = 12):
    """A state reached from genesis: funded accounts, a bootstrap, then up to `max_steps`
    random operations (rejected ones skipped)."""
    state = spec.genesis(draw(configs()))
    for account in ACCOUNTS:
        for token in state.config.tokens:
            state = apply_leniently(state, ops.Mint(account, token, 3_000))
    for op in draw(bootstrap(state)):
        state = apply_leniently(state, op)
    for _ in range(draw(st.integers(0, max_steps))):
        state = apply_leniently(state, draw(operations(state)))
    return state


@st.composite
def states_and_operations(draw, max_steps: int = 12):
    """A reachable state and one more arbitrary operation against it."""
    state = draw(reachable_states(max_steps))
    return state, draw(operations(state))
