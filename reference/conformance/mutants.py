"""Named mutants of the spec: each is a set of exact text edits of the spec's source, installed in
an adapter process by recompiling the edited functions and monkeypatching every spec module (and
the transition table) that holds them.

A mutant's target is a module (`spec.tasks`: each edit must occur exactly once among the
functions defined there, so refactoring within a module keeps mutants valid) or one function
(`spec.tasks:process_assign_task`). A mutant whose text no longer occurs exactly once is stale
(the spec changed): it raises `StaleMutant` rather than running an unmutated spec under its name.
A mutant may `require` operations (e.g. restaking's); it applies only to a spec that has them.
"""
from __future__ import annotations

import __future__
import ast
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
    requires: tuple = ()

    def applicable(self) -> bool:
        """The spec has every operation the mutant is about."""
        import spec

        return all(op in spec.OPERATIONS for op in self.requires)

    def _functions(self) -> dict:
        module_name, _, function = self.target.partition(":")
        module = importlib.import_module(module_name)
        found = {name: fn for name, fn in vars(module).items()
                 if inspect.isfunction(fn) and fn.__module__ == module_name and (not function or name == function)}
        if function and not found:
            raise StaleMutant(f"{self.name}: {self.target} does not exist")
        return found

    def mutated_sources(self) -> dict[str, str]:
        """Function name -> its edited source, for every function the edits touch."""
        sources = {name: textwrap.dedent(inspect.getsource(fn)) for name, fn in self._functions().items()}
        touched: dict[str, str] = {}
        for old, new in self.edits:
            hits = {name: (touched.get(name) or src).count(old) for name, src in sources.items()}
            if sum(hits.values()) != 1:
                raise StaleMutant(f"{self.name}: {old!r} occurs {sum(hits.values())} times in {self.target}")
            name = next(n for n, count in hits.items() if count)
            touched[name] = (touched.get(name) or sources[name]).replace(old, new)
        return touched


MUTANTS: list[Mutant] = []


def mutant(name: str, target: str, description: str, *edits: tuple[str, str], requires: tuple = ()) -> None:
    MUTANTS.append(Mutant(name, target, tuple(edits), description, tuple(requires)))


TASKS, ASKS, PROVERS, SLASHING, MARKETS = "spec.tasks", "spec.asks", "spec.provers", "spec.slashing", "spec.markets"
ASSIGN, PROOF, INPUTS = TASKS, "spec.tasks:process_submit_proof", "spec.tasks:process_submit_invalid_inputs"
RELEASE, PAY, SLASH = TASKS, TASKS, SLASHING

mutant("assign_expiry_off_by_one", ASSIGN, "an ask cannot be assigned at its expiry",
       ("state.time <= ask.expiry", "state.time < ask.expiry"))
mutant("assign_after_expiry", ASSIGN, "an ask can be assigned one second after its expiry",
       ("state.time <= ask.expiry", "state.time <= ask.expiry + 1"))
mutant("assign_wrong_error_code", ASSIGN, "an expired ask is reported as not unassigned",
       ("require(state.time <= ask.expiry, AskExpired", "require(state.time <= ask.expiry, AskNotUnassigned"))
mutant("expire_at_expiry", ASKS, "an ask expires at its expiry, not after",
       ("state.time > ask.expiry", "state.time >= ask.expiry"))
mutant("proof_deadline_off_by_one", PROOF, "a proof at the deadline is refused",
       ("state.time <= assignment.deadline", "state.time < assignment.deadline"))
mutant("late_proof_accepted", PROOF, "a proof one second late is accepted",
       ("state.time <= assignment.deadline", "state.time <= assignment.deadline + 1"))
mutant("invalid_inputs_deadline_off_by_one", INPUTS, "an invalid-inputs statement at the deadline is refused",
       ("state.time <= assignment.deadline", "state.time < assignment.deadline"))
mutant("slash_at_deadline", SLASHING, "a task is slashed at its deadline",
       ("state.time > ask.assignment.deadline", "state.time >= ask.assignment.deadline"))
mutant("discard_after_deadline", SLASHING, "a task can be discarded after its deadline",
       ("require(state.time <= assignment.deadline,", "require(True,"))
mutant("deadline_from_expiry", ASSIGN, "the deadline counts from the expiry instead of the assignment",
       ("deadline=state.time + ask.proof_time", "deadline=ask.expiry + ask.proof_time"))
mutant("deadline_from_quote", ASSIGN, "the deadline uses the prover's proposed time instead of proof_time",
       ("deadline=state.time + ask.proof_time", "deadline=state.time + quote.proposed_time"))
mutant("withdrawal_delay_off_by_one", PROVERS, "a withdrawal is refused when its delay just passed",
       ("state.time >= request.available_at", "state.time > request.available_at"))
mutant("withdrawal_without_delay", PROVERS, "a withdrawal ignores its delay",
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
mutant("creation_fee_burnt", MARKETS, "the market creation fee is burnt instead of paid to the treasury",
       ("treasury=add_to(state.treasury, token, fee)", "burnt=add_to(state.burnt, token, fee)"))
mutant("market_creation_free", MARKETS, "creating a market costs nothing",
       ("fee = state.config.market_creation_fee", "fee = 0"))
mutant("skip_owner_check", MARKETS, "anyone may update a market",
       ("require(op.sender == market.owner,", "require(True,"))
mutant("skip_requester_check", ASKS, "anyone may cancel an ask",
       ("require(op.sender == ask.requester,", "require(True,"))
mutant("skip_engine_signature", "spec.tasks:process_assign_task", "assignments need no engine signature",
       ("require(verify_signature(market.engine_key, message, op.signature),", "require(True,"))
mutant("skip_assigned_prover_check", TASKS, "anyone may act as the assigned prover",
       ("require(sender == ask.assignment.prover,", "require(True,"))
mutant("skip_invalid_inputs_signature", INPUTS, "invalid-inputs statements need no engine signature",
       ("require(verify_signature(market.engine_key, message, op.signature),", "require(True,"))
mutant("skip_proof_verification", PROOF, "proofs are not verified",
       ("require(verifier(ask.public_inputs, op.proof),", "require(True,"))
mutant("double_slash", SLASHING, "a slashed task can be slashed again",
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
mutant("refund_max_price_only", ASKS, "closing an ask refunds max_price, keeping the fee",
       ("ask.requester, state.config.payment_token, ask.escrow", "ask.requester, state.config.payment_token, ask.max_price"))
mutant("cancel_assigned_ask", "spec.asks:process_cancel_ask", "an assigned ask can be cancelled",
       ("require(ask.state == AskState.UNASSIGNED,", "require(ask.state in (AskState.UNASSIGNED, AskState.ASSIGNED),"))
mutant("price_above_max", ASSIGN, "the price may exceed max_price by one",
       ("<= ask.max_price,", "<= ask.max_price + 1,"))
mutant("price_below_quote", ASSIGN, "the price may be one below the quote",
       (">= quote.price,", ">= quote.price - 1,"))
mutant("proof_time_strict", ASSIGN, "a proposed time equal to proof_time is refused",
       ("quote.proposed_time <= ask.proof_time,", "quote.proposed_time < ask.proof_time,"))
mutant("compute_check_strict", ASSIGN, "a task needing exactly the free compute is refused",
       ("require(free_compute(prover) >= quote.compute_per_request,", "require(free_compute(prover) > quote.compute_per_request,"))
mutant("stake_ignores_pending_withdrawal", PROVERS, "stake pending withdrawal still backs tasks",
       (" - pending_withdrawal(state, prover.address, token)", ""))
mutant("lock_one_less", ASSIGN, "a task locks one unit less than the slash amount",
       ("locked = add_to(locked, token, amount)", "locked = add_to(locked, token, amount - 1)"))
mutant("no_auto_cancel", TASKS, "quotes elsewhere are not cancelled after a match",
       ("if not fits(", "if False and not fits("))
mutant("auto_cancel_off_by_one", TASKS, "a quote needing exactly the free compute is cancelled",
       ("free_compute(prover) >= compute_per_request", "free_compute(prover) > compute_per_request"))
mutant("escrow_without_fee", ASKS, "the ask's escrow leaves out the platform fee",
       ("escrow = op.max_price + market.platform_fee", "escrow = op.max_price"))
mutant("expiry_may_be_now", ASKS, "an ask may expire at its creation time",
       ("require(op.expiry > state.time,", "require(op.expiry >= state.time,"))
mutant("preference_bound_off_by_one", ASKS, "a preference of exactly BPS is refused",
       ("0 <= op.price_time_preference <= BPS", "0 <= op.price_time_preference < BPS"))
mutant("leave_with_tasks", PROVERS, "a member leaves with tasks in flight",
       ("require(membership.active_tasks == 0,", "require(True,"))
mutant("exit_keeps_quote", PROVERS, "an exit request leaves the quote active",
       ("quote=None, exit_requested=True", "exit_requested=True"))
mutant("withdraw_locked_stake", PROVERS, "locked stake can be earmarked for withdrawal",
       ("require(op.amount <= available,", "require(op.amount <= available + prover.locked.get(op.token, 0),"))
mutant("withdrawal_request_kept", PROVERS, "a completed withdrawal stays pending",
       ("withdrawals=state.withdrawals.discard((op.sender, op.token))", "withdrawals=state.withdrawals"))
mutant("quote_compute_bound_strict", PROVERS, "a quote using all declared compute is refused",
       ("0 < compute_per_request <= prover.declared_compute", "0 < compute_per_request < prover.declared_compute"))
mutant("deposit_without_debit", PROVERS, "a deposit does not debit the balance",
       ("balances = debit(state.balances, op.sender, op.token, op.amount)", "balances = state.balances"))
mutant("mint_without_supply", "spec.tokens", "a mint does not grow the supply",
       ("supply=add_to(state.supply, op.token, op.amount)", "supply=state.supply"))
mutant("time_step_may_be_zero", "spec.clock", "time may advance by zero seconds",
       ("op.seconds > 0", "op.seconds >= 0"))
mutant("event_deadline_is_now", ASSIGN, "the TaskAssigned event reports the assignment time as deadline",
       ("deadline=assignment.deadline)", "deadline=state.time)"))
mutant("auto_cancel_in_matched_market", TASKS,
       "the auto-cancel also withdraws the quote in the market just matched",
       ("market_id == matched_market or ", ""))
mutant("assign_ignores_exit_request", ASSIGN, "a prover that asked to leave is reported as having no quote",
       ("require(not membership.exit_requested,", "require(True,"))
mutant("join_unknown_market", PROVERS, "a prover may join a market that does not exist",
       ("    get_market(state, op.market_id)\n", ""))
mutant("quote_price_negative", PROVERS, "a quote may have a negative price",
       ("require(price >= 0,", "require(price >= -1,"))
mutant("closed_ask_keeps_escrow", ASKS, "a refunded ask still shows its escrow",
       ("escrow=0, state=outcome", "state=outcome"))


RESTAKING = ("create_vault", "transmit_snapshot_part", "deliver_message")
mutant("key_rule_off_by_one", "spec.restaked_stake", "the key safety rule forgets that a slash can only be requested at deadline + 1",
       ("deadline + 1 + params.bridge_delay_max", "deadline + params.bridge_delay_max"), requires=RESTAKING)
mutant("key_rule_ignores_veto", "spec.restaked_stake", "the key safety rule leaves out the veto window",
       (" + params.veto_duration <= capture_ts", " <= capture_ts"), requires=RESTAKING)
mutant("snapshot_offset_off_by_one", "spec.restaked_stake", "a snapshot is usable one second after capture + offset",
       ("s.capture_ts + offset <= state.time", "s.capture_ts + offset < state.time"), requires=RESTAKING)
mutant("stale_capture_accepted", "spec.restaked_stake", "a snapshot part no newer than the complete snapshot is accepted",
       ("part.capture_ts > newest", "part.capture_ts >= newest - params.epoch_length"), requires=RESTAKING)
mutant("encumbered_ignores_requests", "spec.restaked_stake", "restaked stake under an unresolved slash request backs new tasks",
       ("total += s.amount", "total += 0"), requires=RESTAKING)
mutant("restaked_lock_not_released", "spec.restaked_stake", "a finished task keeps its restaked stake locked",
       ("locked = add_to(locked, (backing.prover, vault_id), -amount)", "locked = locked"), requires=RESTAKING)
mutant("veto_at_deadline", "spec.restaking", "a veto is accepted at the veto deadline",
       ("now < request.veto_deadline", "now <= request.veto_deadline"), requires=RESTAKING)
mutant("execute_before_veto_deadline", "spec.restaking", "a slash executes one second before its veto deadline",
       ("now >= request.veto_deadline", "now >= request.veto_deadline - 1"), requires=RESTAKING)
mutant("execute_after_slashable", "spec.restaking", "a slash executes after the capture stopped being slashable",
       ("require(now <= until,", "require(True,"), requires=RESTAKING)
mutant("duplicate_request_not_ignored", "spec.restaking", "the vault chain handles a repeated slash request again",
       ("if request.request_id in chain.requests:", "if False:"), requires=RESTAKING)
mutant("late_request_not_expired", "spec.restaking", "a request whose veto window ends after the slashable window is not expired",
       ("if veto_deadline > slashable_until(vault, request.capture_ts):", "if False:"), requires=RESTAKING)
mutant("bridge_bound_off_by_one", "spec.bridge", "a message cannot be delayed up to its bound",
       ("op.deliver_at <= bound", "op.deliver_at < bound"), requires=RESTAKING)
mutant("retransmit_keeps_old_delivery_time", "spec.bridge", "a retransmitted message keeps its old delivery time",
       ("attrs.evolve(bridge.dropped[op.message_id], deliver_at=state.time)", "bridge.dropped[op.message_id]"), requires=RESTAKING)


MUTANT_BY_NAME = {m.name: m for m in MUTANTS}


def install(name: str) -> Mutant:
    """Replace each function the mutant edits by its edited version wherever a spec module holds
    it: as a module attribute or as a value of a module-level dict (the transition table, ...)."""
    if name.startswith("gen:"):
        from reference.conformance.generated import TOPLEVEL, find

        m = find(name)
        if m is None or m.function == TOPLEVEL:
            raise StaleMutant(f"{name}: not a generated mutant of a function or method (module-level ones run in "
                              "reference.conformance.fastsuite, imported mutated)")
        module_name = m.module
    else:
        m = MUTANT_BY_NAME[name]
        module_name = m.target.partition(":")[0]
    module = sys.modules[module_name] if module_name in sys.modules else importlib.import_module(module_name)
    for function, source in m.mutated_sources().items():
        owner, _, attr = function.rpartition(".")
        holder = module
        for part in owner.split(".") if owner else ():
            holder = getattr(holder, part)
        raw = vars(holder)[attr] if owner else getattr(module, attr)
        original = getattr(raw, "fget", None) or getattr(raw, "__func__", None) or raw
        if not inspect.isfunction(original):  # a wrapper (lru_cache): only a fresh import mutates it
            raise StaleMutant(f"{m.name}: {function} is wrapped; run it in reference.conformance.fastsuite")
        if m.name.startswith("gen:"):  # the decorators ran at import; the mutant is the function's code only
            tree = ast.parse(source)
            tree.body[0].decorator_list = []
            source = ast.unparse(tree)
        if owner:  # a method: compiled inside a class, so that `super()` finds its cell as in the original
            source = "class _Holder:\n" + textwrap.indent(source, "    ")
        code = compile(source, f"<mutant {m.name}>", "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True)
        namespace: dict = {}
        exec(code, vars(module), namespace)
        mutated = vars(namespace["_Holder"])[attr] if owner else namespace[attr]
        mutated = getattr(mutated, "fget", None) or getattr(mutated, "__func__", None) or mutated
        if mutated.__code__.co_freevars == original.__code__.co_freevars:
            # every holder of the function sees the mutant, even one that captured it (an attrs validator, a closure)
            original.__code__ = mutated.__code__
            original.__defaults__, original.__kwdefaults__ = mutated.__defaults__, mutated.__kwdefaults__  # a default's mutant
        elif owner:
            raise StaleMutant(f"{m.name}: the method's closure differs from its mutant's")
        for mod_name, mod in list(sys.modules.items()):
            if mod_name == "spec" or mod_name.startswith("spec."):
                for name, value in list(vars(mod).items()):
                    if value is original:
                        setattr(mod, name, mutated)
                    elif isinstance(value, dict):
                        for key, held in list(value.items()):
                            if held is original:
                                value[key] = mutated
    return m
