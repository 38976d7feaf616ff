"""The protocol's invariants as predicates over deployed_restaking states and steps. Each oracle
reads the state's raw fields (balances, pool records, bids, confirmed captures) and never calls
the fork's process functions it checks. A violated invariant is a finding
(reference.conformance.deployed_restaking.findings), never a reason to weaken it."""
from __future__ import annotations

from spec.deployed_restaking import l1veto
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, State

KEY_SAFETY_BOUND = 7 * 86_400
"""I8's bound in seconds: a task may only be backed by restaked stake captured at most this long
before its deadline (the design's key safety rule: the stake cannot have left L1 before the
deadline). Seven days is a Symbiotic vault epoch as a network would configure it; any finite
bound is broken the same way, since the contracts have none."""


def stake_backing(state: State) -> list[str]:
    """I7 (native): NativeStaking holds, per token, at least every prover's recorded stake plus
    every pending withdrawal request."""
    out = []
    for token in state.config.native_tokens:
        owed = sum(v for (t, _), v in state.native.prover_stake.items() if t == token)
        owed += sum(w.amount for ws in state.native.withdrawals.values() for w in ws if w.token == token)
        held = state.balances.get((NATIVE, token), 0)
        if held < owed:
            out.append(f"NativeStaking holds {held} {token}, owes {owed} of stake and withdrawals")
    return out


def slash_compensation(pre: State, op, post: State) -> list[str]:
    """S1: a task that missed its deadline costs its prover the native lock: a step that releases
    the lock of a bid past its deadline (stored ASSIGNED, deadline before this transaction) moves
    the locked tokens out of NativeStaking."""
    out = []
    for bid_id, lock in pre.native.locks.items():
        bid = pre.bids.get(bid_id)
        if not lock.amount or bid_id in post.native.locks or bid is None:
            continue
        if bid.stored_state.value != "ASSIGNED" or not bid.deadline < pre.time + 1:
            continue
        left = pre.balances.get((NATIVE, lock.token), 0) - post.balances.get((NATIVE, lock.token), 0)
        if left < lock.amount:
            out.append(f"bid {bid_id}: its {lock.amount} {lock.token} lock was released past the deadline, {max(left, 0)} taken")
    return out


def cross_chain_safety(pre: State, op, post: State) -> list[str]:
    """I8: an assignment backed by restaked stake leaves the slash of a missed deadline time to
    reach L1 while the capture that stake was read from is still slashable: deadline + 1 (the
    first second the task is slashable) + submissionCooldown (the most the transmitter's next
    capture, whose slash result names it, may wait) <= capture + KEY_SAFETY_BOUND. This is the
    design's key safety rule (deadline + 1 + bridge delay + veto window <= capture + epoch) with
    the bridge delay the cooldown and no veto window (Kalypso's Middleware slashes instantly)."""
    if not isinstance(op, ops.AssignTask) or op.bid_id not in post.symbiotic.locks or not post.symbiotic.confirmed:
        return []
    capture = post.symbiotic.confirmed[-1].capture_timestamp
    deadline = post.bids[op.bid_id].deadline
    arrives = deadline + 1 + post.config.submission_cooldown
    if arrives > capture + KEY_SAFETY_BOUND:
        return [f"bid {op.bid_id}: deadline {deadline} (slash by {arrives}) but the capture {capture} backing it is "
                f"slashable only until {capture + KEY_SAFETY_BOUND}"]
    return []


def conservation(state: State) -> list[str]:
    """I1: per token, every balance sums to the minted supply; the marketplace holds exactly the
    open bids' rewards plus the prover fees it owes."""
    out = []
    for token in state.config.tokens:
        total = sum(v for (_, t), v in state.balances.items() if t == token)
        if total != state.supply.get(token, 0):
            out.append(f"{token}: balances {total} != supply {state.supply.get(token, 0)}")
    held = state.balances.get(("@marketplace", state.config.payment_token), 0)
    owed = sum(b.reward for b in state.bids.values() if b.stored_state.value in ("CREATED", "ASSIGNED"))
    owed += sum(state.prover_fees.values())
    if held != owed:
        out.append(f"marketplace holds {held}, owes {owed}")
    return out


def lock_accounting(state: State) -> list[str]:
    """L1: in each pool, a prover's locked amount per token is the sum of its bids' locks, and
    only an ASSIGNED bid holds a lock."""
    out = []
    for name, pool in (("native", state.native), ("symbiotic", state.symbiotic)):
        sums: dict = {}
        for bid_id, lock in pool.locks.items():
            bid = state.bids.get(bid_id)
            if bid is None or bid.stored_state.value != "ASSIGNED":
                out.append(f"{name}: bid {bid_id} holds a lock but is {bid.stored_state.value if bid else 'absent'}")
                continue
            sums[(lock.token, bid.prover)] = sums.get((lock.token, bid.prover), 0) + lock.amount
        recorded = {k: v for k, v in pool.locked.items() if v}
        if recorded != {k: v for k, v in sums.items() if v}:
            out.append(f"{name}: locked {recorded} != sum of locks {sums}")
    return out


def capacity(state: State) -> list[str]:
    """I3: a prover never consumes more compute than it declared."""
    return [f"{p}: consumes {g.compute_consumed} of {g.declared_compute}" for p, g in state.provers.items()
            if g.compute_consumed > g.declared_compute]


def veto_slash_compensation(vault: l1veto.VetoVault) -> list[str]:
    """V1 (slash compensation on L1, a VETO_SLASH vault): a slash request the resolver did not
    veto, whose veto window closed while its capture was still slashable (vetoDeadline <= capture
    + epoch), has been executed once that capture's slash period is over (now > capture + epoch):
    otherwise the operator keeps the stake for good. Reads the vault's raw request records."""
    out = []
    for i, r in enumerate(vault.requests):
        if r.vetoed or r.completed or r.veto_deadline > r.capture + vault.epoch or vault.time <= r.capture + vault.epoch:
            continue
        out.append(f"slash request {i} ({r.amount}, capture {r.capture}) passed its veto window unvetoed at {r.veto_deadline} "
                   f"and its capture's slash period ended at {r.capture + vault.epoch}: never executed, the operator keeps {vault.stake}")
    return out


KEEPER_ACCOUNTS = ("transmitter", "resolver", "network", "curator", "admin", "bob", "carol", "mallory")


def veto_keeper_run(apply_l1, stake: int, amount: int, age: int, veto_duration: int = 86_400,
                    epoch: int = KEY_SAFETY_BOUND, start: int = 1_700_000_000):
    """The keeper's road for one veto slash under `apply_l1` (the deployed L1 rules or a fix): at
    `start` the Middleware requests `amount` against a capture `age` seconds old; the veto window
    passes unvetoed; at the deadline the keeper tries every execute path the contracts offer
    (the Middleware's executeSlash, then VetoSlasher.executeSlash from each account we hold),
    refusals recorded; then the capture's slash period ends. Returns (vault, refusals), or None
    if the request itself is refused."""
    from spec.errors import SpecError

    v = l1veto.VetoVault(time=start, stake=stake, epoch=epoch, veto_duration=veto_duration)
    try:
        v = apply_l1(v, l1veto.RequestSlash(amount, start - age))
    except SpecError:
        return None
    v = apply_l1(v, l1veto.Advance(veto_duration))
    refusals = {}
    for op in [l1veto.MiddlewareExecuteSlash("transmitter", 0)] + [l1veto.ExecuteSlash(a, 0) for a in KEEPER_ACCOUNTS]:
        try:
            v = apply_l1(v, op)
            refusals[f"{type(op).__name__}({op.sender})"] = "ok"
            break
        except SpecError as exc:
            refusals[f"{type(op).__name__}({op.sender})"] = exc.code
    v = apply_l1(v, l1veto.Advance(max(0, start - age + epoch + 1 - v.time)))
    return v, refusals


STATE_INVARIANTS = {"I7 stake_backing": stake_backing, "I1 conservation": conservation, "L1 lock_accounting": lock_accounting,
                    "I3 capacity": capacity}
VIOLATED = frozenset({"I7 stake_backing", "S1 slash_compensation", "I8 cross_chain_safety"})
"""The invariants the deployed contracts violate, each backed by a committed, replayed finding.
V1 veto_slash_compensation (over the L1 slash model, spec/deployed_restaking/l1veto.py) is
violated too; its replay is on both EVMs (reference.evm.restaking.findings.replay_veto_escape),
not an L2 vector."""
STEP_INVARIANTS = {"S1 slash_compensation": slash_compensation, "I8 cross_chain_safety": cross_chain_safety}


def violations(pre: State, op, post: State) -> dict[str, list[str]]:
    """Every invariant's violations after one accepted step."""
    out = {name: check(post) for name, check in STATE_INVARIANTS.items()}
    out.update({name: check(pre, op, post) for name, check in STEP_INVARIANTS.items()})
    return {k: v for k, v in out.items() if v}
