"""Benchmark of the matching engine: orderbook throughput of the fast engine against the spec.

Run: `kalypso bench --only engine` (writes the `Matching engine` section of docs/benchmarks.md)
or `python -m reference.engine.bench` (prints it).
"""
from __future__ import annotations

import datetime
import random
import sys
import time

import spec
from reference.engine.fast import FastOrderbook, ask_rows
from reference.engine.worlds import ENGINE, OWNER, REQUESTER
from reference.machine import describe
from spec import operations as ops
from spec.containers import Config, State
from spec.env import STAND_IN_VERIFIER_ID
from spec.matching import orderbook
from spec.types import MatchingProtocol

CONFIG = Config(market_creation_fee=0)
SEED = 20261128


def provers_world(n_provers: int, seed: int = SEED) -> State:
    """One orderbook market; `n_provers` provers, each staked for and declaring ~100-300 tasks'
    compute, quoting price 1..1000 and proposed time 10..3600 s (independent uniform draws)."""
    rng = random.Random(seed)
    state = spec.genesis(CONFIG)
    def run(op):
        nonlocal state
        state, _ = spec.apply(state, op)
    run(ops.CreateMarket(OWNER, STAND_IN_VERIFIER_ID, MatchingProtocol.ORDERBOOK.value, {"POND": 1}, ENGINE.key, 0))
    for i in range(n_provers):
        name = f"p{i:06d}"
        tasks = rng.randint(100, 300)
        run(ops.RegisterProver(name, name, tasks * 2))
        run(ops.Mint(name, "POND", tasks))
        run(ops.DepositStake(name, "POND", tasks))
        run(ops.JoinMarket(name, 0, rng.randint(1, 1000), rng.randint(10, 3600), rng.randint(1, 2)))
    return state


def random_asks(n: int, first_id: int = 0, seed: int = SEED) -> list[tuple]:
    """Ask rows (id, market, max_price 200..2000, proof_time 300..7200, preference 0..10000, expiry, no private inputs)."""
    rng = random.Random(seed + 1)
    return [(first_id + i, 0, rng.randint(200, 2000), rng.randint(300, 7200), rng.randint(0, 10_000), 10**9, False) for i in range(n)]


def with_asks(state: State, rows: list[tuple]) -> State:
    """The same asks created through spec.apply (for the spec's own run)."""
    state, _ = spec.apply(state, ops.Mint(REQUESTER, "USDC", sum(r[2] for r in rows)))
    for _, market, max_price, proof_time, preference, expiry, _ in rows:
        state, _ = spec.apply(state, ops.CreateAsk(REQUESTER, market, max_price, expiry, proof_time, preference, b""))
    return state


def time_fast(state: State, rows: list[tuple]) -> tuple[float, float, int]:
    """(index build seconds, matching seconds, matches)."""
    start = time.perf_counter()
    engine = FastOrderbook(state, seed=0)
    built = time.perf_counter()
    matches = engine.run(rows)
    return built - start, time.perf_counter() - built, len(matches)


def run_engine_bench(n_provers: int = 10_000, ask_counts=(1_000, 10_000, 100_000, 1_000_000), spec_asks: int = 20, progress=None) -> str:
    """The body of the `Matching engine` section: fast-engine scaling curve, and fast vs spec per-ask
    time. Progress lines go to stderr."""
    progress = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    host = f"{describe()}; single-threaded"
    progress(f"building {n_provers} provers through spec.apply ...")
    t0 = time.perf_counter()
    state = provers_world(n_provers)
    world_s = time.perf_counter() - t0
    all_rows = random_asks(max(ask_counts))
    curve = []
    for n in ask_counts:
        build_s, match_s, matched = time_fast(state, all_rows[:n])
        progress(f"fast engine: {n} asks in {match_s:.2f} s ({n / match_s:,.0f} asks/s), {matched} matched")
        curve.append((n, build_s, match_s, matched))

    small = all_rows[:spec_asks]
    spec_state = with_asks(state, small)
    progress(f"spec orderbook on {spec_asks} asks x {n_provers} provers ...")
    t0 = time.perf_counter()
    expected = orderbook(spec_state, 0)
    spec_s = time.perf_counter() - t0
    fast_matches = FastOrderbook.match(spec_state, 0)
    agree = fast_matches == expected
    _, fast_small_s, _ = time_fast(spec_state, ask_rows(spec_state, MatchingProtocol.ORDERBOOK.value))
    fast_per_ask = curve[-1][2] / curve[-1][0]
    spec_per_ask = spec_s / spec_asks

    lines = [
        f"Machine: {host}. Run {datetime.date.today().isoformat()}; other jobs shared the CPUs, so single "
        "figures can be off by tens of percent. Command: `kalypso bench --only engine` "
        "(`reference.engine.bench.run_engine_bench`; `python -m reference.engine.bench` prints the same).",
        "",
        f"Workload: one orderbook market, {n_provers:,} provers (price 1..1000, proposed time 10..3600 s, "
        "capacity 100..300 tasks each), asks with max_price 200..2000, proof_time 300..7200 s and a uniform "
        f"price-vs-time preference; seed {SEED}. Building the prover world through `spec.apply` took {world_s:.1f} s.",
        "",
        "Fast engine (`reference.engine.fast.FastOrderbook`), scaling with the number of asks:",
        "",
        "| asks | index build (s) | matching (s) | asks/s | matched |",
        "|-----:|----------------:|-------------:|-------:|--------:|",
    ]
    lines += [f"| {n:,} | {b:.2f} | {m:.2f} | {n / m:,.0f} | {k:,} |" for n, b, m, k in curve]
    lines += [
        "",
        f"Spec (`spec.matching.orderbook`) on the first {spec_asks} asks with the same {n_provers:,} provers: "
        f"{spec_s:.2f} s, {spec_per_ask * 1e3:.1f} ms per ask ({1 / spec_per_ask:,.1f} asks/s); the fast engine on the "
        f"same {spec_asks} asks took {fast_small_s * 1e3:.2f} ms and produced {'the same' if agree else 'DIFFERENT'} matches.",
        "",
        f"**Extrapolated ratio** (spec per-ask time at {spec_asks} asks / fast per-ask time at {curve[-1][0]:,} asks; "
        f"the spec was not run at 1M asks, it would take about {spec_per_ask * curve[-1][0] / 3600:,.0f} h): "
        f"{spec_per_ask / fast_per_ask:,.0f}x.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run_engine_bench())
