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

from kalypso.args import lazy_subparsers, non_negative_int

MAX_JSON_BYTES = 256 << 20
INSECURE = "INSECURE setup: the toxic waste is derived from the seed; anyone who knows it can forge proofs."


def _args_setup(p) -> None:
    p.add_argument("circuit", type=Path, help="circuit: .json (kalypso.circuit) or circom .r1cs")
    p.add_argument("--seed", required=True, help="setup seed (text); the toxic waste derives from it")
    p.add_argument("--backend", default="reference", help="reference | cpu (the same key, on limb arrays)")
    p.add_argument("--out", type=Path, required=True, help="output directory")


def _args_prove(p) -> None:
    p.add_argument("circuit", type=Path, help="circuit: .json (kalypso.circuit) or circom .r1cs")
    p.add_argument("--zkey", type=Path, required=True, help="proving key (.zkey, ours or snarkjs')")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--inputs", type=Path, help="inputs JSON {name: decimal string} (JSON circuits)")
    src.add_argument("--wtns", type=Path, help="witness file (.wtns)")
    p.add_argument("--wasm", type=Path, help="circom witness generator (.wasm): with --inputs, the witness of a .r1cs without Node")
    p.add_argument("--seed", required=True, help="blinding seed (text); use a fresh secret for zero knowledge")
    p.add_argument("--backend", default="reference",
                   help="reference | cpu (persistent fast prover, key as arrays) | gpu (default: reference)")
    p.add_argument("--out", type=Path, required=True, help="output directory")


def _args_witness(p) -> None:
    p.add_argument("--wasm", type=Path, required=True, help="circom witness generator (.wasm)")
    p.add_argument("--inputs", type=Path, required=True, help="inputs JSON (as for snarkjs wtns calculate)")
    p.add_argument("--out", type=Path, required=True, help="output .wtns")


def _args_prove_batch(p) -> None:
    p.add_argument("circuit", type=Path, help="circom .r1cs")
    p.add_argument("--zkey", type=Path, required=True, help="proving key (.zkey, ours or snarkjs')")
    p.add_argument("--witnesses", required=True, help="a directory of .wtns files, or - for .wtns paths on stdin")
    p.add_argument("--seed", required=True, help="blinding seed; each witness uses SEED/<file stem>")
    p.add_argument("--out", type=Path, required=True, help="output directory: <stem>/proof.json, <stem>/public.json")
    p.add_argument("--precompute", type=non_negative_int, default=0, metavar="MIB",
                   help="build MSM tables of up to MIB MiB at load (slower start, faster proofs; default 0: none)")


def _args_verify(p) -> None:
    from reference.zk.verifier import BACKENDS

    p.add_argument("--vk", type=Path, required=True, help="verification_key.json")
    one = p.add_argument_group("one proof")
    one.add_argument("--public", type=Path, help="public.json")
    one.add_argument("--proof", type=Path, help="proof.json")
    p.add_argument("--proofs", type=Path, help="a directory of <name>/proof.json + <name>/public.json (prove-batch --out)")
    p.add_argument("--backend", choices=BACKENDS, default="auto",
                   help="pairing library (default auto: arkworks, else mcl, else the reference path; the same verdicts and errors)")


def _args_export(p) -> None:
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


def register(parser) -> None:
    """The steps, each filled with its arguments only when named (``kalypso.args.lazy_subparsers``)."""
    lazy_subparsers(parser, "zk_command", "STEP", {
        "setup": ("INSECURE seeded Groth16 setup: writes circuit.zkey and verification_key.json", _args_setup),
        "prove": ("prove with the reference prover: writes proof.json and public.json", _args_prove),
        "witness": ("compute a circom witness from its .wasm without Node: writes a .wtns", _args_witness),
        "prove-batch": ("load a key once and prove every witness of a directory or of stdin", _args_prove_batch),
        "verify": ("verify a proof, or every proof of a prove-batch output (exit 0: all valid, 1: not)", _args_verify),
        "export": ("export an example circuit, a verification key, or market bytes", _args_export),
    })


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
    circuit = circuit_from_json(_read_json(path))
    return circuit.r1cs, circuit


def _read_json(path: Path):
    """The one place zk commands parse JSON files: an untrusted file, parsed within bounds
    (spec.jsonsafe: size, depth, numbers)."""
    from spec.jsonsafe import load_path

    return load_path(path, max_bytes=MAX_JSON_BYTES)


def _write_json(path: Path, doc) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(path)


def _setup(args) -> int:
    from reference.zk.binfile import write_zkey
    from reference.zk.groth16 import setup
    from reference.zk.snarkjs import vk_to_json

    if args.backend not in ("reference", "cpu"):
        raise ValueError(f"--backend: {args.backend!r} is not reference or cpu")
    r1cs, circuit = _load_circuit(args.circuit)
    print(INSECURE, file=sys.stderr)
    if args.backend == "cpu":
        from reference.fast.cpu_keys import read_zkey_arrays
        from reference.fast.cpu_setup import setup_zkey
        from reference.zk.binfile import read_r1cs_arrays, write_r1cs

        raw = args.circuit.read_bytes() if circuit is None else write_r1cs(r1cs, n_outputs=len(circuit.outputs))
        zkey = setup_zkey(r1cs, read_r1cs_arrays(raw), args.seed.encode())
        vk = read_zkey_arrays(zkey).vk
    else:
        with _progress("setup") as say:
            pk = setup(r1cs, args.seed.encode(), progress=say)
        zkey, vk = write_zkey(pk, r1cs), pk.vk
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "circuit.zkey").write_bytes(zkey)
    print(args.out / "circuit.zkey")
    _write_json(args.out / "verification_key.json", vk_to_json(vk))
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
    from reference.fast import BACKEND_NAMES
    from reference.zk.backend import BackendError
    from reference.zk.groth16 import blinding_from_seed

    if args.backend not in BACKEND_NAMES:
        raise BackendError(f"backend: unknown name {args.backend!r}; expected one of {', '.join(BACKEND_NAMES)}")
    if args.inputs and args.circuit.suffix == ".r1cs" and not args.wasm:
        raise ValueError("--inputs: a .r1cs needs its --wasm (or give a --wtns)")
    r, s = blinding_from_seed(args.seed.encode())
    if args.backend == "cpu":
        proof, public = _prove_persistent(args, r, s)
    else:
        proof, public = _prove_reference(args, r, s)
    _write_proof(args.out, proof, public)
    return 0


def _write_proof(out: Path, proof, public) -> None:
    from reference.zk.snarkjs import proof_to_json, public_to_json

    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "proof.json", proof_to_json(proof))
    _write_json(out / "public.json", public_to_json(public))


def _witness_source(args, circuit):
    """A .wtns path, or the witness computed from --inputs (by the .wasm, or the JSON circuit's program)."""
    if args.wtns:
        return args.wtns
    if args.wasm:
        from reference.zk.wasm_witness import load_calculator

        return load_calculator(args.wasm).calculate(_read_json(args.inputs))
    return circuit.witness(_inputs(_read_json(args.inputs)))


def _prove_persistent(args, r: int, s: int):
    """The fast path: the key as limb arrays (``reference.fast.cpu_prover``)."""
    from reference.fast.cpu_keys import read_file
    from reference.fast.native_prover import load_prover

    if args.circuit.suffix == ".r1cs":
        r1cs, circuit = read_file(args.circuit, "r1cs"), None
    else:
        from reference.zk.binfile import write_r1cs

        circuit = _load_circuit(args.circuit)[1]
        r1cs = write_r1cs(circuit.r1cs, n_outputs=len(circuit.outputs))
    prover = load_prover(args.zkey, r1cs=r1cs)
    return prover.prove(_witness_source(args, circuit), r, s)


def _prove_reference(args, r: int, s: int):
    from reference.fast import get_backend
    from reference.zk.binfile import check_zkey_matches, read_wtns, read_zkey
    from reference.zk.groth16 import prove

    r1cs, circuit = _load_circuit(args.circuit)
    backend = get_backend(args.backend)
    witness = read_wtns(args.wtns.read_bytes()) if args.wtns else _witness_source(args, circuit)
    with _progress("prove") as say:
        say("reading the proving key")
        zkey = read_zkey(args.zkey.read_bytes())
        check_zkey_matches(zkey, r1cs)
        proof = prove(zkey.pk, r1cs, witness, r, s, backend=backend, progress=say)
    return proof, r1cs.public_signals(witness)


def _witness(args) -> int:
    from reference.zk.wasm_witness import calculate_wtns

    data = calculate_wtns(args.wasm, _read_json(args.inputs))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(args.out)
    return 0


def _witness_paths(source: str):
    """.wtns paths: every ``*.wtns`` of a directory (sorted), or one path per line of stdin for "-"."""
    if source == "-":
        for line in sys.stdin:
            if line.strip():
                yield Path(line.strip())
        return
    folder = Path(source)
    if not folder.is_dir():
        raise ValueError(f"--witnesses: {source} is not a directory (or - for paths on stdin)")
    yield from sorted(folder.glob("*.wtns"))


def _prove_batch(args) -> int:
    """Load the key once, prove every witness; a witness that fails is reported and skipped."""
    import time

    from reference.fast.cpu_prover import Prover, read_file
    from reference.zk.binfile import BinFormatError
    from reference.zk.groth16 import blinding_from_seed
    from reference.zk.r1cs import CircuitError

    start = time.perf_counter()
    # many proofs: the numba prover at every size (its start-up, about a second, is paid once and
    # each proof is faster than mcl's at every size measured)
    prover = Prover.load(args.zkey, r1cs=read_file(args.circuit, "r1cs"), precompute=args.precompute * 2**20)
    loaded = time.perf_counter()
    done = failed = 0
    paths: list[Path] = []

    def jobs():
        for path in _witness_paths(args.witnesses):
            paths.append(path)
            yield (path, *blinding_from_seed(f"{args.seed}/{path.stem}".encode()))

    # as many proofs at once as numba has threads, each on one thread (Prover.prove_stream)
    for i, (result, exc) in enumerate(prover.prove_stream(jobs())):
        path = paths[i]
        if exc is not None:
            if not isinstance(exc, (BinFormatError, CircuitError, OSError)):
                raise exc
            failed += 1
            print(f"kalypso zk prove-batch: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        _write_proof(args.out / path.stem, *result)
        done += 1
    proving = time.perf_counter() - loaded
    rate = 60 * done / proving if proving > 0 else float("inf")
    print(f"key loaded in {loaded - start:.2f} s; {done} proofs in {proving:.2f} s: {rate:.1f} proofs per minute"
          + (f"; {failed} witnesses failed" if failed else ""), file=sys.stderr)
    return 2 if failed else 0


def _verify(args) -> int:
    """One proof (--public, --proof) or every <name>/ of --proofs; reports the time per proof. Imports only
    the lean verifier (``reference.zk.verifier``: JSON and mcl through ctypes) where mcl loads."""
    import time

    from reference.zk.verifier import Verifier

    if (args.proofs is None) == (args.proof is None or args.public is None):
        raise ValueError("verify: give --public and --proof, or --proofs DIR")
    verify = Verifier(_read_json(args.vk), args.backend)
    if args.proofs is None:
        pairs = [(args.public, args.proof)]
    else:
        if not args.proofs.is_dir():
            raise ValueError(f"--proofs: {args.proofs} is not a directory")
        pairs = [(d / "public.json", d / "proof.json") for d in sorted(args.proofs.iterdir()) if (d / "proof.json").is_file()]
    start, bad = time.perf_counter(), 0
    for public_path, proof_path in pairs:
        ok = verify(_read_json(public_path), _read_json(proof_path))
        bad += not ok
        print(("valid" if ok else "INVALID") + ("" if args.proofs is None else f" {proof_path.parent.name}"))
    if args.proofs is not None:
        took = time.perf_counter() - start
        print(f"{len(pairs)} proofs verified in {took:.3f} s ({1000 * took / max(len(pairs), 1):.1f} ms per proof)"
              + (f"; {bad} INVALID" if bad else ""), file=sys.stderr)
    return 0 if bad == 0 else 1


def _params(pairs: list[str]) -> dict[str, int]:
    from reference.zk.r1cs import CircuitError

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not (value.isascii() and value.isdigit()) or len(value) > 12:
            raise CircuitError(f"param: {pair!r:.60} is not NAME=INT")
        out[name] = int(value)
    return out


def _export(args) -> int:
    if args.export_what == "circuit":
        from reference.zk.binfile import write_r1cs
        from reference.zk.circuits import example_circuit
        from reference.zk.r1cs import circuit_to_json

        circuit = example_circuit(args.example, _params(args.param))
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
        "public_inputs_hex": encode_public_inputs(public_from_json(_read_json(args.public))).hex(),
        "proof_hex": encode_proof(proof_from_json(_read_json(args.proof))).hex(),
    }
    if args.vk:
        doc["verifying_key_hex"] = encode_verifying_key(vk_from_json(_read_json(args.vk))).hex()
    print(json.dumps(doc, indent=1, sort_keys=True))
    return 0


# the typed errors of the zk modules: bad input, exit 2 (looked up only in modules already imported:
# an error of a module that was never imported cannot have been raised)
_TYPED_ERRORS = {
    "reference.zk.backend": ("BackendError",), "reference.zk.binfile": ("BinFormatError",),
    "reference.zk.errors": ("Groth16Error", "SnarkjsFormatError"), "reference.zk.r1cs": ("CircuitError",),
    "reference.zk.wasm_witness": ("WitnessError",),
}


def _typed_errors() -> tuple[type, ...]:
    found = tuple(getattr(sys.modules[m], name) for m, names in _TYPED_ERRORS.items() if m in sys.modules for name in names)
    return found + (ValueError, OSError, MemoryError)


def run(args) -> int:
    from spec.errors import BadInput

    step = {"setup": _setup, "prove": _prove, "prove-batch": _prove_batch, "witness": _witness, "verify": _verify, "export": _export}[args.zk_command]
    try:
        return step(args)
    except BadInput:
        raise
    except Exception as exc:
        if not isinstance(exc, _typed_errors()):
            raise
        field = getattr(exc, "filename", None) or getattr(exc, "field", None) or f"zk {args.zk_command}"
        from kalypso.args import one_line

        print(f"error: {type(exc).__name__} [{one_line(field)}]: {one_line(getattr(exc, 'strerror', None) or exc)}", file=sys.stderr)
        return 2
