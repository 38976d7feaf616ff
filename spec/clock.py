"""Time: an explicit clock, advanced by an operation."""
from __future__ import annotations

import attrs

from spec.containers import State
from spec.env import Env
from spec.errors import InvalidTimeStep, require
from spec.events import event
from spec.operations import AdvanceTime


def process_advance_time(state: State, op: AdvanceTime, env: Env):
    """Move real time forward by `seconds` > 0: the market chain's clock and the vault chain's."""
    require(op.seconds > 0, InvalidTimeStep, "seconds", "must be > 0")
    chain = state.restaking.vault_chain
    restaking = attrs.evolve(state.restaking, vault_chain=attrs.evolve(chain, time=chain.time + op.seconds))
    new = attrs.evolve(state, time=state.time + op.seconds, restaking=restaking)
    return new, [event("TimeAdvanced", time=new.time)]
