"""Scenarios of the deployed_native fork: each function builds a world from genesis, ends with
the operation it is about, asserts the rule it shows and returns the world; its case is the
vector (`vectors/deployed_native/<module>/<operation>/<name>.json`). Register with
`@scenario(operation, expect)`."""
from __future__ import annotations

import inspect
from typing import Callable

import attrs

from reference.conformance.deployed_native.world import (
    ADMIN, ALICE, BOB, CAROL, DAVE, ENGINE, INPUTS, IVS_IMAGE, IVS_KEY, MALLORY, ME_IMAGE, OTHER_IMAGE, OTHER_KEY, PENALTY,
    PRICE, PROVER_IMAGE, REWARD, TREASURY, World, proof_of,
)
from spec.deployed_native import keys
from spec.deployed_native import operations as ops
from spec.deployed_native.containers import EXPONENT, AskState
from spec.deployed_native.keys import ZERO_ADDRESS
from spec.deployed_native.asks import ask_state


@attrs.frozen
class Scenario:
    operation: str
    name: str
    expect: str
    description: str
    build: Callable


SCENARIOS: list[Scenario] = []


def scenario(operation: str, expect: str = "ok"):
    def wrap(build):
        name = build.__name__.removeprefix(operation + "_").strip("_") or "ok"
        SCENARIOS.append(Scenario(operation, name, expect, inspect.getdoc(build) or name, build))
        return build

    return wrap


# ---- decoding and the environment ----------------------------------------------------------

@scenario("unknown", "UNKNOWN_OPERATION")
def unknown_operation():
    """An operation the fork does not have (the design's advance_time) is rejected."""
    w = World()
    w.do({"op": "advance_time", "args": {"seconds": "5"}}, "UNKNOWN_OPERATION")
    return w


@scenario("create_ask", "MALFORMED_OPERATION")
def create_ask_negative_reward():
    """uint256 fields take no negative numbers."""
    w = World()
    w.do({"op": "create_ask", "args": {"sender": CAROL, "market_id": "0", "reward": "-1", "expiry": "500", "proof_time": "1",
                                       "refund_address": CAROL, "prover_data": "0x01"}}, "MALFORMED_OPERATION")
    return w


@scenario("mint")
def mint_both_tokens():
    """The faucet: each mint is a transaction, one block."""
    w = World().fund(ALICE, usdc=5, pond=7)
    assert w.state.block == w.config.genesis_block + 2
    return w


@scenario("advance_blocks")
def advance_blocks_ok():
    """Mining empty blocks moves the head; nothing else."""
    w = World()
    w.do(ops.AdvanceBlocks(7))
    assert w.state.block == w.config.genesis_block + 7
    return w


@scenario("advance_blocks", "INVALID_TIME_STEP")
def advance_blocks_zero():
    """The clock only moves forward."""
    w = World()
    w.do(ops.AdvanceBlocks(0), "INVALID_TIME_STEP")
    return w


# ---- administration and the key registry ---------------------------------------------------

@scenario("set_matching_engine_image")
def set_matching_engine_image_ok():
    """UPDATER_ROLE whitelists the one matching-engine image of the marketplace."""
    w = World()
    w.do(ops.SetMatchingEngineImage(ADMIN, ME_IMAGE))
    return w


@scenario("set_matching_engine_image", "AccessControlUnauthorizedAccount")
def set_matching_engine_image_not_updater():
    """Only UPDATER_ROLE sets the engine image."""
    w = World()
    w.do(ops.SetMatchingEngineImage(MALLORY, ME_IMAGE), "AccessControlUnauthorizedAccount")
    return w


@scenario("set_matching_engine_image", "MustBeAnEnclave")
def set_matching_engine_image_public():
    """The engine image must be an enclave image."""
    w = World()
    w.do(ops.SetMatchingEngineImage(ADMIN, "public"), "MustBeAnEnclave")
    return w


@scenario("verify_matching_engine")
def verify_matching_engine_ok():
    """The engine key is stored as the marketplace's key 0 and verified for its image."""
    w = World().engine()
    assert w.state.keys.verified[ENGINE] == keys.image_id(ME_IMAGE)
    return w


@scenario("verify_matching_engine", "AttestationAutherImageNotWhitelisted")
def verify_matching_engine_image_not_whitelisted():
    """A key attested for an image nobody whitelisted is refused."""
    w = World()
    w.do(ops.VerifyMatchingEngine(ADMIN, ENGINE, ME_IMAGE), "AttestationAutherImageNotWhitelisted")
    return w


@scenario("verify_matching_engine", "EnclaveKeyNotVerified")
def verify_matching_engine_twice():
    """A key is verified once: verifying it again reverts."""
    w = World().engine()
    w.do(ops.VerifyMatchingEngine(ADMIN, ENGINE, ME_IMAGE), "EnclaveKeyNotVerified")
    return w


@scenario("update_cost_per_bytes")
def update_cost_per_bytes_ok():
    """UPDATER_ROLE sets a per-byte platform fee for a secret type."""
    w = World()
    w.do(ops.UpdateCostPerBytes(ADMIN, 1, 3))
    return w


@scenario("update_min_proving_time")
def update_min_proving_time_ok():
    """UPDATER_ROLE sets a minimum proving time (blocks) for a secret type."""
    w = World()
    w.do(ops.UpdateMinProvingTime(ADMIN, 0, 20))
    return w


@scenario("pause")
def pause_ok():
    """Pausing the marketplace stops ask creation."""
    w = World()
    w.do(ops.Pause(ADMIN))
    return w


@scenario("unpause", "ExpectedPause")
def unpause_not_paused():
    """Unpausing needs a paused marketplace."""
    w = World()
    w.do(ops.Unpause(ADMIN), "ExpectedPause")
    return w


@scenario("unpause")
def unpause_ok():
    """Pause then unpause."""
    w = World()
    w.do(ops.Pause(ADMIN))
    w.do(ops.Unpause(ADMIN))
    return w


# ---- markets -------------------------------------------------------------------------------

@scenario("create_market")
def create_market_public():
    """A public market: the creation cost goes to the treasury's balance; the IVS image is
    whitelisted in the market's IVS family; active 100 blocks later."""
    w = World()
    w.market(activate=False)
    assert w.state.balances[(TREASURY, "USDC")] == w.config.market_creation_cost
    assert w.state.markets[0].activation_block == w.state.block + 100
    return w


@scenario("create_market")
def create_market_private():
    """A private market: the prover image goes to the market's generator family too."""
    w = World()
    w.market(prover_image=PROVER_IMAGE, activate=False)
    return w


@scenario("create_market", "CannotBeZero")
def create_market_zero_penalty():
    """A market needs a penalty > 0."""
    w = World().fund(ALICE, usdc=1_000)
    w.do(ops.CreateMarket(ALICE, b"m", "stand-in/sha256", 0, "public", IVS_IMAGE), "CannotBeZero")
    return w


@scenario("create_market", "ERC20InsufficientBalance")
def create_market_cannot_pay():
    """The creation cost is pulled from the creator."""
    w = World()
    w.do(ops.CreateMarket(ALICE, b"m", "stand-in/sha256", 5, "public", IVS_IMAGE), "ERC20InsufficientBalance")
    return w


@scenario("create_market", "MustBeAnEnclave")
def create_market_public_ivs():
    """The IVS image must be an enclave."""
    w = World().fund(ALICE, usdc=1_000)
    w.do(ops.CreateMarket(ALICE, b"m", "stand-in/sha256", 5, "public", "public"), "MustBeAnEnclave")
    return w


@scenario("freeze_market")
def freeze_market_ok():
    """The creator freezes its market; the market has no creator any more."""
    w = World()
    w.market(activate=False)
    w.do(ops.FreezeMarket(ALICE, 0))
    assert w.state.markets[0].creator is None
    return w


@scenario("freeze_market", "OnlyMarketCreator")
def freeze_market_not_creator():
    """Only the creator freezes."""
    w = World()
    w.market(activate=False)
    w.do(ops.FreezeMarket(MALLORY, 0), "OnlyMarketCreator")
    return w


@scenario("freeze_market", "PANIC_0x32")
def freeze_market_unknown():
    """No market 0: the array index panics."""
    w = World()
    w.do(ops.FreezeMarket(ALICE, 0), "PANIC_0x32")
    return w


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


@scenario("add_extra_images")
def add_extra_images_ivs():
    """The creator adds an IVS image: keys of it may then claim invalid inputs in the market."""
    w = World()
    w.market()
    w.do(ops.AddExtraImages(ALICE, 0, [], [OTHER_IMAGE]))
    w.do(ops.AddIvsKey(DAVE, 0, OTHER_KEY, OTHER_IMAGE))
    return w


@scenario("add_extra_images", "CannotModifyImagesForPublicMarkets")
def add_extra_images_prover_in_public_market():
    """A public market has no prover images to extend."""
    w = World()
    w.market()
    w.do(ops.AddExtraImages(ALICE, 0, [OTHER_IMAGE], []), "CannotModifyImagesForPublicMarkets")
    return w


@scenario("add_extra_images", "ImageAlreadyInFamily")
def add_extra_images_twice():
    """An image joins a family once."""
    w = World()
    w.market()
    w.do(ops.AddExtraImages(ALICE, 0, [], [IVS_IMAGE]), "ImageAlreadyInFamily")
    return w


@scenario("add_extra_images", "OnlyMarketCreator")
def add_extra_images_after_freeze():
    """Once frozen, nobody changes the market's images."""
    w = World()
    w.market()
    w.do(ops.FreezeMarket(ALICE, 0))
    w.do(ops.AddExtraImages(ALICE, 0, [], [OTHER_IMAGE]), "OnlyMarketCreator")
    return w


@scenario("remove_extra_images")
def remove_extra_images_prover():
    """The creator removes an extra prover image of a private market."""
    w = World()
    w.market(prover_image=PROVER_IMAGE)
    w.do(ops.AddExtraImages(ALICE, 0, [OTHER_IMAGE], []))
    w.do(ops.RemoveExtraImages(ALICE, 0, [OTHER_IMAGE], []))
    return w


@scenario("remove_extra_images", "CannotRemoveDefaultImageFromMarket")
def remove_extra_images_default():
    """The market's own IVS image stays."""
    w = World()
    w.market()
    w.do(ops.RemoveExtraImages(ALICE, 0, [], [IVS_IMAGE]), "CannotRemoveDefaultImageFromMarket")
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
