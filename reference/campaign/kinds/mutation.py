"""`mutation`: every spec mutant against the conformance vectors and the invariant suite.

A mutant source is one function in reference.campaign.mutants.MUTANT_SOURCES. Task `i` is the
`i`-th mutant over the sources in their listed order, each source's mutants in its own order. A task runs
the mutant in child processes only (reference.campaign.mutant_process): the vectors replayed
against it as a conformance adapter (killed by the first failing case), then the seeded random
traces checked against the design invariants on the mutated spec (killed by the first
violation). A mutant that neither kills is a finding (`survivor: NAME`): a rule change no check
notices. A mutant whose edit no longer applies is `stale`, reported, not counted.
"""
from __future__ import annotations

import json
import subprocess
import sys

from reference.campaign.mutants import MUTANT_SOURCES
from reference.campaign.tasks import Kind, Task

CHILD = (sys.executable, "-m", "reference.campaign.mutant_process")
TRACES_TIMEOUT = 600


def precheck(params) -> None:
    """The unmutated spec must pass both checks, or every mutant would count as killed."""
    from reference.campaign.mutant_process import check_traces
    from reference.campaign.tasks import CampaignError
    from reference.conformance.cases import VECTORS_DIR
    from reference.conformance.runner import REFERENCE_ADAPTER, run_conformance

    baseline = run_conformance(REFERENCE_ADAPTER, VECTORS_DIR, timeout=params["timeout"], stop_at_first_failure=True)
    if not baseline.ok:
        first = baseline.failures[0] if baseline.failures else None
        raise CampaignError("mutation", f"the unmutated spec fails the vectors ({first.name + ': ' + first.message if first else 'no cases'})")
    violation = check_traces(params["traces"], params["steps"], params["trace_seed"])
    if violation:
        raise CampaignError("mutation", f"the unmutated spec fails the invariants on the random traces: {violation}")


def tasks(seed: int, params):
    i = 0
    for source in MUTANT_SOURCES:
        for name, mutant in MUTANT_SOURCES[source]().items():
            yield Task(i, f"{source}:{name}", {"source": source, "mutant": name, "description": mutant.description})
            i += 1


def _vectors(payload, timeout: float) -> dict:
    from reference.conformance.cases import VECTORS_DIR
    from reference.conformance.runner import AdapterStartError, run_conformance

    command = [*CHILD, "--source", payload["source"], "--mutant", payload["mutant"], "adapter"]
    try:
        report = run_conformance(command, VECTORS_DIR, timeout=timeout, stop_at_first_failure=True)
    except AdapterStartError as exc:
        return {"status": "stale", "detail": str(exc)[:300]}
    if report.failed:
        first = report.failures[0]
        if first.kind == "protocol" and "stale" in (first.message or ""):
            return {"status": "stale", "detail": first.message[:300]}
        return {"status": "killed", "by": first.name}
    return {"status": "survived", "cases": report.total}


def _traces(payload, params, seed: int) -> dict:
    command = [*CHILD, "--source", payload["source"], "--mutant", payload["mutant"], "traces",
               "--count", str(params["traces"]), "--steps", str(params["steps"]), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TRACES_TIMEOUT)
    if done.returncode == 3:
        return {"status": "stale", "detail": done.stderr.strip()[:300]}
    if done.returncode != 0:
        return {"status": "error", "detail": done.stderr.strip()[-300:]}
    violation = json.loads(done.stdout.strip().splitlines()[-1])["violation"]
    return {"status": "killed", "by": violation} if violation else {"status": "survived"}


def run(payload, params) -> dict:
    vectors = _vectors(payload, params["timeout"])
    traces = _traces(payload, params, params["trace_seed"])
    statuses = {vectors["status"], traces["status"]}
    status = "stale" if "stale" in statuses else "killed" if "killed" in statuses else "error" if "error" in statuses else "survived"
    key = f"{payload['source']}:{payload['mutant']}"
    result = {"status": status, "vectors": vectors, "traces": traces,
              "coverage": [f"{check}:{r['by']}" for check, r in (("vectors", vectors), ("traces", traces)) if r["status"] == "killed"] + [key]}
    if status == "survived":
        result["finding"] = {"rule": f"survivor: {key}", "trace": f"{payload['description']}: no vector and no invariant on "
                             f"{params['traces']} random traces of {params['steps']} steps notices it"}
    elif status == "error":
        result["finding"] = {"rule": f"mutant check failed: {key}", "trace": json.dumps([vectors, traces])}
    return result


KIND = Kind("mutation", tasks, run, {"traces": 4, "steps": 30, "trace_seed": 20261124, "timeout": 60.0},
            "spec mutants against the vectors and the invariants on random traces", precheck=precheck)
