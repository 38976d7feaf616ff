"""deployed_native helpers at their edges, beside the vectors: the genesis config's bounds, the
codec's errors and full-state encoding, the stored compute-reduction block, and the A1 fix's
comparison and block clock. Expected values are written out by hand from the rule."""
from __future__ import annotations

import json

import pytest

from spec.deployed_native import operations as ops
from spec.deployed_native.codec import _nest, decode_config, decode_op, encode_state
from spec.deployed_native.containers import Config, GeneratorState, KeyRegistry, Membership, State, genesis
from spec.deployed_native.fixes import apply_with, attestation_accepted_in_ms
from spec.deployed_native.transition import apply
from spec.errors import InvalidConfig, MalformedOperation

# ---- genesis config: integers in [0, 2^64), non-empty names ----------------------------------


@pytest.mark.parametrize("name", ["market_creation_cost", "genesis_block"])
@pytest.mark.parametrize("value", [0, 1, 2**64 - 1])
def test_config_integer_bounds_accept(name, value):
    assert getattr(Config(**{name: value}), name) == value


@pytest.mark.parametrize("name", ["market_creation_cost", "genesis_block"])
@pytest.mark.parametrize("value", [-1, 2**64, 3**64, "5", True])
def test_config_integer_bounds_refuse(name, value):
    with pytest.raises(InvalidConfig) as err:
        Config(**{name: value})
    assert err.value.field == name


@pytest.mark.parametrize("name", ["payment_token", "staking_token", "treasury", "admin"])
@pytest.mark.parametrize("value", ["", 5, None])
def test_config_names_refuse(name, value):
    with pytest.raises(InvalidConfig) as err:
        Config(**{name: value})
    assert err.value.field == name


def test_decode_config_names_the_unknown_field():
    with pytest.raises(InvalidConfig) as err:
        decode_config({"bogus": "1"})
    assert err.value.field == "bogus"
    with pytest.raises(InvalidConfig) as err:
        decode_config({"genesis_block": "7", "zzz": "1", "aaa": "2"})
    assert err.value.field == "aaa"
    assert decode_config({"genesis_block": "0"}).genesis_block == 0


# ---- operations: malformed input names the field ---------------------------------------------


@pytest.mark.parametrize("data", [{}, ["op"], "op", {"args": {}}, None])
def test_decode_op_without_op(data):
    with pytest.raises(MalformedOperation) as err:
        decode_op(data)
    assert err.value.field == "op"


def test_decode_op_names_the_unknown_argument():
    with pytest.raises(MalformedOperation) as err:
        decode_op({"op": "pause", "args": {"sender": "admin", "bogus": "1"}})
    assert err.value.field == "bogus"
    with pytest.raises(MalformedOperation) as err:
        decode_op({"op": "pause", "args": {"sender": "admin", "zz": "1", "aa": "1"}})
    assert err.value.field == "aa"
    assert decode_op({"op": "pause", "args": {"sender": "admin"}}) == ops.Pause("admin")


# ---- the full spec state -----------------------------------------------------------------------


def test_nest_pairs_in_order():
    """A pair-keyed map nests outer -> inner, both in sorted order, values encoded."""
    data = _nest({("bob", "POND"): 5, ("alice", "USDC"): 7, ("alice", "POND"): 1, (3, 10): b"\x01", (3, 2): True})
    assert data == {"3": {"10": "0x01", "2": True}, "alice": {"POND": "1", "USDC": "7"}, "bob": {"POND": "5"}}
    assert list(data) == ["3", "alice", "bob"] and list(data["alice"]) == ["POND", "USDC"] and list(data["3"]) == ["10", "2"]
    assert _nest({}) == {}


def test_encode_state_nests_pairs_in_order():
    """Pair-keyed maps nest outer -> inner, both in sorted order; key images and families are
    sorted 0x-hex lists."""
    state = State(
        balances={("bob", "POND"): 5, ("alice", "USDC"): 7, ("alice", "POND"): 1},
        keys=KeyRegistry(images={b"\x02", b"\x01"}, families={(b"\x0f", b"\x02"), (b"\x0a", b"\x01")},
                         pub_keys={("zed", 1): b"\xbb", ("amy", 0): b"\xaa"}),
    )
    data = encode_state(state)
    assert data["fork"] == "deployed_native"
    assert data["balances"] == {"alice": {"POND": "1", "USDC": "7"}, "bob": {"POND": "5"}}
    assert list(data["balances"]) == ["alice", "bob"] and list(data["balances"]["alice"]) == ["POND", "USDC"]
    assert data["keys"]["images"] == ["0x01", "0x02"]
    assert data["keys"]["families"] == [["0x0a", "0x01"], ["0x0f", "0x02"]]
    assert data["keys"]["pub_keys"] == {"amy": {"0": "0xaa"}, "zed": {"1": "0xbb"}}
    assert list(data["keys"]["pub_keys"]) == ["amy", "zed"]
    json.dumps(data)  # plain JSON throughout


def test_an_empty_state_is_the_genesis_of_the_default_config():
    """The containers' own defaults are the genesis: State() is genesis(Config()), its head at
    the default genesis block (100) and nothing stored."""
    assert State() == genesis(Config())
    assert State().block == Config().genesis_block == 100


def test_a_membership_starts_with_no_request_in_flight():
    """GeneratorRegistry.sol joinMarketplace stores activeRequests 0: a Membership built without a
    request count is the one JoinMarket stores."""
    state, _ = apply(genesis(), ops.Mint("alice", "USDC", 1_000))
    state, _ = apply(state, ops.CreateMarket("alice", b"m", "stand-in/sha256", 300, "public", "ivs-image"))
    state, _ = apply(state, ops.RegisterProver("bob", "bob", 10, 0, b"d"))
    state, _ = apply(state, ops.JoinMarket("bob", 0, 2, 40, 5))
    assert state.memberships[(0, "bob")] == Membership(GeneratorState.JOINED, 2, 40, 5)
    assert Membership(GeneratorState.JOINED, 2, 40, 5).active_requests == 0


def test_compute_reduction_is_stored_one_block_later():
    """intendToReduceCompute stores the block from which the reduction executes: the request's
    block + REDUCTION_REQUEST_BLOCK_GAP (1)."""
    state, _ = apply(genesis(), ops.RegisterProver("bob", "bob", 10, 0, b"d"))
    state, _ = apply(state, ops.RequestComputeDecrease("bob", 4))
    request_block = state.block  # the block the request ran in
    assert state.reduce_compute_request_block["bob"] == request_block + 1


def test_stake_reduction_is_stored_one_block_later():
    """intendToReduceStake stores the block from which the withdrawal executes: the request's
    block + REDUCTION_REQUEST_BLOCK_GAP (1)."""
    state, _ = apply(genesis(), ops.Mint("bob", "POND", 50))
    state, _ = apply(state, ops.RegisterProver("bob", "bob", 10, 50, b"d"))
    state, _ = apply(state, ops.RequestStakeWithdrawal("bob", 20))
    assert state.unstake_request_block["bob"] == state.block + 1


# ---- fix A1 ----------------------------------------------------------------------------------


def test_fix_a1_accepts_under_60_seconds_only():
    assert attestation_accepted_in_ms(0) and attestation_accepted_in_ms(59_999)
    assert not attestation_accepted_in_ms(60_000) and not attestation_accepted_in_ms(60_001)


def test_fix_a1_keeps_the_block_clock():
    """Under the fix each transaction still mines one block; advance_blocks mines exactly its
    count."""
    fixed = apply_with("A1")
    start = genesis()
    state, _ = fixed(start, ops.Pause("admin"))
    assert state.block == start.block + 1 and state.paused
    state, _ = fixed(state, ops.AdvanceBlocks(7))
    assert state.block == start.block + 8


# ---- operations: field validators at their bounds ---------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2**256 - 1])
def test_uint_fields_accept(value):
    assert ops.DepositStake("dave", "bob", value).amount == value


@pytest.mark.parametrize("value", [-1, 2**256, 3**256, True, "1", 1.0])
def test_uint_fields_refuse(value):
    with pytest.raises(MalformedOperation) as err:
        ops.DepositStake("dave", "bob", value)
    assert err.value.field == "amount"


def test_hex_address_names_are_lower_cased():
    address = "0x" + "aB" * 20
    assert ops.Pause(address).sender == address.lower()
    for name in ("0x" + "aB" * 19 + "A", "0x" + "aB" * 20 + "c", "0X" + "aB" * 20, "1x" + "aB" * 20, "0x" + "aB" * 19 + "gG", "0xg" + "aB" * 19 + "A",
                 "Alice"):
        assert ops.Pause(name).sender == name, name


def test_attestation_age_defaults_to_fresh():
    """No age given is 0 ms (fresh), and an age of 0 is left out of the operation's JSON."""
    from spec.deployed_native.codec import encode_op
    op = ops.VerifyMatchingEngine("admin", "k", "img")
    assert op.attestation_age_ms == 0 and ops.JoinMarket("bob", 0, 1, 1, 1, "k", "img").attestation_age_ms == 0
    assert "attestation_age_ms" not in encode_op(op)["args"]
    assert decode_op({"op": "verify_matching_engine", "args": {"sender": "admin", "key": "k", "image": "img"}}).attestation_age_ms == 0
    assert encode_op(ops.VerifyMatchingEngine("admin", "k", "img", 1))["args"]["attestation_age_ms"] == "1"


@pytest.mark.parametrize("age", [0, 1, 10**12])
def test_attestation_age_accept(age):
    assert ops.VerifyMatchingEngine("admin", "k", "img", age).attestation_age_ms == age


@pytest.mark.parametrize("age", [-1, 10**12 + 1, True, "0"])
def test_attestation_age_refuse(age):
    with pytest.raises(MalformedOperation) as err:
        ops.VerifyMatchingEngine("admin", "k", "img", age)
    assert err.value.field == "attestation_age_ms"


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_secret_type_accept(kind):
    assert ops.UpdateCostPerBytes("admin", kind, 1).secret_type == kind


@pytest.mark.parametrize("kind", [-1, 3, True, "1"])
def test_secret_type_refuse(kind):
    with pytest.raises(MalformedOperation) as err:
        ops.UpdateCostPerBytes("admin", kind, 1)
    assert err.value.field == "secret_type"


def test_lists_accept():
    assert ops.LeaveMarkets("bob", [0, 2**256 - 1]).market_ids == (0, 2**256 - 1)
    assert ops.LeaveMarkets("bob", []).market_ids == ()
    assert ops.AddExtraImages("alice", 0, ("a", "b"), []).prover_images == ("a", "b")
    assert ops.SubmitProofs("bob", [1], [b"", b"p"]).proofs == (b"", b"p")
    relay = ops.RelayBatchAssignTasks("dave", [0], ["0x" + "AB" * 20], [b""], b"s")
    assert relay.provers == ("0x" + "ab" * 20,)


@pytest.mark.parametrize("field, build", [
    ("market_ids", lambda v: ops.LeaveMarkets("bob", v)),
    ("prover_images", lambda v: ops.AddExtraImages("alice", 0, v, [])),
    ("proofs", lambda v: ops.SubmitProofs("bob", [], v)),
    ("provers", lambda v: ops.RelayBatchAssignTasks("dave", [], v, [], b"")),
])
@pytest.mark.parametrize("value", ["ab", b"ab", 5, None, [None], [1.5], [""]])
def test_lists_refuse(field, build, value):
    with pytest.raises(MalformedOperation) as err:
        build(value)
    assert err.value.field == field


@pytest.mark.parametrize("value", [[-1], [2**256], [True], ["1"]])
def test_int_lists_refuse(value):
    with pytest.raises(MalformedOperation) as err:
        ops.LeaveMarkets("bob", value)
    assert err.value.field == "market_ids"


@pytest.mark.parametrize("value", [[""], [1], [b"a"]])
def test_name_lists_refuse(value):
    with pytest.raises(MalformedOperation) as err:
        ops.AddExtraImages("alice", 0, value, [])
    assert err.value.field == "prover_images"


def test_join_market_key_and_image_go_together():
    assert ops.JoinMarket("bob", 0, 1, 1, 1).key is None
    joined = ops.JoinMarket("bob", 0, 1, 1, 1, "0x" + "CD" * 20, "img")
    assert joined.key == "0x" + "cd" * 20 and joined.image == "img"
    for key, image, field in ((None, "img", "image"), ("k", None, "image"), ("", "img", "key"), ("k", "", "image"), (5, "img", "key")):
        with pytest.raises(MalformedOperation) as err:
            ops.JoinMarket("bob", 0, 1, 1, 1, key, image)
        assert err.value.field == field, (key, image)


# ---- signatures: OpenZeppelin 5.1 ECDSA.recover's checks at their bounds ----------------------

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1 group order
HASH = b"\x11" * 32


def _recover(r: int, s: int, v: int):
    from spec.deployed_native import keys
    try:
        return keys.recover(HASH, r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v]))
    except keys.SignatureError as exc:
        return exc.code


def _signer(r: int, s: int, v: int) -> str:
    """The address eth-keys recovers from (v - 27, r, s) over the EIP-191 hash, written out."""
    from eth_hash.auto import keccak
    from eth_keys import keys as eth_keys
    digest = keccak(b"\x19Ethereum Signed Message:\n32" + HASH)
    return eth_keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest).to_checksum_address().lower()


def test_recover_round_trip_both_parities():
    from eth_hash.auto import keccak
    from eth_keys import keys as eth_keys

    from spec.deployed_native import keys
    seen = set()
    for name in ("alice", "bob", "carol", "dave", "engine-key"):
        signature = keys.sign_hash(name, HASH)
        assert len(signature) == 65 and signature[64] in (27, 28)
        expected = eth_keys.PrivateKey(keccak(b"kalypso/deployed_native/account/" + name.encode())).public_key.to_checksum_address().lower()
        assert keys.recover(HASH, signature) == keys.address(name) == expected
        seen.add(signature[64])
    assert seen == {27, 28}


def test_recover_low_s_bound():
    """s <= n // 2 is accepted (n is odd), s = n // 2 + 1 is ECDSAInvalidSignatureS; s = 1 is a
    signature, s = 0 is not."""
    assert _recover(1, N // 2, 27) == _signer(1, N // 2, 27)
    assert _recover(1, N // 2 + 1, 27) == "ECDSAInvalidSignatureS"
    assert _recover(1, 1, 28) == _signer(1, 1, 28)
    assert _recover(1, 0, 28) == "ECDSAInvalidSignature"


def test_recover_r_and_v_bounds():
    assert _recover(1, 5, 27) == _signer(1, 5, 27) and _recover(2, 5, 28) == _signer(2, 5, 28)
    for r in (0, N, 2**256 - 1):
        assert _recover(r, 5, 27) == "ECDSAInvalidSignature", r
    for v in (0, 1, 26, 29):
        assert _recover(1, 5, v) == "ECDSAInvalidSignature", v


def test_recover_length():
    from spec.deployed_native import keys
    signature = keys.sign_hash("alice", HASH)
    for bad in (signature[:64], signature + b"\x00", b""):
        with pytest.raises(keys.SignatureError) as err:
            keys.recover(HASH, bad)
        assert err.value.code == "ECDSAInvalidSignatureLength"


def test_names_images_and_families():
    from spec.deployed_native import keys
    assert keys.is_hex_address("0x" + "aB" * 20) and not keys.is_hex_address("0x" + "aB" * 20 + "0")
    assert not keys.is_hex_address("0x" + "ab" * 19 + "a") and not keys.is_hex_address("0x" + "gg" * 20)
    assert keys.address("0x" + "AB" * 20) == "0x" + "ab" * 20 and keys.is_zero("0x" + "00" * 20) and not keys.is_zero("alice")
    assert keys.pcrs("public") == (b"\x00" * 48,) * 3
    image = keys.pcrs("me-image")
    assert len(image) == 3 and all(len(p) == 48 for p in image) and len(set(image)) == 3
    assert not keys.is_enclave(b"\x00" * 32) and not keys.is_enclave(keys.NO_ENCLAVE_ID) and keys.is_enclave(keys.image_id("me-image"))
    assert keys.image_id("public") == keys.NO_ENCLAVE_ID  # Helper.sol:100: keccak of 144 zero bytes


# ---- uint256 arithmetic ---------------------------------------------------------------------


def test_uint256_bounds():
    from spec.deployed_native import uint
    from spec.errors import SpecError
    top = 2**256 - 1
    assert uint.add(top - 1, 1, "f") == top and uint.sub(5, 5, "f") == 0 and uint.mul(2**128, 2**128 - 1, "f") == top - 2**128 + 1
    assert uint.mul(3, top // 3, "f") == top and uint.add(top, 0, "f") == top and uint.mul(top, 1, "f") == top  # 3 divides 2^256 - 1
    assert uint.div(7, 2, "f") == 3 and uint.div(0, 1, "f") == 0
    for call, code in ((lambda: uint.add(top, 1, "f"), "PANIC_0x11"), (lambda: uint.sub(4, 5, "f"), "PANIC_0x11"),
                       (lambda: uint.mul(2**128, 2**128, "f"), "PANIC_0x11"), (lambda: uint.div(1, 0, "f"), "PANIC_0x12")):
        with pytest.raises(SpecError) as err:
            call()
        assert err.value.code == code and err.value.field == "f"


def test_field_factories_built_afresh():
    """The field factories, used anew (the operations above were built at import): uint256,
    name, bytes and list fields refuse what they must; an age defaults to 0."""
    import attrs

    @attrs.frozen
    class Probe:
        n: int = ops.INT()
        name: str = ops.NAME()
        data: bytes = ops.BYTES()
        ids: tuple = ops.LIST(int, "ids")
        names: tuple = ops.LIST(str, "names")
        blobs: tuple = ops.LIST(bytes, "blobs")
        age: int = ops.AGE()

    probe = Probe(2**256 - 1, "0x" + "CD" * 20, b"", [0, 2**256 - 1], ["a"], [b""])
    assert (probe.n, probe.name, probe.ids, probe.names, probe.blobs, probe.age) == (2**256 - 1, "0x" + "cd" * 20, (0, 2**256 - 1), ("a",), (b"",), 0)
    assert attrs.fields(Probe).ids.metadata["items"] is int and attrs.fields(Probe).age.metadata["omit_default"]
    for kwargs, field in (({"n": 2**256}, "n"), ({"ids": [2**256]}, "ids"), ({"ids": [-1]}, "ids"), ({"ids": [True]}, "ids"),
                          ({"names": [""]}, "names"), ({"names": "ab"}, "names"), ({"blobs": ["x"]}, "blobs"), ({"age": -1}, "age"),
                          ({"data": "x"}, "data")):
        args = {"n": 0, "name": "a", "data": b"", "ids": [], "names": [], "blobs": [], **kwargs}
        with pytest.raises(MalformedOperation) as err:
            Probe(**args)
        assert err.value.field == field, kwargs


def test_advance_blocks_bounds():
    """The chain's clock moves 1..2^32 blocks per step; 0 and 2^32 + 1 are INVALID_TIME_STEP."""
    from spec.errors import SpecError
    start = genesis()
    assert apply(start, ops.AdvanceBlocks(2**32))[0].block == start.block + 2**32
    assert apply(start, ops.AdvanceBlocks(1))[0].block == start.block + 1
    for blocks in (0, 2**32 + 1):
        with pytest.raises(SpecError) as err:
            apply(start, ops.AdvanceBlocks(blocks))
        assert err.value.code == "INVALID_TIME_STEP" and err.value.field == "blocks"
