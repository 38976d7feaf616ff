"""Benchmarks of the EVM harness: compile (cold, cached), transactions per second on pyrevm
against py-evm/eth-tester (the alternative a user would pick), the full deployed_native vector
replay through the adapter, and gas (submitProof, the Groth16 verifier against EIP-197).

Run: `kalypso bench --only evm` (writes the `EVM harness` section of docs/benchmarks.md) or
`python -m reference.evm.bench` (prints it). Needs node, the pinned npm packages and the
contracts ($KALYPSO_CONTRACTS or ../shared/kalypso-contracts/master-66d489f).
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from reference.evm import compile as evm_compile
from reference.machine import describe, load_average

REPO = Path(__file__).resolve().parents[2]
LIFECYCLE_RUNS = 20


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in load_average())


def _lifecycle_rate(make_chain, build, runs: int) -> tuple[int, float]:
    """(transactions per lifecycle, seconds per lifecycle): deploy outside the timing, then the
    41-transaction lifecycle of reference.evm.lifecycle; median over `runs`."""
    from reference.evm.abi import AbiIndex
    from reference.evm.deploy import deploy_kalypso
    from reference.evm.lifecycle import run_lifecycle

    times, count = [], 0
    for _ in range(runs):
        system = deploy_kalypso(build, chain=make_chain(AbiIndex(a.abi for a in build.artifacts.values())))
        start = time.perf_counter()
        count = run_lifecycle(system)
        times.append(time.perf_counter() - start)
    times.sort()
    return count, times[len(times) // 2]


def _compile_rows(contracts: Path) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, KALYPSO_CACHE=cache)
        for label in ("cold (empty cache)", "cached"):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "reference.evm.compile", "--contracts", str(contracts)],
                                  env=env, cwd=REPO, capture_output=True, text=True)
            wall = time.perf_counter() - start
            ok = proc.returncode == 0
            rows.append(f"| {label} | {wall:.2f} | {'ok' if ok else 'FAILED: ' + proc.stderr.strip()[-120:]} |")
    return rows


def _replay(contracts: Path) -> str:
    vectors = REPO / "vectors" / "deployed_native"
    adapter = f"{shlex.quote(sys.executable)} -m reference.evm.adapter --contracts {shlex.quote(str(contracts))}"
    cmd = [sys.executable, "-m", "kalypso", "conform", "--adapter", adapter, "--vectors", str(vectors), "--timeout", "60"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = next((line for line in proc.stdout.splitlines() if "cases passed" in line), proc.stdout.strip()[-200:])
    return f"{wall:.1f} s wall for the whole command (adapter start and compile-cache load included): {summary.strip()}"


def _gas_rows(build, contracts: Path) -> list[str]:
    from reference.evm.deploy import deploy_kalypso
    from reference.evm.lifecycle import ENGINE_KEY, assign, create_ask, fund, stand_in_proof
    from reference.evm.deploy import PUBLIC, encoded_pcrs

    system = deploy_kalypso(build)
    c, pmp = system.chain, system.marketplace
    system.register_engine(ENGINE_KEY)
    for name in ("creator", "alice", "prover"):
        fund(system, name, 10**24)
    pmp.must("createMarketplace", b"m", system.verifier.address, 10**18, encoded_pcrs(PUBLIC), encoded_pcrs("ivs"), sender="creator")
    c.set_block(c.block + 100)
    system.generators.must("register", c.addr("prover"), 100, 5 * 10**18, b"p", sender="prover")
    system.generators.must("joinMarketplace", 0, 10, 10**17, 50, False, b"", b"", sender="prover")
    ask = create_ask(system, "alice", 0, 10**18, 20, 50, b"inputs")
    assign(system, ask, "prover")
    gas = pmp.must("submitProof", ask, stand_in_proof(b"inputs"), sender="anyone").gas_used
    rows = [f"| submitProof, stand-in verifier (sha256) | {gas:,} | — |"]
    rows += _groth16_rows(contracts)
    return rows


def _groth16_rows(contracts: Path) -> list[str]:
    from reference.zk import nodetools

    reason = nodetools.missing_reason()
    if reason:
        return [f"| Groth16 rows | not measured: {reason} | |"]
    from reference.evm.deploy import deploy_kalypso
    from reference.evm.onchain import (
        SNARKJS_NAME, compile_groth16, eip197_pairing_gas, groth16_precompile_gas, prove_on_chain, verify_call_gas,
    )

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        r1cs, wasm = nodetools.circom_compile(REPO / "tests" / "zk" / "circom" / "cubic.circom", d)
        (d / "input.json").write_text(json.dumps({"x": "3", "k": "2"}))
        nodetools.snarkjs("wtns", "calculate", wasm, d / "input.json", d / "w.wtns")
        zk = [sys.executable, "-m", "kalypso", "zk"]  # our prover, as a user runs it
        subprocess.run([*zk, "setup", str(r1cs), "--seed", "bench", "--out", str(d / "keys")], check=True, capture_output=True, cwd=REPO)
        subprocess.run([*zk, "prove", str(r1cs), "--zkey", str(d / "keys/circuit.zkey"), "--wtns", str(d / "w.wtns"),
                        "--seed", "bench", "--out", str(d / "proof")], check=True, capture_output=True, cwd=REPO)
        nodetools.snarkjs("zkey", "export", "solidityverifier", d / "keys/circuit.zkey", d / "snarkjs.sol")
        vk = json.loads((d / "keys/verification_key.json").read_text())
        proof = json.loads((d / "proof/proof.json").read_text())
        public = json.loads((d / "proof/public.json").read_text())
        groth16 = compile_groth16(vk, contracts, (d / "snarkjs.sol").read_text())
    system = deploy_kalypso(evm_compile.compile_kalypso(contracts))
    result = prove_on_chain(system, groth16, proof, public)
    theirs = system.chain.deploy("0x" + "11" * 20, groth16[SNARKJS_NAME])
    _, snark_gas = verify_call_gas(system, theirs, proof, public)
    n = len(public)
    bound = groth16_precompile_gas(n)
    return [
        f"| submitProof, Groth16 (circom cubic, {n} public inputs, our generated verifier) | {result.submit_proof_gas:,} | "
        f"ask COMPLETE: {result.ask_state == 4} |",
        f"| verifyProof, our generated verifier (execution gas) | {result.verifier_gas:,} | "
        f"precompiles alone: {bound:,} = pairing {eip197_pairing_gas():,} (34000·4 + 45000) + {n}·(6000 + 150); "
        f"overhead {result.verifier_gas - bound:,} |",
        f"| verifyProof, snarkjs 0.7.6 exported verifier (execution gas) | {snark_gas:,} | overhead {snark_gas - bound:,} |",
    ]


def run_evm_bench(quick: bool = False) -> str:
    from reference.evm.chain import Chain
    from reference.evm import pyevm_chain

    reason = evm_compile.missing_reason()
    if reason:
        return f"## EVM harness (reference.evm)\n\nNot available: {reason}."
    contracts = evm_compile.default_contracts_dir()
    host = describe()
    lines = ["## EVM harness (reference.evm)", ""]
    compile_rows = _compile_rows(contracts)
    build = evm_compile.compile_kalypso(contracts)
    runs = 3 if quick else LIFECYCLE_RUNS
    slow_runs = max(1, runs // 5)
    n, t = _lifecycle_rate(Chain, build, runs)
    rate_rows = [f"| pyrevm 0.3.7 (revm) | {n} | {t * 1000:.1f} | {n / t:,.0f} |"]
    if pyevm_chain.available():
        n2, t2 = _lifecycle_rate(pyevm_chain.PyEvmChain, build, slow_runs)
        rate_rows.append(f"| py-evm via eth-tester | {n2} | {t2 * 1000:.1f} | {n2 / t2:,.0f} |")
    else:
        rate_rows.append("| py-evm via eth-tester | — | — | not installed (`pip install -e '.[evm-compare]'`) |")
    replay = _replay(contracts)
    gas_rows = _gas_rows(build, contracts)
    lines += [
        f"Machine: {host}, {_load()} at the end. Command: `kalypso bench --only evm` "
        f"(`reference.evm.bench.run_evm_bench`), {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Contracts: "
        f"`{contracts.name}`; npm solc {evm_compile.EXPECTED_SOLC} (solc-js), OpenZeppelin {evm_compile.EXPECTED_OZ}, optimizer 200 runs.",
        "",
        "### Compile (`python -m reference.evm.compile`, whole process)",
        "",
        "| cache | wall (s) | result |", "|---|---:|---|", *compile_rows,
        "",
        "### Transactions per second (the same lifecycle on each EVM)",
        "",
        f"A fresh deployment, then the fixed lifecycle of `reference.evm.lifecycle` (engine registration, funding, "
        f"market, prover, 4 asks, batch assignment, proof, discard, slash, cancel, flushes, unstake, deregister); "
        f"median of {runs} runs on pyrevm and {slow_runs} on py-evm, deployment not timed; py-evm also mines the "
        f"~160 empty blocks the lifecycle waits (pyrevm sets the block number).",
        "",
        "| EVM | transactions | ms per lifecycle | tx/s |", "|---|---:|---:|---:|", *rate_rows,
        "",
        "### Full deployed_native vector replay on the bytecode",
        "",
        replay,
        "",
        "### Gas",
        "",
        "| what | gas | notes |", "|---|---:|---|", *gas_rows,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run_evm_bench(quick="--quick" in sys.argv))
