"""Edges of the adapter's line protocol and the package's lazy names, at a small line bound so
that the exact limits can be tested: a request of exactly MAX_LINE characters is read whole, one
character more is refused and skipped to its end, a last request without a newline is answered.
Written for generated mutants of `spec.adapter` and `spec/__init__` that the vectors cannot
reach (the vectors drive a session, not its line reader)."""
import io
import json
import threading

import pytest

import spec
import spec.adapter
from spec.adapter import Session, serve

STATE = '{"cmd":"state"}'  # 15 characters


def _answers(monkeypatch, text: str, bound: int = len(STATE)) -> list:
    monkeypatch.setattr(spec.adapter, "MAX_LINE", bound)
    out, done = io.StringIO(), []
    worker = threading.Thread(target=lambda: done.append(serve(io.StringIO(text), out)), daemon=True)
    worker.start()
    worker.join(10)
    assert done, "serve did not return at the end of its input"
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_request_of_exactly_max_line_characters_is_read_whole(monkeypatch):
    """The bound counts the newline: STATE + newline is 16 characters."""
    answers = _answers(monkeypatch, STATE + "\n", bound=16)
    assert len(answers) == 1 and "state" in answers[0]


def test_a_last_request_without_newline_is_answered(monkeypatch):
    assert ["state" in a for a in _answers(monkeypatch, STATE, bound=15)] == [True]
    assert ["state" in a for a in _answers(monkeypatch, STATE, bound=16)] == [True]


def test_a_request_one_over_is_one_refusal_and_the_next_is_read(monkeypatch):
    answers = _answers(monkeypatch, '{"cmd": "state"}\n' + STATE + "\n", bound=16)  # 17 characters, then 16
    assert [a.get("ok") for a in answers] == [False, None] and "state" in answers[1]


def test_a_long_line_is_refused_once_and_skipped_to_its_end(monkeypatch):
    answers = _answers(monkeypatch, "x" * 100 + "\n" + STATE + "\n", bound=16)
    assert len(answers) == 2 and answers[0]["ok"] is False and "longer than 16" in answers[0]["error"]
    assert "state" in answers[1]
    answers = _answers(monkeypatch, "x" * 100, bound=16)
    assert len(answers) == 1 and answers[0]["ok"] is False


@pytest.mark.parametrize("fee", [None, 7])
def test_design_genesis_with_and_without_a_config(fee):
    import attrs

    from spec.codec import decode_config, encode, encode_state
    from spec.containers import Config, genesis

    config = None if fee is None else encode(attrs.evolve(Config(), market_creation_fee=fee))

    session = Session()
    session.state = None
    request = {"cmd": "genesis", "fork": "design"} | ({"config": config} if config is not None else {})
    assert session.handle(request) == {"ok": True}
    expected = genesis(Config() if config is None else decode_config(config))
    assert session.handle({"cmd": "state"}) == {"state": encode_state(expected)}


def test_an_unknown_name_of_the_package_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        getattr(spec, "no_such_module")
    assert spec.containers.State is spec.State


def test_canonical_integers_stop_short_of_2_256_on_both_sides():
    from spec.codec import _int

    assert _int(str(2**256 - 1)) == 2**256 - 1 and _int(str(-(2**256) + 1)) == -(2**256) + 1
    for text in (str(2**256), str(-(2**256))):
        with pytest.raises(ValueError):
            _int(text)


def test_committed_vectors_are_in_the_canonical_text_form():
    """`spec.codec.dumps` is the one text form of a vector file (sorted keys, two-space indent,
    trailing newline): the committed files are its output, byte for byte."""
    from pathlib import Path

    from spec.codec import dumps

    root = Path(__file__).resolve().parents[2] / "vectors" / "design"
    for path in sorted(root.glob("tasks/*/*.json"))[:5]:
        text = path.read_text()
        assert dumps(json.loads(text)) == text, path


@pytest.mark.parametrize("entries", [{}, [[5, "v0", "1"]], [["p0", 5, "1"]], [("p0", "v0", "1")], "", [["p0", "v0", "1", "2"]]])
def test_snapshot_entries_of_the_wrong_shape_are_refused_by_the_decoder(entries):
    from spec.codec import decode_op
    from spec.errors import MalformedOperation

    with pytest.raises(MalformedOperation) as info:
        decode_op({"op": "transmit_snapshot_part", "args": {"sender": "t", "capture_ts": "0", "index": "0", "count": "1",
                                                            "entries": entries}})
    assert info.value.field == "entries"


def _state_with_config(**restaking_extra):
    from spec.codec import encode_state
    from spec.containers import Config, genesis

    data = encode_state(genesis(Config()))
    data["config"]["restaking"] = {**data["config"]["restaking"], **restaking_extra}
    return data


def test_a_state_config_is_canonical_down_to_its_restaking_parameters():
    """A config without `restaking` (an older state) loads with the default parameters; one whose
    `restaking` holds an extra key is refused."""
    from spec.codec import decode_state
    from spec.errors import MalformedState

    legacy = _state_with_config()
    del legacy["config"]["restaking"]
    assert decode_state(legacy).config.restaking == decode_state(_state_with_config()).config.restaking
    with pytest.raises(MalformedState):
        decode_state(_state_with_config(extra="1"))


def _vector_state() -> dict:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "vectors" / "design" / "tasks" / "assign_task" / "after_expiry.json"
    return json.loads(path.read_text())["pre_state"]


@pytest.mark.parametrize("where", ["supply", "treasury", "burnt", "balances", "stake", "locked"])
def test_a_state_keeps_entries_of_one_and_refuses_entries_of_zero(where):
    """Zero entries are dropped in the canonical form (a state holding one is refused); an entry of 1
    is an ordinary amount."""
    from spec.codec import decode_state, encode_state
    from spec.errors import MalformedState

    def with_amount(amount: str) -> dict:
        data = _vector_state()
        if where in ("stake", "locked"):
            data["provers"]["p0"][where] = {**data["provers"]["p0"][where], "XYZ": amount}
        elif where == "balances":
            data["balances"]["alice"] = {**data["balances"]["alice"], "XYZ": amount}
        else:
            data[where] = {**data[where], "XYZ": amount}
        return data

    one = with_amount("1")
    assert encode_state(decode_state(one)) == one
    with pytest.raises(MalformedState):
        decode_state(with_amount("0"))


@pytest.mark.parametrize("data", [{}, {"args": {}}, ["op"], "op", None])
def test_an_operation_without_a_name_is_malformed(data):
    from spec.codec import decode_op
    from spec.errors import MalformedOperation

    with pytest.raises(MalformedOperation) as info:
        decode_op(data)
    assert info.value.field == "op"


def test_a_state_with_a_key_it_does_not_have_is_refused_as_not_canonical():
    from spec.codec import decode_state
    from spec.errors import MalformedState

    for extra in ({"unknown_key": {}}, {"config": {**_vector_state()["config"], "unknown_key": "1"}}):
        with pytest.raises(MalformedState):
            decode_state({**_vector_state(), **extra})


def test_a_vault_epoch_of_one_second_is_well_formed_and_of_zero_is_refused():
    """A vault's epoch_duration is > 0: 1 is the least an encoded state may carry."""
    from pathlib import Path

    from spec.codec import encode_state
    from spec.errors import MalformedState
    from spec.wellformed import load_state

    path = Path(__file__).resolve().parents[2] / "vectors" / "design" / "bridge" / "delay_message" / "not_later.json"

    def with_epoch(value: str) -> dict:
        data = json.loads(path.read_text())["pre_state"]
        data["restaking"]["vault_chain"]["vaults"]["v1"]["epoch_duration"] = value
        return data

    assert encode_state(load_state(with_epoch("1"))) == with_epoch("1")
    with pytest.raises(MalformedState) as info:
        load_state(with_epoch("0"))
    assert info.value.field == "$.restaking.vault_chain.vaults.v1"


def test_the_fork_registry_names_its_forks_and_refuses_any_other_name():
    """`get_fork` takes a registered name only (a string not registered and a non-string are both
    refused naming "fork"); each fork's genesis without a config is its genesis of the default
    config; the design fork reads a missing config as the default one."""
    from spec import containers as design
    from spec.deployed_native import containers as native
    from spec.errors import InvalidConfig
    from spec.forks import get_fork

    for name in ("no-such-fork", None, 1, ("design",)):
        with pytest.raises(InvalidConfig) as info:
            get_fork(name)
        assert info.value.field == "fork"
    assert get_fork("design").genesis() == design.genesis(design.Config())
    assert get_fork("deployed_native").genesis() == native.genesis(native.Config())
    assert get_fork("design").decode_config(None) == design.Config()


def test_genesis_starts_both_chains_at_time_zero_with_nothing_minted():
    """The design genesis: main chain and vault chain clocks at 0, no supply, no balances, no
    markets, asks or messages, counters at 0."""
    from spec.containers import Config, genesis

    state = genesis(Config())
    chain = state.restaking.vault_chain
    assert (state.time, chain.time, chain.deposited, chain.claimed) == (0, 0, 0, 0)
    assert (state.next_market_id, state.next_ask_id, state.restaking.bridge.next_id, state.restaking.next_slash_id) == (0, 0, 0, 0)
    assert not any((state.supply, state.balances, state.markets, state.asks, state.provers, chain.vaults, chain.requests))


def test_an_empty_state_is_the_genesis_of_the_default_config():
    """The containers' own defaults are the genesis: State() is genesis(Config()), both clocks at 0."""
    from spec.containers import Config, State, genesis
    from spec.restaking_state import VaultChain

    assert State() == genesis(Config())
    assert State().time == VaultChain().time == 0
