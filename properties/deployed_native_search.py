"""Counterexample search on the deployed_native fork: Hypothesis draws lists of abstract actions
(compound where the contracts need a fixed road, e.g. `ready` = engine + market + prover), each
expanded into the fork's operations against the current state; `find` shrinks a violating list,
then operations are dropped while the violation stays (1-minimal). The result is a list
of accepted operations from genesis: a trace the contracts can replay."""
from __future__ import annotations

import random
from typing import Optional

from hypothesis import HealthCheck, Phase, find, settings, strategies as st
from hypothesis.errors import NoSuchExample

from properties.deployed_native import violations
from spec.deployed_native import keys
from spec.deployed_native import operations as ops
from spec.deployed_native.containers import Config, State, genesis
from spec.deployed_native.transition import apply
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, stand_in_proof
from spec.errors import SpecError

ADMIN, CREATOR, REQUESTER, OUTSIDER = "admin", "alice", "carol", "mallory"
PROVERS = ("bob", "erin")
ENGINE_KEY, ENGINE_IMAGE, IVS_KEY, IVS_IMAGE = "engine-key", "me-image", "ivs-key", "ivs-image"
INPUTS = b"public inputs"


def _ask_ids(state: State, stored: str) -> list[int]:
    return sorted(i for i, a in state.asks.items() if a.stored_state.value == stored)


def expand(state: State, action: tuple) -> list:
    """The operations an abstract action stands for in `state` (they may still be rejected)."""
    kind, *a = action
    market = max(len(state.markets) - 1, 0)
    if kind == "ready":
        stake, compute = a
        return [ops.SetMatchingEngineImage(ADMIN, ENGINE_IMAGE), ops.VerifyMatchingEngine(ADMIN, ENGINE_KEY, ENGINE_IMAGE),
                ops.Mint(CREATOR, "USDC", state.config.market_creation_cost),
                ops.CreateMarket(CREATOR, b"market", STAND_IN_VERIFIER_ID, 300, "public", IVS_IMAGE), ops.AdvanceBlocks(100),
                ops.Mint(PROVERS[0], "POND", stake), ops.RegisterProver(PROVERS[0], PROVERS[0], compute, stake, b"p"),
                ops.JoinMarket(PROVERS[0], market if state.markets else 0, 1, 40, 5)]
    if kind == "engine_attested":  # the engine key attested a[0] ms before its block
        return [ops.SetMatchingEngineImage(ADMIN, ENGINE_IMAGE), ops.VerifyMatchingEngine(ADMIN, ENGINE_KEY, ENGINE_IMAGE, a[0])]
    if kind == "tasks":
        (count,) = a
        first = len(state.asks)
        ids = list(range(first, first + count))
        creates = [ops.Mint(REQUESTER, "USDC", 100 * count)] + [
            ops.CreateAsk(REQUESTER, market, 100, state.block + 1 + count + 50, 10, REQUESTER, INPUTS) for _ in ids]
        signature = keys.sign_hash(ENGINE_KEY, keys.assignment_hash(ids, [PROVERS[0]] * count, [b""] * count))
        return creates + [ops.RelayBatchAssignTasks(OUTSIDER, ids, [PROVERS[0]] * count, [b""] * count, signature)]
    if kind == "advance":
        return [ops.AdvanceBlocks(a[0])]
    if kind == "fee":
        return [ops.UpdateCostPerBytes(ADMIN, 0, a[0])]
    if kind == "register":
        prover, compute, stake = a
        return [ops.Mint(prover, "POND", stake), ops.RegisterProver(prover, prover, compute, stake, b"p")]
    if kind == "ask":
        return [ops.Mint(REQUESTER, "USDC", 1_000), ops.CreateAsk(REQUESTER, market, 100, state.block + 1 + a[0], 10, REQUESTER, INPUTS)]
    assigned = _ask_ids(state, "ASSIGNED")
    if kind == "prove" and assigned:
        return [ops.SubmitProof(OUTSIDER, assigned[0], stand_in_proof(INPUTS))]
    if kind == "slash" and assigned:  # waits out the deadline first
        wait = state.asks[assigned[0]].deadline - state.block
        return ([ops.AdvanceBlocks(wait)] if wait > 0 else []) + [ops.SlashMissedDeadline(OUTSIDER, assigned[0], OUTSIDER)]
    if kind == "discard" and assigned:
        return [ops.DiscardTask(state.asks[assigned[0]].prover, assigned[0])]
    if kind == "invalid" and assigned:
        ask_id = assigned[0]
        signature = keys.sign_hash(IVS_KEY, keys.invalid_inputs_hash(ask_id, state.asks[ask_id].prover_data))
        return [ops.AddIvsKey(OUTSIDER, state.asks[ask_id].market_id, IVS_KEY, IVS_IMAGE), ops.SubmitInvalidInputs(OUTSIDER, ask_id, signature)]
    created = _ask_ids(state, "CREATE")
    if kind == "cancel" and created:
        return [ops.CancelAsk(OUTSIDER, created[0])]
    if kind == "top_up":
        return [ops.Mint(OUTSIDER, "POND", a[1]), ops.DepositStake(OUTSIDER, a[0], a[1])]
    if kind == "request_unstake":
        return [ops.RequestStakeWithdrawal(a[0], a[1])]
    if kind == "unstake":
        return [ops.WithdrawStake(a[0], a[0])]
    if kind == "deregister":
        return [ops.LeaveMarket(a[0], market), ops.DeregisterProver(a[0], a[0])]
    if kind == "request_compute_decrease":
        return [ops.RequestComputeDecrease(a[0], a[1])]
    if kind == "decrease_compute":
        return [ops.DecreaseDeclaredCompute(a[0])]
    return expand_more(state, kind, a, market, assigned, created)


def expand_more(state: State, kind: str, a: list, market: int, assigned: list, created: list) -> list:
    """The actions of MORE_ACTIONS (not drawn by the findings search, so its seeds keep finding
    the committed traces): more callers, keys, markets and batch calls for differential traces."""
    if kind == "join":
        prover, per_request, price = a
        return [ops.JoinMarket(prover, market, per_request, price, 5)]
    if kind == "assign_to" and created:
        prover, key = a
        signature = keys.sign_hash(key, keys.assignment_hash([created[0]], [prover], [b""]))
        return [ops.RelayBatchAssignTasks(OUTSIDER, [created[0]], [prover], [b""], signature)]
    if kind == "engine_direct" and created:
        return [ops.AssignTask(a[0], created[0], PROVERS[0])]
    if kind == "exit":
        return [ops.RequestMarketExit(a[0], market)]
    if kind == "leave":
        return [ops.LeaveMarket(a[0], market)]
    if kind == "reward_address":
        return [ops.ChangeRewardAddress(a[0], a[1])]
    if kind == "flush":
        return [ops.Flush(OUTSIDER, a[0])]
    if kind == "pause":
        return [ops.Pause(a[0]) if a[1] else ops.Unpause(a[0])]
    if kind == "min_time":
        return [ops.UpdateMinProvingTime(ADMIN, 0, a[0])]
    if kind == "freeze":
        return [ops.FreezeMarket(a[0], market)]
    if kind == "extra_images":
        return [ops.AddExtraImages(CREATOR, market, [a[0]] if a[1] else [], [a[0]]), ops.AddIvsKey(OUTSIDER, market, "extra-key", a[0])]
    if kind == "cancel_any":
        return [ops.CancelAsk(a[0], a[1])]
    if kind == "bad_proof" and assigned:
        return [ops.SubmitProof(OUTSIDER, assigned[0], b"\x01" * 32)]
    if kind == "prove_all":
        return [ops.SubmitProofs(OUTSIDER, assigned, [stand_in_proof(INPUTS)] * len(assigned))]
    if kind == "discard_by" and assigned:
        return [ops.DiscardTask(a[0], assigned[0])]
    if kind == "compute_up":
        return [ops.IncreaseDeclaredCompute(a[0], a[1])]
    if kind == "private_market":
        return [ops.Mint(CREATOR, "USDC", state.config.market_creation_cost),
                ops.CreateMarket(CREATOR, b"private", STAND_IN_VERIFIER_ID, 50, "prover-image", IVS_IMAGE),
                ops.UpdateEncryptionKey(a[0], len(state.markets), f"{a[0]}-enclave-{len(state.asks)}", "prover-image")]
    return []


ACTION_TABLE = (
    ("ready", (1_000, 40_000), (10, 500)),
    ("tasks", (1, 2, 101)),
    ("advance", (1, 20, 100)),
    ("fee", range(1, 4)),
    ("register", PROVERS, range(1, 6), (0, 100, 500)),
    ("ask", (2, 50)),
    (("prove", "slash", "discard", "invalid", "cancel"),),
    ("request_unstake", PROVERS, (1, 50)),
    ("unstake", PROVERS),
    ("top_up", PROVERS, (10, 1_000)),
    ("deregister", PROVERS),
    ("request_compute_decrease", PROVERS, range(1, 4)),
    ("decrease_compute", PROVERS),
)
"""The abstract actions the findings search draws, one row each: the kind, then each argument's
values (a tuple: one of them; a range: an integer in it); a tuple in the kind's place is one of
those kinds. The one table of the Hypothesis searches (`strategy`) and of the seeded random traces
(`draw_action`: the differential campaign)."""


def _values(choices):
    if isinstance(choices, str):
        return st.just(choices)
    if isinstance(choices, range):
        return st.integers(choices.start, choices.stop - 1)
    return st.sampled_from(choices)


def strategy(table) -> st.SearchStrategy:
    """Hypothesis draws of the rows of an action table."""
    return st.one_of(*(st.tuples(*map(_values, row)) for row in table))


def draw_action(rng: random.Random, table) -> tuple:
    """One action of `table`: a row, then each of its values, from `rng`."""
    return tuple(c if isinstance(c, str) else rng.choice(c) for c in rng.choice(table))


ACTIONS = strategy(ACTION_TABLE)


ATTESTATION_ACTIONS = st.one_of(ACTIONS, st.tuples(st.just("engine_attested"), st.sampled_from([0, 3_600_000, 59_999_000])))
"""The findings' actions plus the matching engine verified under an attestation of a drawn age
(fresh, an hour, 59,999 s); a separate alphabet, so the other findings' seeded searches keep
their traces."""
ALPHABETS = {"": ACTIONS, "attestation": ATTESTATION_ACTIONS}


class _Run:
    """Operations applied from genesis, keeping the accepted ones (a rejected one changes nothing)."""

    def __init__(self, config: Config):
        self.state = genesis(config)
        self.steps: list = []
        self.kept: list = []

    def apply(self, op) -> None:
        try:
            post, events = apply(self.state, op, DEFAULT_ENV)
        except SpecError:
            return
        self.steps.append((self.state, op, post, events))
        self.kept.append(op)
        self.state = post

    def result(self):
        return self.steps, self.state, self.kept


MORE_ACTION_TABLE = (
    ("join", PROVERS, range(1, 4), (0, 40, 150)),
    ("assign_to", PROVERS + (OUTSIDER,), (ENGINE_KEY, IVS_KEY, "stranger")),
    ("engine_direct", (ENGINE_KEY, OUTSIDER)),
    (("exit", "leave"), PROVERS),
    ("compute_up", PROVERS, (2,)),
    ("reward_address", PROVERS, (OUTSIDER, "0x" + "00" * 20)),
    ("flush", PROVERS + (REQUESTER, "treasury")),
    ("pause", (ADMIN, OUTSIDER), (False, True)),
    ("min_time", (0, 30, 2**255)),
    ("freeze", (CREATOR, OUTSIDER)),
    ("extra_images", ("extra-image", IVS_IMAGE, "public"), (False, True)),
    ("cancel_any", (OUTSIDER, REQUESTER), range(0, 4)),
    (("bad_proof", "prove_all"),),
    ("discard_by", PROVERS + (OUTSIDER,)),
    ("private_market", PROVERS),
)
MORE_ACTIONS = strategy(MORE_ACTION_TABLE)
"""Further actions for differential traces on the bytecode (docs/forks.md)."""


def run_ops(operations, config: Config = Config()):
    """Apply operations from genesis; returns (accepted steps, final state, accepted operations)."""
    run = _Run(config)
    for op in operations:
        run.apply(op)
    return run.result()


def run_actions(actions, config: Config = Config()):
    """Expand each abstract action against the state it meets and apply its operations."""
    run = _Run(config)
    for action in actions:
        for op in expand(run.state, action):
            run.apply(op)
    return run.result()


def _shows(found: dict, invariant: str, match: str) -> bool:
    return any(match in v for v in found.get(invariant, ()))


def violates(invariant: str, operations, match: str = "") -> bool:
    steps, final, _ = run_ops(operations)
    return _shows(violations(steps, final), invariant, match)


def minimize(invariant: str, operations: list, match: str = "") -> list:
    """Drop single operations (with whatever the drop makes rejected) while the accepted rest
    still violates `invariant`."""
    current = list(operations)
    changed = True
    while changed:
        changed = False
        for i in range(len(current) - 1, -1, -1):
            if i >= len(current):
                continue
            _, _, kept = run_ops(current[:i] + current[i + 1:])  # what the drop leaves accepted
            if violates(invariant, kept, match):
                current, changed = kept, True
    return current


def find_counterexample(invariant: str, seed: int = 0, max_examples: int = 3_000, match: str = "",
                        alphabet: str = "") -> Optional[list]:
    """A 1-minimal list of operations from genesis violating `invariant` ("S1 slash_compensation")
    with a violation message containing `match`, drawn from `ALPHABETS[alphabet]`, or None if the
    search finds none."""
    def bad(actions) -> bool:
        steps, final, _ = run_actions(actions)
        return _shows(violations(steps, final), invariant, match)

    try:
        actions = find(st.lists(ALPHABETS[alphabet], max_size=8), bad, settings=settings(
            database=None, derandomize=True, max_examples=max_examples, phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck), deadline=None), random=random.Random(seed))
    except NoSuchExample:
        return None
    _, _, operations = run_actions(actions)
    return minimize(invariant, operations, match)
