"""Groth16 benchmark, whole process and side by side: snarkjs, arkworks and ours on the same circom
circuits, keys and witnesses, in one run. ``run_zk_bench()`` returns the markdown section.

Circuits: ``circom/poseidon_chain.circom`` (a chain of circomlib Poseidon(2), 240 constraints each),
sized to fill 2^10 .. 2^18, compiled by circom2 (--O2). One key per size, shared by the three
tools: our INSECURE seeded setup on limb arrays (``reference.fast.cpu_setup``), because a snarkjs
powers of tau of 2^18 takes hours on 2 cores; snarkjs proves with it and verifies every proof. The
witness is snarkjs' ``wtns calculate`` (ours from the .wasm is checked equal, byte for byte).
Preparation is cached under ``build/zk-bench`` and not timed.

Timed, each the median of ``repeats`` runs, wall time and peak RSS of the whole process (its
``wait4`` rusage), the same files in and a proof out:

- snarkjs: ``snarkjs groth16 prove circuit.zkey witness.wtns proof.json public.json``;
- arkworks: ``python -c 'groth16py.import_zkey(...); groth16py.prove_wtns(...)'`` (PyPI ``groth16py``,
  installed by ``make bench``, not a test dependency);
- ours: ``kalypso zk prove circuit.r1cs --zkey circuit.zkey --wtns witness.wtns --backend cpu`` (below a
  domain of 2^13 it proves with mcl and never imports numba, ``reference.fast.native_prover``);
- ours warm: ``Prover.load`` once in this process, then ``prove`` (one proof's latency) and
  ``prove_stream`` (a stream of witnesses, as ``kalypso zk prove-batch`` proves them: proofs per minute);
  the persistent ratio is the stream's rate over the whole-process rate (the issue's target: >= 2x at 2^16);

Python commands run as a user runs them: with compiled bytecode cached (``user_env``: an installed package's
modules are compiled at install; this machine's ``PYTHONDONTWRITEBYTECODE`` is dropped for the timed runs
and the bytecode kept under ``build/zk-bench/pycache``). Verification has its own section,
``reference.zk.verify_bench``.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from reference.machine import cpu_model, load_average
from reference.zk import nodetools

Say = Callable[[str], None]
REPO = nodetools.REPO_ROOT
WORK = REPO / "build" / "zk-bench"
TEMPLATE = Path(__file__).parent / "circom" / "poseidon_chain.circom"
PER_HASH = 240
SIZES = (10, 12, 14, 16, 18)
SEED = b"kalypso-bench"
ARKWORKS = (
    "import sys, groth16py\n"
    "pk, vk = groth16py.import_zkey(sys.argv[1])\n"
    "open(sys.argv[3], 'wb').write(groth16py.prove_wtns(pk, sys.argv[2]))\n"
)


_LAUNCHER = (
    "import os, sys, time\n"
    "start = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print('KALYPSO-MEASURE', os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss)\n"
)


def user_env() -> dict[str, str]:
    """The environment of a timed command: this one, bytecode written and read as on a user's machine."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def measure(cmd: Sequence, cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one whole process; raises if it fails.

    A small launcher (``python -I -S``) forks and execs the command and reports its ``wait4`` rusage:
    a child forked or spawned from this (large) process would report this process's high-water RSS,
    which the kernel carries across exec."""
    import subprocess

    proc = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, *map(str, cmd)], cwd=cwd,
                          capture_output=True, text=True, env=user_env())
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if not tail.startswith("KALYPSO-MEASURE") or tail.split()[1] != "0":
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    _, _, wall, rss = tail.split()
    return float(wall), int(rss)


def median_run(cmd: Sequence, repeats: int, cwd: Path | None = None) -> tuple[float, int]:
    runs = [measure(cmd, cwd) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def prepare(log_n: int, say: Say) -> dict[str, Path]:
    """Compile the chain filling 2^log_n, write its key (seeded) and a witness; cached."""
    from reference.fast.cpu_keys import read_zkey_arrays
    from reference.fast.cpu_setup import setup_zkey
    from reference.zk.binfile import read_r1cs, read_r1cs_arrays
    from reference.zk.snarkjs import vk_to_json
    from reference.zk.wasm_witness import calculate_wtns

    n_hashes = ((1 << log_n) - 2) // PER_HASH
    d = WORK / f"chain{n_hashes}"
    d.mkdir(parents=True, exist_ok=True)
    name = f"chain{n_hashes}"
    files = {"dir": d, "r1cs": d / f"{name}.r1cs", "wasm": d / f"{name}_js" / f"{name}.wasm", "zkey": d / "circuit.zkey",
             "vk": d / "verification_key.json", "inputs": d / "input.json", "wtns": d / "witness.wtns"}
    if not files["r1cs"].exists():
        say(f"2^{log_n}: compiling {n_hashes} Poseidon(2) with circom2")
        (d / f"{name}.circom").write_text(TEMPLATE.read_text() + f"\ncomponent main = PoseidonChain({n_hashes});\n")
        nodetools.circom_compile(d / f"{name}.circom", d)
    raw = files["r1cs"].read_bytes()
    arrays = read_r1cs_arrays(raw)
    if arrays.n_constraints + arrays.n_public + 1 > 1 << log_n:
        raise RuntimeError(f"2^{log_n}: {arrays.n_constraints} constraints do not fit")
    if not files["zkey"].exists():
        say(f"2^{log_n}: seeded setup ({arrays.n_constraints} constraints)")
        files["zkey"].write_bytes(setup_zkey(read_r1cs(raw).r1cs, arrays, SEED))
        files["vk"].write_text(json.dumps(vk_to_json(read_zkey_arrays(files["zkey"].read_bytes()).vk)))
    if not files["wtns"].exists():
        files["inputs"].write_text(json.dumps({"seed": "1", "key": "2"}))
        nodetools.snarkjs("wtns", "calculate", files["wasm"], files["inputs"], files["wtns"])
        if calculate_wtns(files["wasm"], {"seed": "1", "key": "2"}) != files["wtns"].read_bytes():
            raise RuntimeError(f"2^{log_n}: the .wasm witness differs from snarkjs'")
    files["constraints"] = arrays.n_constraints
    return files


def _arkworks_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("groth16py")
    except Exception:
        return None


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f} MiB"


def bench_size(log_n: int, repeats: int, say: Say) -> list[str]:
    """The table rows of one size (and the checks behind them)."""
    from reference.fast.cpu_prover import Prover
    from reference.zk.groth16 import blinding_from_seed, verify
    from reference.zk.market import decode_proof
    from reference.zk.snarkjs import proof_from_json, public_from_json, vk_from_json

    f = prepare(log_n, say)
    d = f["dir"]
    kalypso = Path(sys.executable).parent / "kalypso"
    snarkjs = nodetools.BIN / "snarkjs"
    load = load_average()[0]
    say(f"2^{log_n}: snarkjs prove x{repeats}")
    s_wall, s_rss = median_run([snarkjs, "groth16", "prove", f["zkey"], f["wtns"], d / "proof_snarkjs.json", d / "public_snarkjs.json"], repeats)
    say(f"2^{log_n}: ours prove x{repeats}")
    ours_cmd = [kalypso, "zk", "prove", f["r1cs"], "--zkey", f["zkey"], "--wtns", f["wtns"], "--backend", "cpu",
                "--seed", "bench", "--out", d / "ours"]
    measure(ours_cmd)  # the numba cache and the key digest, as on any machine after the first run
    o_wall, o_rss = median_run(ours_cmd, repeats)
    a_wall = a_rss = None
    if _arkworks_version():
        say(f"2^{log_n}: arkworks prove x{repeats}")
        a_wall, a_rss = median_run([sys.executable, "-c", ARKWORKS, f["zkey"], f["wtns"], d / "proof_arkworks.bin"], repeats)
    say(f"2^{log_n}: warm persistent prover x{repeats}")
    t = time.perf_counter()
    prover = Prover.load(f["zkey"], r1cs=f["r1cs"])
    warm_load = time.perf_counter() - t
    r, s = blinding_from_seed(b"bench")
    prover.prove(f["wtns"], r, s)
    warm = []
    for _ in range(repeats):
        t = time.perf_counter()
        proof, public = prover.prove(f["wtns"], r, s)
        warm.append(time.perf_counter() - t)
    warm_s = statistics.median(warm)
    workers = numba_threads()
    count = max(repeats, 2 * workers)

    def stream() -> tuple[float, bool]:
        """Seconds per proof over a stream of `count` witnesses, and whether each equals the single proof."""
        t = time.perf_counter()
        streamed = list(prover.prove_stream([(f["wtns"], r, s)] * count, workers=workers))
        return (time.perf_counter() - t) / count, all(err is None and res == (proof, public) for res, err in streamed)

    say(f"2^{log_n}: stream of {count} witnesses, {workers} at a time")
    stream_s, ok_stream = stream()
    say(f"2^{log_n}: precomputed tables, stream of {count} witnesses")
    t = time.perf_counter()
    held = prover.precompute()
    tables_s = time.perf_counter() - t
    tables_stream_s, ok_tables = stream()
    ok_stream = ok_stream and ok_tables
    load_after = load_average()[0]
    # checks: every proof verifies (snarkjs for ours, ours for snarkjs' and arkworks')
    vk = vk_from_json(json.loads(f["vk"].read_text()))
    ok = nodetools.snarkjs_verify(f["vk"], d / "ours" / "public.json", d / "ours" / "proof.json")
    theirs = proof_from_json(json.loads((d / "proof_snarkjs.json").read_text()))
    ok = ok and verify(vk, public_from_json(json.loads((d / "public_snarkjs.json").read_text())), theirs)
    ok = ok and verify(vk, public, proof) and ok_stream
    if a_wall is not None:
        ok = ok and verify(vk, public, decode_proof((d / "proof_arkworks.bin").read_bytes()))
    m = f["constraints"]
    ark = f"{_fmt(a_wall)} / {_mib(a_rss)}" if a_wall is not None else "not installed"
    return [
        f"| 2^{log_n} | {m:,} | {_fmt(s_wall)} / {_mib(s_rss)} | {ark} | {_fmt(o_wall)} / {_mib(o_rss)} "
        f"| {_fmt(warm_s)} (load {_fmt(warm_load)}) | {_fmt(stream_s)} ({60 / stream_s:.0f}/min) "
        f"| {_fmt(tables_stream_s)} ({60 / tables_stream_s:.0f}/min; tables {_fmt(tables_s)}, {held / 2**20:.0f} MiB) "
        f"| {o_wall / stream_s:.2f}× / {o_wall / tables_stream_s:.2f}× | {s_wall / o_wall:.2f}× "
        f"| {'—' if a_wall is None else f'{o_wall / a_wall:.2f}×'} "
        f"| {load:.1f} → {load_after:.1f} | {'ok' if ok else 'FAILED'} |"
    ]


def numba_threads() -> int:
    import numba

    return numba.get_num_threads()


def interpreter_startup(repeats: int = 5) -> str:
    """Median whole-process wall time of ``python -c pass`` and ``python -S -c pass`` (no site, no
    editable-install finder): the floor under any whole-process figure of a Python command."""
    plain, _ = median_run([sys.executable, "-c", "pass"], repeats)
    bare, _ = median_run([sys.executable, "-S", "-c", "pass"], repeats)
    return f"`python -c pass` {_fmt(plain)}, `python -S -c pass` {_fmt(bare)}"


def run_zk_bench(log_sizes: Sequence[int] = SIZES, repeats: int = 3, say: Say | None = None, quick: bool = False) -> str:
    """Measure every size in ``log_sizes`` (2^10 and 2^12 with ``quick``); return the markdown section."""
    say = say or (lambda _m: None)
    if quick:
        log_sizes = tuple(x for x in log_sizes if x <= 12)
    reason = nodetools.missing_reason()
    header = [
        "### Groth16 prove: snarkjs, arkworks and ours, whole process",
        "",
        f"Machine: {os.cpu_count()} CPUs, {cpu_model()}; Python {sys.version.split()[0]}; "
        f"1-minute load average {load_average()[0]:.1f} at the start (other jobs shared the CPUs; the `load` "
        "column gives it before → after each size, so compare within a row).",
        "Command: `make bench` (`kalypso bench --only zk`, `reference.zk.bench.run_zk_bench`). Circuit: a chain of "
        f"circomlib Poseidon(2) ({PER_HASH} constraints each) filling the domain, circom2 --O2; one key per size "
        "(our INSECURE seeded setup, written as a snarkjs .zkey) and snarkjs' witness, the same files for all "
        f"three. Medians of {repeats} runs of the whole process (start-up, reading the key, proving, writing "
        "the proof), peak RSS from `wait4`. Ours proves below a domain of 2^13 with mcl's MSM and no numba "
        "(`reference.fast.native_prover`), above with the numba prover. Ours is timed after one untimed run, as on any machine after its "
        "first proof: numba's compiled kernels and the key's validation record are then on disk (the very first "
        "run also compiles the kernels, about 25 s, and checks every key point).",
        "",
    ]
    if reason:
        return "\n".join(header + [f"Not run: {reason}."]) + "\n"
    ark = _arkworks_version()
    lines = header + [
        f"| domain | constraints | snarkjs 0.7.6 (wall / peak RSS) | arkworks (groth16py {ark or '—'}) | ours `zk prove --backend cpu` "
        "| ours warm, one proof (`Prover.prove`) | ours warm, stream (`prove_stream`, per proof) "
        "| stream with precomputed tables (`Prover.precompute`) | persistent / whole process: stream / with tables "
        "| snarkjs / ours | ours / arkworks | load | checks |",
        "|---|---:|---|---|---|---|---|---|---:|---:|---:|---|---|",
    ]
    from reference.fast.cpu_prover import warm_up

    warm_up()  # every kernel compiled (or loaded from numba's cache) once, before anything is timed
    for log_n in log_sizes:
        lines += bench_size(log_n, repeats, say)
    lines += [
        "| GPU | | | | not measured: no GPU | | | | | | | | |",
        "",
        "`checks`: snarkjs accepts our proof; our verifier accepts snarkjs' and arkworks' proofs; the stream's proofs "
        "equal the single proof. `warm, one proof`: the key loaded once in this process (load time in parentheses), "
        f"the median proof after one warm-up. `warm, stream`: {numba_threads()} witnesses proved at a time, one thread "
        "each (`Prover.prove_stream`, what `kalypso zk prove-batch` runs), wall time per proof over a stream of "
        f"max(3, 2 × threads) witnesses, and proofs per minute. `with precomputed tables`: the same stream after "
        "`Prover.precompute()` built each MSM's table 2^(c·w)·P_i (`kalypso zk prove-batch --precompute MIB`; build "
        "time and memory in parentheses, paid once per key). `persistent / whole process`: the stream's rate, without "
        "and with tables, over the rate of one whole `zk prove` process at a time. Python commands are timed with their "
        f"bytecode cached, as installed. Interpreter start-up on this machine at the end: {interpreter_startup()}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from rich.console import Console

    console = Console(stderr=True, log_path=False)
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print(run_zk_bench(sizes, say=console.log))
