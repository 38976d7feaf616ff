"""A Hypothesis state machine over the deployed_restaking fork, the cross-chain one included:
stake, captures (vault snapshot + slash result, the bridge as the harness plays it), bids,
assignments, proofs, refunds, deadlines passing, an admin's emergency withdrawal; every
invariant of properties.deployed_restaking checked after every accepted step. A violation in
VIOLATED (a committed, bytecode-replayed finding) is recorded; any other fails the run."""
from __future__ import annotations

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from properties.deployed_restaking import VIOLATED, violations
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import genesis
from spec.deployed_restaking.transition import apply
from spec.env import stand_in_proof
from spec.errors import SpecError
from spec.operations import Mint

PROVERS = ("bob", "dave")
DATA = b"public inputs"


class DeployedRestakingMachine(RuleBasedStateMachine):
    seen: dict = {}

    def __init__(self):
        super().__init__()
        self.state = genesis()
        for op in (Mint("alice", "USDC", 1_000), ops.CreateMarket("alice", b"m", "stand-in/sha256", "public", "ivs-image")):
            self.state, _ = apply(self.state, op)
        self.capture = 0

    def _do(self, op) -> None:
        pre = self.state
        try:
            post, _ = apply(pre, op)
        except SpecError as error:
            event(f"rejected {op.name} {error.code}")
            assert self.state is pre
            return
        self.state = post
        for key, found in violations(pre, op, post).items():
            if key not in VIOLATED:
                raise AssertionError(f"{key} violated after {op.name}: {found[:3]}")
            type(self).seen[key] = type(self).seen.get(key, 0) + 1
            event(f"finding {key}")

    @rule(prover=st.sampled_from(PROVERS), amount=st.integers(50, 1_000))
    def join_and_stake(self, prover, amount):
        self._do(ops.RegisterProver(prover, prover, 10, b"p"))
        self._do(ops.JoinMarket(prover, 1, 2, 40, 60))
        self._do(Mint(prover, "POND", amount))
        self._do(ops.Stake(prover, "POND", prover, amount))

    @rule(prover=st.sampled_from(PROVERS), amount=st.integers(300, 5_000), slash=st.booleans())
    def capture_round(self, prover, amount, slash):
        ts = max(self.state.now, self.capture + 600)
        if ts > self.state.now:
            self._do(ops.AdvanceTime(ts - self.state.now))
        ts = self.state.now
        self._do(ops.SubmitVaultSnapshot("transmitter", 0, 1, ts, [prover], ["vault"], ["POND"], [amount]))
        crossed = [i for i, b in self.state.bids.items() if b.stored_state.value == "ASSIGNED" and b.deadline < self.state.now] if slash else []
        last_block = (len(self.state.symbiotic.confirmed) + 1) * 1_000
        self._do(ops.SubmitSlashResult("transmitter", 0, 1, ts, last_block, crossed,
                                       [self.state.bids[i].prover for i in crossed], ["carol"] * len(crossed)))
        self.capture = ts

    @rule(prover=st.sampled_from(PROVERS), draw=st.integers(0, 2**256 - 1))
    def full_task(self, prover, draw):
        """The usual road in one rule: a member with stake, a fresh capture, a bid, its assignment."""
        if prover not in self.state.provers:
            self.join_and_stake(prover, 1_000)
        self.capture_round(prover, 5_000, True)
        self.bid(100)
        self._do(ops.AssignTask("engine-key", len(self.state.bids) - 1, prover, draw))

    @rule(reward=st.integers(1, 200))
    def bid(self, reward):
        self._do(Mint("carol", "USDC", reward))
        self._do(ops.CreateBid("carol", 1, reward, self.state.now + 3_000, 60, "carol", DATA))

    @rule(back=st.integers(0, 3), prover=st.sampled_from(PROVERS), draw=st.integers(0, 2**256 - 1))
    def assign(self, back, prover, draw):
        self._do(ops.AssignTask("engine-key", max(0, len(self.state.bids) - 1 - back), prover, draw))

    @rule(back=st.integers(0, 3), valid=st.booleans())
    def prove(self, back, valid):
        self._do(ops.SubmitProof("bob", max(0, len(self.state.bids) - 1 - back), stand_in_proof(DATA) if valid else b"\x00"))

    @rule(seconds=st.sampled_from((1, 30, 61, 600, 3_600, 8 * 86_400)))
    def wait(self, seconds):
        self._do(ops.AdvanceTime(seconds))

    @rule(back=st.integers(0, 3))
    def refund(self, back):
        self._do(ops.RefundFees("mallory", [max(0, len(self.state.bids) - 1 - back)]))

    @rule(prover=st.sampled_from(PROVERS), amount=st.integers(1, 300))
    def withdraw(self, prover, amount):
        self._do(ops.RequestStakeWithdrawal(prover, prover, "POND", amount))
        self._do(ops.AdvanceTime(3_600))
        self._do(ops.WithdrawStake(prover, prover, [0]))

    @rule(when=st.integers(0, 9))
    def emergency(self, when):
        if when:  # rare: most runs keep the pool whole and reach the slash paths
            return
        self._do(ops.EmergencyWithdraw("admin", "native_staking", "POND", "admin"))
