"""The value space of every protocol operation, drawn against a state: biased towards operations
that are valid in that state (existing ids, affordable amounts, matching signatures) but able to
produce every kind of invalid one too.

A generator is a plain function `(source, state) -> operation`; the `source` makes the choices.
`properties.strategies` runs the generators under Hypothesis (a source drawing from Hypothesis'
public strategies, so it shrinks); `RandomSource` runs them on `random.Random(seed)` for the
committed random traces, which therefore depend on no Hypothesis version.
"""
from __future__ import annotations

import random
from typing import Callable, Protocol, Sequence

from properties.fixtures import (
    ACCOUNTS, CURATOR, ENGINE_KEYS, ENGINE_SECRETS, MODEL_ROOT_SECRET, OPERATORS, PROVERS, PUBLIC_INPUTS, REQUESTERS, RESOLVER,
    SECRET_OF_KEY, STAKERS, TRANSMITTER, VAULTS, WRONG_SECRET, attest,
)
from spec import operations as ops
from spec.containers import Config, State
from spec.env import STAND_IN_VERIFIER_ID, stand_in_proof
from spec.signing import assignment_message, invalid_inputs_message, sign
from spec.types import AskState, MatchingProtocol


class Source(Protocol):
    """Where a generator's choices come from."""

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""

    def choice(self, options: Sequence):
        """One of `options` (non-empty)."""

    def binary(self, min_size: int, max_size: int) -> bytes:
        """A byte string of min_size..max_size bytes."""


class RandomSource:
    """Choices from `random.Random(seed)`: the same seed gives the same values on every machine."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: Sequence):
        return options[self.rng.randrange(len(options))]

    def binary(self, min_size: int, max_size: int) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(min_size, max_size)))


# --- combinators ----------------------------------------------------------------------------------

def usually(src: Source, common: Callable, rare: Callable, odds: int = 5):
    """`common()` `odds` times in `odds + 1`, `rare()` otherwise."""
    return common() if src.integer(0, odds) < odds else rare()


def one_of(src: Source, *options: Callable):
    return src.choice(options)()


def dictionary(src: Source, key: Callable, value: Callable, min_size: int = 0, max_size: int = 3) -> dict:
    out = {}
    for _ in range(src.integer(min_size, max_size)):
        out[key()] = value()
    return out


def any_int(src: Source) -> int:
    return one_of(src, lambda: src.integer(-5, 5), lambda: src.integer(0, 400))


def mostly(src: Source, ids) -> int:
    """One of `ids` usually, any small integer otherwise."""
    return usually(src, lambda: src.choice(ids), lambda: any_int(src)) if ids else any_int(src)


def account(src: Source) -> str:
    return src.choice(ACCOUNTS)


def prover_address(src: Source) -> str:
    return src.choice(PROVERS)


def token(src: Source, state: State) -> str:
    return src.choice(state.config.tokens + ("DOGE",))


def stake_token(src: Source, state: State) -> str:
    return usually(src, lambda: src.choice(state.config.stake_tokens), lambda: token(src, state))


def market_id(src: Source, state: State) -> int:
    return mostly(src, sorted(state.markets))


def ask_id(src: Source, state: State, states=None) -> int:
    return mostly(src, sorted(i for i, a in state.asks.items() if states is None or a.state in states))


def valid_slash_amounts(src: Source, state: State) -> dict:
    tokens = state.config.stake_tokens
    return dictionary(src, lambda: src.choice(tokens), lambda: src.integer(1, 150), 1, len(tokens))


def slash_amounts(src: Source, state: State) -> dict:
    return usually(src, lambda: valid_slash_amounts(src, state),
                   lambda: dictionary(src, lambda: token(src, state), lambda: src.integer(-1, 150), 0, 2), odds=3)


def engine_key(src: Source) -> str:
    return src.choice(ENGINE_KEYS * 4 + ("00", "zz", ENGINE_KEYS[0][:-2]))


# --- the market chain -----------------------------------------------------------------------------

def mint(src: Source, state: State):
    return ops.Mint(account(src), token(src, state), src.integer(-1, 3000))


def advance_time(src: Source, state: State):
    return ops.AdvanceTime(usually(src, lambda: one_of(src, lambda: src.integer(1, 60), lambda: src.integer(100, 450)),
                                   lambda: src.integer(-2, 700)))


def create_market(src: Source, state: State):
    return ops.CreateMarket(
        account(src),
        src.choice((STAND_IN_VERIFIER_ID,) * 9 + ("unknown/verifier",)),
        src.choice([p.value for p in MatchingProtocol] * 2 + ["barter"]),
        slash_amounts(src, state),
        engine_key(src),
        src.integer(-1, 50),
    )


def update_market(src: Source, state: State):
    mid = market_id(src, state)
    owner = state.markets[mid].owner if mid in state.markets else account(src)
    sender = one_of(src, lambda: owner, lambda: account(src))
    return ops.UpdateMarket(sender, mid, slash_amounts(src, state), engine_key(src), src.integer(-1, 50))


def register_prover(src: Source, state: State):
    return ops.RegisterProver(prover_address(src), account(src), src.integer(-1, 12))


def deposit_stake(src: Source, state: State):
    return ops.DepositStake(prover_address(src), stake_token(src, state), src.integer(-1, 600))


def request_stake_withdrawal(src: Source, state: State):
    return ops.RequestStakeWithdrawal(prover_address(src), stake_token(src, state), src.integer(-1, 400))


def withdraw_stake(src: Source, state: State):
    return ops.WithdrawStake(prover_address(src), stake_token(src, state))


def _quote(src: Source) -> tuple[int, int, int]:
    return src.integer(-1, 300), src.integer(-1, 400), src.integer(-1, 8)


def join_market(src: Source, state: State):
    price, proposed_time, compute = _quote(src)
    return ops.JoinMarket(prover_address(src), market_id(src, state), price, proposed_time, compute)


def update_quote(src: Source, state: State):
    price, proposed_time, compute = _quote(src)
    return ops.UpdateQuote(prover_address(src), market_id(src, state), price, proposed_time, compute)


def request_market_exit(src: Source, state: State):
    return ops.RequestMarketExit(prover_address(src), market_id(src, state))


def leave_market(src: Source, state: State):
    return ops.LeaveMarket(prover_address(src), market_id(src, state))


def create_ask(src: Source, state: State):
    return ops.CreateAsk(
        sender=usually(src, lambda: src.choice(REQUESTERS), lambda: account(src)),
        market_id=market_id(src, state),
        max_price=usually(src, lambda: src.integer(100, 400), lambda: src.integer(-1, 400)),
        expiry=state.time + usually(src, lambda: src.integer(1, 600), lambda: src.integer(-2, 600)),
        proof_time=usually(src, lambda: src.integer(50, 400), lambda: src.integer(-1, 400)),
        price_time_preference=usually(src, lambda: src.integer(0, 10_000), lambda: src.integer(-1, 10_001)),
        public_inputs=src.choice(PUBLIC_INPUTS),
        private_inputs=one_of(src, lambda: None, lambda: src.binary(0, 8)),
    )


def _closing_sender(src: Source, state: State, ask: int) -> str:
    """The requester or assigned prover of `ask` most of the time, anyone otherwise."""
    a = state.asks.get(ask)
    owners = []
    if a is not None:
        owners.append(a.requester)
        if a.assignment is not None:
            owners.append(a.assignment.prover)
    return usually(src, lambda: src.choice(owners), lambda: account(src)) if owners else account(src)


def cancel_ask(src: Source, state: State):
    ask = ask_id(src, state, {AskState.UNASSIGNED})
    return ops.CancelAsk(_closing_sender(src, state, ask), ask)


def expire_ask(src: Source, state: State):
    return ops.ExpireAsk(account(src), ask_id(src, state, {AskState.UNASSIGNED}))


def assign_task(src: Source, state: State):
    ask = ask_id(src, state, {AskState.UNASSIGNED})
    a = state.asks.get(ask)
    members = sorted(p for (m, p) in state.memberships if a is not None and m == a.market_id)
    prover = usually(src, lambda: src.choice(members), lambda: prover_address(src)) if members else prover_address(src)
    membership = state.memberships.get((a.market_id, prover)) if a is not None else None
    quote = membership.quote if membership is not None else None
    if a is not None and quote is not None and quote.price <= a.max_price:
        price = usually(src, lambda: src.integer(quote.price, a.max_price), lambda: src.integer(-1, 450))
    else:
        price = src.integer(-1, 450)
    market = state.markets.get(a.market_id) if a is not None else None
    secret = SECRET_OF_KEY.get(market.engine_key, WRONG_SECRET) if market is not None else WRONG_SECRET
    secret = src.choice((secret,) * 8 + (WRONG_SECRET, ENGINE_SECRETS[0]))
    signed_price = src.choice((price,) * 8 + (price + 1,))
    signature = sign(secret, assignment_message(a.market_id if a is not None else 0, ask, prover, signed_price))
    signature = src.choice((signature,) * 8 + (signature[:-1], b""))
    return ops.AssignTask(account(src), ask, prover, price, signature)


def submit_proof(src: Source, state: State):
    ask = ask_id(src, state, {AskState.ASSIGNED})
    a = state.asks.get(ask)
    good = stand_in_proof(a.public_inputs) if a is not None else b"\x00" * 32
    proof = src.choice((good,) * 6 + (b"", b"\x00" * 32))
    return ops.SubmitProof(_closing_sender(src, state, ask), ask, proof)


def submit_invalid_inputs(src: Source, state: State):
    ask = ask_id(src, state, {AskState.ASSIGNED})
    a = state.asks.get(ask)
    if a is not None and a.assignment is not None:
        market = state.markets[a.market_id]
        secret = src.choice((SECRET_OF_KEY.get(market.engine_key, WRONG_SECRET),) * 4 + (WRONG_SECRET,))
        signature = sign(secret, invalid_inputs_message(market.id, ask, a.assignment.prover))
    else:
        signature = src.binary(0, 65)
    return ops.SubmitInvalidInputs(_closing_sender(src, state, ask), ask, signature)


def slash_missed_deadline(src: Source, state: State):
    return ops.SlashMissedDeadline(account(src), ask_id(src, state, {AskState.ASSIGNED}))


def discard_task(src: Source, state: State):
    ask = ask_id(src, state, {AskState.ASSIGNED})
    return ops.DiscardTask(_closing_sender(src, state, ask), ask)


def attest_engine(src: Source, state: State):
    """The owner (usually) attests a market's engine key: a 32-byte measurement signed by the
    modelled TEE root, or a wrong length, a wrong signer or an unknown market."""
    chosen = market_id(src, state)
    market = state.markets.get(chosen)
    owner = market.owner if market is not None else account(src)
    sender = usually(src, lambda: owner, lambda: account(src))
    measurement = usually(src, lambda: src.binary(32, 32), lambda: src.binary(0, 40))
    secret = usually(src, lambda: MODEL_ROOT_SECRET, lambda: WRONG_SECRET)
    attestation = attest(measurement, market.engine_key if market is not None else ENGINE_KEYS[0], secret)
    return ops.AttestEngine(sender, chosen, measurement, attestation)


def register_prover_key(src: Source, state: State):
    return ops.RegisterProverKey(prover_address(src), usually(src, lambda: src.choice(ENGINE_KEYS), lambda: "00"))


MARKET_GENERATORS = {
    "mint": mint,
    "advance_time": advance_time,
    "create_market": create_market,
    "update_market": update_market,
    "register_prover": register_prover,
    "deposit_stake": deposit_stake,
    "request_stake_withdrawal": request_stake_withdrawal,
    "withdraw_stake": withdraw_stake,
    "join_market": join_market,
    "update_quote": update_quote,
    "request_market_exit": request_market_exit,
    "leave_market": leave_market,
    "create_ask": create_ask,
    "cancel_ask": cancel_ask,
    "expire_ask": expire_ask,
    "assign_task": assign_task,
    "submit_proof": submit_proof,
    "submit_invalid_inputs": submit_invalid_inputs,
    "slash_missed_deadline": slash_missed_deadline,
    "discard_task": discard_task,
    "attest_engine": attest_engine,
    "register_prover_key": register_prover_key,
}
"""The generator of each market-chain operation."""


# --- openings -------------------------------------------------------------------------------------

def config(src: Source) -> Config:
    """Protocol parameters worth exploring: short withdrawal delays, any slash split."""
    return Config(market_creation_fee=src.integer(0, 1_500), stake_withdrawal_delay=src.integer(0, 600),
                  slash_compensation_bps=src.integer(0, 5_000), slash_burn_bps=src.integer(0, 5_000))


def bootstrap(src: Source, state: State) -> list:
    """A plausible opening: one or two valid markets, every prover registered, staked and
    quoting in each market (the accounts must already be funded)."""
    out = []
    for _ in range(src.integer(1, 2)):
        out.append(ops.CreateMarket(
            src.choice(REQUESTERS), STAND_IN_VERIFIER_ID, src.choice([p.value for p in MatchingProtocol]),
            valid_slash_amounts(src, state), src.choice(ENGINE_KEYS), src.integer(0, 20),
        ))
    markets = len(out)
    for prover in PROVERS:
        compute = src.integer(1, 8)
        out.append(ops.RegisterProver(prover, prover + "-rewards", compute))
        out.append(ops.DepositStake(prover, state.config.stake_tokens[0], src.integer(50, 600)))
        for m in range(markets):
            out.append(ops.JoinMarket(prover, state.next_market_id + m, src.integer(0, 200), src.integer(1, 100), src.integer(1, compute)))
    for _ in range(src.integer(0, 3)):
        out.append(ops.CreateAsk(
            src.choice(REQUESTERS), state.next_market_id + src.integer(0, markets - 1), src.integer(100, 400),
            state.time + src.integer(1, 600), src.integer(50, 400), src.integer(0, 10_000), src.choice(PUBLIC_INPUTS),
        ))
    return out


# --- the vault chain and the bridge ---------------------------------------------------------------

def create_vault(src: Source, state: State):
    slasher = src.choice(("veto", "veto", "instant", "instant", "bogus"))
    epoch = usually(src, lambda: src.integer(500, 3_000), lambda: src.integer(-1, 3_000))
    if slasher != "instant":
        veto = usually(src, lambda: src.integer(1, 400), lambda: src.integer(-1, 3_000))
    else:
        veto = usually(src, lambda: 0, lambda: src.integer(-1, 5))
    shares = usually(src, lambda: dictionary(src, lambda: src.choice(OPERATORS), lambda: src.integer(1, 5), 1, len(OPERATORS)),
                     lambda: dictionary(src, lambda: src.choice(OPERATORS), lambda: src.integer(-1, 5), 0, len(OPERATORS)))
    return ops.CreateVault(CURATOR, src.choice(VAULTS), epoch, slasher, veto, RESOLVER, shares)


def _vault_id(src: Source, state: State) -> str:
    return usually(src, lambda: src.choice(sorted(state.restaking.vault_chain.vaults) or VAULTS),
                   lambda: src.choice(VAULTS + ("nowhere",)))


def vault_deposit(src: Source, state: State):
    return ops.VaultDeposit(src.choice(STAKERS), _vault_id(src, state), usually(src, lambda: src.integer(50, 600), lambda: src.integer(-1, 600)))


def vault_withdraw(src: Source, state: State):
    staker, vault_id = src.choice(STAKERS), _vault_id(src, state)
    vault = state.restaking.vault_chain.vaults.get(vault_id)
    held = vault.active_shares.get(staker, 0) if vault is not None else 0
    shares = usually(src, lambda: src.integer(1, held), lambda: src.integer(-1, 700)) if held > 0 else src.integer(-1, 700)
    return ops.VaultWithdraw(staker, vault_id, shares)


def vault_claim(src: Source, state: State):
    vault_id = _vault_id(src, state)
    vault = state.restaking.vault_chain.vaults.get(vault_id)
    claims = sorted(vault.claims) if vault is not None else []

    def anyone():
        return src.choice(STAKERS), src.integer(-1, 6)

    staker, epoch = usually(src, lambda: src.choice(claims), anyone) if claims else anyone()
    return ops.VaultClaim(staker, vault_id, epoch)


def _pending_request(src: Source, state: State) -> int:
    return mostly(src, sorted(k for k, r in state.restaking.vault_chain.requests.items() if r.status.value == "PENDING"))


def veto_slash(src: Source, state: State):
    return ops.VetoSlash(usually(src, lambda: RESOLVER, lambda: account(src)), _pending_request(src, state))


def execute_slash(src: Source, state: State):
    return ops.ExecuteSlash(account(src), _pending_request(src, state))


def latest_capture(state: State) -> int:
    """The latest protocol epoch start strictly before now."""
    length = state.config.restaking.epoch_length
    return (state.time - 1) // length * length


def transmit_snapshot_part(src: Source, state: State):
    from spec.restaking import snapshot_parts

    capture = usually(src, lambda: latest_capture(state), lambda: src.integer(-1, state.time + 1))
    count = src.integer(1, 3)
    part = snapshot_parts(state, max(capture, 0), count)[src.integer(0, count - 1)]

    def junk():
        return tuple((src.choice(OPERATORS), src.choice(VAULTS), src.integer(-1, 500)) for _ in range(src.integer(0, 3)))

    entries = usually(src, lambda: part.entries, junk)
    index = usually(src, lambda: part.index, lambda: src.integer(-1, 3))
    return ops.TransmitSnapshotPart(TRANSMITTER, capture, index, usually(src, lambda: count, lambda: src.integer(0, 4)), tuple(entries))


def resend_slash_request(src: Source, state: State):
    return ops.ResendSlashRequest(account(src), mostly(src, sorted({s.ask_id for s in state.restaking.slashes.values()})))


def _message(src: Source, state: State) -> int:
    return mostly(src, sorted(state.restaking.bridge.in_flight))


def deliver_message(src: Source, state: State):
    return ops.DeliverMessage(mostly(src, sorted(k for k, m in state.restaking.bridge.in_flight.items() if m.deliver_at <= state.time)))


def delay_message(src: Source, state: State):
    message_id = _message(src, state)
    m = state.restaking.bridge.in_flight.get(message_id)
    bound = m.sent_at + state.config.restaking.bridge_delay_max if m is not None else state.time
    low = m.deliver_at + 1 if m is not None else state.time

    def anywhere():
        return src.integer(state.time - 1, max(state.time, bound) + 50)

    return ops.DelayMessage(message_id, usually(src, lambda: src.integer(low, bound), anywhere) if low <= bound else anywhere())


def reorder_messages(src: Source, state: State):
    return ops.ReorderMessages(_message(src, state), _message(src, state))


def duplicate_message(src: Source, state: State):
    return ops.DuplicateMessage(_message(src, state))


def drop_message(src: Source, state: State):
    return ops.DropMessage(_message(src, state))


def retransmit_message(src: Source, state: State):
    return ops.RetransmitMessage(mostly(src, sorted(state.restaking.bridge.dropped)))


def set_restaking_parameters(src: Source, state: State):
    p = state.config.restaking
    return ops.SetRestakingParameters(usually(src, lambda: p.governor, lambda: account(src)), src.integer(-1, 200), src.integer(-1, 200),
                                      src.integer(-1, 3_000), src.integer(-1, 500), src.integer(-1, 500))


RESTAKING_GENERATORS = {
    "create_vault": create_vault,
    "vault_deposit": vault_deposit,
    "vault_withdraw": vault_withdraw,
    "vault_claim": vault_claim,
    "veto_slash": veto_slash,
    "execute_slash": execute_slash,
    "transmit_snapshot_part": transmit_snapshot_part,
    "resend_slash_request": resend_slash_request,
    "set_restaking_parameters": set_restaking_parameters,
    "deliver_message": deliver_message,
    "delay_message": delay_message,
    "reorder_messages": reorder_messages,
    "duplicate_message": duplicate_message,
    "drop_message": drop_message,
    "retransmit_message": retransmit_message,
}
"""The generator of each vault-chain and bridge operation."""

GENERATORS = {**MARKET_GENERATORS, **RESTAKING_GENERATORS}
"""The generator of every operation."""
