"""A small builder of protocol states for hand-written scenarios: every state is reached by
applying valid operations through `spec.apply`, so a pre-state is always one the spec can reach."""
from __future__ import annotations

from typing import Optional

from pyrsistent import pmap

import spec
from properties.strategies import ACCOUNTS, ENGINE_SECRETS, PROVERS, REQUESTERS, WRONG_SECRET
from spec import operations as ops
from spec.containers import Config, State, genesis
from spec.env import STAND_IN_VERIFIER_ID, stand_in_proof
from spec.signing import assignment_message, invalid_inputs_message, public_key, sign

ALICE, CAROL = REQUESTERS
P0, P1, P2 = PROVERS
MALLORY = "mallory"
SECRET, OTHER_SECRET = ENGINE_SECRETS
KEY, OTHER_KEY = public_key(SECRET), public_key(OTHER_SECRET)
PUBLIC_INPUTS = b"x^3+x+5=35"
START = 1_000


def assignment_signature(market_id: int, ask_id: int, prover: str, price: int, secret: bytes = SECRET) -> bytes:
    return sign(secret, assignment_message(market_id, ask_id, prover, price))


def invalid_inputs_signature(market_id: int, ask_id: int, prover: str, secret: bytes = SECRET) -> bytes:
    return sign(secret, invalid_inputs_message(market_id, ask_id, prover))


class World:
    """A state under construction; each helper applies valid operations and returns an id or self."""

    def __init__(self, config: Config = Config(), time: int = START):
        self.state: State = genesis(config, time)

    def do(self, *operations) -> "World":
        for op in operations:
            self.state, _ = spec.apply(self.state, op)
        return self

    def wait(self, seconds: int) -> "World":
        return self.do(ops.AdvanceTime(seconds)) if seconds else self

    def wait_until(self, time: int) -> "World":
        return self.wait(time - self.state.time)

    def funded(self, amount: int = 10_000) -> "World":
        for account in ACCOUNTS:
            for token in self.state.config.tokens:
                self.do(ops.Mint(account, token, amount))
        return self

    def market(self, owner: str = ALICE, slash: Optional[dict] = None, key: str = KEY, fee: int = 10,
               protocol: str = "orderbook") -> int:
        slash = {self.state.config.stake_tokens[0]: 100} if slash is None else slash
        self.do(ops.CreateMarket(owner, STAND_IN_VERIFIER_ID, protocol, pmap(slash), key, fee))
        return self.state.next_market_id - 1

    def prover(self, address: str = P0, compute: int = 4, stake: int = 500, reward: Optional[str] = None) -> str:
        self.do(ops.RegisterProver(address, reward or f"{address}-rewards", compute))
        if stake:
            self.do(ops.DepositStake(address, self.state.config.stake_tokens[0], stake))
        return address

    def join(self, prover: str = P0, market: int = 0, price: int = 50, proposed_time: int = 100, compute: int = 1) -> "World":
        return self.do(ops.JoinMarket(prover, market, price, proposed_time, compute))

    def ask(self, market: int = 0, requester: str = ALICE, max_price: int = 200, expires_in: int = 300,
            proof_time: int = 100, preference: int = 5_000, public_inputs: bytes = PUBLIC_INPUTS) -> int:
        self.do(ops.CreateAsk(requester, market, max_price, self.state.time + expires_in, proof_time, preference, public_inputs))
        return self.state.next_ask_id - 1

    def assign(self, ask: int = 0, prover: str = P0, price: int = 100) -> "World":
        market = self.state.asks[ask].market_id
        return self.do(ops.AssignTask(MALLORY, ask, prover, price, assignment_signature(market, ask, prover, price)))

    def deadline(self, ask: int = 0) -> int:
        return self.state.asks[ask].assignment.deadline

    def expiry(self, ask: int = 0) -> int:
        return self.state.asks[ask].expiry


def open_market(config: Config = Config(), **market) -> World:
    """Funded accounts, market 0 and prover p0 (compute 4, 500 stake) quoting 50 in it."""
    w = World(config).funded()
    w.market(**market)
    w.prover(P0)
    w.join(P0, 0)
    return w


def open_ask(config: Config = Config(), **market) -> World:
    """`open_market` plus ask 0 by alice (max_price 200, expires in 300 s, proof_time 100)."""
    w = open_market(config, **market)
    w.ask()
    return w


def assigned_task(config: Config = Config(), price: int = 100, **market) -> World:
    """`open_ask` with ask 0 assigned to p0 at `price`."""
    w = open_ask(config, **market)
    return w.assign(0, P0, price)


def proof(public_inputs: bytes = PUBLIC_INPUTS) -> bytes:
    return stand_in_proof(public_inputs)


__all__ = [
    "ALICE", "CAROL", "KEY", "MALLORY", "OTHER_KEY", "OTHER_SECRET", "P0", "P1", "P2", "PUBLIC_INPUTS", "SECRET",
    "WRONG_SECRET", "World", "assigned_task", "assignment_signature", "invalid_inputs_signature", "open_ask",
    "open_market", "proof",
]
