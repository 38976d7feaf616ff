"""Named mutants of the spec: each rewrites one spec function's source (exact text edits) and is
installed in an adapter process by monkeypatching every spec module that holds the function.

A mutant whose text no longer occurs in the spec is stale (the spec changed): `install` raises
`StaleMutant` rather than running an unmutated spec under the mutant's name.
"""
from __future__ import annotations

import __future__
import importlib
import inspect
import sys
import textwrap

import attrs


class StaleMutant(Exception):
    """The mutant's edit does not match the spec's current source exactly once."""


@attrs.frozen
class Mutant:
    name: str
    target: str
    edits: tuple
    description: str

    def mutated_source(self) -> str:
        module, function = self.target.split(":")
        source = textwrap.dedent(inspect.getsource(getattr(importlib.import_module(module), function)))
        for old, new in self.edits:
            if source.count(old) != 1:
                raise StaleMutant(f"{self.name}: {old!r} occurs {source.count(old)} times in {self.target}")
            source = source.replace(old, new)
        return source


MUTANTS: list[Mutant] = []


def mutant(name: str, target: str, description: str, *edits: tuple[str, str]) -> None:
    MUTANTS.append(Mutant(name, target, tuple(edits), description))


ASSIGN, PROOF, INPUTS = "spec.tasks:process_assign_task", "spec.tasks:process_submit_proof", "spec.tasks:process_submit_invalid_inputs"
RELEASE, PAY, SLASH = "spec.tasks:release_task", "spec.tasks:pay_prover", "spec.slashing:slash_task"

mutant("assign_expiry_off_by_one", ASSIGN, "an ask cannot be assigned at its expiry",
       ("state.time <= ask.expiry", "state.time < ask.expiry"))
mutant("assign_after_expiry", ASSIGN, "an ask can be assigned one second after its expiry",
       ("state.time <= ask.expiry", "state.time <= ask.expiry + 1"))
mutant("assign_wrong_error_code", ASSIGN, "an expired ask is reported as not unassigned",
       ("require(state.time <= ask.expiry, AskExpired", "require(state.time <= ask.expiry, AskNotUnassigned"))
mutant("expire_at_expiry", "spec.asks:process_expire_ask", "an ask expires at its expiry, not after",
       ("state.time > ask.expiry", "state.time >= ask.expiry"))
mutant("proof_deadline_off_by_one", PROOF, "a proof at the deadline is refused",
       ("state.time <= assignment.deadline", "state.time < assignment.deadline"))
mutant("late_proof_accepted", PROOF, "a proof one second late is accepted",
       ("state.time <= assignment.deadline", "state.time <= assignment.deadline + 1"))
mutant("invalid_inputs_deadline_off_by_one", INPUTS, "an invalid-inputs statement at the deadline is refused",
       ("state.time <= assignment.deadline", "state.time < assignment.deadline"))
mutant("slash_at_deadline", "spec.slashing:process_slash_missed_deadline", "a task is slashed at its deadline",
       ("state.time > ask.assignment.deadline", "state.time >= ask.assignment.deadline"))
mutant("discard_after_deadline", "spec.slashing:process_discard_task", "a task can be discarded after its deadline",
       ("require(state.time <= assignment.deadline,", "require(True,"))
mutant("deadline_from_expiry", ASSIGN, "the deadline counts from the expiry instead of the assignment",
       ("deadline=state.time + ask.proof_time", "deadline=ask.expiry + ask.proof_time"))
mutant("deadline_from_quote", ASSIGN, "the deadline uses the prover's proposed time instead of proof_time",
       ("deadline=state.time + ask.proof_time", "deadline=state.time + quote.proposed_time"))
mutant("withdrawal_delay_off_by_one", "spec.provers:process_withdraw_stake", "a withdrawal is refused when its delay just passed",
       ("state.time >= request.available_at", "state.time > request.available_at"))
mutant("withdrawal_without_delay", "spec.provers:process_withdraw_stake", "a withdrawal ignores its delay",
       ("require(state.time >= request.available_at,", "require(True,"))
mutant("forget_unlock_stake", RELEASE, "a finished task's stake stays locked",
       ("locked = add_to(locked, token, -amount)", "locked = add_to(locked, token, 0)"))
mutant("forget_free_compute", RELEASE, "a finished task's compute stays in use",
       ("compute_in_use=prover.compute_in_use - assignment.compute", "compute_in_use=prover.compute_in_use"))
mutant("active_tasks_not_decremented", RELEASE, "a finished task still counts as in flight",
       ("active_tasks=membership.active_tasks - 1", "active_tasks=membership.active_tasks"))
mutant("active_tasks_not_incremented", ASSIGN, "an assigned task is not counted as in flight",
       ("active_tasks=membership.active_tasks + 1", "active_tasks=membership.active_tasks"))
mutant("refund_whole_max_price", PAY, "the requester is refunded max_price instead of max_price - price",
       ("ask.requester, token, ask.max_price - assignment.price", "ask.requester, token, ask.max_price"))
mutant("refund_includes_fee", PAY, "the requester gets the fee back as well",
       ("ask.requester, token, ask.max_price - assignment.price", "ask.requester, token, ask.escrow - assignment.price"),
       ("treasury=add_to(state.treasury, token, ask.fee)", "treasury=state.treasury"))
mutant("fee_to_prover", PAY, "the platform fee goes to the prover instead of the treasury",
       ("reward_address, token, assignment.price)", "reward_address, token, assignment.price + ask.fee)"),
       ("treasury=add_to(state.treasury, token, ask.fee)", "treasury=state.treasury"))
mutant("pay_prover_address", PAY, "the prover's own address is paid instead of its reward address",
       ("credit(state.balances, reward_address,", "credit(state.balances, assignment.prover,"))
mutant("creation_fee_burnt", "spec.markets:process_create_market", "the market creation fee is burnt instead of paid to the treasury",
       ("treasury=add_to(state.treasury, token, fee)", "burnt=add_to(state.burnt, token, fee)"))
mutant("market_creation_free", "spec.markets:process_create_market", "creating a market costs nothing",
       ("fee = state.config.market_creation_fee", "fee = 0"))
mutant("skip_owner_check", "spec.markets:process_update_market", "anyone may update a market",
       ("require(op.sender == market.owner,", "require(True,"))
mutant("skip_requester_check", "spec.asks:process_cancel_ask", "anyone may cancel an ask",
       ("require(op.sender == ask.requester,", "require(True,"))
mutant("skip_engine_signature", ASSIGN, "assignments need no engine signature",
       ("require(verify_signature(market.engine_key, message, op.signature),", "require(True,"))
mutant("skip_assigned_prover_check", "spec.tasks:get_assigned_task", "anyone may act as the assigned prover",
       ("require(sender == ask.assignment.prover,", "require(True,"))
mutant("skip_invalid_inputs_signature", INPUTS, "invalid-inputs statements need no engine signature",
       ("require(verify_signature(market.engine_key, message, op.signature),", "require(True,"))
mutant("skip_proof_verification", PROOF, "proofs are not verified",
       ("require(verifier(ask.public_inputs, op.proof),", "require(True,"))
mutant("double_slash", "spec.slashing:process_slash_missed_deadline", "a slashed task can be slashed again",
       ("require(ask.state == AskState.ASSIGNED,", "require(ask.state in (AskState.ASSIGNED, AskState.DEADLINE_CROSSED),"))
mutant("compensation_uses_burn_share", SLASH, "the requester's compensation uses the burn share",
       ("amount * state.config.slash_compensation_bps // BPS", "amount * state.config.slash_burn_bps // BPS"))
mutant("compensation_rounds_up", SLASH, "the compensation rounds up instead of down",
       ("compensation = amount * state.config.slash_compensation_bps // BPS",
        "compensation = -(-amount * state.config.slash_compensation_bps // BPS)"))
mutant("burn_to_treasury", SLASH, "the burn share goes to the treasury",
       ("burnt = add_to(burnt, token, burn)", "burnt = burnt"),
       ("amount - compensation - burn", "amount - compensation"))
mutant("slash_without_refund", SLASH, "a slashed task's escrow is not refunded",
       ("return close_ask_with_refund(state, ask, AskState.DEADLINE_CROSSED)",
        "return attrs.evolve(state, asks=state.asks.set(ask.id, attrs.evolve(ask, escrow=0, state=AskState.DEADLINE_CROSSED)))"))
mutant("slash_keeps_stake", SLASH, "slashing pays out without taking the prover's stake",
       ("stake = add_to(stake, token, -amount)", "stake = stake"))
mutant("refund_max_price_only", "spec.asks:close_ask_with_refund", "closing an ask refunds max_price, keeping the fee",
       ("ask.requester, state.config.payment_token, ask.escrow", "ask.requester, state.config.payment_token, ask.max_price"))
mutant("cancel_assigned_ask", "spec.asks:process_cancel_ask", "an assigned ask can be cancelled",
       ("require(ask.state == AskState.UNASSIGNED,", "require(ask.state in (AskState.UNASSIGNED, AskState.ASSIGNED),"))
mutant("price_above_max", ASSIGN, "the price may exceed max_price by one",
       ("require(op.price <= ask.max_price,", "require(op.price <= ask.max_price + 1,"))
mutant("price_below_quote", ASSIGN, "the price may be one below the quote",
       ("require(op.price >= quote.price,", "require(op.price >= quote.price - 1,"))
mutant("proof_time_strict", ASSIGN, "a proposed time equal to proof_time is refused",
       ("quote.proposed_time <= ask.proof_time,", "quote.proposed_time < ask.proof_time,"))
mutant("compute_check_strict", ASSIGN, "a task needing exactly the free compute is refused",
       ("require(free_compute(prover) >= quote.compute_per_request,", "require(free_compute(prover) > quote.compute_per_request,"))
mutant("stake_ignores_pending_withdrawal", "spec.provers:free_stake", "stake pending withdrawal still backs tasks",
       (" - pending_withdrawal(state, prover.address, token)", ""))
mutant("lock_one_less", ASSIGN, "a task locks one unit less than the slash amount",
       ("locked = add_to(locked, token, amount)", "locked = add_to(locked, token, amount - 1)"))
mutant("no_auto_cancel", ASSIGN, "quotes elsewhere are not cancelled after a match",
       ("new, cancelled = cancel_quotes_that_no_longer_fit(new, prover.address, market.id)", "cancelled = []"))
mutant("auto_cancel_off_by_one", "spec.tasks:fits", "a quote needing exactly the free compute is cancelled",
       ("free_compute(prover) >= compute_per_request", "free_compute(prover) > compute_per_request"))
mutant("escrow_without_fee", "spec.asks:process_create_ask", "the ask's escrow leaves out the platform fee",
       ("escrow = op.max_price + market.platform_fee", "escrow = op.max_price"))
mutant("expiry_may_be_now", "spec.asks:process_create_ask", "an ask may expire at its creation time",
       ("require(op.expiry > state.time,", "require(op.expiry >= state.time,"))
mutant("preference_bound_off_by_one", "spec.asks:process_create_ask", "a preference of exactly BPS is refused",
       ("0 <= op.price_time_preference <= BPS", "0 <= op.price_time_preference < BPS"))
mutant("leave_with_tasks", "spec.provers:process_leave_market", "a member leaves with tasks in flight",
       ("require(membership.active_tasks == 0,", "require(True,"))
mutant("exit_keeps_quote", "spec.provers:process_request_market_exit", "an exit request leaves the quote active",
       ("quote=None, exit_requested=True", "exit_requested=True"))
mutant("withdraw_locked_stake", "spec.provers:process_request_stake_withdrawal", "locked stake can be earmarked for withdrawal",
       ("require(op.amount <= available,", "require(op.amount <= available + prover.locked.get(op.token, 0),"))
mutant("withdrawal_request_kept", "spec.provers:process_withdraw_stake", "a completed withdrawal stays pending",
       ("withdrawals=state.withdrawals.discard((op.sender, op.token))", "withdrawals=state.withdrawals"))
mutant("quote_compute_bound_strict", "spec.provers:check_quote", "a quote using all declared compute is refused",
       ("0 < compute_per_request <= prover.declared_compute", "0 < compute_per_request < prover.declared_compute"))
mutant("deposit_without_debit", "spec.provers:process_deposit_stake", "a deposit does not debit the balance",
       ("balances = debit(state.balances, op.sender, op.token, op.amount)", "balances = state.balances"))
mutant("mint_without_supply", "spec.tokens:process_mint", "a mint does not grow the supply",
       ("supply=add_to(state.supply, op.token, op.amount)", "supply=state.supply"))
mutant("time_step_may_be_zero", "spec.clock:process_advance_time", "time may advance by zero seconds",
       ("op.seconds > 0", "op.seconds >= 0"))
mutant("event_deadline_is_now", ASSIGN, "the TaskAssigned event reports the assignment time as deadline",
       ("deadline=assignment.deadline)", "deadline=state.time)"))
mutant("auto_cancel_in_matched_market", "spec.tasks:cancel_quotes_that_no_longer_fit",
       "the auto-cancel also withdraws the quote in the market just matched",
       ("market_id == matched_market or ", ""))
mutant("assign_ignores_exit_request", ASSIGN, "a prover that asked to leave is reported as having no quote",
       ("require(not membership.exit_requested,", "require(True,"))
mutant("join_unknown_market", "spec.provers:process_join_market", "a prover may join a market that does not exist",
       ("    get_market(state, op.market_id)\n", ""))
mutant("quote_price_negative", "spec.provers:check_quote", "a quote may have a negative price",
       ("require(price >= 0,", "require(price >= -1,"))
mutant("closed_ask_keeps_escrow", "spec.asks:close_ask_with_refund", "a refunded ask still shows its escrow",
       ("escrow=0, state=outcome", "state=outcome"))


MUTANT_BY_NAME = {m.name: m for m in MUTANTS}


def install(name: str) -> Mutant:
    """Replace the target function by its mutated version in every spec module (and in the
    transition table) that holds it."""
    m = MUTANT_BY_NAME[name]
    module_name, function = m.target.split(":")
    original = getattr(importlib.import_module(module_name), function)
    code = compile(m.mutated_source(), f"<mutant {m.name}>", "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True)
    namespace: dict = {}
    exec(code, vars(sys.modules[module_name]), namespace)
    mutated = namespace[function]
    import spec.transition

    for mod_name, mod in list(sys.modules.items()):
        if mod_name == "spec" or mod_name.startswith("spec."):
            for attr, value in list(vars(mod).items()):
                if value is original:
                    setattr(mod, attr, mutated)
    for op, processor in list(spec.transition.PROCESSORS.items()):
        if processor is original:
            spec.transition.PROCESSORS[op] = mutated
    return m
