"""Markets and the marketplace's administration (ProofMarketplace), the claimable payout and
the clock."""
from __future__ import annotations

import attrs

from spec.deployed_native import operations as ops
from spec.deployed_native.containers import MARKET_ACTIVATION_DELAY, MARKETPLACE, Market, State
from spec.deployed_native.errors import need
from spec.deployed_native.keyregistry import remove_from_family, require_updater, whitelist_image
from spec.deployed_native.keys import generator_family, image_id, is_enclave, ivs_family
from spec.deployed_native.ledger import transfer
from spec.deployed_native.uint import add
from spec.env import Env
from spec.events import event

MAX_ADVANCE = 2**32


def get_market(state: State, market_id: int, field: str = "market_id") -> Market:
    """`marketData[marketId]`: an index past the array panics (0x32)."""
    need(market_id in state.markets, "PANIC_0x32", field, f"no market {market_id}")
    return state.markets[market_id]


def process_create_market(state: State, op: ops.CreateMarket, env: Env):
    """ProofMarketplace.sol:213 createMarketplace: anyone, with a penalty > 0, metadata and a
    verifier (an id the environment does not know is the zero address: CannotBeZero); pays
    MARKET_CREATION_COST straight to the treasury's token balance; an enclave prover image is
    whitelisted in the market's generator family, the IVS image (always an enclave) in its IVS
    family; the market activates MARKET_ACTIVATION_DELAY blocks later."""
    need(op.penalty != 0 and len(op.metadata) != 0 and op.verifier_id in env.verifiers, "CannotBeZero", "penalty",
         "penalty, metadata and verifier must be non-zero")
    state = transfer(state, op.sender, state.config.treasury, state.config.payment_token, state.config.market_creation_cost, "sender")
    market_id = len(state.markets)
    events = []
    if is_enclave(image_id(op.prover_image)):
        state, whitelisted = whitelist_image(state, generator_family(market_id), op.prover_image, "prover_image")
        events += whitelisted
    state, whitelisted = whitelist_image(state, ivs_family(market_id), op.ivs_image, "ivs_image")
    events += whitelisted
    market = Market(
        verifier_id=op.verifier_id,
        prover_image_id=image_id(op.prover_image),
        penalty=op.penalty,
        activation_block=add(state.now, MARKET_ACTIVATION_DELAY, "block"),
        ivs_image_id=image_id(op.ivs_image),
        creator=op.sender,
        metadata=op.metadata,
    )
    state = attrs.evolve(state, markets=state.markets.set(market_id, market))
    return state, events + [event("MarketplaceCreated", marketId=market_id)]


def _creator_of(state: State, op) -> Market:
    market = get_market(state, op.market_id)
    need(op.sender == market.creator, "OnlyMarketCreator", "sender", f"only {market.creator} may change market {op.market_id}'s images")
    need(not op.prover_images or is_enclave(market.prover_image_id), "CannotModifyImagesForPublicMarkets", "prover_images",
         f"market {op.market_id} is public")
    return market


def process_add_extra_images(state: State, op: ops.AddExtraImages, env: Env):
    """ProofMarketplace.sol:257 addExtraImages: the creator (OnlyMarketCreator; nobody once
    frozen) adds prover images (private markets only: CannotModifyImagesForPublicMarkets) and IVS
    images, each new to its family (ImageAlreadyInFamily); an added IVS image's keys may then
    claim invalid inputs for the market's tasks."""
    _creator_of(state, op)
    events = []
    for images, family, kind in ((op.prover_images, generator_family(op.market_id), "Prover"), (op.ivs_images, ivs_family(op.market_id), "IVS")):
        for image in images:
            need((family, image_id(image)) not in state.keys.families, "ImageAlreadyInFamily", "images", f"{image!r} is in the family")
            state, whitelisted = whitelist_image(state, family, image, "images")
            events += whitelisted + [event(f"AddExtra{kind}Image", marketId=op.market_id, imageId=image_id(image))]
    return state, events


def process_remove_extra_images(state: State, op: ops.RemoveExtraImages, env: Env):
    """ProofMarketplace.sol:297 removeExtraImages: the creator removes images from the market's
    families, never the market's default ones (CannotRemoveDefaultImageFromMarket); an image
    not in the family is "removed" without effect."""
    market = _creator_of(state, op)
    events = []
    for images, family, default, kind in ((op.prover_images, generator_family(op.market_id), market.prover_image_id, "Prover"),
                                          (op.ivs_images, ivs_family(op.market_id), market.ivs_image_id, "IVS")):
        for image in images:
            need(image_id(image) != default, "CannotRemoveDefaultImageFromMarket", "images", f"{image!r} is the market's default image")
            state, removed = remove_from_family(state, family, image)
            events += removed + [event(f"RemoveExtra{kind}Image", marketId=op.market_id, imageId=image_id(image))]
    return state, events


def process_freeze_market(state: State, op: ops.FreezeMarket, env: Env):
    """ProofMarketplace.sol:335 freezeMarket: only the creator; the creator is deleted, so no
    one may change the market's images again."""
    market = get_market(state, op.market_id)
    need(op.sender == market.creator, "OnlyMarketCreator", "sender", f"only {market.creator} may freeze market {op.market_id}")
    return attrs.evolve(state, markets=state.markets.set(op.market_id, attrs.evolve(market, creator=None))), []


def process_update_cost_per_bytes(state: State, op: ops.UpdateCostPerBytes, env: Env):
    """ProofMarketplace.sol:442 updateCostPerBytes (UPDATER_ROLE): the per-byte platform fee
    of a secret type, charged at ask creation."""
    require_updater(state, op.sender)
    new = attrs.evolve(state, cost_per_input_bytes=_set(state.cost_per_input_bytes, op.secret_type, op.cost))
    return new, [event("UpdateCostPerBytes", secretType=op.secret_type, costPerInputBytes=op.cost)]


def process_update_min_proving_time(state: State, op: ops.UpdateMinProvingTime, env: Env):
    """ProofMarketplace.sol:451 updateMinProvingTime (UPDATER_ROLE), in blocks."""
    require_updater(state, op.sender)
    new = attrs.evolve(state, min_proving_time=_set(state.min_proving_time, op.secret_type, op.blocks))
    return new, [event("UpdateMinProvingTime", secretType=op.secret_type, newProvingTime=op.blocks)]


def process_pause(state: State, op: ops.Pause, env: Env):
    """ProofMarketplace.sol:202 pause (UPDATER_ROLE): stops createAsk only."""
    require_updater(state, op.sender)
    need(not state.paused, "EnforcedPause", "sender", "already paused")
    return attrs.evolve(state, paused=True), [event("Paused", account=op.sender)]


def process_unpause(state: State, op: ops.Unpause, env: Env):
    """ProofMarketplace.sol:206 unpause (UPDATER_ROLE)."""
    require_updater(state, op.sender)
    need(state.paused, "ExpectedPause", "sender", "not paused")
    return attrs.evolve(state, paused=False), [event("Unpaused", account=op.sender)]


def process_flush(state: State, op: ops.Flush, env: Env):
    """ProofMarketplace.sol:728 flush: anyone pays out `account`'s claimable amount to it."""
    amount = state.claimable.get(op.account, 0)
    if amount == 0:
        return state, []
    state = transfer(state, MARKETPLACE, op.account, state.config.payment_token, amount, "account")
    return attrs.evolve(state, claimable=state.claimable.discard(op.account)), []


def process_advance_blocks(state: State, op: ops.AdvanceBlocks, env: Env):
    """Mine 1..MAX_ADVANCE empty blocks (the only way time moves besides transactions)."""
    need(0 < op.blocks <= MAX_ADVANCE, "INVALID_TIME_STEP", "blocks", f"must be in 1..{MAX_ADVANCE}")
    return attrs.evolve(state, block=state.block + op.blocks), []


def _set(mapping, key, value: int):
    return mapping.discard(key) if value == 0 else mapping.set(key, value)
