"""Mutation score of the vectors: each named mutant of the spec runs behind the mutant adapter,
the vectors are replayed until one case fails (the mutant is killed) or all pass (it survives)."""
from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional, Sequence

import attrs

from reference.conformance.cases import VECTORS_DIR, case_paths
from reference.conformance.mutants import MUTANT_BY_NAME, MUTANTS, StaleMutant
from reference.conformance.runner import DEFAULT_TIMEOUT, run_conformance

MUTANT_ADAPTER = (sys.executable, "-m", "reference.conformance.mutant_adapter")


def mutant_command(name: Optional[str]) -> list[str]:
    return [*MUTANT_ADAPTER, *(["--mutant", name] if name else [])]


@attrs.frozen
class MutantResult:
    """`status` is killed, survived or stale; `killed_by` names the first failing case."""

    name: str
    description: str
    status: str
    killed_by: str = ""
    reason: str = ""
    cases_run: int = 0
    seconds: float = 0.0


@attrs.frozen
class MutationReport:
    results: tuple
    cases: int
    seconds: float
    jobs: int
    baseline_ok: bool
    baseline_failure: str = ""

    def _with(self, status: str) -> list:
        return [r for r in self.results if r.status == status]

    @property
    def killed(self) -> list:
        return self._with("killed")

    @property
    def survivors(self) -> list:
        return self._with("survived")

    @property
    def stale(self) -> list:
        return self._with("stale")

    @property
    def score(self) -> float:
        """Killed over killed + survived (stale mutants do not count)."""
        counted = len(self.killed) + len(self.survivors)
        return len(self.killed) / counted if counted else 0.0


def run_mutant(name: str, vectors_dir: Path, timeout: float) -> MutantResult:
    if name.startswith("gen:"):
        from reference.conformance.generated import find

        m = find(name)
    else:
        m = MUTANT_BY_NAME[name]
    try:
        m.mutated_sources()
    except StaleMutant as exc:
        return MutantResult(name, m.description, "stale", reason=str(exc))
    report = run_conformance(mutant_command(name), vectors_dir, timeout=timeout, stop_at_first_failure=True)
    if report.failed:
        first = report.failures[0]
        return MutantResult(name, m.description, "killed", first.name, first.message, report.total, report.seconds)
    return MutantResult(name, m.description, "survived", cases_run=report.total, seconds=report.seconds)


def mutation_score(names: Optional[Sequence[str]] = None, vectors_dir: Path = VECTORS_DIR, jobs: int = 2,
                   timeout: float = DEFAULT_TIMEOUT, progress: Optional[Callable[[MutantResult], None]] = None,
                   check_baseline: bool = True) -> MutationReport:
    """Run every named mutant (all that apply to this spec by default) against the vectors, `jobs` adapters at a time,
    after checking (unless told not to) that the unmutated adapter passes every case."""
    start = time.perf_counter()
    names = list(names) if names is not None else [m.name for m in MUTANTS if m.applicable()]
    unknown = sorted(n for n in set(names) - set(MUTANT_BY_NAME) if not n.startswith("gen:"))
    if unknown:
        raise ValueError(f"unknown mutants: {unknown}")
    if check_baseline:
        baseline = run_conformance(mutant_command(None), vectors_dir, timeout=timeout, stop_at_first_failure=True)
        if not baseline.ok:
            failure = baseline.failures[0] if baseline.failures else None
            reason = f"{failure.name}: {failure.message}" if failure else "no cases"
            return MutationReport((), baseline.total, time.perf_counter() - start, jobs, False, reason)

    def one(name: str) -> MutantResult:
        result = run_mutant(name, vectors_dir, timeout)
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = tuple(pool.map(one, names))
    cases = len(case_paths(vectors_dir))
    return MutationReport(results, cases, time.perf_counter() - start, jobs, True)


def render_markdown(report: MutationReport, command: str) -> str:
    """docs/mutation.md: the score, the survivors and every mutant with the case that killed it."""
    lines = [
        "# Mutation score of the conformance vectors", "",
        "Each mutant rewrites one function of `spec/` (an exact source edit, see",
        "`reference/conformance/mutants.py`) and runs behind the mutant adapter",
        "(`python -m reference.conformance.mutant_adapter --mutant NAME`); the vectors are replayed until",
        "a case fails (killed) or all pass (survived). Stale mutants (their edit no longer matches the",
        "spec) are listed and left out of the score. Mutants no one chose, generated from the AST of every",
        "module of `spec/` (design, wire format, matching, deployed forks; functions, methods and module-level",
        "code), are judged by each module's fast suite in [mutation-generated.md](mutation-generated.md): the",
        "score, the survivors, and each mutant argued equivalent with its argument.", "",
        f"Command: `{command}` ({report.jobs} processes, {report.seconds:.1f} s, {report.cases} cases).", "",
    ]
    if not report.baseline_ok:
        return "\n".join(lines + [f"The unmutated adapter fails the vectors: {report.baseline_failure}", ""])
    lines += [
        f"**Score: {report.score:.3f}** ({len(report.killed)} killed of {len(report.killed) + len(report.survivors)}"
        f" mutants; {len(report.stale)} stale).", "",
        "Survivors: " + (", ".join(f"`{r.name}` ({r.description})" for r in report.survivors) or "none") + ".", "",
        "| mutant | what it breaks | status | first failing case |", "|---|---|---|---|",
    ]
    for r in report.results:
        lines.append(f"| `{r.name}` | {r.description} | {r.status} | {('`' + r.killed_by + '`') if r.killed_by else r.reason} |")
    return "\n".join(lines) + "\n"
