"""The protocol's invariants (docs/invariants.md) as predicates over deployed_native states and
steps. Each oracle reads the state's raw fields (balances, stored ask records, registry entries)
and never calls the fork's process or derivation functions it checks. The design's ids are kept;
where the deployed contracts state a limit of their own it is checked too (D-ids). A violated
invariant is a finding (properties.deployed_native_findings), never a reason to weaken it."""
from __future__ import annotations

from collections import Counter

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak

from properties.invariants import Invariant
from spec.containers import Config as DesignConfig
from spec.deployed_native import operations as ops
from spec.deployed_native.containers import MARKETPLACE, REGISTRY, State
from spec.deployed_native.transition import apply as fork_apply
from spec.errors import SpecError
from spec.types import BPS

OPEN = ("CREATE", "ASSIGNED")
DESIGN_COMPENSATION_BPS = DesignConfig().slash_compensation_bps
CONTRACT_PARALLEL_LIMIT = 100  # GeneratorRegistry.sol:59, the contract's own stated bound


def _in_flight(state: State):
    """(ask_id, ask) stored ASSIGNED: proof or slash still pending."""
    return [(i, a) for i, a in state.asks.items() if a.stored_state.value == "ASSIGNED"]


def conservation(state: State) -> list[str]:
    """I1: per token, account + contract balances == minted supply; the marketplace holds exactly
    the claimables plus the rewards of open asks; the registry exactly the provers' stakes."""
    out = []
    for token in state.config.tokens:
        total = sum(v for (_, t), v in state.balances.items() if t == token)
        if total != state.supply.get(token, 0):
            out.append(f"{token}: balances {total} != supply {state.supply.get(token, 0)}")
    held = state.balances.get((MARKETPLACE, state.config.payment_token), 0)
    owed = sum(state.claimable.values()) + sum(a.reward for a in state.asks.values() if a.stored_state.value in OPEN)
    if held != owed:
        out.append(f"marketplace holds {held}, owes {owed}")
    staked = state.balances.get((REGISTRY, state.config.staking_token), 0)
    if staked != sum(g.total_stake for g in state.provers.values()):
        out.append(f"registry holds {staked}, provers' stakes sum to {sum(g.total_stake for g in state.provers.values())}")
    return out


def single_assignment(state: State) -> list[str]:
    """I2: a stored-ASSIGNED ask names one prover; a membership's active requests equal its
    in-flight asks."""
    out = []
    count = Counter()
    for i, a in _in_flight(state):
        if a.prover is None:
            out.append(f"ask {i} ASSIGNED to no prover")
        count[(a.market_id, a.prover)] += 1
    for key, m in state.memberships.items():
        if m.active_requests != count[key]:
            out.append(f"membership {key}: {m.active_requests} active requests, {count[key]} asks in flight")
    out += [f"{key}: asks in flight without membership" for key in count if key not in state.memberships]
    return out


def capacity(state: State) -> list[str]:
    """I3: compute consumed == the in-flight tasks' compute <= declared compute; locked stake
    <= stake."""
    out = []
    for address, g in state.provers.items():
        used = sum(state.memberships[(a.market_id, address)].compute_per_request for _, a in _in_flight(state)
                   if a.prover == address and (a.market_id, address) in state.memberships)
        if g.compute_consumed != used or used > g.declared_compute:
            out.append(f"{address}: consumed {g.compute_consumed}, tasks use {used}, declared {g.declared_compute}")
        if not 0 <= g.stake_locked <= g.total_stake:
            out.append(f"{address}: locked {g.stake_locked} outside 0..stake {g.total_stake}")
    return out


def stake_backing(state: State) -> list[str]:
    """I7: each prover's locked stake is exactly its in-flight tasks' market penalties."""
    out = []
    for address, g in state.provers.items():
        backing = sum(state.markets[a.market_id].penalty for _, a in _in_flight(state) if a.prover == address)
        if g.stake_locked != backing:
            out.append(f"{address}: locked {g.stake_locked}, tasks lock {backing}")
    return out


def parallel_limit(state: State) -> list[str]:
    """D1: a prover has at most PARALLEL_REQUESTS_UPPER_LIMIT (100) tasks in flight per market,
    the bound the registry declares."""
    per = Counter((a.market_id, a.prover) for _, a in _in_flight(state))
    return [f"{key}: {n} tasks in flight > {CONTRACT_PARALLEL_LIMIT}" for key, n in sorted(per.items()) if n > CONTRACT_PARALLEL_LIMIT]


def _staking(state: State, account: str) -> int:
    return state.balances.get((account, state.config.staking_token), 0)


def slash_compensation(pre: State, op, post: State, events) -> list[str]:
    """Slashing (DESIGN §1): a task slashed for a missed deadline compensates its requester with
    a share (the design's slash_compensation_bps) of the slashed stake; the rest goes to the
    treasury or is burnt, never to whoever happens to call."""
    if not isinstance(op, ops.SlashMissedDeadline):
        return []
    ask = pre.asks[op.ask_id]
    slashed = pre.provers[ask.prover].total_stake - post.provers[ask.prover].total_stake
    share = slashed * DESIGN_COMPENSATION_BPS // BPS
    got = _staking(post, ask.requester) - _staking(pre, ask.requester)
    out = []
    if got < share:
        out.append(f"ask {op.ask_id}: requester {ask.requester} got {got} of {slashed} slashed (design share {share})")
    if op.reward_address not in (ask.requester, pre.config.treasury):
        taken = _staking(post, op.reward_address) - _staking(pre, op.reward_address)
        if taken > 0:
            out.append(f"ask {op.ask_id}: caller-chosen {op.reward_address} took {taken} of the slashed stake")
    return out


def withdrawal(steps) -> list[str]:
    """I9 (over a trace of accepted steps): stake leaves a prover only as much as its last
    withdrawal request asked for, after that request (never the whole stake at once without
    one, never stake added after the request)."""
    requested: dict = {}
    out = []
    for pre, op, post, _ in steps:
        if isinstance(op, ops.RequestStakeWithdrawal):
            requested[op.sender] = op.amount
        elif isinstance(op, (ops.WithdrawStake, ops.DeregisterProver)) and op.sender in pre.provers:
            before = pre.provers[op.sender].total_stake
            left = before - (post.provers[op.sender].total_stake if op.sender in post.provers else 0)
            asked = requested.pop(op.sender, 0)
            if left > asked:
                out.append(f"{op.sender}: {left} stake left by {op.name}, {asked} was requested before")
    return out


def escrow_refund(pre: State, op, post: State, events) -> list[str]:
    """I4: what a requester pays stays in the ask's escrow, and comes back to it except what the
    prover is paid (its price): nothing of it goes elsewhere (the treasury takes its fees from
    the protocol's own rules, not from the refundable escrow)."""
    payment = post.config.payment_token
    if isinstance(op, ops.CreateAsk):
        paid = pre.balances.get((op.sender, payment), 0) - post.balances.get((op.sender, payment), 0)
        held = sum(a.reward for i, a in post.asks.items() if i not in pre.asks)
        return [f"create_ask: requester paid {paid}, {held} held for the ask"] if paid != held else []
    if isinstance(op, (ops.SubmitInvalidInputs, ops.SubmitProof)):
        ask = pre.asks[op.ask_id]
        back = post.claimable.get(ask.refund_address, 0) - pre.claimable.get(ask.refund_address, 0)
        price = pre.memberships[(ask.market_id, ask.prover)].price
        if ask.refund_address == pre.provers[ask.prover].reward_address:
            back -= price
        if back != ask.reward - price:
            return [f"{op.name} of ask {op.ask_id}: refund {back}, reward - price = {ask.reward - price}"]
    return []


def _changed_asks(pre: State, post: State):
    return [(i, pre.asks[i], a) for i, a in post.asks.items() if i in pre.asks and pre.asks[i] != a]


def single_assignment_step(pre: State, op, post: State, events) -> list[str]:
    """I2 (step): an ask is assigned only from CREATE, once; a completed ask never changes."""
    out = []
    for i, before, after in _changed_asks(pre, post):
        if before.prover is not None and after.prover != before.prover:
            out.append(f"ask {i}: prover changed from {before.prover} to {after.prover}")
        if before.stored_state.value == "COMPLETE":
            out.append(f"ask {i} left COMPLETE")
    return out


def deadline_step(pre: State, op, post: State, events) -> list[str]:
    """I5: a proof (or invalid-inputs claim) completes a task only at a block <= its deadline; a
    missed-deadline slash only at a block > its deadline."""
    out = []
    now = pre.block + 1
    for i, before, after in _changed_asks(pre, post):
        if before.stored_state.value != "ASSIGNED" or after.stored_state.value != "COMPLETE":
            continue
        if isinstance(op, (ops.SubmitProof, ops.SubmitProofs, ops.SubmitInvalidInputs)) and now > before.deadline:
            out.append(f"ask {i} proved at block {now} after deadline {before.deadline}")
        if isinstance(op, ops.SlashMissedDeadline) and now <= before.deadline:
            out.append(f"ask {i} slashed at block {now}, deadline {before.deadline}")
    return out


def _engine_keys(state: State) -> set:
    """Key names whose verified image is in the matching-engine family (keccak of the ABI
    encoding of keccak("MATCHING_ENGINE_ROLE"), read from the Solidity, computed here afresh)."""
    family = keccak(encode(["bytes32"], [keccak(b"MATCHING_ENGINE_ROLE")]))
    return {name for name, image in state.keys.verified.items() if (family, image) in state.keys.families}


def _batch_signer(op) -> tuple:
    def addr(name: str) -> str:
        if name.startswith("0x") and len(name) == 42:
            return name
        return Account.from_key(keccak(b"kalypso/deployed_native/account/" + name.encode())).address

    digest = keccak(encode(["uint256[]", "address[]", "bytes[]"], [list(op.ask_ids), [addr(p) for p in op.provers], list(op.acls)]))
    return Account.recover_message(encode_defunct(primitive=digest), signature=op.signature).lower(), addr


def bounds_step(pre: State, op, post: State, events) -> list[str]:
    """I6: an assignment has reward >= the prover's quoted price and proof time >= its proposed
    time, happens while now < expiry, and is made by the attested matching-engine key."""
    out = []
    now = pre.block + 1
    assigned = [(i, b, a) for i, b, a in _changed_asks(pre, post) if b.stored_state.value == "CREATE" and a.stored_state.value == "ASSIGNED"]
    if not assigned:
        return out
    engines = _engine_keys(pre)
    if isinstance(op, ops.AssignTask):
        signed = op.sender in engines
    else:
        signer, addr = _batch_signer(op)
        signed = any(addr(name).lower() == signer for name in engines)
    for i, before, after in assigned:
        quote = pre.memberships.get((before.market_id, after.prover))
        if quote is None or before.reward < quote.price or before.proof_time < quote.proposed_time:
            out.append(f"ask {i} assigned to {after.prover} outside its quote {quote}")
        if not now < before.expiry:
            out.append(f"ask {i} assigned at block {now}, expiry {before.expiry}")
        if not signed:
            out.append(f"ask {i} assigned without the engine key")
    return out


def bounded_liveness(state: State) -> list[str]:
    """I11: every open ask past its bound can be closed by anyone now: an expired unassigned ask
    cancelled, an assigned ask past its deadline slashed (the fork's transition is asked)."""
    out = []
    now = state.block + 1
    for i, ask in state.asks.items():
        if ask.stored_state.value == "CREATE" and not ask.expiry > now:
            closer = ops.CancelAsk("anyone", i)
        elif ask.stored_state.value == "ASSIGNED" and ask.deadline < now:
            closer = ops.SlashMissedDeadline("anyone", i, "anyone")
        else:
            continue
        try:
            fork_apply(state, closer)
        except SpecError as error:
            out.append(f"ask {i} past its bound cannot be closed: {error.code} {error}")
    return out


def compute_decrease_exact(steps) -> list[str]:
    """D2 (over a trace of accepted steps (pre, op, post, events)): a declared-compute decrease
    removes exactly the compute the prover last asked to remove."""
    asked: dict = {}
    out = []
    for pre, op, post, _ in steps:
        if isinstance(op, ops.RequestComputeDecrease):
            asked[op.sender] = op.compute
        elif isinstance(op, ops.DecreaseDeclaredCompute) and op.sender in asked:
            removed = pre.provers[op.sender].declared_compute - post.provers[op.sender].declared_compute
            wanted = asked.pop(op.sender)
            if removed != wanted:
                out.append(f"{op.sender}: asked to remove {wanted}, removed {removed}")

    return out


INTENDED_ATTESTATION_AGE_MS = 60_000
"""What Helper.sol:102 says ACCEPTABLE_ATTESTATION_DELAY means: "60 seconds, 60,000 milliseconds"."""


def attestation_freshness(pre: State, op, post: State, events) -> list[str]:
    """A1: a key becomes verified only under an attestation at most 60 s old: a step after which
    the registry verifies a key it did not before was attested at most 60,000 ms before its
    block (the operation's `attestation_age_ms`: the trace's own input, read raw)."""
    new = sorted(k for k in post.keys.verified if k not in pre.keys.verified)
    age = getattr(op, "attestation_age_ms", 0)
    if new and age > INTENDED_ATTESTATION_AGE_MS:
        return [f"{k} verified under an attestation {age} ms ({age / 1000:g} s) old, more than "
                f"{INTENDED_ATTESTATION_AGE_MS} ms" for k in new]
    return []


STATE_INVARIANTS = (
    Invariant("I1", "conservation", "Tokens are conserved; the marketplace holds what it owes, the registry the stakes.", conservation),
    Invariant("I2", "single_assignment", "An in-flight ask has one prover; active requests count the asks in flight.", single_assignment),
    Invariant("I3", "capacity", "Compute consumed is the tasks' and within declared compute; locked stake within stake.", capacity),
    Invariant("I7", "stake_backing", "Locked stake is exactly the in-flight tasks' penalties.", stake_backing),
    Invariant("D1", "parallel_limit", "At most PARALLEL_REQUESTS_UPPER_LIMIT (100) tasks in flight per prover and market.", parallel_limit),
    Invariant("I11", "bounded_liveness", "Every open ask past its bound can be closed by anyone now.", bounded_liveness),
)

TRANSITION_INVARIANTS = (
    Invariant("I2", "single_assignment_step", "An ask is assigned once, from CREATE; a completed ask never changes.", single_assignment_step),
    Invariant("I5", "deadline", "Proofs complete tasks only up to the deadline; slashes only after it.", deadline_step),
    Invariant("I6", "bounds", "Assignments respect the quote, happen before expiry, by the engine key.", bounds_step),
    Invariant("S1", "slash_compensation", "A missed-deadline slash compensates the requester; no caller takes the stake.", slash_compensation),
    Invariant("I4", "escrow_refund", "What a requester pays is held for its ask and comes back to it but the prover's price.", escrow_refund),
    Invariant("A1", "attestation_freshness", "An enclave key is verified only under an attestation at most 60 s old.",
              attestation_freshness),
)

TRACE_INVARIANTS = (
    Invariant("I9", "withdrawal", "Stake leaves a prover only as requested earlier, never all at once without a request.", withdrawal),
    Invariant("D2", "compute_decrease_exact", "A declared-compute decrease removes exactly what was asked.", compute_decrease_exact),
)

ALL = STATE_INVARIANTS + TRANSITION_INVARIANTS + TRACE_INVARIANTS

VIOLATED = frozenset({"S1 slash_compensation", "I9 withdrawal", "I4 escrow_refund", "D1 parallel_limit", "D2 compute_decrease_exact",
                      "A1 attestation_freshness"})
"""The invariants the deployed contracts violate: each has a committed counterexample replayed on
the bytecode (vectors/deployed_native/findings). Every other invariant must hold."""


def violations(steps, final: State) -> dict[str, list[str]]:
    """Every invariant's violations over a trace of accepted steps ending in `final`
    (`{"I1 conservation": [...], ...}`, empty lists dropped)."""
    found: dict[str, list[str]] = {}
    states = [s[0] for s in steps] + [final]
    for inv in STATE_INVARIANTS:
        found[f"{inv.id} {inv.name}"] = sorted({v for st in states for v in inv.check(st)})
    for inv in TRANSITION_INVARIANTS:
        found[f"{inv.id} {inv.name}"] = [v for step in steps for v in inv.check(*step)]
    for inv in TRACE_INVARIANTS:
        found[f"{inv.id} {inv.name}"] = inv.check(steps)
    return {k: v for k, v in found.items() if v}
