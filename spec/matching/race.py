"""Proof race: every eligible prover may prove an ask; the first valid proof is paid max_price,
every other prover that proved it gets nothing and loses what the proof cost it."""
from __future__ import annotations

from typing import Iterable, Optional

import attrs

from spec.containers import Ask, State
from spec.env import DEFAULT_ENV, Env
from spec.matching.common import Match, commit, eligible, open_asks, quoting_members, require_seed, tie_rank
from spec.types import MatchingProtocol


@attrs.frozen
class RaceSubmission:
    ask_id: int
    prover: str
    proof: bytes
    at: int


@attrs.frozen
class RaceResult:
    """The winning assignment and its proof (to submit right after the assignment), and each
    losing prover with the cost it sank: its quoted price, its own statement of a proof's cost."""

    match: Match
    proof: bytes
    losers: tuple[tuple[str, int], ...]

    @property
    def wasted_cost(self) -> int:
        return sum(cost for _, cost in self.losers)


def race_result(state: State, ask: Ask, submissions: Iterable[RaceSubmission], env: Env, seed: int) -> Optional[RaceResult]:
    """Valid submissions are those made in [created_at, min(time, expiry)] by a quoting member
    whose proof the market's verifier accepts. The earliest (then by tie_rank) from a prover
    eligible at max_price wins, paid max_price; every other valid submitter is a loser."""
    market = state.markets[ask.market_id]
    verify = env.verifiers[market.verifier_id]
    quotes = dict(quoting_members(state, ask.market_id))
    valid = sorted(
        (s.at, tie_rank(seed, s.prover), s.prover, s.proof) for s in submissions
        if s.ask_id == ask.id and s.prover in quotes and ask.created_at <= s.at <= min(state.time, ask.expiry)
        and verify(ask.public_inputs, s.proof)
    )
    first: dict[str, tuple] = {}
    for entry in valid:
        first.setdefault(entry[2], entry)
    winner = next((entry for entry in sorted(first.values()) if eligible(state, ask, entry[2], ask.max_price, env)), None)
    if winner is None:
        return None
    losers = tuple((prover, quotes[prover].price) for prover in sorted(first) if prover != winner[2])
    return RaceResult(Match(ask.id, winner[2], ask.max_price), winner[3], losers)


def proof_race(state: State, submissions: Iterable[RaceSubmission], env: Env = DEFAULT_ENV, seed: int = 0) -> tuple[RaceResult, ...]:
    """Resolve, by ask id, every open ask of the proof-race markets with `race_result`, each on
    the state the earlier results left."""
    require_seed(seed)
    submissions = tuple(submissions)
    results = []
    for ask in open_asks(state, MatchingProtocol.PROOF_RACE.value):
        result = race_result(state, ask, submissions, env, seed)
        if result is not None:
            results.append(result)
            state = commit(state, result.match, env)
    return tuple(results)
