"""Regressions at the codec and adapter boundary (issue list, by number): the canonical form is
exact both ways, `load` validates types and cross-references, and the reference adapter answers
every line (never exits) with `{"ok": false, ...}` for bad input, its state unchanged."""
import io
import json
import subprocess
import sys

import attrs
import pytest

import py_ecc.bn128  # noqa: F401  (raises the recursion limit to 100,000, as in every zk command)
from properties.fixtures import ENGINE_KEY as KEY
from properties.world import assigned_task, open_ask
from spec import jsonsafe
from spec.adapter import Session, serve
from spec.codec import decode_op, decode_state, encode_state
from spec.errors import BadFile, MalformedJSON, MalformedOperation, MalformedState
from spec.wellformed import load_state


def _state_json():
    return json.loads(json.dumps(encode_state(assigned_task().state)))


# --- 3: untrusted JSON cannot blow the C stack --------------------------------------------------

@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_d03_deep_json_is_refused_before_parsing(text):
    with pytest.raises(MalformedJSON) as info:
        jsonsafe.loads(text, "input.json")
    assert info.value.field == "input.json" and "deep" in info.value.rule


def test_d03_deep_json_in_a_subprocess_with_py_ecc_does_not_crash(tmp_path):
    """The crash was a segfault (rc 139), which no in-process test can catch: run it apart."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    code = ("import py_ecc.bn128, sys; from spec import jsonsafe\n"
            "try: jsonsafe.load_path(sys.argv[1])\nexcept jsonsafe.MalformedJSON as e: print(e); sys.exit(2)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "MALFORMED_JSON" in done.stdout, done


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "1e999", '{"a": 1, "a": 2}', '"\\ud800"', "1" * 5000, b"\xff\xfe", "{", ""])
def test_d03_loader_refuses_what_is_not_plain_json(text):
    with pytest.raises(MalformedJSON):
        jsonsafe.loads(text)


def test_d03_loader_file_errors(tmp_path):
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "link.json").symlink_to(tmp_path / "nowhere")
    (tmp_path / "big.json").write_text("[" + "0," * 100 + "0]")
    for name in ("dir.json", "link.json", "missing.json"):
        with pytest.raises(BadFile):
            jsonsafe.load_path(tmp_path / name)
    with pytest.raises(BadFile):
        jsonsafe.load_path(tmp_path / "big.json", max_bytes=100)


# --- 5: the reference adapter answers malformed requests ----------------------------------------

@pytest.mark.parametrize("line", [
    '{"cmd":"apply","op":{"op":[1],"args":{}}}', '{"cmd":"apply","op":{"op":{"a":1},"args":{}}}', '{"cmd":"apply","op":[]}',
    "[" * 100_000, '{"cmd":"apply","op":' * 10_000, '{"cmd":[]}', '{"cmd":"load","state":[]}', "1e999", '{"cmd":"load","state":' + "[" * 5000,
    '{"cmd":"apply","op":{"op":"mint","args":{"account":"a","token":"USDC","amount":"1' + "0" * 5000 + '"}}}',
])
def test_d05_adapter_answers_every_malformed_line_and_keeps_going(line):
    out = io.StringIO()
    serve(io.StringIO(line + '\n{"cmd":"state"}\n'), out)
    answers = [json.loads(a) for a in out.getvalue().splitlines()]
    assert len(answers) == 2 and answers[0]["ok"] is False and "state" in answers[1]


# --- 9: load validates types and cross-references -----------------------------------------------

def _mutate(path, value):
    data = _state_json()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


MEMBERSHIP = ("memberships", "0", "p0")
BAD_STATES = {
    "exit_requested as a string": (MEMBERSHIP + ("exit_requested",), "false"),
    "stake_tokens as a string": (("config", "stake_tokens"), "POND"),
    "float encryption key": (("provers", "p0", "encryption_key"), 1.5),
    "upper-case engine key": (("markets", "0", "engine_key"), KEY.upper()),
    "unregistered verifier": (("markets", "0", "verifier_id"), "groth16/unknown"),
    "stale membership status": (MEMBERSHIP + ("status",), "JOINED"),
    "upper-case hex": (("asks", "0", "public_inputs"), "0xAB"),
    "odd-length hex": (("asks", "0", "public_inputs"), "0xabc"),
    "integer over 2^256": (("time",), str(2**256)),
    "lone surrogate name": (("asks", "0", "requester"), "\ud800"),
    "zero balance entry": (("balances", "alice", "USDC"), "0"),
    "epoch_length 0": (("config", "restaking", "epoch_length"), "0"),
    "vault history entry not a pair": (("restaking", "vault_chain", "vaults"), {"v": []}),
}


@pytest.mark.parametrize("name", sorted(BAD_STATES))
def test_d09_load_refuses_ill_typed_states(name):
    path, value = BAD_STATES[name]
    session = Session()
    before = encode_state(session.state)
    answer = session.load(_mutate(path, value))
    assert answer["ok"] is False and "MALFORMED_STATE" in answer["error"], answer
    assert encode_state(session.state) == before


def test_d09_an_ask_under_another_key_is_refused():
    """Stored under key 1 while its id is 0, cancel_ask would refund one escrow twice."""
    data = json.loads(json.dumps(encode_state(open_ask().state)))
    data["asks"]["1"] = data["asks"].pop("0")
    data["next_ask_id"] = "2"
    with pytest.raises(MalformedState) as info:
        load_state(data)
    assert info.value.field == "$.asks.1.id"


def test_d09_a_state_whose_books_do_not_balance_is_refused():
    data = _state_json()
    data["balances"]["alice"]["USDC"] = str(int(data["balances"]["alice"]["USDC"]) + 1)
    with pytest.raises(MalformedState) as info:
        load_state(data)
    assert info.value.field == "$.supply.USDC"


def test_d09_every_committed_pre_state_loads():
    from reference.conformance.cases import VECTORS_DIR, load_cases

    states = [c.data["pre_state"] for c in load_cases(VECTORS_DIR) if "pre_state" in c.data]
    assert len(states) > 400
    for data in states:
        load_state(data)


# --- 19: the canonical form is exact both ways --------------------------------------------------

@pytest.mark.parametrize("args", [
    {"account": "a", "token": "USDC", "amount": "01"}, {"account": "a", "token": "USDC", "amount": "+1"},
    {"account": "a", "token": "USDC", "amount": 1}, {"account": "a", "token": "USDC", "amount": "1" + "0" * 80},
])
def test_d19_non_canonical_integers(args):
    with pytest.raises(MalformedOperation):
        decode_op({"op": "mint", "args": args})


@pytest.mark.parametrize("proof", ["0xAB", "0xabc", "0x ab", "ab", "0X00"])
def test_d19_non_canonical_bytes(proof):
    with pytest.raises(MalformedOperation) as info:
        decode_op({"op": "submit_proof", "args": {"sender": "p", "ask_id": "0", "proof": proof}})
    assert info.value.field == "proof"


@pytest.mark.parametrize("entries", ["ab1", [["p0", "v0"]], [["p0", "v0", 1]], [["p0", "v0", "1"], "xyz"], {"p0": "v0"}])
def test_d19_non_canonical_snapshot_entries(entries):
    with pytest.raises(MalformedOperation):
        decode_op({"op": "transmit_snapshot_part", "args": {"sender": "t", "capture_ts": "0", "index": "0", "count": "1", "entries": entries}})


def test_d19_amounts_inside_maps_are_bounded():
    args = {"sender": "a", "verifier_id": "v", "matching_protocol": "orderbook", "slash_amount": {"POND": str(2**255)},
            "engine_key": KEY, "platform_fee": "0"}
    with pytest.raises(MalformedOperation) as info:
        decode_op({"op": "create_market", "args": args})
    assert info.value.field == "slash_amount"


def test_d19_decode_then_encode_is_the_identity_on_canonical_states():
    data = _state_json()
    assert encode_state(decode_state(data)) == data
    state = assigned_task().state
    assert decode_state(encode_state(state)) == state
    assert attrs.has(type(state))


def test_d05_a_session_that_raises_does_not_end_the_adapter():
    """`serve` answers for any session (e.g. the engine adapter's subclass), even a buggy one."""

    class Buggy(Session):
        def handle(self, request):
            if request.get("cmd") == "boom":
                raise KeyError("boom")
            return super().handle(request)

    out = io.StringIO()
    serve(io.StringIO('{"cmd":"boom"}\n{"cmd":"state"}\n'), out, Buggy())
    first, second = (json.loads(a) for a in out.getvalue().splitlines())
    assert first["ok"] is False and "internal error" in first["error"] and "state" in second
