"""Prover self-check: Groth16 setup / prove / verify of the example circuits, a tampered
statement rejected, and (where node and node_modules are present) snarkjs verifying our proofs."""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

from kalypso.audit.model import Check, SectionOutput, Status, section

AREA = "Groth16 prover"


def example_circuits(zk_circuits, sizes: dict):
    """(circuit, inputs) pairs of the example circuits at the budget's sizes."""
    out = []
    if "cubic" in sizes:
        out.append((zk_circuits.cubic_circuit(sizes["cubic"]), {"x": 3}))
    if "mimc" in sizes:
        out.append((zk_circuits.mimc_preimage_circuit(sizes["mimc"]), {"preimage": 7}))
    if "merkle" in sizes:
        depth = sizes["merkle"]
        leaves = list(range(1, 2**depth + 1))
        out.append((zk_circuits.merkle_circuit(depth), zk_circuits.merkle_inputs(leaves, 1)))
    return out


def prove_round_trip(groth16, circuit, inputs, seed: int):
    """(pk, public, proof, verified, tampered_rejected) for one circuit."""
    material = hashlib.sha256(f"kalypso-audit/{circuit.name}/{seed}".encode()).digest()
    pk = groth16.setup(circuit.r1cs, material)
    witness = circuit.witness(inputs)
    r, s = groth16.blinding_from_seed(material)
    proof = groth16.prove(pk, circuit.r1cs, witness, r, s)
    public = list(circuit.r1cs.public_signals(witness))
    verified = groth16.verify(pk.vk, public, proof)
    tampered = [(public[0] + 1) % groth16.R] + public[1:] if public else public
    rejected = bool(public) and not groth16.verify(pk.vk, tampered, proof)
    return pk, public, proof, verified, rejected


def snarkjs_cross_check(snarkjs_formats, nodetools, pk, public, proof) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "vk.json").write_text(json.dumps(snarkjs_formats.vk_to_json(pk.vk)))
        (tmp / "public.json").write_text(json.dumps(snarkjs_formats.public_to_json(public)))
        (tmp / "proof.json").write_text(json.dumps(snarkjs_formats.proof_to_json(proof)))
        return nodetools.snarkjs_verify(tmp / "vk.json", tmp / "public.json", tmp / "proof.json")


@section("prover", AREA, cost=2, budgets={
    "quick": {"cubic": 1},
    "default": {"cubic": 4, "mimc": 1, "merkle": 2},
    "thorough": {"cubic": 16, "mimc": 4, "merkle": 4},
})
def prover(ctx) -> SectionOutput:
    from reference.zk import circuits as zk_circuits
    from reference.zk import groth16, nodetools
    from reference.zk import snarkjs as formats

    node_missing = nodetools.missing_reason()
    circuits = example_circuits(zk_circuits, ctx.budget)
    checks, notes = [], []
    for i, (circuit, inputs) in enumerate(circuits):
        ctx.progress(f"{circuit.name}: setup/prove/verify", completed=i, total=len(circuits))
        start = time.perf_counter()
        pk, public, proof, verified, rejected = prove_round_trip(groth16, circuit, inputs, ctx.seed)
        ok = verified and rejected
        detail = f"{len(circuit.r1cs.constraints)} constraints; verify={verified}; tampered public input rejected={rejected}"
        checks.append(Check(f"{circuit.name}: setup, prove, verify", Status.PASS if ok else Status.FAIL,
                            count=len(circuit.r1cs.constraints), seconds=time.perf_counter() - start, seed=ctx.seed,
                            detail=detail, trace=None if ok else f"inputs={inputs}\npublic={public}\n{detail}"))
        name = f"{circuit.name}: snarkjs verifies our proof"
        if node_missing:
            checks.append(Check(name, Status.NOT_AVAILABLE, detail=node_missing))
            continue
        start = time.perf_counter()
        accepted = snarkjs_cross_check(formats, nodetools, pk, public, proof)
        checks.append(Check(name, Status.PASS if accepted else Status.FAIL, seconds=time.perf_counter() - start,
                            seed=ctx.seed, detail="snarkjs groth16 verify: OK" if accepted else "snarkjs rejected the proof"))
    ctx.progress("done", completed=len(circuits), total=len(circuits))
    if node_missing:
        notes.append(f"snarkjs cross-check not available: {node_missing}")
    return SectionOutput(checks=tuple(checks), notes=tuple(notes))
