"""deployed_native scenarios of decoding, the clock and faucet, the marketplace's administration,
the key registry and markets (images included)."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_native.registry import scenario
from reference.conformance.scenarios.deployed_native.world import (
    ADMIN, ALICE, CAROL, DAVE, ENGINE, IVS_IMAGE, MALLORY, ME_IMAGE, OTHER_IMAGE, OTHER_KEY, PROVER_IMAGE, TREASURY, World,
)
from spec.deployed_native import keys
from spec.deployed_native import operations as ops


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


@scenario("verify_matching_engine")
def verify_matching_engine_attestation_16h_old():
    """ATTESTATION_MAX_AGE is 60000 (Helper.sol:102, "60 seconds, 60,000 milliseconds") but is
    compared with seconds (AttestationAutherUpgradeable.sol:165): an attestation 59,999 s (16.7 h)
    old is accepted (finding A1 attestation_freshness)."""
    w = World()
    w.do(ops.SetMatchingEngineImage(ADMIN, ME_IMAGE))
    w.do(ops.VerifyMatchingEngine(ADMIN, ENGINE, ME_IMAGE, 59_999_000))
    assert w.state.keys.verified[ENGINE] == keys.image_id(ME_IMAGE)
    return w


@scenario("verify_matching_engine", "AttestationAutherAttestationTooOld")
def verify_matching_engine_attestation_too_old():
    """One millisecond more (59,999.001 s: its whole seconds are 60,000 before the block) is
    refused with AttestationAutherAttestationTooOld; nothing changes."""
    w = World()
    w.do(ops.SetMatchingEngineImage(ADMIN, ME_IMAGE))
    w.do(ops.VerifyMatchingEngine(ADMIN, ENGINE, ME_IMAGE, 59_999_001), "AttestationAutherAttestationTooOld")
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
