"""The EVM adapter: every deployed_native vector replays on the real master-66d489f bytecode,
a wrong expectation is caught, and bad input gets a clear answer."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reference.conformance.runner import run_conformance
from reference.evm.adapter import EvmSession

pytestmark = pytest.mark.evm
VECTORS = Path(__file__).parents[2] / "vectors" / "deployed_native"


def adapter_cmd(contracts_dir):
    return [sys.executable, "-m", "reference.evm.adapter", "--contracts", str(contracts_dir)]


def test_deployed_native_vectors_all_pass_on_the_bytecode(build, contracts_dir):
    report = run_conformance(adapter_cmd(contracts_dir), VECTORS, timeout=60)
    assert report.total >= 80
    assert [f.name + ": " + f.message for f in report.failures] == []
    assert report.restarts == 0


def test_a_wrong_expectation_is_caught(build, contracts_dir, tmp_path):
    source = next((VECTORS / "tasks" / "submit_proof").glob("*.json"))
    case = json.loads(source.read_text())
    case["post_state"]["claimable"] = {**case["post_state"]["claimable"], "nobody": "1"}
    (tmp_path / "tasks" / "submit_proof").mkdir(parents=True)
    (tmp_path / "tasks" / "submit_proof" / source.name).write_text(json.dumps(case))
    report = run_conformance(adapter_cmd(contracts_dir), tmp_path, timeout=60)
    assert report.total == 1 and report.failed == 1
    assert "claimable" in report.failures[0].path


def test_bad_contracts_path_is_one_clear_line(tmp_path):
    proc = subprocess.run(adapter_cmd(tmp_path / "missing"), input="", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "contracts-missing" in proc.stderr and "does not exist" in proc.stderr and "solc 0.8.26" in proc.stderr


def test_session_refuses_what_it_cannot_run(build):
    session = EvmSession(build)
    assert session.handle({"cmd": "apply", "op": {"op": "mint", "args": {}}}) == {"ok": False, "error": "no genesis yet"}
    assert "genesis" in session.handle({"cmd": "load", "state": {}})["error"]
    assert "deployed_native" in session.handle({"cmd": "genesis", "fork": "design"})["error"]
    assert "staking_token" in session.handle({"cmd": "genesis", "fork": "deployed_native",
                                              "config": {"staking_token": "USDC"}})["error"]
    assert session.handle({"cmd": "genesis", "fork": "deployed_native"}) == {"ok": True}
    before = session.handle({"cmd": "state"})
    for op, code in [({"op": "nope"}, "UNKNOWN_OPERATION"),
                     ({"op": "flush", "args": {"sender": "a"}}, "MALFORMED_OPERATION"),
                     ({"op": "cancel_ask", "args": {"sender": "a", "ask_id": str(2**256)}}, "MALFORMED_OPERATION"),
                     ({"op": "cancel_ask", "args": {"sender": "a", "ask_id": "0"}}, "PANIC_0x32"),
                     ({"op": "pause", "args": {"sender": "mallory"}}, "AccessControlUnauthorizedAccount"),
                     ({"op": "advance_blocks", "args": {"blocks": "0"}}, "INVALID_TIME_STEP"),
                     ({"op": "mint", "args": {"account": "a", "token": "ETH", "amount": "1"}}, "UNKNOWN_TOKEN")]:
        assert session.handle({"cmd": "apply", "op": op}) == {"ok": False, "error_code": code}, op
    assert session.handle({"cmd": "state"}) == before  # rejected operations leave the chain and the head alone


def test_a_revert_no_abi_declares_is_answered_with_its_raw_selector(build):
    from eth_utils import keccak

    session = EvmSession(build)
    assert session.handle({"cmd": "genesis", "fork": "deployed_native"}) == {"ok": True}
    selector = keccak(text="AccessControlUnauthorizedAccount(address,bytes32)")[:4]
    del session.system.chain.index.errors[selector]  # as if the ABI did not declare it
    answer = session.handle({"cmd": "apply", "op": {"op": "pause", "args": {"sender": "mallory"}}})
    assert answer["ok"] is False
    assert answer["error_code"] == "UNKNOWN_REVERT_0x" + selector.hex()
    assert "unknown selector 0x" + selector.hex() in answer["error"]
