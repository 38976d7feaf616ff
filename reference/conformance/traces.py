"""Seeded random traces: the operation generators of `properties.generators` run on
`random.Random` (trace `i` of seed `s` on its own `random.Random(f"kalypso/traces/{s}/{i}")`), so
the same seed gives the same traces on every machine and with any Hypothesis version, which this
module does not import.

Each trace starts from a funded, bootstrapped state with a random `Config` (its pre-state): every
other trace opens with restaked stake instead (`restaked_opening`: short restaking epochs, vaults
delegating to the provers, a delivered snapshot, and sometimes a restaked task already assigned,
slashed, its request in flight or pending on the vault chain), and now and then a prover is left
unregistered. Then it draws `steps` operations, each against the state reached so far; rejected operations stay in the
trace (they pin error codes). The draw is biased so that every operation is accepted often across
the set: half the steps pick among the enabled operations accepted fewer than `TARGET` times so
far, and three steps in four keep the first of up to `TRIES` drawn candidates the spec accepts.
"""
from __future__ import annotations

from collections import Counter

import spec
from properties import generators as gen
from properties.fixtures import (
    ACCOUNTS, CURATOR, MALLORY, PROVERS, REQUESTERS, RESOLVER, RESTAKING_PARAMS, SECRET_OF_KEY, STAKERS, TRANSMITTER, VAULTS, enabled,
)
from spec import operations as ops
from spec.containers import Config, State
from spec.restaking import snapshot_parts
from spec.signing import assignment_message, sign
from spec.types import AskState
from spec.errors import SpecError

DEFAULT_SEED = 20261124
TRIES = 8
RARE, RARE_TRIES = 4, 4


def _apply(state: State, op) -> tuple[State, bool]:
    try:
        return spec.apply(state, op)[0], True
    except SpecError:
        return state, False


def _apply_valid(state: State, operations) -> State:
    for op in operations:
        state, _ = _apply(state, op)
    return state


def _opening(src: gen.RandomSource, restaked: bool) -> State:
    """Genesis with a random `Config` (short restaking epochs if `restaked`), funded accounts, and
    the bootstrap less, sometimes, one prover's registration (and, if `restaked`, native stake)."""
    config = gen.config(src)
    if restaked:
        config = Config(market_creation_fee=config.market_creation_fee, stake_withdrawal_delay=config.stake_withdrawal_delay,
                        slash_compensation_bps=config.slash_compensation_bps, slash_burn_bps=config.slash_burn_bps,
                        restaking=RESTAKING_PARAMS)
    amount = src.integer(1_000, 5_000)
    state = spec.genesis(config, time=src.integer(0, 10_000))
    state = _apply_valid(state, [ops.Mint(a, t, amount) for a in ACCOUNTS + STAKERS for t in state.config.tokens])
    opening = gen.bootstrap(src, state)
    absent = src.choice(PROVERS) if src.integer(0, 3) == 0 else None
    opening = [op for op in opening if getattr(op, "sender", None) != absent or op.name == "create_ask"]
    if restaked:
        opening = [op for op in opening if op.name != "deposit_stake"]
    return _apply_valid(state, opening)


def _ready_withdrawal(src: gen.RandomSource, state: State) -> State:
    """A prover's native stake withdrawal requested and its delay passed."""
    prover = src.choice(PROVERS)
    token = state.config.stake_tokens[0]
    state = _apply_valid(state, [ops.RequestStakeWithdrawal(prover, token, src.integer(1, 50))])
    return _apply_valid(state, [ops.AdvanceTime(state.config.stake_withdrawal_delay + 1)])


def _vaults(src: gen.RandomSource, state: State, claim: bool) -> State:
    """One or two vaults delegating to the provers, with the stakers' deposits (and, if `claim`, a
    withdrawal claimable by now); then the honest snapshot of the next epoch start, delivered."""
    epoch = RESTAKING_PARAMS.epoch_duration
    for vault in VAULTS[:src.integer(1, 2)]:
        slasher = src.choice(("veto", "veto", "veto", "instant"))
        shares = {p: src.integer(1, 3) for p in PROVERS}
        state = _apply_valid(state, [ops.CreateVault(CURATOR, vault, epoch, slasher, RESTAKING_PARAMS.veto_duration if slasher == "veto" else 0,
                                                     RESOLVER, shares)])
        state = _apply_valid(state, [ops.VaultDeposit(s, vault, src.integer(200, 1_000)) for s in STAKERS])
        if claim:
            state = _apply_valid(state, [ops.VaultWithdraw(src.choice(STAKERS), vault, src.integer(1, 100))])
    if claim:
        state = _apply_valid(state, [ops.AdvanceTime(2 * epoch + 1)])
    length = state.config.restaking.epoch_length
    capture = -(-state.time // length) * length
    state = _apply_valid(state, [ops.AdvanceTime(capture + length - state.time)])
    part = snapshot_parts(state, capture, 1)[0]
    state = _apply_valid(state, [ops.TransmitSnapshotPart(TRANSMITTER, capture, 0, 1, part.entries)])
    return _apply_valid(state, [ops.DeliverMessage(state.restaking.bridge.next_id - 1)])


def _task(src: gen.RandomSource, state: State, stage: int) -> State:
    """One to three asks assigned at members' quotes (stage 1); their deadlines passed (2);
    slashed, the requests on the bridge (3); delivered to the vault chain (4); their veto
    deadlines reached (5)."""
    members = sorted((k, m) for k, m in state.memberships.items() if m.quote is not None)
    tasks = []
    for _ in range(src.integer(1, 3) if members else 0):
        (market_id, prover), membership = src.choice(members)
        quote = membership.quote
        proof_time = src.integer(max(quote.proposed_time, 1), 300)
        state = _apply_valid(state, [ops.CreateAsk(src.choice(REQUESTERS), market_id, quote.price + src.integer(0, 100),
                                                   state.time + src.integer(10, 300), proof_time, src.integer(0, 10_000), b"\x01")])
        ask = state.next_ask_id - 1
        signature = sign(SECRET_OF_KEY[state.markets[market_id].engine_key], assignment_message(market_id, ask, prover, quote.price))
        state = _apply_valid(state, [ops.AssignTask(MALLORY, ask, prover, quote.price, signature)])
        if ask in state.asks and state.asks[ask].state == AskState.ASSIGNED:
            tasks.append(ask)
    if stage < 2 or not tasks:
        return state
    state = _apply_valid(state, [ops.AdvanceTime(max(state.asks[a].assignment.deadline for a in tasks) + 1 - state.time)])
    if stage < 3:
        return state
    state = _apply_valid(state, [ops.SlashMissedDeadline(MALLORY, a) for a in tasks])
    if stage < 4:
        return state
    state = _apply_valid(state, [ops.DeliverMessage(m) for m in sorted(state.restaking.bridge.in_flight)])
    pending = [r.veto_deadline for r in state.restaking.vault_chain.requests.values() if r.status.value == "PENDING"]
    if stage < 5 or not pending:
        return state
    return _apply_valid(state, [ops.AdvanceTime(min(pending) - state.time)])


OPENINGS = (
    "bootstrap", "native withdrawal ready and a task assigned", "native task past its deadline", "restaked stake",
    "restaked stake with a vault withdrawal claimable", "restaked task assigned", "restaked task past its deadline",
    "restaked slash request in flight", "restaked slash request pending", "restaked slash request past its veto deadline",
)
"""The openings of the traces, in turn: trace `i` opens with `OPENINGS[i % len(OPENINGS)]`."""
STAGE = {1: 1, 2: 2, 5: 1, 6: 2, 7: 3, 8: 4, 9: 5}


def opening(src: gen.RandomSource, kind: int) -> State:
    """The pre-state of a trace opening with `OPENINGS[kind]`."""
    restaked = kind >= 3
    state = _opening(src, restaked)
    if kind == 1:
        state = _ready_withdrawal(src, state)
    if restaked:
        state = _vaults(src, state, claim=kind == 4)
    return _task(src, state, STAGE[kind]) if kind in STAGE else state


def _step(src: gen.RandomSource, state: State, names: list[str], accepted: Counter):
    """One biased step: `(operation, state after it, accepted?)`. Three times in four the least
    accepted enabled operations are tried first (a few candidates each) and the first accepted is taken."""
    candidates = enabled(state, names)
    if src.integer(0, 3):
        for name in sorted(candidates, key=lambda n: (accepted[n], n))[:RARE]:
            for _ in range(RARE_TRIES):
                op = gen.GENERATORS[name](src, state)
                post, ok = _apply(state, op)
                if ok:
                    return op, post, True
    generator = gen.GENERATORS[src.choice(candidates)]
    first = generator(src, state)
    if src.integer(0, 3):
        for op in [first] + [generator(src, state) for _ in range(TRIES - 1)]:
            post, ok = _apply(state, op)
            if ok:
                return op, post, True
    post, ok = _apply(state, first)
    return first, post, ok


def random_traces(count: int, steps: int, seed: int = DEFAULT_SEED) -> list[tuple[State, list]]:
    """`count` traces of `steps` operations each: `(pre_state, operations)`."""
    names = sorted(gen.GENERATORS)
    accepted: Counter = Counter()
    traces = []
    for i in range(count):
        src = gen.RandomSource(f"kalypso/traces/{seed}/{i}")
        pre = opening(src, i % len(OPENINGS))
        state, trace = pre, []
        for _ in range(steps):
            op, state, ok = _step(src, state, names, accepted)
            accepted[op.name] += ok
            trace.append(op)
        traces.append((pre, trace))
    return traces
