"""Pippenger window sweep on a real proving key (never run by tests; measurements for ``limbs.window_bits``).

    python -m reference.fast.bench_windows ZKEY WTNS [--rounds 5] [--spread 2]

Loads the key once (``cpu_prover.Prover``), builds the five MSMs' scalars from the witness exactly as a
proof does (``r = s = 1`` blinding), then times ``pippenger`` for each MSM at every window in
``Prover.window(name) +- spread`` (the cost model's pick), interleaved (each round visits every window in a shuffled order) so that load
on a shared machine hits all windows alike. Prints, per MSM, the median time per window and its ratio to
the window the cost model picks; every window's result is checked equal to the model's.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from reference.fast import _kernels as k
from reference.fast.convert import g1_from_jacobian, g2_from_jacobian, pack, unpack
from reference.fast.cpu_prover import Prover, _with
from reference.fast.limbs import from_montgomery, signed_digit_windows, to_montgomery
from reference.zk.field import R


def msm_inputs(prover: Prover, wtns: bytes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (bases, scalars with infinity bases zeroed) for the A, B1, B2, C MSMs of one proof."""
    w = prover.witness_rows(wtns)
    h = prover.h_scalars(to_montgomery(w.copy(), "r"))
    ext = _with(w, pack([1, 1, 1]))
    c_scalars = _with(w[prover.key.n_public + 1 :], h, pack([R - 1]))
    out = {}
    for name, scalars in (("a_bases", ext), ("b1_bases", ext), ("b2_bases", ext), ("c_bases", c_scalars)):
        scalars = scalars.copy()
        scalars[prover.infinity[name]] = 0
        out[name] = (getattr(prover, name), scalars)
    return out


def run_msm(bases: np.ndarray, scalars: np.ndarray, c: int) -> tuple[float, tuple]:
    """(seconds, affine result) of one MSM with window ``c`` (digit recoding included)."""
    start = time.perf_counter()
    digits = k.signed_digits(scalars, c, signed_digit_windows(c))
    out = np.zeros((1, 3) + bases.shape[2:], dtype=np.uint64)
    k.pippenger(bases, digits, c, out)
    took = time.perf_counter() - start
    v = unpack(from_montgomery(out.reshape(-1, 4), "q"))
    point = g1_from_jacobian(*v) if len(v) == 3 else g2_from_jacobian(tuple(v[0:2]), tuple(v[2:4]), tuple(v[4:6]))
    return took, point


def sweep(prover: Prover, wtns: bytes, rounds: int, spread: int, seed: int = 1) -> dict[str, dict[int, float]]:
    rng = random.Random(seed)
    results = {}
    for name, (bases, scalars) in msm_inputs(prover, wtns).items():
        n = scalars.shape[0]
        model = prover.window(name)
        windows = [c for c in range(model - spread, model + spread + 1) if 4 <= c <= 18]
        _, expected = run_msm(bases, scalars, model)  # warm-up
        times: dict[int, list[float]] = {c: [] for c in windows}
        for _ in range(rounds):
            rng.shuffle(windows)
            for c in windows:
                took, result = run_msm(bases, scalars, c)
                times[c].append(took)
                if result != expected:
                    raise AssertionError(f"{name}: window {c} gives another point than window {model}")
        med = {c: statistics.median(v) for c, v in sorted(times.items())}
        results[name] = med
        line = ", ".join(f"c={c}: {t * 1000:.0f} ms ({t / med[model]:.2f})" for c, t in med.items())
        print(f"{name} n={n} model c={model}: {line}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zkey")
    parser.add_argument("wtns")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--spread", type=int, default=2)
    args = parser.parse_args(argv)
    prover = Prover.load(args.zkey)
    with open(args.wtns, "rb") as f:
        wtns = f.read()
    sweep(prover, wtns, args.rounds, args.spread)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
