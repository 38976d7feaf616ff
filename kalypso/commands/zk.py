"""`kalypso zk`: Groth16 on BN254 with the reference prover (setup | prove | verify | export).

Circuits are the project's JSON format (``kalypso.circuit``, with a witness program) or circom
``.r1cs`` files (witness from a snarkjs ``.wtns``). Keys are snarkjs ``.zkey`` files, verification
keys, proofs and public signals snarkjs JSON, so either tool can take over at any step.
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

INSECURE = "INSECURE setup: the toxic waste is derived from the seed; anyone who knows it can forge proofs."


def register(parser) -> None:
    sub = parser.add_subparsers(dest="zk_command", metavar="STEP")
    sub.required = True

    p = sub.add_parser("setup", help="INSECURE seeded Groth16 setup: writes circuit.zkey and verification_key.json")
    p.add_argument("circuit", type=Path, help="circuit: .json (kalypso.circuit) or circom .r1cs")
    p.add_argument("--seed", required=True, help="setup seed (text); the toxic waste derives from it")
    p.add_argument("--out", type=Path, required=True, help="output directory")

    p = sub.add_parser("prove", help="prove with the reference prover: writes proof.json and public.json")
    p.add_argument("circuit", type=Path, help="circuit: .json (kalypso.circuit) or circom .r1cs")
    p.add_argument("--zkey", type=Path, required=True, help="proving key (.zkey, ours or snarkjs')")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--inputs", type=Path, help="inputs JSON {name: decimal string} (JSON circuits)")
    src.add_argument("--wtns", type=Path, help="witness file (.wtns)")
    p.add_argument("--seed", required=True, help="blinding seed (text); use a fresh secret for zero knowledge")
    p.add_argument("--backend", default="reference", help="reference | cpu | gpu (default: reference)")
    p.add_argument("--out", type=Path, required=True, help="output directory")

    p = sub.add_parser("verify", help="verify a proof (exit 0: valid, 1: invalid)")
    p.add_argument("--vk", type=Path, required=True, help="verification_key.json")
    p.add_argument("--public", type=Path, required=True, help="public.json")
    p.add_argument("--proof", type=Path, required=True, help="proof.json")

    p = sub.add_parser("export", help="export an example circuit, a verification key, or market bytes")
    what = p.add_subparsers(dest="export_what", metavar="WHAT")
    what.required = True
    e = what.add_parser("circuit", help="an example circuit as .json (kalypso.circuit) or circom .r1cs")
    e.add_argument("example", choices=["cubic", "mimc", "merkle"])
    e.add_argument("--param", action="append", default=[], metavar="NAME=INT",
                   help="circuit parameter: cubic repetitions; mimc iterations, rounds; merkle depth, rounds")
    e.add_argument("--out", type=Path, required=True)
    e = what.add_parser("vk", help="verification_key.json from a .zkey")
    e.add_argument("--zkey", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    e = what.add_parser("market", help="market bytes (hex JSON): public inputs, proof, verifying key")
    e.add_argument("--public", type=Path, required=True)
    e.add_argument("--proof", type=Path, required=True)
    e.add_argument("--vk", type=Path, help="verification_key.json (optional)")


@contextmanager
def _progress(title: str):
    from rich.console import Console

    console = Console(stderr=True, log_path=False)
    with console.status(title) as status:
        yield lambda msg: (status.update(msg), console.log(msg))


def _load_circuit(path: Path):
    """(R1CS, Circuit or None) from a .json circuit or a circom .r1cs."""
    from reference.zk.binfile import read_r1cs
    from reference.zk.r1cs import circuit_from_json

    if path.suffix == ".r1cs":
        return read_r1cs(path.read_bytes()).r1cs, None
    circuit = circuit_from_json(json.loads(path.read_text()))
    return circuit.r1cs, circuit


def _write_json(path: Path, doc) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(path)


def _setup(args) -> int:
    from reference.zk.binfile import write_zkey
    from reference.zk.groth16 import setup
    from reference.zk.snarkjs import vk_to_json

    r1cs, _ = _load_circuit(args.circuit)
    print(INSECURE, file=sys.stderr)
    with _progress("setup") as say:
        pk = setup(r1cs, args.seed.encode(), progress=say)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "circuit.zkey").write_bytes(write_zkey(pk, r1cs))
    print(args.out / "circuit.zkey")
    _write_json(args.out / "verification_key.json", vk_to_json(pk.vk))
    return 0


def _inputs(doc) -> dict[str, int]:
    """Circuit inputs from JSON: {name: decimal string or integer}."""
    from reference.zk.r1cs import CircuitError

    if not isinstance(doc, dict):
        raise CircuitError("inputs: expected a JSON object {name: value}")
    out = {}
    for name, value in doc.items():
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise CircuitError(f"inputs.{name}: expected a decimal string or a non-negative integer")
        out[name] = value
    return out


def _prove(args) -> int:
    from reference.fast import get_backend
    from reference.zk.binfile import check_zkey_matches, read_wtns, read_zkey
    from reference.zk.groth16 import blinding_from_seed, prove
    from reference.zk.snarkjs import proof_to_json, public_to_json

    r1cs, circuit = _load_circuit(args.circuit)
    backend = get_backend(args.backend)
    if args.wtns:
        witness = read_wtns(args.wtns.read_bytes())
    elif circuit is None:
        raise SystemExit("kalypso zk prove: --inputs needs a .json circuit; use --wtns with a .r1cs")
    else:
        witness = circuit.witness(_inputs(json.loads(args.inputs.read_text())))
    with _progress("prove") as say:
        say("reading the proving key")
        zkey = read_zkey(args.zkey.read_bytes())
        check_zkey_matches(zkey, r1cs)
        proof = prove(zkey.pk, r1cs, witness, *blinding_from_seed(args.seed.encode()), backend=backend, progress=say)
    args.out.mkdir(parents=True, exist_ok=True)
    _write_json(args.out / "proof.json", proof_to_json(proof))
    _write_json(args.out / "public.json", public_to_json(r1cs.public_signals(witness)))
    return 0


def _verify(args) -> int:
    from reference.zk.groth16 import verify
    from reference.zk.snarkjs import proof_from_json, public_from_json, vk_from_json

    vk = vk_from_json(json.loads(args.vk.read_text()))
    public = public_from_json(json.loads(args.public.read_text()))
    proof = proof_from_json(json.loads(args.proof.read_text()))
    ok = verify(vk, public, proof)
    print("valid" if ok else "INVALID")
    return 0 if ok else 1


def _params(pairs: list[str]) -> dict[str, int]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not value.isdigit():
            raise SystemExit(f"kalypso zk export circuit: --param {pair!r} is not NAME=INT")
        out[name] = int(value)
    return out


def _export(args) -> int:
    if args.export_what == "circuit":
        from reference.zk.binfile import write_r1cs
        from reference.zk.circuits import EXAMPLES
        from reference.zk.r1cs import circuit_to_json

        circuit = EXAMPLES[args.example](**_params(args.param))
        if args.out.suffix == ".r1cs":
            args.out.write_bytes(write_r1cs(circuit.r1cs, n_outputs=len(circuit.outputs)))
            print(args.out)
        else:
            _write_json(args.out, circuit_to_json(circuit))
        print(f"{len(circuit.r1cs.constraints)} constraints, {circuit.r1cs.n_vars} signals", file=sys.stderr)
        return 0
    if args.export_what == "vk":
        from reference.zk.binfile import read_zkey
        from reference.zk.snarkjs import vk_to_json

        _write_json(args.out, vk_to_json(read_zkey(args.zkey.read_bytes()).pk.vk))
        return 0
    from reference.zk.market import encode_proof, encode_public_inputs, encode_verifying_key
    from reference.zk.snarkjs import proof_from_json, public_from_json, vk_from_json

    doc = {
        "public_inputs_hex": encode_public_inputs(public_from_json(json.loads(args.public.read_text()))).hex(),
        "proof_hex": encode_proof(proof_from_json(json.loads(args.proof.read_text()))).hex(),
    }
    if args.vk:
        doc["verifying_key_hex"] = encode_verifying_key(vk_from_json(json.loads(args.vk.read_text()))).hex()
    print(json.dumps(doc, indent=1, sort_keys=True))
    return 0


def run(args) -> int:
    from reference.zk.backend import BackendError
    from reference.zk.binfile import BinFormatError
    from reference.zk.groth16 import Groth16Error
    from reference.zk.r1cs import CircuitError
    from reference.zk.snarkjs import SnarkjsFormatError

    step = {"setup": _setup, "prove": _prove, "verify": _verify, "export": _export}[args.zk_command]
    try:
        return step(args)
    except (BackendError, BinFormatError, Groth16Error, CircuitError, SnarkjsFormatError, ValueError, OSError) as exc:
        print(f"kalypso zk {args.zk_command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
