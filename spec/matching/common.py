"""What every matching protocol shares: the assignment it proposes, which asks are open, who is
eligible (exactly what the chain would accept), and the seeded tie-break."""
from __future__ import annotations

import hashlib
from typing import Callable, Iterable, Optional

import attrs

from spec.containers import Ask, Quote, State
from spec.env import DEFAULT_ENV, Env
from spec.errors import SpecError, require
from spec.signing import encode_statement
from spec.tasks import assign, check_assignment
from spec.types import AskState


class InvalidMatchingRule(SpecError):
    """A matching protocol parameter is out of its allowed range (engine configuration, not a
    chain operation: no vector carries this code)."""

    code = "INVALID_MATCHING_RULE"


@attrs.frozen
class Match:
    """A proposed assignment: `ask_id` to `prover` at `price`; the engine signs it as an AssignTask."""

    ask_id: int
    prover: str
    price: int


def open_asks(state: State, protocol: str) -> list[Ask]:
    """UNASSIGNED asks not past expiry (time <= expiry) in markets using `protocol`, by id."""
    return [
        ask for _, ask in sorted(state.asks.items())
        if ask.state == AskState.UNASSIGNED and state.time <= ask.expiry
        and state.markets[ask.market_id].matching_protocol == protocol
    ]


def quoting_members(state: State, market_id: int) -> list[tuple[str, Quote]]:
    """Members of `market_id` with an active quote, by address."""
    return sorted(
        ((prover, m.quote) for (mid, prover), m in state.memberships.items() if mid == market_id and m.quote is not None),
        key=lambda pair: pair[0],
    )


def eligible(state: State, ask: Ask, prover: str, price: int, env: Env = DEFAULT_ENV) -> bool:
    """The chain would accept assigning `ask` to `prover` at `price` (signature aside): exactly
    `spec.tasks.check_assignment` — price within quote..max_price, proposed time <= proof_time,
    free compute and free stake (I3, I7), ask open and not expired."""
    try:
        check_assignment(state, ask, prover, price, env)
    except SpecError:
        return False
    return True


def commit(state: State, match: Match, env: Env = DEFAULT_ENV) -> State:
    """The state once the chain accepted `match` (`spec.tasks.assign`)."""
    return assign(state, state.asks[match.ask_id], match.prover, match.price, env)[0]


def tie_rank(seed: int, prover: str) -> bytes:
    """The seeded lottery order among otherwise equal provers: SHA-256 of ("tie", seed, prover)."""
    return hashlib.sha256(encode_statement("tie", seed, prover)).digest()


def match_in_order(
    state: State, asks: Iterable[Ask], choose: Callable[[State, Ask], Optional[Match]], env: Env = DEFAULT_ENV
) -> tuple[Match, ...]:
    """Match `asks` one after another: each gets `choose(state, ask)` on the state the previous
    matches left (their stake and compute locked, quotes that no longer fit cancelled)."""
    matches = []
    for ask in asks:
        match = choose(state, ask)
        if match is not None:
            matches.append(match)
            state = commit(state, match, env)
    return tuple(matches)


def require_seed(seed: int) -> None:
    require(type(seed) is int and 0 <= seed < 2**255, InvalidMatchingRule, "seed", "must be an integer in [0, 2^255)")
