"""Cross-chain traces: the market chain, the vault chain and the bridge adversary in one
Hypothesis state machine, with every invariant checked after every step.

The environment is an adversary within the bridge's bound: it delays, reorders, duplicates and
drops messages at will, but a dropped message is retransmitted and every message delivered by
`sent_at + bridge_delay_max` (the keeper in `advance` does it when the adversary did not). The
keeper also slashes restaked tasks at deadline + 1 and executes vault slashes at their veto
deadline: I8 is a guarantee under these assumptions (docs/restaking.md). The governor changes
the restaking parameters at any time, over confirmed snapshots and tasks in flight."""
from __future__ import annotations

from collections import Counter

import attrs

from hypothesis import event, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

import spec
from properties import invariants as inv
from properties import strategies as strat
from properties.fixtures import RESTAKING_PARAMS
from spec import operations as ops
from spec.codec import decode_config, decode_op, encode, encode_op
from spec.errors import SpecError
from spec.restaked_stake import confirmed_snapshot, latest_complete_capture
from spec.restaking import snapshot_parts
from spec.restaking_state import SlashStatus
from spec.signing import assignment_message, sign
from spec.types import AskState

PARAMS = RESTAKING_PARAMS
SLASH_AMOUNT = 100
FAULTS = ("delay_message", "reorder_messages", "duplicate_message", "drop_message", "retransmit_message")
MARKET_OPS = ("assign_task", "submit_proof", "submit_proof", "discard_task", "deposit_stake", "request_stake_withdrawal", "withdraw_stake")
VAULT_OPS = ("vault_deposit", "vault_withdraw", "vault_withdraw", "vault_claim", "vault_claim")
COVERAGE: Counter = Counter()


def _check(violations: list[str]) -> None:
    assert not violations, "\n".join(violations)


def _restaked_tasks(state):
    return [a for a in state.asks.values() if a.state == AskState.ASSIGNED and a.id in state.restaking.backing]


class CrossChainMachine(RuleBasedStateMachine):
    """Both chains and the bridge adversary. `env` is a class attribute so the escape test can run
    the same machine with the key safety rule switched off."""

    env = spec.DEFAULT_ENV
    last = None
    governor_percent = 25

    def __init__(self):
        super().__init__()
        self.state = spec.genesis(spec.Config(restaking=PARAMS))
        self.trace: list = []
        self.kept: set = set()
        type(self).last = self

    def execute(self, op) -> bool:
        pre = self.state
        try:
            post, events = spec.apply(pre, op, self.env)
        except SpecError as error:
            event(f"rejected {op.name}: {error.code}")
            COVERAGE[f"rejected {op.name}: {error.code}"] += 1
            return False
        event(f"accepted {op.name}")
        COVERAGE[op.name] += 1
        for e in events:
            if e.kind in ("DuplicateIgnored", "RestakedStakeLocked", "RestakedSlashResolved", "VaultSlashResolved"):
                COVERAGE[e.kind if e.kind != "RestakedSlashResolved" else f"resolved {e.data['status']}"] += 1
        _check(inv.transition_violations(pre, op, post, events))
        self.trace.append(op)
        self.state = post
        return True

    @initialize(
        native=st.lists(st.integers(0, 150), min_size=3, max_size=3),
        deposits=st.lists(st.integers(300, 2_000), min_size=2, max_size=2),
        veto_epoch=st.integers(1_000, 1_400),
        instant_epoch=strat.pick((900, 1_000, 1_200)),
    )
    def bootstrap(self, native, deposits, veto_epoch, instant_epoch):
        for account in strat.ACCOUNTS:
            for token in self.state.config.tokens:
                self.execute(ops.Mint(account, token, 5_000))
        self.execute(ops.CreateMarket(strat.REQUESTERS[0], spec.STAND_IN_VERIFIER_ID, "orderbook", {"POND": SLASH_AMOUNT}, strat.ENGINE_KEYS[0], 5))
        for prover, stake in zip(strat.PROVERS, native):
            self.execute(ops.RegisterProver(prover, prover + "-rewards", 4))
            if stake:
                self.execute(ops.DepositStake(prover, "POND", stake))
            self.execute(ops.JoinMarket(prover, 0, 10, 20, 1))
        self.execute(ops.CreateVault("curator", "v0", veto_epoch, "veto", PARAMS.veto_duration, strat.RESOLVER, {"p0": 2, "p1": 1, "stranger": 1}))
        self.execute(ops.CreateVault("curator", "v1", instant_epoch, "instant", 0, strat.RESOLVER, {"p1": 1, "p2": 1}))
        for vault, amount in zip(("v0", "v1"), deposits):
            self.execute(ops.VaultDeposit(strat.STAKERS[0], vault, amount))
        self.advance(PARAMS.epoch_length + PARAMS.offset)
        self.transmit(1)
        for message_id in sorted(self.state.restaking.bridge.in_flight):
            self.execute(ops.DeliverMessage(message_id))

    def transmit(self, count: int) -> None:
        """An honest transmitter sends the latest capture, unless a snapshot of it is complete."""
        capture = strat.latest_capture(self.state)
        if capture <= latest_complete_capture(self.state):
            return
        for part in snapshot_parts(self.state, capture, count):
            self.execute(ops.TransmitSnapshotPart(strat.TRANSMITTER, part.capture_ts, part.index, part.count, part.entries))

    def keeper_times(self) -> list[int]:
        s, bound = self.state, self.state.config.restaking.bridge_delay_max
        times = [a.assignment.deadline + 1 for a in _restaked_tasks(s)]
        bridge = s.restaking.bridge
        times += [m.sent_at + bound for m in list(bridge.in_flight.values()) + list(bridge.dropped.values())]
        times += [r.veto_deadline for r in s.restaking.vault_chain.requests.values() if r.status == SlashStatus.PENDING]
        return [t for t in times if t > s.time]

    def keeper(self) -> None:
        """Honest parties at the current time: slash overdue restaked tasks, deliver messages at
        the bridge's bound (retransmitting dropped ones), execute slashes past their veto deadline."""
        s, bound = self.state, self.state.config.restaking.bridge_delay_max
        for ask in _restaked_tasks(s):
            if s.time > ask.assignment.deadline:
                self.execute(ops.SlashMissedDeadline("keeper", ask.id))
        for message in sorted(self.state.restaking.bridge.dropped.values(), key=lambda m: m.id):
            if message.sent_at + bound <= self.state.time:
                self.execute(ops.RetransmitMessage(message.id))
        for message in sorted(self.state.restaking.bridge.in_flight.values(), key=lambda m: m.id):
            if message.sent_at + bound <= self.state.time and message.id not in self.kept:
                self.kept.add(message.id)
                self.execute(ops.DeliverMessage(message.id))
        for request in sorted(self.state.restaking.vault_chain.requests.values(), key=lambda r: r.id):
            if request.status == SlashStatus.PENDING and request.veto_deadline <= self.state.time:
                self.execute(ops.ExecuteSlash("keeper", request.id))

    def advance(self, seconds: int) -> None:
        """Advance up to `seconds`, stopping at each keeper time, and early once a vault slash is
        in its veto window (so the resolver can act)."""
        target = self.state.time + seconds
        while self.state.time < target:
            stop = min([t for t in self.keeper_times() if t <= target], default=target)
            self.execute(ops.AdvanceTime(stop - self.state.time))
            self.keeper()
            if any(r.status == SlashStatus.PENDING and r.veto_deadline > self.state.time for r in self.state.restaking.vault_chain.requests.values()):
                return

    def _draw(self, name, data):
        return data.draw(strat.OPERATION_STRATEGIES[name](self.state), label=name)

    def create_ask(self, data) -> None:
        """A requester asks; usually the engine matches it at once to a prover at its quote."""
        proof_time = data.draw(strat.pick((st.integers(20, 300),) * 3 + (st.integers(300, 1_100),)).flatmap(lambda s: s), label="proof_time")
        expiry = self.state.time + data.draw(st.integers(1, 200), label="expiry")
        matched = data.draw(st.one_of(st.none(), strat.pick(strat.PROVERS), strat.pick(strat.PROVERS)), label="matched")
        ask_id = self.state.next_ask_id
        if self.execute(ops.CreateAsk(data.draw(strat.pick(strat.REQUESTERS)), 0, 200, expiry, proof_time, 0, b"\x01")) and matched:
            quote = self.state.memberships[(0, matched)].quote if (0, matched) in self.state.memberships else None
            price = quote.price if quote is not None else 10
            signature = sign(strat.ENGINE_SECRETS[0], assignment_message(0, ask_id, matched, price))
            self.execute(ops.AssignTask("engine", ask_id, matched, price, signature))

    @rule(seconds=st.one_of(st.integers(1, 60), st.integers(100, 400), st.integers(400, 1_500)))
    def advance_time(self, seconds):
        self.advance(seconds)

    @precondition(lambda self: bool(_restaked_tasks(self.state)))
    @rule()
    def wait_for_a_deadline(self):
        """Let time run to just past the nearest deadline of a task restaked stake backs."""
        self.advance(min(a.assignment.deadline for a in _restaked_tasks(self.state)) + 1 - self.state.time)

    @rule(data=st.data())
    def market(self, data):
        """Requesters, provers and the engine on the market chain."""
        name = data.draw(strat.pick(("create_ask",) * 4 + MARKET_OPS), label="market")
        if name == "create_ask":
            self.create_ask(data)
        else:
            self.execute(self._draw(name, data))

    @rule(data=st.data())
    def vault_chain(self, data):
        """Stakers on the vault chain."""
        self.execute(self._draw(data.draw(strat.pick(VAULT_OPS), label="vault_chain"), data))

    @rule(data=st.data(), count=st.integers(1, 3))
    def transmitter(self, data, count):
        """The transmitter sends the latest snapshot (usually honestly, in 1-3 parts); a relayer
        resends slash requests."""
        name = data.draw(strat.pick(("honest",) * 3 + ("transmit_snapshot_part", "resend_slash_request")), label="transmitter")
        if name == "honest":
            self.transmit(count)
        else:
            self.execute(self._draw(name, data))

    @rule(
        act=st.integers(0, 99),
        epoch_duration=strat.pick((PARAMS.epoch_duration, 800, 1_200, 1_400)),
        veto_duration=strat.pick((PARAMS.veto_duration, 50, 100, 300)),
        bridge_delay_max=strat.pick((PARAMS.bridge_delay_max, 100, 250)),
        offset=strat.pick((PARAMS.offset, 20)),
    )
    def governor(self, act, epoch_duration, veto_duration, bridge_delay_max, offset):
        """Now and then (`governor_percent` of the draws) the governor changes the restaking
        parameters, often over a confirmed snapshot and tasks in flight: a longer or shorter
        accepted epoch, veto window or bridge bound."""
        if act >= self.governor_percent:
            return
        over_snapshot = confirmed_snapshot(self.state) is not None
        op = ops.SetRestakingParameters(self.state.config.restaking.governor, PARAMS.epoch_length, offset, epoch_duration, veto_duration, bridge_delay_max)
        if self.execute(op) and over_snapshot:
            COVERAGE["parameter change over a confirmed snapshot"] += 1

    @precondition(lambda self: any(r.status == SlashStatus.PENDING for r in self.state.restaking.vault_chain.requests.values()))
    @rule(data=st.data())
    def resolver(self, data):
        """The resolver of a vault with a pending slash vetoes it, or anyone tries to execute it."""
        self.execute(self._draw(data.draw(strat.pick(("veto_slash", "veto_slash", "execute_slash")), label="resolver"), data))

    @precondition(lambda self: bool(self.state.restaking.bridge.in_flight or self.state.restaking.bridge.dropped))
    @rule(data=st.data())
    def bridge(self, data):
        """The bridge adversary: deliver, or one of the faults."""
        self.execute(self._draw(data.draw(strat.pick(("deliver_message",) * 3 + FAULTS), label="bridge"), data))

    @precondition(lambda self: bool(self.state.restaking.bridge.in_flight or self.state.restaking.bridge.dropped))
    @rule(data=st.data())
    def bridge_fault(self, data):
        """The bridge adversary strikes."""
        self.execute(self._draw(data.draw(strat.pick(FAULTS), label="fault"), data))

    @invariant()
    def every_invariant(self):
        if self.env.unsafe_skip_key_safety_rule:
            _check(inv.escaped_slashes(self.state))
            return
        _check(inv.state_violations(self.state))


class _EscapeMachine(CrossChainMachine):
    """The same traces with the key safety rule switched off (UNSAFE test hook); it checks only
    that no prover escaped a slash, which Hypothesis refutes. Private: it is meant to fail, so
    machine discovery (the audit) leaves it out."""

    env = attrs.evolve(spec.DEFAULT_ENV, unsafe_skip_key_safety_rule=True)
    last = None
    expects_counterexample = "the key safety rule switched off: a prover must escape a slash"


def find_escape(settings) -> list:
    """Run `_EscapeMachine` until a prover escapes; returns the shrunk trace of accepted operations
    (None if no escape was found within `settings`)."""
    try:
        run_state_machine_as_test(_EscapeMachine, settings=settings)
    except AssertionError:
        return list(_EscapeMachine.last.trace)
    return None


def trace_document(trace: list, description: str) -> dict:
    """A readable, replayable trace: the genesis config and the operations in canonical JSON."""
    return {
        "description": description,
        "config": encode(spec.Config(restaking=PARAMS)),
        "operations": [encode_op(op) for op in trace],
    }


def replay(document: dict, env) -> tuple:
    """Replay a trace document under `env`: (final state, [(index, op, error code) of rejections])."""
    state = spec.genesis(decode_config(document["config"]))
    rejected = []
    for i, data in enumerate(document["operations"]):
        op = decode_op(data)
        try:
            state, _ = spec.apply(state, op, env)
        except SpecError as error:
            rejected.append((i, op, error.code))
    return state, rejected


if __name__ == "__main__":
    import sys

    from hypothesis import HealthCheck, settings

    from spec.codec import dumps

    found = find_escape(settings(max_examples=300, stateful_step_count=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)))
    if found is None:
        sys.exit("no escape found")
    description = "Found by properties.crosschain.find_escape with the key safety rule off: a prover escapes a restaked slash."
    with open(sys.argv[1], "w") as out:
        out.write(dumps(trace_document(found, description)))
