"""The Kalypso protocol as a pure state machine.

`apply(state, op, env) -> (state, events)`; data in `spec.containers`, operations in
`spec.operations`, one module per concern for the transitions, typed errors in `spec.errors`.
This package imports nothing from `properties`, `reference` or `kalypso`.
"""
from spec.containers import Ask, Assignment, Config, Market, Membership, Prover, Quote, State, WithdrawalRequest, genesis
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, Env, stand_in_proof
from spec.errors import ALL_ERRORS, ERROR_BY_CODE, SpecError
from spec.events import Event
from spec.operations import OPERATIONS
from spec.transition import PROCESSORS, apply
from spec.types import AskState, MatchingProtocol, MembershipStatus

__all__ = [
    "ALL_ERRORS", "DEFAULT_ENV", "ERROR_BY_CODE", "OPERATIONS", "PROCESSORS", "STAND_IN_VERIFIER_ID",
    "Ask", "AskState", "Assignment", "Config", "Env", "Event", "Market", "MatchingProtocol", "Membership",
    "MembershipStatus", "Prover", "Quote", "SpecError", "State", "WithdrawalRequest", "apply", "genesis",
    "stand_in_proof",
]
