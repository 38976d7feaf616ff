"""Hypothesis strategies for protocol operations, biased towards operations that are valid in
the given state (existing ids, affordable amounts, matching signatures) but able to produce
every kind of invalid one too."""
from __future__ import annotations

from hypothesis import strategies as st

from spec import operations as ops
import spec
from spec.containers import Config, State
from spec.errors import SpecError
from spec.env import STAND_IN_VERIFIER_ID, stand_in_proof
from spec.signing import assignment_message, invalid_inputs_message, sign
from properties.fixtures import (
    ACCOUNTS, CURATOR, ENGINE_KEYS, ENGINE_SECRETS, MODEL_ROOT_SECRET, OPERATORS, PROVERS, PUBLIC_INPUTS, REQUESTERS, RESOLVER,
    SECRET_OF_KEY, STAKERS, TRANSMITTER, VAULTS, WRONG_SECRET, attest,
)
from spec.types import AskState, MatchingProtocol

small = st.integers(min_value=0, max_value=400)
positive = st.integers(min_value=1, max_value=400)
any_int = st.one_of(st.integers(min_value=-5, max_value=5), small)


def account():
    return st.sampled_from(ACCOUNTS)


def prover_address():
    return st.sampled_from(PROVERS)


def token(state: State):
    return st.sampled_from(state.config.tokens + ("DOGE",))


def stake_token(state: State):
    return usually(st.sampled_from(state.config.stake_tokens), token(state))


def usually(common: st.SearchStrategy, rare: st.SearchStrategy, odds: int = 5) -> st.SearchStrategy:
    """`common` `odds` times in `odds + 1`, `rare` otherwise."""
    return st.sampled_from((common,) * odds + (rare,)).flatmap(lambda chosen: chosen)


def mostly(ids) -> st.SearchStrategy[int]:
    """One of `ids` usually, any small integer otherwise."""
    return usually(st.sampled_from(ids), any_int) if ids else any_int


def market_id(state: State):
    return mostly(sorted(state.markets))


def ask_id(state: State, states=None):
    return mostly(sorted(i for i, a in state.asks.items() if states is None or a.state in states))


def mint(state: State):
    return st.builds(ops.Mint, account(), token(state), st.integers(min_value=-1, max_value=3000))


def advance_time(state: State):
    return st.builds(ops.AdvanceTime, usually(st.one_of(st.integers(1, 60), st.integers(100, 450)), st.integers(-2, 700)))


def valid_slash_amounts(state: State):
    return st.dictionaries(st.sampled_from(state.config.stake_tokens), st.integers(1, 150), min_size=1)


def slash_amounts(state: State):
    return usually(valid_slash_amounts(state), st.dictionaries(token(state), st.integers(-1, 150), max_size=2), odds=3)


def engine_key():
    return st.sampled_from(ENGINE_KEYS * 4 + ("00", "zz", ENGINE_KEYS[0][:-2]))


def create_market(state: State):
    return st.builds(
        ops.CreateMarket,
        account(),
        st.sampled_from((STAND_IN_VERIFIER_ID,) * 9 + ("unknown/verifier",)),
        st.sampled_from([p.value for p in MatchingProtocol] * 2 + ["barter"]),
        slash_amounts(state),
        engine_key(),
        st.integers(-1, 50),
    )


@st.composite
def update_market(draw, state: State):
    mid = draw(market_id(state))
    owner = state.markets[mid].owner if mid in state.markets else draw(account())
    sender = draw(st.one_of(st.just(owner), account()))
    return ops.UpdateMarket(sender, mid, draw(slash_amounts(state)), draw(engine_key()), draw(st.integers(-1, 50)))


def register_prover(state: State):
    return st.builds(ops.RegisterProver, prover_address(), account(), st.integers(-1, 12))


def deposit_stake(state: State):
    return st.builds(ops.DepositStake, prover_address(), stake_token(state), st.integers(-1, 600))


def request_stake_withdrawal(state: State):
    return st.builds(ops.RequestStakeWithdrawal, prover_address(), stake_token(state), st.integers(-1, 400))


def withdraw_stake(state: State):
    return st.builds(ops.WithdrawStake, prover_address(), stake_token(state))


def _quote_fields():
    return st.tuples(st.integers(-1, 300), st.integers(-1, 400), st.integers(-1, 8))


@st.composite
def join_market(draw, state: State):
    price, proposed_time, compute = draw(_quote_fields())
    return ops.JoinMarket(draw(prover_address()), draw(market_id(state)), price, proposed_time, compute)


@st.composite
def update_quote(draw, state: State):
    price, proposed_time, compute = draw(_quote_fields())
    return ops.UpdateQuote(draw(prover_address()), draw(market_id(state)), price, proposed_time, compute)


def request_market_exit(state: State):
    return st.builds(ops.RequestMarketExit, prover_address(), market_id(state))


def leave_market(state: State):
    return st.builds(ops.LeaveMarket, prover_address(), market_id(state))


@st.composite
def create_ask(draw, state: State):
    return ops.CreateAsk(
        sender=draw(usually(st.sampled_from(REQUESTERS), account())),
        market_id=draw(market_id(state)),
        max_price=draw(usually(st.integers(100, 400), st.integers(-1, 400))),
        expiry=state.time + draw(usually(st.integers(1, 600), st.integers(-2, 600))),
        proof_time=draw(usually(st.integers(50, 400), st.integers(-1, 400))),
        price_time_preference=draw(usually(st.integers(0, 10_000), st.integers(-1, 10_001))),
        public_inputs=draw(st.sampled_from(PUBLIC_INPUTS)),
        private_inputs=draw(st.one_of(st.none(), st.binary(max_size=8))),
    )


@st.composite
def _closing_sender(draw, state: State, ask: int):
    """The requester or assigned prover of `ask` most of the time, anyone otherwise."""
    a = state.asks.get(ask)
    owners = []
    if a is not None:
        owners.append(a.requester)
        if a.assignment is not None:
            owners.append(a.assignment.prover)
    return draw(usually(st.sampled_from(owners), account())) if owners else draw(account())


@st.composite
def cancel_ask(draw, state: State):
    ask = draw(ask_id(state, {AskState.UNASSIGNED}))
    return ops.CancelAsk(draw(_closing_sender(state, ask)), ask)


@st.composite
def expire_ask(draw, state: State):
    return ops.ExpireAsk(draw(account()), draw(ask_id(state, {AskState.UNASSIGNED})))


@st.composite
def assign_task(draw, state: State):
    ask = draw(ask_id(state, {AskState.UNASSIGNED}))
    a = state.asks.get(ask)
    members = sorted(p for (m, p) in state.memberships if a is not None and m == a.market_id)
    prover = draw(usually(st.sampled_from(members), prover_address()) if members else prover_address())
    quote = state.memberships.get((a.market_id, prover)).quote if a is not None and (a.market_id, prover) in state.memberships else None
    if a is not None and quote is not None and quote.price <= a.max_price:
        price = draw(usually(st.integers(quote.price, a.max_price), st.integers(-1, 450)))
    else:
        price = draw(st.integers(-1, 450))
    market = state.markets.get(a.market_id) if a is not None else None
    secret = SECRET_OF_KEY.get(market.engine_key, WRONG_SECRET) if market is not None else WRONG_SECRET
    secret = draw(st.sampled_from((secret,) * 8 + (WRONG_SECRET, ENGINE_SECRETS[0])))
    signed_price = draw(st.sampled_from((price,) * 8 + (price + 1,)))
    market_for_signature = a.market_id if a is not None else 0
    signature = sign(secret, assignment_message(market_for_signature, ask, prover, signed_price))
    signature = draw(st.sampled_from((signature,) * 8 + (signature[:-1], b"")))
    return ops.AssignTask(draw(account()), ask, prover, price, signature)


@st.composite
def submit_proof(draw, state: State):
    ask = draw(ask_id(state, {AskState.ASSIGNED}))
    a = state.asks.get(ask)
    good = stand_in_proof(a.public_inputs) if a is not None else b"\x00" * 32
    proof = draw(st.sampled_from((good,) * 6 + (b"", b"\x00" * 32)))
    return ops.SubmitProof(draw(_closing_sender(state, ask)), ask, proof)


@st.composite
def submit_invalid_inputs(draw, state: State):
    ask = draw(ask_id(state, {AskState.ASSIGNED}))
    a = state.asks.get(ask)
    if a is not None and a.assignment is not None:
        market = state.markets[a.market_id]
        secret = draw(st.sampled_from((SECRET_OF_KEY.get(market.engine_key, WRONG_SECRET),) * 4 + (WRONG_SECRET,)))
        signature = sign(secret, invalid_inputs_message(market.id, ask, a.assignment.prover))
    else:
        signature = draw(st.binary(max_size=65))
    return ops.SubmitInvalidInputs(draw(_closing_sender(state, ask)), ask, signature)


@st.composite
def slash_missed_deadline(draw, state: State):
    return ops.SlashMissedDeadline(draw(account()), draw(ask_id(state, {AskState.ASSIGNED})))


@st.composite
def discard_task(draw, state: State):
    ask = draw(ask_id(state, {AskState.ASSIGNED}))
    return ops.DiscardTask(draw(_closing_sender(state, ask)), ask)


@st.composite
def attest_engine(draw, state: State):
    """The owner (usually) attests a market's engine key: a 32-byte measurement signed by the
    modelled TEE root, or a wrong length, a wrong signer or an unknown market."""
    chosen = draw(market_id(state))
    market = state.markets.get(chosen)
    owner = market.owner if market is not None else draw(account())
    sender = draw(usually(st.just(owner), account()))
    measurement = draw(usually(st.binary(min_size=32, max_size=32), st.binary(max_size=40)))
    secret = draw(usually(st.just(MODEL_ROOT_SECRET), st.just(WRONG_SECRET)))
    attestation = attest(measurement, market.engine_key if market is not None else ENGINE_KEYS[0], secret)
    return ops.AttestEngine(sender, chosen, measurement, attestation)


def register_prover_key(state: State):
    return st.builds(ops.RegisterProverKey, prover_address(), usually(st.sampled_from(ENGINE_KEYS), st.just("00")))


MARKET_STRATEGIES = {
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
"""The strategy of each market-chain operation (the lifecycle machine has one rule per entry)."""
OPERATION_STRATEGIES = dict(MARKET_STRATEGIES)
"""The strategy of every operation: `MARKET_STRATEGIES` and, below, `RESTAKING_STRATEGIES`."""


def configs():
    """Protocol parameters worth exploring: short withdrawal delays, any slash split."""
    return st.builds(
        Config,
        market_creation_fee=st.integers(0, 1_500),
        stake_withdrawal_delay=st.integers(0, 600),
        slash_compensation_bps=st.integers(0, 5_000),
        slash_burn_bps=st.integers(0, 5_000),
    )


@st.composite
def bootstrap(draw, state: State):
    """A plausible opening: one or two valid markets, every prover registered, staked and
    quoting in each market (the accounts must already be funded)."""
    out = []
    for _ in range(draw(st.integers(1, 2))):
        out.append(ops.CreateMarket(
            draw(st.sampled_from(REQUESTERS)), STAND_IN_VERIFIER_ID, draw(st.sampled_from([p.value for p in MatchingProtocol])),
            draw(valid_slash_amounts(state)), draw(st.sampled_from(ENGINE_KEYS)), draw(st.integers(0, 20)),
        ))
    markets = len(out)
    for prover in PROVERS:
        compute = draw(st.integers(1, 8))
        out.append(ops.RegisterProver(prover, prover + "-rewards", compute))
        out.append(ops.DepositStake(prover, state.config.stake_tokens[0], draw(st.integers(50, 600))))
        for m in range(markets):
            out.append(ops.JoinMarket(
                prover, state.next_market_id + m, draw(st.integers(0, 200)), draw(st.integers(1, 100)), draw(st.integers(1, compute))
            ))
    for _ in range(draw(st.integers(0, 3))):
        out.append(ops.CreateAsk(
            draw(st.sampled_from(REQUESTERS)), state.next_market_id + draw(st.integers(0, markets - 1)), draw(st.integers(100, 400)),
            state.time + draw(st.integers(1, 600)), draw(st.integers(50, 400)), draw(st.integers(0, 10_000)),
            draw(st.sampled_from(PUBLIC_INPUTS)),
        ))
    return out


def operations(state: State):
    """Any protocol operation, drawn against `state` (the kind first, then its fields)."""
    return st.sampled_from(sorted(OPERATION_STRATEGIES)).flatmap(lambda name: OPERATION_STRATEGIES[name](state))


def apply_leniently(state: State, op) -> State:
    """`op` applied to `state`, or `state` itself where the op is rejected."""
    try:
        return spec.apply(state, op)[0]
    except SpecError:
        return state


@st.composite
def reachable_states(draw, max_steps: int = 12):
    """A state reached from genesis: funded accounts, a bootstrap, then up to `max_steps`
    random operations (rejected ones skipped)."""
    state = spec.genesis(draw(configs()))
    for account in ACCOUNTS:
        for token in state.config.tokens:
            state = apply_leniently(state, ops.Mint(account, token, 3_000))
    for op in draw(bootstrap(state)):
        state = apply_leniently(state, op)
    for _ in range(draw(st.integers(0, max_steps))):
        state = apply_leniently(state, draw(operations(state)))
    return state


@st.composite
def states_and_operations(draw, max_steps: int = 12):
    """A reachable state and one more arbitrary operation against it."""
    state = draw(reachable_states(max_steps))
    return state, draw(operations(state))


def _ids(mapping, where=lambda v: True):
    return mostly(sorted(k for k, v in mapping.items() if where(v)))


@st.composite
def create_vault(draw, state: State):
    slasher = draw(st.sampled_from(("veto", "veto", "instant", "instant", "bogus")))
    epoch = draw(usually(st.integers(500, 3_000), st.integers(-1, 3_000)))
    veto = draw(usually(st.integers(1, 400), st.integers(-1, 3_000))) if slasher != "instant" else draw(usually(st.just(0), st.integers(-1, 5)))
    shares = draw(usually(st.dictionaries(st.sampled_from(OPERATORS), st.integers(1, 5), min_size=1), st.dictionaries(st.sampled_from(OPERATORS), st.integers(-1, 5))))
    return ops.CreateVault(CURATOR, draw(st.sampled_from(VAULTS)), epoch, slasher, veto, RESOLVER, shares)


def _vault_id(state: State):
    return usually(st.sampled_from(sorted(state.restaking.vault_chain.vaults) or VAULTS), st.sampled_from(VAULTS + ("nowhere",)))


def vault_deposit(state: State):
    return st.builds(ops.VaultDeposit, st.sampled_from(STAKERS), _vault_id(state), usually(st.integers(50, 600), st.integers(-1, 600)))


@st.composite
def vault_withdraw(draw, state: State):
    staker, vault_id = draw(st.sampled_from(STAKERS)), draw(_vault_id(state))
    vault = state.restaking.vault_chain.vaults.get(vault_id)
    held = vault.active_shares.get(staker, 0) if vault is not None else 0
    shares = draw(usually(st.integers(1, held), st.integers(-1, 700)) if held > 0 else st.integers(-1, 700))
    return ops.VaultWithdraw(staker, vault_id, shares)


@st.composite
def vault_claim(draw, state: State):
    vault_id = draw(_vault_id(state))
    vault = state.restaking.vault_chain.vaults.get(vault_id)
    claims = sorted(vault.claims) if vault is not None else []
    staker, epoch = draw(usually(st.sampled_from(claims), st.tuples(st.sampled_from(STAKERS), st.integers(-1, 6))) if claims else st.tuples(st.sampled_from(STAKERS), st.integers(-1, 6)))
    return ops.VaultClaim(staker, vault_id, epoch)


def _pending_request(state: State):
    return _ids(state.restaking.vault_chain.requests, lambda r: r.status.value == "PENDING")


def veto_slash(state: State):
    return st.builds(ops.VetoSlash, usually(st.just(RESOLVER), account()), _pending_request(state))


def execute_slash(state: State):
    return st.builds(ops.ExecuteSlash, account(), _pending_request(state))


def latest_capture(state: State) -> int:
    """The latest protocol epoch start strictly before now."""
    length = state.config.restaking.epoch_length
    return (state.time - 1) // length * length


@st.composite
def transmit_snapshot_part(draw, state: State):
    from spec.restaking import snapshot_parts

    capture = draw(usually(st.just(latest_capture(state)), st.integers(-1, state.time + 1)))
    count = draw(st.integers(1, 3))
    parts = snapshot_parts(state, max(capture, 0), count)
    part = parts[draw(st.integers(0, count - 1))]
    entries = draw(usually(st.just(part.entries), st.lists(st.tuples(st.sampled_from(OPERATORS), st.sampled_from(VAULTS), st.integers(-1, 500)), max_size=3)))
    index = draw(usually(st.just(part.index), st.integers(-1, 3)))
    return ops.TransmitSnapshotPart(TRANSMITTER, capture, index, draw(usually(st.just(count), st.integers(0, 4))), tuple(entries))


def resend_slash_request(state: State):
    return st.builds(ops.ResendSlashRequest, account(), mostly(sorted({s.ask_id for s in state.restaking.slashes.values()})))


def _message(state: State):
    return mostly(sorted(state.restaking.bridge.in_flight))


def deliver_message(state: State):
    return st.builds(ops.DeliverMessage, mostly(sorted(k for k, m in state.restaking.bridge.in_flight.items() if m.deliver_at <= state.time)))


@st.composite
def delay_message(draw, state: State):
    message_id = draw(_message(state))
    m = state.restaking.bridge.in_flight.get(message_id)
    bound = m.sent_at + state.config.restaking.bridge_delay_max if m is not None else state.time
    low = m.deliver_at + 1 if m is not None else state.time
    anywhere = st.integers(state.time - 1, max(state.time, bound) + 50)
    deliver_at = draw(usually(st.integers(low, bound), anywhere) if low <= bound else anywhere)
    return ops.DelayMessage(message_id, deliver_at)


def reorder_messages(state: State):
    return st.builds(ops.ReorderMessages, _message(state), _message(state))


def duplicate_message(state: State):
    return st.builds(ops.DuplicateMessage, _message(state))


def drop_message(state: State):
    return st.builds(ops.DropMessage, _message(state))


def retransmit_message(state: State):
    return st.builds(ops.RetransmitMessage, mostly(sorted(state.restaking.bridge.dropped)))


def set_restaking_parameters(state: State):
    p = state.config.restaking
    return st.builds(
        ops.SetRestakingParameters, usually(st.just(p.governor), account()), st.integers(-1, 200), st.integers(-1, 200),
        st.integers(-1, 3_000), st.integers(-1, 500), st.integers(-1, 500),
    )


RESTAKING_STRATEGIES = {
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
OPERATION_STRATEGIES.update(RESTAKING_STRATEGIES)
