"""The escape search on the deployed_restaking fork: the negative control of the design's key
safety rule (properties.crosschain.find_escape), run against the deployed rules, which have no
such rule. After the world's road (a market, a prover with native stake), Hypothesis
draws lists of abstract actions (a capture, i.e. a vault snapshot of the prover's restaked stake and a slash result naming every
task past its deadline; waits; a bid assigned to the prover; a proof; and the keeper's road for
a missed deadline: wait until the deadline has passed, then the transmitter's latency within its
cooldown, then the next capture reports it; and boundary tasks: a bid whose deadline is drawn
relative to the remaining epoch budget of the latest capture, `slack` seconds before capture +
VAULT_EPOCH, so the search reaches the window a bound on `deadline - capture` alone leaves open), each
expanded into the fork's operations; `find` shrinks a list whose trace escapes, then operations
are dropped while it still escapes (1-minimal).

A prover ESCAPES when a task backed by restaked stake misses its deadline and the slash result
naming it lands on L2 after the stake it was locked against stopped being slashable on L1:
stake captured at `c` is slashable only while `now <= c + VAULT_EPOCH` (Symbiotic's Vault
slashableStake / VetoSlasher.requestSlash refuse a capture older than the epoch), so whatever
L2 reports, the vault keeps the prover's stake. The lock does not record its capture on chain
(SymbioticStaking.sol:289); the search records the latest confirmed capture at the assignment,
which is what the lock was taken against (:403).

The search assumes what I8 rests on in the design: the keeper reports at the first capture after
the deadline (the `miss` action), the transmitter is honest. Under `rules=apply_with("I8")` (the
key safety rule switched on, as the fork's fix) the same search finds no escape."""
from __future__ import annotations

from typing import Callable, Optional

import attrs
from hypothesis import HealthCheck, Phase, find, settings, strategies as st
from hypothesis.errors import NoSuchExample

from properties.deployed_restaking import KEY_SAFETY_BOUND
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.bids import BidState, bid_state
from spec.deployed_restaking.containers import Config, State, genesis
from spec.deployed_restaking.pools import latest_timestamp
from spec.deployed_restaking.transition import apply
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, stand_in_proof
from spec.errors import SpecError
from spec.operations import Mint

VAULT_EPOCH = KEY_SAFETY_BOUND
"""The vault's epoch on L1 (seven days, as the fork's I8 bound): stake captured at c is slashable
until c + VAULT_EPOCH."""
CREATOR, PROVER, REQUESTER, TRANSMITTER, ENGINE, VAULT = "alice", "bob", "carol", "transmitter", "engine-key", "vault-1"
INPUTS = b"public inputs"
NATIVE_STAKE = 1_000
COOLDOWN = Config().submission_cooldown
"""The world's `submissionCooldown` (600 s): the keeper's latency bound (a capture may wait this long
for the next)."""
MAX_PROOF_TIME = 86_400


@attrs.define
class Run:
    """Operations applied from genesis under `rules`, keeping the accepted ones, with what the
    chain does not record: the capture each restaked lock was taken against, and when a slash
    result named each bid."""

    rules: Callable = apply
    state: State = attrs.field(factory=genesis)
    kept: list = attrs.field(factory=list)
    backing: dict = attrs.field(factory=dict)  # bid -> capture its restaked lock was taken against
    reported: dict = attrs.field(factory=dict)  # bid -> time the slash result naming it landed
    stake: int = 5_000

    def apply(self, op) -> bool:
        try:
            post, _ = self.rules(self.state, op, DEFAULT_ENV)
        except SpecError:
            return False
        if isinstance(op, ops.AssignTask) and op.bid_id in post.symbiotic.locks:
            self.backing[op.bid_id] = latest_timestamp(self.state)
        if isinstance(op, ops.SubmitSlashResult):
            for bid_id in op.bid_ids:
                if bid_state(self.state, bid_id) == BidState.DEADLINE_CROSSED:
                    self.reported.setdefault(bid_id, self.state.now)
        self.kept.append(op)
        self.state = post
        return True

    def capture(self) -> None:
        """A capture now (or once the cooldown allows): the prover's restaked stake, and a slash
        result naming every bid past its deadline that no capture reported yet."""
        s = self.state
        ready = latest_timestamp(s) + s.config.submission_cooldown if s.symbiotic.confirmed else 0
        if ready > s.now:
            self.apply(ops.AdvanceTime(ready - s.now))
        ts = self.state.now
        crossed = [b for b in sorted(self.state.bids) if b not in self.reported
                   and bid_state(self.state, b) == BidState.DEADLINE_CROSSED]
        self.apply(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts, [PROVER], [VAULT], ["POND"], [self.stake]))
        last_block = (len(self.state.symbiotic.confirmed) + 1) * 1_000
        self.apply(ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, last_block, crossed, [PROVER] * len(crossed),
                                         [REQUESTER] * len(crossed)))

    def act(self, action: tuple) -> None:
        kind, *a = action
        s = self.state
        if kind == "ready":
            if s.provers:
                return
            for op in (Mint(CREATOR, "USDC", s.config.market_creation_cost),
                       ops.CreateMarket(CREATOR, b"market", STAND_IN_VERIFIER_ID, "public", "ivs-image"),
                       ops.RegisterProver(PROVER, PROVER, 10, b"prover"), ops.JoinMarket(PROVER, 1, 2, 40, 60),
                       Mint(PROVER, "POND", NATIVE_STAKE), ops.Stake(PROVER, "POND", PROVER, NATIVE_STAKE)):
                self.apply(op)
        elif kind == "capture":
            self.stake = a[0]
            self.capture()
        elif kind == "wait":
            self.apply(ops.AdvanceTime(a[0]))
        elif kind == "task":
            bid_id = len(s.bids)
            self.apply(Mint(REQUESTER, "USDC", 100))
            self.apply(ops.CreateBid(REQUESTER, 1, 100, self.state.now + 600, a[0], REQUESTER, INPUTS))
            self.apply(ops.AssignTask(ENGINE, bid_id, PROVER))
        elif kind == "prove" and self._open():
            self.apply(ops.SubmitProof(PROVER, self._open()[-1], stand_in_proof(INPUTS)))
        elif kind == "edge" and s.symbiotic.confirmed:
            self.edge_task(*a)
        elif kind == "miss" and self._open():
            deadline = s.bids[self._open()[-1]].deadline
            if deadline >= s.now:
                self.apply(ops.AdvanceTime(deadline - s.now + 1))
            if a and a[0]:
                self.apply(ops.AdvanceTime(a[0]))
            self.capture()

    def edge_task(self, slack: int, proof_time: int) -> None:
        """A bid assigned to the prover whose deadline is `slack` seconds before latest capture +
        VAULT_EPOCH: wait until the assignment lands `proof_time` before that deadline (or, if
        that moment has passed, shorten the proof time to reach it). The mint and the bid are two
        transactions, so the assignment runs at now + 2."""
        target = latest_timestamp(self.state) + VAULT_EPOCH - slack
        start = target - proof_time - 2
        if start > self.state.now:
            self.apply(ops.AdvanceTime(start - self.state.now))
        proof_time = target - (self.state.now + 2)
        if not 1 <= proof_time <= MAX_PROOF_TIME:
            return
        bid_id = len(self.state.bids)
        self.apply(Mint(REQUESTER, "USDC", 100))
        self.apply(ops.CreateBid(REQUESTER, 1, 100, self.state.now + 600, proof_time, REQUESTER, INPUTS))
        self.apply(ops.AssignTask(ENGINE, bid_id, PROVER))

    def _open(self) -> list:
        return [b for b in sorted(self.state.bids) if bid_state(self.state, b) in (BidState.ASSIGNED, BidState.DEADLINE_CROSSED)
                and b not in self.reported]

    def escapes(self) -> list[str]:
        """Each bid whose prover escaped: backed by restaked stake captured at c, deadline missed,
        reported promptly (the slash result naming it landed within one submissionCooldown of
        deadline + 1: the keeper assumption) and yet after c + VAULT_EPOCH."""
        out = []
        for bid_id, landed in sorted(self.reported.items()):
            capture, deadline = self.backing.get(bid_id), self.state.bids[bid_id].deadline
            if capture is None or landed <= capture + VAULT_EPOCH:
                continue
            if landed > deadline + 1 + self.state.config.submission_cooldown:
                continue  # reported late: outside the keeper assumption, not an escape of the rule
            out.append(f"bid {bid_id}: {PROVER} missed its deadline {deadline}; the slash result naming it landed at {landed}, "
                       f"but its restaked stake was captured at {capture} and is slashable on L1 only until "
                       f"{capture + VAULT_EPOCH}: the prover keeps it")
        return out


SLACKS = st.one_of(st.sampled_from([0, 1, 2, COOLDOWN - 1, COOLDOWN, COOLDOWN + 1, COOLDOWN + 2]),
                   st.integers(-2, 2 * COOLDOWN))
"""Where a boundary task's deadline lies, in seconds before capture + VAULT_EPOCH: targeted draws
at the bounds of the keeper's window (a slash result lands 1 to COOLDOWN + 1 s after the
deadline), and any value around it."""
DELAYS = st.one_of(st.sampled_from([0, COOLDOWN - 2, COOLDOWN - 1]), st.integers(0, COOLDOWN))
"""The transmitter's latency after a missed deadline before it captures (the capture's slash
result lands 2 s after the deadline plus this; up to COOLDOWN - 1 it is within the keeper's bound)."""

ACTIONS = st.one_of(
    st.tuples(st.just("capture"), st.sampled_from([1_000, 5_000])),
    st.tuples(st.just("wait"), st.sampled_from([3_600, 86_400, 8 * 86_400])),
    st.tuples(st.just("task"), st.sampled_from([60, 3_600, 86_400])),
    st.tuples(st.just("edge"), SLACKS, st.sampled_from([60, 3_600, MAX_PROOF_TIME])),
    st.tuples(st.just("prove")),
    st.tuples(st.just("miss"), DELAYS),
)


def run_actions(actions, rules: Callable = apply, config: Config = Config()) -> Run:
    """The world's road first (a market; the prover registered, joined, with native stake), then
    the drawn actions."""
    run = Run(rules, genesis(config))
    for action in [("ready",)] + list(actions):
        run.act(action)
    return run


def run_ops(operations, rules: Callable = apply) -> Run:
    """Replay operations (the rejected ones change nothing) with the search's bookkeeping."""
    run = Run(rules)
    for op in operations:
        run.apply(op)
    return run


def minimize(operations: list, rules: Callable = apply) -> list:
    """Drop single operations (with whatever the drop makes rejected) while the rest escapes."""
    current, changed = list(operations), True
    while changed:
        changed = False
        for i in range(len(current) - 1, -1, -1):
            if i >= len(current):
                continue
            kept = run_ops(current[:i] + current[i + 1:], rules).kept
            if run_ops(kept, rules).escapes():
                current, changed = kept, True
    return current


def find_escape(rules: Callable = apply, seed: int = 0, max_examples: int = 2_000) -> Optional[list]:
    """A 1-minimal list of operations from genesis in which a prover escapes its restaked slash
    under `rules` (default: the deployed rules), or None if the search finds none."""
    try:
        actions = find(st.lists(ACTIONS, max_size=8), lambda a: bool(run_actions(a, rules).escapes()), settings=settings(
            database=None, derandomize=True, max_examples=max_examples, phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck), deadline=None), random=__import__("random").Random(seed))
    except NoSuchExample:
        return None
    return minimize(run_actions(actions, rules).kept, rules)
