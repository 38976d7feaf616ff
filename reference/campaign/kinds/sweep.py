"""`sweep`: the market simulator over a grid, protocol x load x coalition x seed.

Round `r` runs every (protocol, load, coalition) point under simulator seed `campaign seed + r`,
so a count budget covers whole grids first. A result is the run's metrics
(`reference.sim.metrics.RunResult`). Every simulated action goes through the spec, so an action
the spec rejects, or a run that crashes, is a finding, with the rejected operation and error as
its rule; what the protocols achieve (censorship, prices) is the report's table, not a finding.
"""
from __future__ import annotations

import re
from itertools import count, product

import attrs

from reference.campaign.tasks import Kind, Task
from reference.sim.simulation import PROTOCOLS

_REJECTION = re.compile(r"^t=\S+ (\w+)\(.* -> (.*)$")


def grid(params) -> list[tuple]:
    return list(product(params.get("protocols") or PROTOCOLS, params["loads"], params["coalitions"]))


def tasks(seed: int, params):
    points = grid(params)
    for i in count():
        protocol, load, coalition = points[i % len(points)]
        sim_seed = seed + i // len(points)
        yield Task(i, f"{protocol}/load={load}/coalition={coalition}/seed={sim_seed}",
                   {"protocol": protocol, "load": load, "coalition": coalition, "seed": sim_seed})


def _rule(rejection: str) -> str:
    match = _REJECTION.match(rejection)
    return f"spec rejected {match.group(1)}: {match.group(2)}"[:200] if match else f"spec rejected: {rejection[:160]}"


def run(payload, params) -> dict:
    from reference.sim.simulation import Scenario, Simulation

    scenario = Scenario(protocol=payload["protocol"], load=payload["load"], coalition=payload["coalition"],
                        seed=payload["seed"], asks=params["asks"], provers=params["provers"])
    point = f"{payload['protocol']}/load={payload['load']}/coalition={payload['coalition']}"
    try:
        metrics = attrs.asdict(Simulation(scenario).run(), recurse=True)
    except Exception as exc:  # a crash of the simulator or the spec under it is what a sweep looks for
        rule = f"crash: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
        return {"coverage": [point], "finding": {"rule": rule, "trace": repr(payload)}}
    metrics["rejections"] = list(metrics["rejections"])
    result = {"metrics": metrics, "coverage": [point]}
    if metrics["spec_rejections"]:
        result["finding"] = {"rule": _rule(metrics["rejections"][0]), "trace": "\n".join(metrics["rejections"])}
    return result


KIND = Kind("sweep", tasks, run,
            {"asks": 100, "provers": 12, "loads": [0.3, 0.6, 0.9], "coalitions": [0.0, 0.25, 0.5]},
            "market simulator grid: protocol x load x coalition x seed")
