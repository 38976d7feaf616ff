"""The simulated chain: every protocol action goes through `spec.apply`, so the simulation is
validated by the spec. A rejection of an action the simulation meant to be valid is recorded.
The chain is a `properties.world.World` whose `submit` records a rejection instead of raising."""
from __future__ import annotations

from collections import Counter
from typing import Callable, Optional

import spec
from spec import operations as ops
from spec.env import STAND_IN_VERIFIER_ID, stand_in_proof
from spec.errors import SpecError
from spec.provers import free_compute, free_stake
from properties.world import World
from spec.signing import public_key

KEEPER = "keeper"
OWNER = "market-owner"

Observer = Callable[[object, object, object, list], None]


class Chain(World):
    """Holds the spec state; `submit(op)` applies it at the current simulated time."""

    def __init__(self, config: spec.Config = spec.Config(), observer: Optional[Observer] = None):
        super().__init__(config, time=0)
        self.observer = observer
        self.applied = Counter()
        self.rejected: Counter = Counter()
        self.rejections: list[str] = []
        self.engine_key = public_key(self.engine_secret)

    def submit(self, op) -> Optional[list]:
        """Apply `op`; on a rule violation record it and return None (state unchanged)."""
        pre = self.state
        try:
            post, events = spec.apply(pre, op)
        except SpecError as error:
            self.rejected[f"{op.name}: {error.code}"] += 1
            if len(self.rejections) < 20:
                self.rejections.append(f"t={pre.time} {op!r} -> {error}")
            return None
        if self.observer is not None:
            self.observer(pre, op, post, events)
        self.state = post
        self.applied[op.name] += 1
        return events

    def advance_to(self, t: int) -> None:
        if t > self.state.time:
            self.submit(ops.AdvanceTime(t - self.state.time))

    @property
    def payment_token(self) -> str:
        return self.state.config.payment_token

    @property
    def stake_token(self) -> str:
        return self.state.config.stake_tokens[0]

    def create_market(self, protocol: str, slash_amount: int) -> int:
        market_id = self.state.next_market_id
        fee = self.state.config.market_creation_fee
        self.submit(ops.Mint(OWNER, self.payment_token, fee))
        self.submit(ops.CreateMarket(OWNER, STAND_IN_VERIFIER_ID, protocol, {self.stake_token: slash_amount},
                                     self.engine_key, 0))
        return market_id

    def assign(self, ask_id: int, prover: str, price: int) -> Optional[list]:
        """The engine signs and submits the assignment."""
        return self.submit(self.assignment(ask_id, prover, price, sender=KEEPER))

    def prove(self, ask_id: int, prover: str) -> Optional[list]:
        ask = self.state.asks[ask_id]
        return self.submit(ops.SubmitProof(prover, ask_id, stand_in_proof(ask.public_inputs)))

    def can_take(self, market_id: int, prover: str) -> bool:
        """The spec would let `prover` take one more task of `market_id` now (quote, compute, stake)."""
        membership = self.state.memberships.get((market_id, prover))
        if membership is None or membership.quote is None or membership.exit_requested:
            return False
        record = self.state.provers[prover]
        if free_compute(record) < membership.quote.compute_per_request:
            return False
        market = self.state.markets[market_id]
        return all(free_stake(self.state, record, t) >= a for t, a in market.slash_amount.items())

    def quote(self, market_id: int, prover: str):
        membership = self.state.memberships.get((market_id, prover))
        return None if membership is None else membership.quote
