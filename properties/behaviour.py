"""Step invariants over the protocol's behaviour: who may act, who gets exactly what, the
withdrawal delay, stake backing at assignment, deadlines (I13-I17).

Each checks one accepted step (pre-state, operation, post-state, events) with its own
arithmetic over the containers, written from DESIGN's rules: none calls the spec function whose
effect it checks (no `pay_prover`, `slash_task`, `free_stake`, `check_assignment`, ...)."""
from __future__ import annotations

from collections import Counter

from spec import operations as ops
from spec.containers import State
from spec.types import BPS, AskState

OPEN = (AskState.UNASSIGNED, AskState.ASSIGNED)
PAID = (AskState.COMPLETE, AskState.INVALID_INPUTS)
REFUNDED = (AskState.EXPIRED, AskState.CANCELLED)
CLOSING_OPS = (ops.SubmitProof, ops.SubmitInvalidInputs, ops.SlashMissedDeadline, ops.DiscardTask, ops.CancelAsk, ops.ExpireAsk)
SELF_SERVICE = (ops.RegisterProver, ops.RegisterProverKey, ops.DepositStake, ops.RequestStakeWithdrawal, ops.WithdrawStake,
                ops.JoinMarket, ops.UpdateQuote, ops.RequestMarketExit, ops.LeaveMarket)


def ledger(state: State) -> Counter:
    """Every holding of every token: ("balance", account), ("treasury",), ("burnt",),
    ("stake", prover), ("escrow", ask id) -> amount, keyed with the token."""
    out = Counter()
    for (account, token), amount in state.balances.items():
        out[("balance", account, token)] += amount
    for token, amount in state.treasury.items():
        out[("treasury", token)] += amount
    for token, amount in state.burnt.items():
        out[("burnt", token)] += amount
    for address, prover in state.provers.items():
        for token, amount in prover.stake.items():
            out[("stake", address, token)] += amount
    for ask in state.asks.values():
        out[("escrow", ask.id, state.config.payment_token)] += ask.escrow
    return out


def _delta(pre: State, post: State) -> dict:
    before, after = ledger(pre), ledger(post)
    return {k: after[k] - before[k] for k in set(before) | set(after) if after[k] != before[k]}


def _closed(pre: State, post: State):
    for ask_id, ask in post.asks.items():
        before = pre.asks.get(ask_id)
        if before is not None and before.state in OPEN and ask.state not in OPEN:
            yield before, ask


def authorization(pre: State, op, post: State, events) -> list[str]:
    """I13: only the account itself pays from its balance; stake leaves a prover only by its own
    withdrawal or a slash of its own task; owner-, requester-, prover-, governor- and
    resolver-only operations were sent by that party; a self-service operation changes only the
    sender's prover record, memberships and withdrawals."""
    out = []
    sender = getattr(op, "sender", None)
    for (kind, *key), change in sorted(_delta(pre, post).items(), key=repr):
        if kind == "balance" and change < 0 and key[0] != sender:
            out.append(f"{op.name} by {sender} took {-change} {key[1]} from {key[0]}'s balance")
        if kind == "stake" and change < 0:
            slashed = (isinstance(op, (ops.SlashMissedDeadline, ops.DiscardTask)) and op.ask_id in pre.asks
                       and pre.asks[op.ask_id].assignment is not None and pre.asks[op.ask_id].assignment.prover == key[0])
            withdrawn = isinstance(op, ops.WithdrawStake) and sender == key[0]
            if not (slashed or withdrawn):
                out.append(f"{op.name} by {sender} took {-change} {key[1]} of {key[0]}'s stake")
    owner = None
    if isinstance(op, (ops.UpdateMarket, ops.AttestEngine)) and op.market_id in pre.markets:
        owner = pre.markets[op.market_id].owner
    elif isinstance(op, ops.CancelAsk) and op.ask_id in pre.asks:
        owner = pre.asks[op.ask_id].requester
    elif isinstance(op, (ops.SubmitProof, ops.SubmitInvalidInputs, ops.DiscardTask)) and op.ask_id in pre.asks:
        assignment = pre.asks[op.ask_id].assignment
        owner = assignment.prover if assignment is not None else None
    elif isinstance(op, ops.SetRestakingParameters):
        owner = pre.config.restaking.governor
    elif isinstance(op, ops.VetoSlash) and op.request_id in pre.restaking.vault_chain.requests:
        request = pre.restaking.vault_chain.requests[op.request_id]
        owner = pre.restaking.vault_chain.vaults[request.vault_id].resolver
    if owner is not None and sender != owner:
        out.append(f"{op.name} accepted from {sender}, only {owner} may")
    if isinstance(op, SELF_SERVICE):
        changed = {a for a in set(pre.provers) | set(post.provers) if pre.provers.get(a) != post.provers.get(a)}
        changed |= {key[1] for key in set(pre.memberships) | set(post.memberships) if pre.memberships.get(key) != post.memberships.get(key)}
        changed |= {key[0] for key in set(pre.withdrawals) | set(post.withdrawals) if pre.withdrawals.get(key) != post.withdrawals.get(key)}
        if changed - {sender}:
            out.append(f"{op.name} by {sender} changed the records of {sorted(changed - {sender})}")
    return out


def exact_payouts(pre: State, op, post: State, events) -> list[str]:
    """I14: a step that ends tasks moves exactly, per token: a completed or invalid-inputs task
    pays its price to the prover's reward address, max_price - price back to the requester and
    the fee to the treasury; an expired or cancelled ask refunds max_price + fee; a slashed task
    refunds max_price + fee, gives each locked stake amount's compensation share to the
    requester, burns its burn share and sends the rest to the treasury. Nothing else moves."""
    if not isinstance(op, CLOSING_OPS):
        return []
    payment, config = pre.config.payment_token, pre.config
    expected = Counter()
    for before, after in _closed(pre, post):
        expected[("escrow", before.id, payment)] -= before.escrow
        if after.state in PAID:
            a = before.assignment
            expected[("balance", pre.provers[a.prover].reward_address, payment)] += a.price
            expected[("balance", before.requester, payment)] += before.max_price - a.price
            expected[("treasury", payment)] += before.escrow - before.max_price
        elif after.state in REFUNDED:
            expected[("balance", before.requester, payment)] += before.escrow
        elif after.state == AskState.DEADLINE_CROSSED:
            a = before.assignment
            expected[("balance", before.requester, payment)] += before.escrow
            for token, amount in a.locked.items():
                compensation = amount * config.slash_compensation_bps // BPS
                burn = amount * config.slash_burn_bps // BPS
                expected[("stake", a.prover, token)] -= amount
                expected[("balance", before.requester, token)] += compensation
                expected[("burnt", token)] += burn
                expected[("treasury", token)] += amount - compensation - burn
    want = {k: v for k, v in expected.items() if v != 0}
    got = _delta(pre, post)
    if got != want:
        keys = sorted(set(got) | set(want), key=repr)
        return [f"{op.name}: {k} moved {got.get(k, 0)}, expected {want.get(k, 0)}" for k in keys if got.get(k, 0) != want.get(k, 0)]
    return []


def withdrawal_delay(pre: State, op, post: State, events) -> list[str]:
    """I15: a withdrawal request becomes available stake_withdrawal_delay after it is made; stake
    leaves only when the request is available, exactly its amount, to the prover's balance."""
    out = []
    for key, request in post.withdrawals.items():
        if key not in pre.withdrawals and request.available_at != post.time + pre.config.stake_withdrawal_delay:
            out.append(f"withdrawal {key} available at {request.available_at}, requested at {post.time} + delay {pre.config.stake_withdrawal_delay}")
    for (prover, token), request in pre.withdrawals.items():
        if (prover, token) in post.withdrawals:
            continue
        before, after = pre.provers[prover].stake.get(token, 0), post.provers[prover].stake.get(token, 0) if prover in post.provers else 0
        if pre.time < request.available_at:
            out.append(f"withdrawal {(prover, token)} left at {pre.time} before {request.available_at}")
        if before - after != request.amount or post.balances.get((prover, token), 0) - pre.balances.get((prover, token), 0) != request.amount:
            out.append(f"withdrawal {(prover, token)} of {request.amount} moved stake {before - after}")
    return out


def backing_at_assignment(pre: State, op, post: State, events) -> list[str]:
    """I16: an assignment locks, per slash token, native stake the prover had free (stake -
    locked - pending withdrawal) plus, for the restaking token, restaked backing, together
    exactly the market's slash amount; native stake is used first; the prover's locked stake
    grows by exactly the native part and its compute in use by the quote's compute, within its
    declared compute."""
    out = []
    for ask_id, ask in post.asks.items():
        before = pre.asks.get(ask_id)
        if before is None or before.state != AskState.UNASSIGNED or ask.state != AskState.ASSIGNED:
            continue
        a, market = ask.assignment, pre.markets[ask.market_id]
        p0, p1 = pre.provers[a.prover], post.provers[a.prover]
        backing = post.restaking.backing.get(ask_id)
        restaked = sum(backing.amounts.values()) if backing is not None else 0
        for token, amount in market.slash_amount.items():
            pending = pre.withdrawals[(a.prover, token)].amount if (a.prover, token) in pre.withdrawals else 0
            free = p0.stake.get(token, 0) - p0.locked.get(token, 0) - pending
            native = a.locked.get(token, 0)
            extra = restaked if token == pre.config.restaking.stake_token else 0
            if native + extra != amount or native != min(amount, max(free, 0)):
                out.append(f"ask {ask_id}: {token} backed by {native} native (free {free}) + {extra} restaked, slash amount {amount}")
            if p1.locked.get(token, 0) - p0.locked.get(token, 0) != native:
                out.append(f"ask {ask_id}: locked {token} grew by {p1.locked.get(token, 0) - p0.locked.get(token, 0)}, not {native}")
        quote = pre.memberships[(ask.market_id, a.prover)].quote
        if a.compute != quote.compute_per_request or p1.compute_in_use - p0.compute_in_use != a.compute or p1.compute_in_use > p1.declared_compute:
            out.append(f"ask {ask_id}: compute {a.compute} vs quote {quote.compute_per_request}, in use {p0.compute_in_use} -> {p1.compute_in_use}")
    return out


def deadlines(pre: State, op, post: State, events) -> list[str]:
    """I17: an assignment is made at the current time with deadline now + proof_time; an ask
    expires only after its expiry and is cancelled only while unassigned."""
    out = []
    for before, after in ((pre.asks[i], a) for i, a in post.asks.items() if i in pre.asks and pre.asks[i] != a):
        if before.state == AskState.UNASSIGNED and after.state == AskState.ASSIGNED:
            a = after.assignment
            if a.assigned_at != pre.time or a.deadline != pre.time + before.proof_time:
                out.append(f"ask {after.id}: assigned_at {a.assigned_at}, deadline {a.deadline}; now {pre.time}, proof_time {before.proof_time}")
        if after.state == AskState.EXPIRED and not pre.time > before.expiry:
            out.append(f"ask {after.id} expired at {pre.time}, expiry {before.expiry}")
        if after.state == AskState.CANCELLED and before.state != AskState.UNASSIGNED:
            out.append(f"ask {after.id} cancelled from {before.state.value}")
    return out
