"""Groth16 benchmark: our reference prover next to snarkjs on the same R1CS, in the same run.

``run_zk_bench()`` returns a markdown section. The circuit is the MiMC-5 hash chain
(``mimc_preimage_circuit``) sized to fill a 2^k domain; snarkjs gets the identical constraint
system and witness through our .r1cs/.wtns writers and a one-contribution powers of tau.
Not run by the tests (``make bench`` / ``kalypso bench``).
"""
from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from reference.machine import cpu_model
from reference.zk import nodetools
from reference.fast import get_backend
from reference.zk.backend import BackendUnavailable
from reference.zk.binfile import write_r1cs, write_wtns
from reference.zk.circuits import MIMC_ROUNDS, mimc_preimage_circuit
from reference.zk.groth16 import blinding_from_seed, domain_size_for, prove, setup, verify
from reference.zk.snarkjs import proof_from_json, proof_to_json, public_from_json, public_to_json, vk_to_json

Say = Callable[[str], None]


def iterations_for(log_n: int, rounds: int = MIMC_ROUNDS) -> int:
    """Most MiMC chain iterations whose circuit fits the 2^log_n domain."""
    it = 1
    while domain_size_for(mimc_preimage_circuit(it + 1, rounds).r1cs) <= 1 << log_n:
        it += 1
    return it


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run_zk_bench(log_sizes: Sequence[int] = (10, 12), backends: Sequence[str] = ("reference", "cpu", "gpu"),
                 say: Say | None = None) -> str:
    """Time setup / prove / verify for ours and snarkjs; return the markdown section."""
    say = say or (lambda _m: None)
    load_before = os.getloadavg()[0]
    loaded = []
    for name in backends:
        try:
            loaded.append(get_backend(name))
        except BackendUnavailable as exc:
            say(f"skipping backend {name}: {exc}")
    node_reason = nodetools.missing_reason()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kalypso-zk-bench-") as tmp:
        tmp = Path(tmp)
        ptau = None
        if node_reason is None:
            say(f"snarkjs: powers of tau 2^{max(log_sizes)} (not timed)")
            ptau = nodetools.prepare_ptau(max(log_sizes), tmp / "ptau", "kalypso-bench")
        for log_n in log_sizes:
            it = iterations_for(log_n)
            circuit = mimc_preimage_circuit(it)
            witness = circuit.witness({"preimage": 1})
            public = circuit.r1cs.public_signals(witness)
            m = len(circuit.r1cs.constraints)
            say(f"2^{log_n}: ours setup ({m} constraints)")
            pk, t_setup = _timed(lambda: setup(circuit.r1cs, b"bench"))
            r, s = blinding_from_seed(b"bench")
            for backend in loaded:
                say(f"2^{log_n}: ours prove ({backend.name})")
                proof, t_prove = _timed(lambda: prove(pk, circuit.r1cs, witness, r, s, backend=backend))
                ok, t_verify = _timed(lambda: verify(pk.vk, public, proof))
                rows.append((log_n, m, f"ours ({backend.name})", t_setup, t_prove, t_verify, ok))
            if ptau is not None:
                d = tmp / f"n{log_n}"
                d.mkdir()
                (d / "c.r1cs").write_bytes(write_r1cs(circuit.r1cs, n_outputs=1))
                (d / "w.wtns").write_bytes(write_wtns(witness))
                say(f"2^{log_n}: snarkjs setup")
                _, s_setup = _timed(lambda: nodetools.snarkjs("groth16", "setup", d / "c.r1cs", ptau, d / "c.zkey"))
                nodetools.snarkjs("zkey", "export", "verificationkey", d / "c.zkey", d / "vk.json")
                say(f"2^{log_n}: snarkjs prove")
                _, s_prove = _timed(lambda: nodetools.snarkjs("groth16", "prove", d / "c.zkey", d / "w.wtns", d / "p.json", d / "pub.json"))
                s_ok, s_verify = _timed(lambda: nodetools.snarkjs_verify(d / "vk.json", d / "pub.json", d / "p.json"))
                theirs = proof_from_json(json.loads((d / "p.json").read_text()))
                (d / "ours.json").write_text(json.dumps(proof_to_json(proof)))
                (d / "ours_vk.json").write_text(json.dumps(vk_to_json(pk.vk)))
                (d / "ours_pub.json").write_text(json.dumps(public_to_json(public)))
                cross = (
                    public_from_json(json.loads((d / "pub.json").read_text())) == public
                    and nodetools.snarkjs_verify(d / "ours_vk.json", d / "ours_pub.json", d / "ours.json")
                    and not verify(pk.vk, public, theirs)  # different keys: must not cross-verify
                )
                rows.append((log_n, m, "snarkjs 0.7.6", s_setup, s_prove, s_verify, s_ok and cross))
    lines = [
        "### Groth16 reference prover",
        "",
        f"Machine: {os.cpu_count()} CPUs (`nproc`), {cpu_model()}; Python {platform.python_version()}; "
        f"1-minute load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after the run.",
        "Command: `make bench` (`reference.zk.bench.run_zk_bench`). Circuit: MiMC-5 hash chain "
        f"({MIMC_ROUNDS} rounds per hash, 3 constraints per round), identical R1CS and witness for both tools.",
        "Ours: pure Python (py_ecc points, Pippenger MSM, radix-2 NTT) with the heavy primitives on the named backend; setup is the INSECURE seeded one (backend-independent, one figure per size) and verify always uses py_ecc. "
        "snarkjs: `groth16 setup` on a one-contribution powers of tau (ptau preparation not timed), "
        "`groth16 prove`, `groth16 verify`; wall time of each CLI call, including node start-up.",
        "",
        "| domain | constraints | prover | setup (s) | prove (s) | verify (s) | checks |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for log_n, m, who, a, b, c, ok in rows:
        lines.append(f"| 2^{log_n} | {m} | {who} | {a:.2f} | {b:.2f} | {c:.2f} | {'ok' if ok else 'FAILED'} |")
    if node_reason:
        lines.append(f"\nsnarkjs not run: {node_reason}.")
    lines.append("\n`checks`: the proof verifies; for snarkjs also: snarkjs accepts our proof with our key, "
                 "and the public signals agree.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from rich.console import Console

    console = Console(stderr=True, log_path=False)
    print(run_zk_bench(say=console.log))
