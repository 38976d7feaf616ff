"""deployed_native scenarios of provers in the GeneratorRegistry: registration, stake, compute,
memberships, keys."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_native.registry import scenario
from reference.conformance.scenarios.deployed_native.world import (
    BOB, DAVE, IVS_IMAGE, IVS_KEY, MALLORY, OTHER_IMAGE, PRICE, PROVER_IMAGE, World,
)
from spec.deployed_native import operations as ops
from spec.deployed_native.containers import EXPONENT
from spec.deployed_native.keys import ZERO_ADDRESS


# ---- provers -------------------------------------------------------------------------------

@scenario("register_prover")
def register_prover_with_stake():
    """Registration pulls the initial stake; utilisations start at 1e18."""
    w = World().fund(BOB, pond=500)
    w.do(ops.RegisterProver(BOB, BOB, 10, 500, b"d"))
    assert w.state.provers[BOB].intended_stake_utilization == EXPONENT
    return w


@scenario("register_prover", "CannotBeZero")
def register_prover_zero_reward_address():
    """The reward address must not be the zero address."""
    w = World()
    w.do(ops.RegisterProver(BOB, ZERO_ADDRESS, 10, 0, b"d"), "CannotBeZero")
    return w


@scenario("register_prover", "GeneratorAlreadyExists")
def register_prover_twice():
    """A prover registers once (until it deregisters)."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, 0, b"d"))
    w.do(ops.RegisterProver(BOB, BOB, 10, 0, b"d"), "GeneratorAlreadyExists")
    return w


@scenario("change_reward_address")
def change_reward_address_ok():
    """The reward address changes at once."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, 0, b"d"))
    w.do(ops.ChangeRewardAddress(BOB, DAVE))
    return w


@scenario("increase_declared_compute")
def increase_declared_compute_ok():
    """Declared compute grows at once."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, 0, b"d"))
    w.do(ops.IncreaseDeclaredCompute(BOB, 5))
    return w


@scenario("request_compute_decrease", "ExceedsAcceptableRange")
def request_compute_decrease_below_allocations():
    """What stays must exceed the markets' allocations."""
    w = World()
    w.market()
    w.prover(compute=10, per_request=6)
    w.do(ops.RequestComputeDecrease(BOB, 4), "ExceedsAcceptableRange")
    return w


@scenario("decrease_declared_compute")
def decrease_declared_compute_rounding():
    """The reduction executes one block later as floor(utilisation * declared / 1e18): asking to
    drop 1 of 3 drops 2."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.RequestComputeDecrease(BOB, 1))
    w.do(ops.DecreaseDeclaredCompute(BOB))
    assert w.state.provers[BOB].declared_compute == 1
    return w


@scenario("decrease_declared_compute", "ReduceComputeRequestNotInPlace")
def decrease_declared_compute_without_request():
    """A decrease needs a request."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.DecreaseDeclaredCompute(BOB), "ReduceComputeRequestNotInPlace")
    return w


@scenario("deposit_stake")
def deposit_stake_by_anyone():
    """Anyone tops up any prover's stake."""
    w = World().fund(DAVE, pond=50)
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.DepositStake(DAVE, BOB, 50))
    assert w.state.provers[BOB].total_stake == 50
    return w


@scenario("deposit_stake", "InvalidGenerator")
def deposit_stake_unregistered():
    """Only registered provers take stake."""
    w = World().fund(DAVE, pond=50)
    w.do(ops.DepositStake(DAVE, BOB, 50), "InvalidGenerator")
    return w


@scenario("withdraw_stake")
def withdraw_stake_next_block():
    """An unstake request executes in the very next block."""
    w = World().fund(BOB, pond=500)
    w.do(ops.RegisterProver(BOB, BOB, 3, 500, b"d"))
    w.do(ops.RequestStakeWithdrawal(BOB, 200))
    w.do(ops.WithdrawStake(BOB, BOB))
    assert w.state.balances[(BOB, "POND")] == 200
    return w


@scenario("withdraw_stake", "UnstakeRequestNotInPlace")
def withdraw_stake_without_request():
    """Unstaking needs a request."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.WithdrawStake(BOB, BOB), "UnstakeRequestNotInPlace")
    return w


@scenario("withdraw_stake", "InsufficientStakeToLock")
def withdraw_stake_locked():
    """What stays must cover the stake locked by tasks."""
    w = World()
    w.task()
    w.do(ops.RequestStakeWithdrawal(BOB, 800))
    w.do(ops.WithdrawStake(BOB, BOB), "InsufficientStakeToLock")
    return w


@scenario("request_stake_withdrawal", "RequestAlreadyInPlace")
def request_stake_withdrawal_compute_pending():
    """The stake request's guard reads the COMPUTE utilisation: a pending compute reduction
    blocks a stake reduction."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.RequestComputeDecrease(BOB, 1))
    w.do(ops.RequestStakeWithdrawal(BOB, 1), "RequestAlreadyInPlace")
    return w


@scenario("request_stake_withdrawal")
def request_stake_withdrawal_overwrites():
    """A second stake request is accepted and replaces the first."""
    w = World().fund(BOB, pond=100)
    w.do(ops.RegisterProver(BOB, BOB, 3, 100, b"d"))
    w.do(ops.RequestStakeWithdrawal(BOB, 10))
    w.do(ops.RequestStakeWithdrawal(BOB, 90))
    assert w.state.provers[BOB].intended_stake_utilization == EXPONENT // 10
    return w


@scenario("deregister_prover")
def deregister_prover_returns_stake():
    """Deregistration sends the whole stake to the refund address at once."""
    w = World().fund(BOB, pond=500)
    w.do(ops.RegisterProver(BOB, BOB, 3, 500, b"d"))
    w.do(ops.DeregisterProver(BOB, DAVE))
    assert w.state.balances[(DAVE, "POND")] == 500
    return w


@scenario("deregister_prover", "CannotLeaveWithActiveMarket")
def deregister_prover_in_market():
    """A prover in a market cannot deregister."""
    w = World()
    w.market()
    w.prover()
    w.do(ops.DeregisterProver(BOB, BOB), "CannotLeaveWithActiveMarket")
    return w


# ---- memberships ---------------------------------------------------------------------------

@scenario("join_market")
def join_market_inactive_market():
    """Joining needs no active market."""
    w = World()
    w.market(activate=False)
    w.prover()
    return w


@scenario("join_market", "CannotBeMoreThanDeclaredCompute")
def join_market_over_declared():
    """The sum of per-market allocations stays within declared compute."""
    w = World()
    w.market()
    w.market()
    w.prover(market_id=0, compute=10, per_request=6)
    w.do(ops.JoinMarket(BOB, 1, 6, PRICE, 5), "CannotBeMoreThanDeclaredCompute")
    return w


@scenario("join_market", "AlreadyJoinedMarket")
def join_market_twice():
    """A prover joins a market once."""
    w = World()
    w.market()
    w.prover()
    w.do(ops.JoinMarket(BOB, 0, 2, PRICE, 5), "AlreadyJoinedMarket")
    return w


@scenario("request_market_exit")
def request_market_exit_idle():
    """With no active request, an exit request leaves at once."""
    w = World()
    w.market()
    w.prover()
    w.do(ops.RequestMarketExit(BOB, 0))
    assert (0, BOB) not in w.state.memberships
    return w


@scenario("request_market_exit")
def request_market_exit_busy():
    """With a task in flight the prover only stops taking tasks."""
    w = World()
    w.task()
    w.do(ops.RequestMarketExit(BOB, 0))
    return w


@scenario("leave_market", "CannotLeaveMarketWithActiveRequest")
def leave_market_busy():
    """No leaving with a task in flight."""
    w = World()
    w.task()
    w.do(ops.LeaveMarket(BOB, 0), "CannotLeaveMarketWithActiveRequest")
    return w


@scenario("leave_market")
def leave_market_ok():
    """Leaving gives the allocation back."""
    w = World()
    w.market()
    w.prover()
    w.do(ops.LeaveMarket(BOB, 0))
    return w


@scenario("add_ivs_key")
def add_ivs_key_ok():
    """Anyone holding a key of the market's IVS image registers it."""
    w = World()
    w.market()
    w.do(ops.AddIvsKey(DAVE, 0, IVS_KEY, IVS_IMAGE))
    return w


@scenario("add_ivs_key", "IncorrectImageId")
def add_ivs_key_wrong_image():
    """The key's image must be in the market's IVS family."""
    w = World()
    w.market()
    w.do(ops.AddIvsKey(DAVE, 0, IVS_KEY, OTHER_IMAGE), "IncorrectImageId")
    return w


@scenario("update_encryption_key")
def update_encryption_key_private_market():
    """A prover of a private market stores an enclave key of the market's prover image."""
    w = World()
    w.market(prover_image=PROVER_IMAGE)
    w.prover()
    w.do(ops.UpdateEncryptionKey(BOB, 0, "bob-enclave", PROVER_IMAGE))
    return w


@scenario("update_encryption_key", "PublicMarketsDontNeedKey")
def update_encryption_key_public_market():
    """Public markets take no prover keys."""
    w = World()
    w.market()
    w.prover()
    w.do(ops.UpdateEncryptionKey(BOB, 0, "bob-enclave", PROVER_IMAGE), "PublicMarketsDontNeedKey")
    return w


@scenario("update_encryption_key", "EnclaveKeyNotVerified")
def update_encryption_key_same_key_again():
    """A key is verified once: rotating to the same key reverts."""
    w = World()
    w.market(prover_image=PROVER_IMAGE)
    w.prover()
    w.do(ops.UpdateEncryptionKey(BOB, 0, "bob-enclave", PROVER_IMAGE))
    w.do(ops.UpdateEncryptionKey(BOB, 0, "bob-enclave", PROVER_IMAGE), "EnclaveKeyNotVerified")
    return w


@scenario("remove_encryption_key")
def remove_encryption_key_anyone():
    """Removing a key slot needs nothing: not even a registration."""
    w = World()
    w.do(ops.RemoveEncryptionKey(MALLORY, 3))
    return w


@scenario("deposit_stake")
def deposit_stake_hex_address_any_case():
    """A hex-address name is one account in any letter case, as on chain."""
    w = World().fund(DAVE, pond=5)
    upper = "0x" + "AB" * 20
    w.do(ops.RegisterProver(upper, upper, 3, 0, b"d"))
    w.do(ops.DepositStake(DAVE, upper.lower(), 5))
    assert w.state.provers[upper.lower()].total_stake == 5
    return w


@scenario("join_market", "EMPTY_REVERT")
def join_market_unknown_market():
    """The registry reads the marketplace's public getter, which reverts without data past the
    array (not the panic a read inside the marketplace gives)."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 3, 0, b"d"))
    w.do(ops.JoinMarket(BOB, 7, 1, PRICE, 5), "EMPTY_REVERT")
    return w
