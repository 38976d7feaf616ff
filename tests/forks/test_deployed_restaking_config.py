"""The deployed_restaking genesis config: each field's accepted range at both ends and the first
value past them (InvalidConfig naming the field), the faucet's token list, the defaults the
scenarios build on are the config every committed vector deploys, and the genesis state holds
what `initialize` stores."""
from __future__ import annotations

import json

import pytest

from reference.conformance.deployed_restaking.generate import FORK_DIR
from spec.deployed_restaking.codec import decode_config
from spec.deployed_restaking.containers import Config, Market, State, genesis
from spec.errors import InvalidConfig

INTS = ("market_creation_cost", "withdrawal_duration", "submission_cooldown", "transmitter_rate", "genesis_block", "genesis_time")
NAMES = ("payment_token", "treasury", "admin", "bridge_image", "engine_key", "engine_image")
E18 = 10**18


def _refused(field: str, **kw) -> None:
    with pytest.raises(InvalidConfig) as err:
        Config(**kw)
    assert err.value.field == field, (kw, err.value.field)


@pytest.mark.parametrize("name", INTS)
def test_integer_fields_lie_in_uint64(name):
    top = E18 - 1 if name == "transmitter_rate" else 2**64 - 1
    assert getattr(Config(**{name: top}), name) == top
    assert getattr(Config(**{name: 1}), name) == 1
    if name != "withdrawal_duration":
        assert getattr(Config(**{name: 0}), name) == 0
    for bad in (-1, 2**64, True, "5", 1.0):
        _refused(name, **{name: bad})


def test_withdrawal_duration_and_rate_bounds():
    _refused("withdrawal_duration", withdrawal_duration=0)
    _refused("transmitter_rate", transmitter_rate=E18)
    assert Config(transmitter_rate=E18 - 1).transmitter_rate == E18 - 1


@pytest.mark.parametrize("name", NAMES)
def test_name_fields_are_non_empty_strings(name):
    _refused(name, **{name: ""})
    _refused(name, **{name: 7})
    assert getattr(Config(**{name: "x"}), name) == "x"


@pytest.mark.parametrize("pool", ("native", "symbiotic"))
def test_pool_tokens_weights_and_locks(pool):
    t, w, lk = f"{pool}_tokens", f"{pool}_weights", f"{pool}_lock"
    for bad in ((), ("POND", "POND"), ("POND", ""), ("POND", 3), ("USDC",)):
        _refused(t, **{t: bad, w: (1,) * len(bad), lk: (1,) * len(bad)})
    for field in (w, lk):
        other = lk if field == w else w
        _refused(field, **{t: ("POND", "WETH"), field: (1,), other: (1, 1)})
        for bad in (-1, 2**128, True, "1"):
            _refused(field, **{t: ("POND", "WETH"), field: (1, bad), other: (1, 1)})
        top = Config(**{t: ("POND", "WETH"), field: (1, 2**128 - 1), other: (1, 1)})
        assert getattr(top, field) == (1, 2**128 - 1)
    assert getattr(Config(**{t: ("POND", "WETH"), lk: (0, 0), w: (0, 1)}), lk) == (0, 0)
    _refused(w, **{t: ("POND", "WETH"), w: (0, 0), lk: (1, 1)})
    assert getattr(Config(**{w: (1,)}), w) == (1,)


def test_faucet_tokens_payment_first_then_stake_tokens_once():
    c = Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(1, 1),
               symbiotic_tokens=("WETH", "STETH", "POND"), symbiotic_weights=(1, 1, 1), symbiotic_lock=(1, 1, 1))
    assert c.tokens == ("USDC", "POND", "WETH", "STETH")


def test_defaults_are_the_config_the_vectors_deploy():
    """World() builds on Config(): its defaults must be the genesis written into the committed
    vectors (the vectors, not the defaults, are what an implementation replays)."""
    configs = {json.dumps(json.loads(p.read_text())["genesis"]["config"], sort_keys=True)
               for p in (FORK_DIR / "bids" / "create_market").glob("*.json")}
    assert len(configs) == 1
    assert decode_config(json.loads(configs.pop())) == Config()


def test_a_bare_state_sits_at_the_genesis_clock_of_the_vectors():
    """State()'s head (block and timestamp) is the default genesis clock, the one every committed
    vector deploys at."""
    clocks = {(c["genesis_block"], c["genesis_time"]) for c in
              (json.loads(p.read_text())["genesis"]["config"] for p in (FORK_DIR / "bids" / "create_market").glob("*.json"))}
    assert clocks == {("100", "1700000000")}
    assert (State().block, State().time) == (100, 1_700_000_000) == (genesis().block, genesis().time)


def test_market_zero_is_the_empty_struct_initialize_pushes():
    """ProofMarketplace.sol:117 pushes Struct.Market(address(0), bytes32(0), 0, address(0), "")
    so that the first market id is 1: no verifier, both image ids 32 zero bytes, the zero
    address as creator, no metadata."""
    placeholder = genesis().markets[0]
    assert placeholder == Market("", bytes(32), bytes(32), "0x0000000000000000000000000000000000000000", b"")
    assert len(placeholder.prover_image_id) == len(placeholder.ivs_image_id) == 32 and len(placeholder.creator) == 2 + 40
    assert list(genesis().markets) == [0]
