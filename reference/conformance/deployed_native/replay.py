"""Replay the deployed_native findings through an adapter (the EVM adapter on the real bytecode
for the audit): every step's outcome and events and the final on-chain projection must agree
with the fork; the evidence paths are read from the adapter's own answer."""
from __future__ import annotations

import json
import time
from typing import Sequence

import attrs

from reference.conformance.cases import CaseFile
from reference.conformance.deployed_native.findings import FINDINGS, Finding, evidence
from reference.conformance.runner import DEFAULT_TIMEOUT, AdapterError, SubprocessAdapter, replay_case


@attrs.frozen
class Replay:
    finding: Finding
    steps: int
    agrees: bool
    outcome: str  # "pass" or the runner's failure kind with its message
    evidence: dict  # path -> value as the adapter answered
    violations: tuple
    seconds: float = 0.0


def replay_findings(adapter_cmd: str | Sequence[str], timeout: float = DEFAULT_TIMEOUT * 6) -> list[Replay]:
    """Each finding's case replayed on one adapter process."""
    out = []
    with SubprocessAdapter(adapter_cmd) as adapter:
        for finding in FINDINGS:
            data = json.loads(finding.path.read_text())
            start = time.perf_counter()
            case = CaseFile(f"findings/{finding.path.parent.name}/{finding.name}", finding.path, data)
            try:
                result = replay_case(adapter, case, timeout)
                answer = adapter.request({"cmd": "state"}, timeout).get("state", {})
            except AdapterError as error:
                adapter.restart()
                out.append(Replay(finding, len(data["operations"]), False, f"{error.kind}: {error}", {}, ()))
                continue
            outcome = "pass" if result.passed else f"{result.kind}: {result.message}"
            seen = {path: evidence(answer, path) for path in finding.evidence}
            out.append(Replay(finding, len(data["operations"]), result.passed, outcome, seen, tuple(data["finding"]["violations"]),
                              time.perf_counter() - start))
    return out
