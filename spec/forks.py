"""The fork registry: each fork's state type, genesis, operations, dispatch table and views.

`apply(state, op, env)` takes the fork from the STATE (its class names the fork): a state only
has meaning under the rules that made it, as a consensus-specs BeaconState carries its fork;
`Env` holds what is outside the protocol (verifiers, the attestation root). docs/forks.md."""
from __future__ import annotations

from typing import Callable

import attrs

from spec import codec as design_codec
from spec import containers as design_containers
from spec import errors as design_errors
from spec import operations as design_operations
from spec import transition as design_transition
from spec.deployed_native import codec as native_codec
from spec.deployed_native import containers as native_containers
from spec.deployed_native import errors as native_errors
from spec.deployed_native import operations as native_operations
from spec.deployed_native import projection as native_projection
from spec.deployed_native import transition as native_transition
from spec.env import DEFAULT_ENV, Env
from spec.errors import InvalidConfig


@attrs.frozen
class Fork:
    """A rule set. `view(state)` is what a conformance `state` request answers: the design's
    full canonical state; a deployed fork's on-chain projection."""

    name: str
    state_type: type
    genesis: Callable  # (config or None) -> state
    decode_config: Callable  # JSON -> config
    operations: dict
    processors: dict
    apply: Callable
    decode_op: Callable
    encode_op: Callable
    view: Callable
    error_by_code: dict


def _design_config(data):
    return design_containers.Config() if data is None else design_codec.decode_config(data)


DESIGN = Fork(
    name="design",
    state_type=design_containers.State,
    genesis=lambda config=None: design_containers.genesis(config or design_containers.Config()),
    decode_config=_design_config,
    operations=design_operations.OPERATIONS,
    processors=design_transition.PROCESSORS,
    apply=design_transition.apply,
    decode_op=design_codec.decode_op,
    encode_op=design_codec.encode_op,
    view=design_codec.encode_state,
    error_by_code=design_errors.ERROR_BY_CODE,
)

DEPLOYED_NATIVE = Fork(
    name="deployed_native",
    state_type=native_containers.State,
    genesis=lambda config=None: native_containers.genesis(config or native_containers.Config()),
    decode_config=native_codec.decode_config,
    operations=native_operations.OPERATIONS,
    processors=native_transition.PROCESSORS,
    apply=native_transition.apply,
    decode_op=native_codec.decode_op,
    encode_op=native_codec.encode_op,
    view=native_projection.project,
    error_by_code=native_errors.ERROR_BY_CODE,
)

FORKS: dict[str, Fork] = {fork.name: fork for fork in (DESIGN, DEPLOYED_NATIVE)}
_BY_STATE = {fork.state_type: fork for fork in FORKS.values()}


def get_fork(name) -> Fork:
    if not isinstance(name, str) or name not in FORKS:
        raise InvalidConfig("fork", f"must be one of {sorted(FORKS)}")
    return FORKS[name]


def fork_of(state) -> Fork:
    """The fork whose rules made `state`."""
    fork = _BY_STATE.get(type(state))
    if fork is None:
        raise TypeError(f"{type(state).__name__} is no fork's state")
    return fork


def apply(state, op, env: Env = DEFAULT_ENV):
    """Apply `op` under the rules of the fork that made `state`."""
    return fork_of(state).apply(state, op, env)
