"""Simulator throughput: simulated asks and spec operations per wall-clock second."""
from __future__ import annotations

import time

from reference.sim.simulation import PROTOCOLS, Scenario, Simulation


def run_sim_bench(asks: int = 400, provers: int = 24, seed: int = 1) -> str:
    """Markdown table: one run per protocol at `asks` asks and `provers` provers."""
    rows = ["| Protocol | Asks | Spec operations | Wall (s) | Asks/s | Spec ops/s |", "|---|---|---|---|---|---|"]
    for protocol in PROTOCOLS:
        start = time.perf_counter()
        result = Simulation(Scenario(protocol=protocol, asks=asks, provers=provers, seed=seed)).run()
        wall = time.perf_counter() - start
        rows.append(f"| {protocol} | {result.asks} | {result.spec_ops:,} | {wall:.2f} | {result.asks / wall:,.0f} | {result.spec_ops / wall:,.0f} |")
    return f"One run per protocol, {asks} asks, {provers} provers, seed {seed}; every operation through `spec.apply`.\n\n" + "\n".join(rows)
