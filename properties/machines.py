"""Hypothesis state machines that drive random protocol traces and check every invariant
after every step."""
from __future__ import annotations

from collections import Counter

from hypothesis import event, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import spec
from properties import invariants as inv
from properties import strategies as strat
from properties.fixtures import NEEDS_ASK_IN, SECRET_OF_KEY, WRONG_SECRET
from spec import operations as ops
from spec.env import stand_in_proof
from spec.errors import SpecError
from spec.signing import assignment_message, sign
from spec.types import AskState

RUNS: Counter = Counter()
"""Per run of the lifecycle machine (one Hypothesis example): how many runs there were, and how
many completed a proof, slashed a task, or hit a compute or stake limit."""
LIMIT_CODES = frozenset({"INSUFFICIENT_COMPUTE", "INSUFFICIENT_STAKE"})
EDGE_WEIGHTS = {"complete_a_task": 8, "slash_an_overdue_task": 3, "fill_a_prover": 1}
"""Rule weights, swarm-style: a rule of weight w is registered w times (`<name>`, `<name>_2`, ...),
so Hypothesis picks it w times as often as a plain rule."""
EDGE_RULES = tuple(name if i == 1 else f"{name}_{i}" for name, w in EDGE_WEIGHTS.items() for i in range(1, w + 1))


def _check(violations: list[str], invariant_id: str = "") -> None:
    assert not violations, "\n".join(f"{invariant_id} {v}".strip() for v in violations)


class LifecycleMachine(RuleBasedStateMachine):
    """Random traces of the market lifecycle: one rule per operation of
    `strategies.MARKET_STRATEGIES`, named after it (added below), plus `any_operation`. `apply` is
    a class attribute so a test can run the same machine against a mutant transition function."""

    apply = staticmethod(spec.apply)
    env = spec.DEFAULT_ENV

    def __init__(self):
        super().__init__()
        self.state = spec.genesis()
        self.trace: list = []
        self.reached: set = set()

    def teardown(self):
        RUNS["runs"] += 1
        for edge in self.reached:
            RUNS[edge] += 1

    def execute(self, op) -> None:
        pre = self.state
        before = inv.snapshot(pre)
        try:
            post, events = type(self).apply(pre, op, self.env)
        except SpecError as error:
            event(f"rejected {op.name}: {error.code}")
            _check(inv.atomicity(before, pre), "I10")
            if op.name == "assign_task" and error.code in LIMIT_CODES:
                self.reached.add("limit")
            return False
        event(f"accepted {op.name}")
        if op.name in ("submit_proof", "submit_invalid_inputs"):
            self.reached.add("proof" if op.name == "submit_proof" else "invalid_inputs")
        if op.name in ("slash_missed_deadline", "discard_task"):
            self.reached.add("slash")
        _check(inv.transition_violations(pre, op, post, events))
        self.trace.append(op)
        self.state = post
        if op.name == "assign_task" and (any(e.kind == "QuoteCancelled" for e in events)
                                         or any(p.compute_in_use == p.declared_compute for p in post.provers.values())):
            self.reached.add("limit")
        return True

    # -- edge rules: well-formed steps that take a task to its ends (proof, slash) and a prover to
    # its compute or stake limit; the random rules above still draw every operation

    def _assign(self, ask, prover: str) -> bool:
        quote = self.state.memberships[(ask.market_id, prover)].quote
        if quote is None:
            return False
        market = self.state.markets[ask.market_id]
        secret = SECRET_OF_KEY.get(market.engine_key, WRONG_SECRET)
        price = max(quote.price, 0)
        signature = sign(secret, assignment_message(ask.market_id, ask.id, prover, price))
        return self.execute(ops.AssignTask("engine", ask.id, prover, price, signature))

    def _candidates(self, data):
        asks = [a for _, a in sorted(self.state.asks.items()) if a.state == AskState.UNASSIGNED and self.state.time <= a.expiry]
        return [(a, m.prover) for a in asks for (mid, _), m in sorted(self.state.memberships.items())
                if mid == a.market_id and m.quote is not None and m.quote.price <= a.max_price and m.quote.proposed_time <= a.proof_time]

    def _fresh_ask(self, data, label: str) -> None:
        """A requester asks in a market where some prover quotes, within every quote."""
        quoted = sorted({mid for (mid, _), m in self.state.memberships.items() if m.quote is not None})
        if not quoted:
            return
        market_id = data.draw(strat.pick(quoted), label=f"{label} market")
        quotes = [m.quote for (mid, _), m in self.state.memberships.items() if mid == market_id and m.quote is not None]
        requester = data.draw(strat.pick(strat.REQUESTERS), label=f"{label} requester")
        self.execute(ops.CreateAsk(requester, market_id, max(q.price for q in quotes) + 10, self.state.time + 100,
                                   max(q.proposed_time for q in quotes) + 10, 5_000, b"\x01"))

    def _assigned(self, data, label: str, in_time: bool = False):
        """An ask in flight (before its deadline if `in_time`): an assigned one, or a fresh ask
        assigned to a quoting prover now."""
        def tasks():
            return [a for _, a in sorted(self.state.asks.items())
                    if a.state == AskState.ASSIGNED and (not in_time or self.state.time <= a.assignment.deadline)]
        if not tasks():
            if not self._candidates(data):
                self._fresh_ask(data, label)
            candidates = self._candidates(data)
            if candidates:
                self._assign(*data.draw(strat.pick(candidates), label=f"{label} assignment"))
        return data.draw(strat.pick(tasks()), label=label) if tasks() else None

    @rule(data=st.data())
    def complete_a_task(self, data):
        """The assigned prover proves a task in flight before its deadline."""
        ask = self._assigned(data, "complete", in_time=True)
        if ask is not None and self.state.time <= ask.assignment.deadline:
            self.execute(ops.SubmitProof(ask.assignment.prover, ask.id, stand_in_proof(ask.public_inputs)))

    @rule(data=st.data())
    def slash_an_overdue_task(self, data):
        """Time passes a task's deadline and anyone slashes it."""
        ask = self._assigned(data, "slash")
        if ask is not None:
            if self.state.time <= ask.assignment.deadline:
                self.execute(ops.AdvanceTime(ask.assignment.deadline + 1 - self.state.time))
            self.execute(ops.SlashMissedDeadline("keeper", ask.id))

    @rule(data=st.data(), asks=st.integers(1, 6))
    def fill_a_prover(self, data, asks):
        """Requesters post asks and the engine assigns them to one prover until its compute or
        stake runs out (or the asks do)."""
        for _ in range(asks):
            self._fresh_ask(data, "fill")
        candidates = self._candidates(data)
        if not candidates:
            return
        prover = data.draw(strat.pick(sorted({p for _, p in candidates})), label="fill prover")
        for ask, p in candidates:
            if p == prover and self.state.asks[ask.id].state == AskState.UNASSIGNED and not self._assign(ask, prover):
                if "limit" in self.reached:
                    return

    @initialize(config=strat.configs(), amount=st.integers(1_000, 5_000), data=st.data())
    def open_markets(self, config, amount, data):
        self.state = spec.genesis(config)
        for account in strat.ACCOUNTS:
            for token in self.state.config.tokens:
                self.execute(ops.Mint(account, token, amount))
        for op in data.draw(strat.bootstrap(self.state), label="bootstrap"):
            self.execute(op)

    @rule(data=st.data())
    def any_operation(self, data):
        self.execute(data.draw(strat.operations(self.state), label="any_operation"))

    @invariant()
    def i1_conservation(self):
        _check(inv.conservation(self.state), "I1")

    @invariant()
    def i2_single_assignment(self):
        _check(inv.single_assignment(self.state), "I2")

    @invariant()
    def i3_capacity(self):
        _check(inv.capacity(self.state), "I3")

    @invariant()
    def i4_escrow(self):
        _check(inv.escrow(self.state), "I4")

    @invariant()
    def i7_stake_backing(self):
        _check(inv.stake_backing(self.state), "I7")

    @invariant()
    def i9_withdrawal(self):
        _check(inv.withdrawal(self.state), "I9")

    @invariant()
    def restaking_invariants(self):
        _check(inv.restaked_backing(self.state) + inv.vault_conservation(self.state) + inv.cross_chain_safety(self.state), "I7/I8")

    @invariant()
    def i11_bounded_liveness(self):
        _check(inv.bounded_liveness(self.state), "I11")


def _operation_rule(name: str):
    """The rule that draws operation `name` against the current state and executes it; an operation
    acting on an ask in a given state runs only while such an ask exists."""

    def step(self, data):
        self.execute(data.draw(strat.OPERATION_STRATEGIES[name](self.state), label=name))

    step.__name__, step.__qualname__ = name, f"{LifecycleMachine.__name__}.{name}"
    step = rule(data=st.data())(step)
    if name in NEEDS_ASK_IN:
        needed = NEEDS_ASK_IN[name]
        step = precondition(lambda machine: any(a.state == needed for a in machine.state.asks.values()))(step)
    return step


for _name in strat.MARKET_STRATEGIES:
    setattr(LifecycleMachine, _name, _operation_rule(_name))


for _name, _weight in EDGE_WEIGHTS.items():
    _rule = getattr(LifecycleMachine, _name)
    for _copy in range(2, _weight + 1):
        setattr(LifecycleMachine, f"{_name}_{_copy}", _rule)
