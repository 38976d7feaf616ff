"""A small funded world for unit tests: one market, one staked prover quoting in it, one ask."""
from __future__ import annotations

import copy

import spec
from spec import operations as ops
from spec.signing import assignment_message, invalid_inputs_message, public_key, sign

ENGINE_SECRET = bytes([7]) * 32
OTHER_SECRET = bytes([8]) * 32
ENGINE_KEY = public_key(ENGINE_SECRET)
INPUTS = b"public-inputs"


class World:
    def __init__(self, config: spec.Config = spec.Config()):
        self.state = spec.genesis(config)
        self.events: list = []

    def do(self, op, env=spec.DEFAULT_ENV):
        self.state, self.events = spec.apply(self.state, op, env)
        return self.events

    def reject(self, op, code: str, env=spec.DEFAULT_ENV):
        """Apply `op`, expect the error `code`, and check the state did not change (I10)."""
        before = copy.deepcopy(self.state)
        try:
            spec.apply(self.state, op, env)
        except spec.SpecError as error:
            assert error.code == code, f"expected {code}, got {error.code}: {error}"
            assert self.state == before
            return error
        raise AssertionError(f"{op} was accepted, expected {code}")

    def balance(self, account, token="USDC"):
        return self.state.balances.get((account, token), 0)

    def assign(self, ask_id=0, prover="prover", price=60, secret=ENGINE_SECRET, sender="relayer"):
        market_id = self.state.asks[ask_id].market_id
        signature = sign(secret, assignment_message(market_id, ask_id, prover, price))
        return ops.AssignTask(sender, ask_id, prover, price, signature)

    def invalid_inputs(self, ask_id=0, prover="prover", secret=ENGINE_SECRET):
        market_id = self.state.asks[ask_id].market_id
        return ops.SubmitInvalidInputs(prover, ask_id, sign(secret, invalid_inputs_message(market_id, ask_id, prover)))


def funded() -> World:
    w = World()
    for account in ("requester", "owner", "prover"):
        w.do(ops.Mint(account, "USDC", 10_000))
        w.do(ops.Mint(account, "POND", 10_000))
    return w


def with_market(slash=100, fee=10) -> World:
    w = funded()
    w.do(ops.CreateMarket("owner", spec.STAND_IN_VERIFIER_ID, "orderbook", {"POND": slash}, ENGINE_KEY, fee))
    return w


def with_prover(stake=500, compute=10, price=50, proposed_time=100, cpr=4) -> World:
    w = with_market()
    w.do(ops.RegisterProver("prover", "prover-rewards", compute))
    w.do(ops.DepositStake("prover", "POND", stake))
    w.do(ops.JoinMarket("prover", 0, price, proposed_time, cpr))
    return w


def with_ask(max_price=100, expiry=1_000, proof_time=200, **prover) -> World:
    w = with_prover(**prover)
    w.do(ops.CreateAsk("requester", 0, max_price, expiry, proof_time, 5_000, INPUTS))
    return w


def assigned(**kw) -> World:
    w = with_ask(**kw)
    w.do(w.assign())
    return w
