"""Groth16 verification benchmark, whole process and in process, side by side in one run: ``snarkjs groth16
verify`` against ``kalypso zk verify`` on each pairing library (``--backend arkworks | mcl | reference``), with
the interpreter's own start-up beside them; then one proof in process on each library and on the market
verifier (bytes). ``run_verify_bench()`` returns the markdown section.

The proof is ours on the 2^10 circuit of ``reference.zk.bench`` (the same key and witness; snarkjs checks it
first). Whole-process rows are measured in rounds, one run of each command per round, so that a drift of the
machine's speed reaches every row alike; each row is the median over the rounds. Python commands run as a user
runs them: with compiled bytecode cached (``reference.zk.bench.user_env``).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from reference.machine import cpu_model, load_average
from reference.zk import nodetools
from reference.zk.bench import Say, _fmt, measure, prepare

ROUNDS = 11
IN_PROCESS = 50


def _proof(f: dict, say: Say) -> tuple[Path, Path]:
    """Our proof of the 2^10 witness as snarkjs JSON (cached), checked by snarkjs."""
    from reference.fast.cpu_prover import Prover
    from reference.zk.groth16 import blinding_from_seed
    from reference.zk.snarkjs import proof_to_json, public_to_json

    out = f["dir"] / "verify"
    public_path, proof_path = out / "public.json", out / "proof.json"
    if not proof_path.exists():
        say("verify: proving once")
        out.mkdir(parents=True, exist_ok=True)
        proof, public = Prover.load(f["zkey"], r1cs=f["r1cs"]).prove(f["wtns"], *blinding_from_seed(b"verify-bench"))
        public_path.write_text(json.dumps(public_to_json(public)))
        proof_path.write_text(json.dumps(proof_to_json(proof)))
    if not nodetools.snarkjs_verify(f["vk"], public_path, proof_path):
        raise RuntimeError("verify bench: snarkjs rejects our proof")
    return public_path, proof_path


def run_verify_bench(say: Say | None = None, rounds: int = ROUNDS) -> str:
    say = say or (lambda _m: None)
    reason = nodetools.missing_reason()
    header = [
        "### Groth16 verify: snarkjs and `kalypso zk verify`, whole process and in process",
        "",
        f"Machine: {cpu_model()}; Python {sys.version.split()[0]}. Command: `kalypso bench --only verify` "
        "(`reference.zk.verify_bench`). One proof of the 2^10 Poseidon chain (1 public signal), snarkjs JSON.",
        "",
    ]
    if reason:
        return "\n".join(header + [f"Not run: {reason}."]) + "\n"
    from reference.zk.verifier import Verifier

    f = prepare(10, say)
    public_path, proof_path = _proof(f, say)
    kalypso = Path(sys.executable).parent / "kalypso"
    zk_verify = [kalypso, "zk", "verify", "--vk", f["vk"], "--public", public_path, "--proof", proof_path]
    rows = {
        "`snarkjs groth16 verify` (0.7.6)": [nodetools.BIN / "snarkjs", "groth16", "verify", f["vk"], public_path, proof_path],
        "`kalypso zk verify` (default: arkworks)": zk_verify,
        "`kalypso zk verify --backend mcl`": [*zk_verify, "--backend", "mcl"],
        "`kalypso zk verify --backend reference` (py_ecc points)": [*zk_verify, "--backend", "reference"],
        "`python -c pass` (the interpreter's start-up)": [sys.executable, "-c", "pass"],
        "`python -S -c pass` (no site, no editable-install finder)": [sys.executable, "-S", "-c", "pass"],
    }
    for cmd in rows.values():
        measure(cmd)  # bytecode compiled and caches warm before anything is timed
    load = load_average()[0]
    walls: dict[str, list[float]] = {name: [] for name in rows}
    for i in range(rounds):
        say(f"verify: round {i + 1} of {rounds}")
        for name, cmd in rows.items():
            walls[name].append(measure(cmd)[0])
    load_after = load_average()[0]

    vk_doc = json.loads(f["vk"].read_text())
    public_doc, proof_doc = json.loads(public_path.read_text()), json.loads(proof_path.read_text())
    in_process = {}
    for backend in ("arkworks", "mcl", "reference"):
        in_process[backend] = _median_call(Verifier(vk_doc, backend), public_doc, proof_doc)
    in_process["market"] = _market(vk_doc, public_doc, proof_doc)

    lines = header + [
        f"Whole process: median of {rounds} rounds (wall time, `wait4`), 1-minute load {load:.1f} → {load_after:.1f}.",
        "",
        "| command | wall (median) | min | max |",
        "|---|---:|---:|---:|",
    ]
    for name, w in walls.items():
        lines.append(f"| {name} | {_fmt(statistics.median(w))} | {_fmt(min(w))} | {_fmt(max(w))} |")
    lines += [
        "",
        f"In process, one proof (median of {IN_PROCESS}): `Verifier(vk, backend)(public, proof)` arkworks "
        f"{_fmt(in_process['arkworks'])}, mcl {_fmt(in_process['mcl'])}, reference {_fmt(in_process['reference'])}; "
        f"the market verifier on bytes (`reference.zk.market`, mcl) {_fmt(in_process['market'])}.",
    ]
    return "\n".join(lines) + "\n"


def _market(vk_doc, public_doc, proof_doc) -> float:
    from reference.zk.market import encode_proof, encode_public_inputs, groth16_verifier
    from reference.zk.snarkjs import proof_from_json, public_from_json, vk_from_json

    public, proof = encode_public_inputs(public_from_json(public_doc)), encode_proof(proof_from_json(proof_doc))
    return _median_call(groth16_verifier(vk_from_json(vk_doc)), public, proof)


def _median_call(verify, public, proof) -> float:
    """Median seconds of IN_PROCESS calls of `verify(public, proof)`, which must accept the proof."""
    assert verify(public, proof) is True
    times = []
    for _ in range(IN_PROCESS):
        t = time.perf_counter()
        verify(public, proof)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
