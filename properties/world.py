"""The one builder of protocol states, for tests, scenarios, engine worlds and the simulator:
every state is reached by applying valid operations through `spec.apply`, so a pre-state is
always one the spec can reach. Names and secrets come from `properties.fixtures`."""
from __future__ import annotations

import copy
from typing import Optional

from pyrsistent import pmap

import spec
from properties.fixtures import (
    ACCOUNTS, ALICE, CURATOR, ENGINE_KEY, ENGINE_SECRET, MALLORY, P0, RESOLVER, STAKER, TRANSMITTER, restaking_config,
)
from spec import operations as ops
from spec.containers import Config, State, genesis
from spec.env import STAND_IN_VERIFIER_ID, stand_in_proof
from spec.errors import SpecError
from spec.signing import assignment_message, invalid_inputs_message, sign

START = 1_000
PUBLIC_INPUTS = b"x^3+x+5=35"


def assignment_signature(market_id: int, ask_id: int, prover: str, price: int, secret: bytes = ENGINE_SECRET) -> bytes:
    return sign(secret, assignment_message(market_id, ask_id, prover, price))


def invalid_inputs_signature(market_id: int, ask_id: int, prover: str, secret: bytes = ENGINE_SECRET) -> bytes:
    return sign(secret, invalid_inputs_message(market_id, ask_id, prover))


def proof(public_inputs: bytes = PUBLIC_INPUTS) -> bytes:
    return stand_in_proof(public_inputs)


class World:
    """A state under construction; each helper applies valid operations and returns an id or self.
    `events` holds the events of the last `do`."""

    def __init__(self, config: Config = Config(), time: int = START, engine_secret: bytes = ENGINE_SECRET):
        self.state: State = genesis(config, time)
        self.events: list = []
        self.engine_secret = engine_secret

    def do(self, *operations, env=spec.DEFAULT_ENV) -> "World":
        self.events = []
        for op in operations:
            self.state, emitted = spec.apply(self.state, op, env)
            self.events += emitted
        return self

    def reject(self, op, code: str, field: Optional[str] = None, env=spec.DEFAULT_ENV) -> SpecError:
        """Apply `op`, expect the error `code` (naming `field`), and check the state did not change."""
        before = copy.deepcopy(self.state)
        try:
            spec.apply(self.state, op, env)
        except SpecError as error:
            assert error.code == code, f"expected {code}, got {error.code}: {error}"
            assert field is None or error.field == field, f"expected field {field}, got {error.field}"
            assert self.state == before
            return error
        raise AssertionError(f"{op} was accepted, expected {code}")

    def balance(self, account: str, token: Optional[str] = None) -> int:
        return self.state.balances.get((account, token or self.state.config.payment_token), 0)

    def wait(self, seconds: int) -> "World":
        return self.do(ops.AdvanceTime(seconds)) if seconds else self

    def wait_until(self, time: int) -> "World":
        return self.wait(time - self.state.time)

    def funded(self, amount: int = 10_000, accounts=ACCOUNTS) -> "World":
        for account in accounts:
            for token in self.state.config.tokens:
                self.do(ops.Mint(account, token, amount))
        return self

    def market(self, owner: str = ALICE, slash: Optional[dict] = None, key: str = ENGINE_KEY, fee: int = 10,
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
            proof_time: int = 100, preference: int = 5_000, public_inputs: bytes = PUBLIC_INPUTS, private_inputs=None) -> int:
        self.do(ops.CreateAsk(requester, market, max_price, self.state.time + expires_in, proof_time, preference,
                              public_inputs, private_inputs))
        return self.state.next_ask_id - 1

    def assignment(self, ask: int = 0, prover: str = P0, price: int = 100, secret: Optional[bytes] = None,
                   sender: str = MALLORY, signed_price: Optional[int] = None) -> ops.AssignTask:
        """The AssignTask of `ask` to `prover` at `price`, signed by the engine (or by `secret`)."""
        market = self.state.asks[ask].market_id if ask in self.state.asks else 0
        signature = assignment_signature(market, ask, prover, price if signed_price is None else signed_price,
                                         self.engine_secret if secret is None else secret)
        return ops.AssignTask(sender, ask, prover, price, signature)

    def assign(self, ask: int = 0, prover: str = P0, price: int = 100) -> "World":
        return self.do(self.assignment(ask, prover, price))

    def invalid_inputs(self, ask: int = 0, prover: Optional[str] = None, secret: Optional[bytes] = None,
                       sender: Optional[str] = None) -> ops.SubmitInvalidInputs:
        """The assigned prover's SubmitInvalidInputs for `ask`, with the engine's statement for `prover`."""
        a = self.state.asks[ask]
        prover = prover or a.assignment.prover
        signature = invalid_inputs_signature(a.market_id, ask, prover, self.engine_secret if secret is None else secret)
        return ops.SubmitInvalidInputs(sender or prover, ask, signature)

    def vault(self, vault_id: str = "v1", slasher: str = "veto", veto_duration: int = 200, epoch_duration: int = 1_000,
              operators: Optional[dict] = None, deposit: int = 1_000) -> str:
        """A vault on the vault chain delegating to `operators` (p0 alone by default), with `deposit` staked."""
        self.do(ops.CreateVault(CURATOR, vault_id, epoch_duration, slasher, veto_duration, RESOLVER, pmap(operators or {P0: 1})))
        if deposit:
            self.do(ops.VaultDeposit(STAKER, vault_id, deposit))
        return vault_id

    def message(self) -> int:
        """The id of the last message put on the bridge."""
        return self.state.restaking.bridge.next_id - 1

    def transmit(self, capture_ts: int, index: int = 0, count: int = 1, entries: Optional[tuple] = None):
        """The transmitter's snapshot part for `capture_ts` (the honest one by default), as an operation."""
        from spec.restaking import snapshot_parts

        if entries is None:
            entries = snapshot_parts(self.state, capture_ts, count)[index].entries
        return ops.TransmitSnapshotPart(TRANSMITTER, capture_ts, index, count, entries)

    def snapshot(self, capture_ts: int) -> "World":
        """Transmit and deliver the honest snapshot of `capture_ts` in one part."""
        self.do(self.transmit(capture_ts))
        return self.do(ops.DeliverMessage(self.message()))

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


def restaked_market(native_stake: int = 0, slasher: str = "veto") -> World:
    """Market 0 (slash 100 POND); p0 quoting in it with `native_stake` and 1000 restaked in vault v1,
    whose snapshot captured at 1000 arrived and is confirmed at time 1100."""
    w = World(restaking_config()).funded()
    w.market()
    w.prover(P0, stake=native_stake)
    w.vault(slasher=slasher, veto_duration=200 if slasher == "veto" else 0)
    w.join(P0, 0)
    w.wait(100)
    return w.snapshot(START)


def restaked_task(slasher: str = "veto") -> World:
    """`restaked_market` with ask 0 (proof_time 100) assigned to p0, backed by restaked stake."""
    w = restaked_market(slasher=slasher)
    w.ask()
    return w.assign(0, P0, 100)


def slash_requested(slasher: str = "veto") -> World:
    """`restaked_task` slashed one second after its deadline; the slash request is on the bridge."""
    w = restaked_task(slasher)
    w.wait_until(w.deadline() + 1)
    return w.do(ops.SlashMissedDeadline(MALLORY, 0))


def slash_pending() -> World:
    """`slash_requested` with the request delivered: pending on the vault chain until its veto deadline."""
    w = slash_requested()
    return w.do(ops.DeliverMessage(w.message()))
