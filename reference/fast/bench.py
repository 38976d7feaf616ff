"""Fast-path benchmarks (never run by tests): ``python -m reference.fast.bench [--quick] [--write]``.

``fast_path_section()`` times, through the ``Backend`` interface (ints and py_ecc points in and out):
G1 MSM 2^12..2^16 and G2 MSM 2^12 on the CPU backend (first call, and repeated with the bases cached as
the prover's proving key is), NTT 2^12..2^20, beside the reference backend (smaller sizes). Whole proofs next to snarkjs and
arkworks are measured by ``reference.zk.bench`` (whole process, same circuits and keys). GPU rows are
timed only where a CUDA device is visible; otherwise the section says they were not measured.
"""
from __future__ import annotations

import argparse
import datetime
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from py_ecc.optimized_bn128 import G1, G2, add, multiply

from reference.machine import describe
from reference.zk.backend import Backend, ReferenceBackend
from reference.zk.field import R

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DOC = REPO_ROOT / "docs" / "benchmarks.md"
SECTION = "## Fast path (MSM/NTT)"
SEED = 20261128


def _timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall seconds of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def distinct_points(generator, n: int, seed: int) -> tuple:
    """``n`` distinct points ``P, P + D, P + 2D, ...`` (projective, z != 1) from two seeded multiples."""
    rng = random.Random(seed)
    point, step = multiply(generator, rng.randrange(1, R)), multiply(generator, rng.randrange(1, R))
    out = []
    for _ in range(n):
        out.append(point)
        point = add(point, step)
    return tuple(out)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(slow: float | None, fast: float | None) -> str:
    return "—" if slow is None or fast is None else f"{slow / fast:.1f}×"


def gpu_backend() -> tuple[Backend | None, str]:
    """The GPU backend and "" when a real CUDA device is visible; otherwise None and the reason."""
    try:
        from reference.fast.gpu import SIMULATED, GpuBackend, gpu_available
    except ImportError as exc:
        return None, f"numba.cuda cannot be imported ({exc})"
    if SIMULATED or not gpu_available():
        return None, "no GPU in this session"
    return GpuBackend(), ""


def msm_rows(cpu: Backend, logs: tuple[int, ...], ref_max: int, say) -> list[str]:
    ref = ReferenceBackend()
    rng = random.Random(SEED)
    rows = []
    largest = distinct_points(G1, 1 << max(logs), SEED)
    for log_n in logs:
        n = 1 << log_n
        say(f"bench: G1 MSM 2^{log_n}")
        points = tuple(largest[:n])
        scalars = [rng.randrange(R) for _ in range(n)]
        first = _timed(lambda: cpu.msm_g1(points, scalars), 1)
        repeat = _timed(lambda: cpu.msm_g1(points, scalars), 3)
        slow = _timed(lambda: ref.msm_g1(points, scalars), 1) if log_n <= ref_max else None
        rows.append(f"| G1 2^{log_n} | {_fmt(first)} | {_fmt(repeat)} | {_fmt(slow)} | {_ratio(slow, repeat)} |")
    n = 1 << min(logs)
    say(f"bench: G2 MSM 2^{min(logs)}")
    points = distinct_points(G2, n, SEED + 1)
    scalars = [rng.randrange(R) for _ in range(n)]
    first = _timed(lambda: cpu.msm_g2(points, scalars), 1)
    repeat = _timed(lambda: cpu.msm_g2(points, scalars), 3)
    slow = _timed(lambda: ref.msm_g2(points, scalars), 1) if min(logs) <= ref_max else None
    rows.append(f"| G2 2^{min(logs)} | {_fmt(first)} | {_fmt(repeat)} | {_fmt(slow)} | {_ratio(slow, repeat)} |")
    return rows


def ntt_rows(cpu: Backend, logs: tuple[int, ...], ref_max: int, say) -> list[str]:
    from reference.fast import _kernels as k
    from reference.fast import _kernels_fr as kf
    from reference.fast.convert import pack
    from reference.fast.limbs import twiddles

    ref = ReferenceBackend()
    rng = random.Random(SEED + 2)
    rows = []
    for log_n in logs:
        n = 1 << log_n
        say(f"bench: NTT 2^{log_n}")
        values = [rng.randrange(R) for _ in range(n)]
        full = _timed(lambda: cpu.ntt(values), 3)
        rows_in = pack(values)
        roots = twiddles(n, False)
        kernel = _timed(lambda: kf.ntt_in_place(rows_in, roots), 3)
        slow = _timed(lambda: ref.ntt(values), 1) if log_n <= ref_max else None
        rows.append(f"| 2^{log_n} | {_fmt(full)} | {_fmt(kernel)} | {_fmt(slow)} | {_ratio(slow, full)} |")
    return rows


def gpu_rows(say) -> list[str]:
    backend, reason = gpu_backend()
    if backend is None:
        return [f"GPU (MSM 2^20, NTT 2^22): not measured: {reason}. No GPU figure is given."]
    rng = random.Random(SEED + 3)
    say("bench: GPU MSM 2^20")
    points = distinct_points(G1, 1 << 20, SEED)
    scalars = [rng.randrange(R) for _ in points]
    backend.msm_g1(points, scalars)
    msm = _timed(lambda: backend.msm_g1(points, scalars), 3)
    say("bench: GPU NTT 2^22")
    from numba import cuda

    from reference.fast.convert import pack
    from reference.fast.gpu import to_lanes

    values = [rng.randrange(R) for _ in range(1 << 22)]
    backend.ntt(values[:1024])
    ntt = _timed(lambda: backend.ntt(values), 1)
    lanes = cuda.to_device(to_lanes(pack(values)))
    backend.ntt_on_device(lanes, False)
    cuda.synchronize()
    device_only = _timed(lambda: (backend.ntt_on_device(lanes, False), cuda.synchronize()), 3)
    return [
        "| GPU operation | through the Backend interface (host conversion included) | device only |",
        "|---|---|---|",
        f"| G1 MSM 2^20 (bases cached) | {_fmt(msm)} | — |",
        f"| NTT 2^22 | {_fmt(ntt)} | {_fmt(device_only)} |",
    ]


def fast_path_section(quick: bool = False, say: Callable[[str], None] = lambda _m: None) -> str:
    """The markdown section "Fast path (MSM/NTT)" with every figure measured now, on this machine."""
    from reference.fast.cpu import CpuBackend, warm_up

    cpu = CpuBackend()
    start = time.perf_counter()
    say("bench: JIT warm-up (numba cache)")
    warm_up()
    warm = time.perf_counter() - start
    msm_logs = (12, 14) if quick else (12, 13, 14, 15, 16)
    ntt_logs = (12, 14) if quick else (12, 14, 16, 18, 20)
    command = "python -m reference.fast.bench" + (" --quick" if quick else "") + " --write"
    lines = [
        SECTION,
        "",
        f"Measured {datetime.date.today().isoformat()} on {describe()}; command: `{command}`.",
        "Times are medians through the `Backend` interface (Python ints and py_ecc points in and out, so",
        "boundary conversion is included); reference columns are single runs of `ReferenceBackend`.",
        f"CPU backend warm-up in this process (numba cache load, or compilation if cold): {_fmt(warm)}.",
        "",
        "| MSM | cpu, first call | cpu, bases cached | reference | reference / cpu |",
        "|---|---|---|---|---|",
        *msm_rows(cpu, msm_logs, 12, say),
        "",
        "| NTT (forward) | cpu | cpu kernel only | reference | reference / cpu |",
        "|---|---|---|---|---|",
        *ntt_rows(cpu, ntt_logs, 16, say),
        "",
        "Whole Groth16 proofs (whole process and warm, next to snarkjs and arkworks on the same circom",
        "circuits and keys) are in the Groth16 prover section; primitives measured in-process are not",
        "compared with another tool's whole command here.",
        "",
        *gpu_rows(say),
        "",
    ]
    return "\n".join(lines)


def write_section(section: str, path: Path = BENCH_DOC) -> None:
    """Replace (or append) the fast-path section of ``docs/benchmarks.md``."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--write", action="store_true", help=f"write the section into {BENCH_DOC.relative_to(REPO_ROOT)}")
    args = parser.parse_args(argv)
    section = fast_path_section(args.quick, say=lambda m: print(m, file=sys.stderr, flush=True))
    print(section)
    if args.write:
        write_section(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
