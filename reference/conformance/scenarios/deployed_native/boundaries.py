"""deployed_native scenarios at the boundaries of the createAsk and GeneratorRegistry checks: each
sits on the exact value where a rule flips (the last accepted or the first refused), so that an
off-by-one or a dropped operand in the fork changes the case."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_native.registry import scenario
from reference.conformance.scenarios.deployed_native.world import (
    ADMIN, BOB, CAROL, DAVE, INPUTS, MALLORY, PRICE, REWARD, TREASURY, World,
)
from spec.deployed_native import operations as ops

# ---- createAsk -----------------------------------------------------------------------------


@scenario("create_ask")
def create_ask_fee_counts_every_byte():
    """The platform fee is cost-per-byte times prover data + private inputs + ACL bytes:
    3 * (13 + 5 + 7) = 75, the treasury's claimable at once; the requester pays reward + 75."""
    w = World().ready()
    w.do(ops.UpdateCostPerBytes(ADMIN, 0, 3))
    w.fund(CAROL, usdc=REWARD + 75)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS, 0, b"\x02" * 5, b"\x03" * 7))
    assert len(INPUTS) == 13 and w.state.claimable[TREASURY] == 75
    assert w.state.balances.get((CAROL, "USDC"), 0) == 0
    return w


@scenario("create_ask", "CannotBeZero")
def create_ask_zero_reward():
    """A zero reward is refused even with prover data."""
    w = World().ready()
    w.do(ops.CreateAsk(CAROL, 0, 0, w.state.now + 50, 10, CAROL, INPUTS), "CannotBeZero")
    return w


@scenario("create_ask", "CannotBeZero")
def create_ask_empty_prover_data():
    """Empty prover data is refused even with a reward."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, b""), "CannotBeZero")
    return w


@scenario("create_ask")
def create_ask_smallest():
    """A reward of 1 and one byte of prover data are enough."""
    w = World().ready().fund(CAROL, usdc=1)
    w.do(ops.CreateAsk(CAROL, 0, 1, w.state.now + 50, 10, CAROL, b"\x07"))
    assert w.state.asks[0].reward == 1
    return w


@scenario("create_ask", "CannotAssignExpiredTasks")
def create_ask_expiry_at_min_proving_time():
    """With a minimum proving time of 5 blocks, expiry = now + 5 is refused (it must be after)."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.UpdateMinProvingTime(ADMIN, 0, 5))
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 5, 10, CAROL, INPUTS), "CannotAssignExpiredTasks")
    return w


@scenario("create_ask")
def create_ask_expiry_after_min_proving_time():
    """With a minimum proving time of 5 blocks, expiry = now + 6 is the first accepted."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.UpdateMinProvingTime(ADMIN, 0, 5))
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 6, 10, CAROL, INPUTS))
    return w


@scenario("create_ask")
def create_ask_acl_130_bytes():
    """An ACL of exactly 130 bytes is accepted (131 is refused)."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS, 0, b"", b"\x01" * 130))
    return w


@scenario("create_ask")
def create_ask_at_activation_block():
    """A market takes asks from its activation block itself."""
    w = World().engine()
    w.market(activate=False)
    w.fund(CAROL, usdc=REWARD)
    gap = w.state.markets[0].activation_block - w.state.now
    assert gap > 0
    w.do(ops.AdvanceBlocks(gap))
    assert w.state.now == w.state.markets[0].activation_block
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS))
    return w


# ---- GeneratorRegistry ---------------------------------------------------------------------


@scenario("register_prover", "CannotBeZero")
def register_prover_empty_data():
    """Generator data must not be empty."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, 0, b""), "CannotBeZero")
    return w


@scenario("register_prover")
def register_prover_smallest():
    """A declared compute of 1 and an initial stake of 1 are enough; the 1 is pulled."""
    w = World().fund(BOB, pond=1)
    w.do(ops.RegisterProver(BOB, BOB, 1, 1, b"d"))
    assert w.state.provers[BOB].total_stake == 1 and w.state.balances[("@registry", "POND")] == 1
    return w


@scenario("change_reward_address", "CannotBeZero")
def change_reward_address_unregistered():
    """Only a registered prover changes its reward address."""
    w = World()
    w.do(ops.ChangeRewardAddress(MALLORY, DAVE), "CannotBeZero")
    return w


@scenario("decrease_declared_compute")
def decrease_declared_compute_to_zero():
    """Rounding can take everything: asking to drop 2 of 3 keeps floor(floor(1e18 / 3) * 3 /
    1e18) = 0, which still covers 0 consumed and 0 allocated, so the prover is left with none."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.RequestComputeDecrease(BOB, 2))
    w.do(ops.DecreaseDeclaredCompute(BOB))
    assert w.state.provers[BOB].declared_compute == 0
    return w


@scenario("deposit_stake")
def deposit_stake_one():
    """A stake of 1 is a stake (only 0 is refused)."""
    w = World().fund(DAVE, pond=1)
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.DepositStake(DAVE, BOB, 1))
    assert w.state.provers[BOB].total_stake == 1
    return w


@scenario("withdraw_stake")
def withdraw_stake_down_to_locked():
    """What stays may equal the locked stake: with 1000 staked and the task's 300 locked,
    withdrawing 700 leaves floor(floor(300 * 1e18 / 1000) * 1000 / 1e18) = 300 = locked."""
    w = World()
    w.task()
    assert w.state.provers[BOB].total_stake == 1_000 and w.state.provers[BOB].stake_locked == 300
    w.do(ops.RequestStakeWithdrawal(BOB, 700))
    w.do(ops.WithdrawStake(BOB, BOB))
    assert w.state.provers[BOB].total_stake == 300 and w.state.balances[(BOB, "POND")] == 700
    return w


@scenario("deregister_prover")
def deregister_prover_never_registered():
    """An unregistered sender deregisters nothing, successfully: the registry's stake (BOB's)
    stays where it is."""
    w = World().fund(BOB, pond=500)
    w.do(ops.RegisterProver(BOB, BOB, 3, 500, b"d"))
    w.do(ops.DeregisterProver(MALLORY, MALLORY))
    assert w.state.balances[("@registry", "POND")] == 500 and (MALLORY, "POND") not in w.state.balances
    return w


# ---- assignment: a prover's last idle compute and last free stake -------------------------


@scenario("relay_batch_assign_tasks", "AssignOnlyToIdleGenerators")
def relay_batch_assign_tasks_no_compute_left():
    """A prover whose whole declared compute (2) is consumed by one task reads
    NO_COMPUTE_AVAILABLE: a second task is refused as not idle (before any compute check)."""
    w = World().engine()
    w.market()
    w.prover(compute=2, per_request=2)
    w.assign([w.ask()], [BOB])
    w.assign([w.ask()], [BOB], expect="AssignOnlyToIdleGenerators")
    return w


@scenario("relay_batch_assign_tasks", "InsufficientStakeToLock")
def relay_batch_assign_tasks_stake_all_locked():
    """With a stake of 1 and a penalty of 1, the first task locks the whole stake: nothing is
    free for a second (free stake = stake - locked = 0 < 1)."""
    w = World().engine()
    w.market(penalty=1)
    w.prover(stake=1)
    w.assign([w.ask()], [BOB])
    assert w.state.provers[BOB].stake_locked == 1
    w.assign([w.ask()], [BOB], expect="InsufficientStakeToLock")
    return w


@scenario("join_market")
def join_market_smallest():
    """A proposed time of 1 block and a compute per request of 1 are enough; the allocations
    may reach the declared compute exactly (1 of 1)."""
    w = World()
    w.market()
    w.prover(compute=1, per_request=1, proposed_time=1)
    assert w.state.provers[BOB].sum_of_compute_allocations == 1 == w.state.provers[BOB].declared_compute
    return w


@scenario("relay_batch_assign_tasks")
def relay_batch_assign_tasks_exact_price_and_time():
    """A reward equal to the quoted price and a proof time equal to the proposed time (5) are
    enough."""
    w = World().ready()
    w.assign([w.ask(reward=PRICE, proof_time=5)], [BOB])
    assert w.state.asks[0].prover == BOB
    return w


@scenario("relay_batch_assign_tasks", "AssignOnlyToIdleGenerators")
def relay_batch_assign_tasks_not_member_zero_proof_time():
    """A non-member quotes nothing (price 0, proposed time 0): even an ask with a proof time of
    0 passes the price and time checks and is refused as not idle."""
    w = World().ready()
    w.assign([w.ask(proof_time=0)], [DAVE], expect="AssignOnlyToIdleGenerators")
    return w


# ---- flush ---------------------------------------------------------------------------------


@scenario("flush")
def flush_nothing_claimable():
    """Flushing an account with nothing claimable moves nothing, though the marketplace holds a
    reward in escrow."""
    w = World().ready()
    w.ask()
    w.do(ops.Flush(MALLORY, MALLORY))
    assert w.state.balances[("@marketplace", "USDC")] == REWARD and (MALLORY, "USDC") not in w.state.balances
    return w


@scenario("flush")
def flush_one():
    """A claimable amount of 1 (the refund of a cancelled ask of reward 1) is paid out."""
    w = World().ready().fund(CAROL, usdc=1)
    w.do(ops.CreateAsk(CAROL, 0, 1, w.state.now + 2, 10, CAROL, b"\x07"))
    w.do(ops.AdvanceBlocks(3))
    w.do(ops.CancelAsk(DAVE, 0))
    assert w.state.claimable[CAROL] == 1
    w.do(ops.Flush(DAVE, CAROL))
    assert w.state.balances[(CAROL, "USDC")] == 1 and CAROL not in w.state.claimable
    return w


@scenario("create_ask", "ERC20InsufficientBalance")
def create_ask_reward_one_unfunded():
    """A requester that never held the payment token cannot pay even a reward of 1."""
    w = World().ready()
    w.do(ops.CreateAsk(CAROL, 0, 1, w.state.now + 50, 10, CAROL, INPUTS), "ERC20InsufficientBalance")
    return w


@scenario("relay_batch_assign_tasks", "MaxParallelRequestsPerMarketExceeded")
def relay_batch_assign_tasks_parallel_limit():
    """GeneratorRegistry.sol:709 assignGeneratorTask checks `activeRequests >
    PARALLEL_REQUESTS_UPPER_LIMIT` (100) BEFORE the count moves on: a batch of 101 tasks passes
    (finding D1), the 102nd task in the same market is refused."""
    w = World().engine()
    w.market()
    w.prover(stake=40_000, compute=500, per_request=1)
    ask_ids = [w.ask(expiry_in=400) for _ in range(102)]
    w.assign(ask_ids[:101], [BOB] * 101)
    assert w.state.memberships[(0, BOB)].active_requests == 101
    w.assign(ask_ids[101:], [BOB], expect="MaxParallelRequestsPerMarketExceeded")
    return w
