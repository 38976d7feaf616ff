"""The restaking lineage on its real L2 bytecode (initial-deploy-7cf6586, viaIR): the
deployed_restaking vectors pass on it, each finding replays with its evidence, the readings
replay, and bad input gets one clear error. Needs the contracts and npm; the builds (L2 viaIR,
Symbiotic core, Middleware) come from the cache or are compiled once, side by side, under a
lock shared with the other pytest worker (compile_two_chain: about 90 s of two cores cold);
otherwise skipped with the reason."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reference.evm import compile as evm_compile
from reference.evm.errors import ContractsVersionMismatch, ToolchainMissing
from reference.evm.restaking import compile as rc


def _contracts() -> Path:
    try:
        evm_compile.check_toolchain()
    except ToolchainMissing as exc:
        pytest.skip(f"restaking EVM checks need the npm toolchain: {exc}")
    contracts = rc.default_contracts_dir()
    if contracts is None:
        pytest.skip(f"the {rc.LINEAGE} snapshot is not beside the repo root and $KALYPSO_RESTAKING_CONTRACTS is not set")
    return contracts


@pytest.fixture(scope="module")
def restaking_build(restaking_builds):
    return restaking_builds[0]


def test_vectors_pass_on_the_bytecode(restaking_build):
    from reference.conformance.deployed_restaking.generate import FORK_DIR
    from reference.conformance.runner import run_conformance

    adapter = [sys.executable, "-m", "reference.evm.restaking.adapter", "--contracts", str(rc.default_contracts_dir())]
    report = run_conformance(adapter, FORK_DIR)
    assert report.failed == 0 and report.total >= 46, [f.message for f in report.failures[:3]]


def test_findings_replay_with_their_evidence(restaking_build):
    from reference.conformance.deployed_restaking.findings import FINDINGS_DIR
    from reference.evm.restaking.findings import replay_findings

    replays = {r.finding: r for r in replay_findings(restaking_build, FINDINGS_DIR)}
    assert all(r.agree for r in replays.values()), [r.first_difference for r in replays.values() if not r.agree]
    s1 = replays["S1 slash_compensation/counterexample"].evidence
    assert s1["TaskSlashed events in the slash step"] == 0 and s1["NativeStaking POND (chain)"] == "1000"
    assert replays["I7 stake_backing/counterexample"].evidence["bob's matured withdrawal afterwards"] == "ERC20InsufficientBalance"
    i8 = replays["I8 cross_chain_safety/counterexample"].evidence
    assert i8["age at deadline, s"] + 1 + 600 > 7 * 86_400  # what the fix (deadline + 1 + cooldown <= capture + epoch) refuses
    assert i8["reported promptly (landed <= deadline + 1 + submissionCooldown)"] is True
    # the escape search's trace on chain: the missed task's slash lands after the vault epoch closed
    assert i8["escaped: the slash lands after the epoch closed"] is True
    assert i8["slash result naming the bid landed at (block.timestamp)"] > i8["slashable on L1 until (capture + vault epoch)"]
    assert i8["TaskSlashed events in the slash step"] == 0 and i8["restaked stake of bob still locked after it"] == "0"


def test_the_assigner_picks_the_stake_token(restaking_build):
    from reference.evm.restaking.findings import replay_token_draw

    results = replay_token_draw(restaking_build)
    assert {k: v["chain_locked_native"] for k, v in results.items()} == {"POND": ["POND"], "WETH": ["WETH"]}


def test_a_draw_the_chain_does_not_make_is_reported(restaking_build):
    """An assign_task whose draw selects another token than the chain's keccak draw is answered
    with the message, not carried silently."""
    from reference.conformance.scenarios.deployed_restaking.world import BOB, World
    from reference.evm.restaking.adapter import RestakingSession
    from reference.evm.restaking.translate import chain_draw
    from spec.deployed_restaking import operations as ops
    from spec.deployed_restaking.containers import Config

    config = Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(100, 100))
    w = World(config=config).ready()
    w.fund(BOB, "WETH", 100)
    w.do(ops.Stake(BOB, "WETH", BOB, 100))
    w.bid()
    session = RestakingSession(restaking_build)
    session.handle({"cmd": "genesis", "fork": "deployed_restaking", "config": w.case("", "")["genesis"]["config"]})
    for step in w.steps:
        assert session.handle({"cmd": "apply", "op": {"op": step["op"], "args": step["args"]}}).get("ok") == step["expect"]["ok"]
    session.system.chain.set_head(session.head + 1, session.time + 1)
    other = chain_draw(session.system, session.blockhash_reader) + 1  # the other of two equal weights
    answer = session.handle({"cmd": "apply", "op": {"op": "assign_task", "args": {"sender": "engine-key", "bid_id": "0",
                                                                                  "prover": BOB, "draw": str(other)}}})
    assert answer["ok"] is False and "cannot carry assign_task.draw" in answer["error"]


def test_middleware_never_calls_execute_slash(restaking_builds):
    import json

    from reference.evm.restaking.findings import middleware_selectors

    build = restaking_builds[2]
    runtime = bytes.fromhex(json.loads((evm_compile.cache_root() / build.key / "artifacts.json").read_text())
                            ["contracts"]["Middleware"]["runtime"])
    assert middleware_selectors(runtime) == {"requestSlash pushed": True, "executeSlash pushed": False}


def test_another_lineage_is_one_clear_error():
    contracts = _contracts()
    native = contracts.parent / "master-66d489f"
    if not native.is_dir():
        pytest.skip("the master-66d489f snapshot is not beside initial-deploy-7cf6586")
    with pytest.raises(ContractsVersionMismatch, match="not the restaking lineage"):
        rc.compile_restaking(native, cache_only=True)
    run = subprocess.run([sys.executable, "-m", "reference.evm.restaking.adapter", "--contracts", str(native)],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "contracts-version" in run.stderr


@pytest.mark.slow
def test_cold_compile(tmp_path, monkeypatch):
    """The viaIR compile from nothing (about two minutes on two cores), then from the cache."""
    contracts = _contracts()
    monkeypatch.setenv("KALYPSO_CACHE", str(tmp_path))
    cold = rc.compile_restaking(contracts)
    warm = rc.compile_restaking(contracts, cache_only=True)
    assert not cold.cached and warm.cached and warm.key == cold.key and set(cold.artifacts) >= {"ProofMarketplace", "SymbioticStaking"}
